"""The window on a real workstation (issue 15): size from the screen, menus with every
action, one CODE=MIN grammar, Recent, stars, chips, quitting with a visit, contrast."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QSpinBox
from pytestqt.qtbot import QtBot

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.ui import dialogs, theme
from ptcodes_gui.ui.geometry import clamped, first_run_geometry
from ptcodes_gui.ui.main_window import MainWindow
from ptcodes_gui.ui.results_model import TYPE_COLUMN
from ptcodes_gui.ui.rules_dialog import BillingRulesDialog
from ptcodes_gui.ui.visit_panel import VisitPanel
from ptcodes_gui.ui.window_menus import shortcuts_html
from ptcodes_gui.userdata.store import UserStore


@pytest.fixture
def full(qtbot: QtBot, catalog: Catalog, store: UserStore) -> Iterator[MainWindow]:
    catalog.set_ncci_pairs(None)
    catalog.set_clinic_codes([])
    catalog.set_descriptors({})
    panel = VisitPanel(catalog, store)
    win = MainWindow(catalog, store, visit_panel=panel)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    yield win
    win.close()


def _panel(win: MainWindow) -> VisitPanel:
    assert win.visit_panel is not None
    return win.visit_panel


def test_first_run_fits_the_available_screen(full: MainWindow) -> None:
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    available = screen.availableGeometry()
    assert full.width() <= available.width() and full.height() <= available.height()
    small = first_run_geometry(QRect(0, 0, 1024, 600))
    assert small.width() <= 1024 and small.height() <= 600
    big = first_run_geometry(QRect(0, 0, 2560, 1440))
    assert (big.width(), big.height()) == (1280, 860)
    assert big.center() == QRect(0, 0, 2560, 1440).center()


def test_a_saved_place_on_a_gone_screen_comes_back(
    qtbot: QtBot, catalog: Catalog, store: UserStore
) -> None:
    first = MainWindow(catalog, store)
    qtbot.addWidget(first)
    first.setGeometry(6000, 4000, 3000, 2000)  # a second monitor that is not there now
    saved = bytes(first.saveGeometry().toBase64().data()).decode()
    store.set_setting("window.geometry", saved)
    first.close()
    second = MainWindow(catalog, store)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    assert screen.availableGeometry().intersects(second.frameGeometry())
    assert second.width() <= screen.availableGeometry().width()
    second.close()
    assert clamped(QRect(900, 500, 400, 300), QRect(0, 0, 1024, 600)) == QRect(
        624, 300, 400, 300
    )


def test_visit_and_help_menus_list_every_action_with_its_shortcut(full: MainWindow) -> None:
    assert full.visit_menu is not None
    visit = {a.text().replace("&", ""): a.shortcut().toString()
             for a in full.visit_menu.actions() if not a.isSeparator()}
    assert visit["Copy visit"] == "Ctrl+Shift+C"
    assert visit["New visit"] == "Ctrl+N"
    assert visit["Undo"] == "Ctrl+Z"
    helps = [a.text().replace("&", "") for a in full.help_menu.actions() if not a.isSeparator()]
    assert helps == ["Keyboard shortcuts", "Billing rules", "Data sources…", "About PT Codes"]
    sheet = shortcuts_html(full)
    for expected in ("Copy visit", "Ctrl+Shift+C", "New visit", "Ctrl+N", "Toggle favorite",
                     "Ctrl+D", "CODE=MIN", "Keyboard shortcuts"):
        assert expected in sheet, expected


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's note on a dialog
def test_help_billing_rules_and_a_warning_open_the_rule(qtbot: QtBot, full: MainWindow) -> None:
    full.rules_action.trigger()
    dialog = full.findChild(BillingRulesDialog)
    assert dialog is not None and dialog.isVisible()
    panel = _panel(full)
    panel.add_entry("97130=15")  # an add-on without its primary
    warnings = panel.warnings
    warnings.view.setFocus()
    warnings.view.setCurrentIndex(warnings.model.index(0))
    rule = warnings.model.warning(0)
    assert rule is not None and f"[{rule.code}]" in warnings.model.index(0).data()
    qtbot.keyClick(warnings.view, Qt.Key.Key_Return)
    assert dialog.shown_rule == rule.code
    dialog.close()


def test_search_enter_then_minutes_then_code_equals_minutes(
    qtbot: QtBot, full: MainWindow
) -> None:
    panel = _panel(full)
    qtbot.keyClicks(full.search_edit, "ther act")
    qtbot.keyClick(full.search_edit, Qt.Key.Key_Return)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QSpinBox)  # straight into 97530's minutes
    qtbot.keyClicks(editor, "23")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert QApplication.focusWidget() is full.search_edit
    qtbot.keyClicks(full.search_edit, "97140=15")  # the search text was selected: replaced
    hit = full.current_hit()
    assert hit is not None and hit.code == "97140"
    qtbot.keyClick(full.search_edit, Qt.Key.Key_Return)
    assert [(ln.code, ln.minutes) for ln in panel.visit().lines] == [("97530", 23), ("97140", 15)]
    assert full.store.recents()[:2] == ["97140", "97530"]
    panel.add_entry("M25.561")
    assert full.store.recents()[0] == "M25.561"  # Recent, however the code was added


def test_quitting_with_a_visit_in_progress_asks(
    qtbot: QtBot, full: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel = _panel(full)
    panel.add_entry("97110=23")
    answers = iter([None, "copy"])
    asked: list[object] = []

    def ask(parent: object) -> object:
        asked.append(parent)
        return next(answers)

    monkeypatch.setattr(dialogs, "ask_unsaved_visit", ask)
    full.quit_action.trigger()
    assert full.isVisible()  # Cancel: nothing lost
    QApplication.clipboard().clear()
    full.quit_action.trigger()
    assert not full.isVisible()
    assert QApplication.clipboard().text().startswith("97110 GP")
    assert len(asked) == 2


def test_a_copied_visit_quits_without_asking(
    qtbot: QtBot, full: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel = _panel(full)
    panel.add_entry("97110=23")
    panel.copy_visit()
    monkeypatch.setattr(dialogs, "ask_unsaved_visit", lambda parent: pytest.fail("asked"))
    full.close()
    assert not full.isVisible()


def test_favorites_are_starred_and_types_are_chips(qtbot: QtBot, full: MainWindow) -> None:
    qtbot.keyClicks(full.search_edit, "97110")
    model = full.results_model
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole) is None
    full.toggle_favorite()
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole) is not None
    assert model.data(model.index(0, TYPE_COLUMN)) == "timed"


def _dark_palette() -> QPalette:
    pal = QPalette()
    for role, value in ((QPalette.ColorRole.Window, "#202020"),
                        (QPalette.ColorRole.Base, "#202020"),
                        (QPalette.ColorRole.Text, "#f0f0f0"),
                        (QPalette.ColorRole.WindowText, "#f0f0f0")):
        pal.setColor(role, QColor(value))
    return pal


@pytest.mark.parametrize("dark", [False, True])
def test_colours_meet_wcag_aa_on_light_and_dark(dark: bool) -> None:
    pal = _dark_palette() if dark else QPalette(QColor("#efefef"))
    pal.setColor(QPalette.ColorRole.Base, pal.color(QPalette.ColorRole.Base)
                 if dark else QColor("#ffffff"))
    base = pal.color(QPalette.ColorRole.Base)
    assert theme.is_dark(pal) is dark
    for role in ("error", "warning", "ok", "info"):
        assert theme.contrast(theme.colour(role, pal), base) >= 4.5, role  # type: ignore[arg-type]
    assert theme.contrast(theme.muted(pal), base) >= 4.5
    for kind in ("timed", "untimed", "dx", "mod", "deleted", "header", "common", "override"):
        background, text = theme.chip_colours(kind, pal)
        assert theme.contrast(text, background) >= 4.5, kind


def test_at_1024_by_600_the_visit_fits_with_copy_in_view(qtbot: QtBot, full: MainWindow) -> None:
    full.resize(1024, 600 - 40)  # a 1024×600 screen less a panel
    panel = _panel(full)
    panel.add_entry("97530=23")
    panel.add_entry("97140=15")
    panel.add_entry("M25.561")
    scroll = full.visit_scroll
    assert scroll is not None

    def in_view() -> bool:
        return all(
            scroll.viewport().rect().contains(w.mapTo(scroll.viewport(), w.rect().bottomRight()))
            for w in (panel.copy_button, panel.new_visit_button, panel.save_template_button)
        )

    qtbot.waitUntil(in_view)  # once the layout has settled after the resize
    assert not scroll.verticalScrollBar().isVisible()


def test_a_dark_palette_repaints_messages_in_dark_colours(qtbot: QtBot, full: MainWindow) -> None:
    panel = _panel(full)
    panel.add_entry("97127")  # refused: the offer bar's sentence is in the error colour
    light = panel.offer_label.styleSheet()
    old = QApplication.palette()
    try:
        QApplication.setPalette(_dark_palette())
        qtbot.waitUntil(lambda: panel.offer_label.styleSheet() != light)
        assert theme.colour("error").name() in panel.offer_label.styleSheet()
    finally:
        QApplication.setPalette(old)


def test_the_visit_panel_is_never_cut_on_a_small_screen(full: MainWindow, qtbot: QtBot) -> None:
    """1024×600 (issue 24): the DOS arrow, "In person", the Service column, two whole
    warnings and the copy preview's diagnosis line all show."""
    panel = _panel(full)
    panel.add_entry("97530=23")
    panel.add_entry("97140=15")
    panel.add_entry("97161")
    panel.add_code("M25.561")
    full.resize(1024, 581)
    scroll = full.visit_scroll
    assert scroll is not None
    full.main_splitter.setSizes([1000, 24])  # dragged narrow: the panel keeps its minimum
    qtbot.wait(20)
    assert scroll.width() >= panel.minimumSizeHint().width()
    tele = panel.telehealth_combo
    assert tele.width() >= tele.minimumSizeHint().width()  # "In person", not "In perso"
    date = panel.date_edit
    right = date.mapTo(scroll.viewport(), date.rect().topRight()).x()
    assert right < scroll.viewport().width()  # the calendar arrow too
    full.main_splitter.setSizes([512, 512])  # as the first run gives it at 1024 px
    qtbot.wait(20)
    from ptcodes_gui.ui.visit_model import TITLE

    assert not panel.lines_view.isColumnHidden(TITLE)  # Service kept
    view, model = panel.warnings_view, panel.warnings_model
    assert model.rowCount() >= 2
    assert view.visualRect(model.index(1, 0)).bottom() <= view.viewport().height()
    preview = panel.preview
    lines = preview.toPlainText().splitlines()
    assert lines[-1].startswith("A M25.561")
    needed = len(lines) * preview.fontMetrics().lineSpacing()
    assert preview.viewport().height() >= needed  # the diagnosis line is in view


def test_the_visit_panel_scrolls_to_the_focused_part(full: MainWindow, qtbot: QtBot) -> None:
    """150 % on 1366×768 (910×512 logical): the panel scrolls; the keyboard's focus is
    never in a part scrolled out of view (the copy preview with its diagnosis line)."""
    panel = _panel(full)
    panel.add_entry("97530=23")
    panel.add_entry("97140=15")
    panel.add_code("M25.561")
    full.resize(910, 480)
    qtbot.wait(20)
    scroll = full.visit_scroll
    assert scroll is not None
    full.activateWindow()
    panel.preview.setFocus()
    qtbot.waitUntil(panel.preview.hasFocus)
    viewport = scroll.viewport()
    bottom = panel.preview.mapTo(viewport, panel.preview.rect().bottomLeft())
    assert 0 <= bottom.y() <= viewport.height()
