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
    """The profile's MAC: "MAC 13202 (locality)" (derived), or one of the imported MACs;
    a commercial profile also has "No LCD check" (its default: the articles are Medicare's).
    Item data: "off", "" (the locality's) or the MAC number."""

    OFF = "off"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Medicare contractor (MAC) for coverage articles")
        self.view().setAccessibleName("Medicare contractors")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(8)
        #: (number, name) of the MACs of the imported articles (the composition sets it)
        self.macs: Callable[[], list[tuple[str, str]]] = list

    def show_choice(self, chosen: str | None, locality: str | None, *, medicare: bool,
                    applies: bool) -> None:
        derived = mac_from_locality(locality)
        macs = self.macs()
        with QSignalBlocker(self):
            self.clear()
            if not medicare:
                self.addItem("No LCD check", self.OFF)
            self.addItem(f"MAC {derived} (locality)" if derived else "MAC…", "")
            for number, name in macs:
                self.addItem(f"{number} {name}", number)
                self.setItemData(self.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
            wanted = self.OFF if not (medicare or applies) else (chosen or "")
            self.setCurrentIndex(max(self.findData(wanted), 0))
        self.setEnabled(bool(macs))
        self.setToolTip(
            "Medicare contractor whose coverage articles check the diagnoses: "
            + ("import the MCD articles download first (File → Import)" if not macs
               else "from the Medicare locality, or choose one" if medicare
               else "a commercial payer is checked only if you choose a MAC here")
        )

    def choice(self) -> tuple[str | None, bool]:
        """(the MAC chosen by name or None for the locality's, whether articles apply)."""
        value = self.currentData()
        text = value if isinstance(value, str) else ""
        return (text if text not in ("", self.OFF) else None), text != self.OFF


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
