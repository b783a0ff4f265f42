"""The user's own data: favorites, recents, settings, templates, payer profiles, overlays.

``UserStore.open(data_dir)`` never fails because of the data folder: it returns a store
and a list of plain-words ``StartupMessage`` for the window to show.

* A damaged ``user.sqlite`` (not a database, or ``PRAGMA quick_check`` not ok) is moved
  aside to ``user.sqlite.corrupt-YYYYmmdd-HHMMSS`` and the newest backup that passes
  quick_check is restored; with no good backup the store starts empty. Either way the
  user is told.
* A folder or file that cannot be written (read-only, full, not a folder) gives a
  read-only store: the existing data is copied into memory so favorites and templates
  still show, the file is never touched, and ``read_only`` is True.
* A file made by a newer version of the app is shown the same way (read-only).

Write methods on a read-only store raise ``UserDataReadOnly`` (they never return
False): the caller learns why, and nothing can be silently dropped. Any SQLite failure
during a write (disk full, ...) rolls the whole change back and raises ``UserDataError``.

All SQL of the user database lives in this module. Connections are in autocommit mode;
every write is one ``BEGIN IMMEDIATE`` ... ``COMMIT``. A store belongs to the thread that
opened it (sqlite3's default check).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypedDict, TypeVar, cast

from ptcodes_gui.domain.models import Code, Fact, NcciPair
from ptcodes_gui.userdata import backup, migrations
from ptcodes_gui.userdata.paths import BACKUP_DIR_NAME, USER_DB_NAME

Clock = Callable[[], datetime]

MAX_RECENTS = 50
MAX_NAME_CHARS = 80
MAX_TEMPLATE_LINES = 50
MAX_MODIFIERS = 4
MAX_BUNDLE_BYTES = 20 * 1024 * 1024
BUNDLE_FORMAT = "ptcodes-userdata-bundle"
BUNDLE_VERSION = 1

ImportKind = Literal["codes", "descriptors", "ncci"]
IMPORT_KINDS: tuple[ImportKind, ...] = ("codes", "descriptors", "ncci")
Provider = Literal["pt", "pta"]
UnitRule = Literal["cms", "midpoint"]


# --------------------------------------------------------------------------- errors


class UserDataError(Exception):
    """A user-data operation failed; ``str()`` is a sentence fit to show the user."""


class UserDataReadOnly(UserDataError):  # noqa: N818 (name used across the app)
    """The store is read-only (see ``UserStore.read_only_reason``); nothing was written."""


class ValidationError(UserDataError, ValueError):
    """A value given to the store does not pass validation."""


class DuplicateNameError(ValidationError):
    """A template or profile with that name already exists."""


class NotFoundError(UserDataError, LookupError):
    """No template or profile with that name."""


class BundleError(UserDataError):
    """An export bundle could not be read or did not validate; nothing was changed."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


# --------------------------------------------------------------------------- text


