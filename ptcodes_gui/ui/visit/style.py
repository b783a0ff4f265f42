"""Colours of the visit's messages, readable on light and dark palettes (WCAG AA)."""

from __future__ import annotations

from typing import Final

WARNING_STYLE: Final = "color: #8a5300"
ERROR_STYLE: Final = "color: #b00020"
OK_STYLE: Final = "color: #1b5e20"
