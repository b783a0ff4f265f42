"""Codes that exclude each other in one period: RTM management and device supply, and the
initial and subsequent orthotic management codes."""

from __future__ import annotations

from rulekit import CODES, L, ev, ids, only, pair, untimed, visit

from ptcodes_gui.domain.billable import without_error_lines
from ptcodes_gui.domain.visit import MappingLookup


def test_98979_with_98980_in_one_month() -> None:
    error = only(ev(visit(L("98979"), L("98980"))), "rtm-management-same-month")
    assert error.severity == "error" and "98980" in error.message
    assert "rtm-management-same-month" not in ids(ev(visit(L("98980"), L("98981"))))


def test_device_supply_2_15_and_16_30_days_in_one_period() -> None:
    for long_code, short_code in (("98977", "98985"), ("98976", "98984"), ("98978", "98986")):
        error = only(ev(visit(L(long_code), L(short_code))), "rtm-supply-same-period")
        assert error.codes == (long_code, short_code) and error.line == 1
    assert "rtm-supply-same-period" not in ids(ev(visit(L("98977"), L("98986"))))


def test_initial_and_subsequent_orthotic_management_on_one_day() -> None:
    for initial in ("97760", "97761"):
        error = only(ev(visit(L(initial, 30), L("97763", 15))), "orthotic-initial-and-subsequent")
        assert error.severity == "error" and error.codes == (initial, "97763")
    assert "orthotic-initial-and-subsequent" not in ids(ev(visit(L("97763", 15))))


def test_catalog_pair_for_it_is_not_repeated() -> None:
    lookup = MappingLookup(CODES, (pair("97760", "97763", indicator=0),))
    result = ev(visit(L("97760", 30), L("97763", 15)), lookup)
    assert "ncci-indicator-0" in ids(result)
    assert "orthotic-initial-and-subsequent" not in ids(result)


def test_rtm_and_rpm_in_one_period() -> None:
    lookup = MappingLookup((*CODES, untimed("99454", discipline="physician")))
    result = ev(visit(L("98977"), L("99454")), lookup)
    error = only(result, "rtm-with-rpm")
    assert error.severity == "error" and error.codes == ("98977", "99454")
    assert "rtm-with-rpm" not in ids(ev(visit(L("98977"), L("98980"))))


def test_98981_is_an_add_on_per_calendar_month() -> None:
    lookup = MappingLookup((*(c for c in CODES if c.code != "98981"),
                            untimed("98981", addon_to=("98980",))))
    alone = only(ev(visit(L("98981")), lookup), "addon-without-primary")
    assert alone.severity == "warning" and "per calendar month" in alone.message
    assert "same day" not in alone.message
    assert "addon-without-primary" not in ids(ev(visit(L("98980"), L("98981")), lookup))


def test_copy_billable_lines_keeps_the_initial_orthotic_visit() -> None:
    """The error sits on 97763's line: "Copy billable lines" leaves out 97763 only."""
    v = visit(L("97110", 15), L("97760", 30), L("97763", 15))
    result = ev(v)
    assert only(result, "orthotic-initial-and-subsequent").line == 2
    assert [line.code for line in without_error_lines(v, result).lines] == ["97110", "97760"]
