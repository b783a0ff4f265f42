"""Each visit widget on its own: what it shows and what it emits."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from ptcodes_gui.domain.formatting import format_visit
from ptcodes_gui.domain.profiles import BUILTIN_PROFILES, PayerProfile
from ptcodes_gui.ui import dialogs
from ptcodes_gui.ui.visit.copy_area import CopyArea
from ptcodes_gui.ui.visit.diagnoses import DiagnosesList
from ptcodes_gui.ui.visit.editor import VisitEditor
from ptcodes_gui.ui.visit.entry import EntryBar
from ptcodes_gui.ui.visit.lines_table import LinesTable
from ptcodes_gui.ui.visit.offer_bar import OfferBar
from ptcodes_gui.ui.visit.offers import Choice, Offer
from ptcodes_gui.ui.visit.payer_bar import PayerBar
from ptcodes_gui.ui.visit.templates import TemplatesBar
from ptcodes_gui.ui.visit.tie_bar import TieBar
from ptcodes_gui.ui.visit.warnings_list import WarningsList
from ptcodes_gui.ui.visit_model import MINUTES
from ptcodes_gui.userdata.store import UserStore

Host = Callable[[QWidget], QWidget]


def test_entry_emits_what_was_typed_and_selects_a_refusal(qtbot: QtBot, host: Host) -> None:
    entry = EntryBar()
    host(entry)
    entry.edit.setFocus()
    qtbot.keyClicks(entry.edit, "97127")
    with qtbot.waitSignal(entry.submitted) as submitted:
        qtbot.keyClick(entry.edit, Qt.Key.Key_Return)
    assert submitted.args == ["97127"]
    entry.refused()
    qtbot.keyClicks(entry.edit, "97129")  # typing replaces the refused text
    assert entry.edit.text() == "97129"
    entry.accepted()
    assert entry.edit.text() == ""
    with qtbot.waitSignal(entry.escaped):
        qtbot.keyClick(entry.edit, Qt.Key.Key_Escape)


def test_offer_bar_shows_choices_and_emits_the_chosen(qtbot: QtBot, host: Host) -> None:
    bar = OfferBar()
    host(bar)
    assert not bar.isVisible()
    bar.show_offer(Offer("97127 was deleted", (Choice("Add 97129", lambda: True),
                                              Choice("Add 97130", lambda: True)), sticky=True))
    assert bar.isVisible() and bar.dismiss_button.isVisible()
    assert bar.choices() == ["Add 97129", "Add 97130"]
    bar.combo.setCurrentIndex(1)
    with qtbot.waitSignal(bar.used) as used:
        qtbot.mouseClick(bar.use_button, Qt.MouseButton.LeftButton)
    assert used.args == [1]
    bar.show_offer(Offer("NCCI pair: a distinct-service modifier on 97530",
                         (Choice("Add 59 to 97530", lambda: True),), sticky=False))
    # a warning's fix: one row, its sentence in the tooltip
    assert not bar.label.isVisible() and bar.fix_label.isVisible()
    assert "NCCI pair" in bar.combo.toolTip() and not bar.dismiss_button.isVisible()
    bar.show_offer(None)
    assert not bar.isVisible() and bar.choices() == []


def test_lines_table_shows_totals_and_emits_edits(
    qtbot: QtBot, host: Host, editor: VisitEditor
) -> None:
    table = LinesTable()
    host(table)
    editor.add_code("97530", 23)
    editor.add_code("97140", 15)
    table.show_visit(editor.visit(), editor.result())
    assert "38 min → 3 units" in table.totals_label.text()
    with qtbot.waitSignal(table.line_edited) as edited:
        table.model.setData(table.model.index(1, MINUTES), 20)
    row, line, col = edited.args
    assert (row, line.minutes, col) == (1, 20, MINUTES)
    table.view.setFocus()
    table.select_row(0)
    with qtbot.waitSignal(table.remove_requested) as removed:
        qtbot.keyClick(table.view, Qt.Key.Key_Delete)
    assert removed.args == [0]


def test_tie_bar_offers_each_line_and_emits_the_choice(
    qtbot: QtBot, host: Host, editor: VisitEditor
) -> None:
    bar = TieBar()
    host(bar)
    editor.add_code("97110", 20)
    editor.add_code("97140", 20)
    bar.show_tie(editor.visit(), editor.tie())
    assert bar.isVisible()
    assert [bar.combo.itemText(i) for i in range(bar.combo.count())] == [
        "97110 (for now)", "97140"]
    with qtbot.waitSignal(bar.tie_chosen) as chosen:
        bar.combo.activated.emit(1)
    assert chosen.args == [[1]]
    bar.show_tie(editor.visit(), None)
    assert not bar.isVisible()


def test_diagnoses_list_letters_and_asks_to_remove(
    qtbot: QtBot, host: Host, editor: VisitEditor
) -> None:
    dx = DiagnosesList()
    host(dx)
    editor.add_diagnosis("M25.561")
    editor.add_diagnosis("M54.50")
    dx.show_result(editor.result())
    assert dx.model.index(1).data().startswith("B  M54.50")
    dx.view.setFocus()
    dx.select(1)
    with qtbot.waitSignal(dx.move_up_requested) as up:
        qtbot.keyClick(dx.view, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert up.args == [1]
    with qtbot.waitSignal(dx.remove_requested):
        qtbot.keyClick(dx.view, Qt.Key.Key_Delete)


def test_warnings_list_counts_errors_and_emits_the_selected(
    qtbot: QtBot, host: Host, editor: VisitEditor
) -> None:
    warnings = WarningsList()
    host(warnings)
    editor.add_code("97130", 15)  # an add-on without its primary: an error
    warnings.show_result(editor.result())
    assert warnings.label.text().startswith("&Warnings (1 error")
    with qtbot.waitSignal(warnings.warning_selected) as selected:
        warnings.view.setCurrentIndex(warnings.model.index(0))
    assert selected.args[0] is warnings.model.warning(0)


def test_payer_bar_remembers_the_profile_per_clinic(
    qtbot: QtBot, host: Host, store: UserStore
) -> None:
    bar = PayerBar(store)
    host(bar)
    at = bar.profile_combo.findData("Commercial (midpoint rule)")
    with qtbot.waitSignal(bar.profile_chosen) as chosen:
        bar.profile_combo.activated.emit(at)
    assert chosen.args[0] == BUILTIN_PROFILES["Commercial (midpoint rule)"]
    assert PayerBar(store).initial_profile().name == "Commercial (midpoint rule)"
    with qtbot.waitSignal(bar.kx_toggled) as kx:
        qtbot.mouseClick(bar.kx_check, Qt.MouseButton.LeftButton)
    assert kx.args == [True]


def test_payer_bar_saves_a_new_profile(
    qtbot: QtBot, host: Host, store: UserStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    bar = PayerBar(store)
    host(bar)
    profile = PayerProfile("Acme PPO", unit_rule="midpoint", daily_timed_unit_cap=4)
    monkeypatch.setattr(dialogs, "ask_profile", lambda parent, taken: profile)
    with qtbot.waitSignal(bar.profile_chosen):
        qtbot.mouseClick(bar.new_profile_button, Qt.MouseButton.LeftButton)
    assert [p["name"] for p in store.profiles()] == ["Acme PPO"]
    assert bar.profile_combo.findData("Acme PPO") >= 0


@pytest.mark.parametrize("fmt", ["text", "tsv"])
def test_copy_area_previews_exactly_what_it_copies(
    qtbot: QtBot, host: Host, editor: VisitEditor, store: UserStore, fmt: str
) -> None:
    area = CopyArea(store)
    host(area)
    assert area.copy_visit() == ""
    assert "Nothing to copy" in area.status.text()
    editor.add_code("97530", 23)
    editor.add_diagnosis("M25.561")
    area.format_combo.setCurrentIndex(area.format_combo.findData(fmt))
    area.show_result(editor.visit(), editor.result())
    expected = format_visit(editor.result(), fmt)
    assert area.preview.toPlainText() == expected
    assert area.copy_visit() == expected
    assert QApplication.clipboard().text() == expected
    assert CopyArea(store).format() == fmt  # remembered


def test_templates_bar_saves_and_loads_lines(
    qtbot: QtBot, host: Host, editor: VisitEditor, store: UserStore
) -> None:
    bar = TemplatesBar(store, editor)
    host(bar)
    assert not bar.save("Empty")
    editor.add_code("97110", 23)
    editor.add_diagnosis("M25.561")
    assert bar.save("Back")
    assert bar.combo.currentText() == "Back"
    editor.clear_visit()
    assert bar.load("Back")
    assert [(ln.code, ln.minutes) for ln in editor.visit().lines] == [("97110", 23)]
    assert editor.visit().diagnoses == ()
    assert bar.rename("Back", "Back 2") and bar.names() == ["Back 2"]
    assert bar.delete("Back 2") and bar.names() == []
