"""The last-resort handler: an unexpected error shows a dialog instead of the program
vanishing (the Windows and macOS bundles have no console), and goes into a small rotating
log in the data folder (``logs/ptcodes.log``, 5 × 256 KB), or in the temp folder when the
data folder cannot be written.

``install_crash_handler(data_dir)`` sets ``sys.excepthook`` and ``threading.excepthook``;
an error on a worker thread is handed to the GUI thread through a queued signal, so the
dialog is always built where Qt allows it. ``show_crash_dialog`` is module-level so tests
can replace it.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ptcodes_gui import APP_NAME, __version__
from ptcodes_gui.domain.text import clean_text

LOG_NAME = "ptcodes.log"
LOG_BYTES = 256 * 1024
LOG_FILES = 5
MAX_DIALOGS = 3  # an error repeating in a loop must not bury the screen in dialogs

log = logging.getLogger("ptcodes_gui")
_open_dialogs: list[QDialog] = []
_state: dict[str, object] = {"shown": 0}


def setup_logging(data_dir: Path) -> Path:
    """Attach a rotating log file; its path (data folder, else the temp folder)."""
    for folder in (Path(data_dir) / "logs", Path(tempfile.gettempdir()) / "PT Codes"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handler = logging.handlers.RotatingFileHandler(
                folder / LOG_NAME, maxBytes=LOG_BYTES, backupCount=LOG_FILES, encoding="utf-8"
            )
        except OSError:
            continue
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root = logging.getLogger()
        for old in [h for h in root.handlers if getattr(h, "_ptcodes", False)]:
            root.removeHandler(old)
            old.close()
        handler._ptcodes = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)
        return folder / LOG_NAME
    return Path(tempfile.gettempdir()) / LOG_NAME  # nowhere writable: nothing is logged


def details_text(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None,
    where: str = "",
) -> str:
    lines = traceback.format_exception(exc_type, exc, tb)
    head = f"{APP_NAME} {__version__}, Python {sys.version.split()[0]}, {sys.platform}"
    return clean_text(f"{head}{where}\n\n{''.join(lines)}", multiline=True, keep_tabs=True)


class CrashDialog(QDialog):
    """The error in plain words, the log file's path, and a Copy details button."""

    def __init__(self, details: str, log_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.details = details
        self.setWindowTitle(f"{APP_NAME}: unexpected error")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        last = details.strip().splitlines()[-1] if details.strip() else "unknown error"
        intro = QLabel(
            f"{APP_NAME} hit an unexpected error: {last}\n\nYour saved data is safe. The "
            f"details are also written to the log file:\n{log_path}\n\nPlease send them "
            "to whoever supports PT Codes in your clinic."
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(intro)
        self.text = QPlainTextEdit(details)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Error details")
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setAccessibleName("Copy the error details")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self._on_copy_clicked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, 420)
        self.finished.connect(self._on_finished)

    def _on_copy_clicked(self) -> None:
        QApplication.clipboard().setText(self.details)

    def _on_finished(self, _result: int) -> None:
        if self in _open_dialogs:
            _open_dialogs.remove(self)


def show_crash_dialog(details: str, log_path: Path, *, block: bool = False) -> QDialog | None:
    """Show the dialog; None when there is no QApplication or too many have been shown.
    ``block``: wait until it is closed (no event loop is running to keep it on screen)."""
    shown = int(_state["shown"])  # type: ignore[call-overload]
    if QApplication.instance() is None or shown >= MAX_DIALOGS:
        return None
    _state["shown"] = shown + 1
    parent = QApplication.activeWindow()
    dialog = CrashDialog(details, log_path, parent)
    _open_dialogs.append(dialog)
    if block:
        dialog.exec()
        return None
    dialog.show()
    return dialog


class _Bridge(QObject):
    """Carries an error from any thread to the GUI thread (queued signal)."""

    error = Signal(str)

    def __init__(self, log_path: Path) -> None:
        super().__init__()
        self.log_path = log_path
        self.error.connect(self._on_error, Qt.ConnectionType.QueuedConnection)

    def _on_error(self, details: str) -> None:
        show_crash_dialog(details, self.log_path)


class CrashHandler:
    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        #: outside the event loop (an error before ``exec()`` or after it) the dialog
        #: blocks, or it would vanish with the process; tests turn this off
        self.block_without_loop = True
        self.bridge = _Bridge(log_path)
        app = QApplication.instance()
        if app is not None:
            self.bridge.moveToThread(app.thread())

    def handle(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None,
        where: str = "",
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        try:
            details = details_text(exc_type, exc, tb, where)
            log.critical("unexpected error%s\n%s", where, details)
            if threading.current_thread() is threading.main_thread():
                app = QApplication.instance()
                idle = app is not None and app.thread().loopLevel() == 0
                show_crash_dialog(details, self.log_path, block=idle and self.block_without_loop)
            else:
                self.bridge.error.emit(details)
        except Exception:  # the handler itself must never take the program down
            sys.__excepthook__(exc_type, exc, tb)

    def excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        self.handle(exc_type, exc, tb)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "a worker thread"
        self.handle(args.exc_type, args.exc_value, args.exc_traceback, f" (in {name})")


def install_crash_handler(data_dir: Path) -> CrashHandler:
    """Log to the data folder and show any uncaught error in a dialog."""
    handler = CrashHandler(setup_logging(data_dir))
    sys.excepthook = handler.excepthook
    threading.excepthook = handler.thread_excepthook
    return handler
