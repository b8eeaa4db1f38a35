"""The installed distribution: its index name, version, and the pip hint for an optional extra.

The registry's `cleaner` is another project, so ours is published as `cleaner-corpus`; the import
name and the command stay `cleaner`. The version is looked up on first use: importlib.metadata
costs start-up time that `cleaner fix` in a pre-commit hook pays on every commit.
"""

from functools import lru_cache

DISTRIBUTION = "cleaner-corpus"


@lru_cache(maxsize=1)
def version() -> str:
    """The installed version; 0.0.0 in a source tree that was not installed."""
    from importlib.metadata import PackageNotFoundError, version as installed

    try:
        return installed(DISTRIBUTION)
    except PackageNotFoundError:
        return "0.0.0"


def install_hint(extra: str) -> str:
    """The pip command that adds an optional extra, for error messages."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"
