"""What the clinician reads in the rules' messages at their edges: which line a warning
sits on, which code a fix names, and nothing flagged on the safe side of a limit."""

from __future__ import annotations

from rulekit import CODES, L, ev, ids, only, visit

from ptcodes_gui.domain.models import Mue, TelehealthList
from ptcodes_gui.domain.visit import MappingLookup


def test_a_refused_line_stays_on_the_visit_with_0_units() -> None:
    result = ev(visit(L("97110", 30), L("99999"), L("97010")))
    refused = result.lines[1]
    assert (refused.code, refused.units, refused.computed_units) == ("99999", 0, 0)
    assert not refused.billed
    assert result.total_units == 3  # 97110 ×2 and 97010 ×1


def test_a_per_day_mue_flags_only_units_above_it() -> None:
    lookup = MappingLookup(CODES, mues=[Mue("97110", 4, 2, "policy", "CMS MUE 2027-01-01")])
    for minutes, flagged in ((15, False), (38, False), (53, False), (68, True)):
        result = ev(visit(L("97110", minutes)), lookup)  # 1, 3, 4 and 5 units
        assert ("mue-exceeded" in ids(result)) is flagged, minutes
    error = only(ev(visit(L("97110", 45), L("97110", 23)), lookup), "mue-exceeded")
    assert "97110 has 5 units on this day but its MUE allows 4 (MAI 2)" in error.message


def _telehealth(**kw: object) -> MappingLookup:
    listed = TelehealthList(codes=frozenset({"97110", "97530"}), audio_only=frozenset({"97530"}),
                            source="CMS telehealth list CY2027 (imported)", confidence="H")
    return MappingLookup(CODES, telehealth=listed)


def test_video_on_a_listed_code_says_nothing_about_audio_only() -> None:
    result = ev(visit(L("97110", 30), telehealth="95"), _telehealth())
    assert "telehealth-audio-only" not in ids(result)


def test_audio_only_is_checked_on_every_listed_line_after_an_unlisted_one() -> None:
    result = ev(visit(L("97140", 15), L("97530", 15), L("97110", 15), telehealth="93"),
                _telehealth())
    audio = result.warnings_with("telehealth-audio-only")
    refused = [w for w in audio if w.severity == "warning"]
    assert [w.codes for w in refused] == [("97110", "93")]
    assert refused[0].line == 2 and refused[0].suggestions == ("95",)
    assert "does not allow 97110 audio only: bill it with video (95)" in refused[0].message
    assert "95" in result.lines[2].suggested_modifiers  # offered on the line, one click away


def test_a_tie_warning_sits_on_the_first_tied_line() -> None:
    result = ev(visit(L("97140", 30), L("97112", 20), L("97110", 20)))
    tie = only(result, "unit-tie")
    assert tie.codes == ("97112", "97110") and tie.line == 1


def test_a_separately_counted_code_without_its_first_unit_says_how_many_minutes() -> None:
    # 97545 (work hardening, first 2 hours): one unit from 61 minutes, counted on its own
    result = ev(visit(L("97545", 50), L("97110", 30)))
    lost = only(result, "zero-units")
    assert lost.line == 0
    assert lost.message.startswith(
        "97545 gets no unit: 50 minutes are fewer than the 61 its first unit needs")


def test_an_add_on_counted_on_its_own_says_beyond_which_minutes() -> None:
    notes = ev(visit(L("97545", 120), L("97546", 60))).warnings_with("separate-unit-length")
    (note,) = [n for n in notes if n.line == 1]
    assert note.codes == ("97546", "97545")
    assert ("enter only the time beyond 97545's first 120 minutes (one unit per 60 minutes, "
            "the first from 31).") in note.message


def test_units_set_by_hand_say_the_minutes_each_line_needs() -> None:
    result = ev(visit(L("97110", 10, units_override=2), L("97140", 30)))
    messages = [w.message for w in result.warnings_with("units-need-more-minutes")]
    assert ("97110: 2 units need at least 16 minutes on this line under the 8-minute rule; "
            "it has 10. Add the missing minutes or lower the units.") in messages


def test_g0281_fix_names_the_first_covered_ulcer_of_the_visit() -> None:
    line = L("G0281", dx_pointers=("A",))
    result = ev(visit(line, diagnoses=("M79.604", "L89.153", "E11.621")))
    warning = only(result, "g0281-ulcer-type")
    assert warning.message.endswith("; point it at B (L89.153).")


def test_an_add_on_with_several_primaries_needs_only_one_of_them() -> None:
    # invented codes (the rule is generic): ADD1 is an add-on to PRI1 or PRI2
    from ptcodes_gui.domain.models import Code

    lookup = MappingLookup((*CODES,
                            Code(code="PRI1", system="cpt", title="first primary"),
                            Code(code="PRI2", system="cpt", title="second primary"),
                            Code(code="ADD1", system="cpt", title="add-on",
                                 addon_to=("PRI1", "PRI2"))))
    assert "addon-without-primary" not in ids(ev(visit(L("PRI2"), L("ADD1")), lookup))
    alone = only(ev(visit(L("ADD1")), lookup), "addon-without-primary")
    assert "paid only with PRI1 or PRI2 on the same day" in alone.message


