"""The one connection to the user database and its transaction helper, shared by the
per-kind modules (favorites, settings, templates, profiles, overlays, bundles).

Every write is one ``BEGIN IMMEDIATE`` ... ``COMMIT`` through ``Db.write()``; it also bumps
the ``write_seq`` counter in ``meta``, so a backup carries how new its content is (the
backup chosen for a restore is the one with the newest content, not the newest name).
While another copy of PT Codes holds the write lock a write waits at most
``BUSY_TIMEOUT_MS`` and then raises ``UserDataBusy``; it never freezes the window.

Reads go through ``Db.rows()``: a text value that is not UTF-8 (a damaged file) does not
raise; it comes back as ``BadText`` (bytes), which the validators refuse.
"""

from __future__ import annotations

import contextlib
import errno
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from ptcodes_gui.domain.text import clean_text
from ptcodes_gui.userdata.errors import (
    UserDataBusy,
    UserDataError,
    UserDataReadOnly,
    ValidationError,
)

Clock = Callable[[], datetime]

#: How long a write waits for another copy's lock before it is handed back as busy.
BUSY_TIMEOUT_MS = 250
MAX_NAME_CHARS = 80

_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{0,15}$")


class BadText(bytes):
    """A text column whose bytes are not UTF-8 (read from a damaged file)."""


def _decode(raw: bytes) -> str | BadText:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return BadText(raw)


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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


def parse_when(value: object) -> datetime | None:
    """A stored ISO timestamp, or None when it is not one (damaged or foreign data)."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def describe_os_error(exc: OSError, path: Path) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"you do not have permission to write to {path}"
    if exc.errno == errno.EROFS:
        return f"{path} is on a read-only disk"
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"the disk holding {path} is full"
    if exc.errno in (errno.EEXIST, errno.ENOTDIR):
        return f"{path} is not a folder"
    return f"{path}: {exc.strerror or exc}"


def is_busy(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "")
    return name.startswith("SQLITE_BUSY") or "locked" in str(exc)


def describe_sqlite_error(exc: sqlite3.Error) -> str:
    text = str(exc)
    name = getattr(exc, "sqlite_errorname", "")
    if name == "SQLITE_FULL" or "disk is full" in text:
        return "the disk is full"
    if name == "SQLITE_READONLY" or "readonly" in text:
        return "the saved-data file is read-only"
    if is_busy(exc):
        return "the saved data is in use by another copy of PT Codes"
    return text


def has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


class Db:
    """A connection (autocommit mode) plus who may write to it and what time it is."""

    def __init__(
        self, conn: sqlite3.Connection, *, clock: Clock, read_only_reason: str | None
    ) -> None:
        self.conn = conn
        self.clock = clock
        self.read_only_reason = read_only_reason
        self._has_meta = has_table(conn, "meta")
        #: called after every committed write (the store keeps its second copy with it)
        self.after_commit: Callable[[], None] | None = None

    def require_writable(self) -> None:
        if self.read_only_reason is not None:
            raise UserDataReadOnly(f"Changes cannot be saved: {self.read_only_reason}.")

    def now_iso(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction; ``UserDataBusy`` if another copy holds the lock, any other
        SQLite failure rolls everything back and raises ``UserDataError``."""
        self.require_writable()
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            if self._has_meta:
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('write_seq', 1) "
                    "ON CONFLICT (key) DO UPDATE SET value = value + 1"
                )
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if is_busy(exc):
                raise UserDataBusy(
                    "Your change was not saved yet: the saved data is in use by another "
                    "copy of PT Codes."
                ) from exc
            raise UserDataError(
                f"Your change was not saved: {describe_sqlite_error(exc)}."
            ) from exc
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if self.after_commit is not None:
            self.after_commit()

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Several reads that see one consistent state (one read transaction): a commit
        of another copy between two of them cannot make rows look orphaned."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        """All rows of a query; text that is not UTF-8 comes back as ``BadText``."""
        cur = self.conn.cursor()
        cur.row_factory = sqlite3.Row
        try:
            return list(cur.execute(sql, params))
        except UnicodeDecodeError:
            pass
        except sqlite3.OperationalError as exc:
            if "decode" not in str(exc):
                raise
        saved = self.conn.text_factory
        self.conn.text_factory = _decode
        try:
            cur = self.conn.cursor()
            cur.row_factory = sqlite3.Row
            return list(cur.execute(sql, params))
        except UnicodeDecodeError as exc:  # a column name itself is damaged
            raise sqlite3.DatabaseError(f"unreadable column name ({exc})") from exc
        finally:
            self.conn.text_factory = saved

    def write_seq(self) -> int:
        if not self._has_meta:
            return 0
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'write_seq'").fetchone()
        return int(row[0]) if row is not None and is_int(row[0]) else 0
