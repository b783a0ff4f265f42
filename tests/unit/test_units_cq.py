"""The assistant (CQ) split of one line's units (domain/units.py): units set by hand beyond
what the minutes hold carry CQ when the assistant furnished at least half of the minutes."""

from __future__ import annotations

from ptcodes_gui.domain.units import split_assistant_units


def test_hand_set_units_beyond_the_minutes_follow_who_did_the_most() -> None:
    # 20 minutes hold 2 units (both shared); 2 more set by hand go with whoever did half
    mostly_pta = split_assistant_units(4, 20, 12)
    assert mostly_pta.assistant_units == 3  # the second shared unit and both hand-set ones
    mostly_pt = split_assistant_units(4, 20, 8)
    assert mostly_pt.assistant_units == 1  # the second shared unit only
    half = split_assistant_units(4, 20, 10)
    assert half.assistant_units == 3  # half is enough


def test_the_last_unit_goes_to_the_pt_from_8_of_its_minutes() -> None:
    assert split_assistant_units(1, 15, 7).assistant_units == 0  # PT 8, PTA 7: no CQ
    assert split_assistant_units(1, 15, 8).assistant_units == 1  # PT 7, PTA 8: CQ
