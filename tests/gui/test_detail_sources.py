"""The detail pane's source labels: hovering one shows the full public citation."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QToolTip
from pytestqt.qtbot import QtBot

from ptcodes_gui.domain.sources import SOURCES
from ptcodes_gui.ui.detail_html import contrast_ratio
from ptcodes_gui.ui.main_window import MainWindow


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen tooltips
def test_hovering_a_source_label_shows_its_citation(qtbot: QtBot, window: MainWindow) -> None:
    assert window.show_code("20560")
    html = window.detail_view.toHtml()
    assert "NCD 30.3.3" in html and "facts §" not in html
    window.detail_view.highlighted.emit(QUrl("source:ncd-30.3.3"))
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text() == SOURCES["ncd-30.3.3"].citation
    window.detail_view.highlighted.emit(QUrl("code:20561"))
    qtbot.waitUntil(lambda: not QToolTip.isVisible())
    before = window.detail_view.toHtml()
    window.detail_view.anchorClicked.emit(QUrl("source:ncd-30.3.3"))  # no navigation
    assert window.detail_view.toHtml() == before


def test_grey_notes_are_readable_on_the_pane(window: MainWindow) -> None:
    assert window.show_code("97530")
    pal = window.detail_view.palette()
    base = pal.color(QPalette.ColorRole.Base).name()
    html = window.detail_view.toHtml()
    greys = {part.split(";")[0].split("'")[0].split('"')[0]
             for part in html.split("color:")[1:]}
    assert greys, "no coloured text found"
    for grey in greys:
        if grey.startswith("#"):
            assert contrast_ratio(grey, base) >= 4.5, grey
