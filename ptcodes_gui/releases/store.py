"""``imports.sqlite``: every imported release, with its provenance, in one file of its own.

Separate from ``user.sqlite`` (favorites, templates): a clinic folder can publish this file
to other workstations as it is. It is self-contained (every row's release is named in
``releases``) and versioned (``PRAGMA user_version`` = layout of ``meta``/``releases``; each
source's tables are created by name when the store opens, see ``registry.Table``). A file
written by a newer layout is opened read-only and read as far as it can be.

The catalog reads it per request through ``ImportOverlay`` (``overlay.py``), indexed like the
catalog itself; nothing is loaded into Python when the app starts.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ptcodes_gui.releases.files import ImportFileError
from ptcodes_gui.releases.registry import Table, all_tables
from ptcodes_gui.userdata.errors import UserDataReadOnly

IMPORTS_DB_NAME = "imports.sqlite"
LAYOUT_VERSION = 1
FORMAT = "ptcodes-imports"

Clock = Callable[[], datetime]


#: bounds the queries of a connection on an untrusted file (``clinic.untrusted.guard``)
Guard = Callable[[sqlite3.Connection], None]


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


@dataclass(frozen=True)
class ReleaseInfo:
    """One active imported release (satisfies ``catalog.overlay.SourceInfo``)."""

    source: str  # reader name: "ncci"
    title: str  # "CMS NCCI PTP edits, practitioner"
    version: str
    label: str  # "CMS NCCI PTP practitioner v323r0 (2026 Q4)"
    effective: str | None
    files: tuple[str, ...]
    rows: int
    imported_at: str  # ISO, local time, seconds
    parts: tuple[str, ...] = ()
    order: tuple[int, ...] = ()
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_json(self) -> dict[str, object]:
        return {
            "source": self.source, "title": self.title, "version": self.version,
            "label": self.label, "effective": self.effective, "files": list(self.files),
            "rows": self.rows, "imported_at": self.imported_at, "parts": list(self.parts),
        }


def table_ddl(table: Table, schema: str = "main") -> list[str]:
    cols = ", ".join(table.columns)
    key = ", ".join(table.key)
    out = [f"CREATE TABLE IF NOT EXISTS {schema}.{table.name} ({cols}, PRIMARY KEY ({key}))"]
    for index in table.indexes:
        name = f"{table.name}_{'_'.join(index)}"
        out.append(
            f"CREATE INDEX IF NOT EXISTS {schema}.{name} ON {table.name} ({', '.join(index)})"
        )
    if table.fts:
        out.append(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {schema}.{table.name}_fts USING fts5("
            f"{', '.join(table.fts)}, content='{table.name}', prefix='1 2 3', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
    return out


_BASE_DDL = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS releases (source TEXT PRIMARY KEY, title TEXT, version TEXT, "
    "label TEXT, effective TEXT, version_order TEXT, parts TEXT, files TEXT, rows INTEGER, "
    "imported_at TEXT, details TEXT)",
)


class ImportStore:
    """The import database of one data folder. Belongs to the thread that opened it."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None, read_only: str | None,
                 clock: Clock, guard: Guard | None = None) -> None:
        self._conn = conn
        self.path = path
        self.read_only_reason = read_only
        self.clock = clock
        #: applied to every connection on an untrusted file (a clinic folder's copy)
        self.guard = guard

    # ----------------------------------------------------------------- opening

    @classmethod
    def open(cls, data_dir: Path | None, *, clock: Clock = now,
             read_only: str | None = None) -> ImportStore:
        """Open (creating) ``data_dir/imports.sqlite``. ``read_only`` (a reason) or a file
        that cannot be written gives a read-only store; no file at all, an empty one."""
        path = Path(data_dir) / IMPORTS_DB_NAME if data_dir is not None else None
        return cls.open_path(path, clock=clock, read_only=read_only)

    @classmethod
    def open_path(cls, path: Path | None, *, clock: Clock = now,
                  read_only: str | None = None, guard: Guard | None = None) -> ImportStore:
        """``open`` for a file anywhere (a clinic folder's published copy: pass
        ``read_only``, and ``guard``, which bounds every query on it)."""
        if guard is not None:
            return cls._open_read_only(path, clock, read_only or "untrusted", guard)
        if path is not None and read_only is None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(path, timeout=10.0, isolation_level=None,
                                       check_same_thread=False)
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > LAYOUT_VERSION:
                    conn.close()
                    return cls._open_read_only(
                        path, clock, "the imports were saved by a newer version of PT Codes")
                conn.execute("PRAGMA journal_mode = WAL")
                store = cls(conn, path, None, clock)
                store._create()
                _remove_stale_staging(path.parent)
                return store
            except (sqlite3.Error, OSError) as exc:
                read_only = f"the imports file {path} cannot be written ({exc})"
        return cls._open_read_only(path, clock, read_only or "no data folder")

    @classmethod
    def _open_read_only(cls, path: Path | None, clock: Clock, reason: str,
                        guard: Guard | None = None) -> ImportStore:
        if path is not None and path.is_file():
            try:
                conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True,
                                       isolation_level=None, check_same_thread=False)
                if guard is not None:
                    guard(conn)
                conn.execute("SELECT count(*) FROM releases").fetchone()
                return cls(conn, path, reason, clock, guard)
            except sqlite3.Error:
                pass
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        store = cls(conn, None, reason, clock)
        store._create()
        return store

    def _create(self) -> None:
        with self._write() as conn:
            for sql in _BASE_DDL:
                conn.execute(sql)
            for table in all_tables():
                for sql in table_ddl(table):
                    conn.execute(sql)
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (FORMAT,))
            conn.execute(f"PRAGMA user_version = {LAYOUT_VERSION}")

    def close(self) -> None:
        self._conn.close()

    def copy_to(self, dest: Path) -> None:
        """A consistent, self-contained copy of the whole store (one file, no WAL), e.g. to
        publish it to a clinic folder; written beside ``dest`` and renamed into place."""
        dest = Path(dest)
        temp = dest.with_name(f".{dest.name}.tmp")
        target = sqlite3.connect(temp)
        try:
            self._conn.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        temp.replace(dest)

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    def connect_reader(self) -> sqlite3.Connection:
        """A second, read-only connection (the catalog's overlay, a worker thread)."""
        if self.path is None:
            return self._conn
        conn = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True,
                               isolation_level=None, check_same_thread=False)
        if self.guard is not None:
            self.guard(conn)
        return conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _require_writable(self) -> None:
        if self.read_only_reason is not None:
            raise UserDataReadOnly(f"Imports cannot be saved: {self.read_only_reason}.")

    def staging_dir(self) -> Path:
        """Where an import in progress is staged (beside the store: same disk)."""
        if self.path is not None and not self.read_only:
            return self.path.parent
        return Path(tempfile.gettempdir())

    # ----------------------------------------------------------------- releases

    def releases(self) -> list[ReleaseInfo]:
        return read_releases(self._conn)

    def release(self, source: str) -> ReleaseInfo | None:
        return next((r for r in self.releases() if r.source == source), None)

    def meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._require_writable()
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def count(self, table: str) -> int:
        return int(self._conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    # ----------------------------------------------------------------- writing

    def replace(
        self,
        info: ReleaseInfo,
        tables: Sequence[Table],
        staging: Path,
        *,
        parts_only: Sequence[str] = (),
    ) -> ReleaseInfo:
        """Put the staged rows in, all or nothing: every row of the source is replaced,
        or (``parts_only``) only the rows of those parts (the other parts of the same
        version stay)."""
        self._require_writable()
        conn = self._conn
        conn.execute("ATTACH DATABASE ? AS staged", (str(staging),))
        try:
            with self._write():
                for table in tables:
                    names = ", ".join(table.column_names)
                    if parts_only:
                        marks = ", ".join("?" * len(parts_only))
                        conn.execute(f"DELETE FROM {table.name} WHERE part IN ({marks})",
                                     tuple(parts_only))
                    else:
                        conn.execute(f"DELETE FROM {table.name}")
                    conn.execute(f"INSERT OR REPLACE INTO {table.name} ({names}) "
                                 f"SELECT {names} FROM staged.{table.name}")
                    if table.fts:
                        conn.execute(f"INSERT INTO {table.name}_fts({table.name}_fts) "
                                     "VALUES ('rebuild')")
                conn.execute(
                    "INSERT OR REPLACE INTO releases (source, title, version, label, effective, "
                    "version_order, parts, files, rows, imported_at, details) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (info.source, info.title, info.version, info.label, info.effective,
                     json.dumps(list(info.order)), json.dumps(list(info.parts)),
                     json.dumps(list(info.files)), info.rows, info.imported_at,
                     json.dumps(info.details)),
                )
        except sqlite3.Error as exc:
            raise ImportFileError(f"The import could not be saved; nothing changed ({exc})."
                                  ) from exc
        finally:
            conn.execute("DETACH DATABASE staged")
        return info

    def remove(self, source: str, tables: Sequence[Table]) -> bool:
        """Drop an imported release (the shipped data is used again); True if one existed."""
        self._require_writable()
        with self._write() as conn:
            for table in tables:
                conn.execute(f"DELETE FROM {table.name}")
                if table.fts:
                    conn.execute(f"INSERT INTO {table.name}_fts({table.name}_fts) "
                                 "VALUES ('rebuild')")
            cur = conn.execute("DELETE FROM releases WHERE source = ?", (source,))
        return cur.rowcount > 0


