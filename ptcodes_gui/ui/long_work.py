"""Long work off the GUI thread, and the two small dialogs every import flow shares.

``run_with_progress`` runs ``work(on_progress, cancelled)`` on a worker thread while the
window keeps painting, behind a progress dialog shown after ~0.3 s. Its Cancel either
asks the work to stop and waits for it (``wait_on_cancel=True``: an import cleans up
after itself, so "cancelled" means "nothing changed"), or stops waiting at once
(``False``: for work that may block on a bad file, such as reading a FIFO; it must not
touch the stores). ``ask_apply_text`` shows a preview with Apply/Cancel; ``inform`` says
one sentence. Tests replace the ``ask_*`` functions of the modules that use them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from ptcodes_gui import APP_NAME

T = TypeVar("T")
Progress = Callable[[int, int], None]


class CancelledError(Exception):
    """The user cancelled a long-running step; nothing was changed."""


def run_with_progress(
    parent: QWidget,
    label: str,
    work: Callable[[Progress, Callable[[], bool]], T],
    *,
    cancellable: bool = True,
    wait_on_cancel: bool = True,
    name: str = "Progress",
    discard: Callable[[T], None] | None = None,
) -> T:
    """The result of ``work``, or its exception; ``CancelledError`` after Cancel (a result
    that arrived all the same is handed to ``discard``, e.g. a staged import)."""
    result: dict[str, object] = {}
    state = {"done": 0, "total": 0}
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        state["done"], state["total"] = done, total

    def target() -> None:
        try:
            result["value"] = work(progress, cancel.is_set)
        except BaseException as exc:  # handed back to the GUI thread below
            result["error"] = exc

    thread = threading.Thread(target=target, name=f"ptcodes-{name.lower()}", daemon=True)
    dialog = QProgressDialog(label, "Cancel" if cancellable else "", 0, 1000, parent)
    if not cancellable:
        dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAccessibleName(name)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    thread.start()
    try:
        while thread.is_alive():
            if cancellable and dialog.wasCanceled():
                cancel.set()
                if not wait_on_cancel:
                    raise CancelledError()
            if state["total"]:
                dialog.setValue(min(999, state["done"] * 1000 // max(state["total"], 1)))
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 30)
            thread.join(0.02)
        if cancellable and dialog.wasCanceled():
            # a Cancel pressed as the work ended still counts (its result is discarded)
            cancel.set()
    finally:
        dialog.close()
        dialog.deleteLater()
    if cancel.is_set():
        if discard is not None and "value" in result:
            discard(result["value"])  # type: ignore[arg-type]
        raise CancelledError()
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result["value"]  # type: ignore[return-value]


def run_off_thread(parent: QWidget, label: str, work: Callable[[], T]) -> T:
    """``work()`` on a worker thread behind a busy dialog whose Cancel stops the wait."""
    return run_with_progress(parent, label, lambda _progress, _cancelled: work(),
                             wait_on_cancel=False, name="Busy")


def ask_apply_text(parent: QWidget, title: str, head: str, text: str, *,
                   can_apply: bool = True) -> bool:
    """A read-only preview with Apply (when ``can_apply``) and Cancel; True to apply."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    layout = QVBoxLayout(dialog)
    heading = QLabel(head)
    heading.setWordWrap(True)
    layout.addWidget(heading)
    body = QPlainTextEdit(text)
    body.setReadOnly(True)
    body.setAccessibleName("Import preview")
    layout.addWidget(body)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    if can_apply:
        apply_btn = buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        apply_btn.setAccessibleName("Apply the import")
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    dialog.resize(720, 460)
    return dialog.exec() == QDialog.DialogCode.Accepted


def inform(parent: QWidget, text: str, *, error: bool = False) -> None:
    (QMessageBox.warning if error else QMessageBox.information)(parent, APP_NAME, text)
