"""Builds the main window with its visit panel and File menu; puts the imports on the catalog."""

from __future__ import annotations

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.releases import ImportOverlay, ImportStore
from ptcodes_gui.releases.migrate import migrate_user_overlays
from ptcodes_gui.ui.accessibility import describe_window
from ptcodes_gui.ui.bundle_dialogs import install_bundle_menu
from ptcodes_gui.ui.codesets_actions import install_codeset_actions
from ptcodes_gui.ui.data_dialogs import install_file_menu
from ptcodes_gui.ui.main_window import MainWindow
from ptcodes_gui.ui.store_status import watch_pending_writes
from ptcodes_gui.ui.theme_choice import install_theme_menu
from ptcodes_gui.ui.visit_panel import VisitPanel
from ptcodes_gui.userdata.store import UserStore


def open_import_store(store: UserStore) -> ImportStore:
    """The import store of the user's data folder (read-only when the user store is), with
    imports made by earlier versions moved in from ``user.sqlite`` on first open."""
    imports = ImportStore.open(
        store.data_dir, read_only=store.read_only_reason if store.read_only else None)
    migrate_user_overlays(store, imports)
    return imports


def apply_overlays(catalog: Catalog, store: UserStore,
                   imports: ImportStore | None = None) -> ImportStore:
    """Imported releases (``imports.sqlite``) sit on top of the shipped catalog and are read
    per request; the catalog file itself is never written."""
    imports = imports or open_import_store(store)
    catalog.set_clinic_codes([])
    catalog.set_descriptors({})
    catalog.set_ncci_pairs(None)
    catalog.set_overlay(ImportOverlay(imports))
    return imports


def build_main_window(catalog: Catalog, store: UserStore,
                      imports: ImportStore | None = None) -> MainWindow:
    imports = imports or apply_overlays(catalog, store)
    panel = VisitPanel(catalog, store)
    window = MainWindow(catalog, store, visit_panel=panel)
    panel.message.connect(lambda text: window.statusBar().showMessage(text, 6000))
    def refresh() -> None:
        window.run_search()
        panel.refresh()

    window.data_actions = install_file_menu(
        window, catalog, store, imports=imports, on_overlays_changed=refresh
    )
    window.bundle_actions = install_bundle_menu(  # type: ignore[attr-defined]
        window, store, on_changed=refresh)
    watch_pending_writes(window, store)  # parented to the window
    install_theme_menu(window, store)  # View → Theme, the stored choice applied
    describe_window(window)  # accessible names and descriptions (screen readers)
    window.codeset_actions = install_codeset_actions(  # type: ignore[attr-defined]
        window, catalog, store, imports, panel, on_changed=refresh)
    if store.read_only:
        window.statusBar().showMessage(
            f"Changes cannot be saved: {store.read_only_reason}", 0
        )
    return window
