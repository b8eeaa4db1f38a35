"""cleaner: strip page chrome from scraped documents and separate the comment thread."""

from .distribution import DISTRIBUTION, __version__, install_hint  # noqa: F401
from .model import Cleaned, Document, Kind, Post, Removal  # noqa: E402
from .pipeline import Cleaner, Options, clean  # noqa: E402
from .api import clean_html, clean_text  # noqa: E402

__all__ = ["Cleaned", "Cleaner", "Document", "Kind", "Options", "Post", "Removal", "clean", "clean_html", "clean_text", "__version__"]
