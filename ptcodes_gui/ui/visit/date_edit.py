"""The date of service field: ``2027-01-04`` typed as written, dashes and all."""

from __future__ import annotations

from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDateEdit

_SEPARATORS = frozenset("-/.")


class DateEdit(QDateEdit):
    """A date edit where a separator typed right after a full part does not skip the next
    part: Qt moves on to the month by itself after four year digits, and the ``-`` that
    follows moved on again, so ``2027-01-04`` put ``01`` in the day."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[call-overload]
        self._moved_on = False  # the last digit completed a part and the cursor moved on

    def keyPressEvent(self, event: QKeyEvent) -> None:
        typed = event.text()
        if typed in _SEPARATORS and typed and self._moved_on:
            self._moved_on = False
            event.accept()
            return
        before = self.currentSectionIndex()
        super().keyPressEvent(event)
        self._moved_on = typed.isdigit() and self.currentSectionIndex() != before
