"""The installed version of cleaner; a source tree that was never installed reads 0.0.0."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cleaner")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"
