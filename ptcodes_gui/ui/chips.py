"""Compact chips in the results table: timed/untimed and a code's status as small pills.

The model keeps answering plain words (screen readers, tests and tooltips read them); the
delegate only paints them as chips, in colours from ``ui.theme`` (AA on light and dark).
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QPainter
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
    """Paints a cell's text as a rounded chip; an empty cell paints nothing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        text = index.data(Qt.ItemDataRole.DisplayRole)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        if not isinstance(text, str) or not text:
            return
        label = chip_text(text)
        background, foreground = theme.chip_colours(chip_kind(text))
        fm = option.fontMetrics
        pad = max(4, fm.height() // 4)
        width = min(fm.horizontalAdvance(label) + 2 * pad, option.rect.width() - 4)
        height = min(fm.height() + 2, option.rect.height() - 2)
        rect = QRectF(
            option.rect.left() + 2,
            option.rect.top() + (option.rect.height() - height) / 2,
            width,
            height,
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background)
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(foreground)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), label)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        text = index.data(Qt.ItemDataRole.DisplayRole)
        fm = option.fontMetrics
        label = chip_text(text) if isinstance(text, str) else ""
        return QSize(fm.horizontalAdvance(label) + fm.height(), fm.height() + 8)
