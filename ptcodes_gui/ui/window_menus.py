"""The window's menus: every action once, with its shortcut, and the keyboard sheet.

File, Edit, Go, Visit and Help list every action the window has; Help → Keyboard shortcuts
is generated from those menus (so it cannot go stale) plus the keys that work inside a
field or a table and so belong to no menu.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from typing import Final, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMenu,
    QMenuBar,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ptcodes_gui import APP_NAME, __version__
from ptcodes_gui.catalog import CatalogInfo
from ptcodes_gui.ui.accessibility import describe_dialog
from ptcodes_gui.ui.rules_dialog import show_billing_rules

#: Keys that work in one place only (a field, a table), so no menu lists them.
FIELD_KEYS: Final[tuple[tuple[str, str, str], ...]] = (
    ("Search", "Type", "search as you type; CODE=MIN (97140=15) adds with minutes"),
    ("Search", "Enter", "add the selected code to the visit (then type its minutes)"),
    ("Search", "Down / Up, PgDown / PgUp", "move in the results"),
    ("Search", "Esc", "clear the search"),
    ("Results", "Enter / double-click", "add the code to the visit"),
    ("Visit lines", "a number", "the line's minutes"),
    ("Visit lines", "Enter or F2", "edit the cell (Minutes on the code)"),
    ("Visit lines", "Tab", "commit and go to the next cell"),
    ("Visit lines", "Esc", "take the edit back"),
    ("Add field", "Alt+D", "go to the field: CODE, CODE=MIN or a diagnosis, then Enter"),
    ("Add field", "Alt+U", "use the offered replacement or fix"),
    ("Add field", "Esc", "dismiss a refusal"),
    ("Warnings", "Enter / double-click", "explain the warning's rule"),
    ("Visit", "Alt+P, Alt+Y, Alt+K", "payer, provider, KX"),
    ("Visit", "Alt+L, Alt+N, Alt+W, Alt+O", "lines, diagnoses, warnings, copy format"),
)


_PLAIN_KEYS: Final = frozenset({"Del", "Delete", "Backspace", "Esc", "Return", "Enter"})


class VisitMenuSource(Protocol):
    def menu_actions(self) -> list[QAction | None]: ...


class MenuHost(Protocol):
    """What ``build_menus`` needs of the main window (``ui.main_window.MainWindow``, which
    imports this module: named by its shape, so there is no import cycle)."""

    @property
    def visit_panel(self) -> VisitMenuSource | None: ...

    @property
    def results_view(self) -> QTableView: ...

    file_menu: QMenu
    edit_menu: QMenu
    go_menu: QMenu
    visit_menu: QMenu | None
    help_menu: QMenu
    focus_search_action: QAction
    favorite_action: QAction
    copy_title_action: QAction
    add_to_visit_action: QAction
    back_action: QAction
    forward_action: QAction
    quit_action: QAction
    shortcuts_action: QAction
    rules_action: QAction
    data_sources_action: QAction
    about_action: QAction
    copy_action: QAction

    def window(self) -> QWidget: ...
    def menuBar(self) -> QMenuBar: ...  # noqa: N802 (Qt's name)
    def close(self) -> bool: ...
    def focus_search(self) -> None: ...
    def toggle_favorite(self) -> None: ...
    def copy_with_title(self) -> None: ...
    def copy_code(self) -> None: ...
    def add_current_to_visit(self) -> None: ...
    def go_back(self) -> None: ...
    def go_forward(self) -> None: ...
    def show_shortcuts(self) -> None: ...
    def show_data_sources(self) -> None: ...
    def show_about(self) -> None: ...


def _action(window: QWidget, text: str, shortcut: str | QKeySequence.StandardKey | None,
            slot: Callable[[], object]) -> QAction:
    act = QAction(text, window)
    if shortcut is not None:
        act.setShortcut(QKeySequence(shortcut))
    act.triggered.connect(slot)
    window.addAction(act)
    return act


def build_menus(host: MenuHost) -> None:
    """Create the menus and the window's actions (as attributes of ``host``)."""
    window = host
    parent = host.window()  # the QMainWindow itself: the actions' parent
    bar = window.menuBar()
    window.file_menu = bar.addMenu("&File")
    window.edit_menu = bar.addMenu("&Edit")
    window.go_menu = bar.addMenu("&Go")
    window.visit_menu = bar.addMenu("&Visit") if window.visit_panel is not None else None
    window.help_menu = bar.addMenu("&Help")

    window.focus_search_action = _action(parent, "&Find", "Ctrl+K", window.focus_search)
    window.focus_search_action.setShortcuts([QKeySequence("Ctrl+K"), QKeySequence("Ctrl+F")])
    window.favorite_action = _action(parent, "Toggle &favorite", "Ctrl+D",
                                     window.toggle_favorite)
    window.copy_title_action = _action(parent, "Copy code with &title", "Ctrl+Alt+C",
                                       window.copy_with_title)
    window.add_to_visit_action = _action(parent, "&Add to visit", None,
                                         window.add_current_to_visit)
    window.back_action = _action(parent, "&Back", "Alt+Left", window.go_back)
    window.forward_action = _action(parent, "F&orward", "Alt+Right", window.go_forward)
    window.quit_action = _action(parent, "&Quit", QKeySequence.StandardKey.Quit, window.close)
    window.shortcuts_action = _action(parent, "&Keyboard shortcuts", "Ctrl+/",
                                      window.show_shortcuts)
    window.shortcuts_action.setShortcuts([QKeySequence("Ctrl+/"), QKeySequence("F1")])
    window.rules_action = _action(parent, "&Billing rules", None,
                                  lambda: show_billing_rules(parent))
    window.data_sources_action = _action(parent, "&Data sources…", None,
                                         window.show_data_sources)
    window.about_action = _action(parent, "&About PT Codes", None, window.show_about)
    window.copy_action = QAction("&Copy code", parent)
    window.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
    window.copy_action.triggered.connect(window.copy_code)
    window.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    window.results_view.addAction(window.copy_action)

    for act in (window.focus_search_action, window.copy_action, window.copy_title_action,
                window.favorite_action, window.add_to_visit_action):
        window.edit_menu.addAction(act)
    window.go_menu.addAction(window.back_action)
    window.go_menu.addAction(window.forward_action)
    window.file_menu.addAction(window.quit_action)
    if window.visit_menu is not None and window.visit_panel is not None:
        for item in window.visit_panel.menu_actions():
            if item is None:
                window.visit_menu.addSeparator()
            else:
                window.visit_menu.addAction(item)
    for act in (window.shortcuts_action, window.rules_action, window.data_sources_action):
        window.help_menu.addAction(act)
    window.help_menu.addSeparator()
    window.help_menu.addAction(window.about_action)


