"""File menu: imports through the one pipeline (CMS files, clinic lists) with progress,
Cancel and a preview; dropping files on the window; removing an import (favorites and
templates bundles: ``bundle_dialogs``).

Dialogs go through small ``ask_*`` functions so tests can replace them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QMainWindow,
    QWidget,
)

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.releases import (
    ImportCancelled,
    ImportContext,
    ImportFileError,
    ImportPreview,
    ImportStore,
    all_readers,
    apply_import,
    nothing_imported,
    preview_import,
    preview_text,
    remove_import,
)
from ptcodes_gui.ui import dialogs, long_work
from ptcodes_gui.ui.long_work import CancelledError, ask_apply_text, inform
from ptcodes_gui.userdata.store import UserDataError, UserStore

T = TypeVar("T")


def run_with_progress(
    parent: QWidget,
    label: str,
    work: Callable[[Callable[[int, int], None], Callable[[], bool]], T],
    *,
    cancellable: bool = True,
) -> T:
    """``long_work.run_with_progress`` for the pipeline: Cancel waits for the worker to
    stop (it cleans up after itself), a preview staged meanwhile is discarded, and the
    pipeline's own ``ImportCancelled`` becomes ``CancelledError``."""

    def discard(value: object) -> None:
        if isinstance(value, ImportPreview):
            value.discard()

    try:
        return long_work.run_with_progress(parent, label, work, cancellable=cancellable,
                                           name="Import progress", discard=discard)
    except ImportCancelled:
        raise CancelledError() from None


FILES_FILTER = (
    "CMS files and clinic lists (*.zip *.txt *.TXT *.csv *.xlsx *.tsv);;All files (*)"
)


def ask_open_files(parent: QWidget, title: str, filters: str = FILES_FILTER) -> list[Path]:
    """Choose one or more files (the zips as downloaded), starting where the last were."""
    names, _ = QFileDialog.getOpenFileNames(parent, title, dialogs.FOLDERS.folder("imports"),
                                            filters)
    if names:
        dialogs.FOLDERS.remember("imports", Path(names[0]))
    return [Path(n) for n in names]


def ask_open_file(parent: QWidget, title: str, filters: str = FILES_FILTER) -> Path | None:
    return dialogs.open_file(parent, title, filters, kind="imports")


def ask_save_file(parent: QWidget, title: str, default: str) -> Path | None:
    return dialogs.save_file(parent, title, default, "PT Codes settings (*.json)",
                             kind="settings")



def ask_apply(parent: QWidget, preview: ImportPreview) -> bool:
    """Show what the import would do; True if the user chooses to apply it."""
    head = (
        "Nothing has been changed yet. Apply imports all accepted rows at once; "
        "rejected rows are left out."
        if preview.can_apply
        else "No row of these files can be imported; nothing will be changed."
    )
    return ask_apply_text(parent, f"Import preview — {preview.file_name}", head,
                          preview_text(preview), can_apply=preview.can_apply)


def ask_source(parent: QWidget, title: str, names: list[str]) -> str | None:
    sources = all_readers()
    labels = [sources[n].title for n in names]
    label, ok = QInputDialog.getItem(parent, title, "Which import?", labels, 0, False)
    if not ok:
        return None
    return names[labels.index(label)]


