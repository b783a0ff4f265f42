"""Thin Qt adapter over a capped list of catalog hits (never all 98k codes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication

from ptcodes_gui.domain.models import CATEGORIES, Hit, System

COLUMNS = ("Code", "Title", "Units", "Status", "Category")
HitRole = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


def timed_badge(hit: Hit) -> str:
    if hit.timed is None:
        return "dx" if hit.system == System.ICD10CM else "mod"
    return "timed" if hit.timed else "untimed"


def status_text(hit: Hit) -> str:
    if hit.status == "deleted":
        return "deleted → " + ", ".join(hit.replaced_by) if hit.replaced_by else "deleted"
    if not hit.billable:
        return "header (not billable)"
    return "common" if hit.common else ""


class ResultsModel(QAbstractTableModel):
    """Rows are :class:`Hit` objects; ``set_hits`` swaps the whole (small) list."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._hits: list[Hit] = []

    def set_hits(self, hits: Sequence[Hit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit(self, row: int) -> Hit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def hits(self) -> list[Hit]:
        return list(self._hits)

    def row_of(self, code: str) -> int:
        for i, h in enumerate(self._hits):
            if h.code == code:
                return i
        return -1

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._hits)):
            return None
        hit = self._hits[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (
                hit.code,
                hit.title,
                timed_badge(hit),
                status_text(hit),
                CATEGORIES.get(hit.category, hit.category),
            )[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{hit.code} {hit.title}\n{status_text(hit)}".strip()
        if role == HitRole:
            return hit
        if role == Qt.ItemDataRole.ForegroundRole and (hit.status == "deleted" or not hit.billable):
            return QApplication.palette().color(
                QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
            )
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            if col == 0:
                font.setBold(hit.status != "deleted" and hit.billable)
            if hit.status == "deleted" and col < 2:
                font.setStrikeOut(True)
            if not hit.billable:
                font.setItalic(True)
            return font
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
