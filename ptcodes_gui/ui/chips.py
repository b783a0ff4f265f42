"""Compact chips in the results table: timed/untimed and a code's status as small pills.

The model keeps answering plain words (screen readers, tests and tooltips read them); the
results table only paints them as chips, in colours from ``ui.theme`` (AA on light and dark).
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QWidget

from ptcodes_gui.ui import theme

#: The word a chip shows for a cell's text (long status texts stay in the tooltip).
SHORT: Final = {
    "header (not billable)": "header",
    "timed": "timed",
    "untimed": "untimed",
    "dx": "dx",
    "mod": "modifier",
    "common": "common",
}


def chip_kind(text: str) -> str:
    if text.startswith("deleted"):
        return "deleted"
    return {"header (not billable)": "header", "mod": "mod"}.get(text, text)


def chip_text(text: str) -> str:
    return "deleted" if text.startswith("deleted") else SHORT.get(text, text)


class ChipPixmaps:
    """The chips of one view: each drawn once into a pixmap per word, palette, font and
    device pixel ratio, and painted by the results table (``ui.results_view``) with one
    ``drawPixmap`` per cell."""

    def __init__(self, view: QWidget) -> None:
        self._view = view
        self._pixmaps: dict[tuple[str, int, int, float], QPixmap] = {}

    def pixmap_for(self, text: str) -> QPixmap | None:
        """The chip of a Type or Status word; None for an empty cell."""
        view = self._view
        if not text:
            return None
        palette = view.palette()
        fm = view.fontMetrics()
        ratio = view.devicePixelRatioF()
        key = (text, palette.cacheKey(), fm.height(), ratio)
        cached = self._pixmaps.get(key)
        if cached is None:
            cached = self._pixmaps[key] = self._draw(text, view, ratio)
        return cached

    @staticmethod
    def _draw(text: str, view: QWidget, ratio: float) -> QPixmap:
        fm = view.fontMetrics()
        label = chip_text(text)
        background, foreground = theme.chip_colours(chip_kind(text), view.palette())
        pad = max(4, fm.height() // 4)
        width, height = fm.horizontalAdvance(label) + 2 * pad, fm.height() + 2
        pixmap = QPixmap(round(width * ratio), round(height * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        chip = QPainter(pixmap)
        chip.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        chip.setFont(view.font())
        chip.setPen(Qt.PenStyle.NoPen)
        chip.setBrush(background)
        area = QRectF(0, 0, width, height)
        chip.drawRoundedRect(area, height / 2, height / 2)
        chip.setPen(foreground)
        chip.drawText(area, int(Qt.AlignmentFlag.AlignCenter), label)
        chip.end()
        return pixmap
