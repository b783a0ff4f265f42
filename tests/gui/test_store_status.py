"""A write under another copy's lock: the window stays responsive, the status bar says
so, and the change is saved once the lock is free."""

from __future__ import annotations

import sqlite3
import time

from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from ptcodes_gui.ui import store_status
from ptcodes_gui.userdata.store import UserStore


def test_queued_favorite_is_saved_when_the_lock_goes(qtbot: QtBot, store: UserStore) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    watcher = store_status.watch_pending_writes(window, store)
    watcher.timer.setInterval(50)
    assert store.path is not None
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    started = time.perf_counter()
    store.add_favorite("97530")
    assert time.perf_counter() - started < 2.0
    assert "another copy of PT Codes" in window.statusBar().currentMessage()
    assert store.favorites() == ["97530"]
    assert watcher.timer.isActive()
    other.execute("ROLLBACK")
    other.close()
    qtbot.waitUntil(lambda: store.pending_count == 0)
    assert window.statusBar().currentMessage() == store_status.SAVED_MESSAGE
    assert not watcher.timer.isActive()
    check = sqlite3.connect(store.path)
    assert check.execute("SELECT code FROM favorites").fetchall() == [("97530",)]
    check.close()
