"""A text browser whose copied selection goes through the one text cleaner.

The detail pane shows text from imports and clinic notes; what a user selects and copies
from it must not carry bidi controls, tag characters or other invisible characters into
an EHR field. The copy is plain text only, as the app's other copies are.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QTextBrowser

from ptcodes_gui.domain.text import clean_text


class CleanCopyTextBrowser(QTextBrowser):
    """``QTextBrowser`` with ``createMimeDataFromSelection`` cleaned (Ctrl+C, drag)."""

    def createMimeDataFromSelection(self) -> QMimeData:  # noqa: N802 (Qt override)
        # U+2029 is how Qt separates paragraphs in a selection; the cleaner makes it \n
        text = self.textCursor().selection().toPlainText()
        mime = QMimeData()
        mime.setText(clean_text(text, multiline=True))
        return mime
