"""Writes queued behind another copy's lock: said in the status bar, retried on a timer.

The store waits at most a quarter of a second for the lock (so the window never freezes),
queues favorites, recents and settings, and shows them at once; this timer saves them as
soon as the other copy lets go.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMainWindow

from ptcodes_gui.userdata.store import UserStore

RETRY_MS = 1000
SAVED_MESSAGE = "Your queued changes were saved."


class PendingWrites(QObject):
    """Owns the retry timer; parented to the window so it lives as long as it does."""

    def __init__(self, window: QMainWindow, store: UserStore) -> None:
        super().__init__(window)
        self.window = window
        self.store = store
        self.timer = QTimer(self)
        self.timer.setInterval(RETRY_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        store.on_status = self._on_store_busy

    def _on_store_busy(self, text: str) -> None:
        self.window.statusBar().showMessage(text)
        if not self.timer.isActive():
            self.timer.start()

    def _on_timer_timeout(self) -> None:
        if self.store.retry_pending() == 0:
            self.timer.stop()
            self.window.statusBar().showMessage(SAVED_MESSAGE, 5000)


def watch_pending_writes(window: QMainWindow, store: UserStore) -> PendingWrites:
    return PendingWrites(window, store)