class DataActions:
    """The File-menu actions; kept as an object so tests can drive each step."""

    def __init__(
        self,
        window: QMainWindow,
        catalog: Catalog,
        store: UserStore,
        imports: ImportStore,
        on_overlays_changed: Callable[[], None],
    ) -> None:
        self.window = window
        self.catalog = catalog
        self.store = store
        self.imports = imports
        self.on_overlays_changed = on_overlays_changed
        self.dropper: QObject | None = None
        #: ICD-10-CM release files picked or dropped (ui/codesets_actions.py sets it)
        self.icd_import: Callable[[list[Path]], bool] | None = None

    def _writable(self) -> bool:
        reason = self.store.read_only_reason if self.store.read_only else (
            self.imports.read_only_reason)
        if reason:
            inform(self.window, f"Changes cannot be saved: {reason}.", error=True)
            return False
        return True

    def import_file(self, kind: str | None = None, path: Path | None = None) -> bool:
        """Pick files (of ``kind``, or any kind: recognised from their content), preview,
        confirm and apply. True if something was applied."""
        if not self._writable():
            return False
        title = all_readers()[kind].title if kind else "Import CMS files or clinic lists"
        paths = [path] if path is not None else ask_open_files(self.window, title)
        if not paths:
            return False
        return self.import_paths(paths, kind)

    def import_paths(self, paths: list[Path], kind: str | None = None) -> bool:
        if not self._writable():
            return False
        if kind is None and self.icd_import is not None and all(
                "icd10cm" in p.name.lower() for p in paths):
            return self.icd_import(paths)  # an ICD-10-CM release has its own database
        context = ImportContext.from_store(self.imports, self.catalog.all_codes(),
                                           diagnoses=self.catalog.billable_diagnoses)
        names = ", ".join(p.name for p in paths)
        try:
            preview = run_with_progress(
                self.window, f"Reading {names}…",
                lambda on_progress, cancelled: preview_import(
                    paths, context, source=kind, on_progress=on_progress, cancelled=cancelled),
            )
        except CancelledError:
            self.window.statusBar().showMessage("Import cancelled; nothing changed.", 6000)
            return False
        except (ImportFileError, UserDataError, OSError, ValueError) as exc:
            inform(self.window, nothing_imported(exc), error=True)
            return False
        try:
            if not ask_apply(self.window, preview):
                return False
            info = run_with_progress(
                self.window, "Saving the import…",
                lambda _p, _c: apply_import(preview, self.imports), cancellable=False)
        except (ImportFileError, UserDataError) as exc:
            inform(self.window, f"The import was not applied; nothing changed: {exc}", error=True)
            return False
        finally:
            preview.discard()
        self.on_overlays_changed()
        self.window.statusBar().showMessage(
            f"Imported {info.label}: {info.rows:,} rows from {', '.join(info.files)}", 8000
        )
        return True

    def remove_import(self, kind: str | None = None) -> bool:
        if not self._writable():
            return False
        present = [r.source for r in self.imports.releases() if r.source in all_readers()]
        if not present:
            inform(self.window, "There is no import to remove; the built-in data is in use.")
            return False
        kind = kind or ask_source(self.window, "Remove an import", present)
        if kind is None:
            return False
        removed = remove_import(kind, self.imports)
        self.on_overlays_changed()
        self.window.statusBar().showMessage(
            f"Removed the {all_readers()[kind].title} import" if removed else "Nothing to remove",
            6000,
        )
        return removed


class _DropImports(QObject):
    """Files (the zips as downloaded) dropped on the window start the same import."""

    def __init__(self, actions: DataActions) -> None:
        super().__init__(actions.window)
        self.actions = actions

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(event, QDropEvent) or not event.mimeData().hasUrls():
            return False
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return False
        event.acceptProposedAction()
        if not isinstance(event, QDragMoveEvent):  # enter and move events are drop events too
            self.actions.import_paths(paths)
        return True


def install_file_menu(
    window: QMainWindow,
    catalog: Catalog,
    store: UserStore,
    *,
    imports: ImportStore,
    on_overlays_changed: Callable[[], None],
) -> DataActions:
    actions = DataActions(window, catalog, store, imports, on_overlays_changed)
    menu = getattr(window, "file_menu", None) or window.menuBar().addMenu("&File")
    first = menu.actions()[0] if menu.actions() else None
    entries: list[tuple[str, Callable[[], object]]] = [
        ("&Import CMS files or clinic lists…", lambda: actions.import_file(None)),
    ]
    def importer(name: str) -> Callable[[], object]:
        return lambda: actions.import_file(name)

    for name, src in all_readers().items():
        entries.append((f"Import {src.title}…", importer(name)))
    entries += [
        ("&Remove an import…", actions.remove_import),
    ]
    for text, slot in entries:
        act = QAction(text, window)
        act.triggered.connect(slot)
        menu.insertAction(first, act) if first else menu.addAction(act)
    if first:
        menu.insertSeparator(first)
    window.setAcceptDrops(True)
    actions.dropper = _DropImports(actions)
    window.installEventFilter(actions.dropper)
    return actions
