"""File → Import in the real window: off the GUI thread with progress and Cancel, the
preview, dropped zips, and what the detail pane and the visit builder then show."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QProgressDialog
from pytestqt.qtbot import QtBot

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.releases import ImportPreview, preview_text
from ptcodes_gui.ui import data_dialogs
from ptcodes_gui.ui.main_window import MainWindow
from ptcodes_gui.ui.window_setup import build_main_window
from ptcodes_gui.userdata.store import UserStore

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import cms_files as cf

ROWS = [cf.ncci_row("97530", "97116", "20200101", "*", "0"),
        cf.ncci_row("97530", "97750", "20200101", "*", "1")]


@pytest.fixture
def win(qtbot: QtBot, catalog: Catalog, store: UserStore) -> Iterator[MainWindow]:
    window = build_main_window(catalog, store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
    catalog.set_overlay(None)  # the catalog is shared by the whole test session


@pytest.fixture
def previews(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []

    def accept(_parent: object, preview: ImportPreview) -> bool:
        shown.append(preview_text(preview))
        return True

    monkeypatch.setattr(data_dialogs, "ask_apply", accept)
    return shown


def test_import_ncci_parts_from_the_menu_and_see_the_release(
        win: MainWindow, tmp_path: Path, previews: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    parts = [cf.write_ncci_part(tmp_path, ROWS, part=4, zipped=True),
             cf.write_ncci_part(tmp_path, [cf.ncci_row("20560", "97140")], part=1)]
    monkeypatch.setattr(data_dialogs, "ask_open_files", lambda *_a, **_k: parts)
    assert win.data_actions.import_file("ncci") is True
    assert "Pairs accepted: 3" in previews[0]
    assert "v323r0" in win.statusBar().currentMessage()
    assert win.show_code("97530")
    html = win.detail_view.toHtml()
    assert "CMS NCCI PTP practitioner v323r0 (2026 Q4)" in html
    assert "97116" in html


def test_mue_in_the_detail_pane_and_the_visit_warning(
        win: MainWindow, tmp_path: Path, previews: list[str]) -> None:
    # effective 2026-10-01: in force on today's visit (a table dated later is not applied)
    path = tmp_path / cf.mue_name("10-01-2026")
    path.write_bytes(cf.mue_csv([("97530", 2, 3, "Clinical: Data")]))
    assert win.data_actions.import_file("mue", path) is True
    assert win.show_code("97530")
    assert "MUE: 2 unit(s)" in win.detail_view.toPlainText()
    panel = win.visit_panel
    assert panel is not None
    panel.add_entry("97530=53")  # 4 units, MUE 2 per day
    found = [w for w in panel.result().warnings if w.code == "mue-exceeded"]
    assert found and "MUE allows 2" in found[0].message
    assert win.data_actions.remove_import("mue") is True  # File → Remove an import
    assert win.catalog.mue("97530") is None
    assert not [w for w in panel.result().warnings if w.code == "mue-exceeded"]


def test_cancel_changes_nothing(win: MainWindow, tmp_path: Path, previews: list[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    part = cf.write_ncci_part(tmp_path, ROWS, part=4)
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: True)
    assert win.data_actions.import_file("ncci", part) is False
    assert previews == []
    assert win.data_actions.imports.releases() == []
    assert "cancelled" in win.statusBar().currentMessage()
    assert not list(Path(win.data_actions.imports.staging_dir()).glob(".imports-staging-*"))


def test_bad_file_is_one_message_and_nothing_changes(
        win: MainWindow, tmp_path: Path, previews: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []
    monkeypatch.setattr(data_dialogs, "inform",
                        lambda _p, text, error=False: said.append(text))
    empty = cf.write_ncci_part(tmp_path, [], part=2)
    assert win.data_actions.import_file("ncci", empty) is False
    assert said == ["Nothing was imported: ccipra-v323r0-f2.TXT has no data rows after its "
                    "header (an empty part)."]  # said once
    assert win.data_actions.imports.releases() == []


def test_dropping_the_zips_starts_the_import(
        qtbot: QtBot, win: MainWindow, tmp_path: Path, previews: list[str]) -> None:
    zipped = cf.write_ncci_part(tmp_path, ROWS, part=4, zipped=True)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(zipped))])
    dropper = win.data_actions.dropper
    enter = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    assert dropper.eventFilter(win, enter) and enter.isAccepted()
    assert previews == [] and win.data_actions.imports.releases() == []  # not on enter
    # Qt hands the drop to the window (no child accepts files); its filter imports
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    assert dropper.eventFilter(win, drop)
    qtbot.waitUntil(lambda: bool(win.data_actions.imports.releases()))
    assert previews and "ccipra-v323r0-f4.TXT" in previews[0]
    assert {p.column2 for p in win.catalog.ncci_pairs(["97530", "97116", "97750"])
            if "v323" in p.source} == {"97116", "97750"}
