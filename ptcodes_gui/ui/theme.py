"""Colours that stay readable on the system's light or dark palette (WCAG AA: 4.5:1 for text).

Nothing here is a fixed colour for every palette: each role has a light-theme and a
dark-theme value, picked from the palette the application runs with, and ``muted`` is
mixed from the palette's own text and base colours until it reaches 4.5:1.
"""

from __future__ import annotations

from typing import Final, Literal

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

Role = Literal["error", "warning", "ok", "info", "star"]

#: (on a light base, on a dark base); each ≥ 4.5:1 against white / #202020 respectively.
_COLOURS: Final[dict[str, tuple[str, str]]] = {
    "error": ("#b00020", "#ff8a80"),
    "warning": ("#8a5300", "#ffb74d"),
    "ok": ("#1b5e20", "#81c784"),
    "info": ("#0b57a4", "#90caf9"),
    "star": ("#8a6100", "#ffd54f"),
}
AA_TEXT: Final = 4.5


def _channel(c: float) -> float:
    c /= 255
    return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)


def luminance(colour: QColor) -> float:
    return (
        0.2126 * _channel(colour.red())
        + 0.7152 * _channel(colour.green())
        + 0.0722 * _channel(colour.blue())
    )


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def palette() -> QPalette:
    return QApplication.palette()


def is_dark(pal: QPalette | None = None) -> bool:
    pal = pal or palette()
    return luminance(pal.color(QPalette.ColorRole.Base)) < 0.2


def colour(role: Role, pal: QPalette | None = None) -> QColor:
    light, dark = _COLOURS[role]
    return QColor(dark if is_dark(pal) else light)


def style(role: Role, pal: QPalette | None = None) -> str:
    """A style sheet giving a label the colour of ``role``."""
    return f"color: {colour(role, pal).name()}"


def muted(pal: QPalette | None = None) -> QColor:
    """Secondary text: as far from the text colour towards the base as AA allows."""
    pal = pal or palette()
    text = pal.color(QPalette.ColorRole.Text)
    base = pal.color(QPalette.ColorRole.Base)
    best = text
    for step in range(1, 20):
        t = step / 20
        mixed = QColor(
            round(text.red() + (base.red() - text.red()) * t),
            round(text.green() + (base.green() - text.green()) * t),
            round(text.blue() + (base.blue() - text.blue()) * t),
        )
        if contrast(mixed, base) < AA_TEXT + 0.2:
            break
        best = mixed
    return best


def chip_colours(kind: str, pal: QPalette | None = None) -> tuple[QColor, QColor]:
    """(background, text) of a chip; the text is ≥ 4.5:1 on its background."""
    dark = is_dark(pal)
    table: dict[str, tuple[str, str, str, str]] = {
        # kind: light bg, light fg, dark bg, dark fg
        "timed": ("#dbeafe", "#0b3d91", "#1e3a5f", "#cfe3ff"),
        "untimed": ("#ececec", "#333333", "#3a3a3a", "#e6e6e6"),
        "dx": ("#e8f5e9", "#1b5e20", "#1f3d22", "#c8e6c9"),
        "mod": ("#f3e5f5", "#5b1f6a", "#3b2440", "#ecd4f2"),
        "deleted": ("#fde2e1", "#8c1010", "#4a1f1f", "#ffcdd2"),
        "header": ("#fff3cd", "#6b4e00", "#4a3b10", "#ffe9a8"),
        "common": ("#e0f2f1", "#00564d", "#133d39", "#b2dfdb"),
        "override": ("#ffecb3", "#3d2c00", "#5d4300", "#fff3d6"),
    }
    lbg, lfg, dbg, dfg = table.get(kind, table["untimed"])
    return (QColor(dbg), QColor(dfg)) if dark else (QColor(lbg), QColor(lfg))
