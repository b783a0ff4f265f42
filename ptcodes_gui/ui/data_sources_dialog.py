"""Help → Data sources: every source in use, shipped or imported, with Remove for imports.

The dialog receives plain rows (``domain.provenance.DataSource``) from the composition
(``data_sources.py`` builds the same list for ``ptcodes info --json``) and a ``remove``
callback; it never reads a database itself. After a Remove it asks for the rows again, so
what it shows is what is in use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ptcodes_gui.domain.provenance import DataSource
from ptcodes_gui.ui.accessibility import describe_dialog

COLUMNS = ("Source", "Version", "Effective", "Superseded", "Files", "Rows", "Imported", "")


class DataSourcesDialog(QDialog):
    """A table of sources and a Remove button on each imported one."""

    def __init__(
        self,
        rows: Callable[[], Sequence[DataSource]],
        remove: Callable[[str], bool],
        parent: QWidget | None = None,
        *,
        confirm: Callable[[QWidget, str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Data sources")
        self.setAccessibleName("Data sources")
        self.resize(980, 380)
        self._rows = rows
        self._remove = remove
        self._confirm = confirm or _ask
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.notes = QLabel(self)
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.notes)
        layout.addWidget(buttons)
        self.remove_buttons: dict[str, QPushButton] = {}
        self.refresh()
        describe_dialog(self)

    def refresh(self) -> None:
        rows = list(self._rows())
        self.table.setRowCount(len(rows))
        self.remove_buttons = {}
        for r, row in enumerate(rows):
            cells = (
                row.name, row.version, row.effective or "", _superseded_cell(row),
                ", ".join(row.files), "" if row.rows is None else f"{row.rows:,}",
                row.imported_at or "shipped",
            )
            tip = "\n".join(t for t in (
                row.note, f"Released {row.cadence}." if row.cadence else "",
                f"Next: {row.fix}." if row.fix else "") if t)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if tip:
                    item.setToolTip(tip)
                self.table.setItem(r, c, item)
            if row.removable:
                button = QPushButton("Remove", self.table)
                button.setAccessibleName(f"Remove {row.name}")
                button.clicked.connect(lambda _=False, row=row: self._on_remove_clicked(row))
                self.table.setCellWidget(r, len(COLUMNS) - 1, button)
                self.remove_buttons[row.key] = button
            else:
                self.table.removeCellWidget(r, len(COLUMNS) - 1)
        self.notes.setText("\n".join(row.note for row in rows if row.note))

    def _on_remove_clicked(self, row: DataSource) -> None:
        question = (
            f"Remove the imported {row.name} ({row.version})? The shipped data (or nothing, "
            "for a source PT Codes does not ship) is used again."
        )
        if not self._confirm(self, question):
            return
        self._remove(row.key)
        self.refresh()


def _superseded_cell(row: DataSource, today: date | None = None) -> str:
    """The "superseded on" date with the source's state today ("2026-10-01 (superseded)")."""
    state = row.state(today or date.today())
    if not row.superseded:
        return "" if state in ("current", "undated") else state
    return row.superseded if state == "current" else f"{row.superseded} ({state})"


def _ask(parent: QWidget, question: str) -> bool:
    answer = QMessageBox.question(parent, "Remove import", question)
    return answer == QMessageBox.StandardButton.Yes


def show_data_sources(
    rows: Callable[[], Sequence[DataSource]],
    remove: Callable[[str], bool],
    parent: QWidget | None = None,
) -> None:
    DataSourcesDialog(rows, remove, parent).exec()
