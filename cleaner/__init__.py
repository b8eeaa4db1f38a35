"""cleaner: strip page chrome from scraped documents and separate the comment thread."""

from .distribution import DISTRIBUTION, install_hint, version  # noqa: F401
from .model import Cleaned, Document, Kind, Post, Removal
from .options import Options
from .pipeline import Cleaner, clean
from .api import clean_html, clean_text

__all__ = ["Cleaned", "Cleaner", "Document", "Kind", "Options", "Post", "Removal", "clean", "clean_html", "clean_text", "__version__"]


def __getattr__(name: str) -> str:
    """`cleaner.__version__`, looked up when asked for (PEP 562), not at import."""
    if name == "__version__":
        return version()
    raise AttributeError(f"module 'cleaner' has no attribute {name!r}")
