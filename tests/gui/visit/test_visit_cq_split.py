"""The By cell of the visit lines table takes the PTA's minutes of a line the PT and the PTA
shared; CQ then goes on the units the PTA furnished and the copy splits the line (CMS,
"Billing Examples Using CQ/CO Modifiers ...", scenario 1: tests/unit/rules/
test_rules_cq_units.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QSpinBox
from pytestqt.qtbot import QtBot

from ptcodes_gui.ui.visit_model import MINUTES, MODIFIERS, PROVIDER
from ptcodes_gui.ui.visit_panel import VisitPanel


def _open_editor(qtbot: QtBot, panel: VisitPanel, row: int, col: int) -> object:
    view = panel.lines_view
    view.setFocus()
    view.setCurrentIndex(panel.lines_model.index(row, col))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    return QApplication.focusWidget()


def _type(qtbot: QtBot, panel: VisitPanel, row: int, col: int, text: str) -> None:
    """Type into a cell's editor as a user does, then press Enter."""
    editor = _open_editor(qtbot, panel, row, col)
    if col == PROVIDER:
        assert isinstance(editor, QComboBox), editor
        editor.lineEdit().selectAll()
        qtbot.keyClicks(editor.lineEdit(), text)
        qtbot.keyClick(editor.lineEdit(), Qt.Key.Key_Return)
    else:
        assert isinstance(editor, QSpinBox), editor
        editor.selectAll()
        qtbot.keyClicks(editor, text)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()


def test_pta_minutes_typed_in_the_by_cell_split_the_line_and_the_copy(
    qtbot: QtBot, panel: VisitPanel
) -> None:
    assert panel.add_code("97110")
    assert panel.add_code("97140")
    assert panel.add_code("M25.561")
    _type(qtbot, panel, 0, MINUTES, "36")
    _type(qtbot, panel, 1, MINUTES, "30")
    _type(qtbot, panel, 0, PROVIDER, "PTA 23")

    line = panel.visit().lines[0]
    assert (line.provider, line.pta_minutes) == ("pt", 23)
    result = panel.result().lines[0]
    assert (result.units, result.cq_units) == (2, 1)
    model = panel.lines_model
    assert model.index(0, PROVIDER).data() == "PTA 23"
    assert model.index(0, MODIFIERS).data() == "GP  (CQ ×1)"
    assert "two claim lines" in model.index(0, PROVIDER).data(Qt.ItemDataRole.ToolTipRole)
    assert panel.copy_visit().splitlines()[:3] == [
        "97110 GP x1 A (13 of 36 min by the PT)",
        "97110 GP CQ x1 A (23 of 36 min by the PTA)",
        "97140 GP x2 A (30 min)",
    ]

    # more PTA minutes than the line has: refused, the line stays as it was
    assert not model.setData(model.index(0, PROVIDER), "PTA 50")
    assert panel.visit().lines[0].pta_minutes == 23
    # minutes retyped below the PTA's: taken, and an error says what to fix
    _type(qtbot, panel, 0, MINUTES, "20")
    assert panel.visit().lines[0].minutes == 20
    assert [w.code for w in panel.result().errors] == ["pta-minutes-over"]
    _type(qtbot, panel, 0, MINUTES, "36")
    assert not panel.result().errors
    # the all-PTA choice is still there for the simple case
    _type(qtbot, panel, 0, PROVIDER, "PTA")
    assert panel.result().lines[0].modifiers == ("GP", "CQ")
    assert panel.copy_visit().splitlines()[0] == "97110 GP CQ x2 A (36 min)"
    # and back to the PT alone
    _type(qtbot, panel, 0, PROVIDER, "PT")
    assert panel.result().lines[0].modifiers == ("GP",)
    assert panel.visit().lines[0].pta_minutes is None
