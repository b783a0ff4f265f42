"""The visit's warnings, errors first; selecting one shows its fix in the offer bar."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QAbstractItemView, QLabel, QListView, QVBoxLayout, QWidget

from ptcodes_gui.domain.visit import VisitResult
from ptcodes_gui.ui.visit.editor import plural
from ptcodes_gui.ui.visit.style import ERROR_STYLE
from ptcodes_gui.ui.visit_model import WarningsModel


class WarningsList(QWidget):
    """Signals: ``warning_selected(object)`` the selected ``Warning`` (or None)."""

    warning_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        fm = self.fontMetrics()
        self.label = QLabel("&Warnings")
        self.model = WarningsModel(self)
        self.view = QListView()
        self.view.setAccessibleName("Warnings")
        self.view.setModel(self.model)
        self.view.setWordWrap(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setMinimumHeight(fm.height() * 3)
        self.label.setBuddy(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.label)
        layout.addWidget(self.view, 1)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)

    def show_result(self, result: VisitResult) -> None:
        self.model.set_result(result)
        errors = len(result.errors)
        others = len(result.warnings) - errors
        label = "&Warnings"
        if errors:
            label += f" ({plural(errors, 'error')}" + (f", {others} more)" if others else ")")
        elif others:
            label += f" ({others})"
        self.label.setText(label)
        self.label.setStyleSheet(ERROR_STYLE if errors else "")

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.warning_selected.emit(self.model.warning(current.row()))
