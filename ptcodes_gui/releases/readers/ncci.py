"""CMS NCCI procedure-to-procedure (PTP) edits, practitioner: the quarterly four-part table.

Files ``ccipra-v323r0-f1.TXT`` .. ``-f4`` (tab-delimited, a six-line preamble: notice,
title, a header wrapped over four lines), zipped as
``medicare-ncci-2026q4-practitioner-ptp-edits-ccipra-v323r0-f1.zip``, or the same parts as
``.xlsx``. ``v323`` is the version (32 = 2026, 3 = its fourth quarter), ``r0`` the revision.
Parts of one version add up; a newer version replaces the release as a whole. Every row is
kept with its effective and deletion dates (the rules choose the row in force on the date
of service); a key (pair + effective date) seen twice keeps the row in force longer.
Each part's Column 1 range is kept too: the shipped pairs in a range an imported part
covers are replaced by the import.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from ptcodes_gui.domain.text import clean_text
from ptcodes_gui.releases.cells import CellError, iso_date, joined_head
from ptcodes_gui.releases.files import (
    ImportFileError,
    ImportLimits,
    InputFile,
    head_rows,
    text_rows,
    xlsx_rows,
)
from ptcodes_gui.releases.registry import Reader, Release, Sink, Table, register

NCCI_TABLE = Table(
    "ncci",
    (
        "column1 TEXT NOT NULL", "column2 TEXT NOT NULL", "effective TEXT NOT NULL",
        "deleted TEXT", "indicator INTEGER NOT NULL", "rationale TEXT NOT NULL DEFAULT ''",
        "part TEXT NOT NULL DEFAULT ''",
    ),
    key=("column1", "column2", "effective"),
    indexes=(("column2",),),
    # the same pair and effective date twice: the row in force longer wins
    on_conflict=(
        "DO UPDATE SET deleted = excluded.deleted, indicator = excluded.indicator, "
        "rationale = excluded.rationale, _line = excluded._line "
        "WHERE coalesce(excluded.deleted, '9999-12-31') > coalesce(deleted, '9999-12-31')"
    ),
)

_NAME_RE = re.compile(r"ccipra-v(\d)(\d)(\d)r(\d+)-f(\d+)", re.IGNORECASE)
_QUARTER_RE = re.compile(r"(20\d\d)q([1-4])", re.IGNORECASE)
_HOSPITAL_RE = re.compile(r"ccioph|outpatient-hospital|hospital-ptp", re.IGNORECASE)
_MAX_PREAMBLE = 12


def _is_ncci_head(rows: list[tuple[int, list[str]]]) -> bool:
    text = joined_head(rows)
    if "column1/column2 edits" in text:
        return True
    return any(
        len(cells) >= 2 and cells[0].strip().lower() == "column 1"
        and cells[1].strip().lower() == "column 2" for _, cells in rows
    )


def _looks_like_data(cells: list[str]) -> bool:
    return (
        len(cells) >= 6 and len(cells[0].strip()) == 5 and len(cells[1].strip()) == 5
        and cells[3].strip()[:2] in ("19", "20")
    )


class NcciReader(Reader):
    name = "ncci"
    title = "CMS NCCI PTP edits, practitioner"
    tables = (NCCI_TABLE,)
    multipart = True
    expected_parts = ("f1", "f2", "f3", "f4")
    missing_parts_note = "the shipped pairs stay in use for their codes until they are"
    noun = "pairs"
    limits = ImportLimits()

    def recognise(self, file: InputFile) -> Release | None:
        names = " ".join(filter(None, (file.name, file.container)))
        head = head_rows(file, 10, "\t")
        if not _is_ncci_head(head):
            return None
        if _HOSPITAL_RE.search(names) or "hospital" in joined_head(head[:3]):
            raise ImportFileError(
                f"{file.display} is the NCCI PTP table for hospital outpatient services; "
                "import the practitioner table (files named ccipra-...)."
            )
        match = _NAME_RE.search(file.name) or _NAME_RE.search(file.container or "")
        if match is None:
            raise ImportFileError(
                f"{file.display} is an NCCI PTP table, but its name does not say which "
                "release and part it is; keep CMS's file name (ccipra-v323r0-f1.txt) or "
                "import the zip as downloaded."
            )
        d1, d2, quarter_digit, revision, part = match.groups()
        version = f"v{d1}{d2}{quarter_digit}r{int(revision)}"
        year = 1994 + int(d1 + d2)
        quarter = int(quarter_digit) + 1
        named = _QUARTER_RE.search(file.container or "") or _QUARTER_RE.search(file.name)
        if named is not None and 1 <= quarter <= 4:
            year, quarter = int(named.group(1)), int(named.group(2))
        if not 1 <= quarter <= 4:
            raise ImportFileError(f"{file.display}: {version} is not an NCCI version number.")
        effective = date(year, 3 * quarter - 2, 1).isoformat()
        return Release(
            version=version,
            label=f"CMS NCCI PTP practitioner {version} ({year} Q{quarter})",
            effective=effective,
            order=(int(d1 + d2 + quarter_digit), int(revision)),
            part=f"f{int(part)}",
        )

    def check_together(self, releases: Sequence[tuple[InputFile, Release]]) -> None:
        first_file, first = releases[0]
        seen: dict[str | None, InputFile] = {}
        for file, rel in releases:
            if rel.version != first.version:
                raise ImportFileError(
                    f"{file.display} is part of NCCI release {rel.version}, not "
                    f"{first.version} like {first_file.display}; import the parts of one "
                    "release together. Nothing was imported."
                )
            if rel.part in seen:
                raise ImportFileError(
                    f"Part {rel.part} was given twice ({seen[rel.part].display} and "
                    f"{file.display}); nothing was imported."
                )
            seen[rel.part] = file

    def read(self, file: InputFile, release: Release, sink: Sink) -> None:
        if file.format == "xlsx":
            rows = xlsx_rows(file, sink.progress)
        else:
            rows = text_rows(file, "\t", sink.progress, limits=sink.limits, quoted=False)
        known = sink.known_codes
        part = release.part or ""
        first = last = ""
        skipped = 0
        data = 0
        preamble = 0
        for line, cells in rows:
            if not data and not _looks_like_data(cells):
                preamble += 1
                if preamble > _MAX_PREAMBLE:
                    raise ImportFileError(
                        f"{file.display}, line {line}: no NCCI data row after "
                        f"{_MAX_PREAMBLE} lines of header; this is not a PTP table."
                    )
                continue
            data += 1
            c1 = cells[0].strip()
            c2 = cells[1].strip() if len(cells) > 1 else ""
            if not first or c1 < first:
                first = c1
            if c1 > last:
                last = c1
            if c1 not in known or c2 not in known:
                skipped += 1  # other specialties' pairs: not errors, not kept
                continue
            self._row(sink, line, cells, part)
        if not data:
            raise ImportFileError(
                f"{file.display} has no data rows after its header (an empty part); "
                "nothing was imported."
            )
        sink.skip("codes not in this catalog", skipped)
        sink.detail("first", first)
        sink.detail("last", last)

    @staticmethod
    def _row(sink: Sink, line: int, cells: list[str], part: str) -> None:
        if len(cells) < 6:
            sink.reject(line, f"has {len(cells)} cells; an NCCI row has 7")
            return
        c1, c2 = cells[0].strip(), cells[1].strip()
        indicator = cells[5].strip()
        if indicator not in ("0", "1", "9"):
            sink.reject(line, f"the modifier indicator must be 0, 1 or 9, not {indicator!r}")
            return
        try:
            effective = iso_date(cells[3])
            deleted = iso_date(cells[4])
        except CellError as exc:
            sink.reject(line, f"{c1}/{c2}: {exc}")
            return
        if effective is None:
            sink.reject(line, f"{c1}/{c2}: the effective date is missing")
            return
        rationale = clean_text(cells[6]) if len(cells) > 6 else ""
        sink.add("ncci", line, (c1, c2, effective, deleted, int(indicator), rationale[:300], part))


NCCI = register(NcciReader())
