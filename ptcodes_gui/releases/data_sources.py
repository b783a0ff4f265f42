"""Every source in use, shipped or imported, as ``DataSource`` rows (Qt-free composition).

One list for Help → Data sources and ``ptcodes info [--json]``: the shipped catalog, the
ICD-10-CM release in use (with its superseded notice) and any other imported release kept
for dated visits, and each release in the import store (NCCI, MUE, telehealth, HCPCS, CPT
descriptors, fee schedule). ``remove_source`` is the Remove of both.

Each row knows its publisher's cadence and so when it goes stale ("superseded on"): NCCI,
MUE and HCPCS quarterly (January, April, July, October 1), the fee schedule yearly with
quarterly updates, the telehealth list and the CPT descriptors yearly (January 1), ICD-10-CM
on October 1 (with April 1 and some January 1 updates), and the shipped content at its next
quarterly review. ``visit_notices`` turns the rows into the one sentence per source a visit
dated after its "superseded on" date (or before a table's effective date) shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

from ptcodes_gui.catalog.repository import Catalog
from ptcodes_gui.domain.provenance import DataSource
from ptcodes_gui.releases import icd as ir
from ptcodes_gui.releases import icd_build as rel

ICD_KEY = "icd10cm"

QUARTERLY = "quarterly (January, April, July and October 1)"
#: Reader name → (cadence, months of the year a new release starts, what to import).
CADENCES: dict[str, tuple[str, tuple[int, ...], str]] = {
    "ncci": (QUARTERLY, (1, 4, 7, 10), "the CMS NCCI PTP practitioner tables"),
    "mue": (QUARTERLY, (1, 4, 7, 10), "the CMS MUE practitioner table"),
    "hcpcs": (QUARTERLY, (1, 4, 7, 10), "the CMS HCPCS quarterly file"),
    "pfs": ("yearly (January 1), with quarterly updates", (1, 4, 7, 10),
            "the CMS fee schedule relative value file (RVU zip)"),
    "telehealth": ("yearly (January 1)", (1,), "the CMS list of Medicare telehealth services"),
    "cpt-descriptors": ("yearly (January 1)", (1,), "the AMA CPT data files"),
    "descriptors": ("yearly (January 1)", (1,), "your licensed CPT descriptors"),
}
ICD_CADENCE = "yearly (October 1), with April 1 and some January 1 updates"
CONTENT_CADENCE = "reviewed quarterly (NCCI pairs, coverage notes) and yearly (CPT, January 1)"


def next_start(effective: str | None, months: Sequence[int]) -> str | None:
    """The first day of the next release month after ``effective`` (ISO), None undated."""
    if not effective:
        return None
    try:
        day = date.fromisoformat(effective[:10])
    except ValueError:
        return None
    for year in (day.year, day.year + 1):
        for month in sorted(months):
            start = date(year, month, 1)
            if start > day:
                return start.isoformat()
    return None


def _how_to_import(what: str, source: str) -> str:
    return f"import {what} via File → Import (ptcodes import {source} FILE... --apply)"


class ImportedRelease(Protocol):
    """What the import store tells about one release (``catalog.overlay.SourceInfo``)."""

    @property
    def source(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def effective(self) -> str | None: ...
    @property
    def files(self) -> tuple[str, ...]: ...
    @property
    def rows(self) -> int: ...
    @property
    def imported_at(self) -> str: ...


def data_sources(
    catalog: Catalog,
    data_dir: Path,
    imported: Sequence[ImportedRelease] = (),
    *,
    today: date | None = None,
) -> list[DataSource]:
    today = today or date.today()
    info = catalog.info()
    rows = [
        DataSource(
            key="", name="PT Codes catalog (CPT/HCPCS codes in our words, modifiers)",
            version=info.catalog_version, effective=info.content_date or None,
            superseded=next_start(info.content_date, (1, 4, 7, 10)),
            rows=info.pt_codes + info.modifiers, cadence=CONTENT_CADENCE,
            fix="install the newer PT Codes release, or import the CMS tables (NCCI, MUE, "
                "HCPCS, telehealth list) via File → Import",
        ),
    ]
    active = ir.active_path(data_dir)
    notice = ir.superseded_notice(catalog, data_dir, today) or ""
    shipped = ir.shipped_info(catalog)
    if shipped is not None:
        rows.append(DataSource(
            key="", name="ICD-10-CM (shipped)" + ("" if active is None else ", not in use"),
            version=shipped.label, effective=shipped.effective, superseded=shipped.superseded,
            rows=None if active is not None else info.icd_codes,
            note=notice if active is None else "", cadence=ICD_CADENCE,
            fix=_icd_fix(shipped.fiscal_year + 1),
        ))
    rows += _validity_rows(catalog, in_use=active is None)
    for path, release in ir.imported_releases(data_dir):
        in_use = path == active
        rows.append(DataSource(
            key=f"{ICD_KEY}:{path.name}",
            name="ICD-10-CM (imported)" + ("" if in_use else ", kept for dated visits"),
            version=release.label, effective=release.effective, superseded=release.superseded,
            files=release.files, rows=release.rows, imported_at=release.imported_at,
            note=notice if in_use else "", cadence=ICD_CADENCE,
            fix=_icd_fix(release.fiscal_year + 1),
        ))
    rows += [_imported_row(r) for r in imported]
    return rows


def _validity_rows(catalog: Catalog, *, in_use: bool) -> list[DataSource]:
    """The ICD-10-CM dates the shipped catalog took from CMS's MS-DRG tables (FY2027)."""
    known = catalog.icd_validity()
    year = known.get("fiscal_year")
    if not isinstance(year, int):
        return []
    changes = [str(c) for c in known.get("changes", [])]
    return [DataSource(
        key="", name="ICD-10-CM validity dates (shipped)" + ("" if in_use else ", not in use"),
        version=f"CMS MS-DRG v{year - 1983} tables, through FY{year}: "
                f"{known.get('added', 0)} codes added, {known.get('ended', 0)} ended",
        effective=f"{year - 1}-10-01", superseded=f"{year}-10-01",
        rows=int(known.get("added", 0)) + int(known.get("ended", 0)),
        cadence=ICD_CADENCE, fix=_icd_fix(year + 1),
        note=f"Dates of the codes FY{year} added and ended ({', '.join(changes)}); their "
             "official titles come with the CDC release import." if changes else "",
    )]


