"""The entry field: type a code (``CODE=MIN``) or a diagnosis, Enter adds it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget


class EntryBar(QWidget):
    """Signals: ``submitted(str)`` Enter with text; ``escaped()`` Esc in the field;
    ``remove_clicked()``, ``undo_clicked()``."""

    submitted = Signal(str)
    escaped = Signal()
    remove_clicked = Signal()
    undo_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("A&dd")
        self.edit = QLineEdit()
        self.edit.setAccessibleName("Add a code to the visit")
        self.edit.setPlaceholderText("97110=23 or M25.561")
        self.edit.setToolTip(
            "Type a procedure code (optionally =minutes) or a diagnosis and press Enter"
        )
        self.edit.setMaxLength(40)
        self.label.setBuddy(self.edit)
        self.remove_button = QToolButton()
        self.remove_button.setText("Remove")
        self.remove_button.setAccessibleName("Remove the selected line")
        self.remove_button.setToolTip("Remove the selected line (Delete)")
        self.undo_button = QToolButton()
        self.undo_button.setText("Undo")
        self.undo_button.setAccessibleName("Undo the last visit change")
        self.undo_button.setToolTip("Undo (Ctrl+Z)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.remove_button)
        layout.addWidget(self.undo_button)
        self.edit.returnPressed.connect(self._on_return_pressed)
        self.edit.installEventFilter(self)
        self.remove_button.clicked.connect(self.remove_clicked)
        self.undo_button.clicked.connect(self.undo_clicked)

    def accepted(self) -> None:
        """What was typed was added: the field is ready for the next code (with no undo
        history of its own: Ctrl+Z there now takes the visit's last change back)."""
        self.edit.setText("")

    def refused(self) -> None:
        """What was typed was refused: select it, so the next keystrokes retype it."""
        self.edit.selectAll()

    def _on_return_pressed(self) -> None:
        text = self.edit.text().strip()
        if text:
            self.submitted.emit(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and isinstance(event, QKeyEvent):
            if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
                self.escaped.emit()
                return True
            if event.type() == QEvent.Type.ShortcutOverride and self._visit_undo(event):
                event.ignore()  # not the field's: Ctrl+Z / Ctrl+Y undo the visit
                return True
        return super().eventFilter(watched, event)

    def _visit_undo(self, event: QKeyEvent) -> bool:
        """Ctrl+Z (Ctrl+Y) with nothing typed to undo (redo) in the field: the visit's."""
        if event.matches(QKeySequence.StandardKey.Undo):
            return not self.edit.isUndoAvailable()
        if event.matches(QKeySequence.StandardKey.Redo):
            return not self.edit.isRedoAvailable()
        return False
