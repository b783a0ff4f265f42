"""The editor: every change is one undo step, refusals offer replacements, signals say what
the widgets must show."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ptcodes_gui.domain.profiles import BUILTIN_PROFILES
from ptcodes_gui.ui.visit.editor import VisitEditor
from ptcodes_gui.ui.visit_model import MINUTES


def test_add_code_with_minutes_is_one_undo_step(qtbot: QtBot, editor: VisitEditor) -> None:
    with qtbot.waitSignal(editor.line_added) as added:
        assert editor.add_code("97530", 23)
    assert added.args == [0]
    assert editor.result().lines[0].units == 2
    editor.undo_stack().undo()
    assert editor.visit().lines == ()


def test_deleted_code_refused_with_replacements(qtbot: QtBot, editor: VisitEditor) -> None:
    with qtbot.waitSignal(editor.refused) as refused:
        assert not editor.add_code("97127")
    assert "97127 was deleted" in refused.args[0]
    offer = editor.offer()
    assert offer is not None and offer.sticky
    assert [c.label.split()[1] for c in offer.choices][:2] == ["97129", "97130"]
    assert editor.use_choice(offer, 1)
    assert [line.code for line in editor.visit().lines] == ["97130"]
    assert editor.offer() is None or not editor.offer().sticky  # type: ignore[union-attr]


def test_modifier_goes_on_the_current_line(editor: VisitEditor) -> None:
    editor.add_code("97110", 30)
    assert not editor.add_code("59")  # no line selected yet
    editor.set_current_row(0)
    assert editor.add_code("59")
    assert editor.visit().lines[0].extra_modifiers == ("59",)
    assert editor.add_code("CQ")
    assert editor.visit().lines[0].provider == "pta"


def test_cell_edits_merge_until_the_editor_closes(editor: VisitEditor) -> None:
    from dataclasses import replace

    editor.add_code("97110")
    line = editor.visit().lines[0]
    editor.edit_line(0, replace(line, minutes=3), MINUTES)
    editor.edit_line(0, replace(line, minutes=38), MINUTES)
    assert editor.result().total_units == 3
    editor.end_edit(reverted=True)  # Esc
    assert editor.visit().lines[0].minutes is None
    assert editor.undo_stack().canRedo()


def test_profile_change_is_undoable(editor: VisitEditor) -> None:
    for code in ("97110", "97140", "97032"):
        editor.add_code(code, 10)
    assert editor.result().total_units == 2
    editor.set_profile(BUILTIN_PROFILES["Commercial (midpoint rule)"])
    assert editor.result().total_units == 3
    editor.undo_stack().undo()
    assert editor.result().total_units == 2


def test_initial_encounter_warning_offers_to_replace_the_diagnosis(editor: VisitEditor) -> None:
    assert editor.add_diagnosis("S46.012A")
    editor.add_code("97110", 30)
    offer = editor.offer()
    assert offer is not None
    assert [c.label for c in offer.choices] == ["Use S46.012D for S46.012A",
                                                "Use S46.012S for S46.012A"]
    assert editor.use_choice(offer, 0)
    assert editor.visit().diagnoses == ("S46.012D",)
    assert "initial-encounter-in-rehab" not in [w.code for w in editor.result().warnings]
