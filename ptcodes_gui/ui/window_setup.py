"""Builds the main window with its visit panel and File menu; applies user overlays."""

from __future__ import annotations

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.ui.bundle_dialogs import install_bundle_menu
from ptcodes_gui.ui.data_dialogs import install_file_menu
from ptcodes_gui.ui.main_window import MainWindow
from ptcodes_gui.ui.store_status import watch_pending_writes
from ptcodes_gui.ui.visit_panel import VisitPanel
from ptcodes_gui.userdata.store import UserStore


def apply_overlays(catalog: Catalog, store: UserStore) -> None:
    """Imported clinic codes, licensed descriptors and NCCI tables sit on top of the
    shipped catalog in memory; the catalog file itself is never written."""
    catalog.set_clinic_codes(store.overlay_codes())
    catalog.set_descriptors(store.overlay_descriptors())
    catalog.set_ncci_pairs(store.overlay_ncci())


def build_main_window(catalog: Catalog, store: UserStore) -> MainWindow:
    panel = VisitPanel(catalog, store)
    window = MainWindow(catalog, store, visit_panel=panel)
    panel.message.connect(lambda text: window.statusBar().showMessage(text, 6000))
    def refresh() -> None:
        apply_overlays(catalog, store)
        window.run_search()
        panel.refresh()

    window.data_actions = install_file_menu(
        window, catalog, store, on_overlays_changed=refresh
    )
    install_bundle_menu(window, store, on_changed=refresh)  # the menu actions keep it alive
    watch_pending_writes(window, store)  # parented to the window
    if store.read_only:
        window.statusBar().showMessage(
            f"Changes cannot be saved: {store.read_only_reason}", 0
        )
    return window
