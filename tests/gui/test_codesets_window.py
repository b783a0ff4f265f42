"""The window with an imported fee schedule and ICD-10-CM release: the visit's estimate, the
superseded notice, Help → Data sources with Remove."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ptcodes_gui.ui.main_window import MainWindow
from ptcodes_gui.userdata import fee_localities
from ptcodes_gui.userdata.store import UserStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
import test_codeset_imports as files  # the writers of the real layouts


@pytest.fixture
def win(built_window: MainWindow) -> MainWindow:
    return built_window


def test_the_visit_shows_its_estimate_once_a_fee_schedule_and_locality_exist(
    win: MainWindow, store: UserStore, tmp_path: Path
) -> None:
    panel = win.visit_panel
    assert panel is not None
    panel.add_entry("97110=23")
    panel.add_entry("97140=15")
    assert not panel.estimate.isVisible()  # no import: no amounts
    zipped = files.rvu_zip(tmp_path / "rvu26c.zip", files.RVU_ROWS)
    assert win.data_actions.import_paths([zipped]) is True
    assert not panel.estimate.isVisible()  # no locality yet
    fee_localities.set_locality(store, "Medicare", "13202-01")
    win.codeset_actions.on_changed()  # type: ignore[attr-defined]
    assert panel.estimate.isVisible()
    text = panel.estimate.text()
    assert "Estimated Medicare (non-facility): $80.33" in text
    assert "97110 ×2 $57.39" in text and "97140 ×1 $22.94" in text
    assert "estimate" in text and "13202-01" in text
    mppr = [w for w in panel.result().warnings if "MPPR" in w.message]
    assert mppr and "one unit of 97110 (the highest practice expense)" in mppr[0].message



def test_the_copied_visit_carries_the_estimate_in_text_and_json_only(
    win: MainWindow, store: UserStore, tmp_path: Path
) -> None:
    import json

    from PySide6.QtWidgets import QApplication

    panel = win.visit_panel
    assert panel is not None
    panel.add_entry("97110=23")
    panel.add_entry("97140=15")
    area = panel.copy_area
    area.format_combo.setCurrentIndex(area.format_combo.findData("text"))
    assert "$" not in area.copy_visit()  # no fee schedule: no amounts
    assert win.data_actions.import_paths([files.rvu_zip(tmp_path / "rvu.zip", files.RVU_ROWS)])
    fee_localities.set_locality(store, "Medicare", "13202-01")
    win.codeset_actions.on_changed()  # type: ignore[attr-defined]
    copied = area.copy_visit()
    assert copied == QApplication.clipboard().text()
    assert copied.splitlines()[2:4] == [
        "Timed: 38 min, 3 units",
        "Medicare estimate (non-facility, locality 13202-01, PFS 2026 Jul, MPPR applied): $80.33",
    ]
    assert "PFS 2026 Jul" in area.preview.toPlainText()
    area.format_combo.setCurrentIndex(area.format_combo.findData("json"))
    assert json.loads(area.copy_visit())["estimate"]["total"] == "80.33"
    area.format_combo.setCurrentIndex(area.format_combo.findData("tsv"))
    assert "$" not in area.copy_visit()


def test_icd_release_import_notice_and_data_sources(
    win: MainWindow, tmp_path: Path
) -> None:
    actions = win.codeset_actions  # type: ignore[attr-defined]
    assert "superseded on 2026-10-01" in win.notice_label.toolTip()
    order = tmp_path / "icd10cm_order_2027.txt"
    order.write_bytes(b"00001 M54     0 " + b"Dorsalgia".ljust(60) + b" Dorsalgia\r\n")
    asked: list[str] = []
    actions.ask = lambda _w, _t, text, details="": asked.append(details) or True
    assert actions.import_icd([order]) is True
    assert "Release: ICD-10-CM FY2027 (October 1, 2026)" in asked[0]
    assert win.catalog.info().icd_release == "ICD-10-CM FY2027 (October 1, 2026)"
    assert not win.notice_label.isVisible()
    rows = actions.sources()
    imported = [r for r in rows if r.removable]
    assert [r.version for r in imported] == ["ICD-10-CM FY2027 (October 1, 2026)"]
    assert actions.remove(imported[0].key)
    assert win.catalog.info().icd_release.startswith("ICD-10-CM April 1, 2026")
    win.statusBar().clearMessage()  # a message takes the whole bar while it shows
    assert win.notice_label.isVisible()


def test_the_detail_pane_shows_the_official_descriptor_beside_our_words(
    win: MainWindow, tmp_path: Path
) -> None:
    path = files.hcpcs_csv(tmp_path / "HCPC2026_OCT_ANWEB.csv")
    assert win.data_actions.import_paths([path]) is True
    win.show_code("G0283")
    html = win.detail_view.toHtml()
    assert "Official descriptor" in html and "CMS HCPCS Level II October 2026" in html
    assert "as part of a therapy plan of care" in html


def test_icd_files_picked_in_file_import_go_to_the_release_import(
    win: MainWindow, tmp_path: Path
) -> None:
    order = tmp_path / "icd10cm_order_2027.txt"
    order.write_bytes(b"00001 M54     0 " + b"Dorsalgia".ljust(60) + b" Dorsalgia\r\n")
    actions = win.codeset_actions  # type: ignore[attr-defined]
    actions.ask = lambda *_a, **_k: True
    assert win.data_actions.import_paths([order]) is True
    assert win.catalog.info().icd_release == "ICD-10-CM FY2027 (October 1, 2026)"


def test_the_payer_bar_chooses_the_locality_from_the_imported_gpci_list(
    win: MainWindow, store: UserStore, qtbot: QtBot, tmp_path: Path
) -> None:
    from PySide6.QtCore import Qt

    from ptcodes_gui.domain.profiles import COMMERCIAL_MIDPOINT, MEDICARE

    panel = win.visit_panel
    assert panel is not None
    combo = panel.locality_combo
    panel.add_entry("97110=23")
    panel.add_entry("97140=15")
    # no fee schedule: nothing to choose from, the hint still reachable (issue 24)
    assert combo.isEnabled() and combo.count() == 1
    assert "import the Medicare fee schedule" in combo.toolTip()
    assert not any("locality" in a.text().lower() for a in win.file_menu.actions())
    assert win.data_actions.import_paths([files.rvu_zip(tmp_path / "rvu.zip", files.RVU_ROWS)])
    assert combo.isEnabled() and combo.currentText() == "Locality…"
    names = [combo.itemText(i) for i in range(combo.count())]
    assert "13202-01 Manhattan, NY" in names and "02102-01 Alaska, AK" in names
    # keyboard: Down on the closed combo chooses the next locality
    at = combo.findData("13202-01")
    combo.setCurrentIndex(at - 1)
    combo.setFocus()
    with qtbot.waitSignal(panel.payer.locality_chosen):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert fee_localities.locality_for(store, "Medicare") == "13202-01"
    assert panel.estimate.isVisible()
    assert "$80.33" in panel.estimate.text()
    assert "PFS 2026 Jul" in panel.preview.toPlainText()
    # a commercial profile has no Medicare locality; Medicare keeps its own
    panel.payer.choose(COMMERCIAL_MIDPOINT)
    assert combo.currentText() == "Locality…" and "has no locality" in combo.toolTip()
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # nothing to choose for it: stays, says why
    assert combo.currentText() == "Locality…"
    assert not panel.estimate.isVisible()
    panel.payer.choose(MEDICARE)
    assert combo.isEnabled() and combo.currentData() == "13202-01"
    # back to no locality: no amounts
    combo.setCurrentIndex(1)
    with qtbot.waitSignal(panel.payer.locality_chosen):
        qtbot.keyClick(combo, Qt.Key.Key_Up)
    assert fee_localities.locality_for(store, "Medicare") is None
    assert not panel.estimate.isVisible() and "$" not in panel.preview.toPlainText()
