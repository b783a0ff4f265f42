"""The results table answers a painted cell's roles in one multiData call (issue 24's
repaint budget): every role is that cell's own, never the last cell's."""

from __future__ import annotations

from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from ptcodes_gui.ui.main_window import MainWindow
from ptcodes_gui.ui.results_model import STATUS_COLUMN, TYPE_COLUMN


class _Probe(QStyledItemDelegate):
    def option(self, index: object) -> QStyleOptionViewItem:
        opt = QStyleOptionViewItem()
        self.initStyleOption(opt, index)  # what paint() sees: filled through multiData
        return opt


def test_each_cell_gets_its_own_roles(window: MainWindow) -> None:
    window.store.toggle_favorite("97110")
    window.results_model.set_favorites(frozenset(window.store.favorites()))
    window.search_edit.setText("9711")
    window.run_search()
    model = window.results_model
    codes = [model.hit(r).code for r in range(model.rowCount())]  # type: ignore[union-attr]
    assert codes[:4] == ["97110", "97112", "97113", "97116"]
    probe = _Probe(window.results_view)
    star = probe.option(model.index(0, 0))
    assert star.text == "97110" and not star.icon.isNull() and star.font.bold()
    plain = probe.option(model.index(2, 0))  # right after a starred cell
    assert plain.text == "97113" and plain.icon.isNull()
    chip = probe.option(model.index(0, STATUS_COLUMN))
    assert chip.text == "" and not chip.icon.isNull()  # the chip shows "common"
    empty = probe.option(model.index(2, STATUS_COLUMN))  # 97113 is not "common"
    assert empty.text == "" and empty.icon.isNull()
    title = probe.option(model.index(2, 1))
    assert title.text == "Aquatic therapy with exercise" and title.icon.isNull()
    # screen readers and tooltips still read the words
    assert model.data(model.index(0, TYPE_COLUMN)) == "timed"
    assert model.data(model.index(0, STATUS_COLUMN)) == "common"


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
