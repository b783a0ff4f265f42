"""The visit's estimated Medicare amount: each line and the total (MPPR, CQ/CO at 85%).

Shown only when a fee schedule is imported and the payer profile has a locality; otherwise
hidden (never an invented amount). Clearly labelled an estimate, with the release it came from.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from ptcodes_gui.domain.fees import VisitEstimate, short_release


def _money(value: object) -> str:
    return "no amount" if value is None else f"${value:,.2f}"


class EstimateBar(QLabel):
    """One line per visit line and a total, under the lines table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Estimated Medicare payment")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.estimate: VisitEstimate | None = None
        self.setVisible(False)

    def show_estimate(self, estimate: VisitEstimate | None) -> None:
        self.estimate = estimate
        if estimate is None or not estimate.lines:
            self.setText("")
            self.setVisible(False)
            return
        parts = [f"{escape(line.code)} ×{line.units} {_money(line.amount)}"
                 for line in estimate.lines]
        # Two short lines: at 600 px the lines table above keeps its rows; how each line
        # was reduced (MPPR, CQ/CO) is in the tooltip.
        self.setText(
            f"<b>Estimated Medicare (non-facility): {_money(estimate.total)}</b> · "
            + " · ".join(parts)
            + f"<br><small>{escape(short_release(estimate.release))}, locality "
            f"{escape(estimate.locality.choice)}: an estimate</small>"
        )
        how = [f"{line.code}: {line.note}" for line in estimate.lines if line.note]
        self.setToolTip("\n".join([estimate.label, *how, *estimate.notes]))
        self.setVisible(True)
