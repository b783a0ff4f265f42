"""Accessible names and descriptions of the window's controls, in one place.

Screen readers (UI Automation on Windows, AT-SPI on Linux) read a control's name and then
its description; Qt takes the description from ``accessibleDescription`` or else the
tooltip. The controls whose tooltip is missing or changes with the content (an offer, a
tie) get a fixed description here; ``unnamed_controls`` is what the tests walk.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialogButtonBox,
    QTabBar,
    QTabWidget,
    QWidget,
)

#: attribute path from the main window: (name when it has none, description)
DESCRIPTIONS: Final[dict[str, tuple[str, str]]] = {
    "search_edit": ("Search codes", "Type a code, words or shorthand; the results follow as "
                    "you type. Enter adds the selected code to the visit; CODE=MIN adds it "
                    "with its minutes"),
    "system_combo": ("Code set filter", "Which codes are searched: all, PT procedures, "
                     "modifiers, diagnoses, your favorites or recent codes"),
    "category_combo": ("Category filter", "Only the codes of one category"),
    "results_view": ("Search results", "Codes matching the search, best first; Enter adds "
                     "the selected code to the visit, Ctrl+C copies it"),
    "detail_view": ("Code details", "The selected code: what it is, its units, payer notes "
                    "and the sources of each fact"),
    "copy_title_button": ("Copy the selected code with its title",
                          "Copy the code and its title as plain text (Ctrl+Alt+C)"),
    "visit_scroll": ("Visit builder", "The visit builder; it scrolls when the window is too "
                     "small to show all of it"),
    "visit_panel.date_edit": ("Date of service", "The date of service: the codes, NCCI "
                              "edits and ICD-10-CM release in force that day apply; Up and "
                              "Down change the part under the cursor"),
    "visit_panel.offer_combo": ("Offered codes or modifiers", "A replacement or fix for what "
                                "was refused or warned about; Alt+U uses the chosen one"),
    "visit_panel.lines_view": ("Visit lines", "The visit's lines: code, minutes, units, "
                               "provider, modifiers, diagnosis pointers and service; a number "
                               "typed is the line's minutes, F2 edits a cell, Delete removes"),
    "visit_panel.tie_combo": ("Line that gets the tied unit", "Equal left-over minutes: "
                              "choose the line that gets the unit the rule leaves tied"),
    "visit_panel.estimate": ("Estimated Medicare payment", "Medicare's allowed amounts of the "
                             "billed lines for the chosen locality"),
    "visit_panel.warnings_view": ("Warnings", "The visit's warnings, errors first; Enter "
                                  "explains the selected warning's rule"),
    "visit_panel.format_combo": ("Copy format", "How the visit is copied: text, TSV for a "
                                 "spreadsheet, codes only, or JSON"),
    "visit_panel.preview": ("Preview of what will be copied", "Exactly what Copy visit puts "
                            "on the clipboard; what is left out is named above it"),
    "visit_panel.template_combo": ("Visit template", "Saved visit templates; Load puts the "
                                   "template's lines on the visit"),
    "visit_panel.template_menu_button": ("More template actions",
                                         "Rename or delete the chosen template"),
}
#: the main dialogs' controls, by dialog class and attribute: (name, description)
DIALOG_DESCRIPTIONS: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "ProfileDialog": {
        "name_edit": ("Profile name", "The payer's name as the Payer list will show it"),
        "rule_combo": ("Timed-unit rule", "How timed minutes become units: the CMS 8-minute "
                       "rule or the midpoint rule most commercial payers use"),
        "medicare_check": ("Medicare profile", "Medicare or a Medicare plan: the 8-minute "
                           "rule and Medicare's own checks apply"),
    },
    "ShortcutsDialog": {
        "browser": ("Keyboard shortcuts", "Every menu action with its keys, then the keys "
                    "that work inside fields and tables"),
    },
    "BillingRulesDialog": {
        "find_edit": ("Find in the billing rules", "Type a rule, a code or a word; Enter "
                      "finds the next place"),
        "browser": ("Billing rules reference", "Every billing rule: what it checks, why it "
                    "is denied, an example, the fix and its source"),
    },
    "LicencesDialog": {
        "tabs": ("Licences", "Two pages: the data and its trademarks, and the third-party "
                 "software with its licences"),
        "data_view": ("Data and trademarks", "Where the code data comes from and who owns it"),
        "notices_view": ("Third-party software", "The licences of the software shipped "
                         "with PT Codes"),
    },
    "DataSourcesDialog": {
        "table": ("Data sources", "Each source of the catalog's data with its version and "
                  "date; an imported one can be removed"),
        "notes": ("Notes on the data", "What is out of date, and how to update it"),
    },
}
#: standard dialog buttons: what pressing them does
_BUTTON_DESCRIPTIONS: Final = {
    QDialogButtonBox.ButtonRole.AcceptRole: "Save or confirm, and close the dialog",
    QDialogButtonBox.ButtonRole.RejectRole: "Close the dialog without changing anything",
    QDialogButtonBox.ButtonRole.DestructiveRole: "Discard, and close the dialog",
    QDialogButtonBox.ButtonRole.HelpRole: "Help about this dialog",
    QDialogButtonBox.ButtonRole.ApplyRole: "Apply the changes",
}


def _find(root: object, path: str) -> QWidget | None:
    obj: object = root
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj if isinstance(obj, QWidget) else None


def describe_window(window: QWidget) -> None:
    """Give the main window's controls their names and descriptions."""
    _apply(window, DESCRIPTIONS)
    for combo in window.findChildren(QComboBox):
        view = combo.view()
        if not view.accessibleName():
            view.setAccessibleName(f"{combo.accessibleName() or 'Choices'} list")


