"""What the results table paints (issue 24's repaint budget made it paint its own rows):
the selected row highlighted, chips in their colours, a star on a favorite, long titles
cut with an ellipsis, and a scroll bar whose slider stands out on either theme."""

from __future__ import annotations

from typing import Literal

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPalette

from ptcodes_gui.ui import theme, theme_choice
from ptcodes_gui.ui.flat_scrollbar import FlatScrollBar, slider_colours
from ptcodes_gui.ui.main_window import MainWindow
from ptcodes_gui.ui.results_model import STATUS_COLUMN, TYPE_COLUMN


def _image(window: MainWindow) -> QImage:
    return window.results_view.viewport().grab().toImage()


def _cell(window: MainWindow, row: int, col: int) -> QRect:
    view = window.results_view
    return QRect(view.columnViewportPosition(col), view.rowViewportPosition(row),
                 view.columnWidth(col), view.rowHeight(row))


def _count(image: QImage, area: QRect, colour: QColor, tolerance: int = 0) -> int:
    ratio = image.devicePixelRatio()
    n = 0
    for x in range(int(area.left() * ratio), int((area.right() + 1) * ratio)):
        for y in range(int(area.top() * ratio), int((area.bottom() + 1) * ratio)):
            c = image.pixelColor(x, y)
            if (abs(c.red() - colour.red()) + abs(c.green() - colour.green())
                    + abs(c.blue() - colour.blue())) <= tolerance:
                n += 1
    return n


def _search(window: MainWindow, text: str) -> None:
    window.search_edit.setText(text)
    window.run_search()


def test_the_selected_row_chips_and_star_are_painted(window: MainWindow) -> None:
    window.store.toggle_favorite("97110")
    window.results_model.set_favorites(frozenset(window.store.favorites()))
    _search(window, "9711")
    model = window.results_model
    codes = [model.hit(r).code for r in range(model.rowCount())]  # type: ignore[union-attr]
    assert codes[:4] == ["97110", "97112", "97113", "97116"]
    assert window.results_view.currentIndex().row() == 0
    image = _image(window)
    palette = window.results_view.palette()
    group = (QPalette.ColorGroup.Active if window.results_view.isActiveWindow()
             else QPalette.ColorGroup.Inactive)
    highlight = palette.color(group, QPalette.ColorRole.Highlight)
    # the selected row is filled with the highlight colour, the others are not
    assert _count(image, _cell(window, 0, 1), highlight) > 100
    assert _count(image, _cell(window, 2, 1), highlight) == 0
    # chips: "timed" on every row, "common" only where the code is common (97110)
    timed_bg, _fg = theme.chip_colours("timed", palette)
    common_bg, _fg = theme.chip_colours("common", palette)
    assert _count(image, _cell(window, 0, TYPE_COLUMN), timed_bg) > 20
    assert _count(image, _cell(window, 2, TYPE_COLUMN), timed_bg) > 20
    assert _count(image, _cell(window, 0, STATUS_COLUMN), common_bg) > 20
    assert model.data(model.index(2, STATUS_COLUMN)) == ""  # 97113 is not "common"
    assert _count(image, _cell(window, 2, STATUS_COLUMN), common_bg) == 0
    # the favorite's star before its code, in the theme's star colour
    star = theme.colour("star", palette)
    assert _count(image, _cell(window, 0, 0), star, tolerance=60) > 5
    assert _count(image, _cell(window, 1, 0), star, tolerance=60) == 0
    # screen readers and tooltips still read the words the chips show
    assert model.data(model.index(0, TYPE_COLUMN)) == "timed"
    assert model.data(model.index(0, STATUS_COLUMN)) == "common"


def test_a_long_title_is_cut_with_an_ellipsis_and_read_whole(window: MainWindow) -> None:
    window.resize(700, window.height())
    _search(window, "S72.001A")
    model = window.results_model
    title = model.hit(0).title  # type: ignore[union-attr]
    assert len(title) > 60
    painted = window.results_view.painted_text(0, 1)
    assert painted.endswith("…") and title.startswith(painted[:-1])
    fm = window.results_view.fontMetrics()
    assert fm.horizontalAdvance(painted) <= window.results_view.columnWidth(1)
    window.resize(2400, window.height())  # wide enough: the whole title
    assert window.results_view.painted_text(0, 1) == title
    assert model.data(model.index(0, 1)) == title  # what a screen reader reads