# Bidi embeddings/overrides/isolates, zero-width characters, word joiner, BOM, ALM:
# invisible, and able to reorder or hide text that is later pasted into an EHR.
_INVISIBLE_CHARS = (
    "\u202a\u202b\u202c\u202d\u202e"  # LRE RLE PDF LRO RLO
    "\u2066\u2067\u2068\u2069"  # LRI RLI FSI PDI
    "\u200b\u200c\u200d\u200e\u200f"  # ZWSP ZWNJ ZWJ LRM RLM
    "\u2060\ufeff\u061c"  # word joiner, BOM / ZWNBSP, Arabic letter mark
)
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS))
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK_RE = re.compile(r"\r\n|[\r\u2028\u2029\x85]")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Strip bidi, zero-width and control characters; tabs become spaces.

    Line breaks are kept (as ``\\n``) only when ``multiline``; otherwise they become spaces.
    """
    if value.isascii() and value.isprintable():  # the common case, checked in C
        return value.strip()
    text = _LINE_BREAK_RE.sub("\n", value).translate(_INVISIBLE).replace("\t", " ")
    text = _CONTROL_RE.sub("", text)
    if not multiline:
        text = text.replace("\n", " ")
    return text.strip()


_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{0,15}$")
_PROCEDURE_RE = re.compile(r"^[A-Z0-9]{5}$")
_MODIFIER_RE = re.compile(r"^[A-Z0-9]{2}$")


def normalize_code(code: object) -> str:
    """Upper-cased, trimmed code; raises ``ValidationError`` if it cannot be a code."""
    if not isinstance(code, str):
        raise ValidationError(f"A code must be text, not {type(code).__name__}.")
    value = clean_text(code).upper()
    if not _CODE_RE.match(value):
        raise ValidationError(f"{code!r} is not a code.")
    return value


def normalize_name(name: object, *, what: str = "name") -> str:
    if not isinstance(name, str):
        raise ValidationError(f"The {what} must be text.")
    value = " ".join(clean_text(name).split())
    if not value:
        raise ValidationError(f"The {what} cannot be empty.")
    if len(value) > MAX_NAME_CHARS:
        raise ValidationError(f"The {what} is longer than {MAX_NAME_CHARS} characters.")
    return value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class StartupMessage:
    level: Literal["info", "warning", "error"]
    text: str


@dataclass(frozen=True)
class TemplateLine:
    """One line of a visit template: a procedure code and how it is billed, nothing else.

    Templates never carry patient data: there is no diagnosis and no free text here.
    """

    code: str
    minutes: int | None = None
    modifiers: tuple[str, ...] = ()
    provider: Provider = "pt"
    units_override: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not _PROCEDURE_RE.match(self.code):
            raise ValidationError(
                f"{self.code!r} is not a procedure code (5 capital letters or digits)."
            )
        if self.minutes is not None and not (_is_int(self.minutes) and 0 <= self.minutes <= 1440):
            raise ValidationError(f"Minutes must be a whole number 0-1440, not {self.minutes!r}.")
        if not isinstance(self.modifiers, tuple) or len(self.modifiers) > MAX_MODIFIERS:
            raise ValidationError(f"A line has at most {MAX_MODIFIERS} modifiers.")
        for modifier in self.modifiers:
            if not isinstance(modifier, str) or not _MODIFIER_RE.match(modifier):
                raise ValidationError(f"{modifier!r} is not a modifier (2 letters or digits).")
        if self.provider not in ("pt", "pta"):
            raise ValidationError(f"Provider must be 'pt' or 'pta', not {self.provider!r}.")
        if self.units_override is not None and not (
            _is_int(self.units_override) and 1 <= self.units_override <= 99
        ):
            raise ValidationError(
                f"A units override must be a whole number 1-99, not {self.units_override!r}."
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> TemplateLine:
        """Build from exported JSON; unknown keys (e.g. a diagnosis) are refused."""
        unknown = set(data) - {"code", "minutes", "modifiers", "provider", "units_override"}
        if unknown:
            raise ValidationError(f"unknown field(s) {', '.join(sorted(unknown))}")
        modifiers = data.get("modifiers", [])
        if not isinstance(modifiers, list | tuple):
            raise ValidationError("modifiers must be a list")
        code = data.get("code")
        return cls(
            code=code.strip().upper() if isinstance(code, str) else cast(str, code),
            minutes=cast("int | None", data.get("minutes")),
            modifiers=tuple(m.strip().upper() if isinstance(m, str) else m for m in modifiers),
            provider=cast(Provider, data.get("provider", "pt")),
            units_override=cast("int | None", data.get("units_override")),
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "minutes": self.minutes,
            "modifiers": list(self.modifiers),
            "provider": self.provider,
            "units_override": self.units_override,
        }


@dataclass(frozen=True)
class Template:
    name: str
    lines: tuple[TemplateLine, ...]
    created: datetime
    updated: datetime
    renamed_from: str | None = None


class PayerProfile(TypedDict):
    name: str
    unit_rule: UnitRule
    daily_timed_unit_cap: int | None
    medicare: bool


_PROFILE_KEYS = frozenset(PayerProfile.__annotations__)


def validate_profile(profile: Mapping[str, object]) -> PayerProfile:
    """Check a payer profile dict and return a normalized copy.

    ``name`` 1-80 chars; ``unit_rule`` "cms" (8-minute rule, total timed minutes) or
    "midpoint" (per-code, 8 minutes = 1 unit); ``daily_timed_unit_cap`` None or 1-96;
    ``medicare`` bool, and a Medicare profile must use the CMS rule.
    """
    if not isinstance(profile, Mapping):
        raise ValidationError("A payer profile must be a set of named values.")
    unknown = set(profile) - _PROFILE_KEYS
    if unknown:
        raise ValidationError(f"Unknown profile field(s): {', '.join(sorted(map(str, unknown)))}.")
    missing = {"name", "unit_rule"} - set(profile)
    if missing:
        raise ValidationError(f"A payer profile needs {', '.join(sorted(missing))}.")
    name = normalize_name(profile["name"], what="profile name")
    rule = profile["unit_rule"]
    if rule not in ("cms", "midpoint"):
        raise ValidationError(f"Unit rule must be 'cms' or 'midpoint', not {rule!r}.")
    cap = profile.get("daily_timed_unit_cap")
    if cap is not None and not (_is_int(cap) and 1 <= cast(int, cap) <= 96):
        raise ValidationError(f"The daily timed-unit cap must be 1-96 or empty, not {cap!r}.")
    medicare = profile.get("medicare", False)
    if not isinstance(medicare, bool):
        raise ValidationError("'medicare' must be true or false.")
    if medicare and rule != "cms":
        raise ValidationError("A Medicare profile must use the CMS 8-minute rule.")
    return PayerProfile(
        name=name,
        unit_rule=rule,
        daily_timed_unit_cap=cast("int | None", cap),
        medicare=medicare,
    )


# Overlay rows, as imported (imports.py builds them, this module stores them).


@dataclass(frozen=True)
class ClinicCode:
    code: str
    title: str
    description: str = ""
    category: str = "other"
    timed: bool = False
    unit_minutes: int | None = None
    notes: str = ""

    @property
    def key(self) -> str:
        return self.code


@dataclass(frozen=True)
class Descriptor:
    code: str
    text: str
    source: str

    @property
    def key(self) -> str:
        return self.code


@dataclass(frozen=True)
class NcciRow:
    column1: str
    column2: str
    indicator: int
    effective: str | None
    deleted: str | None
    rationale: str = ""

    @property
    def key(self) -> str:
        return f"{self.column1} {self.column2}"


OverlayRow = ClinicCode | Descriptor | NcciRow
_R = TypeVar("_R", ClinicCode, Descriptor, NcciRow)


@dataclass(frozen=True)
class ImportInfo:
    kind: ImportKind
    file_name: str
    source: str
    imported_at: datetime
    row_count: int
    latest_effective: str | None = None


@dataclass(frozen=True)
class ImportSummary:
    """What ``import_bundle`` changed."""

    favorites_added: int = 0
    templates_added: tuple[str, ...] = ()
    templates_replaced: tuple[str, ...] = ()
    profiles_added: tuple[str, ...] = ()
    profiles_replaced: tuple[str, ...] = ()


@dataclass
class _Bundle:
    favorites: list[str] = field(default_factory=list)
    templates: list[Template] = field(default_factory=list)
    profiles: list[PayerProfile] = field(default_factory=list)


# --------------------------------------------------------------------------- opening


def probe_writable(data_dir: Path) -> str | None:
    """None if the data folder (and ``user.sqlite`` in it) can be written, else why not.

    Creates the folder if needed and writes a small file to prove it. A module-level
    function so that tests can replace it (root ignores permission bits).
    """
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _describe_os_error(exc, data_dir)
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
        return _describe_os_error(exc, data_dir)
    db = data_dir / USER_DB_NAME
    if db.exists():
        try:
            with open(db, "r+b"):
                pass
        except OSError as exc:
            return _describe_os_error(exc, db)
    return None


def _describe_os_error(exc: OSError, path: Path) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"you do not have permission to write to {path}"
    if exc.errno == errno.EROFS:
        return f"{path} is on a read-only disk"
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"the disk holding {path} is full"
    if exc.errno in (errno.EEXIST, errno.ENOTDIR):
        return f"{path} is not a folder"
    return f"{path}: {exc.strerror or exc}"


def _describe_sqlite_error(exc: sqlite3.Error) -> str:
    text = str(exc)
    name = getattr(exc, "sqlite_errorname", "")
    if name == "SQLITE_FULL" or "disk is full" in text:
        return "the disk is full"
    if name == "SQLITE_READONLY" or "readonly" in text:
        return "the saved-data file is read-only"
    if name == "SQLITE_BUSY" or "locked" in text:
        return "the saved data is in use by another copy of PT Codes"
    return text


def _fmt_when(moment: datetime) -> str:
    return f"{moment:%B} {moment.day}, {moment.year} at {moment:%H:%M}"


def _local_now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _connect_file(path: Path) -> sqlite3.Connection:
    """Open for writing; nothing is written yet (the version is checked before WAL)."""
    conn = sqlite3.connect(path, timeout=5.0, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def _use_wal(conn: sqlite3.Connection) -> None:
    # WAL only here, where the folder is known to be writable (it needs -wal/-shm files);
    # close() switches back so the file at rest is one self-contained file.
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")


def _memory_copy(path: Path | None) -> sqlite3.Connection:
    """An in-memory database holding a copy of ``path`` (or empty)."""
    mem = sqlite3.connect(":memory:", isolation_level=None)
    mem.execute("PRAGMA foreign_keys = ON")
    if path is None or not path.exists():
        return mem
    src: sqlite3.Connection | None = None
    for immutable in (False, True):
        # immutable=1 reads a WAL-mode file whose -shm cannot be created here.
        try:
            src = backup.connect_read_only(path, immutable=immutable)
            src.backup(mem)
            break
        except sqlite3.Error:
            if src is not None:
                src.close()
                src = None
            if immutable:
                raise
    if src is not None:
        src.close()
    return mem


def _salvage(old: sqlite3.Connection, steps: Sequence[migrations.Migration]) -> sqlite3.Connection:
    """A fresh in-memory database in the current schema holding what ``old`` has of it
    (the columns both know); ``old`` is closed."""
    new = _memory_copy(None)
    try:
        migrations.migrate(new, steps=steps)
    except migrations.MigrationError:
        new.close()
        new = _memory_copy(None)
        migrations.migrate(new)
    try:
        tables = [r[0] for r in new.execute("SELECT name FROM sqlite_schema WHERE type='table'")]
        for table in tables:
            new_cols = [r[1] for r in new.execute(f'PRAGMA table_info("{table}")')]
            old_cols = {r[1] for r in old.execute(f'PRAGMA table_info("{table}")')}
            cols = [c for c in new_cols if c in old_cols]
            if not cols:
                continue
            names = ", ".join(f'"{c}"' for c in cols)
            marks = ", ".join("?" for _ in cols)
            with contextlib.suppress(sqlite3.Error):
                rows = old.execute(f'SELECT {names} FROM "{table}"').fetchall()
                new.execute("BEGIN")
                new.executemany(f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({marks})', rows)
                new.execute("COMMIT")
            if new.in_transaction:
                new.execute("ROLLBACK")
    finally:
        old.close()
    return new


def _move_aside(db: Path, now: datetime) -> Path:
    stem = f"{db.name}.corrupt-{now:%Y%m%d-%H%M%S}"
    target = db.with_name(stem)
    counter = 1
    while target.exists():
        target = db.with_name(f"{stem}-{counter}")
        counter += 1
    os.replace(db, target)
    # A leftover WAL of the damaged file must not be replayed into the restored one.
    for suffix in ("-wal", "-shm", "-journal"):
        side = db.with_name(db.name + suffix)
        if side.exists():
            with contextlib.suppress(OSError):
                os.replace(side, target.with_name(target.name + suffix))
    return target


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
        self._conn = conn
        self.data_dir = data_dir
        self.path = path
        self.clock = clock
        self.read_only_reason = read_only_reason

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
        """Open (creating, repairing or upgrading) the user database in ``data_dir``."""
        data_dir = Path(data_dir)
        db = data_dir / USER_DB_NAME
        latest = steps[-1].version
        messages: list[StartupMessage] = []
        now = clock()
        reason = probe_writable(data_dir)

        check = backup.check_file(db) if db.is_file() else None
        if check is not None and check.state == "corrupt":
            if reason is not None:
                messages.append(
                    StartupMessage(
                        "error",
                        f"Your saved data file {db} is damaged, and it cannot be repaired "
                        f"because {reason}. PT Codes started without your saved data. "
                        f"Changes cannot be saved: {reason}.",
                    )
                )
                return cls._read_only(None, data_dir, clock, reason, latest, steps), messages
            try:
                messages.append(cls._repair(db, data_dir, now))
            except OSError as exc:
                why = _describe_os_error(exc, db)
                messages.append(
                    StartupMessage(
                        "error",
                        f"Your saved data file {db} is damaged and could not be moved aside "
                        f"({why}). PT Codes started without your saved data. Changes cannot "
                        f"be saved: {why}.",
                    )
                )
                return cls._read_only(None, data_dir, clock, why, latest, steps), messages
        elif check is not None and check.state == "unreadable":
            why = f"the saved-data file could not be read ({check.detail})"
            messages.append(
                StartupMessage(
                    "error",
                    f"Your saved data file {db} could not be opened ({check.detail}); it was "
                    f"left as it is. Changes cannot be saved: {why}.",
                )
            )
            return cls._read_only(None, data_dir, clock, why, latest, steps), messages

        if reason is not None:
            messages.append(StartupMessage("warning", f"Changes cannot be saved: {reason}."))
            store = cls._read_only(db, data_dir, clock, reason, latest, steps, messages)
            return store, messages

        try:
            conn = _connect_file(db)
            version = migrations.user_version(conn)
            if version > latest:
                conn.close()
                why = _newer_reason(version, latest)
                messages.append(StartupMessage("warning", _newer_message(version, latest)))
                return cls._read_only(db, data_dir, clock, why, latest, steps), messages
            _use_wal(conn)
        except sqlite3.Error as exc:
            why = _describe_sqlite_error(exc)
            messages.append(StartupMessage("warning", f"Changes cannot be saved: {why}."))
            return cls._read_only(db, data_dir, clock, why, latest, steps, messages), messages

        store = cls(conn, data_dir=data_dir, clock=clock, read_only_reason=None, path=db)

        upgrading = 0 < version < latest
        try:
            if version > 0:  # a new, empty file has nothing worth a backup
                backup.maybe_backup(conn, store.backup_dir, now, force=upgrading)
        except (OSError, sqlite3.Error) as exc:
            messages.append(
                StartupMessage("warning", f"A backup of your saved data could not be made: {exc}.")
            )
            if upgrading:
                # Never upgrade without a way back.
                conn.close()
                why = "the saved data could not be backed up before upgrading it"
                messages.append(StartupMessage("warning", f"Changes cannot be saved: {why}."))
                return cls._read_only(db, data_dir, clock, why, latest, steps, messages), messages
        try:
            migrations.migrate(conn, steps=steps)
        except migrations.MigrationError as exc:
            conn.close()
            why = "the saved data could not be upgraded to this version"
            messages.append(
                StartupMessage(
                    "error",
                    f"Your saved data could not be upgraded ({exc}). The file was left "
                    f"unchanged at data version {exc.version}. Changes cannot be saved: {why}.",
                )
            )
            return cls._read_only(db, data_dir, clock, why, latest, steps, messages), messages
        return store, messages

    @classmethod
    def _repair(cls, db: Path, data_dir: Path, now: datetime) -> StartupMessage:
        moved = _move_aside(db, now)
        good = backup.newest_good_backup(data_dir / BACKUP_DIR_NAME)
        if good is not None:
            try:
                backup.restore_backup(good, db)
            except (OSError, sqlite3.Error):
                good = None
        if good is None:
            return StartupMessage(
                "error",
                f"Your saved data file was damaged. It was moved aside to {moved}. No usable "
                "backup was found, so PT Codes started with empty saved data (favorites, "
                "templates, settings and imports).",
            )
        return StartupMessage(
            "warning",
            f"Your saved data file was damaged. It was moved aside to {moved} and your data "
            f"from the backup of {_fmt_when(good.created)} was restored.",
        )

    @classmethod
    def _read_only(
        cls,
        db: Path | None,
        data_dir: Path,
        clock: Clock,
        reason: str,
        latest: int,
        steps: Sequence[migrations.Migration],
        messages: list[StartupMessage] | None = None,
    ) -> UserStore:
        """A store over an in-memory copy of ``db``, in this version's schema.

        An older copy is upgraded in memory; a newer one, or one whose upgrade fails, is
        salvaged table by table into a fresh schema (so every read method works).
        """
        try:
            mem = _memory_copy(db)
        except sqlite3.Error as exc:
            if messages is not None:
                messages.append(
                    StartupMessage("error", f"Your saved data could not be read: {exc}.")
                )
            mem = _memory_copy(None)
        version = migrations.user_version(mem)
        if version < latest:
            with contextlib.suppress(migrations.MigrationError):
                migrations.migrate(mem, steps=steps)
        if migrations.user_version(mem) != latest:
            mem = _salvage(mem, steps)
        return cls(mem, data_dir=data_dir, clock=clock, read_only_reason=reason, path=None)

    def close(self) -> None:
        """Close; a writable file is checkpointed back to a single self-contained file."""
        if not self.read_only:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._conn.execute("PRAGMA journal_mode = DELETE")
        self._conn.close()

    def __enter__(self) -> UserStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def backup_now(self) -> backup.BackupInfo:
        self._require_writable()
        try:
            info = backup.make_backup(self._conn, self.backup_dir, self.clock())
            backup.prune_backups(self.backup_dir, self.clock())
        except (OSError, sqlite3.Error) as exc:
            raise UserDataError(f"The backup could not be made: {exc}") from exc
        return info

    # ----------------------------------------------------------------- plumbing

    def _require_writable(self) -> None:
        if self.read_only_reason is not None:
            raise UserDataReadOnly(f"Changes cannot be saved: {self.read_only_reason}.")

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self._require_writable()
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise UserDataError(
                f"Your change was not saved: {_describe_sqlite_error(exc)}."
            ) from exc
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _now_iso(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        cur = self._conn.cursor()
        cur.row_factory = sqlite3.Row
        return list(cur.execute(sql, params))

    # ----------------------------------------------------------------- favorites

    def add_favorite(self, code: str) -> None:
        code = normalize_code(code)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO favorites (code, added, seq) "
                "SELECT ?, ?, coalesce(max(seq), 0) + 1 FROM favorites WHERE true "
                "ON CONFLICT (code) DO NOTHING",
                (code, self._now_iso()),
            )

    def remove_favorite(self, code: str) -> None:
        code = normalize_code(code)
        with self._write() as conn:
            conn.execute("DELETE FROM favorites WHERE code = ?", (code,))

    def toggle_favorite(self, code: str) -> bool:
        """Add or remove; returns True if the code is a favorite afterwards."""
        if self.is_favorite(code):
            self.remove_favorite(code)
            return False
        self.add_favorite(code)
        return True

    def favorites(self) -> list[str]:
        """In the order they were added."""
        return [r[0] for r in self._conn.execute("SELECT code FROM favorites ORDER BY seq")]

    def is_favorite(self, code: str) -> bool:
        code = normalize_code(code)
        row = self._conn.execute("SELECT 1 FROM favorites WHERE code = ?", (code,)).fetchone()
        return row is not None

    # ----------------------------------------------------------------- recents

    def add_recent(self, code: str) -> None:
        code = normalize_code(code)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO recents (code, used, seq) "
                "SELECT ?, ?, coalesce(max(seq), 0) + 1 FROM recents WHERE true "
                "ON CONFLICT (code) DO UPDATE SET used = excluded.used, seq = excluded.seq",
                (code, self._now_iso()),
            )
            conn.execute(
                "DELETE FROM recents WHERE seq NOT IN "
                "(SELECT seq FROM recents ORDER BY seq DESC LIMIT ?)",
                (MAX_RECENTS,),
            )

    def recents(self) -> list[str]:
        """Newest first, at most 50."""
        return [r[0] for r in self._conn.execute("SELECT code FROM recents ORDER BY seq DESC")]

    def clear_recents(self) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM recents")

    # ----------------------------------------------------------------- settings

    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self._conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None:
            return default
        try:
            return json.loads(row[0])
        except ValueError:
            return default

    def set_setting(self, key: str, value: Any) -> None:
        """Store a JSON value (None, bool, number, text, list, dict)."""
        if not isinstance(key, str) or not key.strip() or len(key) > 200:
            raise ValidationError("A setting needs a name of 1-200 characters.")
        try:
            encoded = json.dumps(value, allow_nan=False, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"The setting {key!r} cannot be saved: {exc}") from exc
        with self._write() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, encoded),
            )

    # ----------------------------------------------------------------- templates

    def save_template(
        self, name: str, lines: Iterable[TemplateLine], *, overwrite: bool = False
    ) -> Template:
        """Save a template. A name already used (ignoring case) is refused unless
        ``overwrite``, which replaces its lines and keeps its creation date."""
        name = normalize_name(name, what="template name")
        lines = tuple(lines)
        _check_lines(lines)
        now = self._now_iso()
        with self._write() as conn:
            self._put_template(conn, name, lines, now, now, overwrite=overwrite)
        result = self.get_template(name)
        assert result is not None
        return result

    def _put_template(
        self,
        conn: sqlite3.Connection,
        name: str,
        lines: tuple[TemplateLine, ...],
        created: str,
        updated: str,
        *,
        overwrite: bool,
    ) -> bool:
        """Insert or replace inside the caller's transaction; True if it replaced one."""
        row = conn.execute("SELECT id, created FROM templates WHERE name = ?", (name,)).fetchone()
        if row is not None and not overwrite:
            raise DuplicateNameError(f"A template named {name!r} already exists.")
        if row is not None:
            template_id = int(row[0])
            conn.execute(
                "UPDATE templates SET name = ?, updated = ? WHERE id = ?",
                (name, updated, template_id),
            )
            conn.execute("DELETE FROM template_lines WHERE template_id = ?", (template_id,))
        else:
            cur = conn.execute(
                "INSERT INTO templates (name, created, updated) VALUES (?, ?, ?)",
                (name, created, updated),
            )
            template_id = int(cast(int, cur.lastrowid))
        conn.executemany(
            "INSERT INTO template_lines (template_id, position, code, minutes, modifiers, "
            "provider, units_override) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    template_id,
                    i,
                    ln.code,
                    ln.minutes,
                    " ".join(ln.modifiers),
                    ln.provider,
                    ln.units_override,
                )
                for i, ln in enumerate(lines)
            ],
        )
        return row is not None

    def templates(self) -> list[Template]:
        """All templates, by name (ignoring case)."""
        names = [r[0] for r in self._conn.execute("SELECT name FROM templates ORDER BY name")]
        found = (self.get_template(n) for n in names)
        return [t for t in found if t is not None]

    def get_template(self, name: str) -> Template | None:
        try:
            name = normalize_name(name, what="template name")
        except ValidationError:
            return None
        rows = self._rows(
            "SELECT id, name, created, updated, renamed_from FROM templates WHERE name = ?",
            (name,),
        )
        if not rows:
            return None
        head = rows[0]
        lines = tuple(
            TemplateLine(
                code=r["code"],
                minutes=r["minutes"],
                modifiers=tuple(r["modifiers"].split()),
                provider=r["provider"],
                units_override=r["units_override"],
            )
            for r in self._rows(
                "SELECT * FROM template_lines WHERE template_id = ? ORDER BY position",
                (head["id"],),
            )
        )
        return Template(
            name=head["name"],
            lines=lines,
            created=datetime.fromisoformat(head["created"]),
            updated=datetime.fromisoformat(head["updated"]),
            renamed_from=head["renamed_from"],
        )

    def rename_template(self, old: str, new: str) -> Template:
        old = normalize_name(old, what="template name")
        new = normalize_name(new, what="new template name")
        with self._write() as conn:
            row = conn.execute("SELECT id, name FROM templates WHERE name = ?", (old,)).fetchone()
            if row is None:
                raise NotFoundError(f"There is no template named {old!r}.")
            clash = conn.execute(
                "SELECT 1 FROM templates WHERE name = ? AND id != ?", (new, row[0])
            ).fetchone()
            if clash is not None:
                raise DuplicateNameError(f"A template named {new!r} already exists.")
            now = self._now_iso()
            conn.execute(
                "UPDATE templates SET name = ?, renamed_from = ?, renamed_at = ?, updated = ? "
                "WHERE id = ?",
                (new, row[1], now, now, row[0]),
            )
        result = self.get_template(new)
        assert result is not None
        return result

    def delete_template(self, name: str) -> bool:
        """True if a template was deleted."""
        name = normalize_name(name, what="template name")
        with self._write() as conn:
            cur = conn.execute("DELETE FROM templates WHERE name = ?", (name,))
        return cur.rowcount > 0

    # ----------------------------------------------------------------- payer profiles

    def save_profile(self, profile: Mapping[str, object]) -> PayerProfile:
        """Validate (see ``validate_profile``) and save; a profile with the same name
        (ignoring case) is replaced: profiles are edited in place."""
        clean = validate_profile(profile)
        with self._write() as conn:
            self._put_profile(conn, clean)
        return clean

    def _put_profile(self, conn: sqlite3.Connection, profile: PayerProfile) -> bool:
        existed = conn.execute(
            "SELECT 1 FROM payer_profiles WHERE name = ?", (profile["name"],)
        ).fetchone()
        conn.execute("DELETE FROM payer_profiles WHERE name = ?", (profile["name"],))
        conn.execute(
            "INSERT INTO payer_profiles (name, unit_rule, daily_timed_unit_cap, medicare, "
            "updated) VALUES (?, ?, ?, ?, ?)",
            (
                profile["name"],
                profile["unit_rule"],
                profile["daily_timed_unit_cap"],
                int(profile["medicare"]),
                self._now_iso(),
            ),
        )
        return existed is not None

    def profiles(self) -> list[PayerProfile]:
        return [
            PayerProfile(
                name=r["name"],
                unit_rule=r["unit_rule"],
                daily_timed_unit_cap=r["daily_timed_unit_cap"],
                medicare=bool(r["medicare"]),
            )
            for r in self._rows("SELECT * FROM payer_profiles ORDER BY name")
        ]

    def delete_profile(self, name: str) -> bool:
        name = normalize_name(name, what="profile name")
        with self._write() as conn:
            cur = conn.execute("DELETE FROM payer_profiles WHERE name = ?", (name,))
        return cur.rowcount > 0

    # ----------------------------------------------------------------- export / import

    def export_bundle(self, path: Path) -> None:
        """Write favorites, templates and payer profiles to one JSON file (works on a
        read-only store too). Written to a temp file, then moved into place."""
        data = {
            "format": BUNDLE_FORMAT,
            "version": BUNDLE_VERSION,
            "exported_at": self._now_iso(),
            "favorites": self.favorites(),
            "templates": [
                {
                    "name": t.name,
                    "created": t.created.isoformat(timespec="seconds"),
                    "updated": t.updated.isoformat(timespec="seconds"),
                    "lines": [line.to_dict() for line in t.lines],
                }
                for t in self.templates()
            ],
            "profiles": [dict(p) for p in self.profiles()],
        }
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        path = Path(path)
        temp = path.with_name(f".{path.name}.tmp")
        try:
            with open(temp, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise UserDataError(
                f"The export could not be written: {_describe_os_error(exc, path)}."
            ) from exc

    def import_bundle(self, path: Path) -> ImportSummary:
        """Read an exported bundle; validate all of it, then merge all of it or nothing.

        Favorites: union. Templates and profiles: same name (ignoring case) is replaced
        and reported. Raises ``BundleError`` listing the problems; nothing is changed.
        """
        self._require_writable()
        now = self._now_iso()
        bundle = _read_bundle(Path(path), self.clock())
        added: list[str] = []
        replaced: list[str] = []
        p_added: list[str] = []
        p_replaced: list[str] = []
        with self._write() as conn:
            before = {r[0] for r in conn.execute("SELECT code FROM favorites")}
            for code in bundle.favorites:
                conn.execute(
                    "INSERT INTO favorites (code, added, seq) "
                    "SELECT ?, ?, coalesce(max(seq), 0) + 1 FROM favorites WHERE true "
                    "ON CONFLICT (code) DO NOTHING",
                    (code, now),
                )
            fav_added = len(set(bundle.favorites) - before)
            for t in bundle.templates:
                was = self._put_template(
                    conn,
                    t.name,
                    t.lines,
                    t.created.isoformat(timespec="seconds"),
                    now,
                    overwrite=True,
                )
                (replaced if was else added).append(t.name)
            for p in bundle.profiles:
                (p_replaced if self._put_profile(conn, p) else p_added).append(p["name"])
        return ImportSummary(
            fav_added, tuple(added), tuple(replaced), tuple(p_added), tuple(p_replaced)
        )

    # ----------------------------------------------------------------- import overlays

    def overlay_rows(self, kind: ImportKind) -> dict[str, OverlayRow]:
        """The current overlay of one kind, keyed like the rows' ``key``."""
        rows: list[OverlayRow]
        if kind == "codes":
            rows = [
                ClinicCode(
                    r["code"],
                    r["title"],
                    r["description"],
                    r["category"],
                    bool(r["timed"]),
                    r["unit_minutes"],
                    r["notes"],
                )
                for r in self._rows("SELECT * FROM overlay_codes")
            ]
        elif kind == "descriptors":
            rows = [
                Descriptor(r["code"], r["descriptor"], r["source"])
                for r in self._rows("SELECT * FROM overlay_descriptors")
            ]
        elif kind == "ncci":
            rows = [
                NcciRow(*r)
                for r in self._conn.execute(
                    "SELECT column1, column2, indicator, effective, deleted, rationale "
                    "FROM overlay_ncci"
                )
            ]
        else:
            raise ValidationError(f"Unknown import kind {kind!r}.")
        return {row.key: row for row in rows}

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
        if kind not in IMPORT_KINDS:
            raise ValidationError(f"Unknown import kind {kind!r}.")
        now = self._now_iso()
        with self._write() as conn:
            if kind == "codes":
                conn.execute("DELETE FROM overlay_codes")
                conn.executemany(
                    "INSERT INTO overlay_codes VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            r.code,
                            r.title,
                            r.description,
                            r.category,
                            int(r.timed),
                            r.unit_minutes,
                            r.notes,
                        )
                        for r in _only(rows, ClinicCode)
                    ],
                )
            elif kind == "descriptors":
                conn.execute("DELETE FROM overlay_descriptors")
                conn.executemany(
                    "INSERT INTO overlay_descriptors VALUES (?, ?, ?)",
                    [(r.code, r.text, r.source) for r in _only(rows, Descriptor)],
                )
            else:
                conn.execute("DELETE FROM overlay_ncci")
                conn.executemany(
                    "INSERT INTO overlay_ncci VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (r.column1, r.column2, r.indicator, r.effective, r.deleted, r.rationale)
                        for r in _only(rows, NcciRow)
                    ],
                )
            conn.execute(
                "INSERT OR REPLACE INTO imports (kind, file_name, source, imported_at, "
                "row_count, latest_effective) VALUES (?, ?, ?, ?, ?, ?)",
                (kind, file_name, source, now, len(rows), latest_effective),
            )
        return ImportInfo(
            kind, file_name, source, datetime.fromisoformat(now), len(rows), latest_effective
        )

    def remove_overlay(self, kind: ImportKind) -> bool:
        """Drop an import (the built-in data shows again); True if there was one."""
        if kind not in IMPORT_KINDS:
            raise ValidationError(f"Unknown import kind {kind!r}.")
        table = {
            "codes": "overlay_codes",
            "descriptors": "overlay_descriptors",
            "ncci": "overlay_ncci",
        }[kind]
        with self._write() as conn:
            conn.execute(f"DELETE FROM {table}")
            cur = conn.execute("DELETE FROM imports WHERE kind = ?", (kind,))
        return cur.rowcount > 0

    def imports_info(self) -> list[ImportInfo]:
        return [
            ImportInfo(
                r["kind"],
                r["file_name"],
                r["source"],
                datetime.fromisoformat(r["imported_at"]),
                r["row_count"],
                r["latest_effective"],
            )
            for r in self._rows("SELECT * FROM imports ORDER BY kind")
        ]

    def _import_info(self, kind: ImportKind) -> ImportInfo | None:
        return next((i for i in self.imports_info() if i.kind == kind), None)

    def overlay_codes(self) -> list[Code]:
        """Clinic codes (system "clinic"), by code."""
        info = self._import_info("codes")
        source = f"Clinic code list {info.file_name}" if info else "Clinic code list"
        result: list[Code] = []
        for row in sorted(self.overlay_rows("codes").values(), key=lambda r: r.key):
            assert isinstance(row, ClinicCode)
            notes = (Fact(row.notes, source, "M"),) if row.notes else ()
            result.append(
                Code(
                    code=row.code,
                    system="clinic",
                    title=row.title,
                    description=row.description,
                    category=row.category,
                    timed=row.timed,
                    unit_minutes=row.unit_minutes,
                    notes=notes,
                    sources=(Fact("Imported by your clinic", source, "M"),),
                )
            )
        return result

    def overlay_descriptors(self) -> dict[str, tuple[str, str]]:
        """code -> (descriptor text, source named for display)."""
        return {
            r["code"]: (r["descriptor"], r["source"])
            for r in self._rows("SELECT * FROM overlay_descriptors ORDER BY code")
        }

    def overlay_ncci(self) -> list[NcciPair] | None:
        """The imported PTP pairs, or None when nothing was imported (use the built-in)."""
        info = self._import_info("ncci")
        if info is None:
            return None
        as_of = info.imported_at.date().isoformat()
        latest = f", latest effective {info.latest_effective}" if info.latest_effective else ""
        source = f"CMS NCCI PTP table {info.file_name}{latest}, imported {as_of}"
        rows = self._conn.execute(
            "SELECT column1, column2, indicator, rationale, effective, deleted "
            "FROM overlay_ncci ORDER BY column1, column2"
        )
        return [
            NcciPair(c1, c2, indicator, source, "H", as_of, note, effective, deleted)
            for c1, c2, indicator, note, effective, deleted in rows
        ]


