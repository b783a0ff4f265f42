"""Thin Qt adapters over ``domain.visit``: the visit's lines, its diagnoses, its warnings.

The models hold the ``Visit`` the clinician entered and the ``VisitResult`` the engine made
of it, and never compute a rule themselves. An edit in the lines table becomes a new
``VisitLine`` handed out through ``VisitLinesModel.line_edited``: the panel turns it into an
undoable change, re-evaluates the visit and calls ``set_visit`` with the new result.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Final

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from ptcodes_gui.domain.visit import (
    DX_LETTERS,
    MAX_LINE_MINUTES,
    MAX_LINE_UNITS,
    DiagnosisResult,
    LineResult,
    MappingLookup,
    Visit,
    VisitLine,
    VisitResult,
    Warning,
    evaluate,
)
from ptcodes_gui.ui import theme

_Index = QModelIndex | QPersistentModelIndex

CODE, MINUTES, UNITS, PROVIDER, MODIFIERS, DX, TITLE = range(7)
COLUMNS: Final = ("Code", "Min", "Units", "By", "Modifiers", "Dx", "Service")
COLUMN_NAMES: Final = (
    "Code",
    "Minutes",
    "Units",
    "Provider",
    "Modifiers",
    "Diagnosis pointers",
    "Service",
)
COLUMN_TIPS: Final = (
    "Procedure code",
    "Minutes of this code (timed codes); type a number",
    "Units billed. Type a number to set them by hand (marked ✎); clear it to use the rule",
    "Who treated: PT, PTA (CQ on every unit), or type the PTA's minutes (e.g. PTA 15) when "
    "the PT and the PTA shared this line: CQ then goes on the units the PTA furnished",
    "Modifiers on the claim line; edit to add your own (e.g. 59, XU)",
    "Diagnosis letters this line points to, primary first (e.g. A or A,B)",
    "What the code is",
)
EDITABLE: Final = frozenset({MINUTES, UNITS, PROVIDER, MODIFIERS, DX})
PROVIDER_LABELS: Final = {"pt": "PT", "pta": "PTA"}
OVERRIDE_MARK: Final = "✎"
TIE_MARK: Final = "?"

LineRole: Final = Qt.ItemDataRole.UserRole + 1
WarningRole: Final = Qt.ItemDataRole.UserRole + 2
DiagnosisRole: Final = Qt.ItemDataRole.UserRole + 3

_SEVERITY_ORDER: Final = {"error": 0, "warning": 1, "info": 2}
_SEVERITY_LABELS: Final = {"error": "Error", "warning": "Warning", "info": "Note"}
_SPLIT_RE: Final = re.compile(r"[\s,;/]+")
_PTA_MINUTES_RE: Final = re.compile(r"^(?:pta)?\s*(\d{1,4})$")


def _error_brush() -> QBrush:
    return QBrush(theme.colour("error"))


def _muted_brush() -> QBrush:
    return QBrush(theme.muted())


def parse_modifiers(text: str) -> tuple[str, ...]:
    """``"59 xu"`` → ``("59", "XU")``; raises ValueError on a token that is not 2 characters."""
    tokens = [t for t in _SPLIT_RE.split(text.strip().upper()) if t]
    for token in tokens:
        if len(token) != 2 or not token.isalnum() or not token.isascii():
            raise ValueError(f"{token!r} is not a modifier (two letters or digits, e.g. 59, XU)")
    return tuple(dict.fromkeys(tokens))


def parse_pointers(text: str) -> tuple[str, ...]:
    """``"a, b"`` or ``"AB"`` → ``("A", "B")``; raises ValueError on anything but A-L."""
    letters = [c for c in text.upper() if not c.isspace() and c not in ",;/"]
    for letter in letters:
        if letter not in DX_LETTERS:
            raise ValueError(f"{letter!r} is not a diagnosis letter (A-L)")
    return tuple(dict.fromkeys(letters))


def parse_provider(text: str, minutes: int | None) -> tuple[str, int | None]:
    """The By cell: ``"PT"`` → ``("pt", None)``, ``"PTA"`` → ``("pta", None)`` (every
    minute), ``"PTA 15"`` or ``"15"`` → ``("pt", 15)``: 15 of the line's ``minutes`` by the
    PTA. Raises ValueError (a sentence) otherwise, or for more PTA minutes than the line's."""
    value = " ".join(text.split()).lower()
    if value in PROVIDER_LABELS:
        return value, None
    found = _PTA_MINUTES_RE.match(value)
    if found is None:
        raise ValueError(f"{text!r}: write PT, PTA, or the PTA's minutes (e.g. PTA 15)")
    pta = int(found.group(1))
    if minutes is None or pta > minutes:
        raise ValueError(f"the PTA's {pta} minutes are more than the line's {minutes or 0}")
    return "pt", pta or None


