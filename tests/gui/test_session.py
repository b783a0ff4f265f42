"""A whole session in the real composed window: no network, random input, smoke test."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.ui.main_window import MainWindow
from ptcodes_gui.ui.window_setup import apply_overlays, build_main_window
from ptcodes_gui.userdata.store import UserStore


@pytest.fixture
def full_window(qtbot: QtBot, catalog: Catalog, store: UserStore) -> Iterator[MainWindow]:
    apply_overlays(catalog, store)
    win = build_main_window(catalog, store)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def _socket_fds() -> set[str]:
    fd_dir = Path("/proc/self/fd")
    found = set()
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found


def test_a_whole_session_opens_no_network_socket(
    qtbot: QtBot, catalog: Catalog, store: UserStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[object, ...]] = []
    real_socket = socket.socket

    class Recording(real_socket):  # type: ignore[misc,valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            opened.append(args)
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "socket", Recording)
    monkeypatch.setattr(socket, "create_connection",
                        lambda *a, **k: opened.append(a) or (_ for _ in ()).throw(OSError()))
    before = _socket_fds() if Path("/proc/self/fd").is_dir() else set()

    apply_overlays(catalog, store)
    win = build_main_window(catalog, store)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.keyClicks(win.search_edit, "ther act")
    qtbot.waitUntil(lambda: win.current_hit() is not None and win.current_hit().code == "97530")  # type: ignore[union-attr]
    qtbot.keyClick(win.search_edit, Qt.Key.Key_Return)
    win.search_edit.clear()
    qtbot.keyClicks(win.search_edit, "pain right knee")
    qtbot.waitUntil(lambda: win.current_hit() is not None and win.current_hit().code == "M25.561")  # type: ignore[union-attr]
    qtbot.keyClick(win.search_edit, Qt.Key.Key_Return)
    win.copy_code()
    assert win.visit_panel is not None
    qtbot.keyClicks(win.visit_panel.add_edit, "97110=20")
    qtbot.keyClick(win.visit_panel.add_edit, Qt.Key.Key_Return)
    copied = win.visit_panel.copy_visit()
    assert copied.startswith("97110 GP x1 A")
    win.close()

    after = _socket_fds() if Path("/proc/self/fd").is_dir() else set()
    assert opened == []
    assert after - before == set(), f"new sockets: {after - before}"


def test_enter_in_search_adds_procedures_and_diagnoses(
    qtbot: QtBot, full_window: MainWindow
) -> None:
    win = full_window
    panel = win.visit_panel
    assert panel is not None
    for text, code in (("ther act", "97530"), ("97140", "97140"), ("pain right knee", "M25.561")):
        win.search_edit.clear()
        qtbot.keyClicks(win.search_edit, text)
        qtbot.waitUntil(lambda code=code: win.current_hit() is not None  # type: ignore[misc]
                        and win.current_hit().code == code)  # type: ignore[union-attr]
        qtbot.keyClick(win.search_edit, Qt.Key.Key_Return)
    visit = panel.visit()
    assert [line.code for line in visit.lines] == ["97530", "97140"]
    assert list(visit.diagnoses) == ["M25.561"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60))
def test_random_text_through_search_and_visit_entry(full_window: MainWindow, text: str) -> None:
    win = full_window
    win.search_edit.setText(text)
    win.run_search()
    panel = win.visit_panel
    assert panel is not None
    panel.add_edit.setText(text)
    panel._on_add_return_pressed()
    panel.add_code(text)
    # whatever was typed, the visit still evaluates and formats
    panel.result()
    QApplication.clipboard().clear()


def test_smoke_test_entry_point_passes(capsys: pytest.CaptureFixture[str]) -> None:
    from ptcodes_gui.app import main

    assert main(["--smoke-test"]) == 0
    out = capsys.readouterr().out
    assert "smoke test ok" in out