def _only(rows: Sequence[OverlayRow], kind: type[_R]) -> list[_R]:
    wrong = [r for r in rows if not isinstance(r, kind)]
    if wrong:
        raise ValidationError(f"Expected {kind.__name__} rows, got {type(wrong[0]).__name__}.")
    return cast(list[_R], list(rows))


def _check_lines(lines: tuple[TemplateLine, ...]) -> None:
    if not lines:
        raise ValidationError("A template needs at least one line.")
    if len(lines) > MAX_TEMPLATE_LINES:
        raise ValidationError(f"A template has at most {MAX_TEMPLATE_LINES} lines.")
    for line in lines:
        if not isinstance(line, TemplateLine):
            raise ValidationError("Template lines must be TemplateLine values.")


def _newer_reason(version: int, latest: int) -> str:
    return f"the saved data was made by a newer version of PT Codes (data version {version})"


def _newer_message(version: int, latest: int) -> str:
    return (
        f"Your saved data was made by a newer version of PT Codes (data version {version}; "
        f"this version understands up to {latest}). It is shown read-only. Changes cannot "
        "be saved: install the newer version to keep editing."
    )


# --------------------------------------------------------------------------- bundle


def _read_bundle(path: Path, now: datetime) -> _Bundle:
    try:
        size = path.stat().st_size
        if size > MAX_BUNDLE_BYTES:
            raise BundleError(f"{path.name} is larger than 20 MB; it is not a PT Codes export.")
        raw = path.read_bytes()
    except OSError as exc:
        raise BundleError(f"{path.name} could not be read: {exc.strerror or exc}.") from exc
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise BundleError(f"{path.name} is not UTF-8 text; it is not a PT Codes export.") from exc
    except json.JSONDecodeError as exc:
        raise BundleError(
            f"{path.name} is not a valid PT Codes export (broken JSON at line {exc.lineno})."
        ) from exc
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"{path.name} is not a PT Codes export.")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BundleError(f"{path.name} has no valid format version.")
    if version > BUNDLE_VERSION:
        raise BundleError(
            f"{path.name} was made by a newer version of PT Codes (format {version}); "
            "install the newer version to import it."
        )
    problems: list[str] = []
    unknown = set(data) - {"format", "version", "exported_at", "favorites", "templates", "profiles"}
    if unknown:
        problems.append(f"unknown section(s): {', '.join(sorted(unknown))}")
    bundle = _Bundle()
    favorites = data.get("favorites", [])
    if not isinstance(favorites, list):
        problems.append("favorites: must be a list")
        favorites = []
    for i, code in enumerate(favorites, 1):
        try:
            bundle.favorites.append(normalize_code(code))
        except ValidationError as exc:
            problems.append(f"favorite {i}: {exc}")
    templates = data.get("templates", [])
    if not isinstance(templates, list):
        problems.append("templates: must be a list")
        templates = []
    seen: set[str] = set()
    for i, item in enumerate(templates, 1):
        try:
            template = _template_from_json(item, now)
        except (ValidationError, TypeError) as exc:
            problems.append(f"template {i}: {exc}")
            continue
        if template.name.casefold() in seen:
            problems.append(f"template {i}: the name {template.name!r} appears twice")
        seen.add(template.name.casefold())
        bundle.templates.append(template)
    profiles = data.get("profiles", [])
    if not isinstance(profiles, list):
        problems.append("profiles: must be a list")
        profiles = []
    seen = set()
    for i, item in enumerate(profiles, 1):
        try:
            profile = validate_profile(item)
        except (ValidationError, TypeError) as exc:
            problems.append(f"profile {i}: {exc}")
            continue
        if profile["name"].casefold() in seen:
            problems.append(f"profile {i}: the name {profile['name']!r} appears twice")
        seen.add(profile["name"].casefold())
        bundle.profiles.append(profile)
    if problems:
        shown = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
        raise BundleError(f"{path.name} was not imported; nothing was changed: {shown}", problems)
    return bundle


def _template_from_json(item: object, now: datetime) -> Template:
    if not isinstance(item, dict):
        raise ValidationError("must be an object")
    unknown = set(item) - {"name", "lines", "created", "updated"}
    if unknown:
        raise ValidationError(f"unknown field(s) {', '.join(sorted(unknown))}")
    name = normalize_name(item.get("name"), what="template name")
    raw_lines = item.get("lines")
    if not isinstance(raw_lines, list):
        raise ValidationError(f"{name!r}: lines must be a list")
    lines: list[TemplateLine] = []
    for n, raw in enumerate(raw_lines, 1):
        if not isinstance(raw, dict):
            raise ValidationError(f"{name!r} line {n}: must be an object")
        try:
            lines.append(TemplateLine.from_dict(raw))
        except ValidationError as exc:
            raise ValidationError(f"{name!r} line {n}: {exc}") from exc
    _check_lines(tuple(lines))
    created = _parse_when(item.get("created"))
    return Template(name, tuple(lines), created or now, now)


def _parse_when(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
