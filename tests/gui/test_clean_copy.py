"""A selection copied from the detail pane carries no hidden characters."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ptcodes_gui.ui.clean_copy import CleanCopyTextBrowser
from ptcodes_gui.ui.main_window import MainWindow


def test_selection_copy_is_cleaned(qtbot: QtBot) -> None:
    view = CleanCopyTextBrowser()
    qtbot.addWidget(view)
    view.setHtml("<p>97110 \u202eTher\u00adex\U000e0041\U000e0042</p><p>notes\u3164 here</p>")
    view.selectAll()
    view.copy()
    assert QApplication.clipboard().text() == "97110 Therex\nnotes here"


def test_the_main_windows_detail_pane_is_the_clean_copy_browser(window: MainWindow) -> None:
    assert isinstance(window.detail_view, CleanCopyTextBrowser)
