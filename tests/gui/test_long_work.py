"""Long work off the GUI thread: results, errors, Cancel (waiting or not), discarding."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget
from pytestqt.qtbot import QtBot

from ptcodes_gui.ui.long_work import CancelledError, run_off_thread, run_with_progress


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def _press_cancel_soon(parent: QWidget) -> None:
    def press() -> None:
        dialogs = parent.findChildren(QProgressDialog)
        if dialogs:
            dialogs[-1].cancel()
        else:
            QTimer.singleShot(20, press)

    QTimer.singleShot(50, press)


def test_result_and_error_come_back(parent: QWidget) -> None:
    assert run_off_thread(parent, "Working", lambda: 42) == 42
    with pytest.raises(ValueError, match="bad file"):
        run_off_thread(parent, "Working", lambda: (_ for _ in ()).throw(ValueError("bad file")))


def test_cancel_waits_for_the_work_and_discards_its_result(parent: QWidget) -> None:
    stopped = threading.Event()
    discarded: list[str] = []

    def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> str:
        while not cancelled():
            progress(1, 2)
            time.sleep(0.01)
        stopped.set()
        return "staged preview"

    _press_cancel_soon(parent)
    with pytest.raises(CancelledError):
        run_with_progress(parent, "Importing", work, discard=discarded.append)
    assert stopped.is_set()  # it waited for the worker to stop
    assert discarded == ["staged preview"]


def test_cancel_of_blocked_work_stops_waiting_at_once(parent: QWidget) -> None:
    release = threading.Event()
    _press_cancel_soon(parent)
    started = time.monotonic()
    with pytest.raises(CancelledError):
        run_off_thread(parent, "Reading", lambda: release.wait(30))
    assert time.monotonic() - started < 10  # the FIFO-like read never held the window
    release.set()
