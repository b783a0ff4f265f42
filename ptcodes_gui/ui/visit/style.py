"""Colours of the visit's messages: taken from ``ui.theme`` when shown, so they stay
readable (WCAG AA) on a light or a dark system palette."""

from __future__ import annotations

from ptcodes_gui.ui import theme


def warning_style() -> str:
    return theme.style("warning")


def error_style() -> str:
    return theme.style("error")


def ok_style() -> str:
    return theme.style("ok")
