"""cleaner: strip page chrome from scraped documents and separate the comment thread."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cleaner")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

from .model import Cleaned, Document, Kind, Post, Removal  # noqa: E402
from .pipeline import Cleaner, Options, clean  # noqa: E402

__all__ = ["Cleaned", "Cleaner", "Document", "Kind", "Options", "Post", "Removal", "clean", "__version__"]