def test_an_ncci_pair_of_an_untimed_and_a_timed_code_asks_for_distinct_services() -> None:
    # 97161 (evaluation, untimed) with 97140 (timed): there are no "time blocks" to separate
    from rulekit import pair

    lookup = MappingLookup(CODES, (pair("97161", "97140"),))
    warning = only(ev(visit(L("97161"), L("97140", 15)), lookup), "ncci-pair")
    assert warning.line == 1
    assert warning.message.startswith(
        "97161 and 97140 are an NCCI pair: bill both only for truly distinct services and add "
        "59 or the X modifier that fits (XE, XS, XP, XU) to 97140")
    timed = only(ev(visit(L("97140", 15), L("97530", 15)),
                    MappingLookup(CODES, (pair("97140", "97530"),))), "ncci-pair")
    assert "bill both only for separate time blocks and add 59 or XU to 97530" in timed.message


def test_work_hardening_after_a_bundled_code_is_still_not_paid_by_medicare() -> None:
    # invented code (the rule is generic): BUND1 is status B (bundled) on the fee schedule
    from ptcodes_gui.domain.models import Code

    lookup = MappingLookup((*CODES, Code(code="BUND1", system="hcpcs", title="bundled",
                                         medicare_status="B")))
    result = ev(visit(L("BUND1"), L("97545", 120)), lookup)
    warning = only(result, "medicare-not-paid")
    assert warning.codes == ("97545",) and warning.line == 1


def test_g0281_with_a_pointer_past_the_diagnoses_judges_the_valid_ones() -> None:
    line = L("G0281", dx_pointers=("A", "D"))
    result = ev(visit(line, diagnoses=("L89.153", "M79.604")))
    assert "g0281-ulcer-type" not in ids(result)  # A is a covered ulcer
    assert "points to D but the visit has diagnoses A-B" in only(
        result, "dx-pointer-invalid").message


def test_a_line_all_by_the_pt_has_no_pta_units_and_no_cq() -> None:
    (line,) = ev(visit(L("97110", 30))).lines
    assert (line.pta_units, line.units) == (0, 2)
    assert "CQ" not in line.modifiers


def test_a_per_day_code_on_two_lines_counts_both_units() -> None:
    warning = only(ev(visit(L("97610"), L("97610"))), "per-day-code")
    assert warning.line == 0
    assert warning.message.endswith("bill 1 unit for the day (it has 2).")
    assert "per-day-code" not in ids(ev(visit(L("97610"))))


def test_an_indicator_1_pair_is_not_a_never_together_error() -> None:
    from rulekit import pair

    result = ev(visit(L("97140", 15), L("97530", 15)),
                MappingLookup(CODES, (pair("97140", "97530", indicator=1),)))
    assert "ncci-indicator-0" not in ids(result) and "ncci-pair" in ids(result)
    never = ev(visit(L("97140", 15), L("97530", 15)),
               MappingLookup(CODES, (pair("97140", "97530", indicator=0),)))
    assert "ncci-indicator-0" in ids(never) and "ncci-pair" not in ids(never)


def test_eight_minutes_in_all_earn_one_unit_the_other_line_ran_out() -> None:
    result = ev(visit(L("97110", 5), L("97140", 3)))
    assert [line.units for line in result.lines] == [1, 0]
    lost = only(result, "zero-units")
    assert lost.codes == ("97140",)
    assert "the 8 timed minutes earn 1 unit and they ran out" in lost.message


def test_hand_set_units_past_the_day_total_name_the_codes_that_have_units() -> None:
    result = ev(visit(L("97110", 20, units_override=2), L("97140", 2)))
    total = [w for w in result.warnings_with("units-need-more-minutes") if w.line is None]
    assert len(total) == 1 and total[0].codes == ("97110",)
    # a code with a single unit has units too
    both = ev(visit(L("97110", 20, units_override=2), L("97140", 2, units_override=1)))
    day = [w for w in both.warnings_with("units-need-more-minutes") if w.line is None]
    assert day[0].codes == ("97110", "97140")
    assert "2 timed units need at least 23 timed minutes in total" in total[0].message


def test_the_cq_note_says_which_units_carry_cq_and_why() -> None:
    shared = only(ev(visit(L("97110", 45, pta_minutes=15))), "assistant-units")
    assert shared.message == (
        "97110 (45 min, 15 by the PTA): 3 units, 1 with CQ (a full 15 minutes by the PTA) and "
        "2 without CQ (2 full 15 minutes by the PT): bill 97110 ×2 without CQ and 97110 CQ ×1.")
    pt_only = only(ev(visit(L("97110", 8, pta_minutes=1))), "assistant-units")
    assert "1 unit, 1 without CQ (" in pt_only.message and " with CQ (a full" not in (
        pt_only.message)
    assert pt_only.message.endswith(": no unit with CQ.")


def test_an_untimed_code_says_whether_the_pta_part_passes_10_percent() -> None:
    over = only(ev(visit(L("G0283", 30, pta_minutes=4))), "assistant-units")
    assert over.message == ("G0283 (30 min, 4 by the PTA): the PTA's part is more than 10% of "
                            "the service (de minimis): CQ on the line (paid at 85%).")
    under = only(ev(visit(L("G0283", 30, pta_minutes=3))), "assistant-units")
    assert under.message.endswith("is not more than 10% of the service (de minimis): no CQ.")


def test_work_hardening_after_a_bundled_code_on_medicare_is_still_flagged() -> None:
    result = ev(visit(L("97010"), L("97545", 120)))  # 97010: bundled on Medicare
    warning = only(result, "medicare-not-paid")
    assert warning.codes == ("97545",) and warning.line == 1
