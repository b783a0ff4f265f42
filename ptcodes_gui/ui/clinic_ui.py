"""The clinic data folder in the window: where it is, what came from it, publishing.

``ClinicController`` keeps a permanent status-bar label ("Clinic data: release 7 of
2026-12-01 08:15", or "offline, using the copy from ..."), syncs the local cache with the
clinic folder in the background at start and every minute (a slow or vanished share never
freezes the window), re-layers the clinic's data when a new release arrived, and adds
File → Publish to clinic folder… and File → Clinic folder… (the Preferences choice).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ptcodes_gui.clinic import folder as cf
from ptcodes_gui.clinic.link import (
    attach_clinic,
    clinic_dir_for,
    detach_clinic,
    prepare_publish,
    run_publish,
)
from ptcodes_gui.session import Session
from ptcodes_gui.ui.long_work import CancelledError, run_off_thread
from ptcodes_gui.userdata.config import CLINIC_DIR_SETTING, clinic_folder_setting, folder_problem
from ptcodes_gui.userdata.errors import UserDataError

SYNC_INTERVAL_MS = 60_000


class ClinicController(QObject):
    """Signals: ``synced(object)`` a ClinicStatus from the background sync (delivered on
    the GUI thread); ``changed()`` the clinic's data in use changed (after re-layering)."""

    synced = Signal(object)
    changed = Signal()

    def __init__(self, window: QMainWindow, session: Session,
                 on_changed: Callable[[], None], *, interval_ms: int = SYNC_INTERVAL_MS) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self._on_changed = on_changed
        self._thread: threading.Thread | None = None
        self.syncs = 0  # background syncs delivered (tests wait on it)
        self.label = QLabel()
        self.label.setAccessibleName("Clinic data")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        window.statusBar().addPermanentWidget(self.label)
        self.synced.connect(self._on_synced)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.sync_now)
        self.timer.start()
        self.publish_action = QAction("&Publish to clinic folder…", window)
        self.publish_action.triggered.connect(lambda _c=False: self.publish())
        self.folder_action = QAction("Clinic &folder…", window)
        self.folder_action.triggered.connect(lambda _c=False: self.choose_folder())
        menu = getattr(window, "file_menu", None) or window.menuBar().addMenu("&File")
        last = menu.actions()[-1] if menu.actions() else None  # Quit stays last
        for act in (self.publish_action, self.folder_action):
            menu.insertAction(last, act) if last else menu.addAction(act)
        if last is not None:
            menu.insertSeparator(last)
        window.destroyed.connect(lambda *_: self.shutdown())
        self._show()
        QTimer.singleShot(0, self.sync_now)

    # ------------------------------------------------------------------ state

    def folder(self) -> Path | None:
        return clinic_dir_for(self.session)[0]

    def _show(self) -> None:
        link = self.session.clinic
        if link is None:
            self.label.setText("")
            self.label.setToolTip("No clinic folder is set (File → Clinic folder…).")
            self.label.setVisible(False)
            return
        self.label.setVisible(True)
        status = link.status
        if status.release is None:
            text = "Clinic folder: nothing published yet" if not status.offline else (
                "Clinic folder unreachable")
        else:
            # short: the status bar also holds the search count and the data notices; the
            # tooltip (describe) has the folder, the publisher and since when it is offline
            when = status.release.published_at[:10]
            text = f"Clinic data: release {status.release.seq} of {when}"
            if status.offline:
                text += " (offline, local copy)"
        self.label.setText(text)
        self.label.setToolTip(link.describe())

    # ------------------------------------------------------------------ sync

    def sync_now(self) -> None:
        """Bring the local cache up to the clinic folder in the background."""
        if self._thread is not None and self._thread.is_alive():
            return
        folder = self.folder()
        if folder is None:
            if self.session.clinic is not None:
                detach_clinic(self.session)
                self._show()
                self._notify()
            return
        data_dir = self.session.data_dir

        def work() -> None:
            self.synced.emit(cf.sync(folder, data_dir))

        self._thread = threading.Thread(target=work, name="ptcodes-clinic-sync", daemon=True)
        self._thread.start()

    def shutdown(self, timeout: float = 10.0) -> None:
        self.timer.stop()
        if self._thread is not None:
            self._thread.join(timeout)

    def _on_synced(self, status: cf.ClinicStatus) -> None:
        self.syncs += 1
        before = self.session.clinic.status if self.session.clinic else None
        folder = status.folder
        if folder is None or folder != self.folder():
            return  # the setting changed while this sync ran: the next one counts
        attach_clinic(self.session, folder, status=status)
        self._show()
        if before is None or _key(before) != _key(status):
            self._notify()

    def _notify(self) -> None:
        self._on_changed()
        self.changed.emit()

    # ------------------------------------------------------------------ actions

    def publish(self) -> bool:
        folder = self.folder()
        if folder is None:
            self.choose_folder()
            folder = self.folder()
            if folder is None:
                return False
        if not clinic_folder_setting().publish_allowed:
            QMessageBox.information(self.window, "Publish to clinic folder",
                                    "Publishing is turned off on this PC by its machine "
                                    "configuration.")
            return False
        job = prepare_publish(self.session, folder)
        answer = QMessageBox.question(
            self.window, "Publish to clinic folder",
            f"Publish {job.describe()} to {folder}?\n\nEvery PT Codes workstation that uses "
            "this clinic folder picks them up within a minute; what a user saved on their "
            "own PC stays theirs.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            release = run_off_thread(self.window, f"Publishing to {folder}…",
                                     lambda: run_publish(job))
        except CancelledError:
            self.window.statusBar().showMessage(
                "Stopped waiting; the publish finishes or leaves the old set in place.", 8000)
            return False
        except (cf.ClinicFolderError, OSError) as exc:
            QMessageBox.warning(self.window, "Publish to clinic folder",
                                f"Nothing was published: {exc}")
            return False
        self.window.statusBar().showMessage(
            f"Published release {release.seq} to {folder}.", 8000)
        self.sync_now()
        return True

    def choose_folder(self) -> bool:
        dialog = ClinicFolderDialog(self.window, self.session)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        try:
            self.session.store.set_setting(CLINIC_DIR_SETTING, dialog.value() or None)
        except UserDataError as exc:
            QMessageBox.warning(self.window, "Clinic folder", f"Not saved: {exc}")
            return False
        self.sync_now()
        return True


