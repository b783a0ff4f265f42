"""The window says what the search relaxed to find something, and says nothing otherwise."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ptcodes_gui.ui.main_window import MainWindow


def _type(qtbot: QtBot, win: MainWindow, text: str) -> None:
    win.search_edit.clear()
    qtbot.keyClicks(win.search_edit, text)
    qtbot.waitUntil(lambda: win.search_edit.text() == text, timeout=2000)


def test_status_bar_names_what_was_relaxed(qtbot: QtBot, window: MainWindow) -> None:
    _type(qtbot, window, "97530 ther act")
    assert window.results_model.hits()[0].code == "97530"
    assert window.search_note_label.text() == (
        "Showing results for 97530; 'ther act' also matches it.")
    assert window.search_note_label.isVisible()
    _type(qtbot, window, "ther act")
    assert window.results_model.hits()[0].code == "97530"
    assert window.search_note_label.text() == ""
    _type(qtbot, window, "golfers elbow xyzzy")
    assert window.results_model.hits()[0].code.startswith("M77.0")
    assert "'xyzzy' left out" in window.search_note_label.text()
