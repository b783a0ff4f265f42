"""Every source in use is listed, with the superseded notice and a Remove for imports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from ptcodes_gui.catalog.repository import Catalog, open_catalog
from ptcodes_gui.releases import data_sources as ds
from ptcodes_gui.releases import icd as ir


@dataclass(frozen=True)
class _Release:
    source: str = "ncci"
    title: str = "CMS NCCI PTP edits, practitioner"
    label: str = "CMS NCCI PTP practitioner v323r0 (2026 Q4)"
    effective: str | None = "2026-10-01"
    files: tuple[str, ...] = ("ccipra-v323r0-f1.TXT",)
    rows: int = 1200
    imported_at: str = "2026-11-30T10:00:00"


@pytest.fixture
def catalog() -> Iterator[Catalog]:
    cat = open_catalog()
    yield cat
    cat.close()


def test_shipped_sources_and_imports_are_listed(catalog: Catalog, tmp_path: Path) -> None:
    rows = ds.data_sources(catalog, tmp_path, [_Release()], today=date(2026, 12, 1))
    names = [r.name for r in rows]
    assert names[0].startswith("PT Codes catalog")
    icd = next(r for r in rows if r.name.startswith("ICD-10-CM"))
    assert icd.superseded == "2026-10-01" and not icd.removable
    assert "superseded on 2026-10-01" in icd.note and "ptcodes import icd10cm" in icd.note
    ncci = rows[-1]
    assert ncci.removable and ncci.as_json()["files"] == ["ccipra-v323r0-f1.TXT"]
    text = ds.info_text(rows)
    assert ("CMS NCCI PTP practitioner v323r0 (2026 Q4) (effective 2026-10-01, superseded "
            "2027-01-01); imported") in text  # quarterly: the next table takes over then
    assert "! ICD-10-CM April 1, 2026 (FY2026 update) was superseded" in text


def test_an_imported_icd_release_is_listed_and_removed(catalog: Catalog, tmp_path: Path) -> None:
    src = tmp_path / "icd10cm_order_2027.txt"
    src.write_bytes(b"00001 M54     0 " + b"Dorsalgia".ljust(60) + b" Dorsalgia\r\n")
    ir.apply_icd_import(ir.preview_icd_import([src], catalog, tmp_path), catalog, tmp_path, {})
    rows = ds.data_sources(catalog, tmp_path, today=date(2026, 12, 1))
    imported = [r for r in rows if r.removable]
    assert [r.version for r in imported] == ["ICD-10-CM FY2027 (October 1, 2026)"]
    assert imported[0].files == ("icd10cm_order_2027.txt",) and imported[0].note == ""
    store_removed: list[str] = []

    def remove_import(key: str) -> bool:
        store_removed.append(key)
        return True

    assert ds.remove_source(imported[0].key, catalog, tmp_path, remove_import)
    assert store_removed == [] and catalog.get("M17.11") is not None
    assert not [r for r in ds.data_sources(catalog, tmp_path) if r.removable]
