"""cleaner: strip page chrome from scraped documents and separate the comment thread."""

from .version import __version__
from .model import Cleaned, Document, Kind, Post, Removal
from .options import Options
from .pipeline import Cleaner, clean

__all__ = ["Cleaned", "Cleaner", "Document", "Kind", "Options", "Post", "Removal", "clean", "__version__"]
