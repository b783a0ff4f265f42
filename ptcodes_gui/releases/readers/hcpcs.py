"""HCPCS Level II, CMS's quarterly "Alpha-Numeric HCPCS File" (csv, xlsx or fixed-width txt).

Level II text is public (CMS): the official long description is kept and shown. Only codes and
modifiers already in the catalog are kept; their title, action, and added / effective /
terminated dates. A terminated code is shown as deleted from its TERM DT on.

Records (DATA-RELEASES.md): RECID 3 is a code's first line, 4 continues its long description;
7 and 8 are the same for a modifier (right-aligned in the code column, ``   GP``). The csv and
xlsx carry a 48-column header ``HCPC,SEQNUM,RECID,LONG DESCRIPTION,...,TERM DT,ACTION CD``
(the workbook may have a disclaimer above it); the txt is 320-character records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from ptcodes_gui.releases.files import (
    ImportFileError,
    InputFile,
    head_rows,
    rows_of,
    text_rows,
)
from ptcodes_gui.releases.registry import Reader, Release, Sink, Table, register

#: (first, last) 1-based columns of the fixed-width txt record (CMS record layout).
FIXED_FIELDS: dict[str, tuple[int, int]] = {
    "code": (1, 5),
    "seqnum": (6, 10),
    "recid": (11, 11),
    "long": (12, 91),
    "short": (92, 119),
    "added": (269, 276),
    "effective": (277, 284),
    "terminated": (285, 292),
    "action": (293, 293),
}
FIXED_WIDTH = 320
HEADER_ROWS_SEARCHED = 25
_HEADER_NAMES = {
    "HCPC": "code",
    "SEQNUM": "seqnum",
    "RECID": "recid",
    "LONG DESCRIPTION": "long",
    "SHORT DESCRIPTION": "short",
    "ADD DT": "added",
    "ACT EFF DT": "effective",
    "TERM DT": "terminated",
    "ACTION CD": "action",
}
_REQUIRED = ("code", "recid", "long")
_FIRST = {"3": False, "7": True}  # RECID of a first line → is a modifier
_NEXT = {"4": False, "8": True}
_DATE_RE = re.compile(r"\d{8}")


class HcpcsFileError(ValueError):
    pass


@dataclass(frozen=True)
class HcpcsRecord:
    code: str
    modifier: bool
    long_description: str
    short_description: str
    added: str | None  # ISO dates
    effective: str | None
    terminated: str | None
    action: str
    line: int


def _iso(value: str, name: str, line: int) -> str | None:
    text = value.strip()
    if text.endswith(".0"):
        text = text[:-2]  # a date typed as a number in the workbook
    if not text:
        return None
    if not _DATE_RE.fullmatch(text):
        raise HcpcsFileError(f"{name}: line {line}: {text!r} is not a date (YYYYMMDD)")
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def _key(cell: str) -> str:
    return " ".join(cell.replace("_", " ").split()).upper()


def find_header(rows: Sequence[tuple[int, list[str]]], name: str) -> tuple[int, dict[str, int]]:
    """(line, field → column) of the header among the first rows."""
    for line, cells in rows[:HEADER_ROWS_SEARCHED]:
        columns = {
            _HEADER_NAMES[_key(c)]: i for i, c in enumerate(cells) if _key(c) in _HEADER_NAMES
        }
        if all(f in columns for f in _REQUIRED):
            return line, columns
    raise HcpcsFileError(
        f"{name}: no header naming HCPC, RECID and LONG DESCRIPTION in the first "
        f"{HEADER_ROWS_SEARCHED} rows; this is not CMS's HCPCS file"
    )


class _Merger:
    """Joins a code's first line with its continuation lines."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.current: dict[str, str] | None = None
        self.line = 0

    def feed(self, line: int, fields: dict[str, str]) -> HcpcsRecord | None:
        recid = fields.get("recid", "").strip()
        code = fields.get("code", "").strip().upper()
        if recid in _NEXT:
            if self.current is None or code != self.current["code"]:
                raise HcpcsFileError(
                    f"{self.name}: line {line}: a continuation line (RECID {recid}) of "
                    f"{code or 'no code'} without its first line"
                )
            self.current["long"] = f"{self.current['long']} {fields.get('long', '').strip()}"
            return None
        if recid not in _FIRST:
            raise HcpcsFileError(
                f"{self.name}: line {line}: RECID {recid!r} is not 3, 4, 7 or 8"
            )
        done = self.finish()
        self.current = {k: v for k, v in fields.items()} | {"code": code, "recid": recid}
        self.current["long"] = fields.get("long", "").strip()
        self.line = line
        return done

    def finish(self) -> HcpcsRecord | None:
        c = self.current
        if c is None:
            return None
        self.current = None
        line = self.line
        return HcpcsRecord(
            code=c["code"],
            modifier=_FIRST[c["recid"]],
            long_description=" ".join(c["long"].split()),
            short_description=" ".join(c.get("short", "").split()),
            added=_iso(c.get("added", ""), self.name, line),
            effective=_iso(c.get("effective", ""), self.name, line),
            terminated=_iso(c.get("terminated", ""), self.name, line),
            action=c.get("action", "").strip(),
            line=line,
        )


