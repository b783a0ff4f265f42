"""The user's own data behind one facade: ``UserStore``.

``UserStore.open(data_dir)`` never raises because of the data folder or what is in it: it
returns a store and a list of plain-words ``StartupMessage`` for the window to show.

* A damaged ``user.sqlite`` (not a database, ``quick_check`` not ok, the check itself
  failing, or another SQLite file copied over it) is kept aside as
  ``user.sqlite.corrupt-YYYYmmdd-HHMMSS`` and the backup with the newest good content is
  put in its place (``opening``: crash-safe, and on a full disk the backup's data is shown
  read-only instead). A missing or 0-byte file with backups beside it is a restore too.
* Every row is read through a validator; a row that does not decode or validate is set
  aside in the ``quarantine`` table (never deleted), the rest loads, and one sentence
  says what was set aside and where.
* A folder or file that cannot be written, or a file made by a newer version, gives a
  read-only store over an in-memory copy (``read_only`` is True).

Write methods on a read-only store raise ``UserDataReadOnly``; any SQLite failure rolls
the change back and raises ``UserDataError``. While another copy of PT Codes holds the
write lock, favorites, recents and settings are queued (reads show them at once) and
``retry_pending`` saves them later; other writes raise ``UserDataBusy`` at once.

Each kind of data has its own module over the shared ``db.Db``: ``favorites`` (and
recents), ``settings``, ``templates``, ``profiles``, ``overlays`` (legacy imports) and
``bundles``. A store belongs to the thread that opened it (sqlite3's default check).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from ptcodes_gui.domain.models import Code, NcciPair
from ptcodes_gui.domain.text import clean_text
from ptcodes_gui.userdata import (
    backup,
    bundles,
    favorites,
    migrations,
    opening,
    overlays,
    pending,
    profiles,
    quarantine,
    settings,
    shadow,
    startup,
    templates,
)
from ptcodes_gui.userdata.bundles import (
    BUNDLE_FORMAT,
    BUNDLE_VERSION,
    MAX_BUNDLE_BYTES,
    Bundle,
    BundlePreview,
    ImportSummary,
)
from ptcodes_gui.userdata.clinic_defaults import CLINIC, LOCAL, NO_DEFAULTS, ClinicDefaults
from ptcodes_gui.userdata.db import (
    BUSY_TIMEOUT_MS,
    MAX_NAME_CHARS,
    Clock,
    Db,
    describe_os_error,
    normalize_code,
    normalize_name,
)
from ptcodes_gui.userdata.errors import (
    BundleError,
    DuplicateNameError,
    NotFoundError,
    StartupMessage,
    UserDataBusy,
    UserDataError,
    UserDataReadOnly,
    ValidationError,
)
from ptcodes_gui.userdata.favorites import MAX_RECENTS
from ptcodes_gui.userdata.overlays import (
    IMPORT_KINDS,
    ClinicCode,
    Descriptor,
    ImportInfo,
    ImportKind,
    NcciRow,
    OverlayRow,
)
from ptcodes_gui.userdata.paths import BACKUP_DIR_NAME, USER_DB_NAME
from ptcodes_gui.userdata.profiles import PayerProfile, UnitRule, validate_profile
from ptcodes_gui.userdata.startup import open_store
from ptcodes_gui.userdata.templates import (
    MAX_MODIFIERS,
    MAX_TEMPLATE_LINES,
    Provider,
    Template,
    TemplateLine,
)

__all__ = [
    "BUNDLE_FORMAT", "BUNDLE_VERSION", "IMPORT_KINDS", "MAX_BUNDLE_BYTES", "MAX_MODIFIERS",
    "MAX_NAME_CHARS", "MAX_RECENTS", "MAX_TEMPLATE_LINES", "Bundle", "BundleError",
    "BundlePreview", "ClinicCode", "Clock", "Descriptor", "DuplicateNameError", "ImportInfo",
    "ImportKind", "ImportSummary", "NcciRow", "NotFoundError", "OverlayRow", "PayerProfile",
    "Provider", "StartupMessage", "Template", "TemplateLine", "UnitRule", "UserDataBusy",
    "UserDataError", "UserDataReadOnly", "UserStore", "ValidationError", "clean_text",
    "normalize_code", "normalize_name", "probe_writable", "validate_profile",
]

log = logging.getLogger(__name__)

BUSY_MESSAGE = (
    "Your saved data is in use by another copy of PT Codes; your change will be saved "
    "as soon as it is free."
)


def probe_writable(data_dir: Path) -> str | None:
    """None if the data folder (and ``user.sqlite`` in it) can be written, else why not.

    Creates the folder if needed and writes a small file to prove it. A module-level
    function so that tests can replace it (root ignores permission bits).
    """
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return describe_os_error(exc, data_dir)
    if not data_dir.is_dir():
        return f"{data_dir} is not a folder"
    try:
        fd, name = tempfile.mkstemp(prefix=".write-test-", dir=data_dir)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(b"\0" * 8192)
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            os.unlink(name)
    except OSError as exc:
        return describe_os_error(exc, data_dir)
    db = data_dir / USER_DB_NAME
    if db.is_file():  # a folder or a FIFO in its place is judged (never opened) later
        try:
            with open(db, "r+b"):
                pass
        except OSError as exc:
            return describe_os_error(exc, db)
    return None


def _last_resort(
    data_dir: Path, clock: Clock, steps: Sequence[migrations.Migration], why: str,
    messages: list[StartupMessage],
) -> tuple[sqlite3.Connection, str, None]:
    """After an unexpected failure: the newest good backup's data read-only, else empty."""
    try:
        good = opening.best_backup(data_dir, data_dir / BACKUP_DIR_NAME, clock(), steps)
        if good is not None:
            conn, _reason, _ = startup.read_only(good.path, why, clock, steps, messages)
            messages.insert(0, StartupMessage(
                "error", f"Your saved data file could not be opened ({why}); it was left as "
                f"it is. Your data from {startup.source_of(good)} is "
                f"shown, read-only. Changes cannot be saved: {why}."))
            return conn, why, None
    except Exception:
        log.exception("showing the newest backup read-only failed too")
    messages.insert(0, StartupMessage(
        "error", f"Your saved data could not be opened ({why}); it was left as it is and PT "
        f"Codes started without it. Changes cannot be saved: {why}."))
    mem = sqlite3.connect(":memory:", isolation_level=None)
    migrations.migrate(mem, steps=steps)
    return mem, why, None


