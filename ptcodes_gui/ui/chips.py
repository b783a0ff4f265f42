"""Compact chips in the results table: timed/untimed and a code's status as small pills.

The model keeps answering plain words (screen readers, tests and tooltips read them); the
delegate only paints them as chips, in colours from ``ui.theme`` (AA on light and dark).
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ptcodes_gui.ui import theme

_Index = QModelIndex | QPersistentModelIndex

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


class ChipDelegate(QStyledItemDelegate):
    """Paints a cell's text as a rounded chip; an empty cell paints nothing.

    Painting runs for every visible row on each keystroke, so a chip is drawn once into a
    cached pixmap (per word, palette and font) and a cell costs one data() call and a blit.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmaps: dict[tuple[str, bool, int, float], QPixmap] = {}

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        rect = option.rect
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, option.palette.highlight())
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not isinstance(text, str) or not text:
            return
        pixmap = self._pixmap(text, option, painter.device().devicePixelRatioF())
        ratio = pixmap.devicePixelRatioF()
        height = pixmap.height() / ratio
        painter.drawPixmap(rect.left() + 2, round(rect.top() + (rect.height() - height) / 2),
                           pixmap)

    def _pixmap(self, text: str, option: QStyleOptionViewItem, ratio: float) -> QPixmap:
        fm = option.fontMetrics
        key = (text, theme.is_dark(option.palette), fm.height(), ratio)
        cached = self._pixmaps.get(key)
        if cached is not None:
            return cached
        label = chip_text(text)
        background, foreground = theme.chip_colours(chip_kind(text), option.palette)
        pad = max(4, fm.height() // 4)
        width, height = fm.horizontalAdvance(label) + 2 * pad, fm.height() + 2
        pixmap = QPixmap(round(width * ratio), round(height * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        chip = QPainter(pixmap)
        chip.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        chip.setFont(option.font)
        chip.setPen(Qt.PenStyle.NoPen)
        chip.setBrush(background)
        area = QRectF(0, 0, width, height)
        chip.drawRoundedRect(area, height / 2, height / 2)
        chip.setPen(foreground)
        chip.drawText(area, int(Qt.AlignmentFlag.AlignCenter), label)
        chip.end()
        self._pixmaps[key] = pixmap
        return pixmap

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        text = index.data(Qt.ItemDataRole.DisplayRole)
        fm = option.fontMetrics
        label = chip_text(text) if isinstance(text, str) else ""
        return QSize(fm.horizontalAdvance(label) + fm.height(), fm.height() + 8)
