"""The results table: fixed row heights, chips for type and status, no per-row measuring."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ptcodes_gui.ui.chips import ChipDelegate
from ptcodes_gui.ui.results_model import STATUS_COLUMN, TYPE_COLUMN, ResultsModel


def make_results_view(model: ResultsModel) -> QTableView:
    view = QTableView()
    view.setObjectName("resultsView")
    view.setAccessibleName("Search results")
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    # no alternating row colours: they cost ~2 ms of painting per keystroke here;
    # the grid separates rows
    view.setAlternatingRowColors(False)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)
    # the scroll bar stays: 3 results then 200 would show and hide it, resizing the
    # viewport and repainting the whole window on that keystroke
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
    fm = view.fontMetrics()
    vh = view.verticalHeader()
    vh.setVisible(False)
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vh.setDefaultSectionSize(fm.height() + 8)
    hh = view.horizontalHeader()
    hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
    hh.resizeSection(0, fm.horizontalAdvance("S83.511A") + fm.height() + 24)  # and a ★
    hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    # no ResizeToContents: it measures every row on each keystroke's model reset.
    # timed/untimed and the status are chips (ui/chips.py): narrow fixed columns; the
    # full status ("deleted → 97129, 97130") is in the row's tooltip and the detail pane
    chips = ChipDelegate(view)
    model.chip_pixmap = chips.pixmap_for
    for col, widest in ((TYPE_COLUMN, "modifier"), (STATUS_COLUMN, "deleted")):
        view.setItemDelegateForColumn(col, chips)
        hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
        hh.resizeSection(col, fm.horizontalAdvance(widest) + fm.height() + 8)
    hh.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
    hh.resizeSection(4, fm.horizontalAdvance("Therapeutic procedu") + 12)
    return view
