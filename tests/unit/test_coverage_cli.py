"""What a biller checks from the command line: an MCD download and a fee schedule imported
through ``ptcodes import``, visits under profiles in two MACs, the KX crossing, and denial
codes through ``ptcodes show``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.unit.test_codeset_imports import RVU_ROWS, rvu_zip

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import mcd_files as mf


def _cli(capsys: pytest.CaptureFixture[str], data: Path, *argv: str) -> tuple[int, str, str]:
    from ptcodes_gui.cli import main as cli

    code = cli.main(["--data-dir", str(data), *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "data"
    mcd = mf.write_download(tmp_path / "in", mf.encode(mf.small_tables()))
    code, out, err = _cli(capsys, folder, "import", "mcd", str(mcd), "--apply")
    assert code == 0, err
    assert "2 articles list codes of this catalog, for 3 MACs." in out
    code, _, err = _cli(capsys, folder, "import", "pfs", str(rvu_zip(tmp_path / "rvu.zip",
                        RVU_ROWS)), "--apply", "--locality", "13202-01")
    assert code == 0, err
    return folder


def _visit(capsys: pytest.CaptureFixture[str], data: Path, *argv: str) -> dict[str, object]:
    code, out, err = _cli(capsys, data, "visit", "--format", "json", *argv)
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def _rules(result: dict[str, object]) -> dict[str, dict[str, object]]:
    return {w["id"]: w for w in result["warnings"]}  # type: ignore[attr-defined]


def test_mac_from_the_profile_locality(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    # Medicare's locality 13202-01: MAC 13202 (NGS), whose article lists 97110
    covered = _rules(_visit(capsys, data, "--dx", "M54.50", "97110=30"))
    assert "lcd-no-covered-dx" not in covered and "lcd-noncovered-dx" not in covered
    uncovered = _rules(_visit(capsys, data, "--dx", "M79.604", "97110=30"))
    w = uncovered["lcd-no-covered-dx"]
    assert w["severity"] == "warning" and "A57703 v3" in str(w["message"])
    assert "MAC 13202 (National Government Services, Inc. (NY))" in str(w["message"])
    assert "Group 1 Paragraph:" in str(w["message"])
    noncovered = _rules(_visit(capsys, data, "--dx", "Z00.00", "97110=30"))
    assert noncovered["lcd-noncovered-dx"]["severity"] == "error"


def test_another_mac_by_number_or_name(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    noridian = _rules(_visit(capsys, data, "--mac", "01112", "--dx", "M54.50", "97110=30"))
    assert "A53049" in str(noridian["lcd-no-covered-dx"]["message"])
    by_name = _rules(_visit(capsys, data, "--mac", "noridian", "--dx", "M17.11", "97110=30"))
    assert "lcd-no-covered-dx" not in by_name
    code, _, err = _cli(capsys, data, "visit", "--mac", "Palmetto", "97110=30")
    assert code == 2 and "names no imported MAC" in err


def test_ga_chosen_is_carried_into_the_copy(capsys: pytest.CaptureFixture[str],
                                            data: Path) -> None:
    code, out, err = _cli(capsys, data, "visit", "--dx", "M79.604", "--modifier", "97110:GA",
                          "97110=30")
    assert code == 0 and out.splitlines()[0] == "97110 GP GA x2 A (30 min)"
    assert "info [lcd-no-covered-dx]" in err and "expected denial with GA" in err


def test_commercial_profile_is_unaffected(capsys: pytest.CaptureFixture[str],
                                          data: Path) -> None:
    result = _visit(capsys, data, "--profile", "commercial", "--mac", "13202", "--dx",
                    "Z00.00", "97110=30")
    assert not {"lcd-no-covered-dx", "lcd-noncovered-dx"} & set(_rules(result))


@pytest.mark.parametrize(("ytd", "kx"), [("2399.67", False), ("2399.68", True)])
def test_kx_crossing_with_the_imported_fee_schedule(capsys: pytest.CaptureFixture[str],
                                                     data: Path, ytd: str, kx: bool) -> None:
    # 97110=23 + 97140=15 in 13202-01 is estimated at $80.33: 2399.67 + 80.33 = 2480.00
    result = _visit(capsys, data, "--dx", "M54.50", "--ytd", ytd, "--date", "2026-12-01",
                    "97110=23", "97140=15")
    rules = _rules(result)
    assert ("kx-threshold" in rules) is kx
    if kx:
        assert "= $2,480.01 > $2,480.00" in str(rules["kx-threshold"]["message"])


def test_ytd_typed_badly(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        _cli(capsys, data, "visit", "--ytd", "lots", "97110=30")
    assert exit_.value.code == 2 and "'lots' is not an amount" in capsys.readouterr().err


def test_show_denial_code_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = _cli(capsys, tmp_path / "d", "show", "CO-97", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["system"] == "denial" and data["code"] == "CO-97"
    assert [r["rule"] for r in data["caught_by"]][:1] == ["ncci-pair"]
    assert data["sources"][0]["source"]["id"] == "x12-carc-rarc"
    code, out, _ = _cli(capsys, tmp_path / "d", "show", "co 50")
    assert code == 0 and "caught before submission by: lcd-no-covered-dx" in out
    for query, first in (("co 97", "CO-97"), ("denial 50", "CO-50"), ("co-16", "CO-16"),
                         ("CARC 97", "CO-97"), ("CARC 119", "CO-119"), ("pr 2", "PR-2"),
                         ("remark n115", "RARC-N115")):
        code, out, _ = _cli(capsys, tmp_path / "d", "search", query, "--json")
        assert json.loads(out)[0]["code"] == first, query
