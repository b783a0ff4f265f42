"""The offer bar: replacements of a refused code, or the fix a warning names."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QComboBox, QFrame, QGridLayout, QLabel, QPushButton, QToolButton

from ptcodes_gui.ui.visit.offers import Offer
from ptcodes_gui.ui.visit.style import error_style, warning_style


class OfferBar(QFrame):
    """Signals: ``used(int)`` the index of the choice to apply; ``dismissed()``."""

    used = Signal(int)
    dismissed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._offer: Offer | None = None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Offered fix")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.combo = QComboBox()
        self.combo.setAccessibleName("Offered codes or modifiers")
        self.combo.view().setAccessibleName("Offered choices")
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(12)
        self.use_button = QPushButton("&Use")
        self.use_button.setAccessibleName("Use the offered choice")
        self.use_button.setToolTip("Apply the choice (Alt+U)")
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("✕")
        self.dismiss_button.setAccessibleName("Dismiss the offer")
        self.dismiss_button.setToolTip("Dismiss (Esc in the entry field)")
        # A warning's fix takes one row ("Fix: [Add 59 to 97530] Use"; its sentence is in the
        # warnings list and the tooltip); a refusal adds its sentence above.
        self.fix_label = QLabel("Fix:")
        self.fix_label.setBuddy(self.combo)
        layout = QGridLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setVerticalSpacing(2)
        layout.addWidget(self.label, 0, 0, 1, 4)
        layout.addWidget(self.fix_label, 1, 0)
        layout.addWidget(self.combo, 1, 1)
        layout.addWidget(self.use_button, 1, 2)
        layout.addWidget(self.dismiss_button, 1, 3)
        layout.setColumnStretch(1, 1)
        self.hide()
        self.use_button.clicked.connect(self._on_use_clicked)
        self.dismiss_button.clicked.connect(self.dismissed)

    def offer(self) -> Offer | None:
        return self._offer

    def choices(self) -> list[str]:
        """Labels of what is offered (empty when the bar is hidden)."""
        return [c.label for c in self._offer.choices] if self._offer is not None else []

    def show_offer(self, offer: Offer | None) -> None:
        self._offer = offer
        if offer is None:
            self.hide()
            return
        self.label.setText(offer.text)
        self.label.setStyleSheet(error_style() if offer.sticky else warning_style())
        self.label.setVisible(offer.sticky)
        self.fix_label.setVisible(not offer.sticky)
        self.fix_label.setStyleSheet(warning_style())
        self.fix_label.setToolTip(offer.text)
        self.combo.setToolTip(offer.text)
        self.combo.setAccessibleDescription(offer.text)
        with QSignalBlocker(self.combo):
            self.combo.clear()
            for choice in offer.choices:
                self.combo.addItem(choice.label)
        has_choices = bool(offer.choices)
        self.combo.setVisible(has_choices)
        self.use_button.setVisible(has_choices)
        self.dismiss_button.setVisible(offer.sticky)
        self.show()

    def _on_use_clicked(self) -> None:
        self.used.emit(self.combo.currentIndex())