def provider_text(line: VisitLine) -> str:
    """What the By cell shows: PT, PTA, or PTA and its minutes on a shared line."""
    if line.shared:
        return f"PTA {line.pta_minutes}"
    return PROVIDER_LABELS.get(line.provider, line.provider)


def _empty_result(visit: Visit) -> VisitResult:
    # the empty starting state: no lines, no diagnoses, nothing is looked up
    return evaluate(visit, MappingLookup(()))


def _severity_icon(severity: str) -> QIcon:
    pixmap = {
        "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
        "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    }.get(severity, QStyle.StandardPixmap.SP_MessageBoxInformation)
    return QApplication.style().standardIcon(pixmap)


class VisitLinesModel(QAbstractTableModel):
    """One row per visit line: code, minutes, units, provider, modifiers, pointers, title.

    Signals: ``line_edited(row, VisitLine, column)`` when the user edits a cell; the model
    itself does not change until ``set_visit`` is called with the new visit and result.
    """

    line_edited = Signal(int, object, int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._visit = Visit()
        self._result = _empty_result(self._visit)

    # ---------------------------------------------------------------- state

    def set_visit(self, visit: Visit, result: VisitResult) -> None:
        """Show ``visit`` as evaluated in ``result`` (same number of lines)."""
        if len(result.lines) != len(visit.lines):
            raise ValueError("the result does not belong to this visit")
        if len(visit.lines) != len(self._visit.lines):
            self.beginResetModel()
            self._visit, self._result = visit, result
            self.endResetModel()
            return
        self._visit, self._result = visit, result
        if visit.lines:
            # The whole table: units move between lines when any minutes change.
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(visit.lines) - 1, len(COLUMNS) - 1)
            )

    def visit(self) -> Visit:
        return self._visit

    def result(self) -> VisitResult:
        return self._result

    def line(self, row: int) -> VisitLine | None:
        return self._visit.lines[row] if 0 <= row < len(self._visit.lines) else None

    def line_result(self, row: int) -> LineResult | None:
        return self._result.lines[row] if 0 <= row < len(self._result.lines) else None

    def line_warnings(self, row: int) -> list[Warning]:
        return [w for w in self._result.warnings if w.line == row]

    # ---------------------------------------------------------------- Qt model

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._visit.lines)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMN_TIPS[section]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return COLUMN_NAMES[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        result = self.line_result(index.row())
        if index.column() in EDITABLE and result is not None and not result.refused:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._visit.lines):
            return None
        row, col = index.row(), index.column()
        line, res = self._visit.lines[row], self._result.lines[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(line, res, col)
        if role == Qt.ItemDataRole.EditRole:
            return self._edit_value(line, col)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{COLUMN_NAMES[col]}: {self._display(line, res, col) or 'none'}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, line, res, col)
        if role == Qt.ItemDataRole.FontRole and col == UNITS and (res.overridden or res.by_default):
            font = QFont()
            font.setBold(res.overridden)
            font.setItalic(res.by_default)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and col == UNITS and res.overridden:
            return QBrush(theme.chip_colours("override")[0])
        if role == Qt.ItemDataRole.ForegroundRole:
            if res.refused or (col == CODE and any(
                w.severity == "error" for w in self.line_warnings(row)
            )):
                return _error_brush()
            if col == UNITS and res.overridden:
                return QBrush(theme.chip_colours("override")[1])
            if not res.billed or (col == MINUTES and not res.timed):
                return _muted_brush()
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (MINUTES, UNITS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole and col == CODE:
            severities = {w.severity for w in self.line_warnings(row)}
            for severity in ("error", "warning"):
                if severity in severities:
                    return _severity_icon(severity)
            return None
        if role == LineRole:
            return line
        return None

    @staticmethod
    def _display(line: VisitLine, res: LineResult, col: int) -> str:
        if col == CODE:
            return res.code
        if col == MINUTES:
            return "" if line.minutes is None else str(line.minutes)
        if col == UNITS:
            if res.refused:
                return "–"
            mark = OVERRIDE_MARK if res.overridden else TIE_MARK if res.by_default else ""
            return f"{res.units}{mark}"
        if col == PROVIDER:
            return provider_text(line)
        if col == MODIFIERS:
            if res.refused:
                return " ".join(line.extra_modifiers)
            split = f"  (CQ ×{res.cq_units})" if res.cq_split else ""
            return " ".join(res.modifiers) + split
        if col == DX:
            return ",".join(line.dx_pointers)
        if col == TITLE:
            return res.title if not res.refused else "refused: see the warnings"
        return ""

    @staticmethod
    def _edit_value(line: VisitLine, col: int) -> Any:
        if col == MINUTES:
            return line.minutes if line.minutes is not None else 0
        if col == UNITS:
            return "" if line.units_override is None else str(line.units_override)
        if col == PROVIDER:
            return provider_text(line)
        if col == MODIFIERS:
            return " ".join(line.extra_modifiers)
        if col == DX:
            return ",".join(line.dx_pointers)
        if col == CODE:
            return line.code
        return None

    def _tooltip(self, row: int, line: VisitLine, res: LineResult, col: int) -> str:
        parts: list[str] = []
        if col in (CODE, TITLE):
            parts.append(f"{res.code} {res.title}".strip())
        elif col == UNITS:
            if res.overridden:
                parts.append(
                    f"Set by hand ({OVERRIDE_MARK}); the rule gives {res.computed_units}. "
                    "Clear the cell to go back to the rule."
                )
            elif res.by_default:
                parts.append(
                    f"Tie ({TIE_MARK}): this line has the tied unit for now; choose in the tie "
                    "bar below the table."
                )
            else:
                parts.append(COLUMN_TIPS[UNITS])
        elif col == MODIFIERS:
            parts.append(
                "Your own: " + (" ".join(line.extra_modifiers) or "none")
                + (f". Suggested: {' or '.join(res.suggested_modifiers)}"
                   if res.suggested_modifiers else "")
            )
            parts.extend(_split_tip(res))
        elif col == PROVIDER:
            parts.append(COLUMN_TIPS[PROVIDER])
            if line.shared:
                parts.append(f"{line.pta_minutes} of its {line.minutes} minutes by the PTA.")
            parts.extend(_split_tip(res))
        else:
            parts.append(COLUMN_TIPS[col])
        parts.extend(w.message for w in self.line_warnings(row))
        return "\n\n".join(parts)

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        row, col = index.row(), index.column()
        line = self._visit.lines[row]
        try:
            new = self._edited(line, col, value)
        except (ValueError, TypeError):
            return False
        if new != line:
            self.line_edited.emit(row, new, col)
        return True

    @staticmethod
    def _edited(line: VisitLine, col: int, value: Any) -> VisitLine:
        text = "" if value is None else str(value).strip()
        if col == MINUTES:
            minutes = None if text == "" else int(text)
            if minutes is not None and not 0 <= minutes <= MAX_LINE_MINUTES:
                raise ValueError(minutes)
            return replace(line, minutes=minutes)
        if col == UNITS:
            units = None if text == "" else int(text)
            if units is not None and not 0 <= units <= MAX_LINE_UNITS:
                raise ValueError(units)
            return replace(line, units_override=units)
        if col == PROVIDER:
            provider, pta = parse_provider(text, line.minutes)
            return replace(line, provider=provider, pta_minutes=pta)  # type: ignore[arg-type]
        if col == MODIFIERS:
            return replace(line, extra_modifiers=parse_modifiers(text))
        if col == DX:
            return replace(line, dx_pointers=parse_pointers(text))
        raise ValueError(col)


def _split_tip(res: LineResult) -> list[str]:
    if not res.cq_split:
        return []
    return [
        f"Copied as two claim lines: {res.code} ×{res.units - res.cq_units} without CQ and "
        f"{res.code} CQ ×{res.cq_units} (the units the PTA furnished)."
    ]


class DiagnosesModel(QAbstractListModel):
    """The visit's diagnoses, lettered A-L in order (as the engine reports them)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._diagnoses: tuple[DiagnosisResult, ...] = ()

    def set_result(self, result: VisitResult) -> None:
        self.beginResetModel()
        self._diagnoses = result.diagnoses
        self.endResetModel()

    def diagnosis(self, row: int) -> DiagnosisResult | None:
        return self._diagnoses[row] if 0 <= row < len(self._diagnoses) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._diagnoses)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._diagnoses):
            return None
        dx = self._diagnoses[index.row()]
        letter = dx.letter or "–"
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            title = dx.title or "not in the catalog"
            return f"{letter}  {dx.code}  {title}"
        if role == Qt.ItemDataRole.ToolTipRole:
            state = (
                "billable" if dx.billable
                else "a header, not billable: pick a code below it" if dx.known
                else "not an ICD-10-CM code in the catalog"
            )
            extra = "" if dx.letter else " (beyond L: left off the claim)"
            return f"{letter} {dx.code} {dx.title}\n{state}{extra}\nDelete removes it."
        if role == Qt.ItemDataRole.ForegroundRole and (not dx.billable or dx.letter is None):
            return _error_brush()
        if role == DiagnosisRole:
            return dx
        return None


class WarningsModel(QAbstractListModel):
    """The engine's warnings, errors first; each names its fix."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._warnings: list[Warning] = []

    def set_result(self, result: VisitResult) -> None:
        self.beginResetModel()
        self._warnings = sorted(result.warnings, key=lambda w: _SEVERITY_ORDER[w.severity])
        self.endResetModel()

    def warning(self, row: int) -> Warning | None:
        return self._warnings[row] if 0 <= row < len(self._warnings) else None

    def warnings(self) -> list[Warning]:
        return list(self._warnings)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._warnings)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._warnings):
            return None
        warning = self._warnings[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{warning.message}  [{warning.code}]"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return (
                f"{_SEVERITY_LABELS[warning.severity]}: {warning.message} "
                f"(rule {warning.code}; Enter explains it)"
            )
        if role == Qt.ItemDataRole.ToolTipRole:
            fix = (
                f"\n\nOffered: {', '.join(warning.suggestions)} (see the bar above)"
                if warning.suggestions
                else ""
            )
            return (
                f"{_SEVERITY_LABELS[warning.severity]}: {warning.message}{fix}\n\n"
                f"Rule {warning.code}: Enter or double-click explains it (Help → Billing rules)"
            )
        if role == Qt.ItemDataRole.DecorationRole:
            return _severity_icon(warning.severity)
        if role == Qt.ItemDataRole.ForegroundRole and warning.severity == "error":
            return _error_brush()
        if role == WarningRole:
            return warning
        return None
