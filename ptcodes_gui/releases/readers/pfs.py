"""The Medicare Physician Fee Schedule relative value files: PPRRVU and GPCI.

``PPRRVU2026_Jul_nonQPP.csv`` (or ``.xlsx``): title, notices and "RELEASED mm/dd/yyyy", then
the column captions wrapped over several rows above the header row (``HCPCS,MOD,DESCRIPTION,
CODE,...``). A column is named by its caption cells read top to bottom: "NON-FAC" / "PE RVU"
→ "NON-FAC PE RVU", "CONV" / "FACTOR" → "CONV FACTOR". The DESCRIPTION column is AMA text
and is never read. Rows with a MOD (26, TC, 53) are components, left out: a therapy service is
billed globally. ``GPCI2026.csv`` (Addendum E): a title, a header, one row per locality, then
footnotes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from ptcodes_gui.releases.cells import code_cell
from ptcodes_gui.releases.files import ImportFileError, InputFile, head_rows, rows_of
from ptcodes_gui.releases.registry import Reader, Release, Sink, Table, register

HEADER_ROWS_SEARCHED = 20
#: caption → our field; the required ones first.
RVU_COLUMNS: dict[str, str] = {
    "HCPCS": "code",
    "MOD": "modifier",
    "STATUS CODE": "status",
    "WORK RVU": "work",
    "NON-FAC PE RVU": "pe_nonfacility",
    "MP RVU": "mp",
    "CONV FACTOR": "conversion_factor",
    "NON-FAC NA INDICATOR": "nonfacility_na",
    "MULT PROC": "mult_proc",
}
RVU_REQUIRED = ("code", "modifier", "status", "work", "pe_nonfacility", "mp", "conversion_factor")
_MONTHS = {"jan": 1, "apr": 4, "jul": 7, "oct": 10}
_RVU_NAME_RE = re.compile(r"PPRRVU(\d{2,4})_?([A-Za-z]{3})?_?(non)?QPP", re.IGNORECASE)
_RELEASED_RE = re.compile(r"RELEASED\s+(\d{1,2})/(\d{1,2})/(\d{4})", re.IGNORECASE)
_YEAR_RE = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


class PfsFileError(ValueError):
    pass


@dataclass(frozen=True)
class RvuRow:
    code: str
    status: str
    work: Decimal
    pe_nonfacility: Decimal
    mp: Decimal
    conversion_factor: Decimal
    mult_proc: str
    nonfacility_na: bool
    line: int


@dataclass(frozen=True)
class GpciRow:
    mac: str
    state: str
    number: str
    name: str
    work: Decimal
    pe: Decimal
    mp: Decimal
    line: int


@dataclass(frozen=True)
class RvuHeader:
    line: int
    columns: dict[str, int]  # field → cell index
    released: str | None  # ISO date of the "RELEASED" line


def _caption(parts: Iterable[str]) -> str:
    return " ".join(" ".join(p.split()) for p in parts if p.strip()).upper()


def find_rvu_header(rows: Sequence[tuple[int, list[str]]], name: str) -> RvuHeader:
    """The header row and each column's full caption (the wrapped rows above it)."""
    released: str | None = None
    for index, (line, cells) in enumerate(rows[:HEADER_ROWS_SEARCHED]):
        for cell in cells:
            match = _RELEASED_RE.search(cell)
            if match:
                month, day, year = (int(g) for g in match.groups())
                released = date(year, month, day).isoformat()
        if not cells or cells[0].strip().upper() != "HCPCS":
            continue
        captions: list[list[str]] = [[c] for c in cells]
        # caption rows: directly above, with nothing in the first three columns
        for _line, above in reversed(rows[:index]):
            if any(c.strip() for c in above[:3]):
                break
            for i, column in enumerate(captions):
                column.insert(0, above[i] if i < len(above) else "")
        columns: dict[str, int] = {}
        for i, parts in enumerate(captions):
            field = RVU_COLUMNS.get(_caption(parts))
            if field is not None and field not in columns:
                columns[field] = i
        missing = [c for c, f in RVU_COLUMNS.items() if f in RVU_REQUIRED and f not in columns]
        if missing:
            raise PfsFileError(
                f"{name}: the header on line {line} has no column captioned "
                f"{', '.join(repr(m) for m in missing)}; this is not a PPRRVU file of the "
                "layout CMS publishes"
            )
        return RvuHeader(line, columns, released)
    raise PfsFileError(
        f"{name}: no header row starting with HCPCS in the first {HEADER_ROWS_SEARCHED} rows; "
        "this is not a PPRRVU relative value file"
    )


