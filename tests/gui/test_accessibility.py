"""Issue 24: every control a keyboard reaches has an accessible name and a description (a
screen reader reads both), in the built window and the main dialogs; the visit's warnings
are announced."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from ptcodes_gui.ui.accessibility import unnamed_controls
from ptcodes_gui.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # offscreen: dialogs shown


def test_every_control_of_the_window_is_named_and_described(built_window: MainWindow) -> None:
    panel = built_window.visit_panel
    assert panel is not None
    panel.add_entry("97530=23")  # the lines' editors, the offer and tie bars exist too
    panel.add_entry("97140=15")
    assert unnamed_controls(built_window) == []


def _profile(parent: QWidget) -> QDialog:
    from ptcodes_gui.ui.dialogs import ProfileDialog

    return ProfileDialog((), parent)


def _shortcuts(parent: QWidget) -> QDialog:
    from ptcodes_gui.ui.window_menus import ShortcutsDialog

    return ShortcutsDialog(parent)


def _rules(parent: QWidget) -> QDialog:
    from ptcodes_gui.ui.rules_dialog import BillingRulesDialog

    return BillingRulesDialog(parent)


def _licences(parent: QWidget) -> QDialog:
    from ptcodes_gui.ui.licences_dialog import LicencesDialog

    return LicencesDialog(parent)


def _sources(parent: QWidget) -> QDialog:
    from ptcodes_gui.ui.data_sources_dialog import DataSourcesDialog

    assert isinstance(parent, MainWindow) and parent.data_sources is not None
    rows, remove = parent.data_sources
    return DataSourcesDialog(rows, remove, parent)


@pytest.mark.parametrize("make", [_profile, _shortcuts, _rules, _licences, _sources])
def test_every_control_of_the_main_dialogs_is_named_and_described(
    built_window: MainWindow, qtbot: QtBot, make: Callable[[QWidget], QDialog]
) -> None:
    dialog = make(built_window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.accessibleName() or dialog.windowTitle()
    assert unnamed_controls(dialog) == []
    dialog.close()


def test_the_visit_warnings_are_announced(built_window: MainWindow,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    panel = built_window.visit_panel
    assert panel is not None
    heard: list[str] = []
    from ptcodes_gui.ui.visit import warnings_list

    monkeypatch.setattr(warnings_list, "announce", lambda _w, text: heard.append(text))
    panel.add_entry("97130=15")  # an add-on without its primary: an error
    assert heard and "1 error" in heard[-1] and "add-on" in heard[-1]
    view = panel.warnings_view
    assert "add-on" in view.accessibleDescription()
    count = len(heard)
    panel.lines_model.setData(panel.lines_model.index(0, 1), 16)  # same warnings: quiet
    assert len(heard) == count
    panel.clear_visit()
    assert heard[-1] == "No warnings."
    face = QAccessible.queryAccessibleInterface(view)
    assert face is not None and face.text(QAccessible.Text.Description) == "No warnings."
