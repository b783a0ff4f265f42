"""The copy area: format, a preview that is exactly what is copied, Copy and New visit.

The text itself is ``domain.formatting.format_visit`` of the result, the same text
``ptcodes visit`` prints.
"""

from __future__ import annotations

import contextlib
from typing import Final

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction, QFontDatabase, QKeySequence, QTextOption
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ptcodes_gui.domain.fees import VisitEstimate
from ptcodes_gui.domain.formatting import FORMATS, format_visit
from ptcodes_gui.domain.visit import Visit, VisitResult
from ptcodes_gui.ui import dialogs
from ptcodes_gui.ui.clipboard import put_text
from ptcodes_gui.ui.visit.editor import plural
from ptcodes_gui.ui.visit.style import error_style, ok_style, warning_style
from ptcodes_gui.userdata.store import UserDataError, UserStore

FORMAT_LABELS: Final = {"text": "Text", "tsv": "TSV (spreadsheet)", "codes": "Codes only",
                        "json": "JSON"}
SETTING_FORMAT: Final = "visit.copy_format"


def left_out(result: VisitResult, billable: VisitResult | None = None) -> list[str]:
    """What a copy leaves out: lines an error is about (when ``billable``, the visit
    without them, is what is copied), refused lines, lines of 0 units, diagnoses after L."""
    out: list[str] = []
    if billable is not None and billable is not result:
        kept = [line.code for line in billable.lines]
        for line in result.lines:
            if line.code in kept:
                kept.remove(line.code)
            else:
                out.append(f"{line.code} (error)")
        result = billable
    for line in result.lines:
        if line.refused:
            out.append(f"{line.code} (refused)")
        elif not line.billed:
            out.append(f"{line.code} (0 units)")
    out.extend(f"{dx.code} (after L)" for dx in result.diagnoses if dx.letter is None)
    return out


