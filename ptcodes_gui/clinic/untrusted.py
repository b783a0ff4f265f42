"""Reading what a clinic folder holds as untrusted input.

Every PC reads the clinic folder, and anyone who can write to the share can put anything
in it. So nothing read from it may hang, crash or mislead a workstation:

* files are opened with ``O_NOFOLLOW | O_NONBLOCK`` and checked on the open descriptor to
  be regular files: a FIFO (which would block every read), a device (``/dev/zero``: an
  endless file) or a symlink (to anywhere outside the share) is refused before one byte is
  read; folders are checked with ``lstat`` (a release folder linked elsewhere is refused);
* JSON is bounded in size and in nesting depth before it is parsed (100,000 nested
  brackets are refused with a sentence, not a RecursionError);
* a published SQLite file is used only when its schema holds plain tables, indexes and
  FTS5 tables: a view (an endless recursive query) or a trigger is refused, whatever it
  is named; and every connection on it gets a progress handler that stops any one
  statement after ``QUERY_SECONDS`` (``guard``).
"""

from __future__ import annotations

import errno
import json
import os
import re
import sqlite3
import stat
import time
from pathlib import Path
from typing import Any

MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
#: the longest one statement on a clinic database may run
QUERY_SECONDS = 5.0
#: the longest the integrity check of a fetched release may run
CHECK_SECONDS = 120.0
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"')


class UntrustedFileError(ValueError):
    """A file of the clinic folder that is refused; ``str()`` says why."""


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISLNK(mode):
        return "a link"
    return "a device or other special file"


def open_regular(path: Path) -> int:
    """A read-only descriptor of ``path``, a regular file that is no symlink
    (``UntrustedFileError`` otherwise; ``OSError`` when it cannot be opened)."""
    flags = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
             | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
    try:
        kind = _kind(os.lstat(path).st_mode)
        if kind is not None:
            raise UntrustedFileError(f"{path} is {kind}, not a file; it is not read")
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):  # O_NOFOLLOW met a symlink
            raise UntrustedFileError(f"{path} is a link; it is not followed") from exc
        raise
    kind = _kind(os.fstat(fd).st_mode)
    if kind is not None:
        os.close(fd)
        raise UntrustedFileError(f"{path} is {kind}, not a file; it is not read")
    return fd


def is_plain_dir(path: Path) -> bool:
    """True for a folder that is not a symlink."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def nesting_depth(text: str) -> int:
    """How deeply ``[`` and ``{`` nest in JSON text (strings skipped)."""
    depth = deepest = 0
    for ch in _STRING_RE.sub('""', text):
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def read_json(path: Path, limit: int = MAX_JSON_BYTES) -> dict[str, Any]:
    """A JSON object from a regular file of at most ``limit`` bytes, nested at most
    ``MAX_JSON_DEPTH`` deep (``ValueError`` saying why not; ``OSError`` as raised)."""
    fd = open_regular(path)
    with os.fdopen(fd, "rb") as handle:
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise UntrustedFileError(f"{path.name} is larger than {limit // 1024} KB")
    text = raw.decode("utf-8")
    if nesting_depth(text) > MAX_JSON_DEPTH:
        raise UntrustedFileError(f"{path.name} is nested more than {MAX_JSON_DEPTH} deep")
    try:
        data = json.loads(text)
    except RecursionError as exc:  # pragma: no cover (the depth check comes first)
        raise UntrustedFileError(f"{path.name} is nested too deeply") from exc
    if not isinstance(data, dict):
        raise UntrustedFileError(f"{path.name} is not a JSON object")
    return data


def guard(conn: sqlite3.Connection, seconds: float = QUERY_SECONDS) -> None:
    """Stop any one statement on ``conn`` that runs longer than ``seconds`` (it fails with
    "interrupted"). The clock restarts at every statement (the trace callback)."""
    started = [time.monotonic()]

    def restart(_sql: str) -> None:
        started[0] = time.monotonic()

    def too_long() -> int:
        return int(time.monotonic() - started[0] > seconds)

    conn.set_trace_callback(restart)
    conn.set_progress_handler(too_long, 20_000)


def connect(path: Path, seconds: float = QUERY_SECONDS) -> sqlite3.Connection:
    """A guarded read-only connection on a clinic database."""
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True,
                           isolation_level=None, check_same_thread=False)
    guard(conn, seconds)
    return conn


def schema_problem(path: Path, *, check: bool = False) -> str | None:
    """None when the SQLite file at ``path`` holds only tables, indexes and FTS5 tables;
    else what it holds that PT Codes never writes (a view, a trigger, another module).
    ``check`` (once, when a release is fetched): ``quick_check`` must pass too."""
    try:  # the check reads every page of a file up to 2 GB: a longer bound
        conn = connect(path, CHECK_SECONDS if check else QUERY_SECONDS)
    except sqlite3.Error as exc:
        return f"it cannot be opened ({exc})"
    try:
        conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
        rows = conn.execute("SELECT type, name, sql FROM sqlite_schema").fetchall()
        if check:
            found = [str(r[0]) for r in conn.execute("PRAGMA quick_check(3)")]
            if found != ["ok"]:
                return f"it is damaged ({'; '.join(found)[:120]})"
    except sqlite3.Error as exc:
        return f"it cannot be read ({exc})"
    finally:
        conn.close()
    for kind, name, sql in rows:
        if kind in ("view", "trigger"):
            return f"it holds a {kind} ({name!r}), which PT Codes never publishes"
        text = str(sql or "").lstrip().upper()
        if kind == "table" and text.startswith("CREATE VIRTUAL") and "USING FTS5" not in text:
            return f"it holds a virtual table ({name!r}) PT Codes never publishes"
    return None
