"""The visit builder, one small widget per job, wired together by ``VisitPanel``.

``editor.VisitEditor`` holds the visit and its undo stack and makes every change; the
widgets (``payer_bar``, ``entry``, ``offer_bar``, ``lines_table``, ``diagnoses``,
``warnings_list``, ``copy_area``, ``templates``) show it and emit what the user asked for;
``panel.VisitPanel`` only builds them and connects their signals.
"""

from __future__ import annotations

from ptcodes_gui.ui.visit.panel import VisitPanel

__all__ = ["VisitPanel"]
