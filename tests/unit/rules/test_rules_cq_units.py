"""CQ per unit: a line the PT and the PTA shared (``97110=36/pta23``).

Sources. CMS, "Billing Examples Using CQ/CO Modifiers for Services Furnished In Whole or In
Part by PTAs and OTAs" (cms.gov, Medicare therapy services; written after the CY2022 PFS final
rule, CMS-1751-F, 86 FR 64996). Our stored copy of that page holds only its background
section, so its first worked example is taken as CMS published it and a clinic blog
reproduced it ("Patient Scenario #1": PTA 23 minutes of 97110, PT 13 minutes of 97110, PT 30
minutes of 97140, 66 minutes = 4 units; "because at least 15 minutes were provided by the
PTA ..."): confidence M-H. The last-unit rule is the CY2022 final rule's as AOTA's practice
resource states it ("How to Apply the Medicare OTA Modifier", 2021): no modifier when the
therapist furnished 8 or more minutes of the final unit; the modifier when the assistant
furnished a whole unit, 8 or more minutes of the final unit, or more than 10% of a unit or
of an untimed service: confidence M. PT-CODING-FACTS §11 words the last unit as "whoever
furnished more of its minutes"; both readings agree on CMS's example and on 8/7 either way;
where they part (PT 5 + PTA 4, PT 8 + PTA 9) the note is marked verify (confidence L).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rulekit import CODES, COMMERCIAL_MIDPOINT, L, ev, ids, only, untimed, visit

from ptcodes_gui.domain.fees import CF_2026_NON_QP, FeeSchedule, Locality, Rvu, estimate_visit
from ptcodes_gui.domain.formatting import format_visit
from ptcodes_gui.domain.units import split_assistant_units
from ptcodes_gui.domain.visit import (
    MappingLookup,
    VisitLine,
    VisitResult,
    parse_line_entry,
    parse_line_spec,
)


def _claim(result: VisitResult) -> list[tuple[str, int, str, int | None]]:
    return [(c.code, c.units, " ".join(c.modifiers), c.minutes) for c in result.claim_lines]


# --------------------------------------------------------------------------- CMS's examples


def test_cms_example_1_pta_full_unit_with_cq_pt_majority_unit_without() -> None:
    # CMS scenario 1: PTA 23 + PT 13 minutes of 97110, PT 30 minutes of 97140: 66 minutes,
    # 4 units. 97140 ×2 (PT). 97110 (36 min) ×2: the PTA's full 15 minutes are one unit with
    # CQ; the last unit's 21 minutes are PTA 8 + PT 13: the PT furnished more: without CQ.
    result = ev(visit(L("97110", 36, pta_minutes=23), L("97140", 30)))
    assert result.total_units == 4
    assert _claim(result) == [
        ("97110", 1, "GP", 13),
        ("97110", 1, "GP CQ", 23),
        ("97140", 2, "GP", 30),
    ]
    line = result.lines[0]
    assert (line.units, line.pta_minutes, line.pta_units, line.cq_units) == (2, 23, 1, 1)
    note = only(result, "assistant-units")
    assert note.severity == "info" and note.line == 0
    assert "the PT furnished 13 of the last unit's 21 minutes, enough to bill it alone" in (
        note.message
    )
    assert not note.needs_verification
    assert "cms-cq-co-examples" in note.sources


def test_pt_and_pta_on_different_codes_each_code_decided_alone() -> None:
    # The PTA furnishes 20 minutes of 97110, the PT 10 minutes of 97140: 30 minutes, 2 units.
    # 97110 gets one (a full 15 by the PTA: CQ); the second unit goes to the code with the
    # most minutes left over (97140's 10 beat 97110's 5), furnished by the PT: no CQ.
    result = ev(visit(L("97110", 20, pta_minutes=20), L("97140", 10)))
    assert _claim(result) == [("97110", 1, "GP CQ", 20), ("97140", 1, "GP", 10)]


def test_pt_full_units_without_cq_pta_full_unit_with() -> None:
    # 97110 45 minutes: PT 30, PTA 15: 3 units, 2 without CQ and 1 with.
    result = ev(visit(L("97110", 45, pta_minutes=15)))
    assert _claim(result) == [("97110", 2, "GP", 30), ("97110", 1, "GP CQ", 15)]
    assert "bill 97110 ×2 without CQ and 97110 CQ ×1" in only(result, "assistant-units").message


# --------------------------------------------------------------------------- boundaries


def test_fifteen_full_pta_minutes_are_one_cq_unit() -> None:
    result = ev(visit(L("97110", 15, pta_minutes=15)))
    assert _claim(result) == [("97110", 1, "GP CQ", 15)]
    # the same as the all-PTA switch
    assert _claim(ev(visit(L("97110", 15, provider="pta")))) == [("97110", 1, "GP CQ", 15)]


@pytest.mark.parametrize(
    ("pta", "modifiers"),
    [(8, "GP CQ"), (7, "GP")],  # PTA 8 / PT 7: the PTA furnished more; PTA 7 / PT 8: the PT
)
def test_final_unit_split_8_7_goes_to_whoever_furnished_more(pta: int, modifiers: str) -> None:
    result = ev(visit(L("97110", 15, pta_minutes=pta)))
    assert _claim(result) == [("97110", 1, modifiers, 15)]
    assert only(result, "assistant-units").confidence == "M"


def test_final_unit_even_split_7_7_carries_cq() -> None:
    # 7 + 7 = 14 minutes, 1 unit: the PT's 7 are fewer than the 8 that bill a unit alone,
    # and the PTA's 7 are more than 10% of a unit: CQ (AOTA on the CY2022 rule).
    result = ev(visit(L("97110", 14, pta_minutes=7)))
    assert _claim(result) == [("97110", 1, "GP CQ", 14)]
    note = only(result, "assistant-units")
    assert not note.needs_verification and "fewer than 8" in note.message


@pytest.mark.parametrize(
    ("minutes", "pta", "modifiers"),
    [
        (9, 4, "GP CQ"),  # PT 5 + PTA 4: the PT cannot bill the unit alone: CQ
        (17, 9, "GP"),  # PT 8 + PTA 9: the PT could bill the unit alone: no CQ
    ],
)
def test_where_the_two_readings_of_the_last_unit_part_ways_it_says_verify(
    minutes: int, pta: int, modifiers: str
) -> None:
    result = ev(visit(L("97110", minutes, pta_minutes=pta)))
    assert _claim(result) == [("97110", 1, modifiers, minutes)]
    note = only(result, "assistant-units")
    assert note.needs_verification and "verify" in note.message


@pytest.mark.parametrize(("pta", "modifiers"), [(1, "GP"), (2, "GP CQ")])
def test_last_unit_de_minimis_is_10_percent_of_a_unit(pta: int, modifiers: str) -> None:
    # PT 7 + PTA 1 (8 minutes, 1 unit): the PTA's minute is not more than 10% of 15; 2 are.
    result = ev(visit(L("97110", 7 + pta, pta_minutes=pta)))
    assert _claim(result) == [("97110", 1, modifiers, 7 + pta)]


@pytest.mark.parametrize(
    ("minutes", "pta", "cq"),
    [(20, 2, False), (20, 3, True), (30, 3, False), (30, 4, True)],  # exactly 10% / just over
)
def test_untimed_code_de_minimis_ten_percent(minutes: int, pta: int, cq: bool) -> None:
    result = ev(visit(L("G0283", minutes, pta_minutes=pta)))
    assert _claim(result) == [("G0283", 1, "GP CQ" if cq else "GP", minutes)]
    assert ("not more than 10%" in only(result, "assistant-units").message) is not cq


def test_timed_code_is_decided_per_unit_not_by_the_pta_share_of_the_day() -> None:
    # 15 of 150 minutes is exactly 10% of the service, yet the PTA's full 15 minutes are a
    # unit of their own: CQ on that unit (CMS decides timed codes unit by unit).
    result = ev(visit(L("97110", 150, pta_minutes=15)))
    assert _claim(result) == [("97110", 9, "GP", 135), ("97110", 1, "GP CQ", 15)]


def test_a_pta_remainder_that_earns_no_unit_adds_no_cq() -> None:
    # 97110 20 minutes, PTA 4: 1 unit, the PT's full 15 minutes; the 5 left over earn none.
    result = ev(visit(L("97110", 20, pta_minutes=4)))
    assert _claim(result) == [("97110", 1, "GP", 20)]


# --------------------------------------------------------------------------- the arithmetic


@given(
    st.integers(0, 120).flatmap(lambda m: st.tuples(st.just(m), st.integers(0, m))),
    st.integers(0, 9),
    st.booleans(),
)
def test_split_is_bounded_and_grows_with_the_pta_minutes(
    pair: tuple[int, int], units: int, timed: bool
) -> None:
    minutes, pta = pair
    split = split_assistant_units(units, minutes, pta, timed=timed)
    assert 0 <= split.assistant_units <= units
    assert split.assistant_units + split.therapist_units == units
    if pta == 0:
        assert split.assistant_units == 0
    if pta == minutes and minutes:
        assert split.assistant_units == units
    if pta < minutes:
        more = split_assistant_units(units, minutes, pta + 1, timed=timed)
        assert more.assistant_units >= split.assistant_units


def test_split_refuses_pta_minutes_over_the_line() -> None:
    with pytest.raises(ValueError, match="more than the line's 10"):
        split_assistant_units(1, 10, 11)


# --------------------------------------------------------------------------- the visit


def test_cq_only_under_medicare_but_the_pta_units_are_still_reported() -> None:
    result = ev(visit(L("97110", 36, pta_minutes=23), profile=COMMERCIAL_MIDPOINT))
    line = result.lines[0]
    assert (line.units, line.pta_units, line.cq_units) == (2, 1, 0)
    assert _claim(result) == [("97110", 2, "GP", 36)]
    assert "assistant-units" not in ids(result)


def test_units_set_by_hand_are_split_too() -> None:
    result = ev(visit(L("97110", 36, pta_minutes=23, units_override=1)))
    assert _claim(result) == [("97110", 1, "GP CQ", 36)]  # the PTA's full unit first


def test_evaluation_with_pta_minutes_is_an_error() -> None:
    result = ev(visit(L("97162", 45, pta_minutes=10)))
    error = only(result, "pta-evaluation")
    assert error.severity == "error" and "Clear its PTA minutes" in error.message


def test_the_cq_half_counts_toward_the_modifier_limit() -> None:
    line = L("97110", 36, pta_minutes=23, extra_modifiers=("59", "XU"))
    result = ev(visit(line, kx=True))
    assert "too-many-modifiers" in ids(result)  # GP CQ KX 59 XU on the CQ half
    assert "too-many-modifiers" not in ids(ev(visit(L("97110", 36, extra_modifiers=("59", "XU")),
                                                    kx=True)))


def test_copied_text_and_json_show_the_split() -> None:
    result = ev(visit(L("97110", 36, pta_minutes=23), L("97140", 30)))
    text = format_visit(result, "text")
    assert text.splitlines()[:4] == [
        "97110 GP x1 A (13 of 36 min by the PT)",
        "97110 GP CQ x1 A (23 of 36 min by the PTA)",
        "97140 GP x2 A (30 min)",
        "Timed: 66 min, 4 units",
    ]
    assert format_visit(result, "codes") == "97110 x2, 97140 x2"
    rows = format_visit(result, "tsv").splitlines()[1:]
    assert [row.split("\t")[:4] for row in rows] == [
        ["97110", "GP", "1", "13"], ["97110", "GP CQ", "1", "23"], ["97140", "GP", "2", "30"]
    ]


def test_the_estimate_pays_85_percent_on_the_cq_units_only() -> None:
    locality = Locality("13202", "01", "NY", "MANHATTAN",
                        Decimal("1.064"), Decimal("1.162"), Decimal("1.586"))
    rvu = Rvu("97110", "", "A", Decimal("0.45"), Decimal("0.40"), Decimal("0.02"),
              CF_2026_NON_QP, "5")
    schedule = FeeSchedule("CMS PFS RVU 2026 July (test)", {"97110": rvu},
                           {locality.id: locality})
    result = ev(visit(L("97110", 36, pta_minutes=23)))
    est = estimate_visit(result.claim_lines, schedule, locality.id)
    # first unit in full $32.58 (no CQ); second unit, PE at 50% $24.81, × 0.85 = $21.09
    assert [(line.units, line.assistant, line.amount) for line in est.lines] == [
        (1, False, Decimal("32.58")),
        (1, True, Decimal("21.09")),
    ]
    assert est.total == Decimal("53.67")


# --------------------------------------------------------------------------- input


def test_parse_line_entry_grammar() -> None:
    assert parse_line_entry("97110=38/pta15") == ("97110", 38, 15)
    assert parse_line_entry(" 97110 = 38 / PTA 15 ") == ("97110", 38, 15)
    assert parse_line_entry("97110=23") == ("97110", 23, None)
    assert parse_line_entry("97010") == ("97010", None, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("97110=38/pta50", "the PTA's 50 minutes are more than the line's 38"),
        ("97110=38/ptax", "after '/' write pta and the PTA's minutes, e.g. 97110=38/pta15"),
        ("97110=38/15", "after '/' write pta"),
        ("97110=38/pta", "after '/' write pta"),
        ("97110/pta15", "need the line's minutes first"),
        ("97110=abc/pta3", "not a whole number"),
    ],
)
def test_parse_line_entry_refuses_with_one_sentence(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"^'") as caught:
        parse_line_entry(text)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_the_entry_field_grammar_refuses_a_pta_part_rather_than_drop_it() -> None:
    with pytest.raises(ValueError, match="not taken here"):
        parse_line_spec("97110=38/pta15")


def test_visit_line_checks_pta_minutes() -> None:
    with pytest.raises(ValueError, match="whole number from 0 to 1440"):
        VisitLine("97110", 10, pta_minutes=-1)
    assert VisitLine("97110", 30, provider="pta", pta_minutes=5).assistant_minutes == 30
    assert VisitLine("97110", 30, pta_minutes=5).shared


def test_minutes_lowered_below_the_pta_minutes_is_an_error_not_a_refusal() -> None:
    # the window commits each keystroke: retyping 36 as 20 must not be refused on the way
    result = ev(visit(L("97110", 20, pta_minutes=23)))
    error = only(result, "pta-minutes-over")
    assert error.severity == "error" and error.line == 0
    assert "the PTA's 23 minutes are more than the line's 20" in error.message
    assert result.lines[0].pta_minutes == 20  # counted as every minute by the PTA meanwhile
    assert "pta-minutes-over" in ids(ev(visit(L("97110", None, pta_minutes=5))))


def test_the_shared_line_gets_its_note_when_it_is_not_the_first_line() -> None:
    result = ev(visit(L("97140", 30), L("97110", 36, pta_minutes=23)))
    note = only(result, "assistant-units")
    assert note.line == 1 and "bill 97110 ×1 without CQ and 97110 CQ ×1" in note.message


def test_an_orthosis_the_pta_helped_fit_has_no_cq_and_no_note_saying_so() -> None:
    """A DMEPOS L-code carries no GP, so no CQ: neither the claim nor a note speaks of CQ."""
    lookup = MappingLookup([*CODES, untimed("L1833", system="hcpcs", discipline="DME")])
    result = ev(visit(L("L1833", 20, extra_modifiers=("RT",), pta_minutes=5)), lookup)
    assert _claim(result) == [("L1833", 1, "RT", 20)]
    assert "assistant-units" not in ids(result)


def test_a_line_that_gets_no_unit_shows_no_cq() -> None:
    """97110=5 (3 by the PTA) beside 97140=30: 97110 gets no unit, so its Modifiers cell
    shows GP alone, not CQ."""
    result = ev(visit(L("97110", 5, pta_minutes=3), L("97140", 30)))
    assert [(line.units, line.modifiers) for line in result.lines] == [
        (0, ("GP",)), (2, ("GP",))]


def test_units_lowered_by_hand_on_a_shared_line_keep_the_ptas_cq_unit() -> None:
    """97110=50/pta15 set by hand to 2 units: the PTA's full 15 minutes are the CQ unit, the
    PT's 35 minutes the other; two claim lines of 1 unit each."""
    result = ev(visit(L("97110", 50, pta_minutes=15, units_override=2)))
    assert _claim(result) == [("97110", 1, "GP", 35), ("97110", 1, "GP CQ", 15)]
    assert only(result, "assistant-units").message == (
        "97110 (50 min, 15 by the PTA): 2 units, 1 with CQ (a full 15 minutes by the PTA) and "
        "1 without CQ (a full 15 minutes by the PT): bill 97110 ×1 without CQ and 97110 CQ ×1.")
