"""The visit builder beside the search: lines, diagnoses, payer, warnings, copy, templates.

Every change is a new immutable ``Visit`` pushed on a ``QUndoStack``; the panel shows what
``domain.visit.evaluate`` makes of it (units, modifiers, ties, warnings) and copies
``domain.formatting.format_visit`` of that result, the same text ``ptcodes visit`` prints.
The panel computes no billing rule itself.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Final, cast

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
    QSignalBlocker,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QFontDatabase,
    QKeyEvent,
    QKeySequence,
    QRegularExpressionValidator,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.domain.formatting import FORMATS, format_visit
from ptcodes_gui.domain.models import System
from ptcodes_gui.domain.profiles import BUILTIN_PROFILES, MEDICARE, PayerProfile
from ptcodes_gui.domain.visit import (
    ASSISTANT_MODIFIER,
    DX_LETTERS,
    MAX_LINE_MINUTES,
    TELEHEALTH_MODIFIERS,
    THERAPY_MODIFIERS,
    Telehealth,
    Visit,
    VisitLine,
    VisitResult,
    VisitTie,
    Warning,
    evaluate,
    normalize_code,
    parse_line_spec,
    remove_diagnosis,
    validate_new_line,
)
from ptcodes_gui.domain.visit import add_diagnosis as add_diagnosis_to
from ptcodes_gui.ui import dialogs
from ptcodes_gui.ui.visit_model import (
    CODE,
    COLUMN_NAMES,
    DX,
    MINUTES,
    MODIFIERS,
    PROVIDER,
    PROVIDER_LABELS,
    TITLE,
    UNITS,
    DiagnosesModel,
    LineRole,
    VisitLinesModel,
    WarningsModel,
    parse_modifiers,
    parse_pointers,
)
from ptcodes_gui.userdata.store import (
    DuplicateNameError,
    TemplateLine,
    UserDataError,
    UserStore,
    ValidationError,
)

_Index = QModelIndex | QPersistentModelIndex

FORMAT_LABELS: Final = {"text": "Text", "tsv": "TSV (spreadsheet)", "codes": "Codes only",
                        "json": "JSON"}
TELEHEALTH_CHOICES: Final[tuple[tuple[str, str | None], ...]] = (
    ("In person", None),
    ("95 video", "95"),
    ("93 audio", "93"),
)
SETTING_PROFILE: Final = "visit.profile"
SETTING_FORMAT: Final = "visit.copy_format"
MAX_OFFERED: Final = 50
_AUTOMATIC_MODIFIERS: Final = frozenset(THERAPY_MODIFIERS.values())
_WARNING_STYLE: Final = "color: #8a5300"
_ERROR_STYLE: Final = "color: #b00020"
_OK_STYLE: Final = "color: #1b5e20"


# --------------------------------------------------------------------------- pieces


@dataclass(frozen=True)
class _Choice:
    label: str
    apply: Callable[[], bool]


@dataclass(frozen=True)
class _Offer:
    """Codes or modifiers the panel offers: after a refusal (sticky until used, dismissed or
    replaced by the next add) or for the fix a warning names."""

    text: str
    choices: tuple[_Choice, ...]
    sticky: bool


class _VisitChange(QUndoCommand):
    """One change of the visit: both whole visits are kept (they are small and immutable).

    Changes with the same ``merge_key`` in a row (typing in one cell) merge into one step.
    """

    def __init__(
        self,
        panel: VisitPanel,
        before: Visit,
        after: Visit,
        text: str,
        merge_key: tuple[object, ...] | None,
    ) -> None:
        super().__init__(text)
        self._panel = panel
        self._before = before
        self._after = after
        self._merge_key = merge_key

    def id(self) -> int:
        return 1 if self._merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if not isinstance(other, _VisitChange) or other._merge_key != self._merge_key:
            return False
        self._after = other._after
        return True

    def redo(self) -> None:
        self._panel._show(self._after)

    def undo(self) -> None:
        self._panel._show(self._before)


class LineDelegate(QStyledItemDelegate):
    """Inline editors of the lines table; they commit while the user types, so the totals
    and warnings follow each keystroke."""

    def createEditor(  # noqa: N802
        self, parent: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> QWidget:
        col = index.column()
        code = index.sibling(index.row(), CODE).data(Qt.ItemDataRole.DisplayRole)
        name = f"{COLUMN_NAMES[col]} of {code}"
        if col == MINUTES:
            spin = QSpinBox(parent)
            spin.setRange(-1, MAX_LINE_MINUTES)
            spin.setSpecialValueText("–")  # -1: no minutes entered
            spin.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
            spin.setFrame(False)
            spin.setAlignment(Qt.AlignmentFlag.AlignRight)
            spin.setAccessibleName(name)
            for inner in spin.findChildren(QLineEdit):
                inner.setAccessibleName(name)
            spin.valueChanged.connect(lambda _v, e=spin: self._commit(e))
            return spin
        if col == PROVIDER:
            combo = QComboBox(parent)
            combo.setAccessibleName(name)
            combo.view().setAccessibleName(f"{name} choices")
            for value, label in PROVIDER_LABELS.items():
                combo.addItem(label, value)
            combo.currentIndexChanged.connect(lambda _i, e=combo: self._commit(e))
            return combo
        edit = QLineEdit(parent)
        edit.setFrame(False)
        edit.setAccessibleName(name)
        if col == UNITS:
            edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,2}"), edit))
            edit.setPlaceholderText("rule")
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        elif col == MODIFIERS:
            edit.setValidator(
                QRegularExpressionValidator(QRegularExpression(r"[A-Za-z0-9 ,]{0,20}"), edit)
            )
        elif col == DX:
            edit.setValidator(
                QRegularExpressionValidator(QRegularExpression(r"[A-La-l ,]{0,12}"), edit)
            )
        edit.textEdited.connect(lambda _t, e=edit, c=col: self._commit_if_valid(e, c))
        return edit

    def _commit(self, editor: QWidget) -> None:
        editor.setProperty("touched", True)
        view = self.parent()
        # A closing editor can still emit (focus-out re-reads its text) after the view has
        # let it go; the view already took its value then.
        if isinstance(view, QAbstractItemView) and (
            view.state() != QAbstractItemView.State.EditingState
        ):
            return
        self.commitData.emit(editor)

    def _commit_if_valid(self, editor: QLineEdit, col: int) -> None:
        if _parses(col, editor.text()):
            self._commit(editor)

    def setEditorData(self, editor: QWidget, index: _Index) -> None:  # noqa: N802
        value = index.data(Qt.ItemDataRole.EditRole)
        # The whole table is refreshed after each committed keystroke: leave an editor that
        # already shows the value alone, or its cursor would jump.
        if isinstance(editor, QSpinBox):
            line = index.data(LineRole)
            wanted = -1 if line is None or line.minutes is None else int(line.minutes)
            if editor.value() != wanted:
                with QSignalBlocker(editor):
                    editor.setValue(wanted)
        elif isinstance(editor, QComboBox):
            at = editor.findData(value)
            if at >= 0 and at != editor.currentIndex():
                with QSignalBlocker(editor):
                    editor.setCurrentIndex(at)
        elif isinstance(editor, QLineEdit):
            text = "" if value is None else str(value)
            if not _same(index.column(), editor.text(), text):
                editor.setText(text)

    def setModelData(  # noqa: N802
        self, editor: QWidget, model: QAbstractItemModel, index: _Index
    ) -> None:
        if isinstance(editor, QSpinBox):
            editor.interpretText()
            if not editor.property("touched") and editor.value() == -1:
                return
            model.setData(index, None if editor.value() < 0 else editor.value())
        elif isinstance(editor, QComboBox):
            model.setData(index, editor.currentData())
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text())


def _parses(col: int, text: str) -> bool:
    try:
        if col == MODIFIERS:
            parse_modifiers(text)
        elif col == DX:
            parse_pointers(text)
        elif col == UNITS and text.strip():
            int(text)
    except ValueError:
        return False
    return True


def _same(col: int, a: str, b: str) -> bool:
    try:
        if col == MODIFIERS:
            return parse_modifiers(a) == parse_modifiers(b)
        if col == DX:
            return parse_pointers(a) == parse_pointers(b)
        if col == UNITS:
            return (int(a) if a.strip() else None) == (int(b) if b.strip() else None)
    except ValueError:
        return False
    return a == b


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --------------------------------------------------------------------------- panel


class VisitPanel(QWidget):
    """The visit builder.

    Signals: ``message(str)``: one short sentence for the status bar (a code added or
    refused, a copy, a template saved).
    """

    message = Signal(str)

    def __init__(
        self, catalog: Catalog, store: UserStore, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("VisitPanel")
        self.setAccessibleName("Visit builder")
        self._catalog = catalog
        self._store = store
        self._undo = QUndoStack(self)
        self._edit_session = 0
        self._session_edited = False
        self._refusal: _Offer | None = None
        self._offer: _Offer | None = None
        self._profiles: dict[str, PayerProfile] = {}
        self._visit = Visit(profile=self._initial_profile())
        self._result = evaluate(self._visit, catalog)
        self._build_widgets()
        self._build_actions()
        self._connect_signals()
        self._set_tab_order()
        self._reload_profiles()
        self._reload_templates()
        self._restore_format()
        self._show(self._visit)

    # ================================================================ public API

    def visit(self) -> Visit:
        return self._visit

    def result(self) -> VisitResult:
        return self._result

    def undo_stack(self) -> QUndoStack:
        return self._undo

    def refresh(self) -> None:
        """Evaluate again (after the catalog's overlays changed)."""
        self._show(self._visit)

    def add_code(self, code: str) -> bool:
        """Add a procedure line, or a diagnosis for an ICD-10-CM code; True if added.

        A deleted, unknown or header code is refused and its replacements (or the nearest
        codes) are offered in the bar above the lines: one click or Alt+U adds one.
        """
        return self._add(code, None)

    def add_diagnosis(self, code: str) -> bool:
        """Add an ICD-10-CM diagnosis (next letter); True if added. A header code is
        refused and its billable codes are offered."""
        try:
            updated, problems = add_diagnosis_to(self._visit, code, self._catalog)
        except ValueError as exc:
            self._refuse(f"{code}: {exc}", ())
            return False
        if updated is self._visit:
            problem = problems[0]
            if problem.code == "duplicate-diagnosis":
                self._say(problem.message)
                return False
            self._refuse(problem.message, self._code_choices(problem.suggestions, "Use"))
            return False
        if not self._visit.diagnoses:
            # The first diagnosis is the primary one: lines pointing nowhere point at it.
            updated = replace(
                updated,
                lines=tuple(
                    line if line.dx_pointers else replace(line, dx_pointers=("A",))
                    for line in updated.lines
                ),
            )
        self._clear_refusal()
        self._apply(updated, "Add diagnosis")
        dx = self._result.diagnoses[len(updated.diagnoses) - 1]
        self._say(f"Diagnosis {dx.letter} {dx.code} added ({dx.title}).")
        return True

    def copy_visit(self) -> str:
        """Copy the visit in the chosen format as plain text; returns what was copied ("" if
        nothing was). With errors, asks first and says what was left out."""
        result = self._result
        fmt = self._format()
        text = format_visit(result, fmt)
        left_out = self._left_out(result)
        if not self._visit.lines and not self._visit.diagnoses:
            self._confirm("Nothing to copy: add a code first.", _WARNING_STYLE)
            return ""
        if result.errors and not dialogs.confirm_copy_with_errors(
            self, [w.message for w in result.errors], left_out
        ):
            self._confirm("Not copied: the visit has errors (see Warnings).", _ERROR_STYLE)
            return ""
        if not text:
            self._confirm("Nothing to copy: no line has a unit to bill.", _WARNING_STYLE)
            return ""
        QApplication.clipboard().setText(text)
        lines = [line for line in text.splitlines() if line.strip()]
        if fmt == "codes":
            what = f"Copied {_plural(len(result.billed_lines), 'code')}"
        elif fmt == "json":
            what = "Copied the visit as JSON"
        else:
            what = f"Copied {_plural(len(lines), 'line')}"
        if left_out:
            what += f"; left out: {', '.join(left_out)}"
        if result.errors:
            what += f" ({_plural(len(result.errors), 'error')} not fixed)"
        self._confirm(what + ".", _WARNING_STYLE if result.errors or left_out else _OK_STYLE)
        return text

    def template_names(self) -> list[str]:
        return [t.name for t in self._store.templates()]

    def save_template(self, name: str, *, overwrite: bool = False) -> bool:
        """Save the lines (codes, minutes, own modifiers, provider, units set by hand; never
        diagnoses) as template ``name``; True if saved."""
        if self._store.read_only:
            self._template_problem(
                f"Templates cannot be saved: {self._store.read_only_reason}."
            )
            return False
        lines, skipped = self._template_lines()
        if not lines:
            self._template_problem("Add a procedure line before saving a template.")
            return False
        try:
            saved = self._store.save_template(name, lines, overwrite=overwrite)
        except DuplicateNameError:
            self._template_problem(f"A template named {name!r} already exists.")
            return False
        except UserDataError as exc:
            self._template_problem(f"The template was not saved: {exc}")
            return False
        self._reload_templates(saved.name)
        note = f" (left out: {', '.join(skipped)})" if skipped else ""
        self._template_note(
            f"Template {saved.name!r} saved with {_plural(len(lines), 'line')}{note}."
        )
        return True

    def load_template(self, name: str) -> bool:
        """Replace the lines with those of template ``name`` (diagnoses stay); undoable."""
        template = self._store.get_template(name)
        if template is None:
            self._template_problem(f"There is no template named {name!r}.")
            return False
        pointers = ("A",) if self._visit.diagnoses else ()
        lines: list[VisitLine] = []
        skipped: list[str] = []
        for t in template.lines:
            refused = validate_new_line(t.code, self._catalog)
            if refused:
                skipped.append(f"{t.code} ({refused[0].message})")
                continue
            try:
                lines.append(
                    VisitLine(
                        t.code,
                        t.minutes,
                        provider=t.provider,
                        units_override=t.units_override,
                        extra_modifiers=t.modifiers,
                        dx_pointers=pointers,
                    )
                )
            except ValueError as exc:
                skipped.append(f"{t.code} ({exc})")
        self._clear_refusal()
        self._apply(replace(self._visit, lines=tuple(lines)), f"Load template {template.name}")
        note = f" Skipped: {'; '.join(skipped)}" if skipped else ""
        self._template_note(
            f"Loaded {template.name!r}: {_plural(len(lines), 'line')} (Ctrl+Z undoes).{note}"
        )
        return True

    def rename_template(self, old: str, new: str) -> bool:
        if self._store.read_only:
            self._template_problem(
                f"Templates cannot be renamed: {self._store.read_only_reason}."
            )
            return False
        try:
            renamed = self._store.rename_template(old, new)
        except UserDataError as exc:
            self._template_problem(str(exc))
            return False
        self._reload_templates(renamed.name)
        self._template_note(f"Template {old!r} renamed to {renamed.name!r}.")
        return True

    def delete_template(self, name: str) -> bool:
        if self._store.read_only:
            self._template_problem(
                f"Templates cannot be deleted: {self._store.read_only_reason}."
            )
            return False
        try:
            deleted = self._store.delete_template(name)
        except UserDataError as exc:
            self._template_problem(str(exc))
            return False
        self._reload_templates()
        if deleted:
            self._template_note(f"Template {name!r} deleted.")
        else:
            self._template_problem(f"There is no template named {name!r}.")
        return deleted

    def add_profile(self, profile: PayerProfile) -> bool:
        """Save a payer profile in the user store and choose it for this visit."""
        if self._store.read_only:
            self._say(f"The profile cannot be saved: {self._store.read_only_reason}.")
            return False
        if profile.name.casefold() in {name.casefold() for name in BUILTIN_PROFILES}:
            self._say(f"{profile.name!r} is a built-in profile: give yours another name.")
            return False
        try:
            self._store.save_profile(profile.to_dict())
        except UserDataError as exc:
            self._say(f"The profile was not saved: {exc}")
            return False
        self._reload_profiles()
        self._apply(replace(self._visit, profile=profile), "Change payer")
        self._remember(SETTING_PROFILE, profile.name)
        self._say(f"Payer profile {profile.name!r} saved.")
        return True

    def set_profile(self, name: str) -> bool:
        profile = self._profiles.get(name)
        if profile is None:
            return False
        if profile != self._visit.profile:
            self._apply(replace(self._visit, profile=profile), "Change payer")
            self._remember(SETTING_PROFILE, profile.name)
        return True

    def choose_tie(self, line_indices: Sequence[int]) -> bool:
        """Give the tied unit(s) of the current tie to ``line_indices``."""
        tie = self._tie()
        if tie is None or len(line_indices) != tie.units:
            return False
        if not set(line_indices) <= set(tie.line_indices):
            return False
        chosen = set(line_indices)
        lines = tuple(
            replace(line, tie_preferred=i in chosen) if i in tie.line_indices else line
            for i, line in enumerate(self._visit.lines)
        )
        codes = " + ".join(self._visit.lines[i].code for i in line_indices)
        self._apply(replace(self._visit, lines=lines), "Choose the tied unit")
        self._say(f"The tied unit goes to {codes}.")
        return True

    def remove_line(self, row: int) -> bool:
        if not 0 <= row < len(self._visit.lines):
            return False
        code = self._visit.lines[row].code
        lines = self._visit.lines[:row] + self._visit.lines[row + 1 :]
        self._apply(replace(self._visit, lines=lines), f"Remove {code}")
        if lines:
            self._select_row(min(row, len(lines) - 1))
        self._say(f"{code} removed (Ctrl+Z brings it back).")
        return True

    def clear_visit(self) -> None:
        """Start a new visit: no lines, no diagnoses (the payer stays); undoable."""
        if self._visit.lines or self._visit.diagnoses:
            self._apply(replace(self._visit, lines=(), diagnoses=()), "New visit")
            self._say("New visit (Ctrl+Z brings the last one back).")

    # ================================================================ building

    def _build_widgets(self) -> None:
        fm = self.fontMetrics()

        # Payer, telehealth, KX.
        self.profile_label = QLabel("&Payer")
        self.profile_combo = QComboBox()
        self.profile_combo.setAccessibleName("Payer profile")
        self.profile_combo.view().setAccessibleName("Payer profiles")
        self.profile_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.profile_combo.setMinimumContentsLength(6)
        self.profile_label.setBuddy(self.profile_combo)
        self.new_profile_button = QToolButton()
        self.new_profile_button.setText("New…")
        self.new_profile_button.setAccessibleName("New payer profile")
        self.new_profile_button.setToolTip("Add a payer profile: name, unit rule, daily cap")
        self.telehealth_combo = QComboBox()
        self.telehealth_combo.setAccessibleName("Telehealth modifier")
        self.telehealth_combo.view().setAccessibleName("Telehealth choices")
        self.telehealth_combo.setToolTip(
            "Telehealth: 95 (synchronous video) or 93 (audio only) on every line"
        )
        for label, value in TELEHEALTH_CHOICES:
            self.telehealth_combo.addItem(label, value)
        self.kx_check = QCheckBox("&KX")
        self.kx_check.setAccessibleName("KX modifier on every line")
        self.kx_check.setToolTip(
            "KX: therapy above the yearly threshold, medically necessary (every line)"
        )
        top = QHBoxLayout()
        top.addWidget(self.profile_label)
        top.addWidget(self.profile_combo, 1)
        top.addWidget(self.new_profile_button)
        top.addWidget(self.telehealth_combo)
        top.addWidget(self.kx_check)

        # Entry field and line actions.
        self.add_label = QLabel("A&dd")
        self.add_edit = QLineEdit()
        self.add_edit.setAccessibleName("Add a code to the visit")
        self.add_edit.setPlaceholderText("97110=23 or M25.561, Enter")
        self.add_edit.setToolTip(
            "Type a procedure code (optionally =minutes) or a diagnosis and press Enter"
        )
        self.add_edit.setMaxLength(40)
        self.add_label.setBuddy(self.add_edit)
        self.remove_button = QToolButton()
        self.remove_button.setText("Remove")
        self.remove_button.setAccessibleName("Remove the selected line")
        self.remove_button.setToolTip("Remove the selected line (Delete)")
        self.undo_button = QToolButton()
        self.undo_button.setText("Undo")
        self.undo_button.setAccessibleName("Undo the last visit change")
        self.undo_button.setToolTip("Undo (Ctrl+Z)")
        self.new_visit_button = QToolButton()
        self.new_visit_button.setText("New visit")
        self.new_visit_button.setAccessibleName("Start a new visit")
        self.new_visit_button.setToolTip("Clear the lines and diagnoses (undoable)")
        entry = QHBoxLayout()
        entry.addWidget(self.add_label)
        entry.addWidget(self.add_edit, 1)
        entry.addWidget(self.remove_button)
        entry.addWidget(self.undo_button)

        # Offer bar: replacements of a refused code, or the fix a warning names.
        self.offer_frame = QFrame()
        self.offer_frame.setFrameShape(QFrame.Shape.StyledPanel)
        self.offer_label = QLabel()
        self.offer_label.setWordWrap(True)
        self.offer_label.setAccessibleName("Offered fix")
        self.offer_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.offer_combo = QComboBox()
        self.offer_combo.setAccessibleName("Offered codes or modifiers")
        self.offer_combo.view().setAccessibleName("Offered choices")
        self.offer_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.offer_combo.setMinimumContentsLength(12)
        self.offer_button = QPushButton("&Use")
        self.offer_button.setAccessibleName("Use the offered choice")
        self.offer_button.setToolTip("Apply the choice (Alt+U)")
        self.offer_dismiss = QToolButton()
        self.offer_dismiss.setText("✕")
        self.offer_dismiss.setAccessibleName("Dismiss the offer")
        self.offer_dismiss.setToolTip("Dismiss (Esc in the entry field)")
        offer = QGridLayout(self.offer_frame)
        offer.setContentsMargins(6, 4, 6, 4)
        offer.addWidget(self.offer_label, 0, 0, 1, 3)
        offer.addWidget(self.offer_combo, 1, 0)
        offer.addWidget(self.offer_button, 1, 1)
        offer.addWidget(self.offer_dismiss, 1, 2)
        offer.setColumnStretch(0, 1)
        self.offer_frame.hide()

        # Lines.
        self.lines_label = QLabel("Visit &lines")
        self.totals_label = QLabel()
        self.totals_label.setAccessibleName("Visit totals")
        # Clipped rather than pushing the caption aside when the panel is very narrow.
        self.totals_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.totals_label.setAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        self.lines_model = VisitLinesModel(self)
        self.lines_view = QTableView()
        self.lines_view.setObjectName("visitLinesView")
        self.lines_view.setAccessibleName("Visit lines")
        self.lines_view.setModel(self.lines_model)
        self.lines_view.setItemDelegate(LineDelegate(self.lines_view))
        self.lines_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.lines_view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.lines_view.setTabKeyNavigation(False)
        self.lines_view.setWordWrap(False)
        self.lines_view.setAlternatingRowColors(True)
        self.lines_view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.lines_view.setMinimumHeight(fm.height() * 5)
        vh = self.lines_view.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(fm.height() + 8)
        hh = self.lines_view.horizontalHeader()
        hh.setAccessibleName("Visit line columns")
        hh.setHighlightSections(False)
        hh.setMinimumSectionSize(fm.horizontalAdvance("Dx") + 12)
        # Compact: the panel shares the width with the search column; the title column
        # takes what is left, and each cell's tooltip has the full text.
        widths = {
            CODE: fm.horizontalAdvance("G0283") + 28,
            MINUTES: fm.horizontalAdvance("1440") + 10,
            UNITS: fm.horizontalAdvance("Units") + 10,
            PROVIDER: fm.horizontalAdvance("PTA") + 10,
            MODIFIERS: fm.horizontalAdvance("GP CQ 59") + 10,
            DX: fm.horizontalAdvance("A,B") + 12,
        }
        for col, width in widths.items():
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            hh.resizeSection(col, width)
        hh.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        self.lines_label.setBuddy(self.lines_view)

        # Tie bar.
        self.tie_frame = QFrame()
        self.tie_label = QLabel()
        self.tie_label.setAccessibleName("Tie")
        self.tie_combo = QComboBox()
        self.tie_combo.setAccessibleName("Line that gets the tied unit")
        self.tie_combo.view().setAccessibleName("Tied lines")
        self.tie_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.tie_combo.setMinimumContentsLength(8)
        self.tie_label.setBuddy(self.tie_combo)
        tie = QHBoxLayout(self.tie_frame)
        tie.setContentsMargins(0, 0, 0, 0)
        tie.addWidget(self.tie_label)
        tie.addWidget(self.tie_combo, 1)
        self.tie_frame.hide()

        lines_box = QWidget()
        lines_layout = QVBoxLayout(lines_box)
        lines_layout.setContentsMargins(0, 0, 0, 0)
        lines_layout.setSpacing(2)
        header = QHBoxLayout()
        header.addWidget(self.lines_label)
        header.addWidget(self.totals_label, 1)
        lines_layout.addLayout(header)
        lines_layout.addWidget(self.lines_view, 1)
        lines_layout.addWidget(self.tie_frame)

        # Diagnoses and warnings.
        self.dx_label = QLabel("Diag&noses")
        self.dx_model = DiagnosesModel(self)
        self.dx_view = QListView()
        self.dx_view.setAccessibleName("Diagnoses")
        self.dx_view.setToolTip("Diagnoses A-L; Delete removes the selected one")
        self.dx_view.setModel(self.dx_model)
        self.dx_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.dx_view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.dx_view.setMinimumHeight(fm.height() * 2 + 8)
        self.dx_label.setBuddy(self.dx_view)
        self.warnings_label = QLabel("&Warnings")
        self.warnings_model = WarningsModel(self)
        self.warnings_view = QListView()
        self.warnings_view.setAccessibleName("Warnings")
        self.warnings_view.setModel(self.warnings_model)
        self.warnings_view.setWordWrap(True)
        self.warnings_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.warnings_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.warnings_view.setMinimumHeight(fm.height() * 3)
        self.warnings_label.setBuddy(self.warnings_view)
        checks_box = QWidget()
        checks = QVBoxLayout(checks_box)
        checks.setContentsMargins(0, 0, 0, 0)
        checks.setSpacing(2)
        checks.addWidget(self.dx_label)
        checks.addWidget(self.dx_view, 1)
        checks.addWidget(self.warnings_label)
        checks.addWidget(self.warnings_view, 3)

        # Copy.
        self.format_label = QLabel("F&ormat")
        self.format_combo = QComboBox()
        self.format_combo.setAccessibleName("Copy format")
        self.format_combo.view().setAccessibleName("Copy formats")
        self.format_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.format_combo.setMinimumContentsLength(6)
        for fmt in FORMATS:
            self.format_combo.addItem(FORMAT_LABELS[fmt], fmt)
        self.format_label.setBuddy(self.format_combo)
        self.copy_button = QPushButton("Copy visit")
        self.copy_button.setAccessibleName("Copy the visit")
        self.copy_button.setToolTip("Copy the visit as plain text (Ctrl+Shift+C)")
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName("Preview of what will be copied")
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.preview.setTabChangesFocus(True)
        self.preview.setMinimumHeight(fm.height() * 3)
        self.copy_status = QLabel()
        self.copy_status.setAccessibleName("Copy confirmation")
        self.copy_status.setWordWrap(True)
        self.copy_status.hide()
        copy_box = QWidget()
        copy = QVBoxLayout(copy_box)
        copy.setContentsMargins(0, 0, 0, 0)
        copy.setSpacing(2)
        copy_row = QHBoxLayout()
        copy_row.addWidget(self.format_label)
        copy_row.addWidget(self.format_combo, 1)
        copy_row.addWidget(self.copy_button)
        copy_row.addWidget(self.new_visit_button)
        copy.addLayout(copy_row)
        copy.addWidget(self.preview, 1)
        copy.addWidget(self.copy_status)

        # Templates.
        self.template_label = QLabel("Te&mplate")
        self.template_combo = QComboBox()
        self.template_combo.setAccessibleName("Visit template")
        self.template_combo.view().setAccessibleName("Visit templates")
        self.template_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.template_combo.setMinimumContentsLength(5)
        self.template_label.setBuddy(self.template_combo)
        self.load_template_button = QToolButton()
        self.load_template_button.setText("Load")
        self.load_template_button.setAccessibleName("Load the template")
        self.load_template_button.setToolTip("Replace the lines with the template's")
        self.save_template_button = QToolButton()
        self.save_template_button.setText("Save…")
        self.save_template_button.setAccessibleName("Save the lines as a template")
        self.save_template_button.setToolTip(
            "Save codes, minutes, modifiers, provider and units (never diagnoses)"
        )
        self.template_menu_button = QToolButton()
        self.template_menu_button.setText("More")
        self.template_menu_button.setAccessibleName("More template actions")
        self.template_menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.template_menu = QMenu(self.template_menu_button)
        self.template_menu.setAccessibleName("Template actions")
        self.rename_template_action = self.template_menu.addAction("Rename…")
        self.delete_template_action = self.template_menu.addAction("Delete…")
        self.template_menu_button.setMenu(self.template_menu)
        self.template_status = QLabel()
        self.template_status.setAccessibleName("Template message")
        self.template_status.setWordWrap(True)
        self.template_status.hide()
        templates = QHBoxLayout()
        templates.addWidget(self.template_label)
        templates.addWidget(self.template_combo, 1)
        templates.addWidget(self.load_template_button)
        templates.addWidget(self.save_template_button)
        templates.addWidget(self.template_menu_button)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("visitSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(lines_box)
        self.splitter.addWidget(checks_box)
        self.splitter.addWidget(copy_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([210, 210, 140])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(entry)
        layout.addWidget(self.offer_frame)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(templates)
        layout.addWidget(self.template_status)
        self.setMinimumWidth(300)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

    def _build_actions(self) -> None:
        self.copy_action = QAction("Copy visit", self)
        self.copy_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(self.copy_action)

        self.undo_action = self._undo.createUndoAction(self, "Undo")
        self.undo_action.setShortcuts(QKeySequence.StandardKey.Undo)
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.undo_action)
        self.redo_action = self._undo.createRedoAction(self, "Redo")
        self.redo_action.setShortcuts(
            [QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")]
        )
        self.redo_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.redo_action)

        self.remove_line_action = QAction("Remove line", self.lines_view)
        self.remove_line_action.setShortcuts(
            [QKeySequence(QKeySequence.StandardKey.Delete), QKeySequence(Qt.Key.Key_Backspace)]
        )
        self.remove_line_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.lines_view.addAction(self.remove_line_action)
        self.remove_dx_action = QAction("Remove diagnosis", self.dx_view)
        self.remove_dx_action.setShortcuts(
            [QKeySequence(QKeySequence.StandardKey.Delete), QKeySequence(Qt.Key.Key_Backspace)]
        )
        self.remove_dx_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.dx_view.addAction(self.remove_dx_action)
        self.dx_up_action = QAction("Move diagnosis up", self.dx_view)
        self.dx_up_action.setShortcut(QKeySequence("Ctrl+Up"))
        self.dx_up_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.dx_view.addAction(self.dx_up_action)

    def _connect_signals(self) -> None:
        self.profile_combo.activated.connect(self._on_profile_activated)
        self.new_profile_button.clicked.connect(self._on_new_profile_clicked)
        self.telehealth_combo.activated.connect(self._on_telehealth_activated)
        self.kx_check.toggled.connect(self._on_kx_toggled)
        self.add_edit.returnPressed.connect(self._on_add_return_pressed)
        self.add_edit.installEventFilter(self)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.undo_button.clicked.connect(self._undo.undo)
        self._undo.canUndoChanged.connect(self.undo_button.setEnabled)
        self.new_visit_button.clicked.connect(self.clear_visit)
        self.offer_button.clicked.connect(self._on_offer_used)
        self.offer_dismiss.clicked.connect(self._on_offer_dismissed)
        self.lines_model.line_edited.connect(self._on_line_edited)
        delegate = self.lines_view.itemDelegate()
        delegate.closeEditor.connect(self._on_editor_closed)
        self.lines_view.installEventFilter(self)
        self.tie_combo.activated.connect(self._on_tie_activated)
        self.warnings_view.selectionModel().currentRowChanged.connect(
            self._on_warning_current_changed
        )
        self.format_combo.currentIndexChanged.connect(self._on_format_changed)
        self.copy_button.clicked.connect(self.copy_visit)
        self.copy_action.triggered.connect(self.copy_visit)
        self.remove_line_action.triggered.connect(self._on_remove_clicked)
        self.remove_dx_action.triggered.connect(self._on_remove_dx_triggered)
        self.dx_up_action.triggered.connect(self._on_dx_up_triggered)
        self.load_template_button.clicked.connect(self._on_load_template_clicked)
        self.save_template_button.clicked.connect(self._on_save_template_clicked)
        self.rename_template_action.triggered.connect(self._on_rename_template_triggered)
        self.delete_template_action.triggered.connect(self._on_delete_template_triggered)

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.profile_combo,
            self.new_profile_button,
            self.telehealth_combo,
            self.kx_check,
            self.add_edit,
            self.remove_button,
            self.undo_button,
            self.offer_combo,
            self.offer_button,
            self.offer_dismiss,
            self.lines_view,
            self.tie_combo,
            self.dx_view,
            self.warnings_view,
            self.format_combo,
            self.copy_button,
            self.new_visit_button,
            self.preview,
            self.template_combo,
            self.load_template_button,
            self.save_template_button,
            self.template_menu_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        # Tool buttons take focus by keyboard as well (they default to click-only on macOS).
        for widget in chain:
            if isinstance(widget, QToolButton):
                widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    # ================================================================ state

    def _apply(
        self, visit: Visit, text: str, merge_key: tuple[object, ...] | None = None
    ) -> None:
        if visit == self._visit:
            return
        self._undo.push(_VisitChange(self, self._visit, visit, text, merge_key))

    def _show(self, visit: Visit) -> None:
        """Evaluate ``visit`` and show it everywhere (undo, redo and every change land here)."""
        current = self.lines_view.currentIndex()
        row, col = current.row(), current.column()
        self._visit = visit
        self._result = evaluate(visit, self._catalog)
        self.lines_model.set_visit(visit, self._result)
        if not self.lines_view.currentIndex().isValid() and visit.lines:
            self._select_row(min(max(row, 0), len(visit.lines) - 1), max(col, 0))
        self.dx_model.set_result(self._result)
        self.warnings_model.set_result(self._result)
        self._sync_controls()
        self._show_totals()
        self._show_tie()
        self._show_offer()
        self._show_preview()

    def _sync_controls(self) -> None:
        visit = self._visit
        with QSignalBlocker(self.profile_combo):
            at = self.profile_combo.findData(visit.profile.name)
            if at < 0:
                self._profiles[visit.profile.name] = visit.profile
                self.profile_combo.addItem(visit.profile.name, visit.profile.name)
                at = self.profile_combo.count() - 1
            self.profile_combo.setCurrentIndex(at)
        self.profile_combo.setToolTip(self._profile_tip(visit.profile))
        with QSignalBlocker(self.telehealth_combo):
            self.telehealth_combo.setCurrentIndex(
                max(0, self.telehealth_combo.findData(visit.telehealth))
            )
        with QSignalBlocker(self.kx_check):
            self.kx_check.setChecked(visit.kx)
        has_line = bool(visit.lines)
        self.remove_button.setEnabled(has_line)
        self.undo_button.setEnabled(self._undo.canUndo())
        self.new_visit_button.setEnabled(has_line or bool(visit.diagnoses))
        self.save_template_button.setEnabled(has_line)

    @staticmethod
    def _profile_tip(profile: PayerProfile) -> str:
        cap = (
            f"at most {profile.daily_timed_unit_cap} timed units a day"
            if profile.daily_timed_unit_cap
            else "no daily cap"
        )
        medicare = "Medicare checks on" if profile.medicare else "not Medicare"
        return f"{profile.name}: {profile.unit_rule_label}; {cap}; {medicare}"

    def _show_totals(self) -> None:
        r = self._result
        rule = "8-min rule" if r.profile.unit_rule == "cms" else "midpoint"
        minutes = f"{r.total_timed_minutes}" + (
            f"+{r.separate_timed_minutes}" if r.separate_timed_minutes else ""
        )
        text = f"{minutes} min → {_plural(r.timed_units, 'unit')}"
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
        errors = len(r.errors)
        others = len(r.warnings) - errors
        label = "&Warnings"
        if errors:
            label += f" ({_plural(errors, 'error')}" + (f", {others} more)" if others else ")")
        elif others:
            label += f" ({others})"
        self.warnings_label.setText(label)
        self.warnings_label.setStyleSheet(_ERROR_STYLE if errors else "")

    def _tie(self) -> VisitTie | None:
        return self._result.ties[0] if self._result.ties else None

    def _show_tie(self) -> None:
        tie = self._tie()
        if tie is None:
            self.tie_frame.hide()
            self.tie_combo.clear()
            return
        codes = [self._visit.lines[i].code for i in tie.line_indices]
        names = " and ".join([", ".join(codes[:-1]), codes[-1]]) if len(codes) > 1 else codes[0]
        unit = _plural(tie.units, "unit")
        to = "units to" if tie.units > 1 else "unit to"
        if tie.resolved:
            self.tie_label.setText(f"&Tie settled, {to}")
            self.tie_label.setStyleSheet("")
            tip = (
                f"{names} each had {tie.remaining_minutes} minutes left over for {unit}; "
                "you chose the line that gets it."
            )
        else:
            self.tie_label.setText(f"&Tie ({tie.remaining_minutes} min left each): {to}")
            self.tie_label.setStyleSheet(_WARNING_STYLE)
            tip = (
                f"{names} each have {tie.remaining_minutes} minutes left over for {unit}: "
                "CMS leaves the choice to you. Pick the line that gets it."
            )
        self.tie_label.setToolTip(tip)
        self.tie_combo.setToolTip(tip)
        with QSignalBlocker(self.tie_combo):
            self.tie_combo.clear()
            current = 0
            for n, combo in enumerate(itertools.combinations(tie.line_indices, tie.units)):
                label = " + ".join(self._visit.lines[i].code for i in combo)
                if combo == tie.default_line_indices:
                    current = n
                    if not tie.resolved:
                        label += " (for now)"
                self.tie_combo.addItem(label, list(combo))
            self.tie_combo.setCurrentIndex(current)
        self.tie_frame.show()

    def _show_preview(self) -> None:
        text = format_visit(self._result, self._format())
        if self.preview.toPlainText() != text:
            self.preview.setPlainText(text)

    def _format(self) -> str:
        fmt = self.format_combo.currentData()
        return fmt if isinstance(fmt, str) else "text"

    def _left_out(self, result: VisitResult) -> list[str]:
        out: list[str] = []
        for line in result.lines:
            if line.refused:
                out.append(f"{line.code} (refused)")
            elif not line.billed:
                out.append(f"{line.code} (0 units)")
        out.extend(f"{dx.code} (after L)" for dx in result.diagnoses if dx.letter is None)
        return out

    # ================================================================ adding

    def _add(self, text: str, minutes: int | None) -> bool:
        try:
            code = normalize_code(text)
        except ValueError as exc:
            self._refuse(str(exc), ())
            return False
        found = self._catalog.get(code)
        if found is None:
            near = self._catalog.suggest(code)
            choices = self._code_choices([h.code for h in near], "Add")
            self._refuse(
                f"{code} is not in the catalog."
                + (" Nearest codes are offered below." if choices else ""),
                choices,
            )
            return False
        if found.is_diagnosis:
            if minutes is not None:
                self._refuse(f"{found.code} is a diagnosis: it takes no minutes.", ())
                return False
            return self.add_diagnosis(found.code)
        if found.system == System.MODIFIER:
            return self._add_modifier(found.code)
        for row, line in enumerate(self._visit.lines):
            if line.code == found.code:
                self._select_row(row, MINUTES)
                if minutes is not None and minutes != line.minutes:
                    self._apply(
                        self._replace_line(row, replace(line, minutes=minutes)), "Edit minutes"
                    )
                    self._say(f"{found.code} is already on the visit: minutes set to {minutes}.")
                    return True
                self._say(f"{found.code} is already on the visit: edit its minutes there.")
                return False
        refused = validate_new_line(found.code, self._catalog)
        if refused:
            problem = refused[0]
            self._refuse(problem.message, self._code_choices(problem.suggestions, "Add"))
            return False
        before = set(self._result.warnings)
        provider = self._visit.lines[-1].provider if self._visit.lines else "pt"
        line = VisitLine(
            found.code,
            minutes,
            provider=provider,
            dx_pointers=("A",) if self._visit.diagnoses else (),
        )
        self._clear_refusal()
        self._apply(replace(self._visit, lines=(*self._visit.lines, line)), f"Add {found.code}")
        self._select_row(len(self._visit.lines) - 1, MINUTES)
        new = [
            w for w in self._result.warnings
            if w not in before and w.severity != "info" and w.code != "missing-minutes"
        ]
        note = f" {new[0].message}" if new else ""
        self._say(f"{found.code} added ({found.title}).{note}")
        return True

    def _add_modifier(self, modifier: str) -> bool:
        if modifier == "KX":
            self._apply(replace(self._visit, kx=True), "KX on")
            self._say("KX is on for every line.")
            return True
        if modifier in TELEHEALTH_MODIFIERS:
            telehealth = cast(Telehealth, modifier)
            self._apply(replace(self._visit, telehealth=telehealth), "Telehealth")
            self._say(f"Telehealth {modifier} is on for every line.")
            return True
        if modifier in _AUTOMATIC_MODIFIERS:
            self._say(f"{modifier} is added to the lines automatically.")
            return False
        row = self.lines_view.currentIndex().row()
        line = self._visit.lines[row] if 0 <= row < len(self._visit.lines) else None
        if line is None:
            self._refuse(f"{modifier} is a modifier: select a line first, then add it.", ())
            return False
        if modifier == ASSISTANT_MODIFIER:
            self._apply(self._replace_line(row, replace(line, provider="pta")), "Provider PTA")
            self._say(f"{line.code} is now by a PT assistant (CQ).")
            return True
        return self._add_line_modifier(row, modifier)

    def _add_line_modifier(self, row: int, modifier: str) -> bool:
        line = self._visit.lines[row]
        if modifier in line.extra_modifiers:
            self._say(f"{line.code} already has {modifier}.")
            return False
        updated = replace(line, extra_modifiers=(*line.extra_modifiers, modifier))
        self._apply(self._replace_line(row, updated), f"Add {modifier} to {line.code}")
        self._say(f"{modifier} added to {line.code}.")
        return True

    def _replace_line(self, row: int, line: VisitLine) -> Visit:
        lines = list(self._visit.lines)
        lines[row] = line
        return replace(self._visit, lines=tuple(lines))

    def _select_row(self, row: int, col: int = MINUTES) -> None:
        index = self.lines_model.index(row, col)
        if index.isValid():
            self.lines_view.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.lines_view.scrollTo(index)

    # ================================================================ offers

    def _code_choices(self, codes: Sequence[str], verb: str) -> tuple[_Choice, ...]:
        choices: list[_Choice] = []
        for code in list(codes)[:MAX_OFFERED]:
            found = self._catalog.get(code)
            title = f" {found.title}" if found and found.title else ""
            header = " (header)" if found and found.is_diagnosis and not found.billable else ""
            choices.append(
                _Choice(f"{verb} {code}{title}{header}", partial(self.add_code, code))
            )
        return tuple(choices)

    def _refuse(self, text: str, choices: tuple[_Choice, ...]) -> None:
        self._refusal = _Offer(text, choices, sticky=True)
        self._show_offer()
        self._say(text)

    def _clear_refusal(self) -> None:
        if self._refusal is not None:
            self._refusal = None
            self._show_offer()

    def _warning_offer(self, warning: Warning) -> _Offer | None:
        if not warning.suggestions:
            return None
        row = warning.line
        line = self._visit.lines[row] if row is not None and row < len(self._visit.lines) else None
        choices: list[_Choice] = []
        for suggestion in list(warning.suggestions)[:MAX_OFFERED]:
            found = self._catalog.get(suggestion)
            is_modifier = found is not None and found.system == System.MODIFIER
            if line is not None and row is not None and (is_modifier or len(suggestion) == 2):
                choices.append(
                    _Choice(
                        f"Add {suggestion} to {line.code}",
                        partial(self._add_line_modifier, row, suggestion),
                    )
                )
            elif line is not None and row is not None and (
                warning.code == "deleted-code" or warning.code == "medicare-use-g0283"
            ):
                choices.append(
                    _Choice(
                        f"Replace {line.code} with {suggestion}",
                        partial(self._replace_code, row, suggestion),
                    )
                )
            elif warning.code == "header-diagnosis" and warning.codes:
                choices.append(
                    _Choice(
                        f"Use {suggestion} for {warning.codes[0]}",
                        partial(self._replace_dx, warning.codes[0], suggestion),
                    )
                )
            else:
                title = f" {found.title}" if found and found.title else ""
                choices.append(
                    _Choice(f"Add {suggestion}{title}", partial(self.add_code, suggestion))
                )
        about = line.code if line is not None else (warning.codes[0] if warning.codes else "")
        head = {"ncci-pair": "NCCI pair: a distinct-service modifier on"}.get(
            warning.code, "Suggested for"
        )
        return _Offer(f"{head} {about}".strip(), tuple(choices), sticky=False)

    def _replace_code(self, row: int, code: str) -> bool:
        refused = validate_new_line(code, self._catalog)
        if refused or not 0 <= row < len(self._visit.lines):
            if refused:
                self._refuse(refused[0].message, ())
            return False
        old = self._visit.lines[row]
        self._apply(
            self._replace_line(row, replace(old, code=code, tie_preferred=False)),
            f"Replace {old.code} with {code}",
        )
        self._say(f"{old.code} replaced by {code}.")
        return True

    def _replace_dx(self, old: str, new: str) -> bool:
        if old not in self._visit.diagnoses:
            return False
        refused = add_diagnosis_to(replace(self._visit, diagnoses=()), new, self._catalog)[1]
        if refused:
            self._refuse(refused[0].message, self._code_choices(refused[0].suggestions, "Use"))
            return False
        diagnoses = tuple(new if d == old else d for d in self._visit.diagnoses)
        self._apply(replace(self._visit, diagnoses=diagnoses), f"Use {new}")
        self._say(f"{old} replaced by {new}.")
        return True

    def _show_offer(self) -> None:
        offer = self._refusal
        if offer is None:
            offer = self._current_warning_offer()
        self._offer = offer
        if offer is None:
            self.offer_frame.hide()
            return
        self.offer_label.setText(offer.text)
        self.offer_label.setStyleSheet(_ERROR_STYLE if offer.sticky else _WARNING_STYLE)
        with QSignalBlocker(self.offer_combo):
            self.offer_combo.clear()
            for choice in offer.choices:
                self.offer_combo.addItem(choice.label)
        has_choices = bool(offer.choices)
        self.offer_combo.setVisible(has_choices)
        self.offer_button.setVisible(has_choices)
        self.offer_dismiss.setVisible(offer.sticky)
        self.offer_frame.show()

    def _current_warning_offer(self) -> _Offer | None:
        selected = self.warnings_model.warning(self.warnings_view.currentIndex().row())
        if selected is not None and selected.suggestions:
            return self._warning_offer(selected)
        for warning in self.warnings_model.warnings():
            if warning.suggestions:
                return self._warning_offer(warning)
        return None

    def offered_choices(self) -> list[str]:
        """Labels of what the offer bar offers (empty when it is hidden)."""
        return [c.label for c in self._offer.choices] if self._offer is not None else []

    def use_offer(self, index: int = 0) -> bool:
        """Apply offered choice ``index`` (the Use button applies the one in the combo)."""
        offer = self._offer
        if offer is None or not 0 <= index < len(offer.choices):
            return False
        if offer.sticky:
            self._refusal = None
        done = offer.choices[index].apply()
        self._show_offer()
        return done

    # ================================================================ templates

    def _template_lines(self) -> tuple[list[TemplateLine], list[str]]:
        lines: list[TemplateLine] = []
        skipped: list[str] = []
        for line, res in zip(self._visit.lines, self._result.lines, strict=True):
            if res.refused:
                skipped.append(f"{line.code} (refused)")
                continue
            override = line.units_override if line.units_override else None
            try:
                lines.append(
                    TemplateLine(
                        code=line.code,
                        minutes=line.minutes,
                        modifiers=line.extra_modifiers,
                        provider=line.provider,
                        units_override=override,
                    )
                )
            except ValidationError as exc:
                skipped.append(f"{line.code} ({exc})")
                continue
            if line.units_override == 0:
                skipped.append(f"{line.code}'s 0 units set by hand")
        return lines, skipped

    def _reload_templates(self, select: str | None = None) -> None:
        current = select or self.template_combo.currentText()
        names = self.template_names()
        with QSignalBlocker(self.template_combo):
            self.template_combo.clear()
            self.template_combo.addItems(names)
            at = self.template_combo.findText(current)
            self.template_combo.setCurrentIndex(at if at >= 0 else 0 if names else -1)
        self.template_combo.setPlaceholderText("None yet" if not names else "")
        has = bool(names)
        self.load_template_button.setEnabled(has)
        self.rename_template_action.setEnabled(has)
        self.delete_template_action.setEnabled(has)

    def _template_problem(self, text: str) -> None:
        self.template_status.setText(text)
        self.template_status.setStyleSheet(_ERROR_STYLE)
        self.template_status.show()
        self._say(text)

    def _template_note(self, text: str) -> None:
        self.template_status.setText(text)
        self.template_status.setStyleSheet(_OK_STYLE)
        self.template_status.show()
        self._say(text)

    # ================================================================ profiles

    def _initial_profile(self) -> PayerProfile:
        name = self._store.get_setting(SETTING_PROFILE)
        if isinstance(name, str):
            if name in BUILTIN_PROFILES:
                return BUILTIN_PROFILES[name]
            for stored in self._store.profiles():
                if stored["name"] == name:
                    try:
                        return PayerProfile.from_dict(dict(stored))
                    except ValueError:
                        break
        return MEDICARE

    def _reload_profiles(self) -> None:
        profiles: dict[str, PayerProfile] = dict(BUILTIN_PROFILES)
        for stored in self._store.profiles():
            if stored["name"] in profiles:
                continue
            try:
                profiles[stored["name"]] = PayerProfile.from_dict(dict(stored))
            except ValueError:
                continue
        self._profiles = profiles
        with QSignalBlocker(self.profile_combo):
            self.profile_combo.clear()
            for name, profile in profiles.items():
                self.profile_combo.addItem(name, name)
                self.profile_combo.setItemData(
                    self.profile_combo.count() - 1,
                    self._profile_tip(profile),
                    Qt.ItemDataRole.ToolTipRole,
                )
        self._sync_controls()

    def _restore_format(self) -> None:
        fmt = self._store.get_setting(SETTING_FORMAT)
        at = self.format_combo.findData(fmt) if isinstance(fmt, str) else -1
        if at >= 0:
            with QSignalBlocker(self.format_combo):
                self.format_combo.setCurrentIndex(at)

    def _remember(self, key: str, value: object) -> None:
        if self._store.read_only:
            return
        with contextlib.suppress(UserDataError):  # a preference only: the visit is unaffected
            self._store.set_setting(key, value)

    # ================================================================ slots

    def _on_profile_activated(self, index: int) -> None:
        name = self.profile_combo.itemData(index)
        if isinstance(name, str):
            self.set_profile(name)

    def _on_new_profile_clicked(self) -> None:
        if self._store.read_only:
            self._say(f"Profiles cannot be saved: {self._store.read_only_reason}.")
            return
        profile = dialogs.ask_profile(self, list(self._profiles))
        if profile is not None:
            self.add_profile(profile)

    def _on_telehealth_activated(self, index: int) -> None:
        value = self.telehealth_combo.itemData(index)
        self._apply(replace(self._visit, telehealth=value), "Telehealth")

    def _on_kx_toggled(self, checked: bool) -> None:
        self._apply(replace(self._visit, kx=checked), "KX on" if checked else "KX off")

    def _on_add_return_pressed(self) -> None:
        text = self.add_edit.text().strip()
        if not text:
            return
        try:
            code, minutes = parse_line_spec(text)
        except ValueError as exc:
            self._refuse(str(exc), ())
            return
        if self._add(code, minutes):
            self.add_edit.clear()

    def _on_remove_clicked(self) -> None:
        self.remove_line(self.lines_view.currentIndex().row())

    def _on_remove_dx_triggered(self) -> None:
        row = self.dx_view.currentIndex().row()
        if 0 <= row < len(self._visit.diagnoses):
            code = self._visit.diagnoses[row]
            self._apply(remove_diagnosis(self._visit, row), f"Remove {code}")
            if self._visit.diagnoses:
                self.dx_view.setCurrentIndex(
                    self.dx_model.index(min(row, len(self._visit.diagnoses) - 1))
                )
            self._say(f"Diagnosis {code} removed; the letters after it moved up.")

    def _on_dx_up_triggered(self) -> None:
        row = self.dx_view.currentIndex().row()
        if not 0 < row < len(self._visit.diagnoses):
            return
        dx = list(self._visit.diagnoses)
        dx[row - 1], dx[row] = dx[row], dx[row - 1]
        # Pointers follow their diagnosis to its new letter.
        above, here = DX_LETTERS[row - 1], DX_LETTERS[row]
        letters = {above: here, here: above}
        lines = tuple(
            replace(line, dx_pointers=tuple(letters.get(p, p) for p in line.dx_pointers))
            for line in self._visit.lines
        )
        self._apply(replace(self._visit, diagnoses=tuple(dx), lines=lines), "Move diagnosis")
        self.dx_view.setCurrentIndex(self.dx_model.index(row - 1))

    def _on_line_edited(self, row: int, line: VisitLine, col: int) -> None:
        what = COLUMN_NAMES[col].lower()
        self._apply(
            self._replace_line(row, line),
            f"Edit {what} of {line.code}",
            merge_key=("cell", self._edit_session, row, col),
        )
        self._session_edited = True

    def _on_editor_closed(
        self, _editor: QWidget, hint: QAbstractItemDelegate.EndEditHint
    ) -> None:
        # The editors commit as the user types; Esc takes that edit back, as it would
        # cancel a cell edit anywhere else.
        if hint == QAbstractItemDelegate.EndEditHint.RevertModelCache and self._session_edited:
            self._undo.undo()
        self._edit_session += 1  # the next edit is a new undo step
        self._session_edited = False

    def _on_tie_activated(self, index: int) -> None:
        chosen = self.tie_combo.itemData(index)
        if isinstance(chosen, list):
            self.choose_tie([int(i) for i in chosen])

    def _on_warning_current_changed(self, *_args: object) -> None:
        if self._refusal is None:
            self._show_offer()

    def _on_offer_used(self) -> None:
        self.use_offer(self.offer_combo.currentIndex())

    def _on_offer_dismissed(self) -> None:
        self._clear_refusal()

    def _on_format_changed(self, _index: int) -> None:
        self._show_preview()
        self._remember(SETTING_FORMAT, self._format())

    def _on_load_template_clicked(self) -> None:
        name = self.template_combo.currentText()
        if name:
            self.load_template(name)

    def _on_save_template_clicked(self) -> None:
        if self._store.read_only:
            self.save_template("")  # explains why nothing can be saved
            return
        name = dialogs.ask_text(
            self, "Save template", "Template name (codes and minutes only, no diagnoses):",
            self.template_combo.currentText(),
        )
        if name is None or not name.strip():
            return
        taken = {n.casefold() for n in self.template_names()}
        overwrite = False
        if " ".join(name.split()).casefold() in taken:
            if not dialogs.ask_yes_no(
                self, "Replace template", f"A template named {name!r} exists. Replace it?"
            ):
                return
            overwrite = True
        self.save_template(name, overwrite=overwrite)

    def _on_rename_template_triggered(self) -> None:
        old = self.template_combo.currentText()
        if not old:
            return
        new = dialogs.ask_text(self, "Rename template", f"New name for {old!r}:", old)
        if new is not None and new.strip() and new != old:
            self.rename_template(old, new)

    def _on_delete_template_triggered(self) -> None:
        name = self.template_combo.currentText()
        if name and dialogs.ask_yes_no(self, "Delete template", f"Delete template {name!r}?"):
            self.delete_template(name)

    # ================================================================ events

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.add_edit and key == Qt.Key.Key_Escape and self._refusal:
                self._clear_refusal()
                return True
            if (
                watched is self.lines_view
                and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and self.lines_view.state() != QAbstractItemView.State.EditingState
            ):
                index = self.lines_view.currentIndex()
                if index.isValid():
                    if not index.flags() & Qt.ItemFlag.ItemIsEditable:
                        index = index.siblingAtColumn(MINUTES)
                    self.lines_view.setCurrentIndex(index)
                    self.lines_view.edit(index)
                    return True
        return super().eventFilter(watched, event)

    # ================================================================ messages

    def _say(self, text: str) -> None:
        self.message.emit(text)

    def _confirm(self, text: str, style: str) -> None:
        self.copy_status.setText(text)
        self.copy_status.setStyleSheet(style)
        self.copy_status.show()
        self._say(text)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        hint.setWidth(max(hint.width(), 420))
        return hint
