"""Issue 24: kept filters never hide the code typed; nothing searchable lists nothing; a
status message is never cut by the permanent notice."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from ptcodes_gui.ui.main_window import MainWindow


def _search(window: MainWindow, text: str) -> list[str]:
    window.search_edit.setText(text)
    window.run_search()
    model = window.results_model
    return [h.code for h in (model.hit(i) for i in range(model.rowCount())) if h is not None]


def test_a_kept_recent_filter_never_hides_an_exact_code(window: MainWindow) -> None:
    window.store.add_recent("97110")
    window.system_combo.setCurrentIndex(window.system_combo.findData("recent"))
    assert _search(window, "97164")[0] == "97164"
    note = window.search_note_label.text()
    assert "Recent" in note and "97164" in note
    assert _search(window, "")[:1] == ["97110"]  # the filter still lists what it lists
    assert window.search_note_label.text() == ""


def test_an_empty_filtered_list_names_the_filter(window: MainWindow) -> None:
    window.system_combo.setCurrentIndex(window.system_combo.findData("favorites"))
    assert _search(window, "gait") == []
    assert "Favorites" in window.search_note_label.text()


@pytest.mark.parametrize("text", ["*", "علاج طبيعي", "פיזיותרפיה", "  ?? "])
def test_nothing_searchable_lists_nothing(window: MainWindow, text: str) -> None:
    assert _search(window, text) == []
    assert window.count_label.text() == "0 results"
    assert "Nothing to search" in window.search_note_label.text()


def test_a_status_message_is_not_cut_by_the_notice(window: MainWindow, qtbot: QtBot) -> None:
    window.resize(1024, 600)
    window.set_data_notice("ICD-10-CM April 1, 2026 is in use; a newer release exists. "
                           "To update, import it (File menu).")
    from PySide6.QtWidgets import QLabel

    clinic = QLabel("Clinic: release 3 (since 2026-12-01)")  # as clinic_ui adds one
    window.statusBar().addPermanentWidget(clinic)
    assert window.notice_label.isVisible() and window.version_label.isVisible()
    text = "Published release 1 to /srv/clinic/ptcodes; 3 rows were skipped, see the log"
    window.statusBar().showMessage(text, 5000)
    assert not window.notice_label.isVisible()
    assert not window.version_label.isVisible() and not clinic.isVisible()
    window.statusBar().clearMessage()
    assert window.notice_label.isVisible() and window.version_label.isVisible()
    assert clinic.isVisible()
