"""Plausibility: one code over 120 minutes, a day over the profile's cap."""

from __future__ import annotations

from rulekit import L, ev, ids, only, visit

from ptcodes_gui.domain.profiles import PayerProfile


def test_one_code_over_two_hours() -> None:
    warning = only(ev(visit(L("97110", 1000))), "line-minutes-implausible")
    assert "1000 minutes (67 units)" in warning.message and "minutes, not units" in warning.message
    assert "line-minutes-implausible" not in ids(ev(visit(L("97110", 120))))
    # Work hardening runs in hours by design.
    assert "line-minutes-implausible" not in ids(ev(visit(L("97545", 180))))


def test_day_over_the_profile_cap_names_the_fix() -> None:
    capped = PayerProfile(name="Capped PPO", unit_rule="cms", daily_timed_unit_cap=4)
    warning = only(ev(visit(L("97110", 38), L("97140", 30), profile=capped)),
                   "daily-cap-exceeded")
    assert "at most 4 timed units a day; this visit has 5: bill 4" in warning.message
    assert "daily-cap-exceeded" not in ids(ev(visit(L("97110", 38), L("97140", 8),
                                                   profile=capped)))


def test_an_implausible_line_after_other_lines_is_flagged() -> None:
    """97112=150 (a typo for 15) after a plausible line, or after a long work-hardening line
    (hours by design): the typo is flagged all the same."""
    result = ev(visit(L("97110", 30), L("97112", 150)))
    assert only(result, "line-minutes-implausible").line == 1
    result = ev(visit(L("97545", 180), L("97112", 150)))
    assert only(result, "line-minutes-implausible").line == 1
