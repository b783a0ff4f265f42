"""The last-resort handler: a dialog with the error, the log path and Copy details."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ptcodes_gui.ui import crash

# offscreen has no window manager: showing a top-level dialog logs this, harmlessly
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture(autouse=True)
def _restore_hooks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setitem(crash._state, "shown", 0)
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    yield
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def _raise() -> None:
    raise RuntimeError("boom \u202e in the visit panel")


def test_an_uncaught_error_shows_a_dialog_and_copies_details(
    qtbot: QtBot, tmp_path: Path
) -> None:
    handler = crash.install_crash_handler(tmp_path / "data")
    handler.block_without_loop = False  # the test drives the dialog itself
    assert sys.excepthook == handler.excepthook
    try:
        _raise()
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    qtbot.waitUntil(lambda: bool(crash._open_dialogs))
    dialog = crash._open_dialogs[-1]
    assert isinstance(dialog, crash.CrashDialog)
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    log_path = tmp_path / "data" / "logs" / "ptcodes.log"
    assert str(log_path) in dialog.findChildren(crash.QLabel)[0].text()
    dialog.copy_button.click()
    copied = QApplication.clipboard().text()
    assert "RuntimeError: boom  in the visit panel" in copied or "RuntimeError: boom in" in copied
    assert "\u202e" not in copied
    assert "_raise" in copied  # the traceback is there
    for h in logging.getLogger().handlers:
        h.flush()
    assert "boom" in log_path.read_text(encoding="utf-8")
    dialog.close()


def test_an_error_on_a_worker_thread_reaches_the_gui_thread(
    qtbot: QtBot, tmp_path: Path
) -> None:
    crash.install_crash_handler(tmp_path / "data").block_without_loop = False
    worker = threading.Thread(target=_raise, name="ptcodes-test-worker")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(crash._open_dialogs))
    dialog = crash._open_dialogs[-1]
    qtbot.addWidget(dialog)
    assert "ptcodes-test-worker" in dialog.details
    dialog.close()


def test_a_read_only_data_folder_logs_to_the_temp_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setattr(crash.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    path = crash.setup_logging(blocker)
    assert path == tmp_path / "tmp" / "PT Codes" / "ptcodes.log"
    logging.getLogger("ptcodes_gui").warning("hello")
    for h in logging.getLogger().handlers:
        h.flush()
    assert "hello" in path.read_text(encoding="utf-8")


def test_outside_the_event_loop_the_dialog_waits_for_the_user(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from PySide6.QtCore import QTimer

    handler = crash.install_crash_handler(tmp_path / "data")
    seen: list[str] = []

    def close_it() -> None:
        dialog = crash._open_dialogs[-1]
        seen.append(dialog.windowTitle())
        dialog.reject()

    QTimer.singleShot(50, close_it)  # runs inside the dialog's own exec()
    try:
        _raise()
    except RuntimeError:
        handler.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    assert seen == ["PT Codes: unexpected error"]
    assert crash._open_dialogs == []
