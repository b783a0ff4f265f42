"""The visit's date of service: NCCI edits and the ICD-10-CM release in force that day apply,
as with ``ptcodes visit --date``; New visit sets it back to today."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.domain.models import NcciPair
from ptcodes_gui.ui.main_window import MainWindow
from ptcodes_gui.ui.visit.panel import VisitPanel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
import test_icd_releases as icd  # the order-file writer


@pytest.fixture
def win(built_window: MainWindow) -> MainWindow:
    return built_window


def _panel(win: MainWindow) -> VisitPanel:
    assert win.visit_panel is not None
    return win.visit_panel


def _type_date(qtbot: QtBot, panel: VisitPanel, on: date) -> None:
    """Alt+S, then the date typed as digits, part by part, as a user does."""
    qtbot.keyClick(panel, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    edit = panel.date_edit
    qtbot.waitUntil(edit.hasFocus)
    assert edit.lineEdit().selectedText() == str(edit.date().year())  # typing replaces it
    qtbot.keyClicks(edit, on.strftime("%Y%m%d"))
    qtbot.waitUntil(lambda: panel.editor.service_date() == on)


def test_the_date_of_service_defaults_to_today_and_new_visit_resets_it(
    win: MainWindow, qtbot: QtBot
) -> None:
    panel = _panel(win)
    assert panel.date_edit.date() == QDate.currentDate()
    assert panel.editor.service_date() == date.today()
    panel.add_entry("97110=23")
    _type_date(qtbot, panel, date(2026, 9, 15))
    assert panel.date_edit.date() == QDate(2026, 9, 15)
    panel.clear_visit()
    assert panel.editor.service_date() == date.today()
    assert panel.date_edit.date() == QDate.currentDate()


def test_ncci_edits_apply_on_the_date_of_service(win: MainWindow, catalog: Catalog,
                                                 qtbot: QtBot) -> None:
    start = date.today() + timedelta(days=30)
    catalog.set_ncci_pairs([NcciPair("97140", "97530", 1, "ncci-ptp-practitioner", "H",
                                     start.isoformat(), effective=start.isoformat())])
    panel = _panel(win)
    panel.add_entry("97140=15")
    panel.add_entry("97530=15")

    def pair_warned() -> bool:
        return any(w.code == "ncci-pair" for w in panel.result().warnings)

    assert not pair_warned()  # not yet in force today
    _type_date(qtbot, panel, start + timedelta(days=1))
    assert pair_warned()


def test_a_visit_dated_before_the_release_in_use_takes_the_one_then_in_force(
    win: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    actions = win.codeset_actions  # type: ignore[attr-defined]
    order = tmp_path / "icd10cm_order_2027.txt"
    order.write_bytes(icd._order(icd.ROWS))  # FY2027 here has no M17.11
    actions.ask = lambda *_a, **_k: True
    assert actions.import_icd([order]) is True
    panel = _panel(win)
    panel.add_entry("97110=23")
    assert not panel.add_entry("M17.11")  # not in the release in use
    messages: list[str] = []
    panel.message.connect(messages.append)
    _type_date(qtbot, panel, date(2026, 9, 15))
    assert any("in force on 2026-09-15" in m for m in messages)
    assert "ICD-10-CM April 1, 2026" in panel.date_edit.statusTip()
    assert panel.add_entry("M17.11")
    assert [dx.code for dx in panel.result().diagnoses if dx.known] == ["M17.11"]
    panel.clear_visit()  # today again: the release in use
    assert panel.date_edit.statusTip() == ""
    assert not panel.add_entry("M17.11")


@pytest.mark.parametrize("typed", ["20270104", "2027-01-04"])
def test_a_date_of_service_in_another_year_can_be_typed(
    win: MainWindow, qtbot: QtBot, typed: str
) -> None:
    panel = _panel(win)
    panel.add_entry("97110=23")
    qtbot.keyClick(panel, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    edit = panel.date_edit
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClicks(edit, typed)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.editor.service_date() == date(2027, 1, 4))
    assert edit.date() == QDate(2027, 1, 4)


def test_fy2027_in_the_window_without_an_import(win: MainWindow, qtbot: QtBot) -> None:
    """M72.2 on a date of service from 2026-10-01 is an error naming M72.20-M72.22; the
    date says once that the shipped ICD-10-CM release was superseded, and how to update."""
    panel = _panel(win)
    panel.add_entry("97110=30")
    assert panel.add_diagnosis("M72.2")
    panel.payer.date_chosen.emit(date(2026, 12, 6))  # as the date field does
    errors = [w for w in panel.editor.result().warnings if w.code == "diagnosis-not-in-force"]
    assert len(errors) == 1 and "use M72.20, M72.21 or M72.22" in errors[0].message
    note = panel.date_edit.statusTip()
    assert note.count("was superseded on 2026-10-01") == 1
    assert "import the CDC FY2027 release via File → Import" in note
    panel.payer.date_chosen.emit(date(2026, 9, 15))
    assert not [w for w in panel.editor.result().warnings if w.code == "diagnosis-not-in-force"]
    assert "superseded" not in panel.date_edit.statusTip()


def test_a_new_fy2027_code_is_found_and_accepted_in_the_window(win: MainWindow) -> None:
    panel = _panel(win)
    assert "M72.21" in [h.code for h in win.catalog.search("plantar fascial fibromatosis")]
    panel.add_entry("97110=30")
    panel.payer.date_chosen.emit(date(2026, 12, 6))
    assert panel.add_diagnosis("M72.21")
    result = panel.editor.result()
    assert result.diagnoses[0].billable
    assert not [w for w in result.warnings if w.severity == "error"]


def test_a_code_is_checked_against_the_date_of_service(win: MainWindow, qtbot: QtBot) -> None:
    panel = _panel(win)
    panel.add_entry("98985")  # a 2026 code, added on today's date
    _type_date(qtbot, panel, date(2025, 12, 31))
    errors = [w for w in panel.editor.result().warnings if w.code == "code-not-yet-effective"]
    assert errors and errors[0].message.startswith("98985 is effective 2026-01-01")
    assert "use 98977" in errors[0].message
    assert panel.editor.result().lines[0].units == 0
    panel.date_edit.setDate(QDate(2026, 1, 1))
    qtbot.waitUntil(lambda: panel.editor.service_date() == date(2026, 1, 1))
    assert not [w for w in panel.editor.result().warnings
                if w.code == "code-not-yet-effective"]
    assert panel.editor.result().lines[0].units == 1
