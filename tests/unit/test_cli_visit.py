"""``ptcodes units`` and ``ptcodes visit``; and the small domain additions they and the visit
builder use (tie picks, removing a diagnosis, ``CODE=MINUTES`` parsing)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.cli.main import main
from ptcodes_gui.domain.formatting import format_visit
from ptcodes_gui.domain.profiles import MEDICARE
from ptcodes_gui.domain.units import Tie, assign_cms
from ptcodes_gui.domain.visit import (
    Visit,
    VisitLine,
    evaluate,
    parse_line_spec,
    remove_diagnosis,
)
from ptcodes_gui.userdata.store import UserStore

EXAMPLE_TEXT = (
    "97530 GP x2 A (23 min)\n97140 GP x1 A (15 min)\nTimed: 38 min, 3 units\n\nA M25.561"
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def usage_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    assert exc.value.code == 2
    return capsys.readouterr().err


# --------------------------------------------------------------------------- units


def test_units_json_cms_example(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "units", "97110=33", "97140=7", "--json")
    assert rc == 0
    data = json.loads(out)
    assert data["rule"] == "cms"
    assert data["total_timed_minutes"] == 40
    assert data["total_units"] == 3
    assert [(ln["code"], ln["minutes"], ln["units"], ln["timed"]) for ln in data["lines"]] == [
        ("97110", 33, 2, True),
        ("97140", 7, 1, True),
    ]
    assert data["ties"] == [] and data["warnings"] == []
    assert {"rule", "total_timed_minutes", "total_units", "lines", "ties", "warnings"} <= set(
        data
    )


@pytest.mark.parametrize(
    ("items", "units", "total"),
    [
        # midpoint: each code on its own, a unit from 8 minutes
        (["97110=10", "97140=10", "97032=10"], [1, 1, 1], 3),
        (["97110=7", "97140=7"], [0, 0], 0),
        (["97110=23", "97140=22"], [2, 1], 3),
        (["97110=38"], [3], 3),
    ],
)
def test_units_midpoint(
    capsys: pytest.CaptureFixture[str], items: list[str], units: list[int], total: int
) -> None:
    rc, out, _ = run(capsys, "units", "--rule", "midpoint", *items, "--json")
    assert rc == 0
    data = json.loads(out)
    assert data["rule"] == "midpoint"
    assert [ln["units"] for ln in data["lines"]] == units
    assert data["total_units"] == total
    assert data["ties"] == []


def test_same_minutes_differ_between_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    items = ["97110=10", "97140=10", "97032=10"]
    cms = json.loads(run(capsys, "units", *items, "--json")[1])
    mid = json.loads(run(capsys, "units", "--rule", "midpoint", *items, "--json")[1])
    assert (cms["total_units"], mid["total_units"]) == (2, 3)
    assert cms["ties"][0]["units"] == 2 and cms["ties"][0]["codes"] == ["97110", "97140", "97032"]
    assert any(w["id"] == "unit-tie" for w in cms["warnings"])


def test_units_untimed_and_group_minutes_do_not_count(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "units", "97110=10", "97150=30", "97010", "--json")
    assert rc == 0
    data = json.loads(out)
    assert data["total_timed_minutes"] == 10
    by_code = {ln["code"]: ln for ln in data["lines"]}
    assert by_code["97150"]["timed"] is False and by_code["97150"]["units"] == 1
    assert by_code["97010"]["units"] == 1
    assert data["total_units"] == 3


def test_units_tie_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(run(capsys, "units", "97110=20", "97140=20", "--json")[1])
    assert data["ties"] == [
        {"codes": ["97110", "97140"], "units": 1, "remaining_minutes": 5, "default": ["97110"]}
    ]
    assert [ln["by_default"] for ln in data["lines"]] == [True, False]


def test_units_human_output(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "units", "97110=33", "97140=7")
    assert rc == 0
    lines = out.splitlines()
    assert lines[0].startswith("CMS 8-minute rule")
    assert "97110" in lines[1] and "33 min" in lines[1] and "x2" in lines[1]
    assert "97140" in lines[2] and "x1" in lines[2]
    assert "Total: 40 timed minutes, 3 units" in out


def test_units_warnings_name_the_fix(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(run(capsys, "units", "97530=23", "97140=15", "--json")[1])
    ncci = [w for w in data["warnings"] if w["id"] == "ncci-pair"]
    assert ncci and "59 or XU to 97530" in ncci[0]["message"]
    assert not any(w["id"] == "no-diagnosis" for w in data["warnings"])


# --------------------------------------------------------------------------- visit


def test_visit_text_output_is_what_the_window_copies(
    capsys: pytest.CaptureFixture[str], catalog: Catalog
) -> None:
    rc, out, err = run(capsys, "visit", "--dx", "M25.561", "97530=23", "97140=15")
    assert rc == 0
    assert out == EXAMPLE_TEXT + "\n"
    assert "59 or XU to 97530" in err
    assert "warning [ncci-pair]: " in err  # the rule id, to look up in docs/RULES.md
    visit = Visit(
        lines=(VisitLine("97530", 23, dx_pointers=("A",)), VisitLine("97140", 15,
                                                                     dx_pointers=("A",))),
        diagnoses=("M25.561",),
    )
    assert out.rstrip("\n") == format_visit(evaluate(visit, catalog), "text")


@pytest.mark.parametrize("fmt", ["tsv", "codes", "json"])
def test_visit_formats(capsys: pytest.CaptureFixture[str], catalog: Catalog, fmt: str) -> None:
    rc, out, _ = run(capsys, "visit", "--dx", "M25.561", "97530=23", "97140=15",
                     "--format", fmt, "--date", "2026-12-06")
    assert rc == 0
    visit = Visit(
        lines=(VisitLine("97530", 23, dx_pointers=("A",)), VisitLine("97140", 15,
                                                                     dx_pointers=("A",))),
        diagnoses=("M25.561",),
    )
    expected = format_visit(evaluate(visit, catalog, on=date(2026, 12, 6)), fmt)
    if fmt == "codes":
        assert out == "97530 x2, 97140 x1\n"
    if fmt != "json":
        assert out == expected + "\n"
        return
    doc = json.loads(out)
    assert doc["format"] == "ptcodes-visit"
    # the one notice the CLI adds: the shipped ICD-10-CM release was superseded on 2026-10-01
    (notice,) = [w for w in doc["warnings"] if w["id"] == "data-source-date"]
    assert "superseded on 2026-10-01" in notice["message"]
    doc["warnings"].remove(notice)
    assert doc == json.loads(expected)


def test_visit_options(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "visit", "--provider", "pta", "--kx", "--telehealth", "95",
                     "--dx", "M25.561,M54.50", "97110=38")
    assert rc == 0
    assert out == (
        "97110 GP CQ KX 95 x3 A (38 min)\nTimed: 38 min, 3 units\n\nA M25.561\nB M54.50\n"
    )


def test_visit_profile_midpoint_and_diagnosis_among_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["97110=10", "97140=10", "97032=10", "M25.561"]
    rc, out, _ = run(capsys, "visit", "--profile", "Commercial (midpoint)", *args,
                     "--format", "json")
    assert rc == 0
    data = json.loads(out)
    assert data["profile"]["unit_rule"] == "midpoint"
    assert data["totals"]["total_units"] == 3
    assert [d["code"] for d in data["diagnoses"]] == ["M25.561"]
    data = json.loads(run(capsys, "visit", *args, "--format", "json")[1])
    assert data["profile"]["name"] == "Medicare" and data["totals"]["total_units"] == 2


def test_visit_user_profile_from_the_store(
    capsys: pytest.CaptureFixture[str], _private_data_dir: Path
) -> None:
    store, _ = UserStore.open(_private_data_dir)
    store.save_profile({"name": "Acme PPO", "unit_rule": "midpoint",
                        "daily_timed_unit_cap": 2, "medicare": False})
    store.close()
    rc, out, _ = run(capsys, "visit", "--profile", "acme ppo", "97110=23", "97140=22",
                     "--format", "json")
    assert rc == 0
    data = json.loads(out)
    assert data["profile"]["name"] == "Acme PPO"
    assert any(w["id"] == "daily-cap-exceeded" for w in data["warnings"])


def test_visit_bad_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert "not a whole number" in usage_error(capsys, "visit", "97110=abc")
    assert "negative" in usage_error(capsys, "visit", "97110=-5")
    assert "more than a day" in usage_error(capsys, "units", "97110=2000")
    usage_error(capsys, "visit", "97110", "--format", "pdf")
    usage_error(capsys, "visit", "97110", "--telehealth", "94")
    usage_error(capsys, "units", "--rule", "fancy", "97110=10")
    usage_error(capsys, "units")
    rc, _, err = run(capsys, "visit", "--profile", "Nobody", "97110=10")
    assert rc == 2 and "Medicare" in err


def test_visit_unknown_code_exits_1_with_nearest(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, "visit", "97999=10")
    assert rc == 1 and out == ""
    assert "97999: not found" in err and "Nearest valid codes" in err
    rc, out, err = run(capsys, "units", "9711=10")
    assert rc == 1 and "9711: not found" in err and "97110" in err


def test_visit_refused_codes_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, "visit", "97127=10")
    assert rc == 1 and out == ""
    assert "97129" in err and "97130" in err
    rc, out, err = run(capsys, "visit", "--dx", "M54.5", "97110=10")
    assert rc == 1 and "M54.50" in err
    rc, _, err = run(capsys, "visit", "--dx", "Z99.999", "97110=10")
    assert rc == 1 and "not found" in err
    rc, _, err = run(capsys, "units", "M25.561")
    assert rc == 1 and "diagnosis" in err


def test_visit_refusal_in_json_says_why_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    """A script reading --format json gets the reason too, not an empty stdout."""
    rc, out, err = run(capsys, "visit", "98985=20", "--dos", "2025-06-01", "--format", "json")
    assert rc == 1 and "98977" in err
    data = json.loads(out)
    assert data["version"] == 1 and "2026-01-01" in data["refused"]
    rc, out, _ = run(capsys, "visit", "98985=20", "--dos", "2026-01-01", "--format", "json")
    assert rc == 0 and "refused" not in json.loads(out)


# --------------------------------------------------------------------------- domain additions


def test_assign_cms_tie_goes_to_the_preferred_line() -> None:
    plain = assign_cms([("a", 20), ("b", 20)])
    assert plain.as_dict() == {"a": 2, "b": 1}
    picked = assign_cms([("a", 20), ("b", 20)], preferred={"b"})
    assert picked.as_dict() == {"a": 1, "b": 2}
    assert picked.ties == (
        Tie(candidates=("a", "b"), units=1, remaining_minutes=5, default=("b",),
            preferred=("b",)),
    )
    assert picked.ties[0].settled and not plain.ties[0].settled
    assert not any(line.by_default for line in picked.lines)
    # Outside a tie a preference changes nothing.
    assert assign_cms([("a", 33), ("b", 7)], preferred={"a"}).as_dict() == {"a": 2, "b": 1}


def test_tie_preferred_line_settles_the_tie_without_overrides(catalog: Catalog) -> None:
    visit = Visit(lines=(VisitLine("97110", 20), VisitLine("97140", 20, tie_preferred=True)))
    result = evaluate(visit, catalog)
    assert [line.units for line in result.lines] == [1, 2]
    assert result.ties[0].resolved and result.ties[0].default_line_indices == (1,)
    assert not result.warnings_with("unit-tie")
    assert not any(line.overridden or line.by_default for line in result.lines)
    with pytest.raises(ValueError):
        VisitLine("97110", 20, tie_preferred="yes")  # type: ignore[arg-type]


def test_remove_diagnosis_moves_pointers() -> None:
    visit = Visit(
        lines=(VisitLine("97110", 10, dx_pointers=("A", "B", "C")),
               VisitLine("97140", 10, dx_pointers=("B",))),
        diagnoses=("M25.561", "M54.50", "R26.89"),
        profile=MEDICARE,
    )
    after = remove_diagnosis(visit, 1)
    assert after.diagnoses == ("M25.561", "R26.89")
    assert [line.dx_pointers for line in after.lines] == [("A", "B"), ()]
    assert remove_diagnosis(visit, 0).lines[0].dx_pointers == ("A", "B")
    with pytest.raises(IndexError):
        remove_diagnosis(visit, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("97110=23", ("97110", 23)), (" g0283 = 8 ", ("G0283", 8)), ("97010", ("97010", None)),
     ("M25.561", ("M25.561", None)), ("97110=0", ("97110", 0))],
)
def test_parse_line_spec(text: str, expected: tuple[str, int | None]) -> None:
    assert parse_line_spec(text) == expected


@pytest.mark.parametrize("text", ["97110=abc", "97110=-5", "97110=", "97110=1441", "=5",
                                  "97110=2.5", "97110=٣"])
def test_parse_line_spec_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_line_spec(text)


# --------------------------------------------------------------------------- PT and PTA on a line


def test_visit_pta_minutes_split_the_line_cms_example_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # CMS "Billing Examples Using CQ/CO Modifiers ...", scenario 1 (tests/unit/rules/
    # test_rules_cq_units.py): PTA 23 + PT 13 minutes of 97110, PT 30 minutes of 97140.
    rc, out, err = run(capsys, "visit", "--dx", "M25.561", "97110=36/pta23", "97140=30")
    assert rc == 0
    assert out.splitlines()[:4] == [
        "97110 GP x1 A (13 of 36 min by the PT)",
        "97110 GP CQ x1 A (23 of 36 min by the PTA)",
        "97140 GP x2 A (30 min)",
        "Timed: 66 min, 4 units",
    ]
    assert "[assistant-units]" in err
    rc, out, _ = run(capsys, "visit", "--dx", "M25.561", "97110=36/pta23", "97140=30",
                     "--format", "json")
    data = json.loads(out)
    assert [(ln["code"], ln["pta_minutes"], ln["units"], ln["cq_units"]) for ln in data["lines"]
            ] == [("97110", 23, 2, 1), ("97140", 0, 2, 0)]
    assert [(c["code"], c["units"], c["modifiers"]) for c in data["claim_lines"]] == [
        ("97110", 1, ["GP"]), ("97110", 1, ["GP", "CQ"]), ("97140", 2, ["GP"])]


def test_units_pta_minutes_report_the_cq_units(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "units", "97110=15/pta8", "--json")
    assert rc == 0
    (line,) = json.loads(out)["lines"]
    assert (line["units"], line["pta_minutes"], line["cq_units"]) == (1, 8, 1)
    rc, out, _ = run(capsys, "units", "97110=15/pta7")
    assert "(7 min by the PTA: 0 units)" in out


@pytest.mark.parametrize(
    ("command", "item", "message"),
    [
        ("visit", "97110=38/pta50", "the PTA's 50 minutes are more than the line's 38"),
        ("units", "97110=38/pta50", "the PTA's 50 minutes are more than the line's 38"),
        ("visit", "97110=38/ptax", "after '/' write pta and the PTA's minutes"),
        ("units", "97110=38/ptax", "after '/' write pta and the PTA's minutes"),
    ],
)
def test_bad_pta_entry_is_one_clear_usage_error(
    capsys: pytest.CaptureFixture[str], command: str, item: str, message: str
) -> None:
    err = usage_error(capsys, command, item)
    assert message in err and item in err
    assert "Traceback" not in err


def test_provider_pta_and_a_pta_part_contradict(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, "visit", "--provider", "pta", "97110=38/pta15")
    assert rc == 2 and out == ""
    assert "--provider pta already says the PTA furnished every minute" in err


@pytest.mark.parametrize("command", ["visit", "units"])
def test_help_documents_the_pta_grammar(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert "97110=38/pta15" in out and "CQ unit by unit" in " ".join(out.split())
