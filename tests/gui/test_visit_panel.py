"""The visit builder panel: units as you type, warnings, copy, undo, refusals, templates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.domain.formatting import format_visit
from ptcodes_gui.domain.profiles import PayerProfile
from ptcodes_gui.ui import dialogs
from ptcodes_gui.ui.visit_model import (
    DX,
    MINUTES,
    MODIFIERS,
    PROVIDER,
    UNITS,
    DiagnosesModel,
    VisitLinesModel,
    WarningsModel,
)
from ptcodes_gui.ui.visit_panel import VisitPanel
from ptcodes_gui.userdata import store as store_module
from ptcodes_gui.userdata.store import UserStore

EXAMPLE_TEXT = (
    "97530 GP x2 A (23 min)\n97140 GP x1 A (15 min)\nTimed: 38 min, 3 units\n\nA M25.561"
)

#: Host windows of the panels under test (qtbot only keeps weak references).
_HOSTS: list[QMainWindow] = []


@pytest.fixture(autouse=True)
def _forget_hosts() -> Iterator[None]:
    yield
    _HOSTS.clear()


@pytest.fixture
def clean_catalog(catalog: Catalog) -> Catalog:
    catalog.set_ncci_pairs(None)
    catalog.set_clinic_codes([])
    catalog.set_descriptors({})
    return catalog


def _make_panel(qtbot: QtBot, catalog: Catalog, store: UserStore) -> VisitPanel:
    window = QMainWindow()
    _HOSTS.append(window)
    qtbot.addWidget(window)
    panel = VisitPanel(catalog, store)
    window.setCentralWidget(panel)
    # An explicit minimum keeps the layout from resizing the top-level window's limits
    # whenever the offer bar shows (the offscreen platform warns about that).
    window.setMinimumSize(320, 480)
    window.resize(480, 700)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return panel


@pytest.fixture
def panel(qtbot: QtBot, clean_catalog: Catalog, store: UserStore) -> Iterator[VisitPanel]:
    p = _make_panel(qtbot, clean_catalog, store)
    yield p
    p.window().close()


def _units(panel: VisitPanel) -> dict[str, int]:
    return {line.code: line.units for line in panel.result().lines}


def _type_minutes(qtbot: QtBot, panel: VisitPanel, row: int, minutes: int) -> None:
    """Edit a Minutes cell as a user does: select it, type the digits, press Enter."""
    view = panel.lines_view
    view.setFocus()
    view.setCurrentIndex(panel.lines_model.index(row, MINUTES))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QSpinBox), editor
    editor.selectAll()
    qtbot.keyClicks(editor, str(minutes))
    _press_return(qtbot, editor)


def _press_return(qtbot: QtBot, editor: QWidget) -> None:
    # The delegate commits and closes the editor on Return through a queued call: let the
    # event loop run it now, as it would in the app.
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()


def _warning_ids(panel: VisitPanel) -> list[str]:
    return [w.code for w in panel.warnings_model.warnings()]


def _build_example(qtbot: QtBot, panel: VisitPanel) -> None:
    assert panel.add_code("97530")
    assert panel.add_code("97140")
    _type_minutes(qtbot, panel, 0, 23)
    _type_minutes(qtbot, panel, 1, 15)


# --------------------------------------------------------------------------- the example


def test_example_units_warning_and_exact_clipboard(
    qtbot: QtBot, panel: VisitPanel, clean_catalog: Catalog
) -> None:
    _build_example(qtbot, panel)
    result = panel.result()
    # CMS: 23 → 1 full + 8 left over, 15 → 1 full; (38 + 7) // 15 = 3; the third unit goes
    # to the larger remainder (97530, 8 minutes).
    assert result.total_timed_minutes == 38
    assert result.total_units == 3
    assert _units(panel) == {"97530": 2, "97140": 1}
    assert "38 min → 3 units" in panel.totals_label.text()
    assert panel.lines_model.index(0, UNITS).data() == "2"
    assert panel.lines_model.index(1, UNITS).data() == "1"

    # The catalog's pair has 97530 in column 2: the modifier is suggested there.
    pair = clean_catalog.ncci_pairs(["97530", "97140"])[0]
    assert (pair.column1, pair.column2, pair.indicator) == ("97140", "97530", 1)
    ncci = [w for w in panel.warnings_model.warnings() if w.code == "ncci-pair"]
    assert len(ncci) == 1 and "59 or XU to 97530" in ncci[0].message
    assert ncci[0].line == 0
    shown = [
        panel.warnings_model.index(i).data() for i in range(panel.warnings_model.rowCount())
    ]
    assert f"{ncci[0].message}  [ncci-pair]" in shown  # each warning names its rule
    assert panel.offer_frame.isVisible()
    assert "Add 59 to 97530" in panel.offered_choices()
    assert "Add XU to 97530" in panel.offered_choices()

    assert panel.add_code("M25.561")
    assert panel.visit().diagnoses == ("M25.561",)
    assert [line.dx_pointers for line in panel.visit().lines] == [("A",), ("A",)]

    QApplication.clipboard().clear()
    qtbot.keyClick(panel.lines_view, Qt.Key.Key_C,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.clipboard().text() == EXAMPLE_TEXT
    assert panel.preview.toPlainText() == EXAMPLE_TEXT
    assert panel.copy_status.text() == "Copied 4 lines."


def test_copy_button_returns_what_was_copied(qtbot: QtBot, panel: VisitPanel) -> None:
    _build_example(qtbot, panel)
    panel.add_code("M25.561")
    messages: list[str] = []
    panel.message.connect(messages.append)
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == EXAMPLE_TEXT
    assert messages[-1] == "Copied 4 lines."
    assert panel.copy_visit() == EXAMPLE_TEXT


def test_editing_minutes_updates_totals_and_warnings(qtbot: QtBot, panel: VisitPanel) -> None:
    _build_example(qtbot, panel)
    assert "ncci-pair" in _warning_ids(panel)
    _type_minutes(qtbot, panel, 1, 5)
    # 28 minutes → 2 units: 97530 keeps 1 full + 8 left over, 97140's 5 lose the last unit.
    assert panel.result().total_timed_minutes == 28
    assert _units(panel) == {"97530": 2, "97140": 0}
    assert "28 min → 2 units" in panel.totals_label.text()
    ids = _warning_ids(panel)
    assert "ncci-pair" not in ids  # 97140 is no longer billed
    assert "zero-units" in ids


def test_totals_follow_each_keystroke(qtbot: QtBot, panel: VisitPanel) -> None:
    panel.add_code("97110")
    view = panel.lines_view
    view.setFocus()
    view.setCurrentIndex(panel.lines_model.index(0, MINUTES))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QSpinBox)
    editor.selectAll()
    qtbot.keyClicks(editor, "3")
    assert panel.result().total_units == 0  # 3 minutes, still editing
    qtbot.keyClicks(editor, "8")
    assert panel.visit().lines[0].minutes == 38
    assert panel.result().total_units == 3
    assert "38 min → 3 units" in panel.totals_label.text()
    # One edit session is one undo step.
    _press_return(qtbot, editor)
    panel.undo_stack().undo()
    assert panel.visit().lines[0].minutes is None


def test_typing_on_a_cell_edits_it_and_esc_takes_the_edit_back(
    qtbot: QtBot, panel: VisitPanel
) -> None:
    panel.add_code("97110")
    view = panel.lines_view
    view.setFocus()
    view.setCurrentIndex(panel.lines_model.index(0, MINUTES))
    qtbot.keyClick(view, Qt.Key.Key_2)  # opens the editor with the key typed
    editor = QApplication.focusWidget()
    assert isinstance(editor, QSpinBox)
    qtbot.keyClicks(editor, "5")
    assert panel.visit().lines[0].minutes == 25
    assert _units(panel) == {"97110": 2}
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    QApplication.processEvents()
    assert panel.visit().lines[0].minutes is None
    assert QApplication.focusWidget() is view
    assert panel.undo_stack().canRedo()


def test_delete_key_removes_a_line_and_ctrl_z_restores_it(
    qtbot: QtBot, panel: VisitPanel
) -> None:
    _build_example(qtbot, panel)
    view = panel.lines_view
    view.setFocus()
    view.setCurrentIndex(panel.lines_model.index(0, MINUTES))
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert [line.code for line in panel.visit().lines] == ["97140"]
    assert panel.lines_model.rowCount() == 1
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [line.code for line in panel.visit().lines] == ["97530", "97140"]
    assert [line.minutes for line in panel.visit().lines] == [23, 15]
    assert _units(panel) == {"97530": 2, "97140": 1}
    qtbot.keyClick(view, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert [line.code for line in panel.visit().lines] == ["97140"]


# --------------------------------------------------------------------------- refusals


def test_deleted_code_is_refused_with_its_replacements_offered(
    qtbot: QtBot, panel: VisitPanel
) -> None:
    messages: list[str] = []
    panel.message.connect(messages.append)
    assert not panel.add_code("97127")
    assert panel.visit().lines == ()
    assert "97127 was deleted" in messages[-1]
    assert panel.offer_frame.isVisible()
    assert "97127 was deleted" in panel.offer_label.text()
    offered = panel.offered_choices()
    assert offered[0].startswith("Add 97129") and offered[1].startswith("Add 97130")
    # Keyboard: Alt+U uses the choice shown in the combo (the first one).
    qtbot.keyClick(panel.add_edit, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: [line.code for line in panel.visit().lines] == ["97129"])
    assert not panel.offer_frame.isVisible() or "97127" not in panel.offer_label.text()


def test_replacement_added_with_one_click(qtbot: QtBot, panel: VisitPanel) -> None:
    panel.add_code("97127")
    panel.offer_combo.setCurrentIndex(1)
    qtbot.mouseClick(panel.offer_button, Qt.MouseButton.LeftButton)
    assert [line.code for line in panel.visit().lines] == ["97130"]


def test_header_diagnosis_refused_with_billable_codes_offered(
    qtbot: QtBot, panel: VisitPanel
) -> None:
    assert not panel.add_code("M54.5")
    assert panel.visit().diagnoses == ()
    offered = panel.offered_choices()
    assert [c.split()[1] for c in offered] == ["M54.50", "M54.51", "M54.59"]
    assert panel.use_offer(0)
    assert panel.visit().diagnoses == ("M54.50",)
    assert panel.dx_model.index(0).data().startswith("A  M54.50")


def test_unknown_code_offers_the_nearest(qtbot: QtBot, panel: VisitPanel) -> None:
    assert not panel.add_code("97999")
    assert panel.offered_choices()
    assert "not in the catalog" in panel.offer_label.text()


def test_entry_field_takes_code_and_minutes(qtbot: QtBot, panel: VisitPanel) -> None:
    qtbot.keyClicks(panel.add_edit, "97110=33")
    qtbot.keyClick(panel.add_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(panel.add_edit, "97140=7")
    qtbot.keyClick(panel.add_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(panel.add_edit, "m25561")
    qtbot.keyClick(panel.add_edit, Qt.Key.Key_Return)
    assert _units(panel) == {"97110": 2, "97140": 1}
    assert panel.visit().diagnoses == ("M25.561",)
    assert panel.add_edit.text() == ""
    qtbot.keyClicks(panel.add_edit, "97110=abc")
    qtbot.keyClick(panel.add_edit, Qt.Key.Key_Return)
    assert "not a whole number" in panel.offer_label.text()


def test_diagnoses_are_lettered_and_at_most_twelve(qtbot: QtBot, panel: VisitPanel) -> None:
    codes = ["M25.561", "M25.562", "M54.50", "M62.81", "R26.89", "M25.511", "M25.512",
             "M79.604", "M79.605", "R53.1", "M62.830", "M25.551"]
    for code in codes:
        assert panel.add_diagnosis(code), code
    assert panel.dx_model.index(11).data().startswith("L  M25.551")
    assert not panel.add_diagnosis("M25.552")
    assert "12 diagnoses" in panel.offer_label.text()


def test_removing_a_diagnosis_moves_the_pointers(qtbot: QtBot, panel: VisitPanel) -> None:
    panel.add_diagnosis("M25.561")
    panel.add_diagnosis("M54.50")
    panel.add_code("97110")
    panel.lines_model.setData(panel.lines_model.index(0, DX), "A,B")
    view = panel.dx_view
    view.setFocus()
    view.setCurrentIndex(panel.dx_model.index(0))
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert panel.visit().diagnoses == ("M54.50",)
    assert panel.visit().lines[0].dx_pointers == ("A",)
    panel.undo_stack().undo()
    assert panel.visit().lines[0].dx_pointers == ("A", "B")


# --------------------------------------------------------------------------- line editing


def test_units_override_is_visibly_marked_and_clearable(qtbot: QtBot, panel: VisitPanel) -> None:
    panel.add_code("97110")
    model = panel.lines_model
    model.setData(model.index(0, MINUTES), 20)
    assert model.index(0, UNITS).data() == "1"
    view = panel.lines_view
    view.setFocus()
    view.setCurrentIndex(model.index(0, UNITS))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "2")
    _press_return(qtbot, editor)
    assert panel.result().lines[0].overridden
    assert model.index(0, UNITS).data() == "2✎"
    assert model.index(0, UNITS).data(Qt.ItemDataRole.FontRole).bold()
    assert "Set by hand" in model.index(0, UNITS).data(Qt.ItemDataRole.ToolTipRole)
    assert "units-need-more-minutes" in _warning_ids(panel)
    model.setData(model.index(0, UNITS), "")
    assert not panel.result().lines[0].overridden
    assert model.index(0, UNITS).data() == "1"


def test_provider_kx_telehealth_and_own_modifiers(qtbot: QtBot, panel: VisitPanel) -> None:
    panel.add_code("97110")
    model = panel.lines_model
    model.setData(model.index(0, MINUTES), 30)
    model.setData(model.index(0, PROVIDER), "pta")
    assert panel.result().lines[0].modifiers == ("GP", "CQ")
    qtbot.mouseClick(panel.kx_check, Qt.MouseButton.LeftButton)
    assert panel.visit().kx
    panel.telehealth_combo.setFocus()
    qtbot.keyClick(panel.telehealth_combo, Qt.Key.Key_Down)
    assert panel.visit().telehealth == "95"
    model.setData(model.index(0, MODIFIERS), "xu")
    assert panel.result().lines[0].modifiers == ("GP", "CQ", "KX", "95", "XU")
    assert model.index(0, MODIFIERS).data() == "GP CQ KX 95 XU"
    assert not model.setData(model.index(0, MODIFIERS), "5")  # not a modifier
    assert model.index(0, PROVIDER).data() == "PTA"


def test_offered_modifier_goes_on_the_column_2_line(qtbot: QtBot, panel: VisitPanel) -> None:
    _build_example(qtbot, panel)
    labels = panel.offered_choices()
    assert panel.use_offer(labels.index("Add XU to 97530"))
    assert panel.visit().lines[0].extra_modifiers == ("XU",)
    assert "ncci-pair" in _warning_ids(panel)  # now the info note about separate blocks
    assert all(w.severity == "info" for w in panel.warnings_model.warnings()
               if w.code == "ncci-pair")
    assert panel.copy_visit().startswith("97530 GP XU x2")


# --------------------------------------------------------------------------- payer, ties


def test_midpoint_profile_changes_units(qtbot: QtBot, panel: VisitPanel) -> None:
    for code in ("97110", "97140", "97032"):
        panel.add_code(code)
    for row in range(3):
        panel.lines_model.setData(panel.lines_model.index(row, MINUTES), 10)
    assert panel.result().profile.name == "Medicare"
    assert panel.result().total_units == 2  # 30 minutes under the 8-minute rule
    at = panel.profile_combo.findData("Commercial (midpoint rule)")
    assert at >= 0
    panel.profile_combo.setFocus()
    panel.profile_combo.setCurrentIndex(at)
    panel.profile_combo.activated.emit(at)
    assert panel.result().profile.unit_rule == "midpoint"
    assert panel.result().total_units == 3
    assert panel.totals_label.text() == "30 min → 3 units · midpoint"
    panel.undo_stack().undo()
    assert panel.result().total_units == 2
    assert panel.profile_combo.currentData() == "Medicare"


def test_tie_is_shown_and_choosing_changes_the_split(qtbot: QtBot, panel: VisitPanel) -> None:
    panel.add_code("97110")
    panel.add_code("97140")
    panel.lines_model.setData(panel.lines_model.index(0, MINUTES), 20)
    panel.lines_model.setData(panel.lines_model.index(1, MINUTES), 20)
    assert panel.tie_frame.isVisible()
    assert panel.tie_label.text() == "&Tie (5 min left each): unit to"
    assert "97110 and 97140 each have 5 minutes" in panel.tie_combo.toolTip()
    assert _units(panel) == {"97110": 2, "97140": 1}
    assert panel.lines_model.index(0, UNITS).data() == "2?"
    assert "unit-tie" in _warning_ids(panel)
    labels = [panel.tie_combo.itemText(i) for i in range(panel.tie_combo.count())]
    assert labels == ["97110 (for now)", "97140"]
    panel.tie_combo.setCurrentIndex(1)
    panel.tie_combo.activated.emit(1)
    assert _units(panel) == {"97110": 1, "97140": 2}
    assert "unit-tie" not in _warning_ids(panel)
    assert not any(line.overridden for line in panel.result().lines)
    assert panel.tie_label.text().startswith("&Tie settled")
    assert panel.tie_combo.currentText() == "97140"
    panel.undo_stack().undo()
    assert _units(panel) == {"97110": 2, "97140": 1}


def test_new_profile_dialog_saves_and_selects(
    qtbot: QtBot, panel: VisitPanel, store: UserStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = PayerProfile("Acme PPO", unit_rule="midpoint", daily_timed_unit_cap=4)
    monkeypatch.setattr(dialogs, "ask_profile", lambda parent, taken: profile)
    qtbot.mouseClick(panel.new_profile_button, Qt.MouseButton.LeftButton)
    assert panel.profile_combo.currentText() == "Acme PPO"
    assert panel.visit().profile == profile
    assert [p["name"] for p in store.profiles()] == ["Acme PPO"]
    for code in ("97110", "97140"):
        panel.add_code(code)
        panel.lines_model.setData(panel.lines_model.index(len(panel.visit().lines) - 1,
                                                          MINUTES), 38)
    assert "daily-cap-exceeded" in _warning_ids(panel)
    assert not panel.add_profile(PayerProfile("medicare", unit_rule="cms"))
    bad = PayerProfile("Odd", unit_rule="midpoint", medicare=True)  # the store refuses it
    assert not panel.add_profile(bad)
    assert [p["name"] for p in store.profiles()] == ["Acme PPO"]


def test_profile_dialog_fields(qtbot: QtBot) -> None:
    dialog = dialogs.ProfileDialog(taken=["Acme"])
    qtbot.addWidget(dialog)
    with pytest.raises(ValueError, match="name"):
        dialog.profile()
    dialog.name_edit.setText("acme")
    with pytest.raises(ValueError, match="already exists"):
        dialog.profile()
    dialog.name_edit.setText("Medicare Advantage X")
    dialog.rule_combo.setCurrentIndex(dialog.rule_combo.findData("midpoint"))
    dialog.cap_spin.setValue(6)
    dialog.medicare_check.setChecked(True)
    assert dialog.profile() == PayerProfile(
        "Medicare Advantage X", unit_rule="cms", daily_timed_unit_cap=6, medicare=True
    )
    assert not dialog.rule_combo.isEnabled()
    for widget in dialog.findChildren(QWidget):
        if _interactive(widget):
            assert widget.accessibleName(), widget


# --------------------------------------------------------------------------- copying


def test_copy_with_errors_copies_only_the_lines_without_errors(
    qtbot: QtBot, panel: VisitPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel.add_code("97130")  # an add-on without its primary: an error
    panel.add_code("97110")
    panel.lines_model.setData(panel.lines_model.index(0, MINUTES), 15)
    panel.lines_model.setData(panel.lines_model.index(1, MINUTES), 10)
    assert panel.result().errors
    # the preview is what will be copied, and says what is left out
    assert panel.preview.toPlainText() == "97110 GP x1 (10 min)\nTimed: 10 min, 1 unit"
    assert panel.copy_area.left_out_label.text() == "Left out of the copy: 97130 (error)."
    assert not panel.copy_area.left_out_label.isHidden()
    asked: list[tuple[list[str], list[str], int]] = []

    def refuse(parent: object, errors: list[str], left_out: list[str], lines: int) -> bool:
        asked.append((list(errors), list(left_out), lines))
        return False

    QApplication.clipboard().setText("before")
    monkeypatch.setattr(dialogs, "confirm_copy_with_errors", refuse)
    assert panel.copy_visit() == ""
    assert QApplication.clipboard().text() == "before"
    assert "add-on" in asked[0][0][0]
    assert asked[0][1:] == (["97130 (error)"], 1)
    assert "Not copied" in panel.copy_status.text()

    monkeypatch.setattr(dialogs, "confirm_copy_with_errors", lambda *a: True)
    copied = panel.copy_visit()
    assert copied == "97110 GP x1 (10 min)\nTimed: 10 min, 1 unit"
    assert QApplication.clipboard().text() == copied
    assert "left out: 97130 (error)" in panel.copy_status.text()
    assert "1 error not fixed" in panel.copy_status.text()


def test_copy_when_every_line_has_an_error_copies_nothing(
    qtbot: QtBot, panel: VisitPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert panel.set_profile("Medicare")
    panel.add_entry("97140=15")
    panel.editor.set_telehealth("95")
    assert [w.code for w in panel.result().errors] == ["telehealth-not-on-list"]
    monkeypatch.setattr(dialogs, "confirm_copy_with_errors", lambda *a: True)
    QApplication.clipboard().setText("before")
    assert panel.copy_visit() == ""
    assert QApplication.clipboard().text() == "before"
    assert panel.preview.toPlainText() == ""
    assert "Nothing to copy" in panel.copy_status.text()


@pytest.mark.parametrize("fmt", ["text", "tsv", "codes", "json"])
def test_preview_is_exactly_what_is_copied(
    qtbot: QtBot, panel: VisitPanel, fmt: str
) -> None:
    _build_example(qtbot, panel)
    panel.add_code("M25.561")
    panel.format_combo.setCurrentIndex(panel.format_combo.findData(fmt))
    expected = format_visit(panel.result(), fmt)
    assert panel.preview.toPlainText() == expected
    assert panel.preview.isReadOnly()
    assert panel.copy_visit() == expected
    assert QApplication.clipboard().text() == expected


def test_copy_shortcut_is_window_wide(qtbot: QtBot, panel: VisitPanel) -> None:
    action = panel.copy_action
    assert action.shortcut().toString() == "Ctrl+Shift+C"
    assert action.shortcutContext() == Qt.ShortcutContext.WindowShortcut
    assert action in panel.actions()


# --------------------------------------------------------------------------- templates


def test_templates_survive_reopening_the_store(
    qtbot: QtBot, clean_catalog: Catalog, tmp_path: Path
) -> None:
    folder = tmp_path / "tpl"
    first, _ = UserStore.open(folder)
    panel = _make_panel(qtbot, clean_catalog, first)
    panel.add_code("97110")
    panel.add_code("97140")
    panel.add_diagnosis("M25.561")
    model = panel.lines_model
    model.setData(model.index(0, MINUTES), 23)
    model.setData(model.index(1, MINUTES), 15)
    model.setData(model.index(1, PROVIDER), "pta")
    model.setData(model.index(1, MODIFIERS), "59")
    model.setData(model.index(0, UNITS), "2")
    assert panel.save_template("Knee TKA")
    assert panel.template_combo.currentText() == "Knee TKA"
    panel.window().close()
    first.close()

    second, _ = UserStore.open(folder)
    try:
        stored = second.get_template("Knee TKA")
        assert stored is not None
        assert [ln.to_dict() for ln in stored.lines] == [
            {"code": "97110", "minutes": 23, "modifiers": [], "provider": "pt",
             "units_override": 2},
            {"code": "97140", "minutes": 15, "modifiers": ["59"], "provider": "pta",
             "units_override": None},
        ]
        fresh = _make_panel(qtbot, clean_catalog, second)
        assert fresh.template_names() == ["Knee TKA"]
        assert fresh.load_template("Knee TKA")
        lines = fresh.visit().lines
        assert [(ln.code, ln.minutes, ln.provider, ln.extra_modifiers, ln.units_override)
                for ln in lines] == [
            ("97110", 23, "pt", (), 2),
            ("97140", 15, "pta", ("59",), None),
        ]
        assert fresh.visit().diagnoses == ()  # never saved with a template
        assert all(ln.dx_pointers == () for ln in lines)
        fresh.undo_stack().undo()
        assert fresh.visit().lines == ()

        assert fresh.rename_template("Knee TKA", "Knee, week 2")
        assert fresh.template_names() == ["Knee, week 2"]
        assert fresh.delete_template("Knee, week 2")
        assert fresh.template_names() == []
        fresh.window().close()
    finally:
        second.close()


def test_save_template_button_asks_a_name_and_overwrite(
    qtbot: QtBot, panel: VisitPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel.add_code("97110")
    monkeypatch.setattr(dialogs, "ask_text", lambda *a: "Back")
    qtbot.mouseClick(panel.save_template_button, Qt.MouseButton.LeftButton)
    assert panel.template_names() == ["Back"]
    panel.add_code("97140")
    answers: list[str] = []

    def yes(parent: object, title: str, text: str) -> bool:
        answers.append(text)
        return True

    monkeypatch.setattr(dialogs, "ask_yes_no", yes)
    qtbot.mouseClick(panel.save_template_button, Qt.MouseButton.LeftButton)
    assert "exists" in answers[0]
    panel.clear_visit()
    panel.template_combo.setCurrentIndex(0)
    qtbot.mouseClick(panel.load_template_button, Qt.MouseButton.LeftButton)
    assert [ln.code for ln in panel.visit().lines] == ["97110", "97140"]


def test_read_only_store_explains_instead_of_crashing(
    qtbot: QtBot, clean_catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        store_module, "probe_writable", lambda d: f"you do not have permission to write to {d}"
    )
    ro, _ = UserStore.open(tmp_path / "ro")
    assert ro.read_only
    try:
        panel = _make_panel(qtbot, clean_catalog, ro)
        messages: list[str] = []
        panel.message.connect(messages.append)
        panel.add_code("97110")
        assert not panel.save_template("Mine")
        assert "cannot be saved" in messages[-1] and "permission" in messages[-1]
        assert panel.template_status.isVisible()
        assert "cannot be saved" in panel.template_status.text()
        qtbot.mouseClick(panel.save_template_button, Qt.MouseButton.LeftButton)
        assert "cannot be saved" in messages[-1]
        assert not panel.add_profile(PayerProfile("X", unit_rule="midpoint"))
        assert not panel.rename_template("a", "b")
        assert not panel.delete_template("a")
        panel.format_combo.setCurrentIndex(1)  # a preference: silently not remembered
        panel.set_profile("Commercial (midpoint rule)")
        panel.window().close()
    finally:
        ro.close()


# --------------------------------------------------------------------------- models, a11y


def test_models_pass_the_model_tester(
    qtbot: QtBot, panel: VisitPanel, qtmodeltester: ModelTester
) -> None:
    _build_example(qtbot, panel)
    panel.add_code("M25.561")
    panel.add_code("97127")
    for model in (panel.lines_model, panel.dx_model, panel.warnings_model):
        qtmodeltester.check(model)
    for model in (VisitLinesModel(), DiagnosesModel(), WarningsModel()):
        qtmodeltester.check(model)


def test_lines_model_is_a_thin_adapter(qtbot: QtBot, panel: VisitPanel) -> None:
    _build_example(qtbot, panel)
    model = panel.lines_model
    assert model.result() is panel.result()
    assert model.visit() is panel.visit()
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    assert model.flags(model.index(0, MINUTES)) & Qt.ItemFlag.ItemIsEditable
    assert model.index(0, 0, QModelIndex()).data(Qt.ItemDataRole.ToolTipRole).startswith(
        "97530 Therapeutic activities"
    )


def _interactive(widget: QWidget) -> bool:
    kinds = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox, QAbstractItemView,
             QPlainTextEdit)
    return isinstance(widget, kinds) and widget.focusPolicy() != Qt.FocusPolicy.NoFocus


def test_every_interactive_widget_has_an_accessible_name(
    qtbot: QtBot, panel: VisitPanel
) -> None:
    _build_example(qtbot, panel)
    panel.add_code("97127")  # the offer bar is showing
    panel.lines_view.setCurrentIndex(panel.lines_model.index(0, MINUTES))
    panel.lines_view.edit(panel.lines_model.index(0, MINUTES))  # an inline editor too
    widgets = [w for w in panel.findChildren(QWidget) if _interactive(w)]
    assert len(widgets) > 15
    unnamed = [f"{type(w).__name__} {w.objectName()}" for w in widgets if not w.accessibleName()]
    assert unnamed == []


def test_tab_order_follows_the_layout(qtbot: QtBot, panel: VisitPanel) -> None:
    panel.add_code("97110")
    panel.add_edit.setFocus()
    seen: list[QWidget] = []
    for _ in range(8):
        widget = QApplication.focusWidget()
        assert widget is not None
        seen.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    assert seen[0] is panel.add_edit
    order = [panel.add_edit, panel.remove_button, panel.undo_button, panel.lines_view,
             panel.dx_view, panel.warnings_view, panel.warnings.explain_button,
             panel.format_combo]
    assert seen == order


def test_enter_in_the_table_edits_minutes(qtbot: QtBot, panel: VisitPanel) -> None:
    panel.add_code("97110")
    view = panel.lines_view
    view.setFocus()
    view.setCurrentIndex(panel.lines_model.index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QSpinBox)
    qtbot.keyClicks(editor, "12")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)  # commits and moves on to the units cell
    assert panel.visit().lines[0].minutes == 12
    assert isinstance(QApplication.focusWidget(), QLineEdit)


def test_fits_beside_the_search_at_1024_by_700(
    qtbot: QtBot, clean_catalog: Catalog, store: UserStore
) -> None:
    from ptcodes_gui.ui.main_window import MainWindow

    panel = VisitPanel(clean_catalog, store)
    window = MainWindow(clean_catalog, store, visit_panel=panel)
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    assert panel.width() >= panel.minimumSizeHint().width()
    assert panel.height() >= panel.minimumSizeHint().height()
    assert panel.width() <= 1024 // 2 + 40
    # Enter in the search adds the selected code through add_code.
    window.search_edit.setText("97530")
    window.run_search()
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Return)
    assert [ln.code for ln in panel.visit().lines] == ["97530"]
    window.close()
