"""Window size and place: from the screen the window is on, never off every screen."""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QApplication, QScrollArea, QStyle, QVBoxLayout, QWidget

#: What the window asks for on a large screen; smaller screens get most of their room.
PREFERRED: Final = QSize(1280, 860)
SHARE: Final = 0.92
#: Smallest useful window: 1024×600 at 100 %, or 1366×768 at 150 % (910×512 logical).
MINIMUM: Final = QSize(640, 420)


def first_run_geometry(available: QRect) -> QRect:
    """The preferred size, shrunk to ``SHARE`` of the available area, centred in it."""
    width = min(PREFERRED.width(), round(available.width() * SHARE))
    height = min(PREFERRED.height(), round(available.height() * SHARE))
    rect = QRect(0, 0, max(width, 1), max(height, 1))
    rect.moveCenter(available.center())
    return rect


def clamped(frame: QRect, available: QRect) -> QRect:
    """``frame`` moved (and shrunk if need be) to lie inside ``available``."""
    width = min(frame.width(), available.width())
    height = min(frame.height(), available.height())
    left = min(max(frame.left(), available.left()), available.right() - width + 1)
    top = min(max(frame.top(), available.top()), available.bottom() - height + 1)
    return QRect(left, top, width, height)


def screen_for(frame: QRect) -> QScreen | None:
    """The screen showing most of ``frame`` (None when no screen shows any of it)."""
    best: tuple[int, QScreen | None] = (0, None)
    for screen in QGuiApplication.screens():
        part = screen.availableGeometry().intersected(frame)
        area = part.width() * part.height() if part.isValid() else 0
        if area > best[0]:
            best = (area, screen)
    return best[1]


def place_first_run(window: QWidget) -> None:
    """Centred at its preferred size; on a screen smaller than that (1024×600, or 150 %
    scaling) maximised, since every pixel is needed there."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        available = screen.availableGeometry()
        window.setGeometry(first_run_geometry(available))
        if available.width() < PREFERRED.width() or available.height() < PREFERRED.height():
            window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def keep_on_screen(window: QWidget) -> None:
    """After restoring a saved geometry: if the screen it was on is gone (or smaller now),
    bring the whole window onto the screen that shows most of it, else the primary one."""
    frame = window.frameGeometry()
    screen = screen_for(frame) or QGuiApplication.primaryScreen()
    if screen is None:
        return
    available = screen.availableGeometry()
    if available.contains(frame):
        return
    if window.isMaximized() or window.isFullScreen():
        return
    # the frame (title bar) is outside the client geometry: keep both on the screen
    extra_w = frame.width() - window.width()
    extra_h = frame.height() - window.height()
    fit = clamped(frame, available)
    window.resize(max(fit.width() - extra_w, 1), max(fit.height() - extra_h, 1))
    window.move(fit.topLeft())


def scrolling_holder(widget: QWidget, name: str) -> QScrollArea:
    """``widget`` in a scroll area, so on a small screen (1024×600, or 150-200 % scaling) it
    scrolls rather than cutting off its bottom buttons."""
    scroll = _FittingScrollArea()
    scroll.setObjectName(name)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    holder = QWidget()  # asks the widget, not its wrapped labels, for its height
    holder_layout = QVBoxLayout(holder)
    holder_layout.setContentsMargins(0, 0, 0, 0)
    holder_layout.addWidget(widget)
    scroll.setWidget(holder)
    return scroll


class _FittingScrollArea(QScrollArea):
    """Never narrower than its widget needs, with room for a vertical scroll bar: a splitter
    would squeeze it and cut its right edge (the DOS arrow, "In person"); the other side of
    the splitter gives way instead. It still scrolls vertically on a short screen."""

    def __init__(self) -> None:
        super().__init__()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        # the keyboard never works in a part scrolled out of view (Tab, Alt+O, Ctrl+L)
        # (the whole part: ensureWidgetVisible shows only a text box's cursor line)
        inner = self.widget()
        if new is not None and inner is not None and inner.isAncestorOf(new):
            top = new.mapTo(inner, QPoint(0, 0))
            self.ensureVisible(top.x(), top.y() + new.height(), 8, 8)  # its bottom, and
            self.ensureVisible(top.x(), top.y(), 8, 8)  # its top if it is taller than the view

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        hint = super().minimumSizeHint()
        inner = self.widget()
        if inner is None:
            return hint
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        width = inner.minimumSizeHint().width() + bar + self.frameWidth() * 2
        return QSize(max(hint.width(), width), hint.height())
