"""The main window: search field, filters, results, detail pane and the visit panel.

``MainWindow._connect_signals`` only wires sub-widgets together; the catalog and the
user store are passed in by ``app.py``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from html import escape
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QByteArray, QEvent, QModelIndex, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ptcodes_gui import APP_NAME
from ptcodes_gui.catalog import Catalog
from ptcodes_gui.catalog.repository import hit_for
from ptcodes_gui.domain.articles import ArticleView
from ptcodes_gui.domain.formatting import sanitize_text
from ptcodes_gui.domain.models import Code, Hit
from ptcodes_gui.domain.provenance import DataSource
from ptcodes_gui.ui import dialogs
from ptcodes_gui.ui import search_scope as scope
from ptcodes_gui.ui.clipboard import put_text
from ptcodes_gui.ui.detail_pane import DetailPane
from ptcodes_gui.ui.geometry import MINIMUM, keep_on_screen, place_first_run, scrolling_holder
from ptcodes_gui.ui.results_model import ResultsModel
from ptcodes_gui.ui.results_view import make_results_view
from ptcodes_gui.ui.search_filters import SYSTEM_CHOICES as SYSTEM_CHOICES  # re-exported
from ptcodes_gui.ui.search_filters import Filters, make_search_edit, search_part
from ptcodes_gui.ui.window_menus import ShortcutsDialog, about_html, build_menus
from ptcodes_gui.ui.window_status import StatusParts
from ptcodes_gui.userdata.store import UserDataError

if TYPE_CHECKING:
    from ptcodes_gui.ui.visit_panel import VisitPanel

RESULT_LIMIT = 200
DETAIL_DELAY_MS = 40


def _b64(data: QByteArray) -> str:
    return bytes(data.toBase64().data()).decode("ascii")


class Store(Protocol):
    """What the window needs from the user database (see ``ptcodes_gui.userdata``)."""

    @property
    def read_only(self) -> bool: ...
    def favorites(self) -> list[str]: ...
    def toggle_favorite(self, code: str) -> bool: ...
    def is_favorite(self, code: str) -> bool: ...
    def add_recent(self, code: str) -> None: ...
    def recents(self) -> list[str]: ...
    def get_setting(self, key: str, default: Any = None) -> Any: ...
    def set_setting(self, key: str, value: Any) -> None: ...


class MainWindow(QMainWindow):
    """Signals: ``code_shown(str)`` after the detail pane shows a code."""

    code_shown = Signal(str)

    # menus and actions, made by window_menus.build_menus
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

    def __init__(
        self,
        catalog: Catalog,
        store: Store,
        *,
        visit_panel: VisitPanel | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.store = store
        self._history: list[str] = []
        self._history_pos = -1
        self._current: Code | None = None
        #: under the visit's MAC: what the coverage articles say of a code (coverage_ui)
        self.article_view: Callable[[Code], ArticleView | None] = lambda _code: None
        self.data_actions: Any = None  # File-menu actions, set by window_setup
        self.setWindowTitle(APP_NAME)
        self.setObjectName("MainWindow")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(0)  # coalesce queued keystrokes; search takes ~1 ms
        # The detail pane (rich text, sometimes long ICD notes) follows the selection once
        # typing pauses, so each keystroke only pays for the list; actions flush it first.
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(DETAIL_DELAY_MS)
        self._pending_code: str | None = None
        self.results_changed = False  # set by run_search
        dialogs.FOLDERS.attach(store)  # file dialogs remember their folders in the settings
        self._build_widgets(visit_panel)
        self._build_actions()
        self._connect_signals()
        self._restore_state()
        self.run_search()
        self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # ----------------------------------------------------------------- build

    def _build_widgets(self, visit_panel: VisitPanel | None) -> None:
        self.search_edit = make_search_edit()
        self.search_edit.installEventFilter(self)
        self.filters = Filters()
        self.system_combo = self.filters.system_combo
        self.category_combo = self.filters.category_combo
        self.common_check = self.filters.common_check
        filters = self.filters.layout

        self.results_model = ResultsModel(self)
        self.results_view = make_results_view(self.results_model)
        self.results_view.installEventFilter(self)
        self._build_detail_and_layout(filters, visit_panel)

    def _build_detail_and_layout(self, filters: QHBoxLayout, visit_panel: VisitPanel | None
                                 ) -> None:
        self.detail_pane = DetailPane()
        self.detail_view = self.detail_pane.view
        self.copy_button = self.detail_pane.copy_button
        self.copy_title_button = self.detail_pane.copy_title_button
        self.favorite_button = self.detail_pane.favorite_button
        self.add_button = self.detail_pane.add_button

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.search_edit)
        top_layout.addLayout(filters)
        top_layout.addWidget(self.results_view)

        self.left_splitter = QSplitter(Qt.Orientation.Vertical)
        self.left_splitter.setObjectName("leftSplitter")
        self.left_splitter.addWidget(top)
        self.left_splitter.addWidget(self.detail_pane)
        self.left_splitter.setStretchFactor(0, 3)
        self.left_splitter.setStretchFactor(1, 2)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(self.left_splitter)
        self.visit_panel = visit_panel
        self.visit_scroll: QScrollArea | None = None
        if visit_panel is not None:
            self.visit_scroll = scrolling_holder(visit_panel, "visitScroll")
            self.main_splitter.addWidget(self.visit_scroll)
            self.main_splitter.setStretchFactor(0, 3)
            self.main_splitter.setStretchFactor(1, 2)
        self.setCentralWidget(self.main_splitter)

        self.status_parts = StatusParts(self.statusBar(), self.catalog.info())
        self.count_label = self.status_parts.count_label
        self.version_label = self.status_parts.version_label
        self.search_note_label = self.status_parts.search_note_label
        self.notice_label = self.status_parts.notice_label
        self.data_notice = ""
        #: (rows, remove) for Help → Data sources, set by the composition (window_setup)
        self.data_sources: tuple[Callable[[], Sequence[DataSource]], Callable[[str], bool]] | None
        self.data_sources = None
        self.setMinimumSize(MINIMUM)

    def _build_actions(self) -> None:
        build_menus(self)

    def _connect_signals(self) -> None:
        self.search_edit.textChanged.connect(self._on_search_text_changed)
        self._search_timer.timeout.connect(self.run_search)
        self._detail_timer.timeout.connect(self._flush_detail)
        self.system_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.category_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.common_check.toggled.connect(self._on_filter_changed)
        sel = self.results_view.selectionModel()
        sel.currentRowChanged.connect(self._on_current_row_changed)
        self.results_view.doubleClicked.connect(self._on_result_activated)
        self.detail_view.anchorClicked.connect(self._on_link_clicked)
        self.copy_button.clicked.connect(self.copy_code)
        self.copy_title_button.clicked.connect(self.copy_with_title)
        self.favorite_button.clicked.connect(self.toggle_favorite)
        self.add_button.clicked.connect(self.add_current_to_visit)
        if self.visit_panel is not None:
            self.visit_panel.code_added.connect(self._on_code_added)

    # ---------------------------------------------------------------- search

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def _on_search_text_changed(self, _text: str) -> None:
        # Answer at once: the search layer's p99 is ~3 ms, so keystrokes never queue behind
        # it, while a deferred search cost a second paint pass per key (docs/PERFORMANCE.md)
        self._search_timer.stop()
        self.run_search()

    def _save(self, action: Any, *args: Any) -> bool:
        """Run a store write; a read-only or full data folder costs the change, not the app."""
        if self.store.read_only:
            return False
        try:
            action(*args)
        except (UserDataError, sqlite3.Error) as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return False
        return True

    def _on_filter_changed(self, *_args: object) -> None:
        self._save(self.store.set_setting, "filter.system", self.system_combo.currentIndex())
        self._save(self.store.set_setting, "filter.category", self.category_combo.currentIndex())
        self._save(self.store.set_setting, "filter.common", self.common_check.isChecked())
        self.run_search()

    def run_search(self) -> None:
        text = search_part(self.search_edit.text())
        system = self.system_combo.currentData()
        category = self.category_combo.currentData()
        common = self.common_check.isChecked()
        hits: list[Hit] = []
        note = ""
        if scope.nothing_to_search(text):
            pass  # "*" or Arabic text: no match, not the whole default list
        elif system in ("favorites", "recent"):
            codes = self.store.favorites() if system == "favorites" else self.store.recents()
            hits = self._hits_for(codes, text, category, common)
        else:
            found = self.catalog.search_explained(
                text, limit=RESULT_LIMIT, system=system, category=category, common_only=common
            )
            hits, note = found.hits, found.note
        names = scope.filter_names(self.filters)  # most often none: nothing more to do
        exact = scope.exact_code(self.catalog, text, hits) if names else None
        if exact is not None:
            hits = [hit_for(exact), *hits]  # a kept filter never hides the code typed
            note = scope.hidden_note(exact.code, names)
        elif not hits:
            note = scope.empty_note(text, names)
        #: whether the last search changed the list (the benchmark's keystrokes that
        #: repaint only the search field)
        self.results_changed = self.results_model.set_hits(hits)
        self.status_parts.set_count(len(hits), limit=RESULT_LIMIT, note=note)
        if hits:
            self.results_view.selectRow(0)
        else:
            self._detail_timer.stop()
            self._pending_code = None
            near = self.catalog.suggest(text) if text.strip() else []
            explain = bool(text.strip()) or system in ("favorites", "recent")
            self.detail_pane.show_no_match(text, near, explain=explain)
            self._current = None
            self._update_buttons()

    def _hits_for(
        self, codes: list[str], text: str, category: str | None, common: bool
    ) -> list[Hit]:
        wanted = {h.code for h in self.catalog.search(text, limit=1000)} if text.strip() else None
        hits: list[Hit] = []
        for c in codes:
            code = self.catalog.get(c)
            if code is None or (wanted is not None and code.code not in wanted):
                continue
            if category is not None and code.category != category:
                continue
            if common and not code.common:
                continue
            hits.append(hit_for(code))
        return hits

    def current_hit(self) -> Hit | None:
        return self.results_model.hit(self.results_view.currentIndex().row())

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        hit = self.results_model.hit(current.row())
        if hit is not None:
            self._pending_code = hit.code
            self._detail_timer.start()

    def _flush_detail(self) -> None:
        """Show the selected code now if its detail is still pending."""
        self._detail_timer.stop()
        code, self._pending_code = self._pending_code, None
        if code is not None:
            self.show_code(code)

    def _on_result_activated(self, _index: QModelIndex) -> None:
        self.add_current_to_visit()

    # ---------------------------------------------------------------- detail

    def show_code(self, code: str, *, record: bool = True) -> bool:
        found = self.catalog.get(code)
        if found is None:
            near = self.catalog.suggest(code)
            hint = ", ".join(h.code for h in near[:6])
            self.statusBar().showMessage(
                f"{code} is not in the catalog" + (f". Nearest: {hint}" if hint else ""), 5000
            )
            return False
        self._current = found
        self.detail_pane.show_code(
            found,
            favorite=self.store.is_favorite(found.code),
            descriptor=self.catalog.descriptor(found.code),
            mue=self.catalog.mue(found.code),
            articles=self.article_view(found),
        )
        if record:
            del self._history[self._history_pos + 1 :]
            if not self._history or self._history[-1] != found.code:
                self._history.append(found.code)
            self._history_pos = len(self._history) - 1
        self._update_buttons()
        self.code_shown.emit(found.code)
        return True

    def current_code(self) -> Code | None:
        self._flush_detail()
        return self._current

    def _on_link_clicked(self, url: QUrl) -> None:
        if url.scheme() != "code":
            return
        code = url.path() or url.toString().removeprefix("code:")
        if self.show_code(code):
            row = self.results_model.row_of(code)
            if row >= 0:
                self.results_view.selectionModel().blockSignals(True)
                self.results_view.selectRow(row)
                self.results_view.selectionModel().blockSignals(False)

    def go_back(self) -> None:
        if self._history_pos > 0:
            self._history_pos -= 1
            self.show_code(self._history[self._history_pos], record=False)

    def go_forward(self) -> None:
        if self._history_pos < len(self._history) - 1:
            self._history_pos += 1
            self.show_code(self._history[self._history_pos], record=False)

    def _update_buttons(self) -> None:
        fav = self._current is not None and self.store.is_favorite(self._current.code)
        self.detail_pane.set_buttons(has_code=self._current is not None, favorite=fav)
        self.back_action.setEnabled(self._history_pos > 0)
        self.forward_action.setEnabled(self._history_pos < len(self._history) - 1)

    # ------------------------------------------------------------ copy, star

    def _clipboard_set(self, text: str) -> None:
        put_text(sanitize_text(text))

    def copy_code(self) -> None:
        self._flush_detail()
        if self._current is None:
            return
        self._clipboard_set(self._current.code)
        self._save(self.store.add_recent, self._current.code)
        self.statusBar().showMessage(f"Copied {self._current.code}", 3000)

    def copy_with_title(self) -> None:
        self._flush_detail()
        if self._current is None:
            return
        self._clipboard_set(f"{self._current.code} {self._current.title}")
        self._save(self.store.add_recent, self._current.code)
        self.statusBar().showMessage(f"Copied {self._current.code} with its title", 3000)

    def toggle_favorite(self) -> None:
        self._flush_detail()
        if self._current is None:
            return
        if self.store.read_only:
            self.statusBar().showMessage("Favorites cannot be saved: the data folder is read-only.",
                                         5000)
            self._update_buttons()
            return
        try:
            now = self.store.toggle_favorite(self._current.code)
        except UserDataError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return
        self.results_model.set_favorites(frozenset(self.store.favorites()))
        self.statusBar().showMessage(
            f"{self._current.code} {'added to' if now else 'removed from'} favorites", 3000
        )
        self.show_code(self._current.code, record=False)
        if self.system_combo.currentData() == "favorites":
            self.run_search()

    def add_current_to_visit(self) -> None:
        self._flush_detail()
        if self._current is None:
            return
        if self.visit_panel is None:
            self._save(self.store.add_recent, self._current.code)
            return
        # CODE=MIN typed in the search adds with its minutes (the entry field's grammar)
        head, sep, tail = self.search_edit.text().strip().partition("=")
        if sep and head.strip():
            if self.visit_panel.add_entry(f"{self._current.code}={tail}"):
                self.search_edit.selectAll()
            return
        self.visit_panel.add_code(self._current.code)

    def _on_code_added(self, code: str) -> None:
        """Recent lists every code put on a visit, however it was added."""
        self._save(self.store.add_recent, code)
        if self.system_combo.currentData() == "recent":
            self.run_search()

    # ------------------------------------------------------------- keyboard

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.search_edit:
                if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                    self._move_selection(key)
                    return True
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    self._search_timer.stop()
                    if self.results_model.rowCount() and self.search_edit.text():
                        self.run_search_if_stale()
                    self.add_current_to_visit()
                    return True
                if key == Qt.Key.Key_Escape:
                    self.search_edit.clear()
                    return True
                # Ctrl+C copies the selected code unless part of the query is selected
                # (all of it is selected after Ctrl+K: that is not a wish to copy the query)
                edit = self.search_edit
                if event.matches(QKeySequence.StandardKey.Copy) and (
                    not edit.hasSelectedText() or edit.selectedText() == edit.text()
                ):
                    self.copy_code()
                    return True
            elif watched is self.results_view:
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    self.add_current_to_visit()
                    return True
                if key == Qt.Key.Key_Escape:
                    self.focus_search()
                    return True
        return super().eventFilter(watched, event)

    def run_search_if_stale(self) -> None:
        """Enter pressed before the coalesced search ran: answer the current text first."""
        if self._search_timer.isActive():
            self._search_timer.stop()
            self.run_search()

    def _move_selection(self, key: int) -> None:
        rows = self.results_model.rowCount()
        if not rows:
            return
        row = self.results_view.currentIndex().row()
        step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 10,
                Qt.Key.Key_PageUp: -10}[Qt.Key(key)]
        row = max(0, min(rows - 1, (row if row >= 0 else -1) + step))
        self.results_view.selectRow(row)
        self.results_view.scrollTo(self.results_model.index(row, 0))

    # ----------------------------------------------------------------- about

    def about_text(self) -> str:
        return about_html(self.catalog.info()) + (
            f"<p><b>Data notice.</b> {escape(self.data_notice)}</p>" if self.data_notice else ""
        )

    def show_shortcuts(self) -> None:
        dialog = ShortcutsDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def set_data_notice(self, text: str) -> None:
        """Show (or, with "", hide) a notice about the data: in the status bar and About."""
        self.data_notice = text
        self.status_parts.set_notice(text)

    def show_data_sources(self) -> None:
        if self.data_sources is None:
            return
        from ptcodes_gui.ui.data_sources_dialog import show_data_sources

        rows, remove = self.data_sources
        show_data_sources(rows, remove, self)

    def show_about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.NoIcon, f"About {APP_NAME}", self.about_text(),
                          QMessageBox.StandardButton.Close, self)
        licences = box.addButton("Licences…", QMessageBox.ButtonRole.ActionRole)
        box.exec()
        if box.clickedButton() is licences:
            from ptcodes_gui.ui.licences_dialog import show_licences

            show_licences(self)

    # ----------------------------------------------------------------- state

    def _restore_state(self) -> None:
        geom = self.store.get_setting("window.geometry")
        restored = isinstance(geom, str) and self.restoreGeometry(
            QByteArray.fromBase64(geom.encode())
        )
        if not restored:
            place_first_run(self)  # first run: from the screen's room, not a fixed size
        keep_on_screen(self)
        self.results_model.set_favorites(frozenset(self.store.favorites()))
        for key, splitter in (("window.main_splitter", self.main_splitter),
                              ("window.left_splitter", self.left_splitter)):
            state = self.store.get_setting(key)
            if isinstance(state, str):
                splitter.restoreState(QByteArray.fromBase64(state.encode()))
            elif splitter is self.main_splitter and self.visit_scroll is not None:
                # first run: the visit gets the room its bar asks for, the search the rest
                width = self.maximumWidth() if self.isMaximized() else self.width()
                width = min(width, self.screen().availableGeometry().width())
                share = 0.42 if width >= 1100 else 0.5  # small screens: the lines' Service
                panel = max(self.visit_scroll.minimumSizeHint().width(), round(width * share))
                splitter.setSizes([max(width - panel, 1), panel])
        for key, combo in (("filter.system", self.system_combo),
                           ("filter.category", self.category_combo)):
            idx = self.store.get_setting(key)
            if isinstance(idx, int) and 0 <= idx < combo.count():
                combo.blockSignals(True)
                combo.setCurrentIndex(idx)
                combo.blockSignals(False)
        common = self.store.get_setting("filter.common")
        if isinstance(common, bool):
            self.common_check.blockSignals(True)
            self.common_check.setChecked(common)
            self.common_check.blockSignals(False)

    def save_state(self) -> None:
        self._save(self.store.set_setting, "window.geometry", _b64(self.saveGeometry()))
        self._save(self.store.set_setting, "window.main_splitter",
                   _b64(self.main_splitter.saveState()))
        self._save(self.store.set_setting, "window.left_splitter",
                   _b64(self.left_splitter.saveState()))

    def closeEvent(self, event: QCloseEvent) -> None:
        panel = self.visit_panel
        if panel is not None and panel.has_unsaved_work():
            answer = dialogs.ask_unsaved_visit(self)
            if answer is None or (answer == "copy" and not panel.copy_visit()):
                event.ignore()  # Cancel, or the copy did not happen: the visit stays
                return
        self._search_timer.stop()
        self._detail_timer.stop()
        self._pending_code = None
        self.save_state()
        super().closeEvent(event)
