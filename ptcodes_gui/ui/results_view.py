"""The results table: fixed row heights, chips for type and status, painted in one pass.

Qt's item delegate costs ~30 µs a cell here (a call into the model for the roles, then the
style lays each text out two or three times), ~3 ms for a full page of 18 rows × 5 columns
on every keystroke. ``ResultsTable`` keeps everything a table view does (model, selection,
keyboard, accessibility, tooltips) and only paints the visible rows itself: each cell's
words elided once per width and cached, chips as cached pixmaps, the grid as one call.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QLine, QModelIndex, QRect, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QStaticText,
    QTransform,
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


@dataclass(frozen=True, slots=True)
class _Laid:
    """A cell's words laid out once: the text, the font's line height, the font to draw it
    with (None: the view's), where a strike-out line goes (-1: none) and its width."""

    static: QStaticText
    height: int
    font: QFont | None
    strike_y: int
    width: int


class ResultsTable(QTableView):
    """A table view over :class:`ResultsModel` that paints its rows in one Python call."""

    def __init__(self, model: ResultsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._results = model
        self.chips = ChipPixmaps(self)
        self._texts: dict[tuple[str, int, int], _Laid] = {}
        self._older: dict[tuple[str, int, int], _Laid] = {}
        self._draw_fonts: dict[int, tuple[QFont, QFont]] = {}
        self.setModel(model)

    def changeEvent(self, event: object) -> None:
        self._texts.clear()  # a font or style change: widths change
        self._older.clear()
        super().changeEvent(event)  # type: ignore[arg-type]

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
                left = x + margin
                if col == 0 and favorite:
                    _star_icon().paint(painter, QRect(left, y + (h - star) // 2, star, star))
                    left += star + margin
                font = fonts[col]
                laid = self._text(text, font, x + w - margin - left)
                if laid.font is not current_font:
                    painter.setFont(laid.font if laid.font is not None else view_font)
                    current_font = laid.font
                top = y + (h - laid.height) // 2
                painter.drawStaticText(left, top, laid.static)
                if laid.strike_y >= 0:  # drawn here: QStaticText drops it when scaled
                    line = top + laid.strike_y
                    painter.drawLine(left, line, left + laid.width, line)

    def painted_text(self, row: int, col: int) -> str:
        """The words painted in a cell (cut with "…" to fit), "" for an empty or chip cell."""
        texts, _muted, fonts, favorite = self._results.row_paint(row)
        if col in CHIP_COLUMNS or not texts[col]:
            return ""
        margin = self._margin()
        width = self.columnWidth(col) - 2 * margin
        if col == 0 and favorite:
            width -= self._star_size() + margin
        return self._text(texts[col], fonts[col], width).static.text()

    def _margin(self) -> int:
        return self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1

    def _star_size(self) -> int:
        icon = self.iconSize()
        return icon.width() if icon.isValid() else 16

    def _text(self, text: str, font: QFont | None, width: int) -> _Laid:
        """A cell's words elided to ``width`` and laid out once (``QStaticText``), and the
        font's line height; kept in two generations so a full cache never empties at once."""
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

    def _draw_font(self, font: QFont) -> QFont:
        """``font`` without its strike-out (the table draws that line itself)."""
        found = self._draw_fonts.get(id(font))
        if found is None or found[0] is not font:
            plain = QFont(font)
            plain.setStrikeOut(False)
            found = self._draw_fonts[id(font)] = (font, plain)
        return found[1]

    def _lay_out(self, text: str, font: QFont | None, width: int) -> _Laid:
        use = self._draw_font(font) if font is not None else self.font()
        metrics = QFontMetrics(font if font is not None else use)
        strike = font is not None and font.strikeOut()
        static = QStaticText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, width))
        static.setTextFormat(Qt.TextFormat.PlainText)
        static.prepare(QTransform(), use)
        return _Laid(static, metrics.height(), use if font is not None else None,
                     metrics.ascent() - metrics.strikeOutPos() if strike else -1,
                     round(static.size().width()))

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
        selected = self.selectionModel() is not None and self.selectionModel().isSelected(
            current if current.isValid() else QModelIndex())
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
