"""File menu: imports with a preview (clinic codes, licensed descriptors, NCCI table) and
removing an import (favorites/templates bundles: ``bundle_dialogs``).

Dialogs go through small ``ask_*`` functions so tests can replace them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from ptcodes_gui import APP_NAME
from ptcodes_gui.catalog import Catalog
from ptcodes_gui.ui import dialogs
from ptcodes_gui.userdata.imports import (
    KIND_LABELS,
    ImportFileError,
    ImportPreview,
    apply_import,
    limits_for,
    parse_import,
    preview_text,
    remove_import,
)
from ptcodes_gui.userdata.store import IMPORT_KINDS, ImportKind, UserDataError, UserStore

T = TypeVar("T")


class CancelledError(Exception):
    """The user cancelled a long-running step; nothing was changed."""


def run_with_progress(parent: QWidget, label: str, work: Callable[[], T]) -> T:
    """Run ``work`` on a worker thread while the window stays responsive, with a busy
    dialog (shown only if it takes more than ~0.3 s) that can cancel the wait."""
    result: dict[str, object] = {}

    def target() -> None:
        try:
            result["value"] = work()
        except BaseException as exc:  # handed back to the GUI thread below
            result["error"] = exc

    thread = threading.Thread(target=target, name="ptcodes-import", daemon=True)
    thread.start()
    dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAccessibleName("Import progress")
    while thread.is_alive():
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 30)
        thread.join(0.02)
        if dialog.wasCanceled():
            dialog.close()
            raise CancelledError()
    dialog.close()
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result["value"]  # type: ignore[return-value]


CSV_FILTER = "CSV or text files (*.csv *.txt *.tsv);;All files (*)"


def ask_open_file(parent: QWidget, title: str, filters: str = CSV_FILTER) -> Path | None:
    return dialogs.open_file(parent, title, filters, kind="imports")


def ask_save_file(parent: QWidget, title: str, default: str) -> Path | None:
    return dialogs.save_file(parent, title, default, "PT Codes settings (*.json)",
                             kind="settings")


def ask_apply(parent: QWidget, preview: ImportPreview) -> bool:
    """Show what the import would do; True if the user chooses to apply it."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(f"Import preview — {preview.file_name}")
    layout = QVBoxLayout(dialog)
    head = QLabel(
        "Nothing has been changed yet. Apply imports all accepted rows at once; "
        "rejected rows are left out."
        if preview.can_apply
        else "No row of this file can be imported; nothing will be changed."
    )
    head.setWordWrap(True)
    layout.addWidget(head)
    text = QPlainTextEdit(preview_text(preview))
    text.setReadOnly(True)
    text.setAccessibleName("Import preview")
    layout.addWidget(text)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    if preview.can_apply:
        apply_btn = buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        apply_btn.setAccessibleName("Apply the import")
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    dialog.resize(640, 420)
    return dialog.exec() == QDialog.DialogCode.Accepted


def ask_kind(parent: QWidget, title: str, kinds: list[str]) -> str | None:
    labels = [KIND_LABELS[k] for k in kinds]
    label, ok = QInputDialog.getItem(parent, title, "What do you want to import?", labels, 0, False)
    if not ok:
        return None
    return kinds[labels.index(label)]


def _kind(kind: str) -> ImportKind:
    for k in IMPORT_KINDS:
        if k == kind:
            return k
    raise ValueError(f"unknown import kind {kind!r}")


def inform(parent: QWidget, text: str, *, error: bool = False) -> None:
    (QMessageBox.warning if error else QMessageBox.information)(parent, APP_NAME, text)


class DataActions:
    """The File-menu actions; kept as an object so tests can drive each step."""

    def __init__(
        self,
        window: QMainWindow,
        catalog: Catalog,
        store: UserStore,
        on_overlays_changed: Callable[[], None],
    ) -> None:
        self.window = window
        self.catalog = catalog
        self.store = store
        self.on_overlays_changed = on_overlays_changed

    def _writable(self) -> bool:
        if self.store.read_only:
            inform(self.window, f"Changes cannot be saved: {self.store.read_only_reason}.",
                   error=True)
            return False
        return True

    def import_file(self, kind: str | None = None, path: Path | None = None) -> bool:
        """Preview, confirm and apply an import. Returns True if something was applied."""
        if not self._writable():
            return False
        kind = kind or ask_kind(self.window, "Import", list(KIND_LABELS))
        if kind is None:
            return False
        path = path or ask_open_file(self.window, KIND_LABELS[kind])
        if path is None:
            return False
        known = set(self.catalog.all_codes())
        k = _kind(kind)
        current = self.store.overlay_rows(k)
        today = self.store.clock().date()
        try:
            preview = run_with_progress(
                self.window,
                f"Reading {path.name}…",
                lambda: parse_import(k, path, known_codes=known, today=today, current=current,
                                     limits=limits_for(k)),
            )
        except CancelledError:
            self.window.statusBar().showMessage("Import cancelled; nothing changed.", 6000)
            return False
        except (ImportFileError, UserDataError, OSError, ValueError) as exc:
            inform(self.window, f"{path.name} was not imported: {exc}", error=True)
            return False
        if not ask_apply(self.window, preview):
            return False
        try:
            info = apply_import(preview, self.store)
        except (ImportFileError, UserDataError) as exc:
            inform(self.window, f"The import was not applied; nothing changed: {exc}", error=True)
            return False
        self.on_overlays_changed()
        self.window.statusBar().showMessage(
            f"Imported {info.row_count} rows from {info.file_name}", 8000
        )
        return True

    def remove_import(self, kind: str | None = None) -> bool:
        if not self._writable():
            return False
        present = [str(i.kind) for i in self.store.imports_info()]
        if not present:
            inform(self.window, "There is no import to remove; the built-in data is in use.")
            return False
        kind = kind or ask_kind(self.window, "Remove an import", present)
        if kind is None:
            return False
        removed = remove_import(_kind(kind), self.store)
        self.on_overlays_changed()
        self.window.statusBar().showMessage(
            f"Removed the {KIND_LABELS[kind].split(' (')[0].lower()} import" if removed
            else "Nothing to remove", 6000
        )
        return removed


def install_file_menu(
    window: QMainWindow,
    catalog: Catalog,
    store: UserStore,
    *,
    on_overlays_changed: Callable[[], None],
) -> DataActions:
    actions = DataActions(window, catalog, store, on_overlays_changed)
    menu = getattr(window, "file_menu", None) or window.menuBar().addMenu("&File")
    first = menu.actions()[0] if menu.actions() else None
    entries: list[tuple[str, Callable[[], object]]] = [
        ("&Import clinic codes…", lambda: actions.import_file("codes")),
        ("Import licensed &descriptors…", lambda: actions.import_file("descriptors")),
        ("Import &NCCI table…", lambda: actions.import_file("ncci")),
        ("&Remove an import…", actions.remove_import),
    ]
    for text, slot in entries:
        act = QAction(text, window)
        act.triggered.connect(slot)
        menu.insertAction(first, act) if first else menu.addAction(act)
    if first:
        menu.insertSeparator(first)
    return actions
