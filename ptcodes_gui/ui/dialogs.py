"""Small dialogs: a payer profile, a name, a yes/no, copy with errors, a code added twice,
quitting with a visit in progress, and file dialogs that remember their folder.

Each is a module-level function (or an ``ask`` classmethod) that returns the answer, so a
test can replace it with ``monkeypatch.setattr(dialogs, "ask_text", ...)``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ptcodes_gui.domain.profiles import (
    BUILTIN_PROFILES,
    MAX_DAILY_CAP,
    MAX_NAME_LENGTH,
    UNIT_RULE_LABELS,
    UNIT_RULES,
    PayerProfile,
)
from ptcodes_gui.ui.accessibility import describe_dialog


class ProfileDialog(QDialog):
    """Name, unit rule, daily timed-unit cap and Medicare yes/no of a new payer profile."""

    def __init__(self, taken: Sequence[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New payer profile")
        self.setAccessibleName("New payer profile")
        self._taken = {name.casefold() for name in (*BUILTIN_PROFILES, *taken)}

        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Profile name")
        self.name_edit.setMaxLength(MAX_NAME_LENGTH)
        self.name_edit.setPlaceholderText("e.g. Blue Cross PPO")
        self.rule_combo = QComboBox()
        self.rule_combo.setAccessibleName("Timed-unit rule")
        self.rule_combo.view().setAccessibleName("Timed-unit rules")
        for rule in UNIT_RULES:
            self.rule_combo.addItem(UNIT_RULE_LABELS[rule], rule)
        self.cap_spin = QSpinBox()
        self.cap_spin.setAccessibleName("Daily timed-unit cap")
        for inner in self.cap_spin.findChildren(QLineEdit):
            inner.setAccessibleName("Daily timed-unit cap")
        self.cap_spin.setRange(0, MAX_DAILY_CAP)
        self.cap_spin.setSpecialValueText("No cap")
        self.cap_spin.setToolTip("Most timed units the payer pays a day (0: no cap)")
        self.medicare_check = QCheckBox("Medicare or a Medicare plan (uses the 8-minute rule)")
        self.medicare_check.setAccessibleName("Medicare profile")
        self.error_label = QLabel()
        self.error_label.setAccessibleName("Profile problem")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020")

        form = QFormLayout()
        form.addRow("&Name", self.name_edit)
        form.addRow("Unit &rule", self.rule_combo)
        form.addRow("Daily &cap", self.cap_spin)
        form.addRow("", self.medicare_check)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        for button in self.buttons.buttons():
            button.setAccessibleName(button.text().replace("&", ""))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_save_clicked)
        self.buttons.rejected.connect(self.reject)
        self.medicare_check.toggled.connect(self._on_medicare_toggled)
        describe_dialog(self)

    def _on_medicare_toggled(self, checked: bool) -> None:
        if checked:
            self.rule_combo.setCurrentIndex(self.rule_combo.findData("cms"))
        self.rule_combo.setEnabled(not checked)

    def profile(self) -> PayerProfile:
        """The profile as entered; raises ValueError with a sentence when it is not valid."""
        name = " ".join(self.name_edit.text().split())
        if not name:
            raise ValueError("Give the profile a name.")
        if name.casefold() in self._taken:
            raise ValueError(f"A profile named {name!r} already exists: pick another name.")
        cap = self.cap_spin.value() or None
        return PayerProfile(
            name=name,
            unit_rule=self.rule_combo.currentData(),
            daily_timed_unit_cap=cap,
            medicare=self.medicare_check.isChecked(),
        )

    def _on_save_clicked(self) -> None:
        try:
            self.profile()
        except ValueError as exc:
            self.error_label.setText(str(exc))
            self.name_edit.setFocus()
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, taken: Sequence[str] = ()) -> PayerProfile | None:
        dialog = cls(taken, parent)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.profile()
            return None
        finally:
            dialog.deleteLater()


def ask_profile(parent: QWidget | None, taken: Sequence[str] = ()) -> PayerProfile | None:
    return ProfileDialog.ask(parent, taken)


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """One line of text, or None when cancelled."""
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return value if ok else None


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def confirm_copy_with_errors(
    parent: QWidget | None, errors: Sequence[str], left_out: Sequence[str], lines: int = 0
) -> bool:
    """The visit has errors: copy the ``lines`` billable lines (those without an error)?"""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("The visit has errors")
    which = "the line" if lines == 1 else f"the {lines} lines"
    box.setText(
        f"The visit has {len(errors)} error{'s' if len(errors) != 1 else ''}. Copy only "
        f"{which} without errors?"
    )
    details = list(errors)
    if left_out:
        details.append("Left out of the copy: " + ", ".join(left_out) + ".")
    box.setInformativeText("\n\n".join(details))
    copy = box.addButton("&Copy the lines without errors", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    chosen = box.clickedButton() is copy
    box.deleteLater()
    return chosen


def ask_readd(
    parent: QWidget | None, code: str, old: int | None, minutes: int
) -> Literal["add", "replace"] | None:
    """A code already on the visit is added again with minutes: add them, replace, or not."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Code already on the visit")
    had = old or 0
    box.setText(f"{code} is already on the visit with {had} minutes.")
    box.setInformativeText(f"Add {minutes} minutes to it ({had + minutes} in all), or replace "
                           f"its {had} minutes with {minutes}?")
    add = box.addButton(f"&Add ({had + minutes} min)", QMessageBox.ButtonRole.AcceptRole)
    swap = box.addButton(f"&Replace ({minutes} min)", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(add)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    return "add" if clicked is add else "replace" if clicked is swap else None


def ask_unsaved_visit(parent: QWidget | None) -> Literal["copy", "discard"] | None:
    """Quitting with a visit that was not copied: Copy (then quit), Discard, or Cancel."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Visit not copied")
    box.setText("The visit in progress has not been copied.")
    from ptcodes_gui.ui.clipboard import exit_note

    box.setInformativeText(
        f"Copy it to the clipboard before quitting, or discard it? {exit_note()}")
    copy = box.addButton("&Copy and quit", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton(QMessageBox.StandardButton.Discard)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(copy)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    return "copy" if clicked is copy else "discard" if clicked is discard else None


# --------------------------------------------------------------------------- files


class _Settings(Protocol):
    @property
    def read_only(self) -> bool: ...
    def get_setting(self, key: str, default: Any = None) -> Any: ...
    def set_setting(self, key: str, value: Any) -> None: ...


class FolderMemory:
    """The folder each kind of file dialog opened last; kept in the user's settings when
    ``attach`` gave it some, else for this session. The first time: the Documents folder."""

    def __init__(self) -> None:
        self._settings: _Settings | None = None
        self._session: dict[str, str] = {}

    def attach(self, settings: _Settings | None) -> None:
        self._settings = settings

    def folder(self, kind: str) -> str:
        stored: object = self._session.get(kind)
        if stored is None and self._settings is not None:
            with contextlib.suppress(Exception):  # a closed or broken store: Documents
                stored = self._settings.get_setting(f"dialogs.folder.{kind}")
        if isinstance(stored, str) and Path(stored).is_dir():
            return stored
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return docs if docs and Path(docs).is_dir() else str(Path.home())

    def remember(self, kind: str, path: Path) -> None:
        folder = str(path.parent)
        self._session[kind] = folder
        settings = self._settings
        if settings is not None and not settings.read_only:
            # a preference only: the file is what matters
            with contextlib.suppress(Exception):
                settings.set_setting(f"dialogs.folder.{kind}", folder)


FOLDERS = FolderMemory()
_SUFFIX_RE = re.compile(r"\(\*(\.[A-Za-z0-9]+)")


def open_file(parent: QWidget | None, title: str, filters: str, *, kind: str = "files"
              ) -> Path | None:
    """Choose a file to read, starting where the last one of ``kind`` was."""
    name, _ = QFileDialog.getOpenFileName(parent, title, FOLDERS.folder(kind), filters)
    if not name:
        return None
    FOLDERS.remember(kind, Path(name))
    return Path(name)


def save_file(
    parent: QWidget | None, title: str, default_name: str, filters: str, *,
    kind: str = "files",
) -> Path | None:
    """Choose where to write; a name typed without an extension gets the filter's (so
    ``mysetup`` becomes ``mysetup.json``)."""
    start = str(Path(FOLDERS.folder(kind)) / default_name)
    name, chosen = QFileDialog.getSaveFileName(parent, title, start, filters)
    if not name:
        return None
    path = with_suffix(Path(name), chosen or filters)
    FOLDERS.remember(kind, path)
    return path


def with_suffix(path: Path, filters: str) -> Path:
    """``path`` with the first extension named in ``filters`` when it has none."""
    found = _SUFFIX_RE.search(filters)
    if path.suffix or found is None:
        return path
    return path.with_name(path.name + found.group(1))
