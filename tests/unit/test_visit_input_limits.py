"""What a visit line accepts (domain/visit_input.py): minutes 0-1440 (a day), units 0-99,
at the limit and one past it, with a sentence naming the line."""

from __future__ import annotations

import pytest

from ptcodes_gui.domain.visit import VisitLine


@pytest.mark.parametrize("minutes", [0, 1440])
def test_minutes_from_0_to_a_whole_day_are_accepted(minutes: int) -> None:
    assert VisitLine("97110", minutes).minutes == minutes


@pytest.mark.parametrize("minutes", [-1, 1441])
def test_minutes_outside_a_day_are_refused(minutes: int) -> None:
    with pytest.raises(ValueError, match=r"^97110: minutes must be a whole number from 0 to 1440"):
        VisitLine("97110", minutes)


@pytest.mark.parametrize("units", [0, 99])
def test_units_from_0_to_99_are_accepted(units: int) -> None:
    assert VisitLine("97110", 30, units_override=units).units_override == units


@pytest.mark.parametrize("units", [-1, 100])
def test_units_outside_0_to_99_are_refused(units: int) -> None:
    with pytest.raises(ValueError, match=r"^97110: units must be a whole number from 0 to 99"):
        VisitLine("97110", 30, units_override=units)
