"""The claim's limits on diagnoses (rules/diagnoses.py): 12 diagnoses (A-L) and 4 pointers
per line, tested on both sides of each limit."""

from __future__ import annotations

from rulekit import L, ev, ids, only, visit

FIVE = ("M54.50", "M25.561", "L89.153", "E11.621", "M79.604")


def test_exactly_four_pointers_are_accepted() -> None:
    line = L("97110", 15, dx_pointers=("A", "B", "C", "D"))
    result = ev(visit(line, diagnoses=FIVE))
    assert "too-many-dx-pointers" not in ids(result)
    assert result.errors == ()


def test_a_fifth_pointer_is_refused_naming_the_line() -> None:
    line = L("97110", 15, dx_pointers=("A", "B", "C", "D", "E"))
    warning = only(ev(visit(L("97140", 8), line, diagnoses=FIVE)), "too-many-dx-pointers")
    assert warning.severity == "error" and warning.line == 1
    assert "points to 5 diagnoses but a claim line holds 4" in warning.message


def test_twelve_diagnoses_fit_a_thirteenth_is_refused() -> None:
    twelve = (*(f"M54.5{n}" for n in range(10)), "M25.561", "M79.604")
    assert "too-many-diagnoses" not in ids(ev(visit(L("97110", 15), diagnoses=twelve)))
    thirteen = ev(visit(L("97110", 15), diagnoses=(*twelve, "L89.153")))
    warning = only(thirteen, "too-many-diagnoses")
    assert warning.codes == ("L89.153",)


def test_a_pointer_to_the_last_diagnosis_is_valid_one_past_it_is_not() -> None:
    two = ("M54.50", "M25.561")
    assert "dx-pointer-invalid" not in ids(ev(visit(L("97110", 15, dx_pointers=("B",)),
                                                    diagnoses=two)))
    bad = only(ev(visit(L("97110", 15, dx_pointers=("C",)), diagnoses=two)),
               "dx-pointer-invalid")
    assert "points to C but the visit has diagnoses A-B" in bad.message
