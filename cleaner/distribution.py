"""The installed distribution: its index name, version, and the pip hint for an optional extra.

The registry's `cleaner` is another project, so ours is published as `cleaner-corpus`; the import
name and the command stay `cleaner`. The version lives here, read by the build (pyproject's
dynamic version): importlib.metadata would cost start-up time that `cleaner fix` in a pre-commit
hook pays on every commit.
"""

__version__ = "0.1.0"
DISTRIBUTION = "cleaner-corpus"


def version() -> str:
    """The version of this code (the same as the installed distribution's)."""
    return __version__


def install_hint(extra: str) -> str:
    """The pip command that adds an optional extra, for error messages."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"
