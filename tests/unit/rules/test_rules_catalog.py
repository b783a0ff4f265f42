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
        (("97530=15", "97116=15"), "ncci-verify"),
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
