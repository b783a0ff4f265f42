"""The composition root shared by the window (``app``) and the CLI (``cli``), Qt-free.

``open_session()`` opens the catalog, the user store and the import store, puts the imports
on the catalog, applies the ICD-10-CM release in use and attaches the clinic folder, so
``ptcodes show``, ``ptcodes search`` and ``ptcodes visit`` see exactly what the window sees.

May import: ``clinic``, ``releases``, ``userdata``, ``catalog``, ``domain``. Never Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from ptcodes_gui.catalog import Catalog, open_catalog
from ptcodes_gui.clinic import folder as cf
from ptcodes_gui.clinic.link import ClinicLink, attach_clinic, clinic_dir_for, detach_clinic
from ptcodes_gui.domain.articles import Necessity, profile_mac
from ptcodes_gui.domain.profiles import PayerProfile
from ptcodes_gui.releases import ImportOverlay, ImportStore
from ptcodes_gui.releases import icd as icd_releases
from ptcodes_gui.releases.articles import ImportedArticles
from ptcodes_gui.releases.migrate import migrate_user_overlays
from ptcodes_gui.releases.store import now
from ptcodes_gui.userdata import fee_localities, profile_macs
from ptcodes_gui.userdata.paths import default_data_dir
from ptcodes_gui.userdata.store import StartupMessage, UserStore


@dataclass
class Session:
    catalog: Catalog
    store: UserStore
    imports: ImportStore
    overlay: ImportOverlay
    data_dir: Path
    messages: list[StartupMessage] = field(default_factory=list)
    owns_catalog: bool = True
    #: what was taken from the clinic folder (``clinic.attach_clinic``), if one is set
    clinic: ClinicLink | None = None
    _articles: dict[str, ImportedArticles] = field(default_factory=dict, repr=False)

    def close(self) -> None:
        for articles in self._articles.values():
            articles.close()
        self._articles.clear()
        if self.clinic is not None:
            detach_clinic(self)
        if self.catalog.overlay is self.overlay:
            self.catalog.set_overlay(None)
        self.overlay.close()
        self.imports.close()
        self.store.close()
        if self.owns_catalog:
            self.catalog.close()

    def mac(self, profile: PayerProfile) -> str | None:
        """The profile's MAC: chosen by name (for this run, else in the settings), else its
        Medicare locality's first five digits."""
        chosen = profile.mac or profile_macs.chosen_mac(self.store, profile.name)
        return profile_mac(chosen, fee_localities.locality_for(self.store, profile.name))

    def articles(self) -> ImportedArticles | None:
        """The imported MCD articles: this workstation's import, else the clinic's."""
        stores = [self.imports, *([self.clinic.store] if self.clinic and self.clinic.store
                                  else [])]
        live = {str(s.path) if s.path is not None else str(id(s)): s for s in stores}
        for gone in [key for key in self._articles if key not in live]:
            self._articles.pop(gone).close()  # a clinic release replaced by a newer one
        for key, store in live.items():
            if any(r.source == "mcd" for r in store.releases()):
                if key not in self._articles:
                    self._articles[key] = ImportedArticles(store)
                return self._articles[key]
        return None

    def necessity(self, profile: PayerProfile) -> Necessity | None:
        """What the medical-necessity rules check ``profile``'s visits against: None when
        the profile does not apply the articles, has no MAC, or none are imported."""
        opted_in = profile_macs.applies_articles(self.store, profile.name)
        mac = self.mac(profile) if profile.uses_articles or opted_in else None
        articles = self.articles() if mac else None
        if mac is None or articles is None:
            return None
        return Necessity(articles, mac, articles.contractor_name(mac) or "", opted_in)

    def reload_imports(self) -> None:
        """After an import was applied or removed (the overlay reads per request, so this
        only drops what the catalog may have cached)."""
        self.catalog.set_overlay(self.overlay)


def open_imports(data_dir: Path, store: UserStore,
                 clock: Callable[[], datetime] | None = None
                 ) -> tuple[ImportStore, ImportOverlay, list[StartupMessage]]:
    """The import store of ``data_dir`` (read-only when the user store is), with the old
    overlays of ``user.sqlite`` moved in on first open."""
    imports = ImportStore.open(
        data_dir, read_only=store.read_only_reason if store.read_only else None,
        clock=clock or now)
    messages = [StartupMessage("info", text) for text in migrate_user_overlays(store, imports)]
    return imports, ImportOverlay(imports), messages


def open_session(
    data_dir: Path | None = None,
    catalog_path: Path | None = None,
    *,
    catalog: Catalog | None = None,
    clock: Callable[[], datetime] | None = None,
    clinic: Literal["sync", "cache", "none"] = "sync",
) -> Session:
    """Open everything a window or a CLI command needs. Raises ``CatalogError`` when the
    catalog cannot be opened; the data folder never makes it fail (see ``UserStore.open``)."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    cat = catalog if catalog is not None else open_catalog(catalog_path)
    store, messages = (UserStore.open(data_dir, clock=clock) if clock is not None
                       else UserStore.open(data_dir))
    imports, overlay, moved = open_imports(data_dir, store, clock)
    cat.set_overlay(overlay)
    icd_releases.apply_active(cat, data_dir)  # an imported ICD-10-CM release, if one is in use
    session = Session(cat, store, imports, overlay, data_dir, [*messages, *moved],
                      owns_catalog=catalog is None)
    if clinic != "none":
        # ``clinic="cache"`` (the window): start on the local copy at once and let the
        # window sync in the background; the CLI syncs first. The clinic folder's state
        # (offline, since when) is shown in the status bar and ``ptcodes clinic status``,
        # not as a start-up dialog on every start.
        clinic_dir, problems = clinic_dir_for(session)
        session.messages += [StartupMessage("warning", text) for text in problems]
        if clinic_dir is not None:
            status = cf.cached(clinic_dir, data_dir) if clinic == "cache" else None
            attach_clinic(session, clinic_dir, status=status)
    return session
