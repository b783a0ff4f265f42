"""GUI fixtures: the real catalog, a real user store in a temporary folder, the window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.ui.main_window import MainWindow
from ptcodes_gui.userdata.store import UserStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[UserStore]:
    st, messages = UserStore.open(tmp_path / "data")
    assert [m for m in messages if m.level != "info"] == []
    yield st
    st.close()


@pytest.fixture
def window(qtbot: QtBot, catalog: Catalog, store: UserStore) -> Iterator[MainWindow]:
    catalog.set_ncci_pairs(None)
    catalog.set_clinic_codes([])
    catalog.set_descriptors({})
    win = MainWindow(catalog, store)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


@pytest.fixture(autouse=True)
def _no_modal_quit_question(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing a window with a visit in progress asks (a modal box nobody answers offscreen):
    tests that close such a window discard it, unless they replace the answer themselves."""
    from ptcodes_gui.ui import dialogs

    monkeypatch.setattr(dialogs, "ask_unsaved_visit", lambda parent: "discard")


@pytest.fixture
def built_window(qtbot: QtBot, catalog: Catalog, store: UserStore,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    """The window as the app builds it (File-menu imports, visit panel), every import
    preview accepted; the shared catalog is put back afterwards."""
    from ptcodes_gui.ui import data_dialogs
    from ptcodes_gui.ui.window_setup import build_main_window

    monkeypatch.setattr(data_dialogs, "ask_apply", lambda *_a: True)
    window = build_main_window(catalog, store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
    window.codeset_actions.forget_dated()  # type: ignore[attr-defined]
    catalog.set_overlay(None)  # the catalog is shared by the whole test session
    catalog.use_icd_release(None)
    catalog.set_ncci_pairs(None)
