"""File → Export / Import favorites and templates: worker thread, preview, clear refusals."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.ui import bundle_dialogs
from ptcodes_gui.ui.bundle_dialogs import BundleActions
from ptcodes_gui.ui.main_window import MainWindow
from ptcodes_gui.ui.window_setup import build_main_window
from ptcodes_gui.userdata.bundles import BundlePreview
from ptcodes_gui.userdata.store import TemplateLine, UserStore


@pytest.fixture
def actions(
    qtbot: QtBot, catalog: Catalog, store: UserStore
) -> Iterator[tuple[MainWindow, BundleActions]]:
    win = build_main_window(catalog, store)
    qtbot.addWidget(win)
    yield win, BundleActions(win, store, on_changed=lambda: None)
    win.close()


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    said: list[str] = []
    monkeypatch.setattr(bundle_dialogs, "inform", lambda _p, text, error=False: said.append(text))
    return said


def test_file_menu_has_the_bundle_entries(actions: tuple[MainWindow, BundleActions]) -> None:
    win, _ = actions
    texts = [a.text().replace("&", "") for a in win.file_menu.actions()]
    assert "Export favorites and templates…" in texts
    assert "Import favorites and templates…" in texts
    assert texts[-1].replace("&", "").lower().startswith("quit") or "Quit" in texts[-1]


def test_import_shows_a_preview_and_cancel_changes_nothing(
    actions: tuple[MainWindow, BundleActions], store: UserStore, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, told: list[str], tmp_path_factory: pytest.TempPathFactory,
) -> None:
    _win, act = actions
    other, _ = UserStore.open(tmp_path_factory.mktemp("other"))
    other.add_favorite("97110")
    other.save_template("Knee", [TemplateLine("97140", minutes=10)])
    bundle = tmp_path / "b.json"
    other.export_bundle(bundle)
    other.close()
    store.save_template("knee", [TemplateLine("97530")])

    seen: list[BundlePreview] = []

    def refuse(_parent: object, preview: BundlePreview) -> bool:
        seen.append(preview)
        return False

    monkeypatch.setattr(bundle_dialogs, "ask_apply", refuse)
    assert act.import_settings(bundle) is False
    assert seen[0].summary.templates_replaced == ("Knee",)
    assert "REPLACED" in seen[0].text()
    assert store.get_template("Knee").lines == (TemplateLine("97530"),)  # type: ignore[union-attr]
    assert store.favorites() == []

    monkeypatch.setattr(bundle_dialogs, "ask_apply", lambda _p, _pv: True)
    assert act.import_settings(bundle) is True
    assert store.favorites() == ["97110"]
    assert store.get_template("Knee").lines == (  # type: ignore[union-attr]
        TemplateLine("97140", minutes=10),
    )
    assert "1 favorite added" in told[-1]


def test_an_imported_template_and_profile_are_listed_at_once(
    built_window: MainWindow, tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch, told: list[str],
) -> None:
    other, _ = UserStore.open(tmp_path_factory.mktemp("other"))
    other.save_template("Knee", [TemplateLine("97140", minutes=10)])
    bundle = tmp_path_factory.mktemp("bundle") / "b.json"
    other.export_bundle(bundle)
    other.close()
    panel = built_window.visit_panel
    assert panel is not None
    assert panel.template_combo.count() == 0
    monkeypatch.setattr(bundle_dialogs, "ask_apply", lambda _p, preview: (
        told.append(preview.text()) or True))
    assert built_window.bundle_actions.import_settings(bundle)  # type: ignore[attr-defined]
    assert "1 template," in told[0]  # the preview: singular
    assert [panel.template_combo.itemText(i) for i in range(panel.template_combo.count())] == [
        "Knee"]
    assert panel.load_template_button.isEnabled()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_and_device_are_refused_without_hanging(
    actions: tuple[MainWindow, BundleActions], store: UserStore, tmp_path: Path,
    told: list[str],
) -> None:
    _win, act = actions
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    assert act.import_settings(fifo) is False
    assert "pipe (FIFO)" in told[-1] and "pipe.json" in told[-1]
    assert act.import_settings(zero) is False
    assert "device" in told[-1]
    assert act.import_settings(tmp_path) is False
    assert "folder" in told[-1]
    assert store.favorites() == []


def test_export_writes_the_file(
    actions: tuple[MainWindow, BundleActions], store: UserStore, tmp_path: Path
) -> None:
    win, act = actions
    store.add_favorite("97530")
    out = tmp_path / "export.json"
    assert act.export_settings(out) is True
    assert '"97530"' in out.read_text(encoding="utf-8")
    assert "Exported to" in win.statusBar().currentMessage()