def _local_now() -> datetime:
    return datetime.now().replace(microsecond=0)


class UserStore:
    """Favorites, recents, settings, templates, payer profiles and import overlays."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        data_dir: Path,
        clock: Clock,
        read_only_reason: str | None,
        path: Path | None,
    ) -> None:
        self._db = Db(conn, clock=clock, read_only_reason=read_only_reason)
        self._overlays = overlays.Overlays(self._db)
        self.data_dir = data_dir
        self.path = path
        self.clock = clock
        #: called with a sentence when a write is queued behind another copy's lock
        self.on_status: Callable[[str], None] | None = None
        self._pending: list[tuple[str, object, Callable[[], None]]] = []
        self._clinic: ClinicDefaults = NO_DEFAULTS
        #: what ``close`` did with changes it could not save (None: nothing was left)
        self.close_note: str | None = None
        if path is not None and read_only_reason is None:
            self._db.after_commit = self.keep_copy

    @property
    def _conn(self) -> sqlite3.Connection:
        return self._db.conn

    @property
    def read_only_reason(self) -> str | None:
        return self._db.read_only_reason

    @read_only_reason.setter
    def read_only_reason(self, value: str | None) -> None:
        self._db.read_only_reason = value

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / BACKUP_DIR_NAME

    # ----------------------------------------------------------------- open / close

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        clock: Clock = _local_now,
        steps: Sequence[migrations.Migration] = migrations.MIGRATIONS,
    ) -> tuple[UserStore, list[StartupMessage]]:
        """Open (creating, restoring, repairing or upgrading) the user database."""
        data_dir = Path(data_dir)
        messages: list[StartupMessage] = []
        try:
            conn, reason, path = open_store(data_dir, clock, steps, messages, probe_writable)
        except Exception as exc:  # the last line: nothing that reads user data stops a start
            log.exception("opening the saved data failed")
            why = f"the saved data could not be opened ({type(exc).__name__}: {exc})"
            conn, reason, path = _last_resort(data_dir, clock, steps, why, messages)
        for message in messages:  # the log keeps what the user was told at start
            log.warning("%s", message.text)
        store = cls(conn, data_dir=data_dir, clock=clock, read_only_reason=reason, path=path)
        if reason is None:
            with contextlib.suppress(sqlite3.Error):
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            store.keep_copy()
            messages += store._apply_pending()
        return store, messages

    def keep_copy(self) -> None:
        """Rewrite the second copy (``shadow``) after a change; a failure is logged, never
        raised (the change itself is saved)."""
        if self.path is None:
            return
        try:
            shadow.write_shadow(self._conn, self.data_dir)
        except (OSError, sqlite3.Error):
            log.exception("the second copy of the saved data could not be written")

    def _apply_pending(self) -> list[StartupMessage]:
        """Save the changes an earlier close could not (``pending``)."""
        done = pending.replay_all(self.data_dir, self._replay)
        return [StartupMessage("info", f"{done} change(s) made while another copy of PT Codes "
                               "held your saved data were saved now (they were kept when "
                               "PT Codes closed).")] if done else []

    def _replay(self, kind: str, key: object) -> None:
        if kind == "fav":
            code, add = cast(tuple[str, bool], key)
            (self.add_favorite if add else self.remove_favorite)(code)
        elif kind == "recent":
            self.add_recent(cast(str, key))
        else:
            name, value = cast(tuple[str, Any], key)
            self.set_setting(name, value)

    def close(self) -> None:
        """Close; a writable file is checkpointed back to a single self-contained file."""
        if self._pending:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA busy_timeout = 3000")
            self.retry_pending()
        if self._pending:
            self._spill_pending()
        if not self.read_only:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._conn.execute("PRAGMA journal_mode = DELETE")
        self._conn.close()

    def _spill_pending(self) -> None:
        """The lock is still held: keep what is queued for the next start."""
        changes = [(kind, key) for kind, key, _w in self._pending]
        try:
            where = pending.spill(self.data_dir, changes)
        except OSError as exc:
            self.close_note = (f"{len(changes)} change(s) could not be saved: your saved data "
                               f"was in use by another copy of PT Codes and {exc}.")
            log.error("%s", self.close_note)
            return
        self._pending.clear()
        self.close_note = (f"{len(changes)} change(s) waiting for another copy of PT Codes "
                           f"were kept in {where} and will be saved at the next start.")
        log.warning("%s", self.close_note)

    def __enter__(self) -> UserStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def backup_now(self) -> backup.BackupInfo:
        self._db.require_writable()
        try:
            info = backup.make_backup(self._conn, self.backup_dir, self.clock())
            backup.prune_backups(self.backup_dir, self.clock())
        except (OSError, sqlite3.Error) as exc:
            raise UserDataError(f"The backup could not be made: {exc}") from exc
        return info

    def quarantined(self) -> int:
        """How many rows are kept in the quarantine table."""
        return quarantine.count(self._conn)

    # ----------------------------------------------------------------- queued writes

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def _queued(self, kind: str, key: object, write: Callable[[], None]) -> None:
        """Run ``write``; while another copy holds the lock, queue it (in order)."""
        if self._pending:
            self._pending.append((kind, key, write))
            return
        try:
            write()
        except UserDataBusy:
            self._pending.append((kind, key, write))
            if self.on_status is not None:
                self.on_status(BUSY_MESSAGE)

    def retry_pending(self) -> int:
        """Save what was queued behind a lock, in order; how many are still waiting."""
        while self._pending:
            _kind, _key, write = self._pending[0]
            try:
                write()
            except UserDataBusy:
                return len(self._pending)
            except UserDataError:
                log.exception("a queued change could not be saved")
            self._pending.pop(0)
        return 0

    def _pending_of(self, kind: str) -> list[tuple[object, Callable[[], None]]]:
        return [(key, w) for k, key, w in self._pending if k == kind]

    # ----------------------------------------------------------------- favorites

    def add_favorite(self, code: str) -> None:
        code = normalize_code(code)
        self._db.require_writable()
        self._queued("fav", (code, True), lambda: favorites.add(self._db, code))

    def remove_favorite(self, code: str) -> None:
        code = normalize_code(code)
        self._db.require_writable()
        self._queued("fav", (code, False), lambda: favorites.remove(self._db, code))

    def toggle_favorite(self, code: str) -> bool:
        """Add or remove; returns True if the code is a favorite afterwards."""
        if self.is_favorite(code):
            self.remove_favorite(code)
            return False
        self.add_favorite(code)
        return True

    # ----------------------------------------------------------------- clinic defaults

    def set_clinic_defaults(self, defaults: ClinicDefaults | None) -> None:
        """The clinic folder's profiles, templates and favorites, listed after the
        user's own (a local one of the same name wins); never written into user.sqlite."""
        self._clinic = defaults or NO_DEFAULTS

    @property
    def clinic_defaults(self) -> ClinicDefaults:
        return self._clinic

    def origin_of_template(self, name: str) -> str:
        """``local`` or ``clinic`` (a name of neither is ``local``)."""
        return CLINIC if templates.get(self._db, name) is None and self._clinic.has_template(
            name) else LOCAL

    def origin_of_profile(self, name: str) -> str:
        local = {p["name"].casefold() for p in profiles.all_profiles(self._db)}
        if name.casefold() not in local and self._clinic.has_profile(name):
            return CLINIC
        return LOCAL

    def is_clinic_favorite(self, code: str) -> bool:
        """A favorite that comes from the clinic folder, not starred on this PC."""
        return code in self._clinic.favorites and code not in favorites.codes(self._db)

    def _refuse_clinic_template(self, name: str, verb: str) -> None:
        if self.origin_of_template(name) == CLINIC:
            raise ValidationError(
                f"The template {name!r} comes from the clinic folder and cannot be {verb} "
                "here; load it and save it under a new name to have your own copy."
            )

    # ----------------------------------------------------------------- favorites

    def favorites(self) -> list[str]:
        """Local ones in the order they were added (queued changes included), then the
        clinic folder's that are not among them."""
        codes = self._local_favorites()
        return [*codes, *(c for c in self._clinic.favorites if c not in codes)]

    def _local_favorites(self) -> list[str]:
        codes = favorites.codes(self._db)
        for key, _w in self._pending_of("fav"):
            code, add = cast(tuple[str, bool], key)
            if add and code not in codes:
                codes.append(code)
            elif not add and code in codes:
                codes.remove(code)
        return codes

    def is_favorite(self, code: str) -> bool:
        code = normalize_code(code)
        if self._pending_of("fav"):
            return code in self._local_favorites()
        return favorites.contains(self._db, code)

    def add_recent(self, code: str) -> None:
        code = normalize_code(code)
        self._db.require_writable()
        self._queued("recent", code, lambda: favorites.add_recent(self._db, code))

    def recents(self) -> list[str]:
        """Newest first, at most 50."""
        codes = favorites.recents(self._db)
        for key, _w in self._pending_of("recent"):
            codes = [str(key), *(c for c in codes if c != key)]
        return codes[:MAX_RECENTS]

    def clear_recents(self) -> None:
        favorites.clear_recents(self._db)

    # ----------------------------------------------------------------- settings

    def get_setting(self, key: str, default: Any = None) -> Any:
        for kv, _w in reversed(self._pending_of("setting")):
            k, value = cast(tuple[str, Any], kv)
            if k == key:
                return value
        return settings.get(self._db, key, default)

    def set_setting(self, key: str, value: Any) -> None:
        """Store a JSON value (None, bool, number, text, list, dict)."""
        settings.encode(key, value)
        self._db.require_writable()
        self._queued("setting", (key, value), lambda: settings.put(self._db, key, value))

    # ----------------------------------------------------------------- templates

    def save_template(
        self, name: str, lines: Iterable[TemplateLine], *, overwrite: bool = False
    ) -> Template:
        """Save a template. A name already used (ignoring case) is refused unless
        ``overwrite``, which replaces its lines and keeps its creation date."""
        return templates.save(self._db, name, lines, overwrite=overwrite)

    def templates(self) -> list[Template]:
        """All templates by name (ignoring case): the user's own and the clinic's."""
        own = templates.all_templates(self._db)
        names = {t.name.casefold() for t in own}
        extra = [t for t in self._clinic.templates if t.name.casefold() not in names]
        return sorted([*own, *extra], key=lambda t: t.name.casefold())

    def get_template(self, name: str) -> Template | None:
        return templates.get(self._db, name) or self._clinic.template(name)

    def rename_template(self, old: str, new: str) -> Template:
        self._refuse_clinic_template(old, "renamed")
        return templates.rename(self._db, old, new)

    def delete_template(self, name: str) -> bool:
        """True if a template was deleted."""
        self._refuse_clinic_template(name, "deleted")
        return templates.delete(self._db, name)

    # ----------------------------------------------------------------- payer profiles

    def save_profile(self, profile: Mapping[str, object]) -> PayerProfile:
        """Validate (see ``validate_profile``) and save; a profile with the same name
        (ignoring case) is replaced: profiles are edited in place."""
        return profiles.save(self._db, profile)

    def profiles(self) -> list[PayerProfile]:
        """The user's own profiles, then the clinic's whose names they do not use."""
        own = profiles.all_profiles(self._db)
        names = {p["name"].casefold() for p in own}
        return [*own, *(p for p in self._clinic.profiles if p["name"].casefold() not in names)]

    def delete_profile(self, name: str) -> bool:
        return profiles.delete(self._db, name)

    # ----------------------------------------------------------------- bundles

    def export_text(self) -> str:
        """The bundle JSON of favorites, templates and payer profiles."""
        return bundles.bundle_json(self._db)

    def export_bundle(self, path: Path) -> None:
        """Write favorites, templates and payer profiles to one JSON file (works on a
        read-only store too): a temp file opened exclusively, then renamed into place."""
        bundles.write_exclusive(Path(path), bundles.bundle_json(self._db))

    def preview_bundle(self, bundle: Bundle) -> BundlePreview:
        """What importing ``bundle`` (from ``bundles.read_bundle``) would change."""
        return bundles.preview(self._db, bundle)

    def apply_bundle(self, bundle: Bundle) -> ImportSummary:
        self._db.require_writable()
        return bundles.apply(self._db, bundle)

    def import_bundle(self, path: Path) -> ImportSummary:
        """Read a bundle, validate all of it, then merge all of it or nothing.

        Favorites: union. Templates and profiles: same name (ignoring case) is replaced
        and reported. Raises ``BundleError`` listing the problems; nothing is changed.
        """
        self._db.require_writable()
        return bundles.apply(self._db, bundles.read_bundle(Path(path), self.clock()))

    # ----------------------------------------------------------------- legacy import overlays

    def overlay_rows(self, kind: ImportKind) -> dict[str, OverlayRow]:
        """The current overlay of one kind, keyed like the rows' ``key``."""
        return self._overlays.rows(kind)

    def replace_overlay(
        self,
        kind: ImportKind,
        rows: Sequence[OverlayRow],
        *,
        file_name: str,
        source: str,
        latest_effective: str | None = None,
    ) -> ImportInfo:
        """Replace the overlay of ``kind`` with ``rows``, all or nothing."""
        return self._overlays.replace(
            kind, rows, file_name=file_name, source=source, latest_effective=latest_effective
        )

    def remove_overlay(self, kind: ImportKind) -> bool:
        """Drop an import (the built-in data shows again); True if there was one."""
        return self._overlays.remove(kind)

    def imports_info(self) -> list[ImportInfo]:
        return self._overlays.info()

    def overlay_codes(self) -> list[Code]:
        """Clinic codes (system "clinic"), by code."""
        return self._overlays.codes()

    def overlay_descriptors(self) -> dict[str, tuple[str, str]]:
        """code -> (descriptor text, source named for display)."""
        return self._overlays.descriptors()

    def overlay_ncci(self) -> list[NcciPair] | None:
        """The imported PTP pairs, or None when nothing was imported (use the built-in)."""
        return self._overlays.ncci()

