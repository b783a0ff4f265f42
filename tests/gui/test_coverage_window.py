"""The coverage articles in the window: the MAC chooser, the necessity warning offering
GA/GZ with a sentence each (the copy carries the choice), the year-to-date field for KX,
and the detail pane's "supported under your MAC" part; denial codes in the detail pane."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.releases import ImportContext, apply_import, preview_import
from ptcodes_gui.session import Session, open_session
from ptcodes_gui.ui.coverage_ui import install_coverage
from ptcodes_gui.ui.main_window import MainWindow
from ptcodes_gui.ui.window_setup import build_main_window

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import mcd_files as mf


@pytest.fixture
def session(tmp_path: Path, catalog: Catalog) -> Iterator[Session]:
    s = open_session(tmp_path / "data", catalog=catalog, clinic="none")
    path = mf.write_download(tmp_path / "in", mf.encode(mf.small_tables()))
    context = ImportContext.from_store(s.imports, catalog.all_codes(),
                                       diagnoses=catalog.billable_diagnoses)
    apply_import(preview_import([path], context, source="mcd"), s.imports)
    yield s
    s.close()


@pytest.fixture
def win(qtbot: QtBot, session: Session) -> Iterator[MainWindow]:
    window = build_main_window(session.catalog, session.store, session.imports)
    install_coverage(window, session)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()


def _choose_mac(win: MainWindow, number: str) -> None:
    assert win.visit_panel is not None
    combo = win.visit_panel.payer.mac_combo
    at = combo.findData(number)
    assert at > 0, [combo.itemText(i) for i in range(combo.count())]
    combo.setCurrentIndex(at)
    combo.activated.emit(at)


def test_mac_chosen_checks_the_visit_and_ga_goes_on_the_copy(qtbot: QtBot,
                                                             win: MainWindow) -> None:
    panel = win.visit_panel
    assert panel is not None
    combo = panel.payer.mac_combo
    assert combo.isEnabled() and "01112 Noridian Healthcare Solutions, LLC (CA)" in [
        combo.itemText(i) for i in range(combo.count())]
    _choose_mac(win, "13202")
    assert panel.add_entry("M79.604") and panel.add_entry("97110=30")
    warning = next(w for w in panel.result().warnings if w.code == "lcd-no-covered-dx")
    assert "A57703 v3" in warning.message
    offered = panel.offers.choices()
    assert offered[0].startswith("Add GA to 97110 (GA: the patient signed an ABN")
    assert offered[1].startswith("Add GZ to 97110 (GZ: no signed ABN")
    assert panel.use_offer(0)
    assert panel.copy_visit().startswith("97110 GP GA x2")
    assert "lcd-no-covered-dx" in [w.code for w in panel.result().warnings
                                   if w.severity == "info"]


def test_ytd_typed_for_kx_is_never_saved(qtbot: QtBot, win: MainWindow,
                                         session: Session) -> None:
    panel = win.visit_panel
    assert panel is not None and panel.add_entry("97110=30")
    field = panel.payer.ytd_field
    field.setFocus()
    qtbot.keyClicks(field, "2,600")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert str(panel.visit().ytd_allowed) == "2600.00"
    assert "kx-threshold" in [w.code for w in panel.result().warnings]
    for name in ("user.sqlite", "imports.sqlite"):  # nothing of the patient is stored
        conn = sqlite3.connect(session.data_dir / name)
        assert "2600" not in "\n".join(conn.iterdump()), name
        conn.close()
    panel.clear_visit()  # a new visit (patient): the amount goes
    assert panel.visit().ytd_allowed is None and field.text() == ""


def test_detail_pane_under_the_mac(win: MainWindow) -> None:
    _choose_mac(win, "13202")
    assert win.show_code("97110")
    html = win.detail_pane.view.toPlainText()
    assert "Coverage articles of MAC 13202" in html and "M25562" in html
    assert win.show_code("M25.562")
    text = win.detail_pane.view.toPlainText()
    assert "This diagnosis supports:" in text and "97110" in text and "97140" in text


def test_denial_code_in_the_detail_pane(win: MainWindow) -> None:
    assert win.show_code("CO-97")
    text = win.detail_pane.view.toPlainText()
    assert "Caught before submission by" in text and "ncci-pair" in text
    assert "Usual cause in a PT clinic" in text


def test_commercial_profile_opts_in_by_choosing_a_mac(win: MainWindow,
                                                     session: Session) -> None:
    panel = win.visit_panel
    assert panel is not None
    commercial = panel.payer.profile("Commercial (midpoint rule)")
    assert commercial is not None
    panel.payer.choose(commercial)
    combo = panel.payer.mac_combo
    assert combo.currentText() == "No LCD check"  # the articles are Medicare's
    assert panel.add_entry("Z00.00") and panel.add_entry("97110=30")
    assert "lcd-noncovered-dx" not in [w.code for w in panel.result().warnings]
    _choose_mac(win, "13202")
    assert "lcd-noncovered-dx" in [w.code for w in panel.result().warnings]
    assert session.store.get_setting("profile_macs")["Commercial (midpoint rule)"] == {
        "mac": "13202", "articles": True}
    combo.setCurrentIndex(0)
    combo.activated.emit(0)
    assert "lcd-noncovered-dx" not in [w.code for w in panel.result().warnings]