def _note_label(name: str, accessible: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setWordWrap(True)
    label.hide()
    return label


class CopyArea(QWidget):
    """Signals: ``message(str)`` what was copied; ``copied()`` after a copy;
    ``new_visit_clicked()``. The confirmation under the preview speaks of the visit as it
    was copied: it goes away when the visit changes."""

    message = Signal(str)
    copied = Signal()
    new_visit_clicked = Signal()

    def __init__(self, store: UserStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._visit = Visit()
        self._result: VisitResult | None = None
        self._estimate: VisitEstimate | None = None  # Medicare estimate in text and json
        #: what is copied: the visit without the lines an error is about, and its estimate
        self._billable: tuple[VisitResult, VisitEstimate | None] | None = None
        self._status_visit: Visit | None = None
        fm = self.fontMetrics()
        self.format_label = QLabel("F&ormat")
        self.format_combo = QComboBox()
        self.format_combo.setAccessibleName("Copy format")
        self.format_combo.view().setAccessibleName("Copy formats")
        # the whole name always shows ("TSV (spreadsheet)" was cut at 150 %)
        self.format_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for fmt in FORMATS:
            self.format_combo.addItem(FORMAT_LABELS.get(fmt, fmt), fmt)
        self.format_label.setBuddy(self.format_combo)
        self.copy_button = QPushButton("Copy visit")
        self.copy_button.setAccessibleName("Copy the visit")
        self.copy_button.setToolTip("Copy the visit as plain text (Ctrl+Shift+C)")
        self.copy_action = QAction("&Copy visit", self)
        self.copy_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.new_visit_button = QToolButton()
        self.new_visit_button.setText("New visit")
        self.new_visit_button.setAccessibleName("Start a new visit")
        self.new_visit_button.setToolTip("Clear the lines and diagnoses (undoable)")
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName("Preview of what will be copied")
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.preview.setTabChangesFocus(True)
        self.preview.setMinimumHeight(fm.height() * 3)
        self.left_out_label = _note_label("copyLeftOut", "Left out of the copy")
        self.status = QLabel()
        self.status.setAccessibleName("Copy confirmation")
        self.status.setWordWrap(True)
        self.status.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        row = QHBoxLayout()
        row.addWidget(self.format_label)
        row.addWidget(self.format_combo, 1)
        row.addWidget(self.copy_button)
        row.addWidget(self.new_visit_button)
        layout.addLayout(row)
        layout.addWidget(self.left_out_label)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.status)
        self._restore_format()
        self.format_combo.currentIndexChanged.connect(self._on_format_changed)
        self.copy_button.clicked.connect(self.copy_visit)
        self.copy_action.triggered.connect(self.copy_visit)
        self.new_visit_button.clicked.connect(self.new_visit_clicked)

    def format(self) -> str:
        fmt = self.format_combo.currentData()
        return fmt if isinstance(fmt, str) else "text"

    def show_result(
        self, visit: Visit, result: VisitResult, estimate: VisitEstimate | None = None,
        *, billable: tuple[VisitResult, VisitEstimate | None] | None = None,
    ) -> None:
        """Show what a copy of ``result`` gives; ``billable`` is the visit without the lines
        an error is about (what is copied when the visit has errors)."""
        self._visit, self._result, self._estimate = visit, result, estimate
        self._billable = billable
        if visit != self._status_visit:
            self.status.hide()
        self.new_visit_button.setEnabled(bool(visit.lines or visit.diagnoses))
        missing = self._left_out()
        self.left_out_label.setText(
            f"Left out of the copy: {', '.join(missing)}." if missing else "")
        self.left_out_label.setStyleSheet(error_style() if result.errors else warning_style())
        self.left_out_label.setVisible(bool(missing))
        self._show_preview()

    def _copied(self) -> tuple[VisitResult | None, VisitEstimate | None]:
        """The result that a copy formats (the billable part when there are errors)."""
        if self._result is not None and self._result.errors and self._billable is not None:
            return self._billable
        return self._result, self._estimate

    def _left_out(self) -> list[str]:
        result = self._result
        if result is None:
            return []
        return left_out(result, self._copied()[0])

    def _show_preview(self) -> None:
        result, estimate = self._copied()
        text = format_visit(result, self.format(), estimate) if result is not None else ""
        if self.preview.toPlainText() != text:
            self._align_columns(text)
            self.preview.setPlainText(text)
            # every line of a usual visit in view (the diagnoses come last), up to seven
            rows = min(max(text.count("\n") + 1, 3), 7)
            fm = self.preview.fontMetrics()
            margin = self.preview.document().documentMargin()
            frame = self.preview.frameWidth() * 2 + round(margin * 2)
            self.preview.setMinimumHeight(rows * fm.lineSpacing() + frame + 2)

    def _align_columns(self, text: str) -> None:
        """Tab stops after the widest cell of each TSV column, so the preview reads as a
        table ("Dx pointers" never runs into "Description"); the text keeps its tabs."""
        fm = self.preview.fontMetrics()
        gap = fm.horizontalAdvance("  ")
        widths: list[int] = []
        for line in text.splitlines():
            for i, cell in enumerate(line.split("\t")[:-1]):
                width = fm.horizontalAdvance(cell) + gap
                if i < len(widths):
                    widths[i] = max(widths[i], width)
                else:
                    widths.append(width)
        option = self.preview.document().defaultTextOption()
        stops: list[QTextOption.Tab] = []
        at = 0
        for width in widths:
            at += width
            stops.append(QTextOption.Tab(at, QTextOption.TabType.LeftTab))
        option.setTabs(stops)
        if not stops:
            option.setTabStopDistance(fm.horizontalAdvance(" ") * 8)
        self.preview.document().setDefaultTextOption(option)

    def copy_visit(self) -> str:
        """Copy the visit in the chosen format as plain text; returns what was copied ("" if
        nothing was). With errors, asks first and says what was left out."""
        result = self._result
        if result is None or (not self._visit.lines and not self._visit.diagnoses):
            self._confirm("Nothing to copy: add a code first.", warning_style())
            return ""
        fmt = self.format()
        copied, estimate = self._copied()
        assert copied is not None
        text = format_visit(copied, fmt, estimate)
        missing = self._left_out()
        if not copied.billed_lines and result.errors and fmt != "json":
            self._confirm("Nothing to copy: no line without an error has a unit to bill "
                          "(see Warnings).", error_style())
            return ""
        if result.errors and not dialogs.confirm_copy_with_errors(
            self, [w.message for w in result.errors], missing, len(copied.billed_lines)
        ):
            self._confirm("Not copied: the visit has errors (see Warnings).", error_style())
            return ""
        if not text:
            self._confirm("Nothing to copy: no line has a unit to bill.", warning_style())
            return ""
        put_text(text)
        lines = [line for line in text.splitlines() if line.strip()]
        if fmt == "codes":
            what = f"Copied {plural(len(copied.billed_lines), 'code')}"
        elif fmt == "json":
            what = "Copied the visit as JSON"
        else:
            what = f"Copied {plural(len(lines), 'line')}"
        if missing:
            what += f"; left out: {', '.join(missing)}"
        if result.errors:
            what += f" ({plural(len(result.errors), 'error')} not fixed)"
        self._confirm(what + ".", warning_style() if result.errors or missing else ok_style())
        self.copied.emit()
        return text

    def _confirm(self, text: str, style: str) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(style)
        self.status.show()
        self._status_visit = self._visit
        self.message.emit(text)

    def _restore_format(self) -> None:
        fmt = self._store.get_setting(SETTING_FORMAT)
        at = self.format_combo.findData(fmt) if isinstance(fmt, str) else -1
        if at >= 0:
            with QSignalBlocker(self.format_combo):
                self.format_combo.setCurrentIndex(at)

    def _on_format_changed(self, _index: int) -> None:
        self._show_preview()
        if self._store.read_only:
            return
        with contextlib.suppress(UserDataError):  # a preference only
            self._store.set_setting(SETTING_FORMAT, self.format())
