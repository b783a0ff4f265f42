"""The copied text's procedure lines and totals (domain/formatting.py) where minutes are
missing or do not count: an untimed code never shows minutes, a timed line with units set
by hand and no minutes adds none."""

from __future__ import annotations

from datetime import date

from ptcodes_gui.domain.formatting import format_visit
from ptcodes_gui.domain.models import Code
from ptcodes_gui.domain.visit import MappingLookup, Visit, VisitLine, evaluate

LOOKUP = MappingLookup(
    (
        Code(code="97110", system="cpt", title="Therapeutic exercise", timed=True,
             unit_minutes=15),
        Code(code="97140", system="cpt", title="Manual therapy", timed=True, unit_minutes=15),
        Code(code="97161", system="cpt", title="PT evaluation, low complexity"),
        Code(code="M25.561", system="icd10cm", title="Pain in right knee", category="diagnosis"),
        Code(code="R26.2", system="icd10cm", title="Difficulty in walking", category="diagnosis"),
    )
)


def _text(*lines: VisitLine, fmt: str = "text") -> str:
    visit = Visit(lines=lines, diagnoses=("M25.561", "R26.2"))
    return format_visit(evaluate(visit, LOOKUP, on=date(2026, 12, 1)), fmt)


def test_an_untimed_code_with_minutes_shows_no_minutes() -> None:
    text = _text(VisitLine("97161", 45, dx_pointers=("A",)),
                 VisitLine("97110", 23, dx_pointers=("A",)))
    assert text.splitlines()[:3] == [
        "97161 GP x1 A",
        "97110 GP x2 A (23 min)",
        "Timed: 23 min, 2 units; untimed: 1 unit",
    ]


def test_units_set_by_hand_without_minutes_add_no_minutes_to_the_total() -> None:
    text = _text(VisitLine("97110", None, units_override=2, dx_pointers=("A",)),
                 VisitLine("97140", 15, dx_pointers=("A",)))
    assert text.splitlines()[:3] == [
        "97110 GP x2 A",
        "97140 GP x1 A (15 min)",
        "Timed: 15 min, 3 units",
    ]


def test_an_untimed_visit_says_untimed_only() -> None:
    assert _text(VisitLine("97161", dx_pointers=("A",))).splitlines()[:2] == [
        "97161 GP x1 A", "Untimed: 1 unit"]


def test_a_code_on_two_lines_is_one_code_with_all_its_units() -> None:
    # entered twice (the duplicate-code rule warns), billed as 97110 ×3 in the codes format
    codes = _text(VisitLine("97110", 30, dx_pointers=("A",)),
                  VisitLine("97140", 15, dx_pointers=("A",)),
                  VisitLine("97110", 15, dx_pointers=("A",)), fmt="codes")
    assert codes == "97110 x3, 97140 x1"


def test_the_tsv_names_every_diagnosis_a_line_points_to() -> None:
    tsv = _text(VisitLine("97110", 30, dx_pointers=("B", "A")), fmt="tsv")
    row = tsv.splitlines()[1].split("\t")
    assert row[:6] == ["97110", "GP", "2", "30", "B,A", "R26.2,M25.561"]
