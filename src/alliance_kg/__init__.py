"""alliance-kg: the Chinese-German Industrial Cities Alliance as linked open data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("alliance-kg")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"
