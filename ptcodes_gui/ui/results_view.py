"""The results table: fixed row heights, chips for type and status, painted in one pass.

Qt's item delegate cost ~30 µs a cell here (a call into the model for the roles, then the
style lays each text out two or three times), 3-5 ms for a full page of 18 rows × 5 columns
on every keystroke. ``ResultsTable`` keeps everything a table view does (model, selection,
keyboard, accessibility, tooltips) and only paints the visible rows itself: each cell's
words cut once per width and cached, chips as cached pixmaps, the grid as one call
(docs/PERFORMANCE.md, "Keystroke to repaint in one frame").
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

from PySide6.QtCore import QEvent, QLine, QRect, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QStaticText,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyleOptionFocusRect,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from ptcodes_gui.ui.chips import ChipPixmaps
from ptcodes_gui.ui.flat_scrollbar import FlatScrollBar
from ptcodes_gui.ui.results_model import CHIP_COLUMNS, STATUS_COLUMN, TYPE_COLUMN, ResultsModel
from ptcodes_gui.ui.results_model import star_icon as _star_icon

_TEXTS_PER_GENERATION = 3_000  # laid-out cell texts kept (about 15 pages of results)


class _Face:
    """One font of the table as it is drawn: the font without strike-out (the table draws
    that line itself: ``QStaticText`` dropped it when scaled), its metrics, and the advance
    of each character seen, to cut a title to a width without Qt laying it out twice."""

    def __init__(self, font: QFont, *, own: bool) -> None:
        plain = QFont(font)
        plain.setStrikeOut(False)
        metrics = QFontMetrics(font)
        self.font: QFont | None = plain if own else None  # None: the view's font
        self.metrics = metrics
        self.height = metrics.height()
        self.ascent = metrics.ascent()
        self.strike_y = metrics.ascent() - metrics.strikeOutPos() if font.strikeOut() else -1
        self._ellipsis = metrics.horizontalAdvance("…")
        self._advances: dict[str, int] = {}

    def _advance(self, ch: str) -> int:
        found = self._advances.get(ch)
        if found is None:
            found = self._advances[ch] = self.metrics.horizontalAdvance(ch)
        return found

    def elide(self, text: str, width: int) -> tuple[str, int]:
        """``text`` cut with "…" to fit ``width`` and its width in pixels. Plain ASCII (every
        code and title the catalog ships) is measured by its characters' advances, which
        kerning only narrows; anything else is left to Qt."""
        if not text.isascii():
            cut = self.metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
            return cut, self.metrics.horizontalAdvance(cut)
        known = self._advances
        widths = [known.get(ch) or self._advance(ch) for ch in text]
        total = sum(widths)
        if total <= width:
            return text, total
        ends = list(accumulate(widths))
        cut = text[: bisect_right(ends, width - self._ellipsis)].rstrip()
        return cut + "…", (ends[len(cut) - 1] if cut else 0) + self._ellipsis


class _Laid:
    """A cell's words as painted: cut to the column, drawn as plain text the first time and
    as a laid-out ``QStaticText`` from the second (most rows seen once are never seen again;
    those that stay on screen while typing go on are drawn from the layout)."""

    __slots__ = ("face", "static", "text", "width")

    def __init__(self, face: _Face, text: str, width: int) -> None:
        self.face = face
        self.text = text
        self.width = width
        self.static: QStaticText | None = None

    def draw(self, painter: QPainter, left: int, top: int) -> None:
        face = self.face
        if self.static is None:
            painter.drawText(left, top + face.ascent, self.text)
            static = self.static = QStaticText(self.text)
            static.setTextFormat(Qt.TextFormat.PlainText)
        else:
            painter.drawStaticText(left, top, self.static)
        if face.strike_y >= 0:
            line = top + face.strike_y
            painter.drawLine(left, line, left + self.width, line)


def _text_box(x: int, w: int, margin: int, star: int) -> tuple[int, int]:
    """Where a cell's words start and how wide they may be: inside the margins, after the
    favorite's star when there is one (``star``: its size, 0 for none)."""
    left = x + margin + (star + margin if star else 0)
    return left, x + w - margin - left


