"""Legacy import overlays kept in user.sqlite: clinic codes, licensed descriptors, NCCI
pairs, and what was imported when (``imports``).

The new import store (imports.sqlite) migrates these out through ``UserStore``'s overlay
methods; they stay readable here. Every read is per row: a damaged row is skipped (and
counted in ``Overlays.skipped``), never raised.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, TypeVar, cast

from ptcodes_gui.domain.models import Code, Fact, NcciPair
from ptcodes_gui.domain.text import clean_text
from ptcodes_gui.userdata.db import Db, is_int, parse_when
from ptcodes_gui.userdata.errors import ValidationError
from ptcodes_gui.userdata.quarantine import BadRow, row_dict

ImportKind = Literal["codes", "descriptors", "ncci"]
IMPORT_KINDS: tuple[ImportKind, ...] = ("codes", "descriptors", "ncci")
TABLES: dict[ImportKind, str] = {
    "codes": "overlay_codes",
    "descriptors": "overlay_descriptors",
    "ncci": "overlay_ncci",
}


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
_T = TypeVar("_T")


@dataclass(frozen=True)
class ImportInfo:
    kind: ImportKind
    file_name: str
    source: str
    imported_at: datetime
    row_count: int
    latest_effective: str | None = None


def _text(value: object, *, optional: bool = False, multiline: bool = False) -> str | None:
    """Stored text, cleaned again on the way out: rows imported by older versions may
    carry characters the old cleaner let through (tags, soft hyphens, fillers)."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ValidationError("not readable text")
    return clean_text(value, multiline=multiline)


def _clinic(r: sqlite3.Row) -> ClinicCode:
    minutes = r["unit_minutes"]
    if minutes is not None and not is_int(minutes):
        raise ValidationError("unit minutes not a number")
    return ClinicCode(
        cast(str, _text(r["code"])), cast(str, _text(r["title"])),
        cast(str, _text(r["description"], multiline=True)), cast(str, _text(r["category"])),
        bool(r["timed"]), minutes, cast(str, _text(r["notes"], multiline=True)),
    )


def _descriptor(r: sqlite3.Row) -> Descriptor:
    return Descriptor(
        cast(str, _text(r["code"])),
        cast(str, _text(r["descriptor"], multiline=True)),
        cast(str, _text(r["source"])),
    )


def _ncci(r: sqlite3.Row) -> NcciRow:
    if r["indicator"] not in (0, 1, 9) or not is_int(r["indicator"]):
        raise ValidationError("indicator not 0, 1 or 9")
    return NcciRow(
        cast(str, _text(r["column1"])), cast(str, _text(r["column2"])), int(r["indicator"]),
        _text(r["effective"], optional=True), _text(r["deleted"], optional=True),
        cast(str, _text(r["rationale"], multiline=True)),
    )


def _info(r: sqlite3.Row) -> ImportInfo:
    when = parse_when(r["imported_at"])
    if r["kind"] not in IMPORT_KINDS or when is None or not is_int(r["row_count"]):
        raise ValidationError("import record not readable")
    return ImportInfo(
        r["kind"], cast(str, _text(r["file_name"])), cast(str, _text(r["source"])), when,
        r["row_count"], _text(r["latest_effective"], optional=True),
    )


_READERS: dict[ImportKind, Callable[[sqlite3.Row], OverlayRow]] = {
    "codes": _clinic,
    "descriptors": _descriptor,
    "ncci": _ncci,
}


