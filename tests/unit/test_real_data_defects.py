"""What went wrong when real releases were imported as a clinic would (issue 22), one test
each: the GPCI file's message and locality, "Nothing was imported" said once, a closed pipe,
``import --help``, a future-dated MUE table, a superseded ICD-10-CM release's preview."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from benchmarks import cms_files as cf
from ptcodes_gui.catalog import icd10
from ptcodes_gui.cli import main as cli
from ptcodes_gui.releases import icd as icd_releases
from ptcodes_gui.releases import nothing_imported
from ptcodes_gui.session import open_session

GPCI = Path(__file__).resolve().parents[1] / "data" / "GPCI2026.csv"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_real_gpci_file_preview_speaks_of_the_fee_schedule(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "--data-dir", str(tmp_path), "import", "pfs", str(GPCI))
    assert code == 0
    assert "shipped pairs" not in out and "f1" not in out  # NCCI's words
    assert "Part(s) rvu of CY2026 are not imported yet: visits are priced once both" in out


def test_locality_right_after_a_gpci_only_import(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--data-dir", str(tmp_path), "import", "pfs", str(GPCI),
                         "--apply", "--locality", "13202-01")
    assert code == 0, err
    assert "Medicare locality of payer profile 'Medicare': " in out
    assert "priced once the relative value file (PPRRVU) is imported too" in out
    code, _out, err = run(capsys, "--data-dir", str(tmp_path), "import", "pfs",
                          "--locality", "99999-99")
    assert code == 1 and "99999-99" in err


def test_nothing_was_imported_is_said_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert nothing_imported("x.TXT has no data rows. Nothing was imported.") == (
        "Nothing was imported: x.TXT has no data rows.")
    assert nothing_imported("f2.TXT is empty; nothing was imported.") == (
        "Nothing was imported: f2.TXT is empty.")
    bad = tmp_path / "icd10cm_order_2027.txt"
    bad.write_text("not an order file\n", encoding="utf-8")
    code, _out, err = run(capsys, "--data-dir", str(tmp_path / "d"), "import", "icd10cm",
                          str(bad))
    assert code != 0
    assert err.count("Nothing was imported") == 1, err


@pytest.mark.parametrize("args", [["show", "M54.50", "--json"],
                                  ["search", "pain", "--limit", "500", "--json"]])
def test_a_closed_pipe_ends_quietly(args: list[str], tmp_path: Path) -> None:
    command = [sys.executable, "-m", "ptcodes_gui.cli.main", "--data-dir", str(tmp_path), *args]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `| head -1` does
    err = proc.stderr.read().decode()
    proc.stderr.close()
    proc.wait(timeout=60)
    assert first.strip()
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_import_help_lists_icd10cm(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["import", "--help"])
    out = capsys.readouterr().out
    assert "icd10cm: ICD-10-CM release" in out
    assert "icd10cm" in out.split("Sources:")[0]


def test_a_future_dated_mue_table_waits_for_its_effective_date(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "cli"
    mue = tmp_path / cf.mue_name("01-01-2027")
    mue.write_bytes(cf.mue_csv([("97530", 2, 3, "Clinical: Data")]))
    assert cli.main(["--data-dir", str(data), "import", "mue", str(mue), "--apply"]) == 0
    capsys.readouterr()
    cli.main(["--data-dir", str(data), "visit", "97530=53", "--dx", "M54.50",
              "--date", "2026-12-06"])
    assert "MUE allows" not in capsys.readouterr().err
    cli.main(["--data-dir", str(data), "visit", "97530=53", "--dx", "M54.50",
              "--date", "2027-01-04"])
    assert "97530 has 4 units on this day but its MUE allows 2" in capsys.readouterr().err


def test_previewing_a_superseded_release_says_so(tmp_path: Path) -> None:
    session = open_session(tmp_path)
    try:
        preview = icd_releases.preview_icd_import(
            [icd10.default_xml_path()], session.catalog, tmp_path, today=date(2026, 12, 6))
        text = preview.text()
        assert "This release was superseded on 2026-10-01 (ICD-10-CM FY2027 took effect)" in text
        current = icd_releases.preview_icd_import(
            [icd10.default_xml_path()], session.catalog, tmp_path, today=date(2026, 6, 1))
        assert "superseded on" not in current.text().split("\n", 2)[-1]
    finally:
        session.close()
