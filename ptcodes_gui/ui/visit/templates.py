"""Visit templates: save the lines (never diagnoses) under a name, load, rename, delete."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QMenu, QToolButton, QWidget

from ptcodes_gui.domain.visit import Visit, VisitLine, validate_new_line
from ptcodes_gui.ui import dialogs
from ptcodes_gui.ui.visit.editor import VisitEditor, plural
from ptcodes_gui.ui.visit.style import error_style, ok_style
from ptcodes_gui.userdata.store import (
    DuplicateNameError,
    TemplateLine,
    UserDataError,
    UserStore,
    ValidationError,
)


class TemplatesBar(QWidget):
    """Signals: ``message(str)`` what happened (also shown in ``status``)."""

    message = Signal(str)

    def __init__(
        self, store: UserStore, editor: VisitEditor, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._editor = editor
        self._status_visit: Visit | None = None
        self.label = QLabel("Te&mplate")
        self.combo = QComboBox()
        self.combo.setAccessibleName("Visit template")
        self.combo.view().setAccessibleName("Visit templates")
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(5)
        self.label.setBuddy(self.combo)
        self.load_button = QToolButton()
        self.load_button.setText("Load")
        self.load_button.setAccessibleName("Load the template")
        self.load_button.setToolTip("Replace the lines with the template's")
        self.save_button = QToolButton()
        self.save_button.setText("Save…")
        self.save_button.setAccessibleName("Save the lines as a template")
        self.save_button.setToolTip(
            "Save codes, minutes, modifiers, provider and units (never diagnoses)"
        )
        self.menu_button = QToolButton()
        self.menu_button.setText("More")
        self.menu_button.setAccessibleName("More template actions")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.menu_button)
        self.menu.setAccessibleName("Template actions")
        self.rename_action = self.menu.addAction("Rename…")
        self.delete_action = self.menu.addAction("Delete…")
        self.menu_button.setMenu(self.menu)
        self.status = QLabel()
        self.status.setAccessibleName("Template message")
        self.status.setWordWrap(True)
        self.status.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.load_button)
        layout.addWidget(self.save_button)
        layout.addWidget(self.menu_button)
        self.load_button.clicked.connect(self._on_load_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.rename_action.triggered.connect(self._on_rename_triggered)
        self.delete_action.triggered.connect(self._on_delete_triggered)
        self.reload()

    # ------------------------------------------------------------------ API

    def names(self) -> list[str]:
        return [t.name for t in self._store.templates()]

    def show_visit(self, visit: Visit) -> None:
        self.save_button.setEnabled(bool(visit.lines))
        # The message speaks of the visit it was said about: it goes once that changes.
        if visit != self._status_visit:
            self.status.hide()

    def save(self, name: str, *, overwrite: bool = False) -> bool:
        """Save the lines (codes, minutes, own modifiers, provider, units set by hand; never
        diagnoses) as template ``name``; True if saved."""
        if self._store.read_only:
            self._problem(f"Templates cannot be saved: {self._store.read_only_reason}.")
            return False
        lines, skipped = self._template_lines()
        if not lines:
            self._problem("Add a procedure line before saving a template.")
            return False
        try:
            saved = self._store.save_template(name, lines, overwrite=overwrite)
        except DuplicateNameError:
            self._problem(f"A template named {name!r} already exists.")
            return False
        except UserDataError as exc:
            self._problem(f"The template was not saved: {exc}")
            return False
        self.reload(saved.name)
        note = f" (left out: {', '.join(skipped)})" if skipped else ""
        self._note(f"Template {saved.name!r} saved with {plural(len(lines), 'line')}{note}.")
        return True

    def load(self, name: str) -> bool:
        """Replace the lines with those of template ``name`` (diagnoses stay); undoable."""
        template = self._store.get_template(name)
        if template is None:
            self._problem(f"There is no template named {name!r}.")
            return False
        visit = self._editor.visit()
        pointers = ("A",) if visit.diagnoses else ()
        lines: list[VisitLine] = []
        skipped: list[str] = []
        for t in template.lines:
            refused = validate_new_line(t.code, self._editor.catalog)
            if refused:
                skipped.append(f"{t.code} ({refused[0].message})")
                continue
            try:
                lines.append(
                    VisitLine(
                        t.code,
                        t.minutes,
                        provider=t.provider,
                        units_override=t.units_override,
                        extra_modifiers=t.modifiers,
                        dx_pointers=pointers,
                    )
                )
            except ValueError as exc:
                skipped.append(f"{t.code} ({exc})")
        self._editor.set_lines(lines, f"Load template {template.name}")
        note = f" Skipped: {'; '.join(skipped)}" if skipped else ""
        self._note(
            f"Loaded {template.name!r}: {plural(len(lines), 'line')} (Ctrl+Z undoes).{note}"
        )
        return True

    def rename(self, old: str, new: str) -> bool:
        if self._store.read_only:
            self._problem(f"Templates cannot be renamed: {self._store.read_only_reason}.")
            return False
        try:
            renamed = self._store.rename_template(old, new)
        except UserDataError as exc:
            self._problem(str(exc))
            return False
        self.reload(renamed.name)
        self._note(f"Template {old!r} renamed to {renamed.name!r}.")
        return True

    def delete(self, name: str) -> bool:
        if self._store.read_only:
            self._problem(f"Templates cannot be deleted: {self._store.read_only_reason}.")
            return False
        try:
            deleted = self._store.delete_template(name)
        except UserDataError as exc:
            self._problem(str(exc))
            return False
        self.reload()
        if deleted:
            self._note(f"Template {name!r} deleted.")
        else:
            self._problem(f"There is no template named {name!r}.")
        return deleted

    def reload(self, select: str | None = None) -> None:
        current = select or self.combo.currentText()
        names = self.names()
        with QSignalBlocker(self.combo):
            self.combo.clear()
            self.combo.addItems(names)
            self._mark_clinic_items(names)
            at = self.combo.findText(current)
            self.combo.setCurrentIndex(at if at >= 0 else 0 if names else -1)
        self.combo.setPlaceholderText("None yet" if not names else "")
        has = bool(names)
        self.load_button.setEnabled(has)
        self.rename_action.setEnabled(has)
        self.delete_action.setEnabled(has)

    # ------------------------------------------------------------------ inside

    def _mark_clinic_items(self, names: list[str]) -> None:
        """Templates shared through the clinic folder: italic, with a tooltip that says so
        (they load like any other; saving under a new name gives a copy of one's own)."""
        italic = QFont(self.combo.font())
        italic.setItalic(True)
        for i, name in enumerate(names):
            if self._store.origin_of_template(name) == "clinic":
                self.combo.setItemData(i, italic, Qt.ItemDataRole.FontRole)
                self.combo.setItemData(
                    i, "From the clinic folder (shared by the clinic; save under a new name "
                    "to change it)", Qt.ItemDataRole.ToolTipRole)

    def _template_lines(self) -> tuple[list[TemplateLine], list[str]]:
        lines: list[TemplateLine] = []
        skipped: list[str] = []
        visit, result = self._editor.visit(), self._editor.result()
        for line, res in zip(visit.lines, result.lines, strict=True):
            if res.refused:
                skipped.append(f"{line.code} (refused)")
                continue
            override = line.units_override if line.units_override else None
            try:
                lines.append(
                    TemplateLine(
                        code=line.code,
                        minutes=line.minutes,
                        modifiers=line.extra_modifiers,
                        provider=line.provider,
                        units_override=override,
                    )
                )
            except ValidationError as exc:
                skipped.append(f"{line.code} ({exc})")
                continue
            if line.units_override == 0:
                skipped.append(f"{line.code}'s 0 units set by hand")
        return lines, skipped

    def _problem(self, text: str) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(error_style())
        self.status.show()
        self._status_visit = self._editor.visit()
        self.message.emit(text)

    def _note(self, text: str) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(ok_style())
        self.status.show()
        self._status_visit = self._editor.visit()
        self.message.emit(text)

    def load_current(self) -> bool:
        name = self.combo.currentText()
        return bool(name) and self.load(name)

    def _on_load_clicked(self) -> None:
        self.load_current()

    def _on_save_clicked(self) -> None:
        self.ask_save()

    def ask_save(self) -> None:
        """Ask a name (and whether to replace a template of that name), then save."""
        if self._store.read_only:
            self.save("")  # explains why nothing can be saved
            return
        name = dialogs.ask_text(
            self, "Save template", "Template name (codes and minutes only, no diagnoses):",
            self.combo.currentText(),
        )
        if name is None or not name.strip():
            return
        taken = {n.casefold() for n in self.names()}
        overwrite = False
        if " ".join(name.split()).casefold() in taken:
            if not dialogs.ask_yes_no(
                self, "Replace template", f"A template named {name!r} exists. Replace it?"
            ):
                return
            overwrite = True
        self.save(name, overwrite=overwrite)

    def _on_rename_triggered(self) -> None:
        old = self.combo.currentText()
        if not old:
            return
        new = dialogs.ask_text(self, "Rename template", f"New name for {old!r}:", old)
        if new is not None and new.strip() and new != old:
            self.rename(old, new)

    def _on_delete_triggered(self) -> None:
        name = self.combo.currentText()
        if name and dialogs.ask_yes_no(self, "Delete template", f"Delete template {name!r}?"):
            self.delete(name)
