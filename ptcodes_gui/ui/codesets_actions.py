"""The window's parts for the code sets and the fee schedule.

File → Import an ICD-10-CM release (off the GUI thread, preview, asks before going back to an
older release), Help → Data sources, the superseded notice in the status bar and About, and
the visit's estimate (its locality is chosen in the visit's payer bar, ``ui.visit.payer_bar``).
``window_setup.build_main_window`` calls :func:`install_codeset_actions`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.domain.fees import VisitEstimate, estimate_visit
from ptcodes_gui.domain.profiles import PayerProfile
from ptcodes_gui.domain.provenance import DataSource
from ptcodes_gui.domain.rules.context import FeeLookup
from ptcodes_gui.domain.rules.mppr import SchedulePracticeExpense
from ptcodes_gui.domain.visit import VisitResult
from ptcodes_gui.releases import ImportStore, data_sources, remove_import
from ptcodes_gui.releases import icd as icd_releases
from ptcodes_gui.ui.data_dialogs import ask_open_files, run_with_progress
from ptcodes_gui.ui.long_work import CancelledError, inform
from ptcodes_gui.ui.main_window import MainWindow
from ptcodes_gui.ui.visit.panel import VisitPanel
from ptcodes_gui.userdata import fee_localities
from ptcodes_gui.userdata.store import UserStore

ICD_FILTER = "ICD-10-CM release (*.zip *.txt *.xml);;All files (*)"


def ask_yes(parent: QWidget, title: str, text: str, details: str = "") -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    if details:
        box.setDetailedText(details)
    return box.exec() == QMessageBox.StandardButton.Yes


class CodesetActions:
    """What the window does for ICD-10-CM releases, localities and data sources."""

    def __init__(self, window: MainWindow, catalog: Catalog, store: UserStore,
                 imports: ImportStore, panel: VisitPanel | None,
                 on_changed: Callable[[], None]) -> None:
        self.window = window
        self.catalog = catalog
        self.store = store
        self.imports = imports
        self.panel = panel
        self.on_changed = on_changed
        self.data_dir = Path(store.data_dir)
        self.ask = ask_yes  # tests replace it
        #: the catalog of an older release a dated visit uses: (its database, it)
        self._dated: tuple[Path | None, Catalog] | None = None

    # ------------------------------------------------------------- ICD-10-CM

    def import_icd(self, paths: list[Path] | None = None) -> bool:
        paths = paths or ask_open_files(self.window, "Import an ICD-10-CM release", ICD_FILTER)
        if not paths:
            return False
        try:
            preview = run_with_progress(
                self.window, "Reading the ICD-10-CM release…",
                lambda _p, _c: icd_releases.preview_icd_import(
                    paths, self.catalog, self.data_dir))
        except CancelledError:
            return False
        except icd_releases.IcdImportError as exc:
            inform(self.window, str(exc), error=True)
            return False
        info = preview.release.info
        if not self.ask(self.window, "Import ICD-10-CM", f"Import {info.label}?",
                        preview.text()):
            return False
        older = preview.older and preview.current is not None
        if older and not self.ask(
            self.window, "Go back to an older release?",
            f"{info.label} is older than {preview.current.label if preview.current else ''} "
            "in use. Go back to it?",
        ):
            return False
        self.forget_dated()
        try:
            run_with_progress(
                self.window, "Building the diagnosis index…",
                lambda _p, _c: icd_releases.apply_icd_import(
                    preview, self.catalog, self.data_dir, allow_older=older),
                cancellable=False)
        except icd_releases.IcdImportError as exc:
            inform(self.window, str(exc), error=True)
            return False
        self.refresh_notice()
        self.on_changed()
        self.window.statusBar().showMessage(f"{info.label} is now in use.", 8000)
        return True

    def diagnoses_on(self, on: date) -> tuple[Catalog | None, str]:
        """The visit's ``dated`` hook: the catalog of the ICD-10-CM release in force on
        ``on`` (None: the one in use) and what the visit shows beside its date: which
        release, and each data source superseded by ``on`` or not in force yet (once, as
        ``ptcodes visit`` does)."""
        found, note = self._release_on(on)
        notices = data_sources.visit_notices(self.catalog, self.data_dir,
                                             self.imports.releases(), on)
        return found, " ".join(t for t in (note, *notices) if t)

    def _release_on(self, on: date) -> tuple[Catalog | None, str]:
        """The catalog of the ICD-10-CM release in force on ``on``; the one other release
        open is kept until another date needs another one."""
        found = icd_releases.release_for(on, self.catalog, self.data_dir)
        if found is not None and found[0] == self.catalog.icd_release_path:
            self.forget_dated()
            return None, ""
        if found is not None and self._dated is not None and self._dated[0] == found[0]:
            self._dated[1].set_overlay(self.catalog.overlay)  # the imports may have changed
            return self._dated[1], f"Diagnoses checked against {found[1]}, in force on {on}."
        self.forget_dated()
        other, note = icd_releases.diagnoses_on(on, self.catalog, self.data_dir)
        if other is not None and found is not None:
            other.set_overlay(self.catalog.overlay)
            self._dated = (found[0], other)
        return other, note

    def forget_dated(self) -> None:
        """Close the older release's catalog (an import may replace its file)."""
        if self._dated is not None:
            self._dated[1].close()
            self._dated = None

    def refresh_notice(self, today: date | None = None) -> None:
        notice = icd_releases.superseded_notice(self.catalog, self.data_dir,
                                                today or date.today())
        self.window.set_data_notice(notice or "")

    # ------------------------------------------------------------- estimate

    def fees(self, profile: PayerProfile, on: date | None = None) -> FeeLookup | None:
        schedule = self.catalog.fee_schedule()
        if schedule is not None and not schedule.in_force_on(on):
            return None  # dated after the visit: it does not price it
        locality = fee_localities.locality_for(self.store, profile.name)
        found = schedule.locality(locality) if schedule is not None and locality else None
        return SchedulePracticeExpense(schedule, found) if schedule and found else None

    def estimate(self, result: VisitResult, profile: PayerProfile,
                 on: date | None = None) -> VisitEstimate | None:
        schedule = self.catalog.fee_schedule()
        if schedule is not None and not schedule.in_force_on(on):
            return None
        locality = fee_localities.locality_for(self.store, profile.name)
        if schedule is None or locality is None or schedule.locality(locality) is None:
            return None
        return estimate_visit(result.claim_lines, schedule, locality)

    # ------------------------------------------------------------- data sources

    def sources(self) -> list[DataSource]:
        return data_sources.data_sources(self.catalog, self.data_dir, self.imports.releases())

    def remove(self, key: str) -> bool:
        self.forget_dated()
        removed = data_sources.remove_source(
            key, self.catalog, self.data_dir, lambda source: remove_import(source, self.imports))
        self.refresh_notice()
        self.on_changed()
        return removed


def install_codeset_actions(window: MainWindow, catalog: Catalog, store: UserStore,
                            imports: ImportStore, panel: VisitPanel | None,
                            on_changed: Callable[[], None]) -> CodesetActions:
    actions = CodesetActions(window, catalog, store, imports, panel, on_changed)
    menu = window.file_menu
    first = menu.actions()[0] if menu.actions() else None
    act = QAction("Import an ICD-10-CM release…", window)
    act.triggered.connect(lambda _=False: actions.import_icd())
    menu.insertAction(first, act) if first else menu.addAction(act)
    window.data_sources = (actions.sources, actions.remove)
    data_actions = getattr(window, "data_actions", None)
    if data_actions is not None:  # File → Import and dropped files route ICD-10-CM releases
        data_actions.icd_import = actions.import_icd
    actions.refresh_notice()
    if panel is not None:
        panel.estimator = actions.estimate
        panel.editor.fees = actions.fees
        panel.editor.dated = actions.diagnoses_on
        panel.refresh()
    return actions
