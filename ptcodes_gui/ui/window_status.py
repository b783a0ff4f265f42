"""The main window's status bar parts: result count, search note, data notice, catalog version.

Transient messages (``showMessage``) use the space left of the permanent parts, so the
version label stays short and carries its whole line as a tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizeGrip, QStatusBar, QWidget

from ptcodes_gui.catalog.repository import CatalogInfo


class StatusParts:
    """Adds its labels to ``bar``: count and search note on the left, notice and version right."""

    def __init__(self, bar: QStatusBar, info: CatalogInfo) -> None:
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Result count")
        # as wide as its widest text: a new count does not lay the status bar out again
        self.count_label.setMinimumWidth(
            self.count_label.fontMetrics().horizontalAdvance("200+ results") + 4)
        self.version_label = QLabel()
        self.version_label.setAccessibleName("Catalog version")
        bar.addWidget(self.count_label)
        self.search_note_label = QLabel()
        self.search_note_label.setAccessibleName("What the search relaxed")
        bar.addWidget(self.search_note_label, 1)
        # a superseded ICD-10-CM release and how to update (set_notice)
        self.notice_label = QLabel()
        self.notice_label.setAccessibleName("Data notice")
        self.notice_label.setVisible(False)
        bar.addPermanentWidget(self.notice_label)
        bar.addPermanentWidget(self.version_label)
        # short, so a status message never runs under it; the whole line is the tooltip
        self.version_label.setText(f"Catalog {info.catalog_version}")
        self.version_label.setToolTip(
            f"Catalog {info.catalog_version} · content {info.content_date} · NCCI as of "
            f"{info.ncci_as_of} · {info.icd_release or 'no ICD-10-CM'}"
        )
        self.version_label.setAccessibleDescription(self.version_label.toolTip())
        # A message takes the whole bar while it shows: the permanent parts (notice, clinic,
        # version) never cut it ("…3 ro", "Published release 1 to /"); they come back after.
        self._bar = bar
        self._message = ""
        self._hidden: list[QWidget] = []
        bar.messageChanged.connect(self._on_message_changed)

    def _on_message_changed(self, text: str) -> None:
        self._message = text
        if text:
            for part in self._bar.findChildren(
                    QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
                if part.isVisible() and part not in (self.count_label, self.search_note_label) \
                        and not isinstance(part, QSizeGrip):
                    part.hide()
                    self._hidden.append(part)
            return
        for part in self._hidden:
            part.show()
        self._hidden = []
        self.notice_label.setVisible(bool(self.notice_label.text()))

    def set_count(self, n: int, *, limit: int, note: str) -> None:
        """``n`` results (``+`` when the limit cut them) and what the search relaxed, if any."""
        more = "+" if n >= limit else ""
        self.count_label.setText(f"{n}{more} result{'s' if n != 1 else ''}")
        self.search_note_label.setText(note)

    def set_notice(self, text: str) -> None:
        """Show (or, with "", hide) the data notice: its first sentence, the rest as tooltip."""
        first = text.split(". To update", 1)[0]
        self.notice_label.setText(f"⚠ {first}" if text else "")
        self.notice_label.setToolTip(text)
        self.notice_label.setVisible(bool(text) and not self._message)
