"""Ties of the CMS 8-minute rule (domain/units.py) once the clinician has picked: the picked
line's unit is the clinician's, not a default the screen offers to change."""

from __future__ import annotations

from ptcodes_gui.domain.units import assign_cms


def test_a_picked_line_gets_the_unit_and_it_is_not_a_default() -> None:
    # 97112=20 97110=20: 40 minutes are 3 units; one full block each, 5 minutes left over
    # each for the third unit: a tie
    shown = assign_cms([("97112", 20), ("97110", 20)])
    assert shown.as_dict() == {"97112": 2, "97110": 1}
    assert [line.by_default for line in shown.lines] == [True, False]
    assert not shown.ties[0].settled
    picked = assign_cms([("97112", 20), ("97110", 20)], preferred={"97110"})
    assert picked.as_dict() == {"97112": 1, "97110": 2}
    assert [line.by_default for line in picked.lines] == [False, False]
    assert picked.ties[0].settled and picked.ties[0].preferred == ("97110",)


def test_outside_a_tie_a_pick_changes_nothing() -> None:
    plain = assign_cms([("97110", 24), ("97140", 23)])
    picked = assign_cms([("97110", 24), ("97140", 23)], preferred={"97140"})
    assert plain.as_dict() == picked.as_dict() == {"97110": 2, "97140": 1}
    assert not picked.ties and not any(line.by_default for line in picked.lines)
