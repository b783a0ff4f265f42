"""The headless CLI: search and show, JSON contracts and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ptcodes_gui.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_search_json_hits(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "ther act", "--json", "--limit", "5")
    assert code == 0
    hits = json.loads(out)
    assert hits[0]["code"] == "97530"
    assert {"code", "system", "title", "timed"} <= set(hits[0])
    assert hits[0]["timed"] is True and hits[0]["system"] == "cpt"


def test_search_system_filter_icd(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "lbp", "--system", "icd10cm", "--json")
    assert code == 0
    hits = json.loads(out)
    assert hits[0]["code"] == "M54.5" and hits[0]["billable"] is False
    assert any(h["code"] == "M54.50" and h["billable"] for h in hits)
    assert all(h["system"] == "icd10cm" for h in hits)


def test_search_nothing_found_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "search", "zzzqqqxxx", "--system", "pt")
    assert code == 1 and out == "" and "No codes found" in err


def test_show_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "97110", "--json")
    assert code == 0
    data = json.loads(out)
    for key in ("code", "system", "title", "description", "category", "timed", "unit_minutes",
                "status", "replaced_by", "notes", "abbreviations", "related"):
        assert key in data, key
    assert data["timed"] is True and data["unit_minutes"] == 15
    assert data["status"] == "active" and isinstance(data["notes"], list)
    assert all(isinstance(n, str) for n in data["notes"])
    assert "TherEx" in data["abbreviations"]


@pytest.mark.parametrize(
    ("code", "timed", "category"),
    [
        ("97162", False, "evaluation"),  # the seed post calls it neuromuscular re-ed: wrong
        ("97112", True, "therapeutic_procedure"),
        ("97150", False, "therapeutic_procedure"),
        ("97010", False, "supervised_modality"),
        ("97035", True, "constant_attendance_modality"),
        ("97760", True, "orthotics_prosthetics"),
    ],
)
def test_show_facts(capsys: pytest.CaptureFixture[str], code: str, timed: bool,
                    category: str) -> None:
    rc, out, _ = run(capsys, "show", code, "--json")
    data = json.loads(out)
    assert rc == 0 and data["timed"] is timed and data["category"] == category
    if code == "97162":
        assert "evaluation" in data["title"].lower()
        assert "neuromuscular" not in data["title"].lower()


def test_show_deleted_code(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "show", "97127", "--json")
    data = json.loads(out)
    assert rc == 0 and data["status"] == "deleted"
    assert data["replaced_by"] == ["97129", "97130"]


def test_show_icd_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "show", "M54.50", "--json")
    data = json.loads(out)
    assert rc == 0 and data["billable"] is True
    assert data["parents"] == ["M54.5", "M54", "M50-M54", "CH13"]
    assert "excludes1" in data["notes_by_kind"]
    rc, out, _ = run(capsys, "show", "m54.5", "--json")
    data = json.loads(out)
    assert data["billable"] is False
    assert [c["code"] for c in data["children"]] == ["M54.50", "M54.51", "M54.59"]


def test_show_not_found_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, "show", "M54.9X")
    assert rc == 1 and out == ""
    assert "not found" in err and "M54.9" in err


def test_human_output_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "show", "97530")
    assert rc == 0
    assert "timed, 15-minute units" in out and "NCCI" in out
    rc, out, _ = run(capsys, "search", "nmr")
    assert out.splitlines()[0].startswith("97112")


def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["search"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["search", "x", "--system", "nope"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["search", "x", "--limit", "0"])
    assert exc.value.code == 2


def test_console_script_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ptcodes_gui.cli.main", "show", "97110", "--json"],
        capture_output=True, text=True, check=True,
    )
    assert json.loads(out.stdout)["code"] == "97110"


def test_search_says_on_stderr_what_was_relaxed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "search", "cpt 97110", "--json")
    assert code == 0
    assert [h["code"] for h in json.loads(out)][:1] == ["97110"]  # stdout: the same list
    assert err == "note: Showing results for 97110 ('cpt' ignored).\n"
    code, out, err = run(capsys, "search", "97110", "--json")
    assert code == 0 and err == ""