def _remove_stale_staging(folder: Path, max_age_s: float = 6 * 3600) -> None:
    """Staging files left by an import that never finished (the app was killed)."""
    cutoff = time.time() - max_age_s
    for stale in folder.glob(".imports-staging-*.sqlite"):
        with contextlib.suppress(OSError):
            if stale.stat().st_mtime < cutoff:
                stale.unlink()


def read_releases(conn: sqlite3.Connection) -> list[ReleaseInfo]:
    try:
        rows = conn.execute(
            "SELECT source, title, version, label, effective, files, rows, imported_at, "
            "parts, version_order, details FROM releases ORDER BY source").fetchall()
    except sqlite3.Error:
        return []
    return [_release_from_row(r) for r in rows]


def _release_from_row(r: Sequence[Any]) -> ReleaseInfo:
    """A release record; what does not read (a clinic folder's copy is untrusted: nested
    or huge JSON, text where a number goes) falls back to empty, never raises."""
    def load(text: object, default: Any) -> Any:
        if not text or len(str(text)) > 200_000:
            return default
        try:
            value = json.loads(str(text))
        except (ValueError, RecursionError):
            return default
        return value if isinstance(value, type(default)) else default

    def text(value: object, default: str = "") -> str:
        return value if isinstance(value, str) else default

    rows = r[6] if isinstance(r[6], int) and not isinstance(r[6], bool) else 0
    source = text(r[0], "?")
    return ReleaseInfo(
        source=source, title=text(r[1]) or source, version=text(r[2]),
        label=text(r[3]) or source, effective=r[4] if isinstance(r[4], str) else None,
        files=tuple(str(f) for f in load(r[5], [])), rows=rows, imported_at=text(r[7]),
        parts=tuple(str(p) for p in load(r[8], [])),
        order=tuple(n for n in load(r[9], []) if isinstance(n, int)),
        details=load(r[10], {}),
    )
