"""Issue 24's polish, as a keyboard user meets it."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ptcodes_gui.ui.main_window import MainWindow
from ptcodes_gui.ui.window_menus import menu_rows, shortcuts_html


def test_the_shortcuts_sheet_opens_on_keys_and_lists_undo_once(built_window: MainWindow) -> None:
    sheet = shortcuts_html(built_window)
    first_table = sheet.split("<h3>In fields and tables</h3>")[0]
    keys = re.findall(r"<td><b>(.*?)</b></td>", first_table)
    assert keys and all(keys), "every row of the first table has a key"
    undo = [r for r in menu_rows(built_window) if r[:2] == ("Visit", "Undo")]
    assert undo == [("Visit", "Undo", "Ctrl+Z")]
    assert "Menu items without a shortcut" in sheet  # the File entries, at the end
    assert sheet.index("Menu items without a shortcut") > sheet.index("In fields and tables")


def test_ctrl_c_after_ctrl_k_copies_the_code(built_window: MainWindow, qtbot: QtBot) -> None:
    win = built_window
    win.search_edit.setText("97110")
    win.run_search()
    win.activateWindow()
    win.focus_search_action.trigger()  # Ctrl+K: the whole query selected
    assert win.search_edit.selectedText() == "97110"
    QApplication.clipboard().setText("before")
    win.search_edit.setText("ther ex")
    win.run_search()
    win.search_edit.selectAll()
    qtbot.keyClick(win.search_edit, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "97110"  # the code, not "ther ex"
    win.search_edit.setSelection(0, 3)  # part of the query: that is what is copied
    qtbot.keyClick(win.search_edit, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "the"


def test_the_locality_hint_is_reachable_by_keyboard(built_window: MainWindow) -> None:
    panel = built_window.visit_panel
    assert panel is not None
    combo = panel.locality_combo
    assert combo.isEnabled() and combo.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert "import the Medicare fee schedule" in combo.accessibleDescription()
    said: list[str] = []
    panel.message.connect(said.append)
    combo.activated.emit(0)  # Enter on it with nothing to choose: the hint, said
    assert said and "import the Medicare fee schedule" in said[-1]


def test_a_header_diagnosis_lists_its_codes_right_under_pick_one(
    built_window: MainWindow,
) -> None:
    assert built_window.show_code("M54.5")
    text = built_window.detail_view.toPlainText()
    pick = text.index("Pick one of the codes under it")
    assert text.index("M54.50") - pick < 120  # the codes follow the sentence
