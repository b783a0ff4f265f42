"""Opening the user database: what state the file is in, and the crash-safe repair.

``assess`` says whether ``user.sqlite`` is ok, missing, empty (0 bytes), damaged (not a
database, ``quick_check`` fails, the check itself fails, or it is some other SQLite file,
say the catalog copied over it), or unreadable (locked, no permission: left alone).

A missing or empty file with a good backup beside it is a restore, never a first run.
``repair`` and ``restore`` are crash-safe: the backup is first copied to a unique temp
file beside the database and checked; the damaged file is hard-linked aside (so it is
kept without needing disk space), and one ``os.replace`` swaps in the copy. A kill at any
step leaves either the old file or the repaired one, the backups untouched. When the copy
cannot be written (a full disk) nothing is changed and the caller shows the backup's data
read-only instead.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from ptcodes_gui.userdata import backup, migrations, shadow
from ptcodes_gui.userdata.db import describe_os_error

State = Literal["ok", "missing", "empty", "corrupt", "unreadable"]


@dataclass(frozen=True)
class Assessment:
    state: State
    detail: str = ""


def expected_tables(version: int, steps: Sequence[migrations.Migration]) -> set[str]:
    names: set[str] = set()
    for step in steps:
        if step.version > version:
            break
        for statement in step.statements:
            words = statement.split()
            if words[:2] == ["CREATE", "TABLE"]:
                names.add(words[2])
    return names


def schema_problem(conn: sqlite3.Connection, steps: Sequence[migrations.Migration]) -> str | None:
    """None if ``conn`` looks like PT Codes saved data (of any version), else why not."""
    version = migrations.user_version(conn)
    tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")}
    if version <= 0:
        return "it is some other SQLite file" if tables else None
    if version > steps[-1].version + 100:
        return f"its data version {version} is not one PT Codes ever wrote"
    missing = expected_tables(min(version, steps[-1].version), steps) - tables
    if missing:
        return f"it is not PT Codes saved data (no table {sorted(missing)[0]})"
    return None


#: read in full at every check (small); the others (favorites: read by the sweep; the big
#: overlay tables) only have to prepare
_SMALL_TABLES = ("settings", "templates", "template_lines",
                 "payer_profiles", "imports", "meta")


def tables_readable(conn: sqlite3.Connection, steps: Sequence[migrations.Migration]) -> None:
    """Raise if a table of ours cannot be read at all (schema damage that quick_check
    lets pass: a malformed definition, an undecodable column name)."""
    version = min(migrations.user_version(conn), steps[-1].version)
    saved = conn.text_factory
    conn.text_factory = bytes
    try:
        for table in sorted(expected_tables(version, steps)):
            limit = "" if table in _SMALL_TABLES else " LIMIT 1"
            cur = conn.execute(f'SELECT * FROM "{table}"{limit}')
            cur.fetchall()
            _ = [d[0] for d in cur.description or ()]
    finally:
        conn.text_factory = saved


def looks_ours(path: Path, steps: Sequence[migrations.Migration] = migrations.MIGRATIONS) -> bool:
    try:
        conn = backup.connect_read_only(path)
    except sqlite3.Error:
        return False
    try:
        conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
        if schema_problem(conn, steps) is not None:
            return False
        tables_readable(conn, steps)
        return True
    except (sqlite3.Error, ValueError):
        return False
    finally:
        conn.close()


def not_a_file(db: Path) -> str | None:
    """Why ``db`` is no file SQLite may open (a folder, a FIFO that would block every
    read, a device), or None. Only ``stat`` is used: nothing is opened."""
    mode = db.stat().st_mode
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "it is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "it is a pipe (FIFO), not a file"
    return "it is not a regular file"


def recover_journal(db: Path) -> None:
    """A kill during a write or a journal-mode switch leaves a hot ``-journal`` (or a
    ``-wal``): a read-only open cannot roll it back and fails with SQLITE_READONLY,
    which is not damage. One read-write open rolls it back (SQLite does it on the first
    read); only called when the folder is writable."""
    sides = [db.with_name(db.name + s) for s in ("-journal", "-wal")]
    if not any(side.exists() for side in sides):
        return
    with contextlib.suppress(OSError, sqlite3.Error):
        if not_a_file(db) is not None:
            return
        with open(db, "rb") as handle:  # never hand a damaged file's journal to SQLite
            if handle.read(16) != b"SQLite format 3\x00":
                return
        conn = sqlite3.connect(db, timeout=5.0, isolation_level=None)
        try:
            conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        finally:
            conn.close()


def assess(db: Path, steps: Sequence[migrations.Migration]) -> Assessment:
    try:
        if not db.exists() and not db.is_symlink():
            return Assessment("missing")
        odd = not_a_file(db)
        if odd is not None:
            return Assessment("unreadable", odd)
        if db.stat().st_size == 0:
            return Assessment("empty")
    except OSError as exc:
        return Assessment("unreadable", exc.strerror or str(exc))
    check = backup.check_file(db)
    if check.state != "ok":
        return Assessment(check.state, check.detail)
    try:
        conn = backup.connect_read_only(db)
    except sqlite3.Error as exc:
        return Assessment("unreadable", str(exc))
    try:
        conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
        problem = schema_problem(conn, steps)
        if problem is None:
            tables_readable(conn, steps)
    except (sqlite3.OperationalError, sqlite3.DatabaseError, ValueError) as exc:
        name = getattr(exc, "sqlite_errorname", "")
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR", "SQLITE_PERM")):
            return Assessment("unreadable", str(exc))
        problem = str(exc) or type(exc).__name__
    finally:
        conn.close()
    return Assessment("corrupt", problem) if problem else Assessment("ok")


def best_backup(data_dir: Path, backup_dir: Path, now: datetime,
                steps: Sequence[migrations.Migration]) -> backup.BackupInfo | None:
    """The good copy with the newest content: the second copy written with every change
    (``shadow``), else the newest good backup."""
    extra: list[backup.BackupInfo] = []
    copy = shadow.shadow_path(data_dir)
    with contextlib.suppress(OSError):
        if copy.is_file() and not copy.is_symlink():
            extra.append(backup.BackupInfo(copy, shadow.created(copy)))
    return backup.newest_good_backup(backup_dir, now, lambda p: looks_ours(p, steps), extra)


def damaged_backups(backup_dir: Path) -> int:
    """How many backup files (and second copies) there are: called when none is good."""
    found = len(backup.list_backups(backup_dir))
    with contextlib.suppress(OSError):
        found += (backup_dir / shadow.SHADOW_NAME).exists()
    return found


def aside_name(db: Path, now: datetime) -> Path:
    stem = f"{db.name}.corrupt-{now:%Y%m%d-%H%M%S}"
    target = db.with_name(stem)
    counter = 1
    while target.exists() or target.is_symlink():
        target = db.with_name(f"{stem}-{counter}")
        counter += 1
    return target


def _keep_aside(db: Path, aside: Path) -> None:
    """Keep the damaged file's bytes under ``aside`` without removing ``db`` (a hard link
    needs no space); where links are impossible it is moved (a kill then leaves no file,
    which the next start treats as a restore)."""
    try:
        os.link(db, aside)
    except OSError:
        os.replace(db, aside)
    # A leftover WAL of the damaged file must not be replayed into the restored one.
    for suffix in ("-wal", "-shm", "-journal"):
        side = db.with_name(db.name + suffix)
        if side.exists():
            with contextlib.suppress(OSError):
                os.replace(side, aside.with_name(aside.name + suffix))


def staged_copy(info: backup.BackupInfo, db: Path) -> Path:
    """A checked copy of the backup in a unique temp file beside ``db``; OSError (full
    disk, ...) or sqlite3.Error leaves nothing behind."""
    fd, name = tempfile.mkstemp(prefix=f".restore-{db.name}.", dir=db.parent)
    os.close(fd)
    temp = Path(name)
    try:
        backup.copy_file(info.path, temp)
        check = backup.check_file(temp)
        if not check.ok:
            raise sqlite3.DatabaseError(f"the backup failed its check: {check.detail}")
        backup.fsync_file(temp)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return temp


@dataclass(frozen=True)
class Outcome:
    """What ``repair`` or ``restore`` did. ``read_only_from`` is a backup whose data must be
    shown read-only (it could not be put in place); ``why`` says why."""

    restored: backup.BackupInfo | None
    moved: Path | None
    read_only_from: backup.BackupInfo | None = None
    why: str = ""


def put_in_place(info: backup.BackupInfo, db: Path, aside: Path | None) -> Outcome:
    try:
        temp = staged_copy(info, db)
    except (OSError, sqlite3.Error) as exc:
        why = describe_os_error(exc, db.parent) if isinstance(exc, OSError) else str(exc)
        return Outcome(None, None, read_only_from=info, why=why)
    try:
        if aside is not None:
            _keep_aside(db, aside)
        os.replace(temp, db)
        backup.fsync_dir(db.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        return Outcome(None, aside if aside and aside.exists() else None, read_only_from=info,
                       why=describe_os_error(exc, db.parent))
    return Outcome(info, aside)


def repair(db: Path, good: backup.BackupInfo | None, now: datetime) -> Outcome:
    """The damaged ``db`` is kept aside and ``good`` put in its place (or, without a good
    backup, moved aside so that a new empty file starts)."""
    aside = aside_name(db, now)
    if good is not None:
        return put_in_place(good, db, aside)
    os.replace(db, aside)
    for suffix in ("-wal", "-shm", "-journal"):
        side = db.with_name(db.name + suffix)
        if side.exists():
            with contextlib.suppress(OSError):
                os.replace(side, aside.with_name(aside.name + suffix))
    return Outcome(None, aside)


def restore(db: Path, good: backup.BackupInfo, now: datetime) -> Outcome:
    """``db`` is missing or empty: put ``good`` in place (an empty file is kept aside)."""
    aside = None
    with contextlib.suppress(OSError):
        if db.exists():
            aside = aside_name(db, now).with_name(f"{db.name}.empty-{now:%Y%m%d-%H%M%S}")
    return put_in_place(good, db, aside)


def remove_stale_temps(data_dir: Path) -> None:
    backup.remove_stale_temps(data_dir, f".restore-{'user.sqlite'}.")