def _icd_fix(fiscal_year: int) -> str:
    return (f"import the CDC FY{fiscal_year} release via File → Import (ptcodes import icd10cm "
            "ZIP... --apply)")


def _imported_row(r: ImportedRelease) -> DataSource:
    cadence, months, what = CADENCES.get(r.source, ("", (), ""))
    return DataSource(
        key=r.source, name=r.title, version=r.label, effective=r.effective,
        superseded=next_start(r.effective, months) if months else None,
        files=tuple(r.files), rows=r.rows, imported_at=r.imported_at, cadence=cadence,
        fix=_how_to_import(f"the next release of {what}", r.source) if what else "",
    )


def visit_notices(
    catalog: Catalog, data_dir: Path, imported: Sequence[ImportedRelease], on: date
) -> list[str]:
    """One sentence per source a visit dated ``on`` should know about: superseded by then
    (naming the fix), or an imported table not in force yet (it is not applied)."""
    notes = []
    icd = _icd_visit_notice(catalog, data_dir, on)
    if icd:
        notes.append(icd)
    day = on.isoformat()
    for r in data_sources(catalog, data_dir, imported, today=on):
        if not r.key or r.key.startswith(f"{ICD_KEY}:"):
            if not r.key and r.cadence == CONTENT_CADENCE and r.state(on) == "superseded":
                notes.append(f"{r.name} {r.version}: its content was due for review on "
                             f"{r.superseded}: {r.fix}.")
            continue
        state = r.state(on)
        if state == "superseded":
            notes.append(f"{r.name} ({r.version}) was superseded on {r.superseded}: "
                         f"{r.fix}.")
        elif state == "not yet in force":
            notes.append(f"{r.name} ({r.version}) takes effect on {r.effective}: it is not "
                         f"applied to a visit on {day}.")
    return notes


def _icd_visit_notice(catalog: Catalog, data_dir: Path, on: date) -> str | None:
    """The ICD-10-CM release the visit's diagnoses are checked against, when superseded."""
    found = ir.release_for(on, catalog, data_dir)
    if found is None:
        return None  # diagnoses_on says which release is used instead
    path, label = found
    try:
        info = ir.shipped_info(catalog) if path is None else rel.release_info(path)
    except rel.IcdReleaseError:
        return None
    if info is None or not info.superseded_by_date(on):
        return None
    fiscal_year = on.year + (1 if on.month >= 10 else 0)
    dated = catalog.icd_dates_through() if path is None else None
    known = (
        f"; its codes are checked against the FY{fiscal_year} code set's dates (CMS MS-DRG "
        f"v44 tables) but new codes have no official titles yet"
        if dated and dated >= fiscal_year else ""
    )
    return (
        f"ICD-10-CM: {label} was superseded on {info.superseded}{known}: "
        f"{_icd_fix(fiscal_year)}."
    )


def remove_source(
    key: str,
    catalog: Catalog,
    data_dir: Path,
    remove_import: Callable[[str], bool],
) -> bool:
    """Remove an import by its ``DataSource.key``; True if something was removed."""
    if key.startswith(f"{ICD_KEY}:"):
        path = ir.release_dir(data_dir) / key.split(":", 1)[1]
        return ir.remove_icd_import(catalog, data_dir, path)
    return bool(key) and remove_import(key)


def info_text(sources: Sequence[DataSource], today: date | None = None) -> str:
    """``ptcodes info`` without --json: one paragraph per source."""
    out: list[str] = []
    for s in sources:
        when = f"imported {s.imported_at}" if s.imported_at else "shipped"
        dates = ", ".join(
            p for p in (
                f"effective {s.effective}" if s.effective else "",
                f"superseded {s.superseded}" if s.superseded else "",
            ) if p
        )
        line = f"{s.name}: {s.version}" + (f" ({dates})" if dates else "") + f"; {when}"
        line += f"; {s.state(today or date.today())}"
        if s.cadence:
            line += f"; new releases: {s.cadence}"
        if s.rows is not None:
            line += f"; {s.rows:,} rows"
        if s.files:
            line += f"; files: {', '.join(s.files)}"
        out.append(line)
        if s.note:
            out.append(f"  ! {s.note}")
    return "\n".join(out)
