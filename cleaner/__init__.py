"""cleaner: strip page chrome from scraped documents and separate the comment thread."""

from .distribution import DISTRIBUTION, __version__, install_hint  # noqa: F401
from .model import Cleaned, Document, Kind, Post, Removal
from .options import Options
from .pipeline import Cleaner, clean

__all__ = ["Cleaned", "Cleaner", "Document", "Kind", "Options", "Post", "Removal", "clean", "__version__"]