class ResultsTable(QTableView):
    """A table view over :class:`ResultsModel` that paints its rows in one Python call."""

    def __init__(self, model: ResultsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._results = model
        self.chips = ChipPixmaps(self)
        self._texts: dict[tuple[str, int, int], _Laid] = {}
        self._older: dict[tuple[str, int, int], _Laid] = {}
        self._faces: dict[int, tuple[QFont | None, _Face]] = {}
        self.setModel(model)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._texts.clear()  # the widths of the words change
            self._older.clear()
            self._faces.clear()
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        model = self._results
        area = event.rect()
        first = self.rowAt(area.top())
        if self.model() is not model or first < 0:
            super().paintEvent(event)  # another model, or only the space below the rows
            return
        last = self.rowAt(area.bottom())
        last = model.rowCount() - 1 if last < 0 else last
        columns = [(c, self.columnViewportPosition(c), self.columnWidth(c))
                   for c in range(model.columnCount()) if not self.isColumnHidden(c)]
        columns = [(c, x, w) for c, x, w in columns if x + w > area.left() and x <= area.right()]
        painter = QPainter(self.viewport())
        try:
            self._paint_rows(painter, first, last, columns)
            self._paint_grid(painter, first, last, columns)
            self._paint_focus(painter)
        finally:
            painter.end()

    def _group(self) -> QPalette.ColorGroup:
        if not self.isEnabled():
            return QPalette.ColorGroup.Disabled
        if not self.isActiveWindow():
            return QPalette.ColorGroup.Inactive
        return QPalette.ColorGroup.Active

    def _paint_rows(self, painter: QPainter, first: int, last: int,
                    columns: list[tuple[int, int, int]]) -> None:
        palette = self.palette()
        group = self._group()
        text_colour = palette.color(group, QPalette.ColorRole.Text)
        selected_text = palette.color(group, QPalette.ColorRole.HighlightedText)
        highlight = palette.brush(group, QPalette.ColorRole.Highlight)
        selection = self.selectionModel()
        chosen = {i.row() for i in selection.selectedRows()} if selection is not None else set()
        view_font = self.font()
        margin = self._margin()
        star = self._star_size()
        right = columns[-1][1] + columns[-1][2] if columns else 0
        current_font: QFont | None = None
        painter.setFont(view_font)
        for row in range(first, last + 1):
            y, h = self.rowViewportPosition(row), self.rowHeight(row)
            texts, muted, fonts, favorite = self._results.row_paint(row)
            if row in chosen:
                painter.fillRect(QRect(0, y, right, h), highlight)
                pen: QColor = selected_text
            else:
                pen = muted if muted is not None else text_colour
            painter.setPen(pen)
            for col, x, w in columns:
                text = texts[col]
                if not text:
                    continue
                if col in CHIP_COLUMNS:
                    chip = self.chips.pixmap_for(text)
                    if chip is not None:
                        size = chip.deviceIndependentSize()
                        painter.drawPixmap(x + margin, y + (h - round(size.height())) // 2, chip)
                    continue
                if col == 0 and favorite:
                    _star_icon().paint(painter, QRect(x + margin, y + (h - star) // 2, star, star))
                left, width = _text_box(x, w, margin, star if col == 0 and favorite else 0)
                laid = self._text(text, fonts[col], width)
                face = laid.face
                if face.font is not current_font:
                    painter.setFont(face.font if face.font is not None else view_font)
                    current_font = face.font
                laid.draw(painter, left, y + (h - face.height) // 2)

    def painted_text(self, row: int, col: int) -> str:
        """The words painted in a cell (cut with "…" to fit), "" for an empty or chip cell."""
        texts, _muted, fonts, favorite = self._results.row_paint(row)
        if col in CHIP_COLUMNS or not texts[col]:
            return ""
        star = self._star_size() if col == 0 and favorite else 0
        _left, width = _text_box(0, self.columnWidth(col), self._margin(), star)
        return self._text(texts[col], fonts[col], width).text

    def _margin(self) -> int:
        return self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1

    def _star_size(self) -> int:
        icon = self.iconSize()
        return icon.width() if icon.isValid() else 16

    def _text(self, text: str, font: QFont | None, width: int) -> _Laid:
        """A cell's words cut to ``width`` (see ``_Laid``); kept in two generations so a full
        cache never empties at once."""
        key = (text, id(font) if font is not None else 0, width)
        found = self._texts.get(key)
        if found is None:
            found = self._older.get(key)
            if found is None:
                found = self._lay_out(text, font, width)
            if len(self._texts) >= _TEXTS_PER_GENERATION:
                self._older, self._texts = self._texts, {}
            self._texts[key] = found
        return found

    def _face(self, font: QFont | None) -> _Face:
        key = id(font) if font is not None else 0
        found = self._faces.get(key)
        if found is None or found[0] is not font:
            face = _Face(font if font is not None else self.font(), own=font is not None)
            found = self._faces[key] = (font, face)
        return found[1]

    def _lay_out(self, text: str, font: QFont | None, width: int) -> _Laid:
        face = self._face(font)
        cut, used = face.elide(text, width)
        return _Laid(face, cut, used)

    def _paint_grid(self, painter: QPainter, first: int, last: int,
                    columns: list[tuple[int, int, int]]) -> None:
        if not self.showGrid() or not columns:
            return
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        grid = self.style().styleHint(QStyle.StyleHint.SH_Table_GridLineColor, option, self)
        painter.setPen(QPen(QColor.fromRgba(grid & 0xFFFFFFFF), 0, self.gridStyle()))
        top = self.rowViewportPosition(first)
        bottom = self.rowViewportPosition(last) + self.rowHeight(last) - 1
        right = columns[-1][1] + columns[-1][2] - 1
        lines = [QLine(columns[0][1], y, right, y) for y in
                 (self.rowViewportPosition(r) + self.rowHeight(r) - 1
                  for r in range(first, last + 1))]
        lines += [QLine(x + w - 1, top, x + w - 1, bottom) for _c, x, w in columns]
        painter.drawLines(lines)

    def _paint_focus(self, painter: QPainter) -> None:
        """The focus frame on the current cell, as Qt's delegate draws it."""
        current = self.currentIndex()
        if not self.hasFocus() or not current.isValid():
            return
        option = QStyleOptionFocusRect()
        option.initFrom(self)
        option.rect = self.visualRect(current)
        option.state |= QStyle.StateFlag.State_HasFocus
        if self.window().testAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange):
            option.state |= QStyle.StateFlag.State_KeyboardFocusChange
        selection = self.selectionModel()
        selected = selection is not None and selection.isSelected(current)
        option.backgroundColor = self.palette().color(
            self._group(),
            QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Base)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_FrameFocusRect, option,
                                   painter, self)


def make_results_view(model: ResultsModel) -> ResultsTable:
    view = ResultsTable(model)
    view.setObjectName("resultsView")
    view.setAccessibleName("Search results")
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)
    # the scroll bar stays: 3 results then 200 would show and hide it, resizing the
    # viewport and repainting the whole window on that keystroke
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
    # and is drawn flat: Fusion's drawing of it was up to 1.9 ms of a keystroke
    view.setVerticalScrollBar(FlatScrollBar(Qt.Orientation.Vertical))
    fm = view.fontMetrics()
    vh = view.verticalHeader()
    vh.setVisible(False)
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vh.setDefaultSectionSize(fm.height() + 8)
    hh = view.horizontalHeader()
    hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
    hh.resizeSection(0, fm.horizontalAdvance("S83.511A") + fm.height() + 24)  # and a ★
    hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    # no ResizeToContents: it measures every row on each keystroke's model reset.
    # timed/untimed and the status are chips (ui/chips.py): narrow fixed columns; the
    # full status ("deleted → 97129, 97130") is in the row's tooltip and the detail pane
    for col, widest in ((TYPE_COLUMN, "modifier"), (STATUS_COLUMN, "deleted")):
        hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
        hh.resizeSection(col, fm.horizontalAdvance(widest) + fm.height() + 8)
    hh.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
    hh.resizeSection(4, fm.horizontalAdvance("Therapeutic procedu") + 12)
    return view
