"""The installed distribution: its index name, version, and the pip hint for an optional extra.

The registry's `cleaner` is another project, so ours is published as `cleaner-corpus`; the import
name and the command stay `cleaner`.
"""

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "cleaner-corpus"

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"


def install_hint(extra: str) -> str:
    """The pip command that adds an optional extra, for error messages."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"
