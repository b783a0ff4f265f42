"""Where the visit builder used to live; it is now the ``ptcodes_gui.ui.visit`` package."""

from __future__ import annotations

from ptcodes_gui.ui.visit import VisitPanel

__all__ = ["VisitPanel"]
