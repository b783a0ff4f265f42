"""Rotated backups of the user database, and the integrity check used on it.

Backups are ``backups/user-YYYYmmdd-HHMMSS.sqlite`` (local time of the copy, taken from
the name, never from the file's mtime). One is made when the store opens if none
exists, the newest is an hour old or more, or none is from today; and always before
a schema upgrade. Retention, applied after each new backup:

* the 5 most recent are kept;
* plus the newest of each calendar day for the last 7 days (today included);
* plus the newest of each ISO week for the last 28 days;
* everything else with our name pattern is deleted (other files are never touched).

A backup is written with ``Connection.backup()`` into a hidden temp file with a unique
name (two copies of PT Codes started in the same second never share one), switched to
``journal_mode=DELETE`` (so it is one self-contained file), checked, fsynced and then
linked into place under a name no other backup has: a crash leaves at worst a stale temp
file, which is removed at the next rotation and never mistaken for a backup.

"Newest" means newest content: each backup carries the database's ``write_seq`` (bumped
by every change), and ``by_content`` orders on it, then on the name's time only when that
time is sane (not in the future): one run with the clock set to 2031 cannot win every
later restore. The backup with the newest good content is never pruned.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

KEEP_RECENT = 5
KEEP_DAILY_DAYS = 7
KEEP_WEEKLY_DAYS = 28
MIN_INTERVAL = timedelta(hours=1)

_NAME_RE = re.compile(r"^user-(\d{8}-\d{6})(?:-(\d{1,4}))?\.sqlite$")
_TEMP_PREFIX = ".tmp-"
#: a name's time more than this ahead of now is not believed
CLOCK_SLACK = timedelta(days=1)
STALE_TEMP_SECONDS = 600


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: datetime
    #: the database's write_seq at the time of the copy (0: made before it existed)
    seq: int = 0


@dataclass(frozen=True)
class FileCheck:
    """Result of ``check_file``: ``ok``; ``corrupt`` (not a database, or quick_check
    failed: safe to move aside); ``unreadable`` (locked, permission, I/O: leave it be)."""

    state: Literal["ok", "corrupt", "unreadable"]
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state == "ok"


_CORRUPT_CODES = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}
#: failures that say nothing about the file's content (locks, permissions, I/O): such a
#: file is left alone; every other failure of the check means the content is damaged
_UNREADABLE_PREFIXES = (
    "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_IOERR",
    "SQLITE_AUTH", "SQLITE_READONLY", "SQLITE_NOMEM", "SQLITE_FULL",
)


def connect_read_only(path: Path, *, immutable: bool = False) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")
    return sqlite3.connect(uri, uri=True, timeout=5.0, isolation_level=None)


def check_file(path: Path) -> FileCheck:
    """``PRAGMA quick_check`` on a database file, opened read-only."""
    try:
        conn = connect_read_only(path)
    except sqlite3.Error as exc:
        return FileCheck("unreadable", str(exc))
    # Damaged schema bytes can make the check's own messages undecodable.
    conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        name = getattr(exc, "sqlite_errorname", "")
        if name.startswith(_UNREADABLE_PREFIXES) and name not in _CORRUPT_CODES:
            return FileCheck("unreadable", str(exc))
        return FileCheck("corrupt", str(exc))
    except (sqlite3.Error, ValueError, MemoryError) as exc:
        return FileCheck("corrupt", f"the check itself failed: {exc!r}"[:200])
    finally:
        conn.close()
    results = [str(row[0]) for row in rows]
    if results == ["ok"]:
        return FileCheck("ok")
    return FileCheck("corrupt", "; ".join(results[:3]))


def _local(moment: datetime) -> datetime:
    """Naive local time (backup names carry no zone); aware clocks are converted."""
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return moment.replace(microsecond=0)


def backup_name(created: datetime) -> str:
    return f"user-{created:%Y%m%d-%H%M%S}.sqlite"


def list_backups(backup_dir: Path) -> list[BackupInfo]:
    """Backups with our name pattern, newest first (temp files and others ignored)."""
    found: list[BackupInfo] = []
    try:
        entries = sorted(backup_dir.iterdir())  # the same order on every file system
    except OSError:
        return []
    for entry in entries:
        match = _NAME_RE.match(entry.name)
        if not match:
            continue
        try:
            created = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")
        except ValueError:
            continue
        with contextlib.suppress(OSError):
            if entry.is_file() and not entry.is_symlink():
                found.append(BackupInfo(entry, created))
    found.sort(key=lambda info: (info.created, info.path.name), reverse=True)
    return found


def read_seq(path: Path) -> int:
    """The write_seq stored in a database file (0 when it has none or cannot be read)."""
    try:
        conn = connect_read_only(path)
    except sqlite3.Error:
        return 0
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'write_seq'").fetchone()
        value = row[0] if row is not None else 0
        return value if isinstance(value, int) and value >= 0 else 0
    except (sqlite3.Error, ValueError):
        return 0
    finally:
        conn.close()


def sane(info: BackupInfo, now: datetime) -> bool:
    """False for a name whose time lies in the future (a run with a wrong clock)."""
    return info.created <= _local(now) + CLOCK_SLACK


def by_content(backups: list[BackupInfo], now: datetime) -> list[BackupInfo]:
    """Newest content first: highest write_seq, then (sane) name time."""
    with_seq = [BackupInfo(b.path, b.created, b.seq or read_seq(b.path)) for b in backups]
    return sorted(
        with_seq,
        key=lambda b: (b.seq, b.created if sane(b, now) else datetime.min, b.path.name),
        reverse=True,
    )


def is_good(path: Path, looks_ours: Callable[[Path], bool] | None = None) -> bool:
    return check_file(path).ok and (looks_ours is None or looks_ours(path))


def newest_good_backup(
    backup_dir: Path,
    now: datetime | None = None,
    looks_ours: Callable[[Path], bool] | None = None,
    extra: Sequence[BackupInfo] = (),
) -> BackupInfo | None:
    """The backup with the newest content that passes quick_check (and ``looks_ours``);
    ``extra``: other copies to weigh with them (the second copy)."""
    moment = now or datetime.now()
    for info in by_content([*list_backups(backup_dir), *extra], moment):
        if is_good(info.path, looks_ours):
            return info
    return None


def backup_due(backup_dir: Path, now: datetime) -> bool:
    now = _local(now)
    backups = [b for b in list_backups(backup_dir) if sane(b, now)]
    if not backups:
        return True
    newest = backups[0].created
    return newest.date() != now.date() or abs(now - newest) >= MIN_INTERVAL


def make_backup(conn: sqlite3.Connection, backup_dir: Path, now: datetime) -> BackupInfo:
    """Copy the live database (a consistent snapshot, WAL content included)."""
    now = _local(now)
    backup_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".sqlite", dir=backup_dir)
    os.close(fd)
    temp = Path(name)
    try:
        dst = sqlite3.connect(temp, isolation_level=None)
        try:
            conn.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
        check = check_file(temp)
        if not check.ok:
            raise sqlite3.DatabaseError(f"the new backup failed its check: {check.detail}")
        fsync_file(temp)
        final = _place(temp, backup_dir, backup_name(now))
        fsync_dir(backup_dir)
    finally:
        _remove(temp)
    return BackupInfo(final, now, read_seq(final))


def _place(temp: Path, folder: Path, name: str) -> Path:
    """Give ``temp`` a backup name no other file has (a hard link fails if the name is
    taken, so two copies finishing in the same second keep both backups)."""
    stem = name.removesuffix(".sqlite")
    for n in range(1000):
        final = folder / (name if n == 0 else f"{stem}-{n}.sqlite")
        try:
            os.link(temp, final)
            return final
        except FileExistsError:
            continue
        except OSError:
            if final.exists():
                continue
            os.replace(temp, final)  # no hard links on this file system
            return final
    raise FileExistsError(f"no free backup name for {name}")


def backups_to_keep(backups: list[BackupInfo], now: datetime) -> set[Path]:
    now = _local(now)
    newest_first = by_content(backups, now)
    keep = {info.path for info in newest_first[:KEEP_RECENT]}
    # the newest good content is never pruned, however old its name says it is
    best = next((b for b in newest_first if check_file(b.path).ok), None)
    if best is not None:
        keep.add(best.path)
    newest_first = [b for b in newest_first if sane(b, now)]
    newest_first.sort(key=lambda info: info.created, reverse=True)
    days_seen: set[object] = set()
    weeks_seen: set[object] = set()
    for info in newest_first:
        age_days = (now.date() - info.created.date()).days
        if 0 <= age_days < KEEP_DAILY_DAYS and info.created.date() not in days_seen:
            days_seen.add(info.created.date())
            keep.add(info.path)
        week = info.created.isocalendar()[:2]
        if 0 <= age_days < KEEP_WEEKLY_DAYS and week not in weeks_seen:
            weeks_seen.add(week)
            keep.add(info.path)
    return keep


def prune_backups(backup_dir: Path, now: datetime) -> list[Path]:
    """Apply the retention policy; also remove stale temp files. Returns what was removed."""
    removed: list[Path] = []
    backups = list_backups(backup_dir)
    keep = backups_to_keep(backups, now)
    for info in backups:
        if info.path not in keep and _remove(info.path):
            removed.append(info.path)
    removed.extend(remove_stale_temps(backup_dir, _TEMP_PREFIX))
    return removed


def remove_stale_temps(folder: Path, prefix: str) -> list[Path]:
    """Temp files left by a crash; a fresh one may belong to another running copy."""
    removed: list[Path] = []
    cutoff = time.time() - STALE_TEMP_SECONDS
    with contextlib.suppress(OSError):
        for entry in folder.glob(f"{prefix}*"):
            with contextlib.suppress(OSError):
                if entry.stat().st_mtime < cutoff and _remove(entry):
                    removed.append(entry)
    return removed


def maybe_backup(
    conn: sqlite3.Connection, backup_dir: Path, now: datetime, *, force: bool = False
) -> BackupInfo | None:
    """Make a backup if one is due (or ``force``), then rotate."""
    if not force and not backup_due(backup_dir, now):
        return None
    info = make_backup(conn, backup_dir, now)
    prune_backups(backup_dir, now)
    return info


def copy_file(source: Path, target: Path) -> None:
    """A module-level name so tests can make it fail (a full disk)."""
    shutil.copyfile(source, target)


def restore_backup(info: BackupInfo, target: Path) -> None:
    """Replace ``target`` with a verified copy of the backup (unique temp + os.replace)."""
    fd, name = tempfile.mkstemp(prefix=f".restore-{target.name}.", dir=target.parent)
    os.close(fd)
    temp = Path(name)
    try:
        copy_file(info.path, temp)
        check = check_file(temp)
        if not check.ok:
            raise sqlite3.DatabaseError(f"the backup failed its check: {check.detail}")
        fsync_file(temp)
        os.replace(temp, target)
        fsync_dir(target.parent)
    finally:
        _remove(temp)


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError:
        return False
    return True


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def fsync_dir(path: Path) -> None:
    # Makes the rename durable on POSIX; directories cannot be opened on Windows.
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
