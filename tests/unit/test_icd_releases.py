"""Which ICD-10-CM release is in use, the superseded notice, and dated visits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ptcodes_gui.catalog.repository import Catalog, open_catalog
from ptcodes_gui.releases import icd as ir


def _order(rows: list[tuple[str, bool, str]]) -> bytes:
    lines = [
        f"{i:05d} {c.replace('.', ''):<7} {int(b)} {t[:60]:<60} {t}"
        for i, (c, b, t) in enumerate(rows, start=1)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


ROWS = [
    ("M54", False, "Dorsalgia"),
    ("M54.5", False, "Low back pain"),
    ("M54.50", True, "Low back pain, unspecified"),
    ("M54.59", True, "Other low back pain"),
]


@pytest.fixture
def catalog() -> Iterator[Catalog]:
    cat = open_catalog()
    yield cat
    cat.close()


def _import(tmp_path: Path, catalog: Catalog, year: int, **kw: bool) -> Path:
    src = tmp_path / f"icd10cm_order_{year}.txt"
    src.write_bytes(_order(ROWS))
    preview = ir.preview_icd_import([src], catalog, tmp_path / "data")
    return ir.apply_icd_import(preview, catalog, tmp_path / "data", {}, **kw)


def test_the_shipped_release_is_superseded_since_october_first(
    catalog: Catalog, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    notice = ir.superseded_notice(catalog, data, date(2026, 12, 1))
    assert notice is not None
    assert "FY2026" in notice and "superseded on 2026-10-01" in notice
    assert "ptcodes import icd10cm" in notice
    assert ir.superseded_notice(catalog, data, date(2026, 9, 30)) is None


def test_an_imported_release_is_used_and_removed(catalog: Catalog, tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = _import(tmp_path, catalog, 2027)
    assert path.name == "FY2027.sqlite"
    assert catalog.info().icd_release == "ICD-10-CM FY2027 (October 1, 2026)"
    assert catalog.get("M17.11") is None  # not in this (tiny) release
    assert ir.superseded_notice(catalog, data, date(2026, 12, 1)) is None
    # a second process (the CLI) sees the same release
    other = open_catalog()
    try:
        ir.apply_active(other, data)
        assert other.get("M54.59") is not None and other.get("M17.11") is None
    finally:
        other.close()
    assert ir.remove_icd_import(catalog, data)
    assert catalog.get("M17.11") is not None
    assert ir.active_path(data) is None


def test_going_back_to_an_older_release_needs_a_yes(catalog: Catalog, tmp_path: Path) -> None:
    _import(tmp_path, catalog, 2028)
    with pytest.raises(ir.IcdImportError, match="older than ICD-10-CM FY2028"):
        _import(tmp_path, catalog, 2027)
    assert catalog.info().icd_release.startswith("ICD-10-CM FY2028")
    _import(tmp_path, catalog, 2027, allow_older=True)
    assert catalog.info().icd_release.startswith("ICD-10-CM FY2027")


def test_a_dated_visit_uses_the_release_then_in_force(catalog: Catalog, tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = _import(tmp_path, catalog, 2027)
    assert ir.release_for(date(2026, 10, 1), catalog, data) == (
        path,
        "ICD-10-CM FY2027 (October 1, 2026)",
    )
    shipped = ir.release_for(date(2026, 9, 30), catalog, data)
    assert shipped is not None and shipped[0] is None and "FY2026" in shipped[1]
    assert ir.release_for(date(2025, 1, 1), catalog, data) is None  # nothing loaded covers it


def test_diagnoses_of_a_dated_visit(catalog: Catalog, tmp_path: Path) -> None:
    data = tmp_path / "data"
    _import(tmp_path, catalog, 2027)
    same, note = ir.diagnoses_on(date(2026, 11, 2), catalog, data)
    assert same is None and note == ""
    before, note = ir.diagnoses_on(date(2026, 9, 2), catalog, data)
    assert before is not None and "FY2026" in note and "in force on 2026-09-02" in note
    try:
        assert before.get("M17.11") is not None  # the shipped set, not the tiny FY2027 one
    finally:
        before.close()
    none, note = ir.diagnoses_on(date(2025, 12, 1), catalog, data)
    assert none is None and note.startswith("No ICD-10-CM release loaded here was in force")


def test_cli_import_icd10cm_preview_apply_and_info(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from ptcodes_gui.cli import main as cli

    data = tmp_path / "data"
    src = tmp_path / "icd10cm_order_2027.txt"
    src.write_bytes(_order([*ROWS, ("M54.52", True, "Lumbosacral pain of a new kind")]))
    assert cli.main(["--data-dir", str(data), "import", "icd10cm", str(src)]) == 0
    out = capsys.readouterr().out
    assert "Release: ICD-10-CM FY2027 (October 1, 2026)" in out
    assert "+ M54.52  Lumbosacral pain of a new kind" in out and "Preview only" in out
    assert ir.active_path(data) is None  # a preview changes nothing
    assert cli.main(["--data-dir", str(data), "import", "icd10cm", str(src), "--apply"]) == 0
    capsys.readouterr()
    assert cli.main(["--data-dir", str(data), "show", "M54.52", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["release"] == "ICD-10-CM FY2027 (October 1, 2026)"
    assert cli.main(["--data-dir", str(data), "info", "--json"]) == 0
    sources = json.loads(capsys.readouterr().out)["data_sources"]
    icd = [s for s in sources if str(s["name"]).startswith("ICD-10-CM")]
    assert [(s["name"], s["shipped"]) for s in icd] == [
        ("ICD-10-CM (shipped), not in use", True),
        ("ICD-10-CM validity dates (shipped), not in use", True),  # FY2027 from CMS's tables
        ("ICD-10-CM (imported)", False)]
    assert icd[2]["version"] == "ICD-10-CM FY2027 (October 1, 2026)" and icd[2]["note"] is None
    older = tmp_path / "icd10cm_order_2026.txt"
    older.write_bytes(_order(ROWS))
    argv = ["--data-dir", str(data), "import", "icd10cm", str(older), "--apply"]
    assert cli.main(argv) == 1
    assert "--allow-older" in capsys.readouterr().err
    assert cli.main([*argv, "--allow-older"]) == 0


def test_cli_info_says_the_shipped_release_is_superseded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ptcodes_gui.cli import main as cli

    assert cli.main(["--data-dir", str(tmp_path / "data"), "info"]) == 0
    out = capsys.readouterr().out
    assert "superseded on 2026-10-01" in out and "ptcodes import icd10cm" in out


def test_cli_visit_dated_before_the_release_uses_the_one_then_in_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ptcodes_gui.cli import main as cli

    data = tmp_path / "data"
    src = tmp_path / "icd10cm_order_2027.txt"
    src.write_bytes(_order(ROWS))  # FY2027 here has no M17.11
    assert cli.main(["--data-dir", str(data), "import", "icd10cm", str(src), "--apply"]) == 0
    capsys.readouterr()
    base = ["--data-dir", str(data), "visit", "97110=30", "--dx", "M17.11"]
    assert cli.main(base) != 0  # in the release in use, M17.11 does not exist
    capsys.readouterr()
    assert cli.main([*base, "--date", "2026-09-15"]) == 0
    out, err = capsys.readouterr()
    assert "M17.11" in out
    assert "ICD-10-CM April 1, 2026 (FY2026 update), in force on 2026-09-15" in err
    assert cli.main([*base, "--date", "2025-06-01"]) != 0
    assert "No ICD-10-CM release loaded here was in force on 2025-06-01" in (
        capsys.readouterr().err)


def test_the_same_release_imported_twice_replaces_its_database(
    catalog: Catalog, tmp_path: Path
) -> None:
    first = _import(tmp_path, catalog, 2027)
    again = _import(tmp_path, catalog, 2027)
    assert first == again and catalog.icd_release_path == again
    assert catalog.get("M54.59") is not None