def test_the_same_results_are_not_shown_again(window: MainWindow) -> None:
    resets: list[int] = []
    window.results_model.modelReset.connect(lambda: resets.append(1))
    window.search_edit.setText("gait trai")
    assert window.results_changed
    window.search_edit.setText("gait train")  # the same list: nothing to repaint
    assert not window.results_changed
    assert len(resets) == 1
    window.search_edit.setText("97110")
    assert window.results_changed and len(resets) == 2
    assert window.current_hit() is not None and window.current_hit().code == "97110"  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["light", "dark"])
def test_the_scroll_bar_slider_stands_out_on_both_themes(
        name: Literal["light", "dark"]) -> None:
    palette = theme_choice.palette_for(name)
    for pressed in (False, True):
        groove, slider = slider_colours(palette, pressed=pressed)
        assert theme.contrast(groove, slider) >= 3.0  # WCAG 1.4.11, non-text contrast


def test_the_results_scroll_bar_shows_where_the_list_is(window: MainWindow) -> None:
    _search(window, "fracture")  # many more results than fit
    bar = window.results_view.verticalScrollBar()
    assert isinstance(bar, FlatScrollBar) and bar.maximum() > 0
    _groove, slider = slider_colours(bar.palette(), pressed=False)
    image = bar.grab().toImage()
    h, w = bar.height(), bar.width()  # the two halves between the arrow buttons
    top = QRect(0, w + 2, w, h // 2 - w - 2)
    bottom = QRect(0, h // 2, w, h // 2 - w - 2)
    assert _count(image, top, slider) > 10 and _count(image, bottom, slider) == 0
    window.results_view.setFocus()
    window.results_view.scrollToBottom()
    image = bar.grab().toImage()
    assert _count(image, top, slider) == 0 and _count(image, bottom, slider) > 10


def _longest_run(image: QImage, area: QRect, colour: QColor) -> int:
    """The longest horizontal run of ``colour`` (within a small tolerance) in ``area``."""
    best = 0
    for y in range(area.top(), area.bottom() + 1):
        run = 0
        for x in range(area.left(), area.right() + 1):
            c = image.pixelColor(x, y)
            near = (abs(c.red() - colour.red()) + abs(c.green() - colour.green())
                    + abs(c.blue() - colour.blue())) <= 90
            run = run + 1 if near else 0
            best = max(best, run)
    return best


def test_a_deleted_code_is_struck_out(window: MainWindow) -> None:
    _search(window, "97127")  # deleted 2020-01-01
    assert window.results_model.hit(0).status == "deleted"  # type: ignore[union-attr]
    view = window.results_view
    image = _image(window)
    group = (QPalette.ColorGroup.Active if view.isActiveWindow()
             else QPalette.ColorGroup.Inactive)
    pen = view.palette().color(group, QPalette.ColorRole.HighlightedText)
    code_width = view.fontMetrics().horizontalAdvance("97127")
    # a line through the whole code (glyphs alone never make a run that long)
    assert _longest_run(image, _cell(window, 0, 0), pen) >= code_width * 0.8
    _search(window, "97110")  # in force: no line
    assert _longest_run(_image(window), _cell(window, 0, 0), pen) < code_width * 0.5


def test_a_larger_font_cuts_the_title_again(window: MainWindow) -> None:
    window.resize(700, window.height())
    _search(window, "S72.001A")
    view = window.results_view
    row = next(r for r in range(window.results_model.rowCount())
               if window.results_model.hit(r).billable)  # type: ignore[union-attr]
    before = view.painted_text(row, 1)
    font = view.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    view.setFont(font)  # a larger font: fewer words fit the same column
    after = view.painted_text(row, 1)
    assert after.endswith("…") and len(after) < len(before)
    assert view.fontMetrics().horizontalAdvance(after) <= view.columnWidth(1)
