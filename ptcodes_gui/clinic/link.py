"""One clinic, many workstations: publish this PC's imports and set-up, use the clinic's.

Composition code (Qt-free, like ``session.py``): it joins the clinic folder
(``userdata.clinic_folder``: atomic, versioned publishing and a verified local cache) with a
session's stores.

What is published: this workstation's import store (``imports.sqlite``: NCCI, MUE, the
telehealth list, clinic codes, licensed descriptors, and every later source the pipeline
stores there), its ICD-10-CM release in use (``icd10cm.sqlite``), and the clinic defaults
(``defaults.json``: payer profiles with their locality, templates, favorites, in the
export-bundle format): the ones this PC shows, its own and those it read from the clinic
folder, so a publish from any workstation never drops what the clinic already shared.

What a reader uses: for each import source, its own import when it has one, else the
clinic's (``LayeredOverlay``); the clinic's ICD-10-CM release unless it imported one
itself; the clinic's profiles, templates and favorites after its own
(``UserStore.set_clinic_defaults``). Everything is read from the local cache, so the app
works the same when the share is offline, and says since when.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.clinic import folder as cf
from ptcodes_gui.clinic import untrusted
from ptcodes_gui.clinic.layer import LayeredOverlay
from ptcodes_gui.domain.fees import parse_locality_id
from ptcodes_gui.releases import ImportOverlay, ImportStore
from ptcodes_gui.userdata import fee_localities
from ptcodes_gui.userdata.bundles import BUNDLE_FORMAT, BUNDLE_VERSION, read_bundle
from ptcodes_gui.userdata.clinic_defaults import NO_DEFAULTS, ClinicDefaults
from ptcodes_gui.userdata.config import CLINIC_DIR_SETTING, clinic_folder_setting
from ptcodes_gui.userdata.errors import BundleError
from ptcodes_gui.userdata.store import UserStore

__all__ = [
    "ClinicLink", "PublishJob", "attach_clinic", "clinic_dir_for", "detach_clinic",
    "prepare_publish", "publish_clinic", "run_publish",
]


class Session(Protocol):
    """What this module needs of ``ptcodes_gui.session.Session`` (which imports this
    module, so it is named by its shape here: no import cycle)."""

    catalog: Catalog
    store: UserStore
    imports: ImportStore
    overlay: ImportOverlay
    data_dir: Path
    clinic: ClinicLink | None


class ClinicLink:
    """What a session took from the clinic folder (kept on ``Session.clinic``)."""

    def __init__(self, status: cf.ClinicStatus, store: ImportStore | None,
                 overlay: ImportOverlay | None, icd_release: Path | None) -> None:
        self.status = status
        self.store = store
        self.overlay = overlay
        self.icd_release = icd_release

    def close(self) -> None:
        if self.overlay is not None:
            self.overlay.close()
        if self.store is not None:
            self.store.close()

    def describe(self) -> str:
        """One line for the status bar and ``ptcodes clinic status``."""
        s = self.status
        if s.folder is None:
            return "No clinic folder is set."
        if s.release is None:
            return s.message or f"Clinic folder {s.folder}: nothing published yet."
        when = s.release.published_at[:16].replace("T", " ")
        text = (f"Clinic data from {s.folder}: release {s.release.seq} published {when} "
                f"by {s.release.publisher}.")
        return f"{text} {s.message}" if s.message else text


def clinic_dir_for(session: Session) -> tuple[Path | None, list[str]]:
    """The clinic folder this session should use (environment, Preferences, machine
    config, in that order) and any problems with the settings."""
    preference = session.store.get_setting(CLINIC_DIR_SETTING)
    setting = clinic_folder_setting(preference)
    return setting.path, list(setting.messages)


def attach_clinic(session: Session, clinic_dir: Path | None, *,
                  status: cf.ClinicStatus | None = None) -> ClinicLink:
    """Put the clinic's data under the session's own: from ``status`` when given (the
    window passes the cache's state, or a background sync's result), else after syncing
    the local cache with ``clinic_dir`` now. Never raises: problems are in
    ``link.status.message``."""
    if session.clinic is not None:
        detach_clinic(session)
    if status is None:
        status = cf.sync(clinic_dir, session.data_dir)
    store: ImportStore | None = None
    overlay: ImportOverlay | None = None
    imports_file = _usable(status.file("imports.sqlite"))
    if imports_file is not None:
        store = ImportStore.open_path(imports_file, read_only="it comes from the clinic folder",
                                      guard=untrusted.guard)
        overlay = ImportOverlay(store)
    session.catalog.set_overlay(LayeredOverlay(session.overlay, overlay))
    icd = _usable(status.file("icd10cm.sqlite"))
    if icd is not None and _own_icd_release(session) is None:
        _use_icd(session, icd, guard=True)
    else:
        icd = None
    session.store.set_clinic_defaults(_read_defaults(status))
    link = ClinicLink(status, store, overlay, icd)
    session.clinic = link
    return link


def detach_clinic(session: Session) -> None:
    link = session.clinic
    if link is None:
        return
    session.catalog.set_overlay(session.overlay)
    if link.icd_release is not None:
        _use_icd(session, _own_icd_release(session))
    session.store.set_clinic_defaults(None)
    link.close()
    session.clinic = None


def _own_icd_release(session: Session) -> Path | None:
    from ptcodes_gui.releases import icd as icd_releases

    return icd_releases.active_path(session.data_dir)


def _usable(path: Path | None) -> Path | None:
    """A cached clinic database, unless its schema holds what PT Codes never publishes (a
    cache fetched by an older version is checked again here)."""
    if path is None or untrusted.schema_problem(path) is not None:
        return None
    return path


def _use_icd(session: Session, path: Path | None, *, guard: bool = False) -> None:
    try:
        session.catalog.use_icd_release(path, untrusted.guard if guard else None)
    except Exception:  # a damaged release never stops the app: the shipped set works
        session.catalog.use_icd_release(None)


def _read_defaults(status: cf.ClinicStatus) -> ClinicDefaults:
    path = status.file("defaults.json")
    if path is None or status.release is None:
        return NO_DEFAULTS
    try:
        bundle = read_bundle(path, datetime.now())
    except BundleError:
        return NO_DEFAULTS
    when = status.release.published_at[:16].replace("T", " ")
    return ClinicDefaults(
        templates=tuple(bundle.templates), profiles=tuple(bundle.profiles),
        favorites=tuple(bundle.favorites), localities=_read_localities(status),
        label=f"clinic folder release {status.release.seq} of {when}",
    )


@dataclass(frozen=True)
class PublishJob:
    """What a publish will write, read from the stores on their own thread; ``run_publish``
    then does the copying anywhere (the window runs it off the GUI thread)."""

    clinic_dir: Path
    files: dict[str, Path]
    defaults_text: str
    settings_text: str = "{}"

    def describe(self) -> str:
        names = {"imports.sqlite": "the imported CMS and clinic files",
                 "icd10cm.sqlite": "the ICD-10-CM release in use",
                 "defaults.json": "payer profiles (with their localities), templates and "
                 "favorites"}
        parts = [names[n] for n in ("imports.sqlite", "icd10cm.sqlite") if n in self.files]
        return ", ".join([*parts, names["defaults.json"]])


def prepare_publish(session: Session, clinic_dir: Path) -> PublishJob:
    files: dict[str, Path] = {}
    imports_path = session.imports.path
    if imports_path is not None and imports_path.is_file() and session.imports.releases():
        files["imports.sqlite"] = imports_path
    icd = _own_icd_release(session)
    if icd is not None and icd.is_file():
        files["icd10cm.sqlite"] = icd
    shared = {**session.store.clinic_defaults.localities,
              **fee_localities.localities(session.store)}
    settings = json.dumps({"fee_localities": shared}, indent=2, sort_keys=True) + "\n"
    return PublishJob(clinic_dir, files, _defaults_text(session), settings)


def run_publish(job: PublishJob) -> cf.Release:
    """Raises ``ClinicFolderError`` with one sentence; the folder keeps its old set then."""
    from ptcodes_gui import __version__

    with tempfile.TemporaryDirectory(prefix="ptcodes-publish-") as tmp:
        defaults = Path(tmp) / "defaults.json"
        defaults.write_text(job.defaults_text, encoding="utf-8")
        settings = Path(tmp) / "settings.json"
        settings.write_text(job.settings_text, encoding="utf-8")
        return cf.publish(job.clinic_dir, {**job.files, "defaults.json": defaults,
                                           "settings.json": settings},
                          app_version=__version__)


def _read_localities(status: cf.ClinicStatus) -> dict[str, str]:
    """The shared profiles' localities; anything malformed is left out, never fatal."""
    path = status.file("settings.json")
    try:
        data = untrusted.read_json(path) if path is not None else {}
    except (OSError, ValueError):  # bounded: no RecursionError from nested brackets
        return {}
    raw = data.get("fee_localities") if isinstance(data, dict) else None
    out: dict[str, str] = {}
    for name, value in (raw.items() if isinstance(raw, dict) else ()):
        try:
            out[str(name)] = parse_locality_id(str(value))
        except ValueError:
            continue
    return out


def publish_clinic(session: Session, clinic_dir: Path) -> cf.Release:
    """Publish this workstation's imports, ICD-10-CM release and set-up to ``clinic_dir``.
    Raises ``ClinicFolderError`` with one sentence; the folder keeps its old set then."""
    return run_publish(prepare_publish(session, clinic_dir))


def _defaults_text(session: Session) -> str:
    """The profiles, templates and favorites this PC shows (its own, then the clinic's it
    read): publishing from any workstation never drops what the clinic already shared."""
    store = session.store
    data = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "exported_at": datetime.now().replace(microsecond=0).isoformat(),
        "favorites": store.favorites(),
        "templates": [
            {
                "name": t.name,
                "created": t.created.isoformat(timespec="seconds"),
                "updated": t.updated.isoformat(timespec="seconds"),
                "lines": [line.to_dict() for line in t.lines],
            }
            for t in store.templates()
        ],
        "profiles": [dict(p) for p in store.profiles()],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
