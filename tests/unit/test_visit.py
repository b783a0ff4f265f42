"""Visit rules: units per line, modifiers, NCCI pairs and every warning id."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptcodes_gui.domain.models import Code, NcciPair
from ptcodes_gui.domain.profiles import COMMERCIAL_MIDPOINT, MEDICARE, PayerProfile
from ptcodes_gui.domain.units import cms_total_units, midpoint_units
from ptcodes_gui.domain.visit import (
    DISTINCT_MODIFIERS,
    CodeLookup,
    MappingLookup,
    Visit,
    VisitLine,
    VisitResult,
    VisitTie,
    Warning,
    add_diagnosis,
    add_line,
    evaluate,
    validate_new_diagnosis,
    validate_new_line,
)

ON = date(2026, 11, 26)


def _timed(code: str, title: str, category: str = "therapeutic_procedure", **kw: object) -> Code:
    return Code(
        code=code,
        system="cpt",
        title=title,
        category=category,
        timed=True,
        unit_minutes=15,
        attendance="constant",
        **kw,  # type: ignore[arg-type]
    )


def _untimed(code: str, title: str, category: str, system: str = "cpt", **kw: object) -> Code:
    return Code(code=code, system=system, title=title, category=category, **kw)  # type: ignore[arg-type]


def _icd(code: str, title: str, billable: bool = True, **kw: object) -> Code:
    return Code(
        code=code,
        system="icd10cm",
        title=title,
        category="diagnosis",
        billable=billable,
        **kw,  # type: ignore[arg-type]
    )


CODES: tuple[Code, ...] = (
    _timed("97110", "Therapeutic exercise"),
    _timed("97112", "Neuromuscular re-education"),
    _timed("97140", "Manual therapy"),
    _timed("97530", "Therapeutic activities"),
    _timed("97032", "Attended electrical stimulation", "constant_attendance_modality"),
    _timed(
        "97129",
        "Cognitive function intervention, first 15 minutes",
        first_unit_minutes=15,
        addons=("97130",),
    ),
    _timed(
        "97130", "Cognitive function intervention, each additional 15 minutes", addon_to=("97129",)
    ),
    _timed(
        "97550",
        "Caregiver training, first 30 minutes",
        first_unit_minutes=30,
        addons=("97551",),
    ),
    _timed("97551", "Caregiver training, each additional 15 minutes", addon_to=("97550",)),
    Code(
        code="97545",
        system="cpt",
        title="Work hardening, first 2 hours",
        category="therapeutic_procedure",
        timed=True,
        unit_minutes=60,
        first_unit_minutes=120,
        addons=("97546",),
        not_medicare=True,
    ),
    Code(
        code="97546",
        system="cpt",
        title="Work hardening, each additional hour",
        category="therapeutic_procedure",
        timed=True,
        unit_minutes=60,
        addon_to=("97545",),
        not_medicare=True,
    ),
    _untimed("97010", "Hot or cold packs", "supervised_modality", medicare_status="B"),
    _untimed(
        "97014", "Unattended electrical stimulation", "supervised_modality", not_medicare=True
    ),
    _untimed("G0283", "Unattended electrical stimulation (Medicare)", "other", system="hcpcs"),
    _untimed("97161", "PT evaluation, low complexity", "evaluation"),
    _untimed("97162", "PT evaluation, moderate complexity", "evaluation"),
    _untimed("97164", "PT re-evaluation", "evaluation"),
    _untimed("97165", "OT evaluation, low complexity", "evaluation", discipline="OT"),
    _untimed("97169", "Athletic trainer evaluation, low", "evaluation", discipline="AT"),
    _untimed("97150", "Group therapeutic procedures", "therapeutic_procedure"),
    _untimed("95992", "Canalith repositioning, per day", "other"),
    Code(
        code="97127",
        system="cpt",
        title="Cognitive intervention (deleted)",
        category="therapeutic_procedure",
        status="deleted",
        replaced_by=("97129", "97130"),
        deleted_year=2020,
    ),
    Code(code="GP", system="modifier", title="PT plan of care", category="modifier"),
    _icd("M25.561", "Pain in right knee"),
    _icd("M25.562", "Pain in left knee"),
    _icd("M25.569", "Pain in unspecified knee"),
    _icd(
        "M25.56",
        "Pain in knee",
        billable=False,
        children=(
            ("M25.561", "Pain in right knee"),
            ("M25.562", "Pain in left knee"),
            ("M25.569", "Pain in unspecified knee"),
        ),
    ),
    _icd("M54.50", "Low back pain, unspecified"),
    _icd("R26.2", "Difficulty in walking"),
)

MT_TA = NcciPair(
    column1="97140",
    column2="97530",
    indicator=1,
    source="facts",
    confidence="M-H",
    as_of="2026-10-01",
)
# Invented for these tests only: no such edit exists.
TEST_ONLY_IND0 = NcciPair(
    column1="97112",
    column2="97032",
    indicator=0,
    source="test-only",
    confidence="M",
    as_of="2026-10-01",
)
PAIRS = (
    MT_TA,
    TEST_ONLY_IND0,
    NcciPair("97110", "97112", 9, "test-only", "L", "2026-10-01"),  # indicator 9: ignored
    NcciPair("97161", "97140", 1, "test-only", "M", "2019-01-01", deleted="2021-01-01"),
    NcciPair("97110", "97140", 1, "test-only", "M", "2026-10-01", effective="2027-01-01"),
)
LOOKUP = MappingLookup(CODES, PAIRS)


def ev(visit: Visit, lookup: CodeLookup = LOOKUP) -> VisitResult:
    return evaluate(visit, lookup, on=ON)


def visit(*lines: VisitLine, **kw: object) -> Visit:
    return Visit(lines=lines, **kw)  # type: ignore[arg-type]


def ids(result: VisitResult) -> list[str]:
    return [w.code for w in result.warnings]


def only(result: VisitResult, code: str) -> Warning:
    found = result.warnings_with(code)
    assert len(found) == 1, result.warnings
    return found[0]


def units(result: VisitResult) -> list[tuple[str, int]]:
    return [(line.code, line.units) for line in result.lines]


def L(code: str, minutes: int | None = None, **kw: object) -> VisitLine:  # noqa: N802
    return VisitLine(code, minutes, **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- inputs


def test_lookup_protocol() -> None:
    lookup: CodeLookup = LOOKUP
    assert lookup.get(" 97110 ") is not None
    assert lookup.get("99999") is None
    assert lookup.ncci_pairs(["97140", "97530", "97112"]) == [MT_TA]
    assert [c for c, _ in lookup.children("M25.56")] == ["M25.561", "M25.562", "M25.569"]
    assert lookup.children("M25.561") == []


def test_visit_line_normalizes() -> None:
    line = VisitLine(" 97110 ", 10, extra_modifiers=(" xu", "XU", "59"), dx_pointers=("a", "A"))
    assert line.code == "97110"
    assert line.extra_modifiers == ("XU", "59")
    assert line.dx_pointers == ("A",)
    assert Visit(diagnoses=("m25561", " M54.50 ")).diagnoses == ("M25.561", "M54.50")
    assert Visit().profile is MEDICARE  # the default profile


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"minutes": -1}, "minutes"),
        ({"minutes": 2000}, "minutes"),
        ({"minutes": True}, "minutes"),
        ({"provider": "ot"}, "provider"),
        ({"units_override": -1}, "units"),
        ({"extra_modifiers": ("XYZ",)}, "not a modifier"),
        ({"extra_modifiers": "59"}, "tuple"),
        ({"dx_pointers": ("AB",)}, "one letter"),
        ({"dx_pointers": ("1",)}, "one letter"),
        ({"telehealth": "02"}, "telehealth"),
    ],
)
def test_visit_line_rejects_bad_values(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        VisitLine("97110", **kwargs)  # type: ignore[arg-type]


def test_visit_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="not a code"):
        VisitLine("97110; DROP")
    with pytest.raises(ValueError, match="telehealth"):
        Visit(telehealth="99")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="PayerProfile"):
        Visit(profile="Medicare")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="VisitLine"):
        Visit(lines=("97110",))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("lines", "expected", "total"),
    [
        ([("97112", 24), ("97110", 23)], [("97112", 2), ("97110", 1)], 3),
        ([("97112", 20), ("97110", 20)], [("97112", 2), ("97110", 1)], 3),
        ([("97110", 33), ("97140", 7)], [("97110", 2), ("97140", 1)], 3),
        (
            [("97110", 10), ("97140", 10), ("97032", 10)],
            [("97110", 1), ("97140", 1), ("97032", 0)],
            2,
        ),
        ([("97110", 7), ("97140", 7)], [("97110", 1), ("97140", 0)], 1),
    ],
)
def test_cms_units_in_a_visit(
    lines: list[tuple[str, int]], expected: list[tuple[str, int]], total: int
) -> None:
    result = ev(visit(*(L(c, m) for c, m in lines)))
    assert units(result) == expected
    assert result.timed_units == result.total_units == total
    assert result.total_timed_minutes == sum(m for _, m in lines)


@pytest.mark.parametrize(
    ("lines", "expected", "total"),
    [
        ([("97110", 10), ("97140", 10), ("97032", 10)], [1, 1, 1], 3),
        ([("97110", 7), ("97140", 7)], [0, 0], 0),
        ([("97112", 24), ("97110", 23)], [2, 2], 4),
    ],
)
def test_midpoint_units_in_a_visit(
    lines: list[tuple[str, int]], expected: list[int], total: int
) -> None:
    result = ev(visit(*(L(c, m) for c, m in lines), profile=COMMERCIAL_MIDPOINT))
    assert [line.units for line in result.lines] == expected
    assert result.total_units == total
    assert result.ties == ()


def test_untimed_and_group_are_one_unit_and_not_timed_minutes() -> None:
    result = ev(visit(L("97161", 45), L("97150", 30), L("97110", 20)))
    assert units(result) == [("97161", 1), ("97150", 1), ("97110", 1)]
    assert result.total_timed_minutes == 20
    assert result.timed_units == 1 and result.untimed_units == 2 and result.total_units == 3
    assert [line.timed for line in result.lines] == [False, False, True]


def test_tie_is_shown_as_a_choice() -> None:
    result = ev(visit(L("97112", 20), L("97110", 20)))
    assert result.ties == (
        VisitTie(
            line_indices=(0, 1),
            codes=("97112", "97110"),
            units=1,
            remaining_minutes=5,
            default_line_indices=(0,),
            resolved=False,
        ),
    )
    assert [line.by_default for line in result.lines] == [True, False]
    tie = only(result, "unit-tie")
    assert tie.severity == "warning"
    assert tie.codes == ("97112", "97110")
    assert "clinician chooses" in tie.message and "97112" in tie.message


def test_tie_resolved_by_setting_units() -> None:
    result = ev(visit(L("97112", 20, units_override=1), L("97110", 20, units_override=2)))
    assert result.ties[0].resolved
    assert "unit-tie" not in ids(result)
    assert units(result) == [("97112", 1), ("97110", 2)]
    assert [line.by_default for line in result.lines] == [False, False]
    assert "units-need-more-minutes" not in ids(result)
    assert result.lines[0].overridden and result.lines[0].computed_units == 2


def test_caregiver_training_is_counted_on_its_own() -> None:
    result = ev(visit(L("97110", 10), L("97550", 30), L("97551", 20)))
    assert units(result) == [("97110", 1), ("97550", 1), ("97551", 1)]
    assert result.total_timed_minutes == 10  # 97550/97551 stay out of the 15-minute pool
    assert result.separate_timed_minutes == 50
    assert result.timed_units == 3
    assert [line.counting for line in result.lines] == ["pool", "separate", "separate"]
    notes = result.warnings_with("separate-unit-length")
    assert len(notes) == 2 and all(n.severity == "info" for n in notes)
    assert "16+ minutes" in notes[0].message and "97551" in notes[0].message


@pytest.mark.parametrize(("minutes", "expected"), [(15, 0), (16, 1), (30, 1), (44, 1)])
def test_97550_needs_more_than_half_of_30(minutes: int, expected: int) -> None:
    result = ev(visit(L("97550", minutes)))
    assert result.lines[0].units == expected


def test_97550_time_beyond_30_belongs_on_97551() -> None:
    result = ev(visit(L("97550", 50)))
    assert result.lines[0].units == 1
    note = only(result, "separate-unit-length")
    assert note.severity == "warning"
    assert note.suggestions == ("97551",)
    assert "enter the 20 minutes beyond on 97551" in note.message


def test_first_block_code_is_billed_once_even_without_addons_listed() -> None:
    original = LOOKUP.get("97550")
    assert original is not None
    bare = replace(original, addons=())
    lookup = MappingLookup((*CODES, bare), PAIRS)
    result = ev(visit(L("97550", 50)), lookup)
    assert result.lines[0].units == 1
    assert "its add-on code" in only(result, "separate-unit-length").message
    overridden = ev(visit(L("97550", 50, units_override=2)))
    assert "97551" in only(overridden, "use-addon-code").message
    assert "units-need-more-minutes" not in ids(overridden)


def test_work_hardening_hours() -> None:
    result = ev(visit(L("97545", 120), L("97546", 31), profile=COMMERCIAL_MIDPOINT))
    assert units(result) == [("97545", 1), ("97546", 1)]
    result = ev(visit(L("97545", 60), profile=COMMERCIAL_MIDPOINT))
    assert units(result) == [("97545", 0)]


@given(st.lists(st.integers(min_value=0, max_value=120), min_size=1, max_size=5))
def test_visit_units_match_the_rules(minutes: list[int]) -> None:
    codes = ["97110", "97112", "97140", "97530", "97032"]
    lines = [L(codes[i], m) for i, m in enumerate(minutes)]
    cms = ev(visit(*lines))
    assert cms.timed_units == cms_total_units(sum(minutes))
    assert sum(line.units for line in cms.lines) == cms.total_units
    mid = ev(visit(*lines, profile=COMMERCIAL_MIDPOINT))
    assert [line.units for line in mid.lines] == [midpoint_units(m) for m in minutes]


# --------------------------------------------------------------------------- modifiers


def test_modifier_order_and_dedupe() -> None:
    result = ev(
        visit(
            L("97110", 23, provider="pta", extra_modifiers=("GP", "59")),
            L("97140", 15, telehealth="93"),
            kx=True,
            telehealth="95",
        )
    )
    assert result.lines[0].modifiers == ("GP", "CQ", "KX", "95", "59")
    assert result.lines[1].modifiers == ("GP", "KX", "93")


def test_therapy_modifiers_by_discipline() -> None:
    result = ev(visit(L("97110", 15), L("G0283"), L("95992"), L("97165")))
    assert [line.modifiers for line in result.lines] == [("GP",), ("GP",), ("GP",), ("GO",)]
    other = only(result, "other-discipline")
    assert other.codes == ("97165",) and "an OT code (it carries GO)" in other.message
    at = ev(visit(L("97169")))
    assert at.lines[0].modifiers == ()
    assert "athletic trainer" in only(at, "other-discipline").message


def test_too_many_modifiers() -> None:
    line = L("97110", 15, provider="pta", extra_modifiers=("59", "XU"))
    result = ev(visit(line, kx=True))
    assert result.lines[0].modifiers == ("GP", "CQ", "KX", "59", "XU")
    assert only(result, "too-many-modifiers").severity == "warning"


# --------------------------------------------------------------------------- NCCI


def test_ncci_pair_indicator_1_suggests_on_column_2() -> None:
    result = ev(visit(L("97140", 15), L("97530", 23)))
    assert result.lines[0].suggested_modifiers == ()
    assert (
        result.lines[1].suggested_modifiers
        == DISTINCT_MODIFIERS
        == (
            "59",
            "XE",
            "XS",
            "XP",
            "XU",
        )
    )
    pair = only(result, "ncci-pair")
    assert pair.severity == "warning"
    assert pair.message == (
        "97140 and 97530 are an NCCI pair: bill both only for separate time blocks and add 59 "
        "or XU to 97530 (the column-2 code takes the modifier)."
    )
    assert pair.codes == ("97140", "97530") and pair.line == 1
    # The details are one click away, not in the sentence.
    assert (pair.confidence, pair.as_of) == ("M-H", "2026-10-01")
    assert pair.sources == ("ncci-ptp-practitioner",)


def test_ncci_pair_with_modifier_is_info_only() -> None:
    result = ev(visit(L("97140", 15), L("97530", 23, extra_modifiers=("XU",))))
    assert result.lines[1].suggested_modifiers == ()
    pair = only(result, "ncci-pair")
    assert pair.severity == "info"
    assert "carries XU" in pair.message


def test_ncci_indicator_0_never_suggests_a_modifier() -> None:
    result = ev(visit(L("97112", 15), L("97032", 15)))
    assert all(line.suggested_modifiers == () for line in result.lines)
    error = only(result, "ncci-indicator-0")
    assert error.severity == "error"
    assert "no modifier" in error.message and "Remove 97032" in error.message
    assert "ncci-pair" not in ids(result)


def test_ncci_ignores_indicator_9_deleted_and_future_pairs() -> None:
    result = ev(visit(L("97110", 15), L("97112", 15), L("97140", 15), L("97161")))
    assert "ncci-pair" not in ids(result) and "ncci-indicator-0" not in ids(result)
    later = evaluate(visit(L("97110", 15), L("97140", 15)), LOOKUP, on=date(2027, 2, 1))
    assert "ncci-pair" in ids(later)


def test_ncci_skips_lines_with_no_units() -> None:
    result = ev(visit(L("97140", 15), L("97530", 0)))
    assert "ncci-pair" not in ids(result)


# --------------------------------------------------------------------------- warnings


def test_medicare_bundled_only_on_medicare() -> None:
    warning = only(ev(visit(L("97010"))), "medicare-bundled")
    assert warning.severity == "warning" and "never paid separately" in warning.message
    assert "medicare-bundled" not in ids(ev(visit(L("97010"), profile=COMMERCIAL_MIDPOINT)))


def test_medicare_use_g0283() -> None:
    warning = only(ev(visit(L("97014"))), "medicare-use-g0283")
    assert warning.severity == "error"
    assert warning.suggestions == ("G0283",)
    assert "bill G0283" in warning.message
    assert "medicare-not-paid" not in ids(ev(visit(L("97014"))))
    assert "medicare-use-g0283" not in ids(ev(visit(L("97014"), profile=COMMERCIAL_MIDPOINT)))


def test_not_medicare() -> None:
    result = ev(visit(L("97545", 120), L("97546", 60)))
    assert len(result.warnings_with("medicare-not-paid")) == 2


def test_eval_and_reeval() -> None:
    warning = only(ev(visit(L("97162"), L("97164"))), "eval-and-reeval")
    assert warning.codes == ("97162", "97164")
    assert "keep the one that was done" in warning.message
    assert "multiple-evaluations" in ids(ev(visit(L("97161"), L("97162"))))


def test_pta_cannot_evaluate() -> None:
    warning = only(ev(visit(L("97161", provider="pta"))), "pta-evaluation")
    assert warning.severity == "error" and "Set the provider to PT" in warning.message


def test_deleted_code_is_flagged_with_replacements() -> None:
    result = ev(visit(L("97127", 15), L("97110", 15)))
    warning = only(result, "deleted-code")
    assert warning.severity == "error"
    assert warning.suggestions == ("97129", "97130")
    assert "deleted in 2020" in warning.message and "use 97129" in warning.message
    line = result.lines[0]
    assert line.refused and not line.billed and line.units == 0 and line.modifiers == ()
    assert result.total_timed_minutes == 15


def test_unknown_and_misplaced_codes() -> None:
    result = ev(visit(L("99999", 10), L("M25.561"), L("GP")))
    assert ids(result).count("unknown-code") == 1
    assert ids(result).count("not-a-procedure") == 2
    assert all(line.refused for line in result.lines)
    assert result.total_units == 0


def test_addon_without_primary() -> None:
    warning = only(ev(visit(L("97130", 15))), "addon-without-primary")
    assert warning.severity == "error"
    assert warning.suggestions == ("97129",)
    assert "add 97129" in warning.message
    assert "addon-without-primary" not in ids(ev(visit(L("97129", 15), L("97130", 15))))
    assert "addon-without-primary" in ids(ev(visit(L("97551", 15))))
    assert "addon-without-primary" not in ids(ev(visit(L("97550", 30), L("97551", 15))))


def test_primary_billed_once_points_to_the_addon() -> None:
    warning = only(ev(visit(L("97129", 30))), "use-addon-code")
    assert warning.suggestions == ("97130",)
    assert "bill 1 unit of 97129" in warning.message


def test_daily_cap_exceeded() -> None:
    capped = PayerProfile("Capped", "cms", daily_timed_unit_cap=4)
    result = ev(visit(L("97110", 38), L("97140", 30), profile=capped))
    assert result.timed_units == 5
    warning = only(result, "daily-cap-exceeded")
    assert "at most 4 timed units" in warning.message and "bill 4" in warning.message
    assert "daily-cap-exceeded" not in ids(ev(visit(L("97110", 53), profile=capped)))


def test_override_and_units_need_more_minutes_cms_total() -> None:
    result = ev(visit(L("97110", 20, units_override=2), L("97140", 10)))
    assert units(result) == [("97110", 2), ("97140", 1)]
    assert only(result, "unit-override").severity == "info"
    warning = only(result, "units-need-more-minutes")
    assert warning.line is None
    assert "3 timed units need at least 38 timed minutes" in warning.message
    assert "this visit has 30" in warning.message


def test_units_need_more_minutes_cms_per_line() -> None:
    # Total fits (40 min → 3 units) but 20 minutes can never carry 3 units.
    result = ev(visit(L("97110", 20, units_override=3), L("97140", 20, units_override=0)))
    warning = only(result, "units-need-more-minutes")
    assert warning.line == 0 and "97110: 3 units need at least 31 minutes" in warning.message


def test_units_need_more_minutes_midpoint() -> None:
    result = ev(visit(L("97110", 20, units_override=2), profile=COMMERCIAL_MIDPOINT))
    warning = only(result, "units-need-more-minutes")
    assert "2 units need at least 23 minutes" in warning.message
    ok = ev(visit(L("97110", 23, units_override=2), profile=COMMERCIAL_MIDPOINT))
    assert "units-need-more-minutes" not in ids(ok)
    assert "unit-override" not in ids(ok)  # same as the rule: nothing to say


def test_untimed_override() -> None:
    result = ev(visit(L("97161", units_override=2)))
    assert result.lines[0].units == 2 and result.untimed_units == 2
    assert "an untimed code is 1 unit per session" in only(result, "unit-override").message
    assert "use-addon-code" not in ids(result)


def test_lower_override_is_info_only() -> None:
    result = ev(visit(L("97110", 38, units_override=2)))
    assert only(result, "unit-override").severity == "info"
    assert "units-need-more-minutes" not in ids(result)


def test_zero_units_and_missing_minutes() -> None:
    zero = only(ev(visit(L("97110", 5))), "zero-units")
    assert zero.severity == "info" and "stays off the claim" in zero.message
    tie_loser = only(ev(visit(L("97110", 7), L("97140", 7))), "zero-units")
    assert "lost a tie" in tie_loser.message and tie_loser.line == 1
    missing = ev(visit(L("97110")))
    assert only(missing, "missing-minutes").severity == "warning"
    assert missing.lines[0].units == 0


def test_duplicate_code() -> None:
    warning = only(ev(visit(L("97110", 10), L("97110", 10))), "duplicate-code")
    assert "put all its minutes on one line" in warning.message


# --------------------------------------------------------------------------- diagnoses


def test_diagnoses_are_lettered() -> None:
    result = ev(visit(L("97110", 15, dx_pointers=("A", "B")), diagnoses=("M25.561", "R26.2")))
    assert [(d.letter, d.code, d.billable) for d in result.diagnoses] == [
        ("A", "M25.561", True),
        ("B", "R26.2", True),
    ]
    assert result.lines[0].dx_pointers == ("A", "B")
    assert result.warnings == ()


def test_header_diagnosis_offers_billable_children() -> None:
    result = ev(visit(L("97110", 15, dx_pointers=("A",)), diagnoses=("M25.56",)))
    warning = only(result, "header-diagnosis")
    assert warning.severity == "error"
    assert warning.suggestions == ("M25.561", "M25.562", "M25.569")
    assert warning.message.startswith("Diagnosis A: M25.56 is a category header")
    assert "M25.561 (Pain in right knee)" in warning.message
    assert not result.diagnoses[0].billable


def test_too_many_diagnoses() -> None:
    thirteen = ("M25.561",) * 13
    result = ev(visit(diagnoses=thirteen))
    warning = only(result, "too-many-diagnoses")
    assert warning.severity == "error" and "remove 1" in warning.message
    assert result.diagnoses[-1].letter is None
    assert result.diagnoses[11].letter == "L"


def test_unknown_and_misplaced_diagnoses() -> None:
    result = ev(visit(diagnoses=("Z99.999", "97110")))
    assert ids(result) == ["unknown-diagnosis", "not-a-diagnosis"]


def test_duplicate_diagnosis() -> None:
    warning = only(ev(visit(diagnoses=("M25.561", "M25.561"))), "duplicate-diagnosis")
    assert "remove B" in warning.message


def test_pointer_problems() -> None:
    result = ev(
        visit(
            L("97110", 15, dx_pointers=("C",)),
            L("97140", 15, dx_pointers=("A", "B", "C", "D", "E")),
            L("97530", 15),
            diagnoses=("M25.561", "R26.2"),
        )
    )
    invalid = result.warnings_with("dx-pointer-invalid")
    assert [w.line for w in invalid] == [0, 1]
    assert "points to C but the visit has diagnoses A-B" in invalid[0].message
    assert only(result, "too-many-dx-pointers").line == 1
    assert only(result, "no-dx-pointer").line == 2


def test_no_diagnosis() -> None:
    result = ev(visit(L("97110", 15, dx_pointers=("A",))))
    assert only(result, "no-diagnosis").severity == "warning"
    assert "the visit has no diagnoses" in only(result, "dx-pointer-invalid").message


# --------------------------------------------------------------------------- adding


def test_validate_new_line() -> None:
    assert validate_new_line("97110", LOOKUP) == []
    (deleted,) = validate_new_line("97127", LOOKUP)
    assert deleted.code == "deleted-code" and deleted.suggestions == ("97129", "97130")
    assert [w.code for w in validate_new_line("M25.56", LOOKUP)] == ["not-a-procedure"]
    assert [w.code for w in validate_new_line("nonsense!", LOOKUP)] == ["unknown-code"]


def test_add_line_refuses_deleted_codes() -> None:
    start = visit(L("97110", 15))
    after, warnings = add_line(start, L("97127", 15), LOOKUP)
    assert after is start
    assert [w.code for w in warnings] == ["deleted-code"]


def test_add_line_reports_new_findings() -> None:
    start = visit(L("97140", 15))
    after, warnings = add_line(start, L("97530", 23), LOOKUP)
    assert [line.code for line in after.lines] == ["97140", "97530"]
    assert "ncci-pair" in [w.code for w in warnings]


def test_add_diagnosis() -> None:
    after, warnings = add_diagnosis(Visit(), "m25561", LOOKUP)
    assert after.diagnoses == ("M25.561",) and warnings == []
    same, warnings = add_diagnosis(after, "M25.561", LOOKUP)
    assert same is after and warnings[0].code == "duplicate-diagnosis"
    same, warnings = add_diagnosis(after, "M25.56", LOOKUP)
    assert same is after and warnings[0].code == "header-diagnosis"
    assert warnings[0].suggestions == ("M25.561", "M25.562", "M25.569")
    full = Visit(diagnoses=("M54.50",) * 12)
    same, warnings = add_diagnosis(full, "R26.2", LOOKUP)
    assert same is full and warnings[0].code == "too-many-diagnoses"
    assert [w.code for w in validate_new_diagnosis("97110", LOOKUP)] == ["not-a-diagnosis"]


def test_evaluate_does_not_change_the_visit() -> None:
    original = visit(L("97112", 20), L("97110", 20), diagnoses=("M25.561",))
    copy = replace(original)
    ev(original)
    assert original == copy
