"""Files in CMS's real layouts (shared/domain/DATA-RELEASES.md), small or full size.

Used by the import tests (explicit rows) and by ``bench_imports.py`` (a synthetic full
NCCI PTP practitioner release: four parts, ~2.6 million rows, ~190 MB, of which only a
small fraction concerns the catalog's codes). Data values are invented.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

TAB = "\t"
CRLF = "\r\n"
NCCI_PREAMBLE = (
    "CPT only copyright 2025 American Medical Association.  All rights reserved." + TAB * 6,
    "Column1/Column2 Edits" + TAB * 6,
    TAB.join(["Column 1", "Column 2", "*=in existence", "Effective", "Deletion", "Modifier",
              "PTP Edit Rationale"]),
    TAB.join(["", "", "prior to 1996", "Date", "Date", "0=not allowed", ""]),
    TAB.join(["", "", "", "", "*=no data", "1=allowed", ""]),
    TAB.join(["", "", "", "", "", "9=not applicable", ""]),
)
RATIONALES = (
    "CPT Manual or CMS manual coding instruction",
    "Misuse of Column Two code with Column One code",
    "Standards of medical / surgical practice",
    "Mutually exclusive procedures",
    "CPT separate procedure definition",
    "Standard preparation / monitoring services for anesthesia",
    "More extensive procedure (Column Two code is included)",
    "HCPCS/CPT procedure code definition (Column Two code is a component)",
)
NcciRow = tuple[str, str, str, str, str, str, str]  # c1, c2, *, effective, deletion, mod, why


def ncci_row(c1: str, c2: str, effective: str = "20200101", deleted: str = "*",
             indicator: str = "1", why: str = RATIONALES[0], existed: str = "") -> NcciRow:
    return (c1, c2, existed, effective, deleted, indicator, why)


def ncci_text(rows: Iterable[Sequence[str]]) -> str:
    return CRLF.join([*NCCI_PREAMBLE, *(TAB.join(r) for r in rows)]) + CRLF


def ncci_name(version: str = "v323r0", part: int = 1) -> str:
    return f"ccipra-{version}-f{part}.TXT"


def ncci_zip_name(version: str = "v323r0", part: int = 1, quarter: str = "2026q4") -> str:
    return f"medicare-ncci-{quarter}-practitioner-ptp-edits-ccipra-{version}-f{part}.zip"


def write_ncci_part(directory: Path, rows: Iterable[Sequence[str]], *, version: str = "v323r0",
                    part: int = 1, zipped: bool = False, quarter: str = "2026q4") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    text = ncci_text(rows).encode("latin-1")
    name = ncci_name(version, part)
    if not zipped:
        path = directory / name
        path.write_bytes(text)
        return path
    path = directory / ncci_zip_name(version, part, quarter)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, text)
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    """A one-sheet workbook (xlsxwriter: a test-only dependency)."""
    import xlsxwriter  # type: ignore[import-untyped]

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Sheet1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value not in ("", None):
                sheet.write(r, c, value)
    book.close()
    return path


# --------------------------------------------------------------------------- MUE, telehealth

MUE_NOTICE = (
    "Current Procedural Terminology (CPT) codes, descriptions and other data only are "
    "copyright 2025 American Medical Association. All Rights Reserved.\r\n"
    "CPT\xae is a registered trademark of the American Medical Association.\r\n"
    "The AMA assumes no liability for the data contained or not contained herein."
)
MUE_HEADER = ("HCPCS/\r\nCPT Code", "Practitioner Services MUE Values",
              "MUE Adjudication Indicator", "MUE Rationale")
MAI_TEXT = {1: "1 Line Edit", 2: "2 Date of Service Edit: Policy",
            3: "3 Date of Service Edit: Clinical"}


def mue_csv(rows: Iterable[tuple[str, int, int, str]], header: Sequence[str] = MUE_HEADER
            ) -> bytes:
    def quote(cell: str) -> str:
        return f'"{cell}"' if any(ch in cell for ch in ',"\r\n') else cell

    lines = [f'"{MUE_NOTICE}",,,', ",".join(quote(h) for h in header)]
    for code, value, mai, why in rows:
        lines.append(",".join(quote(c) for c in (code, str(value), MAI_TEXT[mai], why)))
    return (CRLF.join(lines) + CRLF).encode("latin-1")


def mue_name(date: str = "01-01-2027") -> str:
    return f"MCR_MUE_PractitionerServices_Eff_{date}.csv"


def telehealth_text(rows: Iterable[Sequence[str]], year: int = 2026,
                    header: Sequence[str] = ("HCPCS", "Short Descriptor", "Status",
                                             "Audio-only")) -> bytes:
    lines = [f"CY {year} Final List of Medicare Telehealth Services" + TAB * (len(header) - 1),
             TAB.join(header), *(TAB.join(r) for r in rows)]
    return (CRLF.join(lines) + CRLF).encode("latin-1")


# --------------------------------------------------------------------------- full size


def _code_universe(rng: random.Random, count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        kind = rng.random()
        if kind < 0.8:
            codes.add(f"{rng.randint(100, 99999):05d}")
        elif kind < 0.9:
            codes.add(f"{rng.randint(1, 999):04d}{rng.choice('TUAM')}")
        else:
            codes.add(f"{rng.choice('ACEGJLQ')}{rng.randint(0, 9999):04d}")
    return sorted(codes)


def synthetic_ncci_release(directory: Path, catalog_codes: Sequence[str], *,
                           total_rows: int = 2_600_000, version: str = "v323r0",
                           zipped: bool = True, seed: int = 323) -> list[Path]:
    """Four parts split by Column 1 code ranges, like CMS's. About 0.5 % of the rows are
    pairs of two catalog codes (active, deleted and re-added, future-dated)."""
    rng = random.Random(seed)
    universe = _code_universe(rng, 16_000)
    procedures = sorted(c for c in catalog_codes if len(c) == 5 and c[:1].isdigit())
    column1 = sorted(set(universe) | set(procedures))
    per_code = max(1, total_rows // len(column1))
    bounds = [len(column1) * i // 4 for i in range(5)]
    paths: list[Path] = []
    written = 0
    for part in range(4):
        codes = column1[bounds[part]: bounds[part + 1]]
        quota = total_rows // 4 if part < 3 else total_rows - written
        rows = list(_part_rows(rng, codes, universe, procedures, per_code, quota))
        written += len(rows)
        paths.append(write_ncci_part(directory, rows, version=version, part=part + 1,
                                     zipped=zipped))
    return paths


def _part_rows(rng: random.Random, codes: Sequence[str], universe: Sequence[str],
               procedures: Sequence[str], per_code: int, quota: int) -> Iterable[NcciRow]:
    made = 0
    catalog = set(procedures)
    for index, c1 in enumerate(codes):
        remaining_codes = len(codes) - index
        count = max(1, (quota - made) // remaining_codes)
        partners = rng.sample(universe, min(count, len(universe)))
        if c1 in catalog:
            partners[: len(procedures) // 3] = rng.sample(procedures, len(procedures) // 3)
        for c2 in sorted(set(partners) - {c1}):
            eff = f"{rng.randint(1996, 2026)}{rng.randint(1, 12):02d}01"
            roll = rng.random()
            if roll < 0.25:  # a deleted edit, often re-added later with another indicator
                yield ncci_row(c1, c2, eff, f"{int(eff[:4]) + 1}0101", "9" if roll < 0.02
                               else "1", rng.choice(RATIONALES))
                made += 1
                if roll < 0.12:
                    yield ncci_row(c1, c2, f"{int(eff[:4]) + 1}0101", "*", rng.choice("01"),
                                   rng.choice(RATIONALES))
                    made += 1
            else:
                yield ncci_row(c1, c2, eff, "*", rng.choice("0111"), rng.choice(RATIONALES),
                               "*" if eff < "1996" else "")
                made += 1
            if made >= quota:
                return
