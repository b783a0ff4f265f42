"""View → Theme (issue 24): System, Light, Dark, kept across restarts; both palettes meet
WCAG AA (4.5:1) for every text/background pair, the message colours included."""

from __future__ import annotations

from typing import Literal

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.ui import theme, theme_choice
from ptcodes_gui.ui.main_window import MainWindow
from ptcodes_gui.ui.window_setup import build_main_window
from ptcodes_gui.userdata.store import UserStore

_R = QPalette.ColorRole


@pytest.mark.parametrize("name", ["light", "dark"])
def test_every_text_pair_of_the_palette_meets_aa(name: Literal["light", "dark"]) -> None:
    pal = theme_choice.palette_for(name)
    for fg, bg in theme_choice.TEXT_PAIRS:
        ratio = theme.contrast(pal.color(fg), pal.color(bg))
        assert ratio >= theme.AA_TEXT, f"{name}: {fg.name} on {bg.name} is {ratio:.2f}:1"
    disabled = pal.color(QPalette.ColorGroup.Disabled, _R.Text)
    assert theme.contrast(disabled, pal.color(_R.Base)) >= theme.AA_TEXT
    assert theme.is_dark(pal) == (name == "dark")


@pytest.mark.parametrize("name", ["light", "dark"])
def test_message_colours_meet_aa_on_the_palette(name: Literal["light", "dark"]) -> None:
    pal = theme_choice.palette_for(name)
    for role in ("error", "warning", "ok", "info", "star"):
        colour = theme.colour(role, pal)  # type: ignore[arg-type]
        for bg in (_R.Base, _R.AlternateBase, _R.Window):
            ratio = theme.contrast(colour, pal.color(bg))
            assert ratio >= theme.AA_TEXT, f"{name}: {role} on {bg.name} is {ratio:.2f}:1"
    muted = theme.muted(pal)
    assert theme.contrast(muted, pal.color(_R.Base)) >= theme.AA_TEXT


def test_the_theme_is_chosen_in_the_view_menu_and_kept(
    qtbot: QtBot, catalog: Catalog, store: UserStore
) -> None:
    window = build_main_window(catalog, store)
    qtbot.addWidget(window)
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles.index("View") < titles.index("Help")
    actions = window.theme_actions  # type: ignore[attr-defined]
    assert actions["system"].isChecked()
    actions["dark"].trigger()
    assert theme.is_dark(QApplication.palette())
    assert QApplication.style().name().lower() == "fusion"
    assert store.get_setting("view.theme") == "dark"
    window.close()
    theme_choice.apply("system")
    assert QApplication.palette().color(_R.Base) != QColor("#202020")

    again: MainWindow = build_main_window(catalog, store)  # the next start
    qtbot.addWidget(again)
    assert again.theme_actions["dark"].isChecked()  # type: ignore[attr-defined]
    assert theme.is_dark(QApplication.palette())
    again.theme_actions["light"].trigger()  # type: ignore[attr-defined]
    assert QApplication.palette().color(_R.Base) == QColor("#ffffff")
    assert store.get_setting("view.theme") == "light"
    theme_choice.apply("system")  # the other tests run in the platform's colours
    again.close()
