"""Acceptance cases for the billing review (issue 11), run the way a biller would: through
``ptcodes visit ... --format json`` and ``ptcodes show CODE --json`` on the shipped catalog."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ptcodes_gui.catalog.schema import packaged_catalog_path
from ptcodes_gui.cli.main import main
from ptcodes_gui.userdata.store import UserStore

Doc = dict[str, Any]


def visit(capsys: pytest.CaptureFixture[str], *args: str) -> Doc:
    assert main(["visit", *args, "--dx", "M25.561", "--format", "json"]) == 0
    data: Doc = json.loads(capsys.readouterr().out)
    return data


def show(capsys: pytest.CaptureFixture[str], code: str) -> Doc:
    assert main(["show", code, "--json"]) == 0
    data: Doc = json.loads(capsys.readouterr().out)
    return data


def warnings(doc: Doc, rule_id: str) -> list[Doc]:
    return [w for w in doc["warnings"] if w["id"] == rule_id]


def units(doc: Doc) -> dict[str, int]:
    return {line["code"]: line["units"] for line in doc["lines"]}


def severities(doc: Doc) -> set[str]:
    return {w["severity"] for w in doc["warnings"]}


# --------------------------------------------------------------------------- the CMS examples


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("97112=24", "97110=23"), {"97112": 2, "97110": 1}),
        (("97110=33", "97140=7"), {"97110": 2, "97140": 1}),
    ],
)
def test_cms_20_2_examples(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], expected: dict[str, int]
) -> None:
    doc = visit(capsys, *args)
    assert units(doc) == expected
    assert doc["totals"]["timed_units"] == 3 and not doc["ties"]


def test_cms_20_2_tie_is_shown_as_the_clinicians_choice(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = visit(capsys, "97112=20", "97110=20")
    assert sorted(units(doc).values()) == [1, 2]
    (tie,) = doc["ties"]
    assert set(tie["codes"]) == {"97112", "97110"} and tie["units"] == 1
    assert warnings(doc, "unit-tie")


def test_good_visit_97530_and_97140_names_the_modifier_on_97530(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = visit(capsys, "97530=23", "97140=15")
    assert units(doc) == {"97530": 2, "97140": 1}
    (pair,) = warnings(doc, "ncci-pair")
    assert doc["lines"][pair["line"]]["code"] == "97530"
    assert "59" in pair["message"] and "XU" in pair["message"]
    assert {"59", "XU"} <= set(pair["suggestions"])
    assert pair["severity"] == "warning"


# --------------------------------------------------------------------------- Medicare coverage


@pytest.mark.parametrize("code", ["20560", "20561"])
def test_dry_needling_on_medicare_offers_gy_gx(
    capsys: pytest.CaptureFixture[str], code: str
) -> None:
    doc = visit(capsys, f"{code}=15")
    (w,) = warnings(doc, "medicare-dry-needling")
    assert {"GY", "GX"} <= set(w["suggestions"]) and "ABN" in w["message"]
    assert show(capsys, code)["not_medicare"] is True
    commercial = visit(capsys, "--profile", "Commercial", f"{code}=15")
    assert not warnings(commercial, "medicare-dry-needling")


@pytest.mark.parametrize("code", ["97545", "97546"])
def test_work_hardening_not_paid_by_medicare(
    capsys: pytest.CaptureFixture[str], code: str
) -> None:
    assert warnings(visit(capsys, "97545=120", f"{code}=60"), "medicare-not-paid")
    assert show(capsys, code)["not_medicare"] is True


@pytest.mark.parametrize("code", ["97010", "97602"])
def test_bundled_codes_on_medicare(capsys: pytest.CaptureFixture[str], code: str) -> None:
    doc = visit(capsys, code, "97110=15")
    (w,) = warnings(doc, "medicare-bundled")
    assert code in w["message"] and "never paid separately" in w["message"]
    assert show(capsys, code)["medicare_status"] == "B"


def test_g0281_names_its_closed_list_of_ulcers(capsys: pytest.CaptureFixture[str]) -> None:
    (w,) = warnings(visit(capsys, "G0281"), "g0281-ulcer-type")
    for word in ("pressure", "arterial", "diabetic", "venous"):
        assert word in w["message"]
    assert warnings(visit(capsys, "--dx", "L89.153", "G0281"), "g0281-ulcer-type") == []


def test_97610_is_per_day_even_on_two_lines(capsys: pytest.CaptureFixture[str]) -> None:
    doc = visit(capsys, "97610", "97610")
    (w,) = warnings(doc, "per-day-code")
    assert "per day" in w["message"]
    assert not warnings(doc, "duplicate-code")
    assert not warnings(visit(capsys, "97610"), "per-day-code")
    assert "per day" in show(capsys, "97610")["description"].lower()


# --------------------------------------------------------------------------- telehealth


@pytest.mark.parametrize("code", ["97140=15", "97035=15", "20560=15", "29530"])
@pytest.mark.parametrize("mod", ["95", "93"])
def test_telehealth_modifier_on_a_code_off_the_list(
    capsys: pytest.CaptureFixture[str], code: str, mod: str
) -> None:
    doc = visit(capsys, "--telehealth", mod, code)
    (w,) = warnings(doc, "telehealth-not-on-list")
    assert code.split("=")[0] in w["message"] and w["severity"] == "error"


def test_telehealth_allowed_on_97110(capsys: pytest.CaptureFixture[str]) -> None:
    for mod in ("95", "93"):
        doc = visit(capsys, "--telehealth", mod, "97110=15")
        assert not warnings(doc, "telehealth-not-on-list")
        assert "error" not in severities(doc)
    own = visit(capsys, "--modifier", "97140:95", "97140=15", "97110=15")
    (w,) = warnings(own, "telehealth-not-on-list")
    assert own["lines"][w["line"]]["code"] == "97140"


# --------------------------------------------------------------------------- payment and pairs


def test_mppr_on_a_medicare_visit_says_which_units(capsys: pytest.CaptureFixture[str]) -> None:
    (w,) = warnings(visit(capsys, "97110=23", "97140=15"), "mppr-reduction")
    assert "50%" in w["message"] and "practice" in w["message"]
    assert "2 units" in w["message"]
    assert not warnings(visit(capsys, "--profile", "Commercial", "97110=23", "97140=15"),
                        "mppr-reduction")
    assert not warnings(visit(capsys, "97110=15"), "mppr-reduction")


@pytest.mark.parametrize(
    ("codes", "rule_id"),
    [
        (("98979", "98980"), "rtm-management-same-month"),
        (("98977", "98985"), "rtm-supply-same-period"),
    ],
)
def test_rtm_pairs_in_one_period(
    capsys: pytest.CaptureFixture[str], codes: tuple[str, ...], rule_id: str
) -> None:
    (w,) = warnings(visit(capsys, *codes), rule_id)
    assert set(codes) <= set(w["codes"])


@pytest.mark.parametrize("orthotic", ["97760", "97761"])
def test_orthotic_management_with_checkout_same_day(
    capsys: pytest.CaptureFixture[str], orthotic: str
) -> None:
    doc = visit(capsys, f"{orthotic}=15", "97763=15")
    hits = [w for w in doc["warnings"] if {orthotic, "97763"} <= set(w["codes"])]
    assert hits and hits[0]["severity"] == "error"


def test_one_code_over_120_minutes(capsys: pytest.CaptureFixture[str]) -> None:
    (w,) = warnings(visit(capsys, "97110=130"), "line-minutes-implausible")
    assert "120" in w["message"] and "check" in w["message"]
    assert not warnings(visit(capsys, "97110=60"), "line-minutes-implausible")


def test_day_over_the_profile_cap(
    capsys: pytest.CaptureFixture[str], _private_data_dir: Path
) -> None:
    store, _ = UserStore.open(_private_data_dir)
    store.save_profile({"name": "Four Units PPO", "unit_rule": "cms",
                        "daily_timed_unit_cap": 4, "medicare": False})
    store.close()
    doc = visit(capsys, "--profile", "Four Units PPO", "97110=38", "97140=30")
    (w,) = warnings(doc, "daily-cap-exceeded")
    assert "4" in w["message"]
    ok = visit(capsys, "--profile", "Four Units PPO", "97110=38", "97140=8")
    assert not warnings(ok, "daily-cap-exceeded")


@pytest.mark.parametrize(("a", "b"), [("97161", "97750=15"), ("97124=15", "97140=15"),
                                      ("97150", "97530=15")])
def test_unverified_pairs_are_verify_never_error(
    capsys: pytest.CaptureFixture[str], a: str, b: str
) -> None:
    doc = visit(capsys, a, b)
    pair = [w for w in doc["warnings"] if w["id"].startswith("ncci")
            and {a.split("=")[0], b.split("=")[0]} <= set(w["codes"])]
    assert pair and all(w["verify"] and w["severity"] == "info" for w in pair)
    assert "error" not in severities(doc)


def test_a_code_without_a_unit_says_why_it_lost(capsys: pytest.CaptureFixture[str]) -> None:
    doc = visit(capsys, "97110=40", "97035=8")
    assert units(doc) == {"97110": 3, "97035": 0}
    (w,) = warnings(doc, "zero-units")
    assert "97035" in w["message"] and "ran out" in w["message"]
    assert "do not earn a unit" not in w["message"]


# --------------------------------------------------------------------------- catalog entries

NEW_ACTIVE = ["95831", "95832", "95833", "95834", "97607", "97608", "98976", "98978", "29581",
              "29584", "90912", "90913"]
NOT_PT = ["97810", "97811", "97813", "97814"]
ORTHOTICS = ["L1832", "L1833", "L3908", "L4361", "L4387", "L0648", "L0650"]
REPLACED = {"97001": {"97161", "97162", "97163"}, "97002": {"97164"},
            "97003": {"97165", "97166", "97167"}, "97004": {"97168"},
            "97532": {"97129", "97130"}, "G0515": {"97129", "97130"}}
MODIFIERS = ["GA", "GX", "GY", "GZ", "77", "FQ", "FR", "GT", "RT", "LT"]


@pytest.mark.parametrize("code", NEW_ACTIVE)
def test_new_pt_codes_are_active(capsys: pytest.CaptureFixture[str], code: str) -> None:
    doc = show(capsys, code)
    assert doc["status"] == "active" and doc["not_pt"] is False and doc["title"]


@pytest.mark.parametrize("code", NOT_PT)
def test_acupuncture_is_context_not_pt(capsys: pytest.CaptureFixture[str], code: str) -> None:
    doc = show(capsys, code)
    assert doc["not_pt"] is True and "30.3.3" in json.dumps(doc)


@pytest.mark.parametrize("code", ORTHOTICS)
def test_orthotics_carry_the_dmepos_note(capsys: pytest.CaptureFixture[str], code: str) -> None:
    doc = show(capsys, code)
    assert doc["system"] == "hcpcs" and "DMEPOS" in json.dumps(doc)


@pytest.mark.parametrize(("code", "replacements"), sorted(REPLACED.items()))
def test_deleted_codes_point_to_their_replacements(
    capsys: pytest.CaptureFixture[str], code: str, replacements: set[str]
) -> None:
    doc = show(capsys, code)
    assert doc["status"] == "deleted" and set(doc["replaced_by"]) == replacements


@pytest.mark.parametrize("number", range(8978, 9000))
def test_functional_reporting_g_codes_ended(
    capsys: pytest.CaptureFixture[str], number: int
) -> None:
    doc = show(capsys, f"G{number}")
    assert doc["status"] == "deleted" and "2019" in json.dumps(doc)


@pytest.mark.parametrize("mod", MODIFIERS)
def test_new_modifiers(capsys: pytest.CaptureFixture[str], mod: str) -> None:
    doc = show(capsys, mod)
    assert doc["system"] == "modifier" and doc["status"] == "active" and doc["title"]


def test_gt_is_for_critical_access_hospitals_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert "critical access" in show(capsys, "GT")["title"].lower()


def test_no_catalog_code_cites_the_internal_facts_sheet(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with sqlite3.connect(packaged_catalog_path()) as db:
        codes = [row[0] for row in db.execute("SELECT code FROM codes")]
    assert len(codes) > 150
    internal = re.compile(r"facts\s*§|PT-CODING-FACTS", re.IGNORECASE)
    cited = [code for code in codes if internal.search(json.dumps(show(capsys, code)))]
    assert cited == []


@pytest.mark.parametrize(
    ("col1", "col2"),
    [("97140=15", "97164"), ("97530=15", "97116=15"), ("97161", "95831"), ("97750=15", "95851"),
     ("97162", "95852"), ("97597", "97602"), ("97597", "97022"), ("97150", "97110=15"),
     ("97110=15", "97164"), ("97162", "97140=15")],
)
def test_shipped_ncci_pairs_name_the_modifier_on_column_two(
    capsys: pytest.CaptureFixture[str], col1: str, col2: str
) -> None:
    doc = visit(capsys, col1, col2)
    (pair,) = warnings(doc, "ncci-pair")
    second = col2.split("=")[0]
    assert doc["lines"][pair["line"]]["code"] == second
    assert "59" in pair["message"] and second in pair["message"]
    assert pair["source"]["id"] and pair["confidence"]
