"""The visit's diagnoses, lettered A-L; Delete removes one, Ctrl+Up moves it up."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QLabel, QListView, QVBoxLayout, QWidget

from ptcodes_gui.domain.visit import VisitResult
from ptcodes_gui.ui.visit_model import DiagnosesModel


class DiagnosesList(QWidget):
    """Signals: ``remove_requested(int)``, ``move_up_requested(int)`` (the row)."""

    remove_requested = Signal(int)
    move_up_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        fm = self.fontMetrics()
        self.label = QLabel("Diag&noses")
        self.model = DiagnosesModel(self)
        self.view = QListView()
        self.view.setAccessibleName("Diagnoses")
        self.view.setToolTip("Diagnoses A-L; Delete removes the selected one")
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.view.setMinimumHeight(fm.height() + 12)  # one row; the splitter gives more
        self.label.setBuddy(self.view)
        self.remove_action = QAction("Remove diagnosis", self.view)
        self.remove_action.setShortcuts(
            [QKeySequence(QKeySequence.StandardKey.Delete), QKeySequence(Qt.Key.Key_Backspace)]
        )
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.view.addAction(self.remove_action)
        self.up_action = QAction("Move diagnosis up", self.view)
        self.up_action.setShortcut(QKeySequence("Ctrl+Up"))
        self.up_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.view.addAction(self.up_action)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.label)
        layout.addWidget(self.view, 1)
        self.remove_action.triggered.connect(self._on_remove_triggered)
        self.up_action.triggered.connect(self._on_up_triggered)

    def show_result(self, result: VisitResult) -> None:
        row = self.view.currentIndex().row()
        self.model.set_result(result)
        if self.model.rowCount() and row >= 0:
            self.view.setCurrentIndex(self.model.index(min(row, self.model.rowCount() - 1)))

    def select(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(row))

    def _on_remove_triggered(self) -> None:
        self.remove_requested.emit(self.view.currentIndex().row())

    def _on_up_triggered(self) -> None:
        row = self.view.currentIndex().row()
        self.move_up_requested.emit(row)
        self.select(row - 1)
