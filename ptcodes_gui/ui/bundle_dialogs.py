"""File menu: export and import of favorites, templates and payer profiles (bundles).

Reading and writing the file run on a worker thread (a large bundle never freezes the
window); the import shows a preview of what it would add and replace before anything is
changed. Dialogs go through small ``ask_*`` functions so tests can replace them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QMainWindow,
    QWidget,
)

from ptcodes_gui.ui import dialogs
from ptcodes_gui.ui.long_work import CancelledError, ask_apply_text, inform, run_off_thread
from ptcodes_gui.userdata import bundles
from ptcodes_gui.userdata.bundles import BundlePreview
from ptcodes_gui.userdata.store import UserDataError, UserStore

T = TypeVar("T")
BUNDLE_FILTER = "PT Codes settings (*.json);;All files (*)"


def ask_open_file(parent: QWidget, title: str) -> Path | None:
    return dialogs.open_file(parent, title, BUNDLE_FILTER, kind="settings")


def ask_save_file(parent: QWidget, title: str, default: str) -> Path | None:
    return dialogs.save_file(parent, title, default, BUNDLE_FILTER, kind="settings")


def ask_apply(parent: QWidget, preview: BundlePreview) -> bool:
    """Show what the import would add and replace; True if the user applies it."""
    head = "Nothing has been changed yet. Apply adds everything listed" + (
        " and OVERWRITES the templates or profiles marked replaced."
        if preview.replaces_anything else ".")
    return ask_apply_text(parent, f"Import preview — {preview.bundle.file_name}", head,
                          preview.text())


class BundleActions:
    """Export / import of favorites, templates and profiles; tests drive each step."""

    def __init__(self, window: QMainWindow, store: UserStore,
                 on_changed: Callable[[], None]) -> None:
        self.window = window
        self.store = store
        self.on_changed = on_changed

    def export_settings(self, path: Path | None = None) -> bool:
        path = path or ask_save_file(self.window, "Export favorites, templates and profiles",
                                     "ptcodes-settings.json")
        if path is None:
            return False
        target = path
        try:
            text = self.store.export_text()  # on the store's thread
            run_off_thread(self.window, f"Writing {target.name}…",
                           lambda: bundles.write_exclusive(target, text))
        except CancelledError:
            self.window.statusBar().showMessage("Export still finishing in the background.")
            return False
        except (UserDataError, OSError) as exc:
            inform(self.window, f"Export failed: {exc}", error=True)
            return False
        self.window.statusBar().showMessage(f"Exported to {path}", 6000)
        return True

    def import_settings(self, path: Path | None = None) -> bool:
        if self.store.read_only:
            inform(self.window, f"Changes cannot be saved: {self.store.read_only_reason}.",
                   error=True)
            return False
        path = path or ask_open_file(self.window, "Import favorites, templates and profiles")
        if path is None:
            return False
        source, now = path, self.store.clock()
        try:
            bundle = run_off_thread(self.window, f"Reading {source.name}…",
                                    lambda: bundles.read_bundle(source, now))
            preview = self.store.preview_bundle(bundle)
        except CancelledError:
            self.window.statusBar().showMessage("Import cancelled; nothing changed.", 6000)
            return False
        except (UserDataError, OSError, ValueError, MemoryError) as exc:
            inform(self.window, f"{path.name} was not imported; nothing changed: {exc}",
                   error=True)
            return False
        if not ask_apply(self.window, preview):
            self.window.statusBar().showMessage("Import cancelled; nothing changed.", 6000)
            return False
        try:
            summary = self.store.apply_bundle(bundle)
        except UserDataError as exc:
            inform(self.window, f"{path.name} was not imported; nothing changed: {exc}",
                   error=True)
            return False
        self.on_changed()
        inform(
            self.window,
            f"Imported from {path.name}: {summary.favorites_added} "
            f"favorite{'' if summary.favorites_added == 1 else 's'} added; "
            f"templates added {len(summary.templates_added)}, replaced "
            f"{len(summary.templates_replaced)}; profiles added {len(summary.profiles_added)}, "
            f"replaced {len(summary.profiles_replaced)}.",
        )
        return True


def install_bundle_menu(
    window: QMainWindow, store: UserStore, *, on_changed: Callable[[], None]
) -> BundleActions:
    """Add the two bundle entries to the File menu, just above its last entry (Quit)."""
    actions = BundleActions(window, store, on_changed)
    menu = getattr(window, "file_menu", None) or window.menuBar().addMenu("&File")
    existing = menu.actions()
    last = existing[-1] if existing else None
    for text, slot in (
        ("&Export favorites and templates…", actions.export_settings),
        ("Import &favorites and templates…", actions.import_settings),
    ):
        act = QAction(text, window)
        act.triggered.connect(lambda _checked=False, s=slot: s())
        if last is not None:
            menu.insertAction(last, act)
        else:
            menu.addAction(act)
    if last is not None:
        menu.insertSeparator(last)
    return actions
