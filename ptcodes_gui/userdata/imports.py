"""CSV imports into the user database, as overlays (the shipped catalog is never changed).

Three kinds, each replacing the previous import of the same kind as a whole:

``codes``
    Clinic codes. Header (first line) with columns ``code,title,description,category,
    timed,unit_minutes,notes``; ``code`` and ``title`` are required, the others optional;
    any other column rejects the file. A code already in the catalog is rejected (clinic
    codes are new codes). ``timed``: yes/no, true/false, 1/0 (empty = no); a timed code
    without ``unit_minutes`` gets 15.
``descriptors``
    Licensed CPT descriptors: ``code,descriptor`` (+ optional ``source``; else the file
    name is the source shown). Codes must be in the catalog.
``ncci``
    The CMS practitioner PTP table, CSV or tab-delimited. The header row may follow a
    preamble (CMS puts a copyright notice first) and is found within the first 25 rows by
    keywords: "Column 1", "Column 2", "Effective", "Deletion", "Modifier", optional
    "Rationale"; other columns are ignored. Dates are YYYYMMDD or YYYY-MM-DD, ``*`` or
    empty for none. A pair with a code outside the catalog is skipped (counted, not an
    error, and its other fields are not checked: the CMS table covers every specialty),
    and so is a pair deleted on or before the import date. Applied, it REPLACES the
    built-in pairs; ``store.overlay_ncci()`` returns them date-stamped (``as_of`` = import
    date; the source names the file and its latest effective date).

Flow: ``preview_import`` reads and validates everything and writes nothing
(``parse_import`` is the same without the store, for a worker thread);
``apply_import`` writes the accepted rows in one transaction (all or nothing);
``remove_import`` goes back to the built-in data.

Safety: the file is decoded as UTF-8 (a BOM is fine; anything else is refused with the
line of the first bad byte), parsed with ``newline=""`` semantics and a strict CSV
dialect, within limits (size, rows, field and line length) checked before any parsing
that could be slow. Every text field is cleaned of bidi, zero-width and control
characters. Cells that look like spreadsheet formulas (= + - @) are kept as plain text
(nothing here evaluates them) and counted in the preview; ``export_csv_safe`` neutralises
them whenever text is written back to a CSV.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ptcodes_gui.domain.models import CATEGORIES
from ptcodes_gui.userdata.store import (
    IMPORT_KINDS,
    ClinicCode,
    Descriptor,
    ImportInfo,
    ImportKind,
    NcciRow,
    OverlayRow,
    UserDataError,
    UserStore,
    clean_text,
)

__all__ = [
    "ImportFileError",
    "ImportLimits",
    "ImportPreview",
    "RejectedRow",
    "apply_import",
    "export_csv_safe",
    "parse_import",
    "preview_import",
    "remove_import",
]

HEADER_SEARCH_ROWS = 25
DELIMITERS = (",", "\t", ";", "|")
FORMULA_STARTS = ("=", "+", "-", "@")

CODES_COLUMNS = ("code", "title", "description", "category", "timed", "unit_minutes", "notes")
CODES_REQUIRED = ("code", "title")
DESCRIPTOR_COLUMNS = ("code", "descriptor", "source")
DESCRIPTOR_REQUIRED = ("code", "descriptor")
NCCI_REQUIRED = ("column1", "column2", "effective", "deletion", "modifier")
MAX_TITLE_CHARS = 200
CLINIC_CATEGORIES = {k: v for k, v in CATEGORIES.items() if k not in ("modifier", "diagnosis")}

_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{0,15}$")
_PROCEDURE_RE = re.compile(r"^[A-Z0-9]{5}$")
_NEWLINE_RE = re.compile(r"\r\n|\r|\n")
_MULTILINE_FIELDS = frozenset({"description", "notes", "descriptor", "rationale"})
_TRUE = {"yes", "y", "true", "t", "1", "timed"}
_FALSE = {"", "no", "n", "false", "f", "0", "untimed"}


class ImportFileError(UserDataError):
    """The file as a whole cannot be imported (encoding, size, header, CSV syntax)."""


@dataclass(frozen=True)
class ImportLimits:
    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 200_000
    max_field_chars: int = 2_000
    # A longer physical line cannot be a valid row (7 fields of 2,000 chars) and is
    # refused before the CSV parser sees it; also the csv module's field_size_limit.
    max_line_chars: int = 50_000
    max_rejected_listed: int = 1_000


DEFAULT_LIMITS = ImportLimits()
#: CMS publishes the practitioner PTP table as a few files of a million-odd rows each.
NCCI_LIMITS = ImportLimits(max_bytes=200 * 1024 * 1024, max_rows=3_000_000)


def limits_for(kind: str) -> ImportLimits:
    return NCCI_LIMITS if kind == "ncci" else DEFAULT_LIMITS


KIND_LABELS = {
    "codes": "Clinic codes and notes (CSV)",
    "descriptors": "Licensed CPT descriptors (CSV)",
    "ncci": "NCCI procedure-to-procedure table (CSV or tab-delimited)",
}


def preview_text(preview: ImportPreview, max_rejected: int = 500) -> str:
    """What an import would do, in plain words (the window's preview and the CLI's)."""
    lines = [
        f"File: {preview.file_name}",
        f"Kind: {KIND_LABELS.get(preview.kind, preview.kind)}",
        "",
        f"Rows accepted: {preview.accepted}",
        f"  added: {preview.added}   changed: {preview.changed}   removed: {preview.removed}",
        f"Rows rejected: {preview.rejected_total}",
    ]
    if preview.skipped_deleted:
        lines.append(f"Rows skipped (edit deleted before today): {preview.skipped_deleted}")
    if preview.skipped_not_in_catalog:
        lines.append(f"Rows skipped (codes not in this catalog): {preview.skipped_not_in_catalog}")
    if preview.latest_effective:
        lines.append(f"Latest effective date in the file: {preview.latest_effective}")
    lines.extend(preview.notes)
    if preview.rejected:
        lines.append("")
        lines.append("Rejected rows (line: reason):")
        lines.extend(f"  line {r.line}: {r.reason}" for r in preview.rejected[:max_rejected])
        shown = len(preview.rejected[:max_rejected])
        if preview.rejected_total > shown:
            lines.append(f"  … and {preview.rejected_total - shown} more")
    return "\n".join(lines)


@dataclass(frozen=True)
class RejectedRow:
    line: int  # physical line where the record starts (1 = first line of the file)
    reason: str


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do; nothing has been written yet."""

    kind: ImportKind
    file_name: str
    source: str
    rows: tuple[OverlayRow, ...]
    rejected: tuple[RejectedRow, ...]  # the first ``max_rejected_listed``
    rejected_total: int
    added: int
    changed: int
    removed: int
    skipped_deleted: int = 0
    skipped_not_in_catalog: int = 0
    latest_effective: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def accepted(self) -> int:
        return len(self.rows)

    @property
    def can_apply(self) -> bool:
        return bool(self.rows)


