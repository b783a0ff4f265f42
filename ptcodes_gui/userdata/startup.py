"""The steps of ``UserStore.open``: assess the file, restore or repair it, open, back up,
upgrade, and set aside the rows that cannot be loaded. Each path ends in a connection and
the messages to show; only ``UserStore.open``'s last-resort handler sees an exception."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from ptcodes_gui.userdata import (
    backup,
    favorites,
    migrations,
    opening,
    overlays,
    profiles,
    quarantine,
    settings,
    shadow,
    templates,
)
from ptcodes_gui.userdata.db import Clock, Db, describe_os_error, describe_sqlite_error, has_table
from ptcodes_gui.userdata.errors import StartupMessage
from ptcodes_gui.userdata.paths import BACKUP_DIR_NAME, USER_DB_NAME

Opened = tuple[sqlite3.Connection, str | None, Path | None]
Steps = Sequence[migrations.Migration]


def fmt_when(moment: datetime) -> str:
    return f"{moment:%B} {moment.day}, {moment.year} at {moment:%H:%M}"


#: how long opening waits for another copy's lock; the sweep of a start waits less
OPEN_WAIT_MS = 5000
SWEEP_WAIT_MS = 500


def _connect_file(path: Path) -> sqlite3.Connection:
    """Open for writing; nothing is written yet (the version is checked before WAL)."""
    conn = sqlite3.connect(path, timeout=OPEN_WAIT_MS / 1000, isolation_level=None)
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


def memory_copy(path: Path | None) -> sqlite3.Connection:
    """An in-memory database holding a copy of ``path`` (or empty)."""
    mem = sqlite3.connect(":memory:", isolation_level=None)
    mem.execute("PRAGMA foreign_keys = ON")
    if path is None or not path.exists():
        return mem
    for immutable in (False, True):
        # immutable=1 reads a WAL-mode file whose -shm cannot be created here.
        src: sqlite3.Connection | None = None
        try:
            src = backup.connect_read_only(path, immutable=immutable)
            src.backup(mem)
            return mem
        except sqlite3.Error:
            if immutable:
                raise
        finally:
            if src is not None:
                src.close()
    return mem


def salvage(old: sqlite3.Connection, steps: Steps) -> sqlite3.Connection:
    """A fresh in-memory database in the current schema holding what ``old`` has of it
    (the columns both know); ``old`` is closed."""
    new = memory_copy(None)
    try:
        migrations.migrate(new, steps=steps)
    except migrations.MigrationError:
        new.close()
        new = memory_copy(None)
        migrations.migrate(new)
    try:
        tables = [r[0] for r in new.execute("SELECT name FROM sqlite_schema WHERE type='table'")]
        for table in tables:
            new_cols = [r[1] for r in new.execute(f'PRAGMA table_info("{table}")')]
            with contextlib.suppress(sqlite3.Error, ValueError):
                old.text_factory = str
                old_cols = {r[1] for r in old.execute(f'PRAGMA table_info("{table}")')}
                cols = [c for c in new_cols if c in old_cols]
                if not cols:
                    continue
                names = ", ".join(f'"{c}"' for c in cols)
                marks = ", ".join("?" for _ in cols)
                old.text_factory = bytes  # undecodable text is refused by the sweep later
                rows = old.execute(f'SELECT {names} FROM "{table}"').fetchall()
                rows = [tuple(_text(v) for v in row) for row in rows]
                new.execute("BEGIN")
                new.executemany(f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({marks})', rows)
                new.execute("COMMIT")
            if new.in_transaction:
                new.execute("ROLLBACK")
    finally:
        old.close()
    return new


def _text(value: object) -> object:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value  # stored as a blob: the sweep sets the row aside
    return value


def read_only(path: Path | None, reason: str, clock: Clock, steps: Steps,
              messages: list[StartupMessage]) -> Opened:
    """A connection over an in-memory copy of ``path`` in this version's schema: an older
    copy is upgraded in memory; a newer one, or one whose upgrade fails, is salvaged table
    by table; rows that cannot be loaded are left out (the file is never touched)."""
    latest = steps[-1].version
    try:
        mem = memory_copy(path)
    except sqlite3.Error as exc:
        messages.append(StartupMessage("error", f"Your saved data could not be read: {exc}."))
        mem = memory_copy(None)
    try:
        version = migrations.user_version(mem)
        if version < latest:
            with contextlib.suppress(migrations.MigrationError):
                migrations.migrate(mem, steps=steps)
        ok = migrations.user_version(mem) == latest
    except sqlite3.Error:
        ok = False
    if not ok:
        mem = salvage(mem, steps)
    note = sweep(mem, clock, "memory only (the saved-data file was left as it is)")
    if note is not None:
        messages.append(note)
    return mem, reason, None


def sweep(
    conn: sqlite3.Connection, clock: Clock, where: str, *, strict: bool = False,
    copy_intact: Callable[[int], bool] | None = None,
) -> StartupMessage | None:
    """Set aside the rows that cannot be loaded; the one sentence saying so, or None.
    ``strict``: damage of the file itself raises ``_DamagedError`` (it is repaired).

    Reads and set-aside are one write transaction: another copy's commit cannot fall
    between the read of the templates and the read of their lines (which made lines look
    orphaned). When another copy holds the lock the sweep is skipped (reads leave out what
    they cannot load; the next start sweeps)."""
    try:
        # a start waits half a second at most for another copy's write, then sweeps later
        conn.execute(f"PRAGMA busy_timeout = {SWEEP_WAIT_MS}")
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        if strict and _is_damage(exc):
            raise _DamagedError(str(exc)) from exc
        return None
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.execute(f"PRAGMA busy_timeout = {OPEN_WAIT_MS}")
    try:
        bad, note = _find_bad(conn, clock, strict)
        lost = [b for b in bad if b.repair is None]
        if lost and copy_intact is not None and copy_intact(
                Db(conn, clock=clock, read_only_reason=None).write_seq()):
            # damage quick_check does not see (bytes of a row changed): the copy kept with
            # every change holds these rows intact, so the file is repaired from it
            raise _DamagedError(f"{len(lost)} saved item(s) cannot be read")
        if bad and has_table(conn, "quarantine"):
            quarantine.set_aside(conn, bad, clock().isoformat(timespec="seconds"))
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if strict and _is_damage(exc):
            raise _DamagedError(str(exc)) from exc
        return StartupMessage(
            "warning", f"Some saved items could not be read and could not be set aside "
            f"({describe_sqlite_error(exc)}); they are left as they are.")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if note is not None:
        return note
    if not bad or not has_table(conn, "quarantine"):
        return None
    return StartupMessage("warning", quarantine.summary(bad, where))


def _find_bad(conn: sqlite3.Connection, clock: Clock, strict: bool
              ) -> tuple[list[quarantine.BadRow], StartupMessage | None]:
    bad: list[quarantine.BadRow] = []
    for kind in (favorites, settings, templates, profiles, overlays):
        try:
            bad.extend(kind.sweep(Db(conn, clock=clock, read_only_reason=None)))
        except sqlite3.Error as exc:
            if strict and _is_damage(exc):
                raise _DamagedError(str(exc)) from exc
            return [], StartupMessage(
                "warning", f"Part of your saved data could not be checked ({exc}); "
                "what could be read is shown.")
    return bad, None


def _restore_missing(
    db: Path, state: str, reason: str | None, clock: Clock, steps: Steps,
    messages: list[StartupMessage],
) -> Opened | None:
    """A missing or empty file with a good backup is a restore; None: start as usual."""
    now = clock()
    good = opening.best_backup(db.parent, db.parent / BACKUP_DIR_NAME, now, steps)
    what = "missing" if state == "missing" else "empty"
    if good is None:
        folder = db.parent / BACKUP_DIR_NAME
        damaged = opening.damaged_backups(folder)
        if damaged:  # not a first start: say why the data is not there
            messages.append(StartupMessage(
                "error", f"Your saved data file {db} is {what}, and none of the {damaged} "
                f"backup(s) in {folder} could be read (they were left as they are). PT Codes "
                "started with empty saved data."))
        elif folder.is_dir():  # not a first start (which has no backups folder)
            messages.append(StartupMessage(
                "error", f"Your saved data file {db} is {what}, and there is no backup of it "
                f"in {folder}. PT Codes started with empty saved data."))
        return None
    when = source_of(good)
    if reason is not None:
        messages.append(StartupMessage(
            "warning", f"Your saved data file {db} is {what}; your data from "
            f"{when} is shown, read-only. Changes cannot be saved: {reason}."))
        return read_only(good.path, reason, clock, steps, messages)
    out = opening.restore(db, good, now)
    if out.read_only_from is not None:
        messages.append(StartupMessage(
            "warning", f"Your saved data file {db} is {what} and {when} could "
            f"not be put in its place ({out.why}); that backup's data is shown, read-only. "
            f"Changes cannot be saved: {out.why}."))
        return read_only(good.path, out.why, clock, steps, messages)
    messages.append(StartupMessage(
        "warning", f"Your saved data file {db} was {what}; your data from "
        f"{when} was restored."))
    return None


def _repair_damaged(
    db: Path, detail: str, reason: str | None, clock: Clock, steps: Steps,
    messages: list[StartupMessage],
) -> Opened | None:
    now = clock()
    good = opening.best_backup(db.parent, db.parent / BACKUP_DIR_NAME, now, steps)
    when = source_of(good) if good else ""
    if reason is not None:
        shown = (f"Your data from {when} is shown, read-only." if good
                 else "PT Codes started without your saved data.")
        messages.append(StartupMessage(
            "error", f"Your saved data file {db} is damaged, and it cannot be repaired "
            f"because {reason}. {shown} Changes cannot be saved: {reason}."))
        return read_only(good.path if good else None, reason, clock, steps, messages)
    try:
        out = opening.repair(db, good, now)
    except OSError as exc:
        why = describe_os_error(exc, db)
        messages.append(StartupMessage(
            "error", f"Your saved data file {db} is damaged and could not be moved aside "
            f"({why}). PT Codes started without your saved data. Changes cannot be saved: "
            f"{why}."))
        return read_only(None, why, clock, steps, messages)
    if out.read_only_from is not None:
        messages.append(StartupMessage(
            "error", f"Your saved data file {db} is damaged and could not be repaired "
            f"({out.why}); it was left as it is. Your data from {when} is "
            f"shown, read-only. Changes cannot be saved: {out.why}."))
        return read_only(out.read_only_from.path, out.why, clock, steps, messages)
    if out.restored is None:
        messages.append(StartupMessage(
            "error", f"Your saved data file was damaged. It was moved aside to {out.moved}. "
            "No usable backup was found, so PT Codes started with empty saved data "
            "(favorites, templates, settings and imports)."))
    else:
        messages.append(StartupMessage(
            "warning", f"Your saved data file was damaged. It was moved aside to {out.moved} "
            f"and your data from {when} was restored."))
    return None


def source_of(good: backup.BackupInfo) -> str:
    """How a restored copy is named to the user."""
    if good.path.name == shadow.SHADOW_NAME:
        return f"the copy kept with every change (last written {fmt_when(good.created)})"
    return f"the backup of {fmt_when(good.created)}"


def _unreadable(db: Path, detail: str, clock: Clock, steps: Steps,
                messages: list[StartupMessage]) -> Opened:
    """A file that cannot be read at all (a folder, a pipe, no permission, in use): it is
    left as it is, and the newest good copy is shown read-only, saying so."""
    why = f"the saved-data file could not be read ({detail})"
    good = opening.best_backup(db.parent, db.parent / BACKUP_DIR_NAME, clock(), steps)
    if good is None:
        messages.append(StartupMessage(
            "error", f"Your saved data file {db} could not be opened ({detail}); it was left "
            "as it is, and no good backup was found, so PT Codes started without your saved "
            f"data. Changes cannot be saved: {why}."))
        return read_only(None, why, clock, steps, messages)
    messages.append(StartupMessage(
        "error", f"Your saved data file {db} could not be opened ({detail}); it was left as "
        f"it is. Your data from {source_of(good)} is shown, read-only. "
        f"Changes cannot be saved: {why}."))
    return read_only(good.path, why, clock, steps, messages)


def newer_message(version: int, latest: int) -> str:
    return (
        f"Your saved data was made by a newer version of PT Codes (data version {version}; "
        f"this version understands up to {latest}). It is shown read-only. Changes cannot "
        "be saved: install the newer version to keep editing."
    )


def open_store(
    data_dir: Path, clock: Clock, steps: Steps, messages: list[StartupMessage],
    probe: Callable[[Path], str | None],
) -> Opened:
    db = data_dir / USER_DB_NAME
    reason = probe(data_dir)
    if reason is None:
        backup.remove_stale_temps(data_dir, f".restore-{USER_DB_NAME}.")
        opening.recover_journal(db)
    found = opening.assess(db, steps)
    if found.state == "unreadable" and reason is None and _busy(found.detail):
        # another copy holds the file (a long write, a checkpoint): in use is not damaged;
        # the writable open below waits for it like any write
        found = opening.Assessment("ok")
    early: Opened | None = None
    if found.state in ("missing", "empty"):
        early = _restore_missing(db, found.state, reason, clock, steps, messages)
    elif found.state == "corrupt":
        early = _repair_damaged(db, found.detail, reason, clock, steps, messages)
    elif found.state == "unreadable":
        return _unreadable(db, found.detail, clock, steps, messages)
    if early is not None:
        return early
    if reason is not None:
        messages.append(StartupMessage("warning", f"Changes cannot be saved: {reason}."))
        return read_only(db, reason, clock, steps, messages)
    try:
        return _open_writable(db, clock, steps, messages)
    except _DamagedError as exc:
        # damage only a writing connection notices (a CHECK naming a lost column, ...)
        early = _repair_damaged(db, str(exc), None, clock, steps, messages)
        return early or _open_writable(db, clock, steps, messages, retry=False)


def _busy(detail: str) -> bool:
    return "locked" in detail or "busy" in detail


class _DamagedError(Exception):
    """The file turned out damaged after it passed ``assess``."""


def _is_damage(exc: sqlite3.Error | UnicodeDecodeError) -> bool:
    if isinstance(exc, UnicodeDecodeError):  # SQLite's own message holds damaged bytes
        return True
    name = getattr(exc, "sqlite_errorname", "")
    return (name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in str(exc)
            or type(exc) is sqlite3.DatabaseError)


def _open_writable(
    db: Path, clock: Clock, steps: Steps, messages: list[StartupMessage], *, retry: bool = True
) -> Opened:
    latest = steps[-1].version
    now = clock()
    conn: sqlite3.Connection | None = None
    try:
        conn = _connect_file(db)
        version = migrations.user_version(conn)
        if version > latest:
            conn.close()
            why = (f"the saved data was made by a newer version of PT Codes "
                   f"(data version {version})")
            messages.append(StartupMessage("warning", newer_message(version, latest)))
            return read_only(db, why, clock, steps, messages)
        _use_wal(conn)
    except (sqlite3.Error, UnicodeDecodeError) as exc:
        if conn is not None:
            conn.close()
        if retry and _is_damage(exc):
            raise _DamagedError(str(exc)) from exc
        if isinstance(exc, UnicodeDecodeError):
            raise
        why = describe_sqlite_error(exc)
        messages.append(StartupMessage("warning", f"Changes cannot be saved: {why}."))
        return read_only(db, why, clock, steps, messages)
    upgrading = 0 < version < latest
    try:
        if version == latest:  # before the backup, so a damaged file is never backed up
            _sweep_writable(conn, db, clock, messages, retry)
    except _DamagedError:
        conn.close()
        raise
    if version > 0 and not _backed_up(conn, db, now, upgrading, messages):
        # Never upgrade without a way back.
        conn.close()
        why = "the saved data could not be backed up before upgrading it"
        messages.append(StartupMessage("warning", f"Changes cannot be saved: {why}."))
        return read_only(db, why, clock, steps, messages)
    try:
        migrations.migrate(conn, steps=steps)
    except migrations.MigrationError as exc:
        conn.close()
        why = "the saved data could not be upgraded to this version"
        messages.append(StartupMessage(
            "error", f"Your saved data could not be upgraded ({exc}). The file was left "
            f"unchanged at data version {exc.version}. Changes cannot be saved: {why}."))
        return read_only(db, why, clock, steps, messages)
    if version != latest:
        try:
            _sweep_writable(conn, db, clock, messages, retry)
        except _DamagedError:
            conn.close()
            raise
    return conn, None, db


def _backed_up(
    conn: sqlite3.Connection, db: Path, now: datetime, upgrading: bool,
    messages: list[StartupMessage],
) -> bool:
    """Make the backup due at open (always before an upgrade); False only when an upgrade
    would go ahead without one."""
    try:
        backup.maybe_backup(conn, db.parent / BACKUP_DIR_NAME, now, force=upgrading)
    except (OSError, sqlite3.Error) as exc:
        messages.append(
            StartupMessage("warning", f"A backup of your saved data could not be made: {exc}.")
        )
        return not upgrading
    return True


def _copy_intact(db: Path, clock: Clock) -> Callable[[int], bool]:
    """Whether the second copy is at least as new as ``seq`` and every row of it loads."""
    def check(seq: int) -> bool:
        copy = shadow.shadow_path(db.parent)
        try:
            if (not copy.is_file() or backup.read_seq(copy) < seq
                    or not backup.check_file(copy).ok):
                return False
            mem = memory_copy(copy)
        except (OSError, sqlite3.Error):
            return False
        try:
            bad, note = _find_bad(mem, clock, strict=False)
        except sqlite3.Error:
            return False
        finally:
            mem.close()
        return note is None and all(b.repair is not None for b in bad)
    return check


def _sweep_writable(
    conn: sqlite3.Connection, db: Path, clock: Clock, messages: list[StartupMessage],
    strict: bool,
) -> None:
    note = sweep(conn, clock, f"the quarantine table of {db}", strict=strict,
                 copy_intact=_copy_intact(db, clock) if strict else None)
    if note is not None:
        messages.append(note)
