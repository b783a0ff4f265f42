"""Thin Qt adapter over a capped list of catalog hits (never all 98k codes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

from ptcodes_gui.domain.models import CATEGORIES, Hit, System
from ptcodes_gui.ui import theme

COLUMNS = ("Code", "Title", "Type", "Status", "Category")
TYPE_COLUMN, STATUS_COLUMN = 2, 3
HitRole = Qt.ItemDataRole.UserRole + 1
CHIP_COLUMNS = frozenset({TYPE_COLUMN, STATUS_COLUMN})

_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_STARS: dict[bool, QIcon] = {}
#: a row's (cell words, muted colour, cell fonts, tooltip), made on first use
_RowCache = tuple[tuple[str, ...], QColor | None, tuple[QFont | None, ...], str]
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_FONTS: dict[tuple[bool, bool, bool], QFont] = {}


def _font(col: int, hit: Hit) -> QFont | None:
    """Shared QFont objects: bold code, struck-out deleted code/title, italic headers;
    None (the view's font, no conversion) for the plain cells."""
    deleted = hit.status == "deleted"
    key = (col == 0 and not deleted and hit.billable, deleted and col < 2, not hit.billable)
    if not any(key):
        return None
    font = _FONTS.get(key)
    if font is None:
        font = QFont()
        font.setBold(key[0])
        font.setStrikeOut(key[1])
        font.setItalic(key[2])
        _FONTS[key] = font
    return font


def star_icon() -> QIcon:
    """A ★ in the theme's star colour (one icon per light/dark palette)."""
    dark = theme.is_dark()
    icon = _STARS.get(dark)
    if icon is None:
        size = 32
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        font = QFont()
        font.setPixelSize(size - 4)
        painter.setFont(font)
        painter.setPen(theme.colour("star"))
        painter.drawText(pixmap.rect(), int(Qt.AlignmentFlag.AlignCenter), "★")
        painter.end()
        icon = _STARS[dark] = QIcon(pixmap)
    return icon


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
    """Rows are :class:`Hit` objects; ``set_hits`` swaps the whole (small) list. Favorite
    codes get a ★ before the code (``set_favorites``)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._hits: list[Hit] = []
        self._cache: list[_RowCache | None] = []
        self._favorites: frozenset[str] = frozenset()

    def set_favorites(self, codes: frozenset[str]) -> None:
        if codes == self._favorites:
            return
        self._favorites = codes
        if self._hits:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._hits) - 1, 0))

    def is_favorite(self, row: int) -> bool:
        hit = self.hit(row)
        return hit is not None and hit.code in self._favorites

    def set_hits(self, hits: Sequence[Hit]) -> bool:
        """Show ``hits``; False (and nothing repainted) when they are those shown already:
        typing on within a word often gives the same list (44 % of the benchmark's
        keystrokes)."""
        if len(hits) == len(self._hits) and all(
                a is b or a == b for a, b in zip(hits, self._hits, strict=True)):
            return False
        self.beginResetModel()
        self._hits = list(hits)
        self._cache = [None] * len(self._hits)
        self.endResetModel()
        return True

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
        # Called hundreds of times per repaint: answer from a per-row cache built on first
        # use, with roles compared as plain ints and fonts made once.
        row = index.row()
        if not 0 <= row < len(self._hits):
            return None
        cached = self._cache[row]
        if cached is None:
            cached = self._cache[row] = self._row_cache(self._hits[row])
        col = index.column()
        if role in (_DISPLAY, _ACCESSIBLE):
            return cached[0][col] if 0 <= col < len(COLUMNS) else None
        if role == _FONT:
            return cached[2][col] if 0 <= col < len(COLUMNS) else None
        if role == _FOREGROUND:
            return cached[1]
        if role == _TOOLTIP:
            return cached[3]
        if role == _DECORATION:
            return star_icon() if col == 0 and self._hits[row].code in self._favorites else None
        if role == HitRole:
            return self._hits[row]
        return None

    def row_paint(self, row: int) -> tuple[tuple[str, ...], QColor | None,
                                           tuple[QFont | None, ...], bool]:
        """What the results table paints of a row: the cells' words, the muted colour of a
        deleted or header row (None: the palette's), each cell's font (None: the view's),
        and whether the code is a favorite (a star before it)."""
        cached = self._cache[row]
        if cached is None:
            cached = self._cache[row] = self._row_cache(self._hits[row])
        return cached[0], cached[1], cached[2], self._hits[row].code in self._favorites

    def _row_cache(
        self, hit: Hit
    ) -> _RowCache:
        texts = (
            hit.code,
            hit.title,
            timed_badge(hit),
            status_text(hit),
            CATEGORIES.get(hit.category, hit.category),
        )
        muted = hit.status == "deleted" or not hit.billable
        foreground = (
            QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            if muted
            else None
        )
        fonts = tuple(_font(col, hit) for col in range(len(COLUMNS)))
        tooltip = f"{hit.code} {hit.title}\n{timed_badge(hit)}; {status_text(hit)}".strip("; \n")
        return texts, foreground, fonts, tooltip

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags
