"""The tie bar under the lines: which line gets a unit the rule leaves to the clinician."""

from __future__ import annotations

import itertools
from typing import Final

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QWidget

from ptcodes_gui.domain.visit import Visit, VisitTie
from ptcodes_gui.ui.visit.editor import plural
from ptcodes_gui.ui.visit.style import warning_style

_NOW: Final = " (for now)"


class TieBar(QFrame):
    """Signals: ``tie_chosen(list)`` the line indices that get the tied unit(s)."""

    tie_chosen = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setAccessibleName("Tie")
        self.combo = QComboBox()
        self.combo.setAccessibleName("Line that gets the tied unit")
        self.combo.view().setAccessibleName("Tied lines")
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(8)
        self.label.setBuddy(self.combo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.combo, 1)
        self.hide()
        self.combo.activated.connect(self._on_activated)

    def show_tie(self, visit: Visit, tie: VisitTie | None) -> None:
        if tie is None:
            self.hide()
            self.combo.clear()
            return
        codes = [visit.lines[i].code for i in tie.line_indices]
        names = " and ".join([", ".join(codes[:-1]), codes[-1]]) if len(codes) > 1 else codes[0]
        unit = plural(tie.units, "unit")
        to = "units to" if tie.units > 1 else "unit to"
        if tie.resolved:
            self.label.setText(f"&Tie settled, {to}")
            self.label.setStyleSheet("")
            tip = (
                f"{names} each had {tie.remaining_minutes} minutes left over for {unit}; "
                "you chose the line that gets it."
            )
        else:
            self.label.setText(f"&Tie ({tie.remaining_minutes} min left each): {to}")
            self.label.setStyleSheet(warning_style())
            tip = (
                f"{names} each have {tie.remaining_minutes} minutes left over for {unit}: "
                "CMS leaves the choice to you. Pick the line that gets it."
            )
        self.label.setToolTip(tip)
        self.combo.setToolTip(tip)
        with QSignalBlocker(self.combo):
            self.combo.clear()
            current = 0
            for n, combo in enumerate(itertools.combinations(tie.line_indices, tie.units)):
                label = " + ".join(visit.lines[i].code for i in combo)
                if combo == tie.default_line_indices:
                    current = n
                    if not tie.resolved:
                        label += _NOW
                self.combo.addItem(label, list(combo))
            self.combo.setCurrentIndex(current)
        self.show()

    def _on_activated(self, index: int) -> None:
        chosen = self.combo.itemData(index)
        if isinstance(chosen, list):
            self.tie_chosen.emit([int(i) for i in chosen])
