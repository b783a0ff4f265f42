"""Each limit a rule checks, at the limit (clean) and one past it (flagged)."""

from __future__ import annotations

from rulekit import L, ev, ids, only, visit

from ptcodes_gui.domain.profiles import PayerProfile


def test_120_minutes_of_one_code_are_plausible_121_are_not() -> None:
    assert "line-minutes-implausible" not in ids(ev(visit(L("97110", 120))))
    warning = only(ev(visit(L("97110", 121))), "line-minutes-implausible")
    assert warning.message.startswith("97110 has 121 minutes (8 units): more than 120 minutes")


def test_the_daily_cap_may_be_reached_not_passed() -> None:
    capped = PayerProfile(name="Capped PPO", unit_rule="cms", daily_timed_unit_cap=4)
    at_cap = ev(visit(L("97110", 38), L("97140", 15), profile=capped))  # 53 min: 4 units
    assert at_cap.timed_units == 4 and "daily-cap-exceeded" not in ids(at_cap)
    over = ev(visit(L("97110", 38), L("97140", 30), profile=capped))  # 68 min: 5 units
    assert "this visit has 5: bill 4" in only(over, "daily-cap-exceeded").message


def test_four_modifiers_fit_a_line_a_fifth_does_not() -> None:
    four = ev(visit(L("97530", 30, provider="pta"), kx=True, telehealth="95"))
    assert four.lines[0].modifiers == ("GP", "CQ", "KX", "95")
    assert "too-many-modifiers" not in ids(four)
    five = ev(visit(L("97530", 30, provider="pta", extra_modifiers=("59",)), kx=True,
                    telehealth="95"))
    assert only(five, "too-many-modifiers").line == 0


def test_mppr_starts_at_the_second_therapy_unit_of_the_day() -> None:
    assert "mppr-reduction" not in ids(ev(visit(L("97110", 15))))  # one unit: nothing reduced
    two = only(ev(visit(L("97110", 15), L("97140", 8))), "mppr-reduction")  # 23 min: 2 units
    assert "of the 2 therapy units" in two.message
    assert "the practice-expense part of the other 1 unit at 50%" in two.message
