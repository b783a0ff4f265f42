"""Add-on codes need their primary; first-block codes bill one unit."""

from __future__ import annotations

from rulekit import COMMERCIAL_MIDPOINT, L, ev, ids, only, visit


def test_addon_without_primary_offers_the_primary() -> None:
    warning = only(ev(visit(L("97546", 60), profile=COMMERCIAL_MIDPOINT)),
                   "addon-without-primary")
    assert warning.severity == "error" and warning.suggestions == ("97545",)
    assert "add 97545" in warning.message


def test_addon_with_primary_is_fine() -> None:
    result = ev(visit(L("97545", 120), L("97546", 60), profile=COMMERCIAL_MIDPOINT))
    assert "addon-without-primary" not in ids(result)


def test_use_addon_code_on_a_second_unit_of_the_primary() -> None:
    result = ev(visit(L("97545", 200, units_override=2), profile=COMMERCIAL_MIDPOINT))
    assert only(result, "use-addon-code").suggestions == ("97546",)
