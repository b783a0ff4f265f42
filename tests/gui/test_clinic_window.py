"""The clinic folder in the window: status label, background sync, publish, Preferences."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.releases import ImportContext, apply_import, preview_import
from ptcodes_gui.session import Session, open_session
from ptcodes_gui.ui import clinic_ui
from ptcodes_gui.ui.clinic_ui import ClinicController, install_clinic
from ptcodes_gui.ui.main_window import MainWindow
from ptcodes_gui.ui.window_setup import build_main_window
from ptcodes_gui.userdata.config import CLINIC_DIR_SETTING
from ptcodes_gui.userdata.templates import TemplateLine

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import cms_files as cms


@pytest.fixture
def clinic_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "share"
    path.mkdir()
    monkeypatch.setenv("PTCODES_CLINIC_DIR", str(path))
    return path


@pytest.fixture
def session(tmp_path: Path, catalog: Catalog, clinic_dir: Path) -> Iterator[Session]:
    s = open_session(tmp_path / "pc1", catalog=catalog, clinic="cache")
    yield s
    s.close()


@pytest.fixture
def win(qtbot: QtBot, session: Session) -> Iterator[tuple[MainWindow, ClinicController]]:
    window = build_main_window(session.catalog, session.store, session.imports)
    qtbot.addWidget(window)
    controller = install_clinic(window, session)
    window.show()
    qtbot.waitUntil(lambda: controller.syncs >= 1, timeout=10_000)  # the start-up sync
    yield window, controller
    controller.shutdown()
    window.close()


def _import_mue(session: Session, tmp_path: Path, value: int) -> None:
    path = tmp_path / cms.mue_name()
    path.write_bytes(cms.mue_csv([("97110", value, 2, "Clinical: Data")]))
    context = ImportContext.from_store(session.imports, session.catalog.all_codes(),
                                       date(2026, 12, 1))
    apply_import(preview_import([path], context, source="mue"), session.imports)


def _publish_elsewhere(tmp_path: Path, catalog: Catalog, clinic_dir: Path,
                       profile: str | None = None) -> None:
    """The office manager's PC publishes a "Gait" template (and a payer profile)."""
    from ptcodes_gui.clinic.link import publish_clinic

    manager = open_session(tmp_path / "manager", catalog=catalog, clinic="none")
    try:
        manager.store.save_template("Gait", [TemplateLine("97116", 23)])
        if profile is not None:
            manager.store.save_profile({"name": profile, "unit_rule": "midpoint",
                                        "daily_timed_unit_cap": 4, "medicare": False})
        publish_clinic(manager, clinic_dir)
    finally:
        manager.close()


def test_publish_from_the_menu_and_the_label_says_which_release(
    qtbot: QtBot, win: tuple[MainWindow, ClinicController], session: Session, tmp_path: Path,
    catalog: Catalog, clinic_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _window, controller = win
    assert "nothing published yet" in controller.label.text()
    _import_mue(session, tmp_path, 5)
    session.store.save_template("Shoulder", [TemplateLine("97110", 30)])
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(controller.synced, timeout=10_000):
        assert controller.publish()
    assert controller.label.text().startswith("Clinic data: release 1 of ")

    other = open_session(tmp_path / "pc2", catalog=catalog, clinic="sync")
    try:
        mue = other.catalog.mue("97110")
        assert mue is not None and mue.value == 5
        assert other.store.get_template("Shoulder") is not None
    finally:
        other.close()
        session.catalog.set_overlay(session.overlay)


def test_a_release_published_elsewhere_arrives_in_the_running_window(
    qtbot: QtBot, win: tuple[MainWindow, ClinicController], session: Session, tmp_path: Path,
    catalog: Catalog, clinic_dir: Path,
) -> None:
    window, controller = win
    _publish_elsewhere(tmp_path, catalog, clinic_dir)
    with qtbot.waitSignal(controller.changed, timeout=10_000):
        controller.sync_now()
    assert window.visit_panel is not None
    assert "Gait" in window.visit_panel.templates.names()
    assert session.store.origin_of_template("Gait") == "clinic"


def test_offline_folder_keeps_the_cache_and_says_so(
    qtbot: QtBot, win: tuple[MainWindow, ClinicController], session: Session, tmp_path: Path,
    catalog: Catalog, clinic_dir: Path,
) -> None:
    window, controller = win
    _publish_elsewhere(tmp_path, catalog, clinic_dir)
    with qtbot.waitSignal(controller.changed, timeout=10_000):
        controller.sync_now()
    os.rename(clinic_dir, tmp_path / "gone")
    with qtbot.waitSignal(controller.synced, timeout=10_000):
        controller.sync_now()
    assert "offline" in controller.label.text()
    assert "cached on this PC (last updated" in controller.label.toolTip()  # since when
    assert "Gait" in window.visit_panel.templates.names()  # type: ignore[union-attr]


def test_preferences_choose_a_folder(
    qtbot: QtBot, win: tuple[MainWindow, ClinicController], session: Session, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _window, controller = win
    monkeypatch.delenv("PTCODES_CLINIC_DIR")
    chosen = tmp_path / "usb" / "ptcodes"

    def fake_exec(dialog: clinic_ui.ClinicFolderDialog) -> int:
        dialog.edit.setText("relative/folder")
        dialog._on_accepted()
        assert "not an absolute path" in dialog.problem.text()
        dialog.edit.setText(str(chosen))
        dialog._on_accepted()
        return int(dialog.result())

    monkeypatch.setattr(clinic_ui.ClinicFolderDialog, "exec", fake_exec)
    with qtbot.waitSignal(controller.synced, timeout=10_000):
        assert controller.choose_folder()
    assert session.store.get_setting(CLINIC_DIR_SETTING) == str(chosen)
    assert controller.folder() == chosen


def test_clinic_templates_and_profiles_are_marked_in_the_visit_panel(
    qtbot: QtBot, win: tuple[MainWindow, ClinicController], session: Session, tmp_path: Path,
    catalog: Catalog, clinic_dir: Path,
) -> None:
    from PySide6.QtCore import Qt

    window, controller = win
    session.store.save_template("Mine", [TemplateLine("97110", 23)])
    _publish_elsewhere(tmp_path, catalog, clinic_dir, profile="Blue Shield")
    with qtbot.waitSignal(controller.changed, timeout=10_000):
        controller.sync_now()
    panel = window.visit_panel
    assert panel is not None
    combo = panel.templates.combo
    tips = {combo.itemText(i): combo.itemData(i, Qt.ItemDataRole.ToolTipRole)
            for i in range(combo.count())}
    assert "clinic folder" in str(tips["Gait"]) and tips["Mine"] is None
    profiles = panel.payer.profile_combo
    at = profiles.findData("Blue Shield")
    assert at >= 0
    assert "From the clinic folder" in str(profiles.itemData(at, Qt.ItemDataRole.ToolTipRole))
