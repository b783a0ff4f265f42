"""Timed minutes and units: the CMS §20.2 examples, and why a code gets no unit."""

from __future__ import annotations

from rulekit import CODES, COMMERCIAL_MIDPOINT, L, ev, ids, only, timed, visit

from ptcodes_gui.domain.visit import MappingLookup


def _units(*lines: L, **kw: object) -> list[int]:
    return [line.units for line in ev(visit(*lines, **kw)).lines]  # type: ignore[arg-type]


def test_cms_manual_examples_stay_exact() -> None:
    # Pub. 100-04 ch. 5 §20.2: 24 + 23 = 47 minutes, 3 units: 97112 x2, 97110 x1.
    assert _units(L("97112", 24), L("97110", 23)) == [2, 1]
    # 33 + 7 = 40 minutes, 3 units: 97110 x2 and 97140 x1 (its 7 minutes beat 97110's 3).
    assert _units(L("97110", 33), L("97140", 7)) == [2, 1]
    # 20 + 20 = 40 minutes, 3 units: 2 of either, 1 of the other: a tie, the clinician's.
    result = ev(visit(L("97112", 20), L("97110", 20)))
    assert sorted(line.units for line in result.lines) == [1, 2]
    assert "the clinician chooses" in only(result, "unit-tie").message


def test_tie_settled_by_the_clinician_is_no_longer_a_warning() -> None:
    result = ev(visit(L("97112", 20), L("97110", 20, tie_preferred=True)))
    assert [line.units for line in result.lines] == [1, 2]
    assert "unit-tie" not in ids(result)


def test_no_tie_warning_under_the_midpoint_rule() -> None:
    result = ev(visit(L("97112", 20), L("97110", 20), profile=COMMERCIAL_MIDPOINT))
    assert [line.units for line in result.lines] == [1, 1]
    assert "unit-tie" not in ids(result)


def test_zero_units_says_the_units_ran_out_not_that_8_minutes_earn_nothing() -> None:
    result = ev(visit(L("97110", 44), L("97140", 9), L("97035", 8)))
    assert [line.units for line in result.lines] == [3, 1, 0]
    lost = only(result, "zero-units")
    assert lost.codes == ("97035",) and lost.line == 2 and lost.severity == "info"
    assert "ran out" in lost.message and "97110 and 97140 got them" in lost.message
    assert "do not earn a unit" not in lost.message


def test_zero_units_below_8_total_minutes_and_under_midpoint() -> None:
    alone = only(ev(visit(L("97110", 5))), "zero-units")
    assert "5 timed minutes are fewer than the 8" in alone.message
    mid = only(ev(visit(L("97110", 23), L("97140", 7), profile=COMMERCIAL_MIDPOINT)),
               "zero-units")
    assert mid.codes == ("97140",) and "fewer than the 8 a unit needs" in mid.message


def test_zero_units_lost_tie() -> None:
    result = ev(visit(L("97110", 8), L("97140", 8), L("97112", 8)))
    assert [line.units for line in result.lines] == [1, 1, 0]
    assert "lost a tie" in only(result, "zero-units").message


def test_missing_minutes_and_override() -> None:
    assert only(ev(visit(L("97110"))), "missing-minutes").line == 0
    over = only(ev(visit(L("97110", 23, units_override=1))), "unit-override")
    assert "the 8-minute rule gives 2" in over.message


def test_units_need_more_minutes_line_and_total() -> None:
    result = ev(visit(L("97110", 20, units_override=3)))
    messages = [w.message for w in result.warnings_with("units-need-more-minutes")]
    assert any("3 units need at least 31 minutes on this line" in m for m in messages)
    assert any("need at least 38 timed minutes in total" in m for m in messages)


def test_separate_unit_length_tells_where_the_time_goes() -> None:
    note = only(ev(visit(L("97545", 200))), "separate-unit-length")
    assert note.severity == "warning" and "97546" in note.message
    assert note.suggestions == ("97546",)


def test_total_units_add_the_timed_and_the_untimed_units() -> None:
    """The visit header and the copy's total: 2 timed units of 97110 and 2 untimed codes
    are 4 units on the claim."""
    result = ev(visit(L("97110", 30), L("97150"), L("G0283")))
    assert (result.timed_units, result.untimed_units, result.total_units) == (2, 2, 4)


def test_units_set_by_hand_on_codes_counted_on_their_own_need_their_minutes() -> None:
    """Work hardening: 2 hours of 97546 set by hand on 40 minutes, and 97545 set to 1 unit on
    20 minutes (its first unit needs 61 of its 120), are both flagged on their line."""
    result = ev(visit(L("97545", 120), L("97546", 40, units_override=2)))
    warning = only(result, "units-need-more-minutes")
    assert warning.line == 1
    assert "97546: 2 units need at least 91 minutes on this line" in warning.message
    warning = only(ev(visit(L("97545", 20, units_override=1))), "units-need-more-minutes")
    assert warning.line == 0
    assert "97545: 1 unit needs at least 61 minutes on this line" in warning.message
    bare = [w.message for w in ev(visit(L("97110", units_override=1))).warnings_with(
        "units-need-more-minutes")]
    assert any(m.startswith("97110: 1 unit needs at least 1 minute on this line") for m in bare)
    total = only(ev(visit(L("97110", 5, units_override=1))), "units-need-more-minutes")
    assert total.message.startswith("1 timed unit needs at least 8 timed minutes in total")


def test_a_code_without_a_unit_names_only_the_codes_that_got_the_units() -> None:
    """67 minutes earn 4 units: 97110 gets 3 and 97140 (8 left over) the last; 97035 and
    97112 get none, and each one's reason names 97110 and 97140, not the other loser."""
    result = ev(visit(L("97110", 45), L("97140", 8), L("97035", 7), L("97112", 7)))
    lost = result.warnings_with("zero-units")
    assert [w.line for w in lost] == [2, 3]
    assert all("(full 15-minute blocks first, then the most minutes left over; 97110 and "
               "97140 got them)" in w.message for w in lost)


def test_a_timed_line_without_minutes_counts_none_toward_the_visit() -> None:
    """97110 entered without its minutes beside 97140=7: the visit has 7 timed minutes, not
    8, so no unit yet (and 97110 asks for its minutes)."""
    result = ev(visit(L("97110"), L("97140", 7)))
    assert [line.units for line in result.lines] == [0, 0]
    assert "counts 0 minutes until then" in only(result, "missing-minutes").message


def test_a_clinic_code_with_10_minute_units_is_counted_on_its_own() -> None:
    """A clinic's own timed code with 10-minute units stays out of the 15-minute pool: 25
    minutes are 2 of its units, and 97110=8 earns its own unit."""
    lookup = MappingLookup([*CODES, timed("CL100", "Clinic service", unit_minutes=10)])
    result = ev(visit(L("CL100", 25), L("97110", 8)), lookup)
    assert [line.units for line in result.lines] == [2, 1]
    assert "CL100 is counted on its own" in only(result, "separate-unit-length").message
