"""The visit's warnings, errors first; selecting one shows its fix in the offer bar."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QAccessibleEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ptcodes_gui.domain.visit import VisitResult
from ptcodes_gui.ui.visit.editor import plural
from ptcodes_gui.ui.visit.style import error_style
from ptcodes_gui.ui.visit_model import WarningsModel


def summary(result: VisitResult) -> str:
    """The warnings in one sentence for a screen reader: counts, then each message."""
    if not result.warnings:
        return "No warnings."
    errors = len(result.errors)
    others = len(result.warnings) - errors
    counts = ", ".join(part for part in (
        plural(errors, "error") if errors else "", plural(others, "warning") if others else "")
        if part)
    ordered = [*result.errors, *(w for w in result.warnings if w.severity != "error")]
    return f"{counts}: " + " ".join(w.message for w in ordered)


def announce(widget: QWidget, text: str) -> None:
    """Tell assistive technology: the description changed, and a polite announcement of
    ``text`` (Qt 6.8+; on Windows it reaches UI Automation as a notification)."""
    QAccessible.updateAccessibility(
        QAccessibleEvent(widget, QAccessible.Event.DescriptionChanged))
    QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(widget, text))


class WarningsList(QWidget):
    """Each warning with its rule id; Enter, a double-click or "Explain" opens the rule.

    Signals: ``warning_selected(object)`` the selected ``Warning`` (or None);
    ``explain_requested(str)`` the rule id whose explanation the user asked for."""

    warning_selected = Signal(object)
    explain_requested = Signal(str)

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
        self.explain_button = QToolButton()
        self.explain_button.setText("E&xplain rule…")
        self.explain_button.setAccessibleName("Explain the selected warning's rule")
        self.explain_button.setToolTip("Why the rule exists and how to fix it (Enter on a warning)")
        self.explain_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        head = QHBoxLayout()
        head.addWidget(self.label, 1)
        head.addWidget(self.explain_button)
        layout.addLayout(head)
        layout.addWidget(self.view, 1)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.view.activated.connect(self._on_activated)
        self.explain_button.clicked.connect(self._on_explain_clicked)

    def show_result(self, result: VisitResult) -> None:
        self.model.set_result(result)
        self._fit_rows()
        spoken = summary(result)
        if spoken != self.view.accessibleDescription():
            # a screen reader hears what changed (only when it did: not on every keystroke)
            self.view.setAccessibleDescription(spoken)
            announce(self.view, spoken)
        self.explain_button.setEnabled(self.view.currentIndex().isValid())
        errors = len(result.errors)
        others = len(result.warnings) - errors
        label = "&Warnings"
        if errors:
            label += f" ({plural(errors, 'error')}" + (f", {others} more)" if others else ")")
        elif others:
            label += f" ({others})"
        self.label.setText(label)
        self.label.setStyleSheet(error_style() if errors else "")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_rows()  # a narrower list wraps its warnings on more lines

    def _fit_rows(self) -> None:
        """Room for the first two warnings whole (never one and a half: a cut line reads as
        a broken window); more scroll."""
        fm = self.view.fontMetrics()
        icon = self.view.iconSize().width() if self.view.iconSize().isValid() else fm.height()
        width = max(self.view.viewport().width() - max(icon, fm.height() * 2) - 12, 40)
        need = 0
        for warning in self.model.warnings()[:2]:
            text = self.model.data(self.model.index(self.model.warnings().index(warning), 0))
            box = fm.boundingRect(QRect(0, 0, width, 100_000),
                                  int(Qt.TextFlag.TextWordWrap), str(text or ""))
            need += max(box.height(), icon) + 6
        need = max(need, fm.height() * 3)
        self.view.setMinimumHeight(need + self.view.frameWidth() * 2)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        warning = self.model.warning(current.row())
        self.explain_button.setEnabled(warning is not None)
        if warning is not None:
            self.explain_button.setToolTip(f"Explain rule {warning.code} (Enter on the warning)")
        self.warning_selected.emit(warning)

    def _on_activated(self, index: QModelIndex) -> None:
        warning = self.model.warning(index.row())
        if warning is not None:
            self.explain_requested.emit(warning.code)

    def _on_explain_clicked(self) -> None:
        self._on_activated(self.view.currentIndex())
