"""The 8-minute rule and the midpoint rule (PT-CODING-FACTS.md section 3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptcodes_gui.domain.profiles import (
    BUILTIN_PROFILES,
    COMMERCIAL_MIDPOINT,
    MEDICARE,
    PayerProfile,
)
from ptcodes_gui.domain.units import (
    Tie,
    assign,
    assign_cms,
    assign_midpoint,
    cms_total_units,
    first_unit_units,
    max_cms_line_units,
    midpoint_units,
    minutes_for_units,
)

# --------------------------------------------------------------------------- totals


@pytest.mark.parametrize(
    ("minutes", "units"),
    [
        (0, 0),
        (7, 0),
        (8, 1),
        (22, 1),
        (23, 2),
        (37, 2),
        (38, 3),
        (52, 3),
        (53, 4),
        (67, 4),
        (68, 5),
        (82, 5),
        (83, 6),
        (97, 6),
        (98, 7),
        (112, 7),
        (113, 8),
        (127, 8),
    ],
)
def test_cms_total_units_table(minutes: int, units: int) -> None:
    assert cms_total_units(minutes) == units


@pytest.mark.parametrize(
    ("minutes", "units"), [(0, 0), (7, 0), (8, 1), (22, 1), (23, 2), (38, 3), (60, 4)]
)
def test_midpoint_units_table(minutes: int, units: int) -> None:
    assert midpoint_units(minutes) == units


@pytest.mark.parametrize(
    ("minutes", "unit_minutes", "units"),
    [(15, 30, 0), (16, 30, 1), (45, 30, 1), (46, 30, 2), (30, 60, 0), (31, 60, 1)],
)
def test_midpoint_units_other_lengths(minutes: int, unit_minutes: int, units: int) -> None:
    assert midpoint_units(minutes, unit_minutes) == units


@pytest.mark.parametrize(("minutes", "units"), [(0, 0), (15, 0), (16, 1), (30, 1), (90, 1)])
def test_first_unit_units_is_at_most_one(minutes: int, units: int) -> None:
    assert first_unit_units(minutes, 30) == units


@pytest.mark.parametrize(("units", "minutes"), [(0, 0), (1, 8), (2, 23), (3, 38), (4, 53)])
def test_minutes_for_units(units: int, minutes: int) -> None:
    assert minutes_for_units(units) == minutes
    assert minutes_for_units(1, 30) == 16


@pytest.mark.parametrize(("minutes", "most"), [(0, 0), (7, 1), (15, 1), (16, 2), (30, 2)])
def test_max_cms_line_units(minutes: int, most: int) -> None:
    assert max_cms_line_units(minutes) == most


def test_bad_minutes_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        cms_total_units(-1)
    with pytest.raises(TypeError):
        midpoint_units(7.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cms_total_units(True)
    with pytest.raises(ValueError, match="twice"):
        assign_cms([("a", 10), ("a", 10)])
    with pytest.raises(ValueError, match="negative"):
        assign_cms([("a", -3)])
    with pytest.raises(ValueError, match="unit rule"):
        assign("other", [])  # type: ignore[arg-type]


# --------------------------------------------------------------------------- CMS examples


def test_cms_example_24_and_23() -> None:
    result = assign_cms([("97112", 24), ("97110", 23)])
    assert result.total_minutes == 47
    assert result.total_units == 3
    assert result.as_dict() == {"97112": 2, "97110": 1}
    assert result.ties == ()


def test_cms_example_20_and_20_is_a_tie() -> None:
    result = assign_cms([("97112", 20), ("97110", 20)])
    assert result.total_units == 3
    assert result.ties == (
        Tie(candidates=("97112", "97110"), units=1, remaining_minutes=5, default=("97112",)),
    )
    # The default shown: first in visit order, marked as a default choice.
    assert result.as_dict() == {"97112": 2, "97110": 1}
    first, second = result.lines
    assert first.by_default and not second.by_default


def test_cms_example_33_and_7() -> None:
    result = assign_cms([("97110", 33), ("97140", 7)])
    assert result.total_units == 3
    assert result.as_dict() == {"97110": 2, "97140": 1}
    assert result.ties == ()
    assert result.units_for("97140") == 1


def test_cms_7_and_7_tie_for_one_unit() -> None:
    result = assign_cms([("97110", 7), ("97140", 7)])
    assert result.total_units == 1
    assert result.ties == (
        Tie(candidates=("97110", "97140"), units=1, remaining_minutes=7, default=("97110",)),
    )
    assert result.as_dict() == {"97110": 1, "97140": 0}


def test_cms_tie_after_a_clear_winner() -> None:
    # 12 left over wins outright; 5 and 5 tie for the one unit after it.
    result = assign_cms([("a", 12), ("b", 5), ("c", 5)])
    assert result.total_units == 1  # 22 minutes
    assert result.as_dict() == {"a": 1, "b": 0, "c": 0}
    assert result.ties == ()
    result = assign_cms([("a", 14), ("b", 14), ("c", 10), ("d", 10), ("e", 10)])
    # 58 minutes → 4 units: a, b, then 2 of c/d/e.
    assert result.total_units == 4
    assert result.ties == (
        Tie(candidates=("c", "d", "e"), units=2, remaining_minutes=10, default=("c", "d")),
    )
    assert result.as_dict() == {"a": 1, "b": 1, "c": 1, "d": 1, "e": 0}


def test_cms_three_codes_ten_minutes_each() -> None:
    # 30 minutes → 2 units for three equal 10-minute codes: a tie for 2 among 3.
    result = assign_cms([("97110", 10), ("97140", 10), ("97032", 10)])
    assert result.total_units == 2
    assert result.ties[0].units == 2
    assert result.ties[0].candidates == ("97110", "97140", "97032")


def test_midpoint_examples_from_the_sheet() -> None:
    lines = [("97110", 10), ("97140", 10), ("97032", 10)]
    assert assign_cms(lines).total_units == 2
    midpoint = assign_midpoint(lines)
    assert midpoint.total_units == 3
    assert midpoint.as_dict() == {"97110": 1, "97140": 1, "97032": 1}
    assert assign_cms([("97110", 7), ("97140", 7)]).total_units == 1
    assert assign_midpoint([("97110", 7), ("97140", 7)]).total_units == 0
    assert assign("midpoint", lines) == midpoint


def test_empty_visit() -> None:
    assert assign_cms([]).total_units == 0
    assert assign_midpoint([]).total_units == 0


def test_units_for_unknown_key() -> None:
    with pytest.raises(KeyError):
        assign_cms([("a", 10)]).units_for("b")


# --------------------------------------------------------------------------- properties

minutes_st = st.integers(min_value=0, max_value=240)
visit_st = st.lists(minutes_st, min_size=0, max_size=8).map(
    lambda ms: [(f"L{i}", m) for i, m in enumerate(ms)]
)


@given(st.integers(min_value=0, max_value=10_000))
def test_cms_total_formula(total: int) -> None:
    assert cms_total_units(total) == (0 if total < 8 else (total + 7) // 15)


@given(visit_st)
def test_cms_lines_sum_to_the_total(lines: list[tuple[str, int]]) -> None:
    result = assign_cms(lines)
    assert result.total_units == cms_total_units(sum(m for _, m in lines))
    assert sum(line.units for line in result.lines) == result.total_units
    assert all(line.units >= 0 for line in result.lines)
    for line in result.lines:
        # full blocks always fit, and at most one extra unit per line
        assert line.units in (line.full_units, line.full_units + 1)
        assert line.units <= max_cms_line_units(line.minutes)
        if line.remainder == 0:
            assert not line.extra


@given(visit_st)
def test_cms_extra_units_go_to_the_largest_remainders(lines: list[tuple[str, int]]) -> None:
    result = assign_cms(lines)
    with_extra = [line.remainder for line in result.lines if line.extra]
    without = [line.remainder for line in result.lines if not line.extra]
    if with_extra and without:
        assert min(with_extra) >= max(without)
    for tie in result.ties:
        assert 0 < tie.units < len(tie.candidates)
        assert len(tie.default) == tie.units
        tied = [line for line in result.lines if line.key in tie.candidates]
        assert {line.remainder for line in tied} == {tie.remaining_minutes}
        # a tie exists exactly when some tied line got the unit and another did not
        assert any(line.extra for line in tied) and not all(line.extra for line in tied)


@given(visit_st, st.data())
def test_adding_minutes_never_reduces_total_units(
    lines: list[tuple[str, int]], data: st.DataObject
) -> None:
    if not lines:
        return
    index = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
    more = data.draw(st.integers(min_value=1, max_value=60))
    bigger = list(lines)
    key, minutes = bigger[index]
    bigger[index] = (key, minutes + more)
    assert assign_cms(bigger).total_units >= assign_cms(lines).total_units
    assert assign_midpoint(bigger).total_units >= assign_midpoint(lines).total_units
    extra_line = [*lines, ("new", more)]
    assert assign_cms(extra_line).total_units >= assign_cms(lines).total_units


@given(visit_st)
def test_midpoint_is_per_line(lines: list[tuple[str, int]]) -> None:
    result = assign_midpoint(lines)
    for (key, minutes), line in zip(lines, result.lines, strict=True):
        assert line.key == key
        assert line.units == midpoint_units(minutes)
        assert assign_midpoint([(key, minutes)]).units_for(key) == line.units
    assert result.total_units == sum(line.units for line in result.lines)
    assert result.ties == ()


@given(visit_st)
def test_cms_total_does_not_depend_on_order(lines: list[tuple[str, int]]) -> None:
    assert assign_cms(lines).total_units == assign_cms(lines[::-1]).total_units


@given(st.integers(min_value=0, max_value=50), st.sampled_from([15, 20, 30, 60]))
def test_minutes_for_units_is_the_threshold(units: int, unit_minutes: int) -> None:
    needed = minutes_for_units(units, unit_minutes)
    assert midpoint_units(needed, unit_minutes) == units
    if needed > 0:
        assert midpoint_units(needed - 1, unit_minutes) == units - 1


# --------------------------------------------------------------------------- profiles


def test_builtin_profiles() -> None:
    assert MEDICARE.unit_rule == "cms" and MEDICARE.medicare
    assert MEDICARE.daily_timed_unit_cap is None
    assert COMMERCIAL_MIDPOINT.unit_rule == "midpoint" and not COMMERCIAL_MIDPOINT.medicare
    assert list(BUILTIN_PROFILES.items()) == [
        ("Medicare", MEDICARE),
        (COMMERCIAL_MIDPOINT.name, COMMERCIAL_MIDPOINT),
    ]


@pytest.mark.parametrize(
    "profile",
    [MEDICARE, COMMERCIAL_MIDPOINT, PayerProfile("BCBS", "midpoint", 4, False)],
)
def test_profile_round_trip(profile: PayerProfile) -> None:
    assert PayerProfile.from_dict(profile.to_dict()) == profile


def test_profile_from_dict_defaults_and_unknown_keys() -> None:
    profile = PayerProfile.from_dict({"name": "Aetna", "unit_rule": "cms", "future": 1})
    assert profile == PayerProfile("Aetna", "cms", None, False)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"unit_rule": "cms"}, "missing 'name'"),
        ({"name": "X"}, "missing 'unit_rule'"),
        ({"name": "", "unit_rule": "cms"}, "non-empty"),
        ({"name": 3, "unit_rule": "cms"}, "non-empty"),
        ({"name": "X", "unit_rule": "eight"}, "'cms' or 'midpoint'"),
        ({"name": "X", "unit_rule": "cms", "daily_timed_unit_cap": 0}, "1 to 96"),
        ({"name": "X", "unit_rule": "cms", "daily_timed_unit_cap": "4"}, "whole number"),
        ({"name": "X", "unit_rule": "cms", "daily_timed_unit_cap": True}, "whole number"),
        ({"name": "X", "unit_rule": "cms", "medicare": "yes"}, "true or false"),
        ({"name": "X" * 81, "unit_rule": "cms"}, "longer than"),
    ],
)
def test_profile_from_dict_rejects_bad_data(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PayerProfile.from_dict(data)


def test_profile_from_dict_rejects_non_mapping() -> None:
    with pytest.raises(ValueError, match="expected a mapping"):
        PayerProfile.from_dict(["Medicare"])  # type: ignore[arg-type]


def test_the_shortest_unit_a_clinic_code_may_have_counts_and_zero_is_refused() -> None:
    """The clinic-code import accepts unit_minutes 1-120: a 1-minute unit counts a unit a
    minute; a 0-minute unit is refused with a message, never a division by zero."""
    assert midpoint_units(7, 1) == 7
    assert minutes_for_units(3, 1) == 3
    with pytest.raises(ValueError, match="a unit must last at least 1 minute, not 0"):
        midpoint_units(7, 0)
