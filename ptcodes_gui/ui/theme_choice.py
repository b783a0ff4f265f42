"""View → Theme: System, Light or Dark, kept across restarts (the ``view.theme`` setting).

System leaves the platform's style and palette alone. Light and Dark use Qt's Fusion style
(the one style that follows a palette on every platform) with the palettes below, whose
text/background pairs all reach WCAG AA (4.5:1; tests/gui/test_theme.py computes them).
The message colours of ``ui.theme`` follow whichever palette is in force.
"""

from __future__ import annotations

import contextlib
from typing import Final, Literal, Protocol

from PySide6.QtGui import QAction, QActionGroup, QColor, QPalette
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu

Theme = Literal["system", "light", "dark"]
THEMES: Final[tuple[tuple[Theme, str], ...]] = (
    ("system", "&System"), ("light", "&Light"), ("dark", "&Dark"))
SETTING: Final = "view.theme"

_R = QPalette.ColorRole
#: role: (light, dark)
_PALETTE: Final[dict[QPalette.ColorRole, tuple[str, str]]] = {
    _R.Window: ("#f3f3f3", "#2b2b2b"),
    _R.WindowText: ("#1a1a1a", "#ececec"),
    _R.Base: ("#ffffff", "#202020"),
    _R.AlternateBase: ("#f4f6f8", "#282828"),
    _R.Text: ("#1a1a1a", "#ececec"),
    _R.Button: ("#e8e8e8", "#363636"),
    _R.ButtonText: ("#1a1a1a", "#ececec"),
    _R.BrightText: ("#ffffff", "#000000"),
    _R.Highlight: ("#0b57a4", "#2f65ca"),
    _R.HighlightedText: ("#ffffff", "#ffffff"),
    _R.ToolTipBase: ("#fffbe6", "#3a3a3a"),
    _R.ToolTipText: ("#1a1a1a", "#ececec"),
    _R.PlaceholderText: ("#646464", "#a6a6a6"),
    _R.Link: ("#0b57a4", "#90caf9"),
    _R.LinkVisited: ("#6a1b9a", "#ce93d8"),
    _R.Light: ("#ffffff", "#4a4a4a"),
    _R.Midlight: ("#e3e3e3", "#3c3c3c"),
    _R.Mid: ("#b8b8b8", "#5a5a5a"),
    _R.Dark: ("#8f8f8f", "#1a1a1a"),
    _R.Shadow: ("#5c5c5c", "#0d0d0d"),
}
#: disabled text: still readable (WCAG exempts it; 4.5:1 anyway on its base)
_DISABLED: Final = ("#6e6e6e", "#9a9a9a")
#: text/background pairs a reader meets (the test checks each ≥ 4.5:1)
TEXT_PAIRS: Final[tuple[tuple[QPalette.ColorRole, QPalette.ColorRole], ...]] = (
    (_R.WindowText, _R.Window), (_R.Text, _R.Base), (_R.Text, _R.AlternateBase),
    (_R.ButtonText, _R.Button), (_R.HighlightedText, _R.Highlight),
    (_R.ToolTipText, _R.ToolTipBase), (_R.PlaceholderText, _R.Base), (_R.Link, _R.Base),
    (_R.LinkVisited, _R.Base), (_R.WindowText, _R.Base), (_R.Text, _R.Window),
)


class _System:
    """The platform's own style and palette, as found before any theme was applied."""

    style: str | None = None
    palette: QPalette | None = None


def palette_for(theme: Literal["light", "dark"]) -> QPalette:
    pal = QPalette()
    at = 0 if theme == "light" else 1
    for role, pair in _PALETTE.items():
        pal.setColor(role, QColor(pair[at]))
    disabled = QColor(_DISABLED[at])
    for role in (_R.Text, _R.WindowText, _R.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return pal


def apply(theme: Theme) -> None:
    """Use ``theme`` in the whole application now (windows repaint, colours follow)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if _System.style is None:
        _System.style = app.style().name()
        _System.palette = QPalette(app.palette())
    if theme == "system":
        app.setStyle(_System.style)
        app.setPalette(_System.palette or app.style().standardPalette())
        return
    app.setStyle("Fusion")
    app.setPalette(palette_for(theme))


class _Settings(Protocol):
    @property
    def read_only(self) -> bool: ...
    def get_setting(self, key: str, default: object = None) -> object: ...
    def set_setting(self, key: str, value: object) -> None: ...


def stored(settings: _Settings) -> Theme:
    value = settings.get_setting(SETTING)
    return value if value in ("system", "light", "dark") else "system"


def install_theme_menu(window: QMainWindow, settings: _Settings) -> dict[Theme, QAction]:
    """View → Theme before the Visit (or Help) menu; applies the stored choice."""
    bar = window.menuBar()
    view = QMenu("&View", window)
    before = next((a for a in bar.actions() if a.text().replace("&", "") in ("Visit", "Help")),
                  None)
    if before is not None:
        bar.insertMenu(before, view)
    else:
        bar.addMenu(view)
    menu = view.addMenu("&Theme")
    group = QActionGroup(window)
    group.setExclusive(True)
    actions: dict[Theme, QAction] = {}
    current = stored(settings)
    for theme, label in THEMES:
        act = QAction(label, window)
        act.setCheckable(True)
        act.setChecked(theme == current)
        act.setStatusTip(f"{label.replace('&', '')} colours, kept for the next start")
        act.triggered.connect(lambda _checked=False, t=theme: _choose(settings, t))
        group.addAction(act)
        menu.addAction(act)
        actions[theme] = act
    window.view_menu = view  # type: ignore[attr-defined]
    window.theme_actions = actions  # type: ignore[attr-defined]
    if current != "system":
        apply(current)
    return actions


def _choose(settings: _Settings, theme: Theme) -> None:
    apply(theme)
    if not settings.read_only:
        with contextlib.suppress(Exception):  # a preference only
            settings.set_setting(SETTING, theme)
