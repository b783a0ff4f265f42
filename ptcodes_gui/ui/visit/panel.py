"""The visit builder: builds its parts and connects their signals, nothing else.

``VisitEditor`` makes every change; the widgets show ``editor.visit()``/``result()`` after
``changed`` and emit what the user asks for. The public methods are those the window, the
smoke test and the tests use; each hands over to the part whose job it is.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.domain.billable import without_error_lines
from ptcodes_gui.domain.fees import VisitEstimate
from ptcodes_gui.domain.profiles import PayerProfile
from ptcodes_gui.domain.visit import Visit, VisitLine, VisitResult, parse_line_spec
from ptcodes_gui.ui import dialogs
from ptcodes_gui.ui.rules_dialog import show_billing_rules
from ptcodes_gui.ui.visit.copy_area import CopyArea
from ptcodes_gui.ui.visit.diagnoses import DiagnosesList
from ptcodes_gui.ui.visit.editor import Readd, VisitEditor
from ptcodes_gui.ui.visit.entry import EntryBar
from ptcodes_gui.ui.visit.estimate_bar import EstimateBar
from ptcodes_gui.ui.visit.lines_table import LinesTable
from ptcodes_gui.ui.visit.offer_bar import OfferBar
from ptcodes_gui.ui.visit.payer_bar import PayerBar
from ptcodes_gui.ui.visit.templates import TemplatesBar
from ptcodes_gui.ui.visit.tie_bar import TieBar
from ptcodes_gui.ui.visit.warnings_list import WarningsList
from ptcodes_gui.userdata.store import UserStore


class VisitPanel(QWidget):
    """The visit builder.

    Signals: ``message(str)``: one short sentence for the status bar (a code added or
    refused, a copy, a template saved); ``code_added(str)`` a code went on the visit,
    however it was added (the window records it in Recent).
    """

    message = Signal(str)
    code_added = Signal(str)

    def __init__(
        self, catalog: Catalog, store: UserStore, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("VisitPanel")
        self.setAccessibleName("Visit builder")
        self.payer = PayerBar(store)
        self.editor = VisitEditor(
            catalog, self.payer.initial_profile(), self, provider=self.payer.initial_provider()
        )
        self.entry = EntryBar()
        self.offers = OfferBar()
        self.lines = LinesTable()
        self.estimate = EstimateBar()
        #: the visit's Medicare estimate (set by the composition once a fee schedule exists)
        self.estimator: Callable[[VisitResult, PayerProfile, date],
                                 VisitEstimate | None] | None = None
        self.tie = TieBar()
        self.diagnoses = DiagnosesList()
        self.warnings = WarningsList()
        self.copy_area = CopyArea(store)
        self.templates = TemplatesBar(store, self.editor)
        self._return_focus: QLineEdit | None = None
        self._code_origin: QLineEdit | None = None  # where the last code was typed
        self.editor.ask_readd = self._ask_readd
        self._name_parts()
        self._lay_out()
        self._build_actions()
        self._connect_signals()
        self._set_tab_order()
        self._on_changed()

    def _name_parts(self) -> None:
        """Short names for the parts' widgets (the window, tests and screenshots use them)."""
        self.profile_combo = self.payer.profile_combo
        self.new_profile_button = self.payer.new_profile_button
        self.telehealth_combo = self.payer.telehealth_combo
        self.kx_check = self.payer.kx_check
        self.provider_combo = self.payer.provider_combo
        self.locality_combo = self.payer.locality_combo
        self.date_edit = self.payer.date_edit
        self.add_edit = self.entry.edit
        self.remove_button = self.entry.remove_button
        self.undo_button = self.entry.undo_button
        self.offer_frame = self.offers
        self.offer_label = self.offers.label
        self.offer_combo = self.offers.combo
        self.offer_button = self.offers.use_button
        self.offer_dismiss = self.offers.dismiss_button
        self.lines_view = self.lines.view
        self.lines_model = self.lines.model
        self.totals_label = self.lines.totals_label
        self.tie_frame = self.tie
        self.tie_label = self.tie.label
        self.tie_combo = self.tie.combo
        self.dx_view = self.diagnoses.view
        self.dx_model = self.diagnoses.model
        self.warnings_view = self.warnings.view
        self.warnings_model = self.warnings.model
        self.format_combo = self.copy_area.format_combo
        self.copy_button = self.copy_area.copy_button
        self.new_visit_button = self.copy_area.new_visit_button
        self.preview = self.copy_area.preview
        self.copy_status = self.copy_area.status
        self.template_combo = self.templates.combo
        self.load_template_button = self.templates.load_button
        self.save_template_button = self.templates.save_button
        self.template_menu_button = self.templates.menu_button
        self.template_status = self.templates.status

    def _lay_out(self) -> None:
        lines_box = QWidget()
        lines_layout = QVBoxLayout(lines_box)
        lines_layout.setContentsMargins(0, 0, 0, 0)
        lines_layout.setSpacing(2)
        lines_layout.addWidget(self.lines, 1)
        lines_layout.addWidget(self.tie)
        lines_layout.addWidget(self.estimate)
        checks_box = QWidget()
        checks = QVBoxLayout(checks_box)
        checks.setContentsMargins(0, 0, 0, 0)
        checks.setSpacing(2)
        checks.addWidget(self.diagnoses, 1)
        checks.addWidget(self.warnings, 3)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("visitSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(lines_box)
        self.splitter.addWidget(checks_box)
        self.splitter.addWidget(self.copy_area)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([170, 200, 190])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.payer)
        layout.addWidget(self.entry)
        layout.addWidget(self.offers)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.templates)
        layout.addWidget(self.templates.status)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

    def _build_actions(self) -> None:
        """The Visit menu's actions; each also works from the keyboard anywhere in the
        window (Delete and the units actions only in the lines table)."""
        undo = self.editor.undo_stack()
        self.copy_action = self.copy_area.copy_action
        self.new_visit_action = self._action("&New visit", "Ctrl+N", self.clear_visit)
        self.new_visit_action.setToolTip(
            "Start a new visit: lines, diagnoses, KX and telehealth go; payer and provider "
            "stay (Ctrl+Z brings the last visit back)"
        )
        # not Ctrl+E: a line edit on Linux takes it (end of line)
        self.focus_entry_action = self._action(
            "&Add a code…", "Ctrl+Shift+A", self.focus_entry
        )
        self.focus_lines_action = self._action("Go to visit &lines", "Ctrl+L", self.focus_lines)
        self.undo_action = undo.createUndoAction(self, "&Undo")
        # Ctrl+Z (Cmd+Z on macOS) only: the platforms' extra bindings (F14, the Undo key,
        # Alt+Backspace) are keys nobody types, and the sheet would list them
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = undo.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for act in (self.copy_action, self.undo_action, self.redo_action):
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(act)
        self.save_template_action = self._action(
            "&Save lines as template…", None, self.templates.ask_save
        )
        self.load_template_action = self._action(
            "Load &template", None, self.templates.load_current
        )

    def _action(self, text: str, shortcut: str | None, slot: Callable[[], object]) -> QAction:
        act = QAction(text, self)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(slot)
        self.addAction(act)
        return act

    def menu_actions(self) -> list[QAction | None]:
        """What the window's Visit menu lists, in order (None: a separator)."""
        return [
            self.focus_entry_action, self.focus_lines_action, None,
            self.copy_action, self.new_visit_action, None,
            self.undo_action, self.redo_action, None,
            self.lines.remove_action, self.lines.set_units_action, self.lines.rule_units_action,
            self.diagnoses.remove_action, self.diagnoses.up_action, None,
            self.save_template_action, self.load_template_action,
        ]

    def _connect_signals(self) -> None:
        editor = self.editor
        editor.changed.connect(self._on_changed)
        editor.offer_changed.connect(self._on_offer_changed)
        editor.line_added.connect(self._on_line_added)
        editor.line_selected.connect(self.lines.select_row)
        editor.refused.connect(self.entry.refused)
        editor.code_added.connect(self.code_added)
        for source in (editor, self.payer, self.copy_area, self.templates):
            source.message.connect(self.message)
        self.payer.profile_chosen.connect(editor.set_profile)
        self.payer.provider_chosen.connect(editor.set_provider)
        self.payer.telehealth_chosen.connect(editor.set_telehealth)
        self.payer.kx_toggled.connect(editor.set_kx)
        self.payer.locality_chosen.connect(self.refresh)
        self.payer.ytd_changed.connect(editor.set_ytd)
        self.payer.date_chosen.connect(editor.set_service_date)
        self.entry.submitted.connect(self._on_add_return_pressed)
        self.entry.escaped.connect(editor.clear_refusal)
        self.entry.remove_clicked.connect(self._on_remove_clicked)
        self.entry.undo_clicked.connect(editor.undo_stack().undo)
        editor.undo_stack().canUndoChanged.connect(self.undo_button.setEnabled)
        self.offers.used.connect(self.use_offer)
        self.offers.dismissed.connect(editor.clear_refusal)
        self.lines.line_edited.connect(editor.edit_line)
        self.lines.edit_ended.connect(editor.end_edit)
        self.lines.edit_left.connect(self._on_minutes_left)
        self.lines.edit_ended.connect(self._forget_return_focus)
        self.lines.code_typed.connect(self._on_code_typed)
        self.lines.remove_requested.connect(editor.remove_line)
        self.lines.current_row_changed.connect(editor.set_current_row)
        self.tie.tie_chosen.connect(editor.choose_tie)
        self.diagnoses.remove_requested.connect(editor.remove_diagnosis)
        self.diagnoses.move_up_requested.connect(editor.move_diagnosis_up)
        self.warnings.warning_selected.connect(editor.set_selected_warning)
        self.warnings.explain_requested.connect(self.explain_rule)
        self.copy_area.new_visit_clicked.connect(self.clear_visit)
        self.copy_area.copied.connect(editor.mark_copied)

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.profile_combo, self.new_profile_button, self.date_edit, self.provider_combo,
            self.telehealth_combo, self.kx_check, self.locality_combo,
            self.add_edit, self.remove_button, self.undo_button,
            self.offer_combo, self.offer_button, self.offer_dismiss,
            self.lines_view, self.tie_combo, self.dx_view, self.warnings_view,
            self.warnings.explain_button,
            self.format_combo, self.copy_button, self.new_visit_button, self.preview,
            self.template_combo, self.load_template_button, self.save_template_button,
            self.template_menu_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        # Tool buttons take focus by keyboard as well (they default to click-only on macOS).
        for widget in chain:
            if isinstance(widget, QToolButton):
                widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    # ------------------------------------------------------------------ slots

    def _on_changed(self) -> None:
        visit, result = self.editor.visit(), self.editor.result()
        self.payer.show_visit(visit, self.editor.provider())
        self.payer.show_date(self.editor.service_date(), self.editor.date_note())
        self.lines.show_visit(visit, result)
        estimate = (self.estimator(result, visit.profile, self.editor.service_date())
                    if self.estimator is not None else None)
        self.estimate.show_estimate(estimate)
        self.tie.show_tie(visit, self.editor.tie())
        self.diagnoses.show_result(result)
        self.warnings.show_result(result)
        billable, billable_estimate = result, estimate  # what a copy copies (no errors)
        if result.errors:
            billable = self.editor.evaluate(without_error_lines(visit, result))
            billable_estimate = (self.estimator(billable, visit.profile,
                                                self.editor.service_date())
                                 if self.estimator is not None else None)
        self.copy_area.show_result(visit, result, estimate,
                                   billable=(billable, billable_estimate))
        self.templates.show_visit(visit)
        self.remove_button.setEnabled(bool(visit.lines))
        self.undo_button.setEnabled(self.editor.undo_stack().canUndo())

    def _on_line_added(self, row: int) -> None:
        """A new timed line without minutes: its Minutes cell takes the keystrokes, and
        Enter goes back to where the code was typed (search or entry field) for the next
        one. An untimed code (an evaluation) or one with minutes: the focus stays there."""
        line = self.editor.visit().lines[row]
        results = self.editor.result().lines
        timed = row < len(results) and results[row].timed
        if line.minutes is not None or not timed:
            self.lines.select_row(row)
            return
        origin = QApplication.focusWidget()
        self._return_focus = origin if isinstance(origin, QLineEdit) else None
        self._code_origin = self._return_focus
        self.lines.edit_minutes(row)

    def _on_code_typed(self, text: str) -> None:
        """A code typed in a Minutes cell is the next entry (back where codes are typed)."""
        origin = self._code_origin if self._code_origin is not None else self.add_edit
        if not origin.isVisible():
            origin = self.add_edit
        origin.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.add_entry(text):
            if origin is self.add_edit:
                self.entry.accepted()
            return
        self.add_edit.setText(text)  # refused: kept, selected, to retype
        self.focus_entry()

    def _on_minutes_left(self) -> None:
        origin, self._return_focus = self._return_focus, None
        if origin is not None and origin.isVisible():
            origin.setFocus(Qt.FocusReason.OtherFocusReason)
            origin.selectAll()

    def _ask_readd(self, line: VisitLine, minutes: int) -> Readd:
        return dialogs.ask_readd(self, line.code, line.minutes, minutes)

    def _forget_return_focus(self) -> None:
        self._return_focus = None

    def _on_offer_changed(self) -> None:
        self.offers.show_offer(self.editor.offer())

    def _on_add_return_pressed(self, text: str | None = None) -> None:
        if self.add_entry(self.add_edit.text() if text is None else text):
            self.entry.accepted()

    def add_entry(self, text: str) -> bool:
        """Add what was typed: ``CODE``, ``CODE=MIN`` or a diagnosis (the one grammar of the
        entry field and the search box); True if added."""
        text = text.strip()
        if not text:
            return False
        try:
            code, minutes = parse_line_spec(text)
        except ValueError as exc:
            self.editor.refuse(str(exc), ())
            return False
        return self.editor.add_code(code, minutes)

    def has_unsaved_work(self) -> bool:
        """A visit in progress that was not copied since it last changed."""
        return self.editor.has_unsaved_work()

    def explain_rule(self, rule_id: str | None = None) -> None:
        """Open the billing-rules reference at ``rule_id`` (Help → Billing rules)."""
        show_billing_rules(self.window(), rule_id)

    def focus_entry(self) -> None:
        self.add_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.add_edit.selectAll()

    def focus_lines(self) -> None:
        """Focus the lines table on the current line's Minutes cell."""
        if self.lines_model.rowCount():
            self.lines.select_row(max(self.lines.current_row(), 0))
        self.lines_view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_remove_clicked(self) -> None:
        self.editor.remove_line(self.lines.current_row())

    # ------------------------------------------------------------------ public API

    def visit(self) -> Visit:
        return self.editor.visit()

    def result(self) -> VisitResult:
        return self.editor.result()

    def undo_stack(self) -> QUndoStack:
        return self.editor.undo_stack()

    def refresh(self) -> None:
        """Evaluate again (after the catalog's overlays, the locality or the user's data
        changed: an imported bundle's templates and profiles are listed at once)."""
        self.payer.set_fee_schedule(self.editor.catalog.fee_schedule())
        self.payer.reload_profiles()
        self.templates.reload()
        self.editor.refresh()

    def add_code(self, code: str) -> bool:
        """Add a procedure line, or a diagnosis for an ICD-10-CM code; True if added.

        A deleted, unknown or header code is refused and its replacements (or the nearest
        codes) are offered in the bar above the lines: one click or Alt+U adds one.
        """
        return self.editor.add_code(code)

    def add_diagnosis(self, code: str) -> bool:
        return self.editor.add_diagnosis(code)

    def copy_visit(self) -> str:
        return self.copy_area.copy_visit()

    def clear_visit(self) -> None:
        """New visit: a refused entry goes too (its refusal spoke of the last visit)."""
        self.editor.clear_refusal()
        self.entry.accepted()
        self.editor.clear_visit()

    def remove_line(self, row: int) -> bool:
        return self.editor.remove_line(row)

    def choose_tie(self, line_indices: Sequence[int]) -> bool:
        return self.editor.choose_tie(line_indices)

    def offered_choices(self) -> list[str]:
        """Labels of what the offer bar offers (empty when it is hidden)."""
        return self.offers.choices()

    def use_offer(self, index: int = 0) -> bool:
        """Apply offered choice ``index`` (the Use button applies the one in the combo)."""
        offer = self.offers.offer()
        return offer is not None and self.editor.use_choice(offer, index)

    def template_names(self) -> list[str]:
        return self.templates.names()

    def save_template(self, name: str, *, overwrite: bool = False) -> bool:
        return self.templates.save(name, overwrite=overwrite)

    def load_template(self, name: str) -> bool:
        return self.templates.load(name)

    def rename_template(self, old: str, new: str) -> bool:
        return self.templates.rename(old, new)

    def delete_template(self, name: str) -> bool:
        return self.templates.delete(name)

    def add_profile(self, profile: PayerProfile) -> bool:
        return self.payer.add_profile(profile)

    def set_profile(self, name: str) -> bool:
        profile = self.payer.profile(name)
        if profile is None:
            return False
        if profile != self.visit().profile:
            self.payer.choose(profile)
        return True

    def changeEvent(self, event: QEvent) -> None:
        # The system switched light/dark: message colours are picked when shown, so show
        # everything again in the new palette's colours.
        if event.type() == QEvent.Type.PaletteChange:
            self._on_changed()
            self._on_offer_changed()
        super().changeEvent(event)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        # Wrapped messages inside make the layout height-for-width, and a scroll area then
        # sizes the panel to its preferred height (a scroll bar at 1366×768). The panel
        # fits any height down to its minimum: let it.
        return False

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        hint.setWidth(max(hint.width(), 420))
        return hint
