"""Help → Billing rules: the reference of every billing rule, generated from the registry.

``show_billing_rules(parent, rule_id)`` opens (or raises) the window's one reference dialog
and scrolls it to that rule, so a warning's "Why?" link lands on its explanation. The text
is built from ``domain.rules`` (the same registry docs/RULES.md is generated from).
"""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ptcodes_gui.domain.rules.docs import (
    CONFIDENCE_MEANING,
    FAMILY_TITLES,
    SEVERITY_MEANING,
    applies_to,
    citations,
    rules_by_family,
)
from ptcodes_gui.domain.rules.registry import HEADINGS, RULES, Rule
from ptcodes_gui.ui.accessibility import describe_dialog

_STYLE = (
    "h2 { margin-top: 18px; } h3 { margin-bottom: 2px; } "
    "p.meta { margin-top: 0; } td { padding-right: 8px; }"
)


def _rule_html(rule: Rule) -> str:
    parts = [
        f'<h3><a name="{escape(rule.id)}"></a><code>{escape(rule.id)}</code></h3>',
        f"<p>{escape(rule.summary)}</p>",
        f'<p class="meta"><i>Severity:</i> {escape(rule.severity)} · <i>Applies to:</i> '
        f"{escape(applies_to(rule))} · <i>Confidence:</i> {escape(rule.confidence)}</p>",
    ]
    for heading in HEADINGS:
        text = " ".join(rule.sections[heading].split())
        parts.append(f"<p><b>{escape(heading)}.</b> {escape(text)}</p>")
    items = "".join(
        f"<li><b>{escape(label)}</b>: {escape(citation)}</li>"
        for _sid, label, citation in citations(rule)
    )
    parts.append(f"<ul>{items}</ul>")
    return "".join(parts)


def rules_html() -> str:
    """The whole reference as the HTML the dialog shows."""
    legend = "".join(
        f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in SEVERITY_MEANING.items()
    )
    body = [
        "<h1>Billing rules</h1>",
        f"<p>{len(RULES)} rules check every visit. Each warning names its rule; the details "
        "below say why a payer denies it, how to fix it and the public document it rests "
        "on.</p>",
        f"<ul>{legend}</ul>",
        f"<p>Confidence: {escape(CONFIDENCE_MEANING)}.</p>",
    ]
    for family, members in rules_by_family():
        body.append(f"<h2>{escape(FAMILY_TITLES.get(family, family))}</h2>")
        body.extend(_rule_html(member) for member in members)
    return f"<html><head><style>{_STYLE}</style></head><body>{''.join(body)}</body></html>"


class BillingRulesDialog(QDialog):
    """A non-modal reference window: a find field (``find_edit``), the reference
    (``browser``) and Close."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("billingRulesDialog")
        self.setWindowTitle("Billing rules")
        self.setAccessibleName("Billing rules")
        self.browser = QTextBrowser()
        self.browser.setObjectName("billingRulesText")
        self.browser.setAccessibleName("Billing rules reference")
        self.browser.setOpenLinks(False)  # the app opens no network link
        self.browser.setHtml(rules_html())
        self.find_edit = QLineEdit()
        self.find_edit.setObjectName("billingRulesFind")
        self.find_edit.setAccessibleName("Find in the billing rules")
        self.find_edit.setPlaceholderText("Find a rule, a code or a word (e.g. 97140, telehealth)")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.textChanged.connect(self._on_find_text_changed)
        self.find_edit.returnPressed.connect(self._on_find_return_pressed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.find_edit)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(720, 560)
        self.shown_rule: str | None = None
        describe_dialog(self)

    def show_rule(self, rule_id: str | None) -> None:
        """Scroll to ``rule_id`` (the top for None or an id that is not a rule)."""
        if rule_id is not None and rule_id in RULES:
            self.shown_rule = rule_id
            self.browser.scrollToAnchor(rule_id)
        else:
            self.shown_rule = None
            self.browser.verticalScrollBar().setValue(0)


    def find_text(self, text: str, *, again: bool = False) -> bool:
        """Select the next match of ``text`` (from the top unless ``again``); False: none."""
        if not again:
            self.browser.moveCursor(QTextCursor.MoveOperation.Start)
        if not text.strip():
            return False
        if self.browser.find(text):
            return True
        if again:  # wrap around once
            self.browser.moveCursor(QTextCursor.MoveOperation.Start)
            return self.browser.find(text)
        return False

    def _on_find_text_changed(self, text: str) -> None:
        self.find_text(text)

    def _on_find_return_pressed(self) -> None:
        self.find_text(self.find_edit.text(), again=True)


def show_billing_rules(parent: QWidget | None, rule_id: str | None = None) -> BillingRulesDialog:
    """Open the billing-rules reference (one per parent window) scrolled to ``rule_id``."""
    dialog = parent.findChild(BillingRulesDialog) if parent is not None else None
    if dialog is None:
        dialog = BillingRulesDialog(parent)
    if dialog.isVisible():
        dialog.activateWindow()  # already open: bring it forward instead of a second one
    else:
        dialog.show()
    dialog.show_rule(rule_id)
    return dialog
