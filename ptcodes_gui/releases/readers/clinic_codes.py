"""A clinic's own CSV files: its codes and notes, and licensed CPT descriptors (code, text).

``codes``
    Header (first line) ``code,title,description,category,timed,unit_minutes,notes``;
    ``code`` and ``title`` required; any other column rejects the file. A code already in
    the catalog is rejected (clinic codes are new codes). ``timed``: yes/no, true/false,
    1/0 (empty = no); a timed code without ``unit_minutes`` gets 15. Searched through FTS5
    in ``imports.sqlite``: a list of 200,000 codes costs nothing at start.
``descriptors``
    ``code,descriptor`` (+ optional ``source``; else the file name is the source shown).
    Codes must be in the catalog.

Comma, semicolon, tab or pipe delimited; UTF-8 (a BOM is fine), else Windows-1252. Text is
cleaned of bidi, zero-width and control characters. A key given twice rejects both rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from ptcodes_gui.domain.models import CATEGORIES
from ptcodes_gui.domain.text import clean_text
from ptcodes_gui.releases.cells import header_key
from ptcodes_gui.releases.files import (
    ImportFileError,
    ImportLimits,
    InputFile,
    head_rows,
    rows_of,
)
from ptcodes_gui.releases.registry import Reader, Release, Sink, Table, register

DELIMITERS = (",", "\t", ";", "|")
FORMULA_STARTS = ("=", "+", "-", "@")
MAX_TITLE_CHARS = 200
CLINIC_CATEGORIES = {k: v for k, v in CATEGORIES.items() if k not in ("modifier", "diagnosis")}
_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{0,15}$")
_TRUE = {"yes", "y", "true", "t", "1", "timed"}
_FALSE = {"", "no", "n", "false", "f", "0", "untimed"}
_MULTILINE = {"description", "notes", "descriptor"}

CLINIC_TABLE = Table(
    "clinic_codes",
    ("code TEXT NOT NULL", "title TEXT NOT NULL", "description TEXT NOT NULL DEFAULT ''",
     "category TEXT NOT NULL DEFAULT 'other'", "timed INTEGER NOT NULL DEFAULT 0",
     "unit_minutes INTEGER", "notes TEXT NOT NULL DEFAULT ''"),
    key=("code",),
    fts=("code", "title", "description"),
)
DESCRIPTOR_TABLE = Table(
    "descriptors", ("code TEXT NOT NULL", "text TEXT NOT NULL", "source TEXT NOT NULL"),
    key=("code",),
)


class _RowError(Exception):
    pass


def export_csv_safe(value: str) -> str:
    """Text safe to put in a CSV cell a spreadsheet will open (no formula injection)."""
    if value.startswith(("\t", "\r")) or value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _CsvReader(Reader):
    columns: ClassVar[tuple[str, ...]]
    required: ClassVar[tuple[str, ...]]
    limits = ImportLimits(max_file_bytes=200 * 1024 * 1024, max_rows=1_000_000)

    def _header(self, file: InputFile) -> tuple[str, dict[str, int], int] | None:
        best: tuple[int, str, list[str]] | None = None
        for delim in DELIMITERS:
            head = head_rows(file, 1, delim)
            if not head:
                continue
            cells = head[0][1]
            keys = [header_key(c) for c in cells]
            score = sum(100 for k in self.required if k in keys) + sum(
                1 for k in keys if k in self.columns)
            if best is None or score > best[0]:
                best = (score, delim, cells)
        if best is None or best[0] < 100 * len(self.required):
            return None
        _, delim, cells = best
        while cells and not cells[-1].strip():
            cells = cells[:-1]
        columns: dict[str, int] = {}
        for index, cell in enumerate(cells):
            key = header_key(cell)
            if key in columns:
                raise ImportFileError(f"{file.display}: the column {key!r} appears twice on "
                                      "line 1.")
            if key not in self.columns:
                name = repr(clean_text(cell)) if key else f"(column {index + 1} has no name)"
                raise ImportFileError(
                    f"{file.display}: unknown column {name} on line 1. This import accepts "
                    f"only these columns: {', '.join(self.columns)}."
                )
            columns[key] = index
        return delim, columns, len(cells)

    def recognise(self, file: InputFile) -> Release | None:
        if file.format != "text" or self._header(file) is None:
            return None
        return Release(version=file.name, label=f"{self.title} {file.name}")

    def read(self, file: InputFile, release: Release, sink: Sink) -> None:
        header = self._header(file)
        if header is None:
            raise ImportFileError(f"{file.display}: line 1 does not name the columns "
                                  f"{', '.join(self.required)}.")
        delim, columns, width = header
        rows = rows_of(file, sink.progress, delimiter=delim, limits=sink.limits)
        formulas = 0
        any_row = False
        header_seen = False
        for line, cells in rows:
            if not header_seen:
                header_seen = True
                continue
            any_row = True
            try:
                values = self._cells(cells, columns, width, sink.limits.max_field_chars)
                formulas += sum(1 for v in values.values() if v.startswith(FORMULA_STARTS))
                self.row(sink, line, values, file)
            except _RowError as exc:
                sink.reject(line, str(exc))
        if not any_row:
            raise ImportFileError(f"{file.display} has a header but no rows.")
        if formulas:
            sink.note(f"{formulas} cell(s) start with =, +, - or @. They are kept as plain "
                      "text, and made safe whenever they are exported to a spreadsheet.")

    @staticmethod
    def _cells(row: Sequence[str], columns: dict[str, int], width: int, limit: int
               ) -> dict[str, str]:
        if len(row) > width and "".join(row[width:]).strip():
            raise _RowError(f"has {len(row)} cells but the header names {width} columns")
        out: dict[str, str] = {}
        for name, index in columns.items():
            raw = row[index] if index < len(row) else ""
            if len(raw) > limit:
                raise _RowError(f"the {name} is longer than {limit:,} characters")
            out[name] = clean_text(raw, multiline=name in _MULTILINE)
        return out

    @staticmethod
    def code(value: str) -> str:
        code = value.strip().upper()
        if not code:
            raise _RowError("the code is empty")
        if not _CODE_RE.match(code):
            raise _RowError(f"{code!r} is not a valid code (letters, digits, '.' or '-', up "
                            "to 16)")
        return code

    def row(self, sink: Sink, line: int, cells: dict[str, str], file: InputFile) -> None:
        raise NotImplementedError


class ClinicCodesReader(_CsvReader):
    name = "codes"
    title = "Clinic codes and notes (CSV)"
    tables = (CLINIC_TABLE,)
    noun = "codes"
    columns = ("code", "title", "description", "category", "timed", "unit_minutes", "notes")
    required = ("code", "title")

    def row(self, sink: Sink, line: int, cells: dict[str, str], file: InputFile) -> None:
        code = self.code(cells["code"])
        if code in sink.known_codes:
            raise _RowError(f"{code} is already in the built-in catalog; clinic codes must be "
                            "new codes")
        title = cells["title"]
        if not title:
            raise _RowError("the title is empty")
        if len(title) > MAX_TITLE_CHARS:
            raise _RowError(f"the title is longer than {MAX_TITLE_CHARS} characters")
        category = _category(cells.get("category", ""))
        timed_text = cells.get("timed", "").lower()
        if timed_text not in _TRUE | _FALSE:
            raise _RowError(f"timed must be yes or no, not {cells['timed']!r}")
        timed = timed_text in _TRUE
        minutes_text = cells.get("unit_minutes", "")
        minutes: int | None = None
        if minutes_text:
            if not minutes_text.isdigit() or not 1 <= int(minutes_text) <= 120:
                raise _RowError(f"unit_minutes must be a whole number 1-120, not "
                                f"{minutes_text!r}")
            if not timed:
                raise _RowError("unit_minutes is only for timed codes (set timed to yes)")
            minutes = int(minutes_text)
        elif timed:
            minutes = 15
        sink.add("clinic_codes", line, (
            code, title, cells.get("description", ""), category, int(timed), minutes,
            cells.get("notes", "")))


def _category(value: str) -> str:
    if not value:
        return "other"
    wanted = value.strip().lower()
    for key, label in CLINIC_CATEGORIES.items():
        if wanted in (key, label.lower(), key.replace("_", " ")):
            return key
    raise _RowError(f"unknown category {value!r} (use one of: {', '.join(CLINIC_CATEGORIES)})")


class DescriptorsReader(_CsvReader):
    name = "descriptors"
    title = "Licensed CPT descriptors (CSV)"
    tables = (DESCRIPTOR_TABLE,)
    noun = "descriptors"
    columns = ("code", "descriptor", "source")
    required = ("code", "descriptor")

    def row(self, sink: Sink, line: int, cells: dict[str, str], file: InputFile) -> None:
        code = self.code(cells["code"])
        if code not in sink.known_codes:
            raise _RowError(f"{code} is not in the catalog, so there is nothing to describe")
        text = cells["descriptor"]
        if not text:
            raise _RowError("the descriptor is empty")
        sink.add("descriptors", line, (code, text, cells.get("source", "") or file.name))


CODES = register(ClinicCodesReader())
DESCRIPTORS = register(DescriptorsReader())
