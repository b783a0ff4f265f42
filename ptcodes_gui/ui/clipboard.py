"""Text put on the clipboard that outlives the program.

On X11 the clipboard is not a store: the program that copied serves the text each time
something pastes, and when it exits the text is gone unless a clipboard manager took it.
Qt hands it to a manager that speaks the freedesktop protocol (``SAVE_TARGETS`` sent to the
owner of ``CLIPBOARD_MANAGER``) when the application object is destroyed; history managers
such as Parcellite or ClipIt instead poll the clipboard and re-serve the last text read.
So, at exit, when no protocol manager runs and the text copied last was never read, the
program stays (without a window) until it is read once or another program copies, at most
``KEEP_SECONDS``. On Windows Qt flushes the clipboard (``OleFlushClipboard``) as the
application object is destroyed, and macOS's pasteboard keeps the text by itself.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import sys
from typing import ClassVar, Final

from PySide6.QtCore import (
    QAbstractNativeEventFilter,
    QCoreApplication,
    QEventLoop,
    QMimeData,
    QTimer,
)
from PySide6.QtGui import QGuiApplication

KEEP_SECONDS: Final = 600  # ten minutes without a window at most


class _State:
    """What the last copy became: read by another program yet?"""

    generation = 0  # one per copy
    taken = True  # nothing copied: nothing to keep
    serving = False  # X11: answering another program's request for the clipboard now
    on_taken: ClassVar[list[QEventLoop]] = []


_SELECTION_REQUEST: Final = 30  # the X11 event of another program asking for the clipboard


class _Requests(QAbstractNativeEventFilter):
    """X11: marks the handling of another program's request for the clipboard, so that this
    program's own reads (a context menu checking whether Paste applies) do not count as the
    visit having been taken."""

    def nativeEventFilter(self, event_type: object, message: object) -> object:  # noqa: N802
        if bytes(event_type) == b"xcb_generic_event_t":  # type: ignore[call-overload]
            kind = ctypes.c_uint8.from_address(int(message)).value & 0x7F  # type: ignore[call-overload]
            if kind == _SELECTION_REQUEST:
                _State.serving = True  # Qt answers it right after this filter
                QTimer.singleShot(0, _served)
        return False, 0


def _served() -> None:
    _State.serving = False


_FILTER = _Requests()


class _TrackedText(QMimeData):
    """Plain text that notes when it was read (a paste, a clipboard manager's poll)."""

    def __init__(self, text: str, generation: int) -> None:
        super().__init__()
        self._generation = generation
        self.setText(text)

    def retrieveData(self, mimetype: str, preferred_type: object) -> object:  # noqa: N802
        asked = _State.serving or QGuiApplication.platformName() != "xcb"
        if self._generation == _State.generation and not _State.taken and asked:
            _State.taken = True
            for loop in _State.on_taken:
                # after this request is answered: the reply is sent once we return
                QTimer.singleShot(150, loop.quit)
        return super().retrieveData(mimetype, preferred_type)  # type: ignore[arg-type]


def put_text(text: str) -> None:
    """Put plain text on the clipboard (what an EHR field wants), tracked for ``keep``."""
    if _State.generation == 0:
        atexit.register(_untrack)
        app = QCoreApplication.instance()
        if app is not None and QGuiApplication.platformName() == "xcb":
            app.installNativeEventFilter(_FILTER)
    _State.generation += 1
    _State.taken = False
    # The clipboard owns the data from here on; no Python reference is kept to it.
    QGuiApplication.clipboard().setMimeData(_TrackedText(text, _State.generation))


def _untrack() -> None:
    """Before Python shuts down: the clipboard's copy becomes Qt's own, so that Qt can
    destroy (or hand to a clipboard manager) data that no longer calls into Python."""
    app = QGuiApplication.instance()
    if app is None:
        return
    board = QGuiApplication.clipboard()
    data = board.mimeData()
    if isinstance(data, _TrackedText):
        board.setText(data.text())


def was_taken() -> bool:
    """The text copied last was read by something (or nothing was copied)."""
    return _State.taken


def clipboard_manager_running() -> bool:
    """X11: a clipboard manager owns ``CLIPBOARD_MANAGER`` (it takes the text at exit)."""
    if QGuiApplication.platformName() != "xcb":
        return False
    name = ctypes.util.find_library("X11")
    if name is None:
        return False
    try:
        xlib = ctypes.CDLL(name)
        xlib.XOpenDisplay.restype = ctypes.c_void_p
        xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        xlib.XInternAtom.restype = ctypes.c_ulong
        xlib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        xlib.XGetSelectionOwner.restype = ctypes.c_ulong
        xlib.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        display = xlib.XOpenDisplay(None)
        if not display:
            return False
        try:
            atom = xlib.XInternAtom(display, b"CLIPBOARD_MANAGER", 1)
            return bool(atom) and bool(xlib.XGetSelectionOwner(display, atom))
        finally:
            xlib.XCloseDisplay(display)
    except (OSError, AttributeError):
        return False


def must_wait_at_exit() -> bool:
    """Quitting now would lose the text copied last (X11, no protocol manager, unread)."""
    if was_taken() or QGuiApplication.platformName() != "xcb":
        return False
    return QGuiApplication.clipboard().ownsClipboard() and not clipboard_manager_running()


def exit_note() -> str:
    """One sentence for the quit question: what happens to the copied visit at exit."""
    platform = QGuiApplication.platformName()
    if platform == "xcb":
        if clipboard_manager_running():
            return "The clipboard manager keeps the visit after PT Codes closes."
        minutes = KEEP_SECONDS // 60
        return (
            "No clipboard manager is running: PT Codes closes its window and stays in the "
            f"background until the visit is pasted once (at most {minutes} minutes)."
        )
    if sys.platform == "win32" or platform == "windows":
        return "Windows keeps the visit on the clipboard after PT Codes closes."
    return "The visit stays on the clipboard after PT Codes closes."


def keep(seconds: float = KEEP_SECONDS) -> bool:
    """At exit: wait (no window) until the text copied last is read or replaced, at most
    ``seconds``; True if it was waited for. Returns at once when nothing would be lost."""
    if not must_wait_at_exit():
        return False
    loop = QEventLoop()
    clipboard = QGuiApplication.clipboard()
    clipboard.dataChanged.connect(loop.quit)  # another program copied: nothing to keep
    _State.on_taken.append(loop)
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    try:
        loop.exec()
    finally:
        _State.on_taken.remove(loop)
        clipboard.dataChanged.disconnect(loop.quit)
    return True
