"""Fixtures for the visit widgets: a catalog without overlays, a host window per widget."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QMainWindow, QWidget
from pytestqt.qtbot import QtBot

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.domain.profiles import MEDICARE
from ptcodes_gui.ui.visit.editor import VisitEditor
from ptcodes_gui.ui.visit_panel import VisitPanel
from ptcodes_gui.userdata.store import UserStore

_HOSTS: list[QMainWindow] = []


@pytest.fixture
def clean_catalog(catalog: Catalog) -> Catalog:
    catalog.set_ncci_pairs(None)
    catalog.set_clinic_codes([])
    catalog.set_descriptors({})
    return catalog


@pytest.fixture
def editor(clean_catalog: Catalog) -> VisitEditor:
    return VisitEditor(clean_catalog, MEDICARE)


@pytest.fixture
def panel(host: Callable[..., QWidget], clean_catalog: Catalog,
          store: UserStore) -> VisitPanel:
    """A visit panel in a window tall enough for its lines, warnings and preview."""
    p = VisitPanel(clean_catalog, store)
    host(p, size=(480, 700), minimum=(320, 480))
    return p


@pytest.fixture
def host(qtbot: QtBot) -> Iterator[Callable[..., QWidget]]:
    """Show a widget in its own window (qtbot keeps only weak references)."""

    def show(widget: QWidget, size: tuple[int, int] = (520, 420),
             minimum: tuple[int, int] = (320, 240)) -> QWidget:
        window = QMainWindow()
        _HOSTS.append(window)
        qtbot.addWidget(window)
        window.setCentralWidget(widget)
        window.setMinimumSize(*minimum)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()  # shortcuts need the active window
        qtbot.waitUntil(window.isActiveWindow)
        return widget

    yield show
    for window in _HOSTS:
        window.close()
    _HOSTS.clear()
