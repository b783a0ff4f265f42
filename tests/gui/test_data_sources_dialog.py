"""Help → Data sources: the table, and Remove on an imported source only."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ptcodes_gui.domain.provenance import DataSource
from ptcodes_gui.ui.data_sources_dialog import DataSourcesDialog


def test_remove_asks_then_removes_and_refreshes(qtbot: QtBot) -> None:
    rows = [
        DataSource(
            "",
            "ICD-10-CM (shipped)",
            "ICD-10-CM April 1, 2026 (FY2026 update)",
            "2026-04-01",
            "2026-10-01",
            note="superseded on 2026-10-01",
        ),
        DataSource(
            "pfs",
            "CMS fee schedule",
            "CMS PFS RVU 2026 July",
            "2026-07-01",
            files=("PPRRVU2026_Jul_nonQPP.csv", "GPCI2026.csv"),
            rows=420,
            imported_at="2026-11-30T10:00:00",
        ),
    ]
    removed: list[str] = []
    answers = [False, True]

    def remove(key: str) -> bool:
        removed.append(key)
        rows[:] = [r for r in rows if r.key != key]
        return True

    dialog = DataSourcesDialog(lambda: rows, remove, confirm=lambda _w, _q: answers.pop(0))
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(0, 6).text() == "shipped"
    assert dialog.table.item(0, 3).text() == "2026-10-01 (superseded)"  # today is later
    assert dialog.table.item(1, 4).text() == "PPRRVU2026_Jul_nonQPP.csv, GPCI2026.csv"
    assert list(dialog.remove_buttons) == ["pfs"]  # the shipped row has no Remove
    assert "superseded on 2026-10-01" in dialog.notes.text()
    dialog.remove_buttons["pfs"].click()  # "No"
    assert removed == [] and dialog.table.rowCount() == 2
    dialog.remove_buttons["pfs"].click()  # "Yes"
    assert removed == ["pfs"] and dialog.table.rowCount() == 1
    assert dialog.remove_buttons == {}


def test_the_window_shows_a_data_notice_and_opens_data_sources(qtbot: QtBot, window) -> None:  # type: ignore[no-untyped-def]
    notice = (
        "ICD-10-CM April 1, 2026 (FY2026 update) was superseded on 2026-10-01 by ICD-10-CM "
        "FY2027. To update: run ptcodes import icd10cm ZIP... --apply."
    )
    window.set_data_notice(notice)
    assert window.notice_label.isVisible()
    assert "superseded on 2026-10-01" in window.notice_label.text()
    assert "ptcodes import icd10cm" in window.about_text()
    window.set_data_notice("")
    assert not window.notice_label.isVisible()
    assert window.data_sources_action in window.help_menu.actions()
