"""What issue 15 asked of the visit builder, as a user would see it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QSpinBox
from pytestqt.qtbot import QtBot

from ptcodes_gui.ui import dialogs
from ptcodes_gui.ui.visit_model import MINUTES, UNITS
from ptcodes_gui.ui.visit_panel import VisitPanel
from ptcodes_gui.userdata.store import UserStore


def _enter(qtbot: QtBot, panel: VisitPanel, text: str) -> None:
    panel.add_edit.setFocus()
    qtbot.keyClicks(panel.add_edit, text)
    qtbot.keyClick(panel.add_edit, Qt.Key.Key_Return)
    QApplication.processEvents()


def test_adding_a_code_puts_the_keystrokes_in_its_minutes(
    qtbot: QtBot, panel: VisitPanel
) -> None:
    _enter(qtbot, panel, "97530")
    editor = QApplication.focusWidget()
    assert isinstance(editor, QSpinBox)  # the Minutes editor of the new line
    assert panel.lines_view.currentIndex().column() == MINUTES
    qtbot.keyClicks(editor, "23")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert panel.visit().lines[0].minutes == 23
    assert panel.visit().lines[0].units_override is None
    assert QApplication.focusWidget() is panel.add_edit  # ready for the next code


def test_a_number_typed_on_the_units_cell_is_minutes(qtbot: QtBot, panel: VisitPanel) -> None:
    panel.add_code("97110")
    view = panel.lines_view
    view.setFocus()
    view.setCurrentIndex(panel.lines_model.index(0, UNITS))
    qtbot.keyClick(view, Qt.Key.Key_2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QSpinBox)  # the Minutes editor, not Units
    qtbot.keyClicks(editor, "3")
    QApplication.processEvents()
    assert panel.visit().lines[0].minutes == 23
    assert panel.visit().lines[0].units_override is None
    assert panel.result().lines[0].units == 2


def test_units_by_hand_are_marked_and_go_back_to_the_rule(
    qtbot: QtBot, panel: VisitPanel
) -> None:
    assert panel.add_entry("97110=20")
    panel.lines_model.setData(panel.lines_model.index(0, UNITS), "2")
    assert panel.lines_model.index(0, UNITS).data() == "2✎"
    assert panel.lines.rule_units_action.isEnabled()
    panel.lines.rule_units_action.trigger()
    assert panel.lines_model.index(0, UNITS).data() == "1"
    panel.undo_stack().undo()
    assert panel.visit().lines[0].units_override == 2


def test_new_visit_resets_the_visit_and_keeps_payer_and_provider(
    qtbot: QtBot, panel: VisitPanel
) -> None:
    panel.set_profile("Commercial (midpoint rule)")
    panel.provider_combo.activated.emit(panel.provider_combo.findData("pta"))
    panel.add_entry("97110=23")
    panel.add_entry("95")
    panel.add_code("M25.561")
    assert panel.visit().telehealth == "95"
    qtbot.keyClick(panel.add_edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    visit = panel.visit()
    assert (visit.lines, visit.diagnoses, visit.kx, visit.telehealth) == ((), (), False, None)
    assert visit.profile.name == "Commercial (midpoint rule)"
    panel.add_entry("97140=15")
    assert panel.visit().lines[0].provider == "pta"
    panel.undo_stack().undo()
    panel.undo_stack().undo()
    assert panel.visit().telehealth == "95"  # New visit is undoable


def test_cq_and_kx_follow_the_profile(qtbot: QtBot, panel: VisitPanel) -> None:
    panel.provider_combo.activated.emit(panel.provider_combo.findData("pta"))
    panel.add_entry("97110=23")
    panel.kx_check.setChecked(True)
    assert panel.result().lines[0].modifiers == ("GP", "CQ", "KX")
    panel.set_profile("Commercial (midpoint rule)")
    assert panel.result().lines[0].modifiers == ("GP",)
    assert not panel.kx_check.isEnabled()
    assert panel.copy_visit().startswith("97110 GP x2")


def test_a_refused_entry_is_selected_and_its_message_goes_after_a_success(
    qtbot: QtBot, panel: VisitPanel
) -> None:
    _enter(qtbot, panel, "97110=23.5")
    assert panel.offer_frame.isVisible()
    assert "not a whole number" in panel.offer_label.text()
    assert panel.add_edit.selectedText() == "97110=23.5"
    qtbot.keyClicks(panel.add_edit, "97127")  # typing replaces it, never glued on
    assert panel.add_edit.text() == "97127"
    qtbot.keyClick(panel.add_edit, Qt.Key.Key_Return)
    assert "97127 was deleted" in panel.offer_label.text()
    panel.add_edit.selectAll()
    qtbot.keyClicks(panel.add_edit, "97110=23")
    qtbot.keyClick(panel.add_edit, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert [line.code for line in panel.visit().lines] == ["97110"]
    assert "97127" not in panel.offer_label.text() or not panel.offer_frame.isVisible()


def test_readding_a_code_asks_and_never_silently_replaces(
    qtbot: QtBot, panel: VisitPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel.add_entry("97110=15")
    asked: list[tuple[str, int | None, int]] = []
    answers = iter(["add", None, "replace"])

    def ask(parent: object, code: str, old: int | None, minutes: int) -> object:
        asked.append((code, old, minutes))
        return next(answers)

    monkeypatch.setattr(dialogs, "ask_readd", ask)
    assert panel.add_entry("97110=10")
    assert panel.visit().lines[0].minutes == 25
    assert not panel.add_entry("97110=8")  # cancelled: nothing changes
    assert panel.visit().lines[0].minutes == 25
    assert panel.add_entry("97110=8")
    assert panel.visit().lines[0].minutes == 8
    assert asked == [("97110", 15, 10), ("97110", 25, 8), ("97110", 25, 8)]
    assert len(panel.visit().lines) == 1


def test_copy_message_goes_when_the_visit_changes(qtbot: QtBot, panel: VisitPanel) -> None:
    panel.add_entry("97110=23")
    assert panel.has_unsaved_work()
    panel.copy_visit()
    assert panel.copy_status.isVisible()
    assert not panel.has_unsaved_work()
    panel.add_entry("97140=15")
    assert not panel.copy_status.isVisible()
    assert panel.has_unsaved_work()


def test_recent_hears_of_every_added_code(qtbot: QtBot, panel: VisitPanel) -> None:
    added: list[str] = []
    panel.code_added.connect(added.append)
    panel.add_entry("97110=23")
    panel.add_code("M25.561")
    panel.templates.save("t")
    panel.clear_visit()
    panel.add_entry("97140")
    assert added == ["97110", "M25.561", "97140"]


def test_visit_menu_lists_each_action_with_its_shortcut(panel: VisitPanel) -> None:
    shortcuts = {a.text().replace("&", ""): a.shortcut().toString()
                 for a in panel.menu_actions() if a is not None}
    assert shortcuts["Copy visit"] == "Ctrl+Shift+C"
    assert shortcuts["New visit"] == "Ctrl+N"
    assert shortcuts["Undo"] == "Ctrl+Z"
    assert shortcuts["Remove line"] == "Del"


def test_save_dialog_adds_the_extension_and_remembers_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def fake_save(parent: object, title: str, start: str, filters: str) -> tuple[str, str]:
        seen.append(start)
        return str(tmp_path / "mysetup"), "PT Codes settings (*.json)"

    monkeypatch.setattr(dialogs.QFileDialog, "getSaveFileName", fake_save)
    memory = dialogs.FolderMemory()
    monkeypatch.setattr(dialogs, "FOLDERS", memory)
    path = dialogs.save_file(None, "Export", "settings.json", "PT Codes settings (*.json)")
    assert path == tmp_path / "mysetup.json"
    assert Path(seen[0]).parent != Path.cwd() or Path.cwd() == Path.home()
    dialogs.save_file(None, "Export", "settings.json", "PT Codes settings (*.json)")
    assert seen[1] == str(tmp_path / "settings.json")
    assert dialogs.with_suffix(Path("a.csv"), "CSV (*.txt)") == Path("a.csv")


def test_dialog_folders_are_kept_in_the_settings(tmp_path: Path, store: UserStore) -> None:
    first = dialogs.FolderMemory()
    first.attach(store)
    assert Path(first.folder("settings")).is_dir()  # Documents (or home) the first time
    first.remember("settings", tmp_path / "export.json")
    later = dialogs.FolderMemory()  # the next session
    later.attach(store)
    assert later.folder("settings") == str(tmp_path)
    assert later.folder("imports") != str(tmp_path)  # each kind of file has its own
