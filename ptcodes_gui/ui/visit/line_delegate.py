"""Inline editors of the visit lines table; they commit while the user types, so the
totals and warnings follow each keystroke."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    QSignalBlocker,
    Qt,
)
from PySide6.QtGui import QRegularExpressionValidator, QValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from ptcodes_gui.domain.visit import MAX_LINE_MINUTES
from ptcodes_gui.ui.visit_model import (
    CODE,
    COLUMN_NAMES,
    COLUMN_TIPS,
    DX,
    MINUTES,
    MODIFIERS,
    PROVIDER,
    PROVIDER_LABELS,
    UNITS,
    LineRole,
    parse_modifiers,
    parse_pointers,
    parse_provider,
)

_Index = QModelIndex | QPersistentModelIndex
#: what may be a code (or CODE=MIN) typed where minutes were expected: kept as typed
_CODE_LIKE = QRegularExpression(r"^[A-Za-z0-9][A-Za-z0-9.]{0,7}(=\d{0,4})?$")


class MinutesSpin(QSpinBox):
    """The Minutes editor. A number up to a day's minutes is minutes; anything else typed
    (``97164``, ``G0283``, ``97110=23``) is kept as typed and read back by ``typed_code``:
    the lines table adds it as the next code, and digits are never dropped."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._typed = ""
        self.lineEdit().textEdited.connect(self._on_text_edited)

    def _on_text_edited(self, text: str) -> None:
        self._typed = text

    def typed_code(self) -> str:
        """What the user typed when it is not minutes ("" when it is, or nothing typed)."""
        text = self._typed.strip()
        if not text or (text.isascii() and text.isdigit() and int(text) <= MAX_LINE_MINUTES):
            return ""
        return text

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        plain = text.strip()
        is_minutes = plain.isascii() and plain.isdigit() and int(plain) <= MAX_LINE_MINUTES
        if plain and not is_minutes and _CODE_LIKE.match(plain).hasMatch():
            return QValidator.State.Intermediate, text, pos
        return super().validate(text, pos)


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
            spin = MinutesSpin(parent)
            spin.setRange(-1, MAX_LINE_MINUTES)
            spin.setSpecialValueText("–")  # -1: no minutes entered
            spin.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
            spin.setFrame(False)
            spin.setAlignment(Qt.AlignmentFlag.AlignRight)
            spin.setAccessibleName(name)
            spin.setAccessibleDescription(
                "Minutes of this line; a code typed here is added as the next line")
            for inner in spin.findChildren(QLineEdit):
                inner.setAccessibleName(name)
            spin.valueChanged.connect(lambda _v, e=spin: self._commit(e))
            return spin
        if col == PROVIDER:
            # PT, PTA, or typed: the PTA's minutes when the PT and the PTA shared the line
            combo = QComboBox(parent)
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            combo.setAccessibleName(name)
            combo.setToolTip(COLUMN_TIPS[PROVIDER])
            combo.view().setAccessibleName(f"{name} choices")
            for value, label in PROVIDER_LABELS.items():
                combo.addItem(label, value)
            combo.currentIndexChanged.connect(lambda _i, e=combo: self._commit(e))
            kept = QPersistentModelIndex(index)
            combo.editTextChanged.connect(lambda _t, e=combo: self._commit_if_provider(e, kept))
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

    def _commit_if_provider(self, editor: QComboBox, index: _Index) -> None:
        line = index.data(LineRole)
        try:
            parse_provider(editor.currentText(), None if line is None else line.minutes)
        except ValueError:
            return
        self._commit(editor)

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
            text = "" if value is None else str(value)
            if " ".join(editor.currentText().split()).lower() != text.lower():
                with QSignalBlocker(editor):
                    at = editor.findText(text)
                    if at >= 0:
                        editor.setCurrentIndex(at)
                    editor.setEditText(text)
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
            model.setData(index, editor.currentText())
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