def _apply(root: QWidget, table: dict[str, tuple[str, str]]) -> None:
    for path, (name, description) in table.items():
        widget = _find(root, path)
        if widget is None:
            continue
        if not widget.accessibleName():
            widget.setAccessibleName(name)
        widget.setAccessibleDescription(description)
    for inner in root.findChildren(QWidget, "qt_spinbox_lineedit"):
        outer = inner.parentWidget()
        if outer is not None:  # the text field inside a date or number box: as its box
            inner.setAccessibleName(inner.accessibleName() or outer.accessibleName())
            inner.setAccessibleDescription(outer.accessibleDescription() or outer.toolTip())


def describe_dialog(dialog: QWidget) -> None:
    """Names and descriptions of one of the main dialogs (see DIALOG_DESCRIPTIONS)."""
    _apply(dialog, DIALOG_DESCRIPTIONS.get(type(dialog).__name__, {}))
    for tabs in dialog.findChildren(QTabWidget):
        bar = tabs.tabBar()
        bar.setAccessibleName(f"{tabs.accessibleName() or 'Pages'}: pages")
        bar.setAccessibleDescription("Left and Right, or Ctrl+Tab, move between the pages")
    for box in dialog.findChildren(QDialogButtonBox):
        describe_buttons(box)


def describe_buttons(box: QDialogButtonBox) -> None:
    """Names and descriptions of a dialog's standard buttons."""
    for button in box.buttons():
        if not button.accessibleName():
            button.setAccessibleName(button.text().replace("&", ""))
        if not button.accessibleDescription() and not button.toolTip():
            role = box.buttonRole(button)
            button.setAccessibleDescription(_BUTTON_DESCRIPTIONS.get(
                role, f"{button.text().replace('&', '')}, and close the dialog"))


def _is_popup_list(widget: QWidget) -> bool:
    """A combo box's drop-down list: part of its combo (which carries the description)."""
    parent = widget.parentWidget()
    combo = parent.parentWidget() if parent is not None else None
    return isinstance(combo, QComboBox) and combo.view() is widget


def unnamed_controls(root: QWidget) -> list[str]:
    """Focusable controls under ``root`` without an accessible name or description (a
    combo box's drop-down list needs a name only)."""
    missing: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if isinstance(widget.parentWidget(), QTabBar):
            continue  # the tab bar's own scroll arrows, never in the Tab chain
        face = QAccessible.queryAccessibleInterface(widget)
        named = face.text(QAccessible.Text.Name) if face is not None else ""
        name = widget.accessibleName() or named
        if isinstance(widget, QAbstractButton):
            name = name or widget.text().replace("&", "")
        described = widget.accessibleDescription() or widget.toolTip()
        if not name or (not described and not _is_popup_list(widget)):
            label = widget.objectName() or name or type(widget).__name__
            missing.append(f"{type(widget).__name__} {label!r}: "
                           + ("no name" if not name else "no description"))
    return missing