def _key(status: cf.ClinicStatus) -> tuple[object, ...]:
    release = status.release
    return (status.folder, release.seq if release else None,
            release.folder if release else None, status.offline)


class ClinicFolderDialog(QDialog):
    """Preferences: the clinic data folder this user chooses (or none)."""

    def __init__(self, parent: QWidget, session: Session) -> None:
        super().__init__(parent)
        self.setWindowTitle("Clinic folder")
        stored = session.store.get_setting(CLINIC_DIR_SETTING)
        self.edit = QLineEdit(stored if isinstance(stored, str) else "")
        self.edit.setAccessibleName("Clinic folder path")
        self.edit.setPlaceholderText(r"e.g. \\server\share\ptcodes or /mnt/clinic/ptcodes")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        clear = QPushButton("&None")
        clear.clicked.connect(self.edit.clear)
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(browse)
        row.addWidget(clear)
        setting = clinic_folder_setting(stored)
        used = QLabel(f"In use now: {setting.describe()}")
        used.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        explain = QLabel(
            "A folder every PT Codes workstation of the clinic can reach (a network share, a "
            "synced folder). One PC publishes the quarter's imports and the clinic's profiles "
            "and templates there; every PC uses them, and keeps a copy for when the folder "
            "is offline.")
        explain.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(row)
        layout.addWidget(used)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def value(self) -> str:
        return self.edit.text().strip()

    def _on_browse_clicked(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Clinic folder", self.value())
        if chosen:
            self.edit.setText(chosen)

    def _on_accepted(self) -> None:
        value = self.value()
        problem = folder_problem(value) if value else None
        if problem:
            self.problem.setText(f"This cannot be the clinic folder: it {problem}.")
            return
        self.accept()


def install_clinic(window: QMainWindow, session: Session) -> ClinicController:
    """The clinic folder's menu entries, status label and background sync on ``window``."""

    def refresh() -> None:
        run_search = getattr(window, "run_search", None)
        if callable(run_search):
            run_search()
        panel = getattr(window, "visit_panel", None)
        if panel is not None:
            panel.payer.reload_profiles()
            panel.templates.reload()
            panel.refresh()

    controller = ClinicController(window, session, refresh)
    window.clinic = controller  # type: ignore[attr-defined]  # kept alive with the window
    return controller
