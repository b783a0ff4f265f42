"""PT Codes: an offline reference for physical therapy billing codes."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ptcodes-gui")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

APP_NAME = "PT Codes"
APP_ID = "ptcodes"
