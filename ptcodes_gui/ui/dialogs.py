"""Small dialogs of the visit builder: a payer profile, a name, a yes/no, copy with errors.

Each is a module-level function (or an ``ask`` classmethod) that returns the answer, so a
test can replace it with ``monkeypatch.setattr(dialogs, "ask_text", ...)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
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
    parent: QWidget | None, errors: Sequence[str], left_out: Sequence[str]
) -> bool:
    """The visit has errors: copy the billable lines anyway?"""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("The visit has errors")
    box.setText(
        f"The visit has {len(errors)} error{'s' if len(errors) != 1 else ''}. Copy the "
        "billable lines anyway?"
    )
    details = list(errors)
    if left_out:
        details.append("Left out of the copy: " + ", ".join(left_out) + ".")
    box.setInformativeText("\n\n".join(details))
    copy = box.addButton("Copy billable lines", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    chosen = box.clickedButton() is copy
    box.deleteLater()
    return chosen
