"""pantau: event-driven service-level monitoring for public-service offices."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pantau")  # the one version number: pyproject.toml
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
