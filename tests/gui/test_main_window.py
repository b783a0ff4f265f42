"""The main window as a user drives it: type, read, navigate, copy, star."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.ui.main_window import MainWindow
from ptcodes_gui.ui.results_model import ResultsModel
from ptcodes_gui.userdata.store import UserStore


def type_search(qtbot: QtBot, win: MainWindow, text: str) -> None:
    win.search_edit.clear()
    qtbot.keyClicks(win.search_edit, text)
    qtbot.waitUntil(lambda: not win._search_timer.isActive(), timeout=2000)
    win._flush_detail()


def codes(win: MainWindow) -> list[str]:
    return [h.code for h in win.results_model.hits()]


def test_search_field_has_focus_at_start(window: MainWindow) -> None:
    assert window.focusWidget() is window.search_edit


def test_typing_filters_and_first_hit_fills_the_detail(qtbot: QtBot, window: MainWindow) -> None:
    type_search(qtbot, window, "ther act")
    assert codes(window)[0] == "97530"
    html = window.detail_view.toPlainText()
    assert "97530" in html
    assert "timed, 15-minute units" in html
    assert "constant attendance" in html
    type_search(qtbot, window, "nmr")
    assert codes(window)[0] == "97112"
    assert "97112" in window.detail_view.toPlainText()


def test_down_arrow_moves_selection_and_drives_the_pane(qtbot: QtBot, window: MainWindow) -> None:
    type_search(qtbot, window, "971")
    first, second = codes(window)[:2]
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Down)
    assert window.current_hit() is not None and window.current_hit().code == second  # type: ignore[union-attr]
    assert second in window.detail_view.toPlainText()
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Up)
    assert window.current_hit().code == first  # type: ignore[union-attr]


def test_empty_search_browses_pt_codes_by_category(window: MainWindow) -> None:
    hits = window.results_model.hits()
    assert hits, "browse view is empty"
    assert hits[0].category == "evaluation"
    cats = [h.category for h in hits]
    # grouped: once a category ends it does not come back
    seen: list[str] = []
    for c in cats:
        if not seen or seen[-1] != c:
            assert c not in seen, f"category {c} appears in two groups"
            seen.append(c)
    assert all(h.system != "icd10cm" for h in hits)


def test_escape_clears_the_search(qtbot: QtBot, window: MainWindow) -> None:
    type_search(qtbot, window, "gait")
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Escape)
    assert window.search_edit.text() == ""


def test_ctrl_c_in_results_copies_exactly_the_code(qtbot: QtBot, window: MainWindow) -> None:
    type_search(qtbot, window, "ther act")
    window.results_view.setFocus()
    QApplication.clipboard().clear()
    qtbot.keyClick(window.results_view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "97530"


def test_ctrl_c_in_search_field_without_selection_copies_the_code(
    qtbot: QtBot, window: MainWindow
) -> None:
    type_search(qtbot, window, "therex")
    window.search_edit.deselect()
    qtbot.keyClick(window.search_edit, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "97110"


def test_copy_with_title_button(qtbot: QtBot, window: MainWindow) -> None:
    type_search(qtbot, window, "97140")
    qtbot.mouseClick(window.copy_title_button, Qt.MouseButton.LeftButton)
    text = QApplication.clipboard().text()
    assert text.startswith("97140 ") and "\n" not in text
    assert text == f"97140 {window.current_code().title}"  # type: ignore[union-attr]


def test_links_navigate_and_back_forward_return(qtbot: QtBot, window: MainWindow) -> None:
    type_search(qtbot, window, "97127")
    pane = window.detail_view.toPlainText()
    assert "Deleted" in pane and "97129" in pane
    window._on_link_clicked(QUrl("code:97129"))
    assert window.current_code().code == "97129"  # type: ignore[union-attr]
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.current_code().code == "97127"  # type: ignore[union-attr]
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.current_code().code == "97129"  # type: ignore[union-attr]


def test_deleted_code_is_greyed_with_its_replacement(qtbot: QtBot, window: MainWindow) -> None:
    type_search(qtbot, window, "97127")
    model = window.results_model
    row = model.row_of("97127")
    assert row >= 0
    status = model.data(model.index(row, 3))
    assert status == "deleted → 97129, 97130"
    colour = model.data(model.index(row, 0), Qt.ItemDataRole.ForegroundRole)
    assert colour == QApplication.palette().color(
        QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
    )


def test_diagnoses_filter_and_header_marking(qtbot: QtBot, window: MainWindow) -> None:
    window.system_combo.setCurrentIndex(window.system_combo.findData("icd10cm"))
    type_search(qtbot, window, "pain right knee")
    assert codes(window)[0] == "M25.561"
    assert "Billable" in window.detail_view.toPlainText()
    type_search(qtbot, window, "M54.5")
    assert codes(window)[:2] == ["M54.5", "M54.50"]
    pane = window.detail_view.toPlainText()
    assert "not billable" in pane and "M54.50" in pane
    model = window.results_model
    assert model.data(model.index(0, 3)) == "header (not billable)"
    assert "Excludes1" in pane


def test_favorites_survive_a_restart(
    qtbot: QtBot, catalog: Catalog, tmp_path: Path
) -> None:
    data = tmp_path / "fav"
    store, _ = UserStore.open(data)
    win = MainWindow(catalog, store)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    with qtbot.waitActive(win):  # window shortcuts need the active window
        win.activateWindow()
    type_search(qtbot, win, "97140")
    qtbot.keyClick(win, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert store.is_favorite("97140")
    win.close()
    store.close()

    store2, _ = UserStore.open(data)
    win2 = MainWindow(catalog, store2)
    qtbot.addWidget(win2)
    win2.system_combo.setCurrentIndex(win2.system_combo.findData("favorites"))
    assert codes(win2) == ["97140"]
    qtbot.waitUntil(win2.favorite_button.isChecked, timeout=2000)  # the pane follows the row
    win2.close()
    store2.close()


def test_window_state_and_filter_kept_between_runs(
    qtbot: QtBot, catalog: Catalog, tmp_path: Path
) -> None:
    data = tmp_path / "state"
    store, _ = UserStore.open(data)
    win = MainWindow(catalog, store)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.resize(780, 560)
    qtbot.waitUntil(lambda: win.width() == 780)
    win.category_combo.setCurrentIndex(win.category_combo.findData("wound_care"))
    win.close()
    store.close()
    store2, _ = UserStore.open(data)
    win2 = MainWindow(catalog, store2)
    qtbot.addWidget(win2)
    win2.show()
    assert win2.category_combo.currentData() == "wound_care"
    assert (win2.width(), win2.height()) == (780, 560)
    assert all(h.category == "wound_care" for h in win2.results_model.hits())
    win2.close()
    store2.close()


@pytest.mark.parametrize(
    "text", ['manual "', "NEAR *^-", "97140-", "😀🦵", "x" * 10_000, "\u202e97110", "'; DROP"]
)
def test_odd_input_never_breaks_the_window(qtbot: QtBot, window: MainWindow, text: str) -> None:
    window.search_edit.setText(text)
    window.run_search()
    assert window.count_label.text().endswith(("result", "results", "+ results"))


def test_results_model_passes_modeltester(qtmodeltester, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    model = ResultsModel()
    model.set_hits(window.catalog.search("knee", limit=30))
    qtmodeltester.check(model)


def test_every_interactive_widget_has_an_accessible_name(window: MainWindow) -> None:
    missing = []
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if w.parent() is not None and type(w).__name__ in ("QScrollBar",):
            continue
        if not w.accessibleName():
            missing.append(f"{type(w).__name__}({w.objectName()})")
    assert missing == []


def test_status_bar_shows_catalog_version_and_counts(qtbot: QtBot, window: MainWindow) -> None:
    info = window.catalog.info()
    assert info.catalog_version in window.version_label.text()
    assert "ICD-10-CM" in window.version_label.toolTip()
    type_search(qtbot, window, "therex")
    assert window.count_label.text() == "1 result"


def test_about_names_licensing_and_disclaimer(window: MainWindow) -> None:
    text = window.about_text()
    assert "American Medical Association" in text
    assert "Payer rules vary" in text
    assert "no patient" in text


def test_read_only_store_still_searches_and_says_why(
    qtbot: QtBot, catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ptcodes_gui.userdata import store as store_mod

    monkeypatch.setattr(store_mod, "probe_writable", lambda _d: "the folder is read-only")
    ro, messages = UserStore.open(tmp_path / "ro")
    assert ro.read_only and any("cannot be saved" in m.text for m in messages)
    win = MainWindow(catalog, ro)
    qtbot.addWidget(win)
    type_search(qtbot, win, "gait")
    assert codes(win)[0] == "97116"
    win.toggle_favorite()
    assert "read-only" in win.statusBar().currentMessage()
    win.copy_code()
    assert QApplication.clipboard().text() == "97116"
    win.close()


def test_code_that_does_not_exist_offers_the_nearest(qtbot: QtBot, window: MainWindow) -> None:
    window.system_combo.setCurrentIndex(window.system_combo.findData("icd10cm"))
    type_search(qtbot, window, "M54.9X")
    assert codes(window) == []
    pane = window.detail_view.toPlainText()
    assert "No codes match" in pane and "Nearest valid codes" in pane and "M54.9" in pane
