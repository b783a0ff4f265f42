"""Evaluations and re-evaluations (rules/evaluations.py): who may do them, which go together."""

from __future__ import annotations

import pytest
from rulekit import L, ev, ids, only, visit


@pytest.mark.parametrize("code", ["97161", "97162", "97163", "97164"])
def test_an_evaluation_or_re_evaluation_by_a_pta_is_an_error(code: str) -> None:
    warning = only(ev(visit(L(code, provider="pta"))), "pta-evaluation")
    assert warning.severity == "error"
    assert warning.codes == (code,) and warning.line == 0
    assert f"{code} is an evaluation: only the PT may perform it" in warning.message


@pytest.mark.parametrize("code", ["97161", "97162", "97163", "97164"])
def test_the_same_evaluation_by_the_pt_is_clean(code: str) -> None:
    assert "pta-evaluation" not in ids(ev(visit(L(code, provider="pt"))))


def test_a_pta_treatment_line_is_not_an_evaluation() -> None:
    # a PTA may furnish the treatment itself (it takes CQ, not this error)
    assert "pta-evaluation" not in ids(ev(visit(L("97110", 15, provider="pta"))))


def test_the_pta_error_names_the_evaluation_line_not_its_neighbour() -> None:
    result = ev(visit(L("97110", 15), L("97164", provider="pta")))
    assert only(result, "pta-evaluation").line == 1


def test_evaluation_and_re_evaluation_on_one_day_is_flagged_once_each_pair() -> None:
    warning = only(ev(visit(L("97162"), L("97164"))), "eval-and-reeval")
    assert warning.codes == ("97162", "97164")
    assert "eval-and-reeval" not in ids(ev(visit(L("97162"))))
    assert "eval-and-reeval" not in ids(ev(visit(L("97164"))))


def test_two_complexity_levels_are_flagged_one_level_is_not() -> None:
    warning = only(ev(visit(L("97161"), L("97163"))), "multiple-evaluations")
    assert warning.codes == ("97161", "97163")
    assert "Only one PT evaluation is billed a day" in warning.message
    assert "multiple-evaluations" not in ids(ev(visit(L("97161"))))
