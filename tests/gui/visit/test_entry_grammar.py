"""Issue 24: codes typed one after another are never lost; the focus moves predictably."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.ui.visit.line_delegate import MinutesSpin
from ptcodes_gui.ui.visit_panel import VisitPanel
from ptcodes_gui.userdata.store import UserStore

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # offscreen: a new host window


@pytest.fixture
def panel(host: Callable[..., QWidget], clean_catalog: Catalog,
          store: UserStore) -> VisitPanel:
    p = VisitPanel(clean_catalog, store)
    host(p, size=(520, 700), minimum=(320, 240))  # conftest: its own active window
    return p


def _type(qtbot: QtBot, text: str) -> None:
    """Type into whatever has the focus, then Enter, as a user does."""
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    QApplication.processEvents()


def _codes(panel: VisitPanel) -> list[tuple[str, int | None]]:
    return [(line.code, line.minutes) for line in panel.visit().lines]


def test_untimed_codes_typed_one_after_another_are_all_added(
    qtbot: QtBot, panel: VisitPanel
) -> None:
    panel.focus_entry()
    _type(qtbot, "97161")
    assert QApplication.focusWidget() is panel.add_edit  # untimed: the cursor stays in Add
    assert panel.add_edit.text() == ""
    _type(qtbot, "97164")
    assert _codes(panel) == [("97161", None), ("97164", None)]  # no 971 minutes


def test_a_code_typed_where_minutes_go_is_the_next_code(qtbot: QtBot, panel: VisitPanel) -> None:
    panel.focus_entry()
    _type(qtbot, "97110")
    assert isinstance(QApplication.focusWidget(), MinutesSpin)  # timed: minutes next
    _type(qtbot, "97140")  # not minutes: the next code, and 97110 keeps no stray minutes
    assert _codes(panel) == [("97110", None), ("97140", None)]
    assert isinstance(QApplication.focusWidget(), MinutesSpin)  # 97140's minutes
    _type(qtbot, "15")
    assert _codes(panel) == [("97110", None), ("97140", 15)]
    assert QApplication.focusWidget() is panel.add_edit
    assert panel.undo_stack().count() == 3  # add, add, minutes: no 9/97/971 steps left


def test_an_unknown_code_typed_in_minutes_goes_to_add_selected(
    qtbot: QtBot, panel: VisitPanel
) -> None:
    panel.focus_entry()
    _type(qtbot, "97110")
    _type(qtbot, "9716")  # neither minutes (over a day) nor a code
    assert _codes(panel) == [("97110", None)]
    assert QApplication.focusWidget() is panel.add_edit
    assert panel.add_edit.text() == "9716"
    assert panel.add_edit.selectedText() == "9716"
    assert panel.offered_choices()  # the nearest codes are offered


def test_new_visit_clears_a_refused_entry(qtbot: QtBot, panel: VisitPanel) -> None:
    panel.add_code("97110")
    panel.focus_entry()
    _type(qtbot, "99999")
    assert panel.add_edit.text() == "99999"  # refused, kept to retype
    panel.new_visit_action.trigger()
    assert panel.add_edit.text() == ""
    assert panel.offered_choices() == []
    assert panel.visit().lines == ()


def test_ctrl_z_in_the_empty_add_field_undoes_the_visit(qtbot: QtBot, panel: VisitPanel) -> None:
    panel.focus_entry()
    _type(qtbot, "97161")
    assert panel.add_edit.text() == "" and QApplication.focusWidget() is panel.add_edit
    qtbot.keyClick(panel.add_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert panel.visit().lines == ()  # the field had nothing to undo: the visit's undo
    qtbot.keyClicks(panel.add_edit, "971")
    qtbot.keyClick(panel.add_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert panel.add_edit.text() == ""  # typing is undone in the field first
