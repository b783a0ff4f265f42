"""Composition root: resolves paths, opens the catalog and the user store, builds the window.

``ptcodes-gui --smoke-test`` builds the real window, runs a search, copies a code and a
visit, checks what landed on the clipboard, and exits 0 (1 on any failure). The packaging
tests run it on the frozen bundle.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

    from ptcodes_gui.session import Session
    from ptcodes_gui.ui.main_window import MainWindow

_T0 = time.perf_counter()


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ptcodes-gui", description="PT Codes")
    parser.add_argument("--smoke-test", action="store_true",
                        help="build the window, search, copy, and exit 0 if all worked")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder for favorites, templates and settings")
    parser.add_argument("--catalog", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--print-startup-time", action="store_true", help=argparse.SUPPRESS)
    args, _qt_args = parser.parse_known_args(argv)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    from PySide6.QtGui import QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ptcodes_gui import APP_NAME, __version__
    from ptcodes_gui.catalog import CatalogError
    from ptcodes_gui.session import open_session
    from ptcodes_gui.ui.app_icon import app_icon_path

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "ptcodes-gui"])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("PTCodes")
    app.setApplicationVersion(__version__)
    QGuiApplication.setDesktopFileName("ptcodes-gui")
    icon = app_icon_path()
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))

    if not args.smoke_test:  # the smoke test reports on stderr and exits 1 instead
        from ptcodes_gui.ui.crash import install_crash_handler
        from ptcodes_gui.userdata.paths import default_data_dir

        install_crash_handler(args.data_dir or default_data_dir())
    try:
        session = open_session(args.data_dir, args.catalog, clinic="cache")
    except CatalogError as exc:
        if args.smoke_test:
            sys.stderr.write(f"smoke test: {exc}\n")
        else:
            QMessageBox.critical(None, APP_NAME, str(exc))
        return 1

    catalog, store = session.catalog, session.store
    from ptcodes_gui.ui.clinic_ui import install_clinic
    from ptcodes_gui.ui.coverage_ui import install_coverage
    from ptcodes_gui.ui.window_setup import build_main_window

    window = build_main_window(catalog, store, session.imports)
    install_clinic(window, session)
    install_coverage(window, session)
    window.show()

    if args.smoke_test:
        return _smoke(window)
    if args.print_startup_time:
        _print_after_first_paint(window.results_view.viewport())
    return _run(app, window, session)


def _run(app: QApplication, window: MainWindow, session: Session) -> int:
    """The event loop, the startup messages first; at exit, a copied visit is kept until
    something has pasted it (X11 without a clipboard manager: ``ui.clipboard.keep``)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from ptcodes_gui import APP_NAME
    from ptcodes_gui.ui.clipboard import keep

    def _report_startup() -> None:
        for msg in session.messages:
            window.statusBar().showMessage(msg.text, 15000)
            box = QMessageBox.warning if msg.level != "info" else QMessageBox.information
            box(window, APP_NAME, msg.text)

    QTimer.singleShot(0, _report_startup)
    QTimer.singleShot(SETTLE_HEAP_AFTER_MS, settle_heap)
    code = app.exec()
    _close(session)
    keep()
    return int(code)


#: a second after start, when the window is up and the user has not begun typing
SETTLE_HEAP_AFTER_MS = 1000


def settle_heap() -> None:
    """Collect the start-up garbage once, then leave everything alive at that point out of
    later collections (``gc.freeze``): Python's full collections walked the whole catalog
    and window, a 25-45 ms pause on about one keystroke in 1,500; after this, under 16 ms
    (docs/PERFORMANCE.md)."""
    import gc

    gc.collect()
    gc.freeze()


def _close(session: Session) -> None:
    """Close the session; say so when changes queued behind another copy's lock could not
    even be kept for the next start (kept ones are said at that start)."""
    session.close()
    note = session.store.close_note
    if note is not None and "could not be saved" in note:
        from PySide6.QtWidgets import QMessageBox

        from ptcodes_gui import APP_NAME

        QMessageBox.warning(None, APP_NAME, note)


def _process_age() -> float:
    """Seconds since this process was created (Linux: /proc, 10 ms resolution); elsewhere
    since this module was imported."""
    try:
        with open("/proc/self/stat", "rb") as f:
            start_ticks = int(f.read().rsplit(b")", 1)[1].split()[19])
        with open("/proc/uptime", "rb") as f:
            uptime_s = float(f.read().split()[0])
        return uptime_s - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _T0


def _print_after_first_paint(widget: QWidget) -> None:
    """Print ``startup_seconds=`` once ``widget`` has been painted for the first time: the
    window is on screen with the first search's results in it."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class _FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                # a 0 ms timer runs after this paint has been flushed to the window
                QTimer.singleShot(0, lambda: print(
                    f"startup_seconds={_process_age():.3f}", flush=True))
            return False

    widget.installEventFilter(_FirstPaint(widget))


def _smoke(window: object) -> int:
    """Exercise the real window end to end without a user; report on stdout/stderr."""
    from PySide6.QtWidgets import QApplication

    from ptcodes_gui.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    problems: list[str] = []
    window.search_edit.setText("ther act")
    window.run_search()
    hit = window.current_hit()
    if hit is None or hit.code != "97530":
        problems.append(f"'ther act' should list 97530 first, got {hit}")
    window.copy_code()
    clip = QApplication.clipboard().text()
    if clip != "97530":
        problems.append(f"clipboard after copy: {clip!r}")
    panel = window.visit_panel
    copied = ""
    if panel is not None:
        panel.add_edit.setText("97530=23")
        panel._on_add_return_pressed()
        panel.add_code("M25.561")
        copied = panel.copy_visit()
        if not copied.startswith("97530 GP x2 A"):
            problems.append(f"visit copy: {copied!r}")
    window.search_edit.setText("m54.50")
    window.run_search()
    if window.current_hit() is None:
        problems.append("no ICD-10-CM result for m54.50")
    info = window.catalog.info()
    window.close()
    if problems:
        for p in problems:
            sys.stderr.write(f"smoke test: {p}\n")
        return 1
    print(
        f"smoke test ok: catalog {info.catalog_version}, {info.pt_codes} PT codes, "
        f"{info.icd_billable} ICD-10-CM billable codes; copied {clip!r}; "
        f"visit {copied.splitlines()[0] if copied else '-'!r}; "
        f"pid {os.getpid()}"
    )
    return 0
