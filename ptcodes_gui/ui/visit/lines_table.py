"""The visit's lines: a caption with the totals, and the editable table."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QAction, QFocusEvent, QKeyEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ptcodes_gui.domain.visit import Visit, VisitLine, VisitResult
from ptcodes_gui.ui.visit.editor import plural
from ptcodes_gui.ui.visit.line_delegate import LineDelegate, MinutesSpin
from ptcodes_gui.ui.visit_model import (
    CODE,
    DX,
    MINUTES,
    MODIFIERS,
    PROVIDER,
    TITLE,
    UNITS,
    VisitLinesModel,
)


class LinesTable(QWidget):
    """Signals: ``line_edited(row, VisitLine, column)`` as a cell is edited;
    ``edit_ended(bool)`` when an inline editor closes (True: Esc took the edit back);
    ``edit_left()`` when it closed by Enter or Esc (not by Tab to the next cell);
    ``remove_requested(int)`` Delete on a line; ``current_row_changed(int)``;
    ``code_typed(str)`` a code typed where minutes were expected (the minutes typed on the
    way are taken back; the code is the next entry, never minutes).

    Minutes are the input: typing a number on any cell but Modifiers and Dx edits the
    line's minutes. Units change only on purpose (F2 or double-click on Units, or the
    context menu), are marked ✎ and go back to the rule with "Units by the rule"."""

    line_edited = Signal(int, object, int)
    edit_ended = Signal(bool)
    edit_left = Signal()
    remove_requested = Signal(int)
    current_row_changed = Signal(int)
    code_typed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        fm = self.fontMetrics()
        self.label = QLabel("Visit &lines")
        self.totals_label = QLabel()
        self.totals_label.setAccessibleName("Visit totals")
        # Clipped rather than pushing the caption aside when the panel is very narrow.
        self.totals_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.totals_label.setAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        self.model = VisitLinesModel(self)
        self.view = QTableView()
        self.view.setObjectName("visitLinesView")
        self.view.setAccessibleName("Visit lines")
        self.view.setModel(self.model)
        self.view.setItemDelegate(LineDelegate(self.view))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.view.setTabKeyNavigation(False)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        # the header and two whole lines at least (rows are fm.height() + 8, see below)
        self.view.setMinimumHeight((fm.height() + 8) * 3 + 4)
        self._size_columns()
        self.label.setBuddy(self.view)

        self._add_line_actions()
        self._lay_out()

        self.model.line_edited.connect(self.line_edited)
        self.view.itemDelegate().closeEditor.connect(self._on_editor_closed)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.remove_action.triggered.connect(self._on_remove_triggered)
        self.set_units_action.triggered.connect(self._on_set_units_triggered)
        self.rule_units_action.triggered.connect(self._on_rule_units_triggered)
        self.view.installEventFilter(self)

    def _add_line_actions(self) -> None:
        """The lines' context menu (and Delete/Backspace): remove, units by hand or by rule."""
        self.remove_action = QAction("Remove line", self.view)
        self.remove_action.setShortcuts(
            [QKeySequence(QKeySequence.StandardKey.Delete), QKeySequence(Qt.Key.Key_Backspace)]
        )
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.view.addAction(self.remove_action)
        self.set_units_action = QAction("Set units by hand…", self.view)
        self.set_units_action.setToolTip("Bill another number of units than the rule gives (✎)")
        self.view.addAction(self.set_units_action)
        self.rule_units_action = QAction("Units by the rule", self.view)
        self.rule_units_action.setToolTip("Forget the units set by hand on this line")
        self.view.addAction(self.rule_units_action)

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        header = QHBoxLayout()
        header.addWidget(self.label)
        header.addWidget(self.totals_label, 1)
        layout.addLayout(header)
        layout.addWidget(self.view, 1)

    def _size_columns(self) -> None:
        fm = self.fontMetrics()
        vh = self.view.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(fm.height() + 8)
        hh = self.view.horizontalHeader()
        hh.setAccessibleName("Visit line columns")
        hh.setHighlightSections(False)
        hh.setMinimumSectionSize(fm.horizontalAdvance("Dx") + 12)
        # Compact: the panel shares the width with the search column; the title column
        # takes what is left, and each cell's tooltip has the full text.
        widths = {
            CODE: fm.horizontalAdvance("G0283") + 28,
            MINUTES: fm.horizontalAdvance("1440") + 10,
            UNITS: fm.horizontalAdvance("Units") + 10,
            # the provider editor is a combo box: room for its arrow too
            PROVIDER: fm.horizontalAdvance("PTA 15") + fm.height() + 22,
            MODIFIERS: fm.horizontalAdvance("GP CQ 59") + 10,
            DX: fm.horizontalAdvance("A,B") + 12,
        }
        for col, width in widths.items():
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            hh.resizeSection(col, width)
        hh.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        self._fixed_width = sum(widths.values())
        self._title_room = fm.horizontalAdvance("Service") + 24

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # Too narrow for the service column (1024 px beside the search, or 150-200 %
        # scaling): hide it rather than show "ervic"; each cell's tooltip has the title.
        room = self.view.viewport().width() - self._fixed_width
        self.view.setColumnHidden(TITLE, room < self._title_room)

    # ------------------------------------------------------------------ showing

    def show_visit(self, visit: Visit, result: VisitResult) -> None:
        current = self.view.currentIndex()
        row, col = current.row(), current.column()
        self.model.set_visit(visit, result)
        if not self.view.currentIndex().isValid() and visit.lines:
            self.select_row(min(max(row, 0), len(visit.lines) - 1), max(col, 0))
        self._show_totals(result)
        self._update_actions()

    def _update_actions(self) -> None:
        res = self.model.line_result(self.current_row())
        editable = res is not None and not res.refused
        self.remove_action.setEnabled(res is not None)
        self.set_units_action.setEnabled(editable)
        self.rule_units_action.setEnabled(res is not None and res.overridden)

    def _show_totals(self, r: VisitResult) -> None:
        rule = "8-min rule" if r.profile.unit_rule == "cms" else "midpoint"
        minutes = f"{r.total_timed_minutes}" + (
            f"+{r.separate_timed_minutes}" if r.separate_timed_minutes else ""
        )
        text = f"{minutes} min → {plural(r.timed_units, 'unit')}"
        if r.untimed_units:
            text += f" + {r.untimed_units} untimed = {r.total_units}"
        self.totals_label.setText(f"{text} · {rule}")
        separate = (
            f" (+{r.separate_timed_minutes} minutes of codes counted on their own)"
            if r.separate_timed_minutes
            else ""
        )
        self.totals_label.setToolTip(
            f"Timed minutes {r.total_timed_minutes}{separate}; timed units {r.timed_units} "
            f"(the rule gives {r.computed_timed_units}); untimed units {r.untimed_units}; "
            f"total units {r.total_units}. {r.profile.unit_rule_label}."
        )
        self.totals_label.setAccessibleDescription(self.totals_label.toolTip())

    def current_row(self) -> int:
        return self.view.currentIndex().row()

    def select_row(self, row: int, col: int = MINUTES) -> None:
        index = self.model.index(row, col)
        if index.isValid():
            self.view.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.view.scrollTo(index)

    def line(self, row: int) -> VisitLine | None:
        return self.model.line(row)

    def edit_minutes(self, row: int) -> None:
        """Put the focus in the Minutes editor of ``row``."""
        index = self.model.index(row, MINUTES)
        if index.isValid() and index.flags() & Qt.ItemFlag.ItemIsEditable:
            self.select_row(row, MINUTES)
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
            self.view.edit(index)

    # ------------------------------------------------------------------ slots

    def _on_editor_closed(
        self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint
    ) -> None:
        # The editors commit as the user types; Esc takes that edit back, as it would
        # cancel a cell edit anywhere else.
        hints = QAbstractItemDelegate.EndEditHint
        typed = editor.typed_code() if isinstance(editor, MinutesSpin) else ""
        if typed and hint != hints.RevertModelCache:
            self.edit_ended.emit(True)  # "971" on the way to 97164 was never minutes
            self.code_typed.emit(typed)
            return
        if hint in (hints.SubmitModelCache, hints.RevertModelCache):
            self.edit_left.emit()
        self.edit_ended.emit(hint == hints.RevertModelCache)

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_actions()
        self.current_row_changed.emit(current.row())

    def _on_remove_triggered(self) -> None:
        self.remove_requested.emit(self.current_row())

    def _on_set_units_triggered(self) -> None:
        index = self.model.index(self.current_row(), UNITS)
        if index.isValid():
            self.view.setCurrentIndex(index)
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
            self.view.edit(index)

    def _on_rule_units_triggered(self) -> None:
        self.edit_ended.emit(False)  # its own undo step, never merged with a cell edit
        self.model.setData(self.model.index(self.current_row(), UNITS), "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and self.view.state() != QAbstractItemView.State.EditingState:
            if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
                return self._on_key(event)
            # Alt+L or Tab lands on the Minutes cell, never on the last-used column.
            if (
                event.type() == QEvent.Type.FocusIn
                and isinstance(event, QFocusEvent)
                and event.reason() != Qt.FocusReason.MouseFocusReason
            ):
                self._to_minutes()
        return super().eventFilter(watched, event)

    def _to_minutes(self) -> None:
        index = self.view.currentIndex()
        if index.isValid() and index.column() != MINUTES:
            self.view.setCurrentIndex(index.siblingAtColumn(MINUTES))

    def _on_key(self, event: QKeyEvent) -> bool:
        index = self.view.currentIndex()
        if not index.isValid():
            return False
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if not index.flags() & Qt.ItemFlag.ItemIsEditable or index.column() == UNITS:
                index = index.siblingAtColumn(MINUTES)
            self.view.setCurrentIndex(index)
            self.view.edit(index)
            return True
        typed = event.text()
        if typed.isdigit() and index.column() not in (MINUTES, MODIFIERS, DX):
            # A number typed on the line is its minutes (units are set on purpose only).
            self._to_minutes()
        elif typed and typed.isprintable() and index.column() == UNITS:
            return True  # no accidental override
        return False