def table_records(
    rows: Iterable[tuple[int, list[str]]], name: str
) -> Iterator[HcpcsRecord]:
    """Records of the csv or xlsx (rows as (line, cells), the header among the first)."""
    it = iter(rows)
    head: list[tuple[int, list[str]]] = []
    for row in it:
        head.append(row)
        if len(head) >= HEADER_ROWS_SEARCHED:
            break
    header_line, columns = find_header(head, name)
    merger = _Merger(name)

    def records(source: Iterable[tuple[int, list[str]]]) -> Iterator[HcpcsRecord]:
        for line, cells in source:
            if line <= header_line:
                continue
            fields = {f: cells[i] if i < len(cells) else "" for f, i in columns.items()}
            if not fields["code"].strip():
                continue
            done = merger.feed(line, fields)
            if done is not None:
                yield done

    yield from records(head)
    yield from records(it)
    last = merger.finish()
    if last is not None:
        yield last


def fixed_records(lines: Iterable[tuple[int, str]], name: str) -> Iterator[HcpcsRecord]:
    """Records of the fixed-width txt: (line number, text) of 320-character records."""
    merger = _Merger(name)
    for number, raw in lines:
        text = raw.rstrip("\r\n")
        if not text.strip():
            continue
        if len(text) > FIXED_WIDTH or text[10:11] not in "3478":
            raise HcpcsFileError(
                f"{name}: line {number} is not a {FIXED_WIDTH}-character HCPCS record"
            )
        text = text.ljust(FIXED_WIDTH)
        fields = {f: text[a - 1 : b] for f, (a, b) in FIXED_FIELDS.items()}
        done = merger.feed(number, fields)
        if done is not None:
            yield done
    last = merger.finish()
    if last is not None:
        yield last


def looks_fixed_width(first_line: str) -> bool:
    text = first_line.rstrip("\r\n")
    return len(text) > 200 and text[10:11] in "37" and "," not in text[:11]


# --------------------------------------------------------------------------- the source

HCPCS_TABLE = Table(
    "hcpcs",
    ("code TEXT NOT NULL", "modifier INTEGER NOT NULL DEFAULT 0",
     "long_description TEXT NOT NULL", "short_description TEXT NOT NULL DEFAULT ''",
     "added TEXT", "effective TEXT", "terminated TEXT", "action TEXT NOT NULL DEFAULT ''"),
    key=("code",),
)
_NAME_RE = re.compile(r"HCPC(\d{4})_?([A-Za-z]{3})?", re.IGNORECASE)
_MONTHS = {"jan": 1, "apr": 4, "jul": 7, "oct": 10}
_MONTH_WORDS = {"january": 1, "april": 4, "july": 7, "october": 10}


def _release(file: InputFile) -> Release:
    names = f"{file.name} {file.container or ''}"
    match = _NAME_RE.search(names)
    if match is None:
        year_match = re.search(r"(20\d\d)", names)
        month = next((m for w, m in _MONTH_WORDS.items() if w in names.lower()), 1)
        if year_match is None:
            return Release(version=file.name, label=f"CMS HCPCS Level II ({file.name})")
        year = int(year_match.group(1))
    else:
        year = int(match.group(1))
        month = _MONTHS.get((match.group(2) or "jan").lower(), 1)
    start = date(year, month, 1)
    return Release(version=f"{year}-{month:02d}", label=f"CMS HCPCS Level II {start:%B %Y}",
                   effective=start.isoformat(), order=(year, month))


class HcpcsReader(Reader):
    """``ptcodes import hcpcs FILE``: official titles, status and termination dates."""

    name = "hcpcs"
    title = "CMS HCPCS Level II file"
    tables = (HCPCS_TABLE,)
    noun = "codes"

    def _kind(self, file: InputFile) -> str | None:
        if file.format == "xlsx":
            head = head_rows(file, HEADER_ROWS_SEARCHED)
        else:
            text = file.head_text(8192)
            first = next((ln for ln in text.splitlines() if ln.strip()), "")
            if looks_fixed_width(first):
                return "fixed"
            head = head_rows(file, HEADER_ROWS_SEARCHED, ",")
        try:
            find_header(head, file.display)
        except HcpcsFileError:
            return None
        return "table"

    def recognise(self, file: InputFile) -> Release | None:
        if file.member is not None and not file.name.lower().endswith((".txt", ".csv", ".xlsx")):
            return None
        return _release(file) if self._kind(file) else None

    def read(self, file: InputFile, release: Release, sink: Sink) -> None:
        kind = self._kind(file)
        if kind == "fixed":
            lines = (
                (n, cells[0])
                for n, cells in text_rows(file, "\0", sink.progress, limits=sink.limits,
                                          quoted=False)
            )
            records = fixed_records(lines, file.display)
        else:
            delimiter = None if file.format == "xlsx" else ","
            records = table_records(
                rows_of(file, sink.progress, delimiter=delimiter, limits=sink.limits),
                file.display,
            )
        outside = terminated = total = 0
        try:
            for record in records:
                total += 1
                if record.code not in sink.known_codes:
                    outside += 1
                    continue
                if record.terminated and record.terminated <= sink.today.isoformat():
                    terminated += 1
                sink.add("hcpcs", record.line, (
                    record.code, int(record.modifier), record.long_description,
                    record.short_description, record.added, record.effective,
                    record.terminated, record.action))
        except HcpcsFileError as exc:
            raise ImportFileError(f"{exc}. Nothing was imported.") from exc
        if not total:
            raise ImportFileError(f"{file.display} has no HCPCS records; nothing was imported.")
        sink.skip("codes not in this catalog", outside)
        if terminated:
            sink.note(f"{terminated} code(s) of the catalog are terminated in this file: shown "
                      "as deleted from their termination date.")


HCPCS = register(HcpcsReader())