def _decimal(text: str, what: str, name: str, line: int) -> Decimal:
    value = text.strip() or "0"
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise PfsFileError(f"{name}: line {line}: the {what} {text!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise PfsFileError(f"{name}: line {line}: the {what} {text!r} is not a number")
    return number


def rvu_rows(
    rows: Iterable[tuple[int, list[str]]], header: RvuHeader, name: str
) -> Iterator[RvuRow | tuple[int, str]]:
    """Global rows; ``(line, "component")`` for a MOD row, ``(line, reason)`` for a bad one."""
    col = header.columns
    for line, cells in rows:
        if line <= header.line:
            continue

        def cell(field: str, cells: list[str] = cells) -> str:
            index = col.get(field)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        code = code_cell(cell("code"))  # a workbook may have made 00100 the number 100
        if not code:
            continue
        if cell("modifier"):
            yield (line, "component")
            continue
        if not re.fullmatch(r"[0-9A-Z]{5}", code):
            yield (line, f"{code!r} is not a procedure code")
            continue
        try:
            yield RvuRow(
                code=code,
                status=cell("status").upper(),
                work=_decimal(cell("work"), "work RVU", name, line),
                pe_nonfacility=_decimal(cell("pe_nonfacility"), "non-facility PE RVU", name, line),
                mp=_decimal(cell("mp"), "MP RVU", name, line),
                conversion_factor=_decimal(cell("conversion_factor"), "CF", name, line),
                mult_proc=cell("mult_proc"),
                nonfacility_na=cell("nonfacility_na").upper() == "NA",
                line=line,
            )
        except PfsFileError as exc:
            yield (line, str(exc).split(": ", 2)[-1])


def rvu_release(name: str, released: str | None) -> tuple[str, str | None]:
    """(label, effective ISO date) from ``PPRRVU2026_Jul_nonQPP.csv`` and its RELEASED line."""
    match = _RVU_NAME_RE.search(name)
    year: int | None = None
    month = 1
    qp = "non-QP"
    if match:
        digits = match.group(1)
        year = int(digits) if len(digits) == 4 else 2000 + int(digits)
        month = _MONTHS.get((match.group(2) or "jan").lower(), 1)
        qp = "non-QP" if match.group(3) else "QP"
    elif (found := _YEAR_RE.search(name)) is not None:
        year = int(found.group(1))
    if year is None:
        return f"CMS PFS RVU ({name})", None
    effective = date(year, month, 1).isoformat()
    when = date(year, month, 1).strftime("%B")
    label = f"CMS PFS RVU {year} {when} release ({qp} conversion factor)"
    if released:
        label += f", released {released}"
    return label, effective


def find_gpci_header(rows: Sequence[tuple[int, list[str]]], name: str) -> tuple[int, list[int]]:
    """(line, [MAC, state, locality, name, work, PE, MP] cell indexes) of the GPCI header."""
    for line, cells in rows[:HEADER_ROWS_SEARCHED]:
        low = [" ".join(c.split()).lower() for c in cells]

        def find(*words: str, low: list[str] = low) -> int:
            return next((i for i, c in enumerate(low) if all(w in c for w in words)), -1)

        indexes = [
            find("contractor") if find("contractor") >= 0 else find("mac"),
            find("state"),
            find("locality", "number"),
            find("locality", "name"),
            find("pw gpci") if find("pw gpci") >= 0 else find("work gpci"),
            find("pe gpci"),
            find("mp gpci"),
        ]
        if all(i >= 0 for i in indexes):
            return line, indexes
    raise PfsFileError(
        f"{name}: no header naming the MAC, locality number and the PW, PE and MP GPCIs in "
        f"the first {HEADER_ROWS_SEARCHED} rows; this is not CMS's GPCI file (Addendum E)"
    )


def gpci_rows(
    rows: Iterable[tuple[int, list[str]]], header: tuple[int, list[int]], name: str
) -> Iterator[GpciRow]:
    """One row per locality; footnotes and blank lines after the table are left out."""
    header_line, idx = header
    for line, cells in rows:
        if line <= header_line:
            continue
        values = [cells[i].strip() if i < len(cells) else "" for i in idx]
        mac, state, number, loc_name, work, pe, mp = values
        if not mac.isdigit():
            continue  # footnotes ("MAC Assignments as of ...", "*Work GPCI reflects ...")
        if not number.isdigit():
            raise PfsFileError(
                f"{name}: line {line}: the locality number {number!r} is not a number"
            )
        yield GpciRow(
            mac=mac.zfill(5),
            state=state,
            number=number.zfill(2),
            name=loc_name.rstrip("*").strip(),
            work=_decimal(work, "work GPCI", name, line),
            pe=_decimal(pe, "PE GPCI", name, line),
            mp=_decimal(mp, "MP GPCI", name, line),
            line=line,
        )


# --------------------------------------------------------------------------- the source

RVU_TABLE = Table(
    "pfs_rvu",
    ("code TEXT NOT NULL", "status TEXT NOT NULL", "work TEXT NOT NULL",
     "pe_nonfacility TEXT NOT NULL", "mp TEXT NOT NULL", "conversion_factor TEXT NOT NULL",
     "mult_proc TEXT NOT NULL DEFAULT ''", "nonfacility_na INTEGER NOT NULL DEFAULT 0",
     "part TEXT NOT NULL DEFAULT 'rvu'"),
    key=("code",),
)
GPCI_TABLE = Table(
    "pfs_gpci",
    ("locality TEXT NOT NULL", "mac TEXT NOT NULL", "number TEXT NOT NULL",
     "state TEXT NOT NULL", "name TEXT NOT NULL", "work TEXT NOT NULL", "pe TEXT NOT NULL",
     "mp TEXT NOT NULL", "part TEXT NOT NULL DEFAULT 'gpci'"),
    key=("locality",),
)
_GPCI_NAME_RE = re.compile(r"GPCI", re.IGNORECASE)


def _wrap(exc: PfsFileError) -> ImportFileError:
    return ImportFileError(f"{exc} Nothing was imported.")


class PfsReader(Reader):
    """``ptcodes import pfs FILE...``: the RVU zip as downloaded, or its PPRRVU and GPCI files.

    Parts of one calendar year add up (``rvu`` and ``gpci``); a quarterly RVU update
    replaces the ``rvu`` part. In a zip, the non-QP file is read (the usual case for a
    PT practice); the QP one is read only when picked on its own."""

    name = "pfs"
    title = "CMS Medicare physician fee schedule (RVUs and GPCIs)"
    tables = (RVU_TABLE, GPCI_TABLE)
    multipart = True
    expected_parts = ("rvu", "gpci")
    missing_parts_note = (
        "visits are priced once both the relative values (PPRRVU) and the GPCI file are in"
    )
    noun = "rows"

    def recognise(self, file: InputFile) -> Release | None:
        lower = file.name.lower()
        if "pprrvu" in lower:
            if file.member is not None and (
                not lower.endswith((".csv", ".xlsx")) or re.search(r"_qpp", lower)
            ):
                return None  # the zip's .txt and QP copies of the same table
            head = head_rows(file, HEADER_ROWS_SEARCHED, None if file.format == "xlsx" else ",")
            try:
                header = find_rvu_header(head, file.display)
            except PfsFileError as exc:
                raise _wrap(exc) from exc
            label, effective = rvu_release(file.name, header.released)
            year = int((effective or "0")[:4])
            return Release(version=f"CY{year}", label=label, effective=effective,
                           order=(year, int((effective or "0-0")[5:7] or 0)), part="rvu")
        if _GPCI_NAME_RE.search(lower):
            head = head_rows(file, HEADER_ROWS_SEARCHED, None if file.format == "xlsx" else ",")
            try:
                find_gpci_header(head, file.display)
            except PfsFileError:
                return None
            match = _YEAR_RE.search(file.name) or _YEAR_RE.search(
                " ".join(" ".join(c) for _, c in head[:2]))
            year = int(match.group(1)) if match else 0
            return Release(version=f"CY{year}", label=f"CMS GPCI {year}",
                           effective=f"{year}-01-01" if year else None, order=(year, 0),
                           part="gpci")
        return None

    def check_together(self, releases: Sequence[tuple[InputFile, Release]]) -> None:
        parts = [r.part for _, r in releases]
        for part in ("rvu", "gpci"):
            if parts.count(part) > 1:
                names = ", ".join(f.display for f, r in releases if r.part == part)
                raise ImportFileError(f"Two {part.upper()} files were given ({names}); give one.")
        versions = {r.version for _, r in releases}
        if len(versions) > 1:
            raise ImportFileError(
                "The files are of different years (" + ", ".join(sorted(versions)) + "); "
                "import the RVU and GPCI files of one year together."
            )

    def read(self, file: InputFile, release: Release, sink: Sink) -> None:
        delimiter = None if file.format == "xlsx" else ","
        rows = rows_of(file, sink.progress, delimiter=delimiter, limits=sink.limits)
        try:
            if release.part == "gpci":
                self._gpci(file, rows, sink)
            else:
                self._rvu(file, rows, sink)
        except PfsFileError as exc:
            raise _wrap(exc) from exc

    def _rvu(self, file: InputFile, rows: Iterator[tuple[int, list[str]]], sink: Sink) -> None:
        head: list[tuple[int, list[str]]] = []
        for row in rows:
            head.append(row)
            if row[1] and row[1][0].strip().upper() == "HCPCS":
                break
        header = find_rvu_header(head, file.display)
        components = outside = kept = 0
        for item in rvu_rows(rows, header, file.display):
            if isinstance(item, tuple):
                line, reason = item
                if reason == "component":
                    components += 1
                else:
                    sink.reject(line, reason)
                continue
            if item.code not in sink.known_codes:
                outside += 1
                continue
            kept += 1
            sink.add("pfs_rvu", item.line, (
                item.code, item.status, str(item.work), str(item.pe_nonfacility), str(item.mp),
                str(item.conversion_factor), item.mult_proc, int(item.nonfacility_na), "rvu"))
        if not kept and not outside:
            raise PfsFileError(f"{file.display} has no rows after its header")
        sink.skip("codes not in this catalog", outside)
        sink.skip("component rows (MOD 26, TC, 53)", components)
        sink.note("The DESCRIPTION column (AMA text) is never read.")

    def _gpci(self, file: InputFile, rows: Iterator[tuple[int, list[str]]], sink: Sink) -> None:
        head: list[tuple[int, list[str]]] = []
        header: tuple[int, list[int]] | None = None
        for row in rows:
            head.append(row)
            try:
                header = find_gpci_header(head[-1:], file.display)
                break
            except PfsFileError:
                continue
        if header is None:
            header = find_gpci_header(head, file.display)
        count = 0
        for g in gpci_rows(rows, header, file.display):
            count += 1
            sink.add("pfs_gpci", g.line, (
                f"{g.mac}-{g.number}", g.mac, g.number, g.state, g.name, str(g.work),
                str(g.pe), str(g.mp), "gpci"))
        if not count:
            raise PfsFileError(f"{file.display} has no locality rows after its header")
        sink.detail("localities", count)


PFS = register(PfsReader())
