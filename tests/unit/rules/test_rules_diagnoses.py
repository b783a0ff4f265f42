"""Diagnoses and pointers."""

from __future__ import annotations

from rulekit import L, ev, ids, only, visit

from ptcodes_gui.domain.visit import Visit, VisitLine


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