class Overlays:
    """The overlay part of the store over a shared ``Db``."""

    def __init__(self, db: Db) -> None:
        self.db = db
        self.skipped = 0

    def _each(self, sql: str, build: Callable[[sqlite3.Row], _T]) -> list[_T]:
        try:
            rows = self.db.rows(sql)
        except sqlite3.Error:
            self.skipped += 1
            return []
        found: list[_T] = []
        for r in rows:
            try:
                found.append(build(r))
            except (ValidationError, TypeError, ValueError, IndexError):
                self.skipped += 1
        return found

    def rows(self, kind: ImportKind) -> dict[str, OverlayRow]:
        if kind not in IMPORT_KINDS:
            raise ValidationError(f"Unknown import kind {kind!r}.")
        found = self._each(f"SELECT * FROM {TABLES[kind]}", _READERS[kind])
        return {row.key: row for row in found}

    def replace(
        self, kind: ImportKind, rows: Sequence[OverlayRow], *, file_name: str, source: str,
        latest_effective: str | None,
    ) -> ImportInfo:
        if kind not in IMPORT_KINDS:
            raise ValidationError(f"Unknown import kind {kind!r}.")
        now = self.db.now_iso()
        with self.db.write() as conn:
            conn.execute(f"DELETE FROM {TABLES[kind]}")
            if kind == "codes":
                conn.executemany(
                    "INSERT INTO overlay_codes VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(r.code, r.title, r.description, r.category, int(r.timed), r.unit_minutes,
                      r.notes) for r in _only(rows, ClinicCode)],
                )
            elif kind == "descriptors":
                conn.executemany(
                    "INSERT INTO overlay_descriptors VALUES (?, ?, ?)",
                    [(r.code, r.text, r.source) for r in _only(rows, Descriptor)],
                )
            else:
                conn.executemany(
                    "INSERT INTO overlay_ncci VALUES (?, ?, ?, ?, ?, ?)",
                    [(r.column1, r.column2, r.indicator, r.effective, r.deleted, r.rationale)
                     for r in _only(rows, NcciRow)],
                )
            conn.execute(
                "INSERT OR REPLACE INTO imports (kind, file_name, source, imported_at, "
                "row_count, latest_effective) VALUES (?, ?, ?, ?, ?, ?)",
                (kind, file_name, source, now, len(rows), latest_effective),
            )
        return ImportInfo(
            kind, file_name, source, datetime.fromisoformat(now), len(rows), latest_effective
        )

    def remove(self, kind: ImportKind) -> bool:
        if kind not in IMPORT_KINDS:
            raise ValidationError(f"Unknown import kind {kind!r}.")
        with self.db.write() as conn:
            conn.execute(f"DELETE FROM {TABLES[kind]}")
            cur = conn.execute("DELETE FROM imports WHERE kind = ?", (kind,))
        return cur.rowcount > 0

    def info(self) -> list[ImportInfo]:
        return self._each("SELECT * FROM imports ORDER BY kind", _info)

    def _one_info(self, kind: ImportKind) -> ImportInfo | None:
        return next((i for i in self.info() if i.kind == kind), None)

    def codes(self) -> list[Code]:
        info = self._one_info("codes")
        source = f"Clinic code list {info.file_name}" if info else "Clinic code list"
        result: list[Code] = []
        for row in sorted(self.rows("codes").values(), key=lambda r: r.key):
            assert isinstance(row, ClinicCode)
            notes = (Fact(row.notes, source, "M"),) if row.notes else ()
            try:
                result.append(Code(
                    code=row.code, system="clinic", title=row.title, description=row.description,
                    category=row.category, timed=row.timed, unit_minutes=row.unit_minutes,
                    notes=notes, sources=(Fact("Imported by your clinic", source, "M"),),
                ))
            except (ValueError, TypeError):
                self.skipped += 1
        return result

    def descriptors(self) -> dict[str, tuple[str, str]]:
        rows = sorted(self.rows("descriptors").values(), key=lambda r: r.key)
        return {r.code: (r.text, r.source) for r in rows if isinstance(r, Descriptor)}

    def ncci(self) -> list[NcciPair] | None:
        info = self._one_info("ncci")
        if info is None:
            return None
        as_of = info.imported_at.date().isoformat()
        latest = f", latest effective {info.latest_effective}" if info.latest_effective else ""
        source = f"CMS NCCI PTP table {info.file_name}{latest}, imported {as_of}"
        rows = [r for r in self.rows("ncci").values() if isinstance(r, NcciRow)]
        pairs: list[NcciPair] = []
        for r in sorted(rows, key=lambda r: (r.column1, r.column2)):
            try:
                pairs.append(NcciPair(r.column1, r.column2, r.indicator, source, "H", as_of,
                                      r.rationale, r.effective, r.deleted))
            except (ValueError, TypeError):
                self.skipped += 1
        return pairs


def _only(rows: Sequence[OverlayRow], kind: type[_R]) -> list[_R]:
    wrong = [r for r in rows if not isinstance(r, kind)]
    if wrong:
        raise ValidationError(f"Expected {kind.__name__} rows, got {type(wrong[0]).__name__}.")
    return cast(list[_R], list(rows))


def sweep(db: Db) -> list[BadRow]:
    """The ``imports`` records that cannot be read (the overlay rows are read per row)."""
    bad: list[BadRow] = []
    for row in db.rows("SELECT rowid AS rid, * FROM imports"):
        try:
            _info(row)
        except (ValidationError, TypeError):
            content = row_dict(row)
            content.pop("rid")
            # an unreadable date alone must not hide the import (it is kept, dated now)
            repair: dict[str, object] | None = {"imported_at": db.now_iso()}
            try:
                _info({**row_dict(row), **(repair or {})})  # type: ignore[arg-type]
            except (ValidationError, TypeError):
                repair = None
            label = f"the {row['kind']} import" if isinstance(row["kind"], str) else "an import"
            reason = "its date was unreadable" if repair else "it is not readable"
            bad.append(BadRow("imports", (int(row["rid"]),), label[:60], reason, content,
                              repair=repair))
    return bad
