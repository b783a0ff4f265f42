"""Help → Billing rules: the reference dialog, scrolled to the rule a warning names."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from ptcodes_gui.domain.rules import RULES
from ptcodes_gui.ui.rules_dialog import BillingRulesDialog, show_billing_rules

# A top-level dialog's layout sets size hints, which the offscreen platform cannot pass on.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_dialog_shows_every_rule_and_scrolls_to_one(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = show_billing_rules(parent, "no-dx-pointer")  # the last rule of the reference
    qtbot.waitExposed(dialog)
    text = dialog.browser.toPlainText()
    assert all(rule_id in text for rule_id in RULES)
    assert "Pub. 100-04 ch. 5 §20.2" in text
    bar = dialog.browser.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() > 0)
    assert dialog.shown_rule == "no-dx-pointer"
    far = bar.value()

    again = show_billing_rules(parent, "unknown-code")  # the first: back near the top
    assert again is dialog and parent.findChildren(BillingRulesDialog) == [dialog]
    qtbot.waitUntil(lambda: bar.value() < far)
    show_billing_rules(parent, "not-a-rule")
    assert dialog.shown_rule is None and bar.value() == 0
    dialog.close()


def test_dialog_without_parent(qtbot: QtBot) -> None:
    dialog = show_billing_rules(None)
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "Billing rules" and dialog.shown_rule is None


def test_find_field_jumps_to_matches_and_wraps(qtbot: QtBot) -> None:
    dialog = show_billing_rules(None)
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.find_edit, "mue-exceeded")
    assert dialog.browser.textCursor().selectedText() == "mue-exceeded"
    dialog.find_edit.clear()
    qtbot.keyClicks(dialog.find_edit, "Telehealth")
    first = dialog.browser.textCursor().position()
    qtbot.keyClick(dialog.find_edit, Qt.Key.Key_Return)
    assert dialog.browser.textCursor().position() > first  # the next mention
    assert dialog.browser.textCursor().selectedText().lower() == "telehealth"
    assert not dialog.find_text("no such words anywhere")
