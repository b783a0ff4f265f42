"""Every source in use, shipped or imported, as ``DataSource`` rows (Qt-free composition).

One list for Help → Data sources and ``ptcodes info [--json]``: the shipped catalog, the
ICD-10-CM release in use (with its superseded notice) and any other imported release kept
for dated visits, and each release in the import store (NCCI, MUE, telehealth, HCPCS, CPT
descriptors, fee schedule). ``remove_source`` is the Remove of both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

from ptcodes_gui.catalog.repository import Catalog
from ptcodes_gui.domain.provenance import DataSource
from ptcodes_gui.releases import icd as ir

ICD_KEY = "icd10cm"


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
            rows=info.pt_codes + info.modifiers,
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
            note=notice if active is None else "",
        ))
    for path, release in ir.imported_releases(data_dir):
        in_use = path == active
        rows.append(DataSource(
            key=f"{ICD_KEY}:{path.name}",
            name="ICD-10-CM (imported)" + ("" if in_use else ", kept for dated visits"),
            version=release.label, effective=release.effective, superseded=release.superseded,
            files=release.files, rows=release.rows, imported_at=release.imported_at,
            note=notice if in_use else "",
        ))
    for r in imported:
        rows.append(DataSource(
            key=r.source, name=r.title, version=r.label, effective=r.effective,
            files=tuple(r.files), rows=r.rows, imported_at=r.imported_at,
        ))
    return rows


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


def info_text(sources: Sequence[DataSource]) -> str:
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
        if s.rows is not None:
            line += f"; {s.rows:,} rows"
        if s.files:
            line += f"; files: {', '.join(s.files)}"
        out.append(line)
        if s.note:
            out.append(f"  ! {s.note}")
    return "\n".join(out)
