"""The billing cases through ``ptcodes visit --format json`` on the shipped catalog."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ptcodes_gui.cli.main import main


def _visit(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["visit", "--dx", "M54.50", *args, "--format", "json"]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def _warnings(data: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [w for w in data["warnings"] if w["id"] == rule_id]


def _units(data: dict[str, Any]) -> list[int]:
    return [line["units"] for line in data["lines"]]


def test_cms_manual_examples_on_the_shipped_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    assert _units(_visit(capsys, "97112=24", "97110=23")) == [2, 1]
    assert _units(_visit(capsys, "97110=33", "97140=7")) == [2, 1]
    tie = _visit(capsys, "97112=20", "97110=20")
    assert sorted(_units(tie)) == [1, 2] and _warnings(tie, "unit-tie")


def test_warnings_carry_rule_id_source_and_confidence(capsys: pytest.CaptureFixture[str]) -> None:
    data = _visit(capsys, "--telehealth", "95", "97110=30", "97140=15")
    [warning] = _warnings(data, "telehealth-not-on-list")
    assert warning["codes"][0] == "97140" and warning["severity"] == "error"
    assert warning["source"]["id"] == "telehealth-list-2026"
    assert warning["source"]["citation"].startswith("CMS, List of Medicare Telehealth Services")
    assert warning["confidence"] == "M"
    assert all("facts §" not in json.dumps(w) for w in data["warnings"])


@pytest.mark.parametrize(
    ("args", "rule_id"),
    [
        (("20561",), "medicare-dry-needling"),
        (("97545=120",), "medicare-not-paid"),
        (("97010", "97110=30"), "medicare-bundled"),
        (("97110=150",), "line-minutes-implausible"),
        (("98979", "98980"), "rtm-management-same-month"),
        (("98977", "98985"), "rtm-supply-same-period"),
        (("97110=30", "97140=15"), "mppr-reduction"),
        (("97161", "97750=30"), "ncci-verify"),
        (("97124=15", "97140=15"), "ncci-verify"),
        (("97150", "97530=15"), "ncci-verify"),
    ],
)
def test_section_9_cases(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], rule_id: str
) -> None:
    data = _visit(capsys, *args)
    assert _warnings(data, rule_id), data["warnings"]
    if rule_id == "ncci-verify":
        assert not [w for w in data["warnings"] if w["severity"] == "error"]


def test_orthotic_initial_and_subsequent_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    data = _visit(capsys, "97760=30", "97763=15")
    errors = [w for w in data["warnings"] if w["severity"] == "error"]
    assert errors and all("97763" in w["codes"] for w in errors)


def test_modifier_option_puts_your_own_modifiers_on_a_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = _visit(capsys, "--modifier", "97530:XU", "--mod", "L1832:RT", "--mod", "97110:GT",
                  "97140=15", "97530=15", "L1832", "97110=30")
    modifiers = {line["code"]: line["modifiers"] for line in data["lines"]}
    assert modifiers["97530"] == ["GP", "XU"] and modifiers["L1832"] == ["RT"]
    assert [w["severity"] for w in _warnings(data, "ncci-pair")] == ["info"]
    assert not _warnings(data, "orthotic-side") and _warnings(data, "gt-not-cah")
    assert main(["visit", "--mod", "97999:XU", "97110=30"]) == 2
    assert "97999 is not a line of this visit" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "takes"),
    [
        # section 11: the re-evaluation is column 2 under the treatment codes
        (("97110=30", "97164"), "97164"),
        (("97112=30", "97164"), "97164"),
        (("97113=30", "97164"), "97164"),
        (("97116=30", "97164"), "97164"),
        (("97530=30", "97164"), "97164"),
        (("97150", "97164"), "97164"),
        (("97164", "97140=15"), "97164"),
        (("97530=15", "97116=15"), "97116"),
        (("97162", "97140=15"), "97140"),
        (("97140=15", "97530=15"), "97530"),
    ],
)
def test_section_11_pairs_name_the_code_that_takes_the_modifier(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], takes: str
) -> None:
    data = _visit(capsys, "--dos", "2026-12-01", *args)
    [warning] = _warnings(data, "ncci-pair")
    assert warning["severity"] == "warning" and warning["message"].endswith(
        f"to {takes} (the column-2 code takes the modifier).")
    suggested = {line["code"]: line["suggested_modifiers"] for line in data["lines"]}
    assert "XU" in suggested[takes]
    assert all(not mods for code, mods in suggested.items() if code != takes)
    assert not _warnings(data, "ncci-verify")


def test_dry_needling_codes_are_one_per_session(capsys: pytest.CaptureFixture[str]) -> None:
    data = _visit(capsys, "--profile", "commercial", "20560", "20561")
    [error] = _warnings(data, "ncci-indicator-0")
    assert error["codes"] == ["20561", "20560"] and error["severity"] == "error"


def test_telehealth_listed_codes_take_95_without_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = _visit(capsys, "--telehealth", "95", "97550=30", "97551=15", "97129=15",
                  "97130=15")
    assert not _warnings(data, "telehealth-not-on-list")
    assert all("95" in line["modifiers"] for line in data["lines"])


def test_remote_codes_say_no_95_never_bill_in_person(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = _visit(capsys, "--mod", "98977:95", "--mod", "98980:95", "98977", "98980")
    warnings = _warnings(data, "telehealth-remote-code")
    assert [w["codes"][0] for w in warnings] == ["98977", "98980"]
    assert all("no 95 on this code" in w["message"] for w in warnings)
    assert not any("in person" in w["message"] for w in data["warnings"])
    # a visit-wide 95 is not put on the remote code at all
    visit = _visit(capsys, "--telehealth", "95", "97110=30", "98977")
    modifiers = {line["code"]: line["modifiers"] for line in visit["lines"]}
    assert "95" in modifiers["97110"] and "95" not in modifiers["98977"]
    assert modifiers["98977"][0] == "GP"  # sometimes therapy under the PT plan of care
    assert not _warnings(visit, "telehealth-not-on-list")


def test_dated_codes_on_the_date_of_service(capsys: pytest.CaptureFixture[str]) -> None:
    # 98985 is a 2026 code: refused on 2025-12-31, fine on 2026-01-01
    assert main(["visit", "--dos", "2025-12-31", "98985", "--format", "json"]) == 1
    err = capsys.readouterr().err
    assert "98985 is effective 2026-01-01; on a 2025 date of service" in err
    assert "98977" in err
    assert _visit(capsys, "--dos", "2026-01-01", "98985")["lines"][0]["units"] == 1
    # 90911 was deleted on 2024-01-01: billable the day before, replaced from that day
    assert _visit(capsys, "--dos", "2023-12-31", "90911")["lines"][0]["units"] == 1
    assert main(["visit", "--dos", "2024-01-01", "90911", "--format", "json"]) == 1
    err = capsys.readouterr().err
    assert "90911 was deleted on 2024-01-01" in err and "90912" in err and "90913" in err
    # 90912 on a 2023 date of service: use 90911
    assert main(["visit", "--dos", "2023-06-01", "90912=15", "--format", "json"]) == 1
    assert "use 90911" in capsys.readouterr().err


def test_show_gives_a_codes_history(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "90911", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["deleted"] == "2024-01-01" and data["replaced_by"] == ["90912", "90913"]
    assert "Deleted 2024-01-01, replaced by 90912, 90913." in data["history"]
    assert main(["show", "98985"]) == 0
    assert "history: Effective 2026-01-01." in capsys.readouterr().out


def test_rtm_is_sometimes_therapy_with_cq_and_kx(capsys: pytest.CaptureFixture[str]) -> None:
    data = _visit(capsys, "--provider", "pta", "--kx", "98977", "98980")
    assert [line["modifiers"] for line in data["lines"]] == [["GP", "CQ", "KX"]] * 2
    data = _visit(capsys, "97110=30", "97810=15", "97169")
    [mppr] = _warnings(data, "mppr-reduction")
    assert mppr["codes"] == ["97110"]  # acupuncture and the AT evaluation take no MPPR
