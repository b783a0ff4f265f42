"""Rotated backups of the user database, and the integrity check used on it.

Backups are ``backups/user-YYYYmmdd-HHMMSS.sqlite`` (local time of the copy, taken from
the name, never from the file's mtime). One is made when the store opens if none
exists, the newest is an hour old or more, or none is from today; and always before
a schema upgrade. Retention, applied after each new backup:

* the 5 most recent are kept;
* plus the newest of each calendar day for the last 7 days (today included);
* plus the newest of each ISO week for the last 28 days;
* everything else with our name pattern is deleted (other files are never touched).

A backup is written with ``Connection.backup()`` into a hidden temp file, switched to
``journal_mode=DELETE`` (so it is one self-contained file), checked, fsynced and then
``os.replace``-d into place: a crash leaves at worst a stale temp file, which is removed
at the next rotation and never mistaken for a backup.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

KEEP_RECENT = 5
KEEP_DAILY_DAYS = 7
KEEP_WEEKLY_DAYS = 28
MIN_INTERVAL = timedelta(hours=1)

_NAME_RE = re.compile(r"^user-(\d{8}-\d{6})\.sqlite$")
_TEMP_PREFIX = ".tmp-"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: datetime


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


def connect_read_only(path: Path, *, immutable: bool = False) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")
    return sqlite3.connect(uri, uri=True, timeout=5.0, isolation_level=None)


def check_file(path: Path) -> FileCheck:
    """``PRAGMA quick_check`` on a database file, opened read-only."""
    try:
        conn = connect_read_only(path)
    except sqlite3.Error as exc:
        return FileCheck("unreadable", str(exc))
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        name = getattr(exc, "sqlite_errorname", "")
        if name in _CORRUPT_CODES or type(exc) is sqlite3.DatabaseError:
            return FileCheck("corrupt", str(exc))
        return FileCheck("unreadable", str(exc))
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
        entries = list(backup_dir.iterdir())
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
        if entry.is_file():
            found.append(BackupInfo(entry, created))
    found.sort(key=lambda info: info.created, reverse=True)
    return found


def newest_good_backup(backup_dir: Path) -> BackupInfo | None:
    """The newest backup that passes quick_check, or None."""
    for info in list_backups(backup_dir):
        if check_file(info.path).ok:
            return info
    return None


def backup_due(backup_dir: Path, now: datetime) -> bool:
    now = _local(now)
    backups = list_backups(backup_dir)
    if not backups:
        return True
    newest = backups[0].created
    return newest.date() != now.date() or abs(now - newest) >= MIN_INTERVAL


def make_backup(conn: sqlite3.Connection, backup_dir: Path, now: datetime) -> BackupInfo:
    """Copy the live database (a consistent snapshot, WAL content included)."""
    now = _local(now)
    backup_dir.mkdir(parents=True, exist_ok=True)
    final = backup_dir / backup_name(now)
    temp = backup_dir / f"{_TEMP_PREFIX}{final.name}"
    _remove(temp)
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
        _fsync_file(temp)
        os.replace(temp, final)
        _fsync_dir(backup_dir)
    finally:
        _remove(temp)
    return BackupInfo(final, now)


def backups_to_keep(backups: list[BackupInfo], now: datetime) -> set[Path]:
    now = _local(now)
    newest_first = sorted(backups, key=lambda info: info.created, reverse=True)
    keep = {info.path for info in newest_first[:KEEP_RECENT]}
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
    with contextlib.suppress(OSError):
        for entry in backup_dir.glob(f"{_TEMP_PREFIX}*"):
            if _remove(entry):
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


def restore_backup(info: BackupInfo, target: Path) -> None:
    """Replace ``target`` with a verified copy of the backup (temp file + os.replace)."""
    temp = target.with_name(f"{_TEMP_PREFIX}{target.name}")
    try:
        shutil.copyfile(info.path, temp)
        check = check_file(temp)
        if not check.ok:
            raise sqlite3.DatabaseError(f"the backup failed its check: {check.detail}")
        _fsync_file(temp)
        os.replace(temp, target)
        _fsync_dir(target.parent)
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


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    # Makes the rename durable on POSIX; directories cannot be opened on Windows.
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
