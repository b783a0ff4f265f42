"""CMS Medically Unlikely Edits (MUE), practitioner services: the quarterly table.

Shipped zipped as ``MCR_MUE_PractitionerServices_Eff_01-01-2027.csv`` and ``.xlsx``
(Latin-1: ``CPT®`` is byte 0xAE). Record 1 is one quoted, multi-line AMA notice; record 2
the header, whose first cell has a line break (``"HCPCS/\\nCPT Code"``); then code, MUE
value, adjudication indicator (``2 Date of Service Edit: Policy``), rationale. The release
is named by its effective date, from the file name.
"""

from __future__ import annotations

import re
from datetime import date

from ptcodes_gui.domain.text import clean_text
from ptcodes_gui.releases.cells import code_cell, header_key
from ptcodes_gui.releases.files import (
    ImportFileError,
    InputFile,
    head_rows,
    rows_of,
)
from ptcodes_gui.releases.registry import Reader, Release, Sink, Table, register

MUE_TABLE = Table(
    "mue",
    ("code TEXT NOT NULL", "value INTEGER NOT NULL", "mai INTEGER NOT NULL",
     "rationale TEXT NOT NULL DEFAULT ''"),
    key=("code",),
)
_EFF_RE = re.compile(r"eff[_ -]?(\d{1,2})[-_](\d{1,2})[-_](\d{4})", re.IGNORECASE)
_MAX_HEADER_ROW = 8


def _header_index(rows: list[tuple[int, list[str]]]) -> int | None:
    for i, (_, cells) in enumerate(rows[:_MAX_HEADER_ROW]):
        keys = [header_key(c) for c in cells]
        if any("mue_value" in k for k in keys) and any("adjudication" in k for k in keys):
            return i
    return None


class MueReader(Reader):
    name = "mue"
    title = "CMS MUE table, practitioner services"
    tables = (MUE_TABLE,)
    noun = "codes"

    def recognise(self, file: InputFile) -> Release | None:
        head = head_rows(file, _MAX_HEADER_ROW, None if file.format == "xlsx" else ",")
        index = _header_index(head)
        if index is None:
            return None
        header = " ".join(head[index][1]).lower()
        names = f"{file.name} {file.container or ''}".lower()
        if "practitioner" not in header and "practitioner" not in names:
            kind = "outpatient hospital" if "hospital" in header + names else (
                "DME supplier" if "dme" in header + names else "another kind of")
            raise ImportFileError(
                f"{file.display} is the MUE table for {kind} services; import the "
                "practitioner services table (MCR_MUE_PractitionerServices_...)."
            )
        match = _EFF_RE.search(file.name) or _EFF_RE.search(file.container or "")
        if match is None:
            return Release(version=file.name, label=f"CMS MUE practitioner ({file.name})")
        month, day, year = (int(p) for p in match.groups())
        try:
            effective = date(year, month, day).isoformat()
        except ValueError:
            return Release(version=file.name, label=f"CMS MUE practitioner ({file.name})")
        return Release(version=effective, label=f"CMS MUE practitioner {effective}",
                       effective=effective, order=(year, month, day))

    def read(self, file: InputFile, release: Release, sink: Sink) -> None:
        rows = rows_of(file, sink.progress, delimiter=None if file.format == "xlsx" else ",",
                       limits=sink.limits)
        header_seen = False
        data = 0
        skipped = 0
        for line, cells in rows:
            if not header_seen:
                keys = [header_key(c) for c in cells]
                if any("mue_value" in k for k in keys):
                    header_seen = True
                continue
            data += 1
            code = code_cell(cells[0]) if cells else ""
            if code not in sink.known_codes:
                skipped += 1
                continue
            self._row(sink, line, code, cells)
        if not data:
            raise ImportFileError(f"{file.display} has no MUE rows after its header; nothing "
                                  "was imported.")
        sink.skip("codes not in this catalog", skipped)

    @staticmethod
    def _row(sink: Sink, line: int, code: str, cells: list[str]) -> None:
        if len(cells) < 3:
            sink.reject(line, f"{code}: has {len(cells)} cells; an MUE row has 4")
            return
        value = cells[1].strip()
        if not value.isdigit() or int(value) > 9999:
            sink.reject(line, f"{code}: the MUE value must be a whole number, not {value!r}")
            return
        mai = cells[2].strip()[:1]
        if mai not in ("1", "2", "3"):
            sink.reject(line, f"{code}: the adjudication indicator must start with 1, 2 or 3, "
                        f"not {cells[2].strip()!r}")
            return
        rationale = clean_text(cells[3]) if len(cells) > 3 else ""
        sink.add("mue", line, (code, int(value), int(mai), rationale[:200]))


MUE = register(MueReader())
