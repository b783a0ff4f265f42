"""The detail pane under the results: the code's rich text, its buttons, its link tooltips.

The main window owns what a click does (show a code, copy, star, add to the visit); this
widget only shows a code, or the "no match" page, and keeps its buttons in step.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QCursor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QToolTip, QVBoxLayout, QWidget

from ptcodes_gui.ui.clean_copy import CleanCopyTextBrowser
from ptcodes_gui.ui.detail_html import link, muted_color, render_code, source_tooltip

if TYPE_CHECKING:
    from ptcodes_gui.domain.articles import ArticleView
    from ptcodes_gui.domain.models import Code, Hit, Mue


class DetailPane(QWidget):
    """``view`` (the code's page) above a row of ``copy``, ``copy with title``, star, add."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = CleanCopyTextBrowser()  # copies go through the text cleaner
        self.view.setObjectName("detailView")
        self.view.setAccessibleName("Code details")
        self.view.setOpenLinks(False)
        self.view.setOpenExternalLinks(False)
        self.view.highlighted.connect(self._on_link_hovered)

        self.copy_button = QPushButton("Copy code")
        self.copy_button.setAccessibleName("Copy the selected code")
        self.copy_button.setToolTip("Copy the code as plain text (Ctrl+C)")
        self.copy_title_button = QPushButton("Copy with title")
        self.copy_title_button.setAccessibleName("Copy the selected code with its title")
        self.favorite_button = QPushButton("☆ Favorite")
        self.favorite_button.setCheckable(True)
        self.favorite_button.setAccessibleName("Favorite")
        self.favorite_button.setToolTip("Star this code (Ctrl+D)")
        self.add_button = QPushButton("Add to visit")
        self.add_button.setAccessibleName("Add the selected code to the visit")
        self.add_button.setToolTip("Add to the visit (Enter)")
        buttons = QHBoxLayout()
        for b in self.buttons():
            buttons.addWidget(b)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addLayout(buttons)

    def buttons(self) -> tuple[QPushButton, ...]:
        return (self.copy_button, self.copy_title_button, self.favorite_button, self.add_button)

    def show_code(
        self,
        code: Code,
        *,
        favorite: bool,
        descriptor: tuple[str, str] | None,
        mue: Mue | None,
        articles: ArticleView | None = None,
    ) -> None:
        pal = self.view.palette()
        muted = muted_color(
            pal.color(QPalette.ColorRole.Text).name(), pal.color(QPalette.ColorRole.Base).name()
        )
        self.view.setHtml(
            render_code(code, favorite=favorite, descriptor=descriptor, muted=muted, mue=mue,
                        articles=articles)
        )

    def show_no_match(self, text: str, near: list[Hit], *, explain: bool) -> None:
        """The empty-results page: what did not match and the nearest valid codes, if any."""
        hint = (
            "<p>Nearest valid codes: "
            + ", ".join(link(h.code, f"{h.code} {h.title}") for h in near[:8])
            + "</p>"
            if near
            else ""
        )
        self.view.setHtml(
            f"<p>No codes match <b>{escape(text.strip()[:80])}</b>. Try fewer letters, a "
            f"code number, or another filter.</p>{hint}"
            if explain
            else ""
        )

    def set_buttons(self, *, has_code: bool, favorite: bool) -> None:
        for b in self.buttons():
            b.setEnabled(has_code)
        self.favorite_button.setChecked(favorite)
        self.favorite_button.setText("★ Favorite" if favorite else "☆ Favorite")

    def _on_link_hovered(self, url: QUrl) -> None:
        """A source label's full citation (QTextBrowser has no link tooltips of its own)."""
        tip = source_tooltip(url.toString())
        if tip:
            QToolTip.showText(QCursor.pos(), tip, self.view)
        else:
            QToolTip.hideText()
