"""Diagnoses and pointers."""

from __future__ import annotations

from rulekit import CODES, L, ev, ids, only, visit

from ptcodes_gui.domain.models import Code
from ptcodes_gui.domain.visit import MappingLookup, Visit, VisitLine


def test_diagnosis_refusals_are_lettered() -> None:
    result = ev(visit(L("97110", 15), diagnoses=("M99.999", "97110", "M54.50")))
    assert only(result, "unknown-diagnosis").message.startswith("Diagnosis A: ")
    assert only(result, "not-a-diagnosis").message.startswith("Diagnosis B: ")


def test_pointer_rules() -> None:
    none = ev(Visit(lines=(VisitLine("97110", 15),)))
    assert "no-diagnosis" in ids(none)
    bad = ev(visit(L("97110", 15, dx_pointers=("C",))))
    invalid = only(bad, "dx-pointer-invalid")
    assert "points to C but the visit has only diagnosis A" in invalid.message
    unpointed = ev(Visit(lines=(VisitLine("97110", 15),), diagnoses=("M54.50",)))
    assert only(unpointed, "no-dx-pointer").line == 0


def test_duplicate_and_too_many_diagnoses() -> None:
    assert "duplicate-diagnosis" in ids(ev(visit(L("97110", 15), diagnoses=("M54.50",) * 2)))
    many = ev(visit(L("97110", 15), diagnoses=("M54.50",) * 13))
    assert only(many, "too-many-diagnoses").severity == "error"


def test_header_diagnosis_offers_its_billable_children() -> None:
    lookup = MappingLookup(
        [
            *CODES,
            Code(code="M25.56", system="icd10cm", title="Pain in knee", category="diagnosis",
                 billable=False, children=(("M25.561", "right"), ("M25.562", "left"))),
        ]
    )
    error = only(ev(visit(L("97110", 15), diagnoses=("M25.56",)), lookup), "header-diagnosis")
    assert error.severity == "error" and error.suggestions == ("M25.561", "M25.562")
    assert error.message.startswith("Diagnosis A: M25.56 is a category header")


def test_too_many_dx_pointers() -> None:
    line = L("97110", 15, dx_pointers=("A", "B", "C", "D", "E"))
    result = ev(visit(line, diagnoses=("M54.50", "M25.561", "L89.153", "E11.621", "M79.604")))
    assert "keep the 4 most relevant" in only(result, "too-many-dx-pointers").message


def test_a_header_lists_six_billable_codes_then_says_how_many_more() -> None:
    """Six children fit in the message whole; a seventh is "and 1 more", never "and 0 more"."""
    def header(n: int) -> MappingLookup:
        kids = tuple((f"S46.01{k}", f"strain {k}") for k in range(n))
        return MappingLookup([*CODES, Code(code="S46.01", system="icd10cm", title="Strain",
                                           category="diagnosis", billable=False,
                                           children=kids)])

    six = only(ev(visit(L("97110", 15), diagnoses=("S46.01",)), header(6)), "header-diagnosis")
    assert "S46.015 (strain 5)" in six.message and " more" not in six.message
    seven = only(ev(visit(L("97110", 15), diagnoses=("S46.01",)), header(7)), "header-diagnosis")
    assert "S46.016" not in seven.message and "and 1 more" in seven.message
    assert len(seven.suggestions) == 7