def shown_keys(keys: list[QKeySequence]) -> list[str]:
    """The keys a person types: the platform's extra bindings of a standard key (F14 and
    the Undo key of Sun keyboards for Ctrl+Z) are left out of the sheet."""
    shown: list[str] = []
    for key in keys:
        text = key.toString(QKeySequence.SequenceFormat.NativeText)
        plain = "+" in text or re.fullmatch(r"F([1-9]|1[0-2])", text) or text in _PLAIN_KEYS
        if text and plain and text not in shown:
            shown.append(text)
    return shown or [k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys[:1]]


def menu_rows(window: QWidget) -> list[tuple[str, str, str]]:
    """(menu, action, shortcuts) of every action in the window's menus, in menu order."""
    rows: list[tuple[str, str, str]] = []

    def walk(menu: QMenu, title: str) -> None:
        for act in menu.actions():
            sub = act.menu()
            if isinstance(sub, QMenu):
                walk(sub, f"{title} → {sub.title().replace('&', '')}")
            elif not act.isSeparator() and act.text():
                keys = ", ".join(shown_keys(act.shortcuts()))
                text = act.text().replace("&", "").rstrip("…")
                # "Undo Add diagnosis": the undo stack names its next step; the sheet the key
                text = text.split(" ", 1)[0] if text.startswith(("Undo ", "Redo ")) else text
                rows.append((title, text, keys))

    menu_bar = getattr(window, "menuBar", None)
    if callable(menu_bar):
        for act in menu_bar().actions():
            sub = act.menu()
            if isinstance(sub, QMenu):
                walk(sub, sub.title().replace("&", ""))
    return rows


def shortcuts_html(window: QWidget) -> str:
    def table(rows: list[tuple[str, str, str]], head: tuple[str, str, str]) -> str:
        cells = "".join(
            f"<tr><td>{escape(a)}</td><td>{escape(b)}</td><td><b>{escape(c)}</b></td></tr>"
            for a, b, c in rows
        )
        th = "".join(f"<th align='left'>{escape(h)}</th>" for h in head)
        return f"<table cellspacing='0' cellpadding='3'><tr>{th}</tr>{cells}</table>"

    rows = menu_rows(window)
    # what has a key first (the sheet opens on it); menu items without one at the end
    menus = table([r for r in rows if r[2]], ("Menu", "Action", "Shortcut"))
    fields = table([(a, c, b) for a, b, c in FIELD_KEYS], ("Where", "What", "Key"))
    rest = "".join(f"<li>{escape(menu)} → {escape(action)}</li>"
                   for menu, action, keys in rows if not keys)
    return (f"<h3>Menus</h3>{menus}<h3>In fields and tables</h3>{fields}"
            f"<h3>Menu items without a shortcut</h3><ul>{rest}</ul>")


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts: every menu action with its keys, and the field keys."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Keyboard shortcuts")
        self.browser.setHtml(shortcuts_html(window))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        fm = self.fontMetrics()
        self.resize(fm.horizontalAdvance("x") * 90, fm.height() * 34)
        describe_dialog(self)


def about_html(info: CatalogInfo) -> str:
    """Help → About: versions, licensing, sources, disclaimer."""
    return (
        f"<h3>{APP_NAME} {__version__}</h3>"
        f"<p>App version {__version__} · content version {info.catalog_version} "
        f"(reviewed {info.content_date}): "
        f"{info.pt_codes} PT/HCPCS codes and {info.modifiers} modifiers; NCCI pairs as of "
        f"{info.ncci_as_of}. {info.icd_release}: {info.icd_billable:,} billable codes.</p>"
        "<p><b>Licensing.</b> CPT® codes and descriptors are the copyright of the American "
        "Medical Association. This program ships only code numbers with its own plain-"
        "language summaries; a clinic holding a CPT license can import its licensed "
        "descriptors (File → Import). HCPCS Level II codes and modifiers, NCCI edits (CMS) "
        "and ICD-10-CM (CDC/NCHS) are public-domain government data.</p>"
        "<p><b>Sources.</b> CMS Medicare Claims Processing Manual (Pub. 100-04 ch. 5), "
        "CMS NCCI procedure-to-procedure edits, CMS physician fee schedule status "
        "indicators, APTA and billing publishers; each fact in the detail pane names its "
        "source and confidence.</p>"
        "<p><b>Disclaimer.</b> Payer rules vary and change. This is a reference, not "
        "billing or legal advice: check each payer's current policy.</p>"
        "<p>PT Codes works offline, opens no network connection and stores no patient "
        "data.</p>"
    )