# --------------------------------------------------------------------------- public


def preview_import(
    kind: ImportKind,
    path: Path,
    *,
    known_codes: Collection[str],
    store: UserStore,
    today: date | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportPreview:
    """Read and validate ``path``; compare with the current overlay. Writes nothing.

    Raises ``ImportFileError`` when the file as a whole is unusable; row problems are
    listed in ``rejected`` with their line numbers. ``today`` (default: the store's
    clock) decides which NCCI deletion dates are past.
    """
    return parse_import(
        kind,
        path,
        known_codes=known_codes,
        current=store.overlay_rows(kind),
        today=today or store.clock().date(),
        limits=limits,
    )


def parse_import(
    kind: ImportKind,
    path: Path,
    *,
    known_codes: Collection[str],
    today: date,
    current: Mapping[str, OverlayRow] | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportPreview:
    """``preview_import`` without the store, so it can run in a worker thread (a store's
    connection belongs to its thread): pass ``current=store.overlay_rows(kind)``."""
    if kind not in IMPORT_KINDS:
        raise ImportFileError(f"Unknown import kind {kind!r}.")
    path = Path(path)
    name = path.name
    text = _read_text(path, limits)
    _check_line_lengths(text, name, limits)
    if kind == "ncci":
        header = _find_ncci_header(text, name, limits)
    else:
        columns, required = (
            (CODES_COLUMNS, CODES_REQUIRED)
            if kind == "codes"
            else (DESCRIPTOR_COLUMNS, DESCRIPTOR_REQUIRED)
        )
        header = _find_simple_header(text, name, columns, required, limits)
    records = _parse(text, name, header.delimiter, limits, start_line=header.line, skip_first=True)
    builder = _Builder(kind, name, known_codes, today, header, limits)
    for line, row in records:
        builder.add(line, row)
    return builder.finish(current or {})


def apply_import(preview: ImportPreview, store: UserStore) -> ImportInfo:
    """Write the previewed rows, replacing that kind's overlay, in one transaction."""
    if not preview.can_apply:
        raise ImportFileError(f"{preview.file_name} has no rows that can be imported.")
    return store.replace_overlay(
        preview.kind,
        preview.rows,
        file_name=preview.file_name,
        source=preview.source,
        latest_effective=preview.latest_effective,
    )


def remove_import(kind: ImportKind, store: UserStore) -> bool:
    """Remove an import of ``kind``; the built-in data is used again. True if one existed."""
    return store.remove_overlay(kind)


def export_csv_safe(value: str) -> str:
    """Text safe to put in a CSV cell that a spreadsheet will open (no formula injection).

    A cell that starts (or starts after spaces) with = + - @, or with a tab or carriage
    return, is prefixed with an apostrophe, which spreadsheets show as text.
    """
    if value.startswith(("\t", "\r")) or value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


# --------------------------------------------------------------------------- reading


def _read_text(path: Path, limits: ImportLimits) -> str:
    name = path.name
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ImportFileError(f"{name} is not a file.")
        if size > limits.max_bytes:
            raise ImportFileError(
                f"{name} is {_human_size(size)}; files larger than "
                f"{_human_size(limits.max_bytes)} are not imported."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"{name} could not be read: {exc.strerror or exc}.") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            f"{name} is UTF-16 text (Excel's 'Unicode Text'); save it as 'CSV UTF-8' and "
            "import it again."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        raise ImportFileError(
            f"{name} is not UTF-8 text: line {line} contains the byte 0x{byte}, which is not "
            "valid UTF-8 (the file was probably saved as Windows-1252 / Latin-1). Save it as "
            "'CSV UTF-8' and import it again."
        ) from exc
    if not text.strip():
        raise ImportFileError(f"{name} is empty.")
    return text


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")
    return f"{size:,} bytes"


def _check_line_lengths(text: str, name: str, limits: ImportLimits) -> None:
    start = 0
    line = 1
    for match in _NEWLINE_RE.finditer(text):
        if match.start() - start > limits.max_line_chars:
            break
        start = match.end()
        line += 1
    else:
        if len(text) - start <= limits.max_line_chars:
            return
    raise ImportFileError(
        f"{name}: line {line} is longer than {limits.max_line_chars:,} characters, so this "
        "is not a table that can be imported (a quote mark that is never closed can cause "
        "this)."
    )


def _line_offset(text: str, line: int) -> int:
    """Index in ``text`` where physical line ``line`` (1-based) starts."""
    if line <= 1:
        return 0
    for number, match in enumerate(_NEWLINE_RE.finditer(text), start=2):
        if number == line:
            return match.end()
    return len(text)


def _parse(
    text: str,
    name: str,
    delimiter: str,
    limits: ImportLimits,
    *,
    start_line: int = 1,
    skip_first: bool = False,
    strict: bool = True,
    stop_after: int | None = None,
) -> list[tuple[int, list[str]]]:
    """Records from ``start_line`` on, as (first physical line, cells); blank ones dropped.

    Raises ``ImportFileError`` on CSV syntax errors (``strict``) and on too many rows.
    The csv module's process-wide field_size_limit is set for the parse and restored.
    """
    records: list[tuple[int, list[str]]] = []
    chunk = text[_line_offset(text, start_line) :] if start_line > 1 else text
    previous = csv.field_size_limit()
    csv.field_size_limit(limits.max_line_chars)
    try:
        reader = csv.reader(io.StringIO(chunk, newline=""), delimiter=delimiter, strict=strict)
        while stop_after is None or len(records) < stop_after:
            line = reader.line_num + start_line
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise ImportFileError(
                    f"{name}: line {line} is not valid CSV ({exc}); nothing was imported."
                ) from exc
            if not "".join(row).strip():
                continue
            if skip_first:
                skip_first = False
                continue
            records.append((line, row))
            if len(records) > limits.max_rows:
                raise ImportFileError(
                    f"{name} has more than {limits.max_rows:,} rows; that is more than an "
                    "import can hold."
                )
    finally:
        csv.field_size_limit(previous)
    return records


# --------------------------------------------------------------------------- headers


@dataclass(frozen=True)
class _Header:
    line: int
    delimiter: str
    columns: dict[str, int]  # our field name -> cell index
    width: int
    ignored: tuple[str, ...] = ()


def _header_key(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", clean_text(cell).lower()).strip("_")


def _sniff(
    text: str, name: str, delimiter: str, limits: ImportLimits, rows: int
) -> list[tuple[int, list[str]]]:
    """The first records read with ``delimiter``, leniently (a preamble may have stray
    quotes); the rows after the header are parsed strictly later."""
    try:
        return _parse(text, name, delimiter, limits, strict=False, stop_after=rows)
    except ImportFileError:
        return []


def _find_simple_header(
    text: str,
    name: str,
    allowed: Sequence[str],
    required: Sequence[str],
    limits: ImportLimits,
) -> _Header:
    """The first record is the header; the delimiter is the one that finds the required
    columns in it."""
    best: tuple[int, str, int, list[str]] | None = None
    for delimiter in DELIMITERS:
        first = _sniff(text, name, delimiter, limits, 1)
        if not first:
            continue
        line, cells = first[0]
        keys = [_header_key(c) for c in cells]
        score = sum(1 for k in required if k in keys) * 100 + sum(1 for k in keys if k in allowed)
        if best is None or score > best[0]:
            best = (score, delimiter, line, cells)
    if best is None:
        raise ImportFileError(f"{name}: the first line could not be read as a table header.")
    _, delimiter, line, cells = best
    while cells and not cells[-1].strip():
        cells = cells[:-1]  # trailing empty cells from a spreadsheet
    columns: dict[str, int] = {}
    unknown: list[str] = []
    for index, cell in enumerate(cells):
        key = _header_key(cell)
        if key in columns:
            raise ImportFileError(f"{name}: the column {key!r} appears twice on line {line}.")
        if key in allowed:
            columns[key] = index
        else:
            unknown.append(repr(clean_text(cell)) if key else f"(column {index + 1} has no name)")
    expected = ", ".join(allowed)
    missing = [k for k in required if k not in columns]
    if missing:
        raise ImportFileError(
            f"{name}: the header (line {line}) is missing the required column(s) "
            f"{', '.join(missing)}. The first line must name the columns: {expected}."
        )
    if unknown:
        raise ImportFileError(
            f"{name}: unknown column(s) {', '.join(unknown)} on line {line}. This import "
            f"accepts only these columns: {expected}."
        )
    return _Header(line, delimiter, columns, len(cells))


def _ncci_field(cell: str) -> str | None:
    low = clean_text(cell).lower()
    compact = re.sub(r"[^a-z0-9]", "", low)
    if compact.startswith(("column1", "col1")):
        return "column1"
    if compact.startswith(("column2", "col2")):
        return "column2"
    if "deletion" in low or "deleted" in low:
        return "deletion"
    if "effective" in low:
        return "effective"
    if "modifier" in low:
        return "modifier"
    if "rationale" in low:
        return "rationale"
    return None


def _find_ncci_header(text: str, name: str, limits: ImportLimits) -> _Header:
    for delimiter in DELIMITERS:
        for line, cells in _sniff(text, name, delimiter, limits, HEADER_SEARCH_ROWS):
            fields = [_ncci_field(c) for c in cells]
            if "column1" not in fields or "column2" not in fields:
                continue
            columns: dict[str, int] = {}
            ignored: list[str] = []
            for index, (cell, fld) in enumerate(zip(cells, fields, strict=True)):
                if fld is None:
                    if cell.strip():
                        ignored.append(clean_text(cell))
                    continue
                if fld in columns:
                    raise ImportFileError(
                        f"{name}: two columns on line {line} look like {fld!r}; "
                        "cannot tell which one to use."
                    )
                columns[fld] = index
            missing = [f for f in NCCI_REQUIRED if f not in columns]
            if missing:
                raise ImportFileError(
                    f"{name}: the header on line {line} has no column for "
                    f"{', '.join(missing)} (expected Column 1, Column 2, Effective Date, "
                    "Deletion Date, Modifier indicator, and optionally Rationale)."
                )
            return _Header(line, delimiter, columns, len(cells), tuple(ignored))
    raise ImportFileError(
        f"{name}: no header row naming 'Column 1' and 'Column 2' in the first "
        f"{HEADER_SEARCH_ROWS} rows; this does not look like an NCCI PTP table."
    )


# --------------------------------------------------------------------------- rows


class _RowError(Exception):
    pass


_DATE_RE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")


@functools.lru_cache(maxsize=4096)  # a PTP table repeats a few hundred dates
def _iso_date(text: str) -> str | None:
    """ISO date for YYYYMMDD / YYYY-MM-DD, None for none ("" or "*"); ValueError else."""
    if text in ("", "*"):
        return None
    match = _DATE_RE.fullmatch(text)
    if match is None or (len(text) == 10) != ("-" in text):
        raise ValueError(text)
    return date(*(int(part) for part in match.groups())).isoformat()


def _parse_date(value: str, what: str) -> str | None:
    text = value.strip()
    try:
        return _iso_date(text)
    except ValueError:
        raise _RowError(
            f"{what} {text!r} is not a date (use YYYYMMDD, YYYY-MM-DD, or * for none)"
        ) from None


class _Builder:
    """Turns records into overlay rows, rejected rows and counts."""

    def __init__(
        self,
        kind: ImportKind,
        file_name: str,
        known_codes: Collection[str],
        today: date,
        header: _Header,
        limits: ImportLimits,
    ) -> None:
        self.kind = kind
        self.file_name = file_name
        self.known = {c.upper() for c in known_codes}
        self.today = today
        self.header = header
        self.limits = limits
        self.accepted: dict[str, list[tuple[int, OverlayRow]]] = {}
        self.rejected: list[RejectedRow] = []
        self.skipped_deleted = 0
        self.skipped_unknown = 0
        self.formula_cells = 0
        parsers: dict[str, Callable[[dict[str, str]], OverlayRow | None]] = {
            "codes": self._clinic_code,
            "descriptors": self._descriptor,
            "ncci": self._ncci,
        }
        self._parse_row = parsers[kind]
        self._fields = [
            (fld, index, fld in _MULTILINE_FIELDS) for fld, index in header.columns.items()
        ]

    def add(self, line: int, row: list[str]) -> None:
        try:
            cells = self._cells(row)
            parsed = self._parse_row(cells)
        except _RowError as exc:
            self.rejected.append(RejectedRow(line, str(exc)))
            return
        if parsed is not None:
            self.accepted.setdefault(parsed.key, []).append((line, parsed))

    def _cells(self, row: list[str]) -> dict[str, str]:
        width = self.header.width
        if len(row) > width and "".join(row[width:]).strip():
            raise _RowError(f"has {len(row)} cells but the header names {width} columns")
        cells: dict[str, str] = {}
        limit = self.limits.max_field_chars
        for fld, index, multiline in self._fields:
            raw = row[index] if index < len(row) else ""
            if len(raw) > limit:
                raise _RowError(f"the {fld} is longer than {limit:,} characters")
            cells[fld] = clean_text(raw, multiline=multiline)
        return cells

    def _count_formulas(self, *values: str) -> None:
        self.formula_cells += sum(1 for v in values if v.startswith(FORMULA_STARTS))

    def _code(self, value: str, what: str = "code") -> str:
        code = value.strip().upper()
        if not code:
            raise _RowError(f"the {what} is empty")
        if not _CODE_RE.match(code):
            raise _RowError(
                f"{code!r} is not a valid {what} (letters, digits, '.' or '-', up to 16)"
            )
        return code

    def _clinic_code(self, cells: dict[str, str]) -> OverlayRow:
        code = self._code(cells["code"])
        if code in self.known:
            raise _RowError(
                f"{code} is already in the built-in catalog; clinic codes must be new codes"
            )
        title = cells["title"]
        if not title:
            raise _RowError("the title is empty")
        if len(title) > MAX_TITLE_CHARS:
            raise _RowError(f"the title is longer than {MAX_TITLE_CHARS} characters")
        category = self._category(cells.get("category", ""))
        timed_text = cells.get("timed", "").lower()
        if timed_text not in _TRUE | _FALSE:
            raise _RowError(f"timed must be yes or no, not {cells['timed']!r}")
        timed = timed_text in _TRUE
        minutes_text = cells.get("unit_minutes", "")
        minutes: int | None = None
        if minutes_text:
            if not minutes_text.isdigit() or not 1 <= int(minutes_text) <= 120:
                raise _RowError(f"unit_minutes must be a whole number 1-120, not {minutes_text!r}")
            if not timed:
                raise _RowError("unit_minutes is only for timed codes (set timed to yes)")
            minutes = int(minutes_text)
        elif timed:
            minutes = 15
        description = cells.get("description", "")
        notes = cells.get("notes", "")
        self._count_formulas(title, description, notes)
        return ClinicCode(code, title, description, category, timed, minutes, notes)

    def _category(self, value: str) -> str:
        if not value:
            return "other"
        wanted = value.strip().lower()
        for key, label in CLINIC_CATEGORIES.items():
            if wanted in (key, label.lower(), key.replace("_", " ")):
                return key
        raise _RowError(f"unknown category {value!r} (use one of: {', '.join(CLINIC_CATEGORIES)})")

    def _descriptor(self, cells: dict[str, str]) -> OverlayRow:
        code = self._code(cells["code"])
        if code not in self.known:
            raise _RowError(f"{code} is not in the catalog, so there is nothing to describe")
        text = cells["descriptor"]
        if not text:
            raise _RowError("the descriptor is empty")
        source = cells.get("source", "") or self.file_name
        self._count_formulas(text, source)
        return Descriptor(code, text, source)

    def _ncci(self, cells: dict[str, str]) -> OverlayRow | None:
        col1 = cells["column1"].strip().upper()
        col2 = cells["column2"].strip().upper()
        for what, code in (("Column 1", col1), ("Column 2", col2)):
            if not _PROCEDURE_RE.match(code):
                raise _RowError(f"{what} {code!r} is not a procedure code")
        if col1 not in self.known or col2 not in self.known:
            # Most of the CMS table is other specialties' pairs: not our business, and
            # not errors either.
            self.skipped_unknown += 1
            return None
        indicator = cells["modifier"].strip()
        if indicator not in ("0", "1", "9"):
            raise _RowError(f"the modifier indicator must be 0, 1 or 9, not {indicator!r}")
        effective = _parse_date(cells["effective"], "effective date")
        if effective is None:
            raise _RowError("the effective date is missing")
        deleted = _parse_date(cells["deletion"], "deletion date")
        if deleted is not None and deleted <= self.today.isoformat():
            self.skipped_deleted += 1
            return None
        rationale = cells.get("rationale", "")
        return NcciRow(col1, col2, int(indicator), effective, deleted, rationale)

    def _label(self, row: OverlayRow) -> str:
        if isinstance(row, NcciRow):
            return f"the pair {row.column1}/{row.column2}"
        return f"the code {row.code}"

    def finish(self, current: Mapping[str, OverlayRow]) -> ImportPreview:
        rows: list[OverlayRow] = []
        for entries in self.accepted.values():
            if len(entries) == 1:
                rows.append(entries[0][1])
                continue
            lines = ", ".join(str(line) for line, _ in entries)
            for line, row in entries:
                self.rejected.append(
                    RejectedRow(line, f"{self._label(row)} appears more than once (lines {lines})")
                )
        self.rejected.sort(key=lambda r: r.line)
        new = {row.key: row for row in rows}
        changed = sum(1 for k in new.keys() & current.keys() if new[k] != current[k])
        latest = max(
            (r.effective for r in rows if isinstance(r, NcciRow) and r.effective), default=None
        )
        return ImportPreview(
            kind=self.kind,
            file_name=self.file_name,
            source=self._source(rows),
            rows=tuple(rows),
            rejected=tuple(self.rejected[: self.limits.max_rejected_listed]),
            rejected_total=len(self.rejected),
            added=len(new.keys() - current.keys()),
            changed=changed,
            removed=len(current.keys() - new.keys()),
            skipped_deleted=self.skipped_deleted,
            skipped_not_in_catalog=self.skipped_unknown,
            latest_effective=latest,
            notes=self._notes(),
        )

    def _source(self, rows: Sequence[OverlayRow]) -> str:
        sources = {r.source for r in rows if isinstance(r, Descriptor)}
        return sources.pop() if len(sources) == 1 else self.file_name

    def _notes(self) -> tuple[str, ...]:
        notes: list[str] = []
        if self.formula_cells:
            notes.append(
                f"{self.formula_cells} cell(s) start with =, +, - or @. They are kept as "
                "plain text, and made safe whenever they are exported to a spreadsheet."
            )
        if self.skipped_deleted:
            notes.append(
                f"{self.skipped_deleted:,} pair(s) deleted on or before "
                f"{self.today.isoformat()} were skipped."
            )
        if self.skipped_unknown:
            notes.append(
                f"{self.skipped_unknown:,} pair(s) with a code outside the catalog were left out."
            )
        if self.header.ignored:
            notes.append(f"Ignored column(s): {', '.join(self.header.ignored)}.")
        return tuple(notes)
