"""Two small parts of the payer bar: the profile's MAC (whose coverage articles apply) and
the patient's year-to-date PT+SLP amount for the KX threshold (typed, never saved)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from ptcodes_gui.domain.articles import mac_from_locality
from ptcodes_gui.domain.thresholds import parse_ytd


class MacCombo(QComboBox):
    """"MAC: from locality" or one of the imported MACs; stored per profile by the bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Medicare contractor (MAC) for coverage articles")
        self.view().setAccessibleName("Medicare contractors")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(8)
        #: (number, name) of the MACs of the imported articles (the composition sets it)
        self.macs: Callable[[], list[tuple[str, str]]] = list

    def show_choice(self, chosen: str | None, locality: str | None, uses: bool) -> None:
        derived = mac_from_locality(locality)
        with QSignalBlocker(self):
            self.clear()
            self.addItem(f"MAC {derived} (locality)" if derived else "MAC…", None)
            for number, name in self.macs():
                self.addItem(f"{number} {name}", number)
                self.setItemData(self.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
            at = self.findData(chosen) if chosen else 0
            self.setCurrentIndex(max(at, 0))
        known = self.count() > 1
        self.setEnabled(known and uses)
        self.setToolTip(
            "Medicare contractor whose coverage articles check the diagnoses: "
            + ("import the MCD articles download first (File → Import)" if not known
               else "from the Medicare locality, or choose one" if uses
               else "this profile does not apply the articles")
        )

    def chosen(self) -> str | None:
        value = self.currentData()
        return value if isinstance(value, str) else None


class YtdField(QLineEdit):
    """Signals: ``amount_changed(object)`` a Decimal, or None when emptied; ``invalid(str)``
    the sentence saying why the text is not an amount. Never saved anywhere."""

    amount_changed = Signal(object)
    invalid = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("YTD $")
        self.setAccessibleName("Patient's PT and SLP allowed amount this year")
        self.setToolTip("The patient's PT+SLP allowed amount so far this year (from the MAC's "
                        "portal): says when this visit crosses the KX threshold ($2,480 in "
                        "2026) and $3,000. Typed for this visit only, never saved.")
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 11)
        self.setClearButtonEnabled(True)
        self.editingFinished.connect(self._on_editing_finished)
        self.textChanged.connect(self._on_text_changed)

    def show_amount(self, amount: Decimal | None) -> None:
        try:
            if parse_ytd(self.text()) == amount:
                return  # what is typed (its own formatting kept)
        except ValueError:
            pass
        with QSignalBlocker(self):
            self.setText("" if amount is None else f"{amount:,.2f}")

    def _on_text_changed(self, text: str) -> None:
        if not text:
            self.amount_changed.emit(None)  # the clear button

    def _on_editing_finished(self) -> None:
        try:
            self.amount_changed.emit(parse_ytd(self.text()))
        except ValueError as exc:
            self.invalid.emit(str(exc))
