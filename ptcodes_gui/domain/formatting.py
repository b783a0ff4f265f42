"""The text that is copied out of the visit builder (and printed by the CLI).

``format_visit(result, fmt)`` with ``fmt`` one of:

``"text"``  one line per billed procedure, then a blank line and the diagnoses::

        97530 GP x2 A
        97140 GP x1 A

        A M25.561

    Each line is the code, its modifiers (space-separated), ``x`` and the units, and the
    diagnosis pointers comma-separated (the field is left out when there are none). The
    diagnosis list is ``letter code``; it and the blank line before it are left out when the
    visit has no diagnosis.

``"tsv"``  one rectangular table (every row has the six header cells), so it pastes into a
    spreadsheet or parses with any TSV reader. Header
    ``Code, Modifiers, Units, Minutes, Dx pointers, Description``; one row per billed
    procedure (modifiers space-separated, pointers comma-separated, minutes empty when none
    were entered), then one row per diagnosis: its code, empty Modifiers/Units/Minutes, its
    own letter in "Dx pointers" and its title. No blank separator row (blank rows stop
    some importers); a diagnosis row is recognised by its empty Units cell. Cells never hold
    tabs or line breaks, and a cell starting with ``= + - @`` gets a leading ``'`` so no
    spreadsheet runs it as a formula.

``"codes"``  the billed procedure codes only, in visit order, each once, separated by
    ``", "`` (comma and space: readable, and EHR code fields split on either): ``97530, 97140``.

``"json"``  everything in the result (refused and 0-unit lines too, with ``billed``),
    ``indent=2``, keys sorted, fixed key names; ``"format": "ptcodes-visit"``,
    ``"version": 1``. A warning's stable id is under ``"id"``.

Only billed lines (known, active, at least one unit) go into text, tsv and codes. Diagnoses
are copied as entered (lettered A-L, the 12 a claim holds): the window shows the errors of
``VisitResult.warnings`` before copying.

Plain text only: every field goes through ``sanitize_text`` (control, bidirectional and
zero-width characters removed), so the line breaks and tabs in the output are the format's
own.
"""

from __future__ import annotations

import json
from typing import Final, Literal

from ptcodes_gui.domain.text import BIDI_CHARS as BIDI_CHARS  # re-exported
from ptcodes_gui.domain.text import ZERO_WIDTH_CHARS as ZERO_WIDTH_CHARS
from ptcodes_gui.domain.text import clean_text
from ptcodes_gui.domain.visit import LineResult, VisitResult

Format = Literal["text", "tsv", "codes", "json"]
FORMATS: Final[tuple[str, ...]] = ("text", "tsv", "codes", "json")

TSV_HEADER: Final[tuple[str, ...]] = (
    "Code",
    "Modifiers",
    "Units",
    "Minutes",
    "Dx pointers",
    "Description",
)
CODES_SEPARATOR: Final = ", "
JSON_FORMAT_NAME: Final = "ptcodes-visit"
JSON_VERSION: Final = 1

_FORMULA_START: Final = ("=", "+", "-", "@")


def sanitize_text(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` as safe plain text for pasting: ``domain.text.clean_text`` (the one cleaner);
    with ``keep_newlines=True`` line breaks and tabs are kept (for multi-line notes)."""
    return clean_text(text, multiline=keep_newlines, keep_tabs=keep_newlines)


def neutralize_cell(value: str) -> str:
    """A spreadsheet-safe single-line cell: sanitized, and prefixed with ``'`` when it
    starts like a formula (``= + - @``)."""
    cell = sanitize_text(value)
    return f"'{cell}" if cell.startswith(_FORMULA_START) else cell


def format_visit(result: VisitResult, fmt: Format | str) -> str:
    """The visit as ``"text"``, ``"tsv"``, ``"codes"`` or ``"json"`` (see the module doc).

    No trailing line break in any format. Raises ValueError for another ``fmt``.
    """
    if fmt == "text":
        return _text(result)
    if fmt == "tsv":
        return _tsv(result)
    if fmt == "codes":
        return _codes(result)
    if fmt == "json":
        return _json(result)
    raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")


def _clean_all(values: tuple[str, ...]) -> list[str]:
    return [cleaned for cleaned in (sanitize_text(v) for v in values) if cleaned]


def _lettered(result: VisitResult) -> list[tuple[str, str, str]]:
    return [
        (sanitize_text(dx.letter), sanitize_text(dx.code), sanitize_text(dx.title))
        for dx in result.diagnoses
        if dx.letter is not None
    ]


def _text_line(line: LineResult) -> str:
    parts = [sanitize_text(line.code), *_clean_all(line.modifiers), f"x{line.units}"]
    pointers = _clean_all(line.dx_pointers)
    if pointers:
        parts.append(",".join(pointers))
    return " ".join(parts)


def _text(result: VisitResult) -> str:
    blocks: list[str] = []
    procedures = [_text_line(line) for line in result.billed_lines]
    if procedures:
        blocks.append("\n".join(procedures))
    diagnoses = [f"{letter} {code}" for letter, code, _ in _lettered(result)]
    if diagnoses:
        blocks.append("\n".join(diagnoses))
    return "\n\n".join(blocks)


def _tsv(result: VisitResult) -> str:
    rows: list[list[str]] = [list(TSV_HEADER)]
    for line in result.billed_lines:
        rows.append(
            [
                line.code,
                " ".join(_clean_all(line.modifiers)),
                str(line.units),
                "" if line.minutes is None else str(line.minutes),
                ",".join(_clean_all(line.dx_pointers)),
                line.title,
            ]
        )
    for letter, code, title in _lettered(result):
        rows.append([code, "", "", "", letter, title])
    return "\n".join("\t".join(neutralize_cell(cell) for cell in row) for row in rows)


def _codes(result: VisitResult) -> str:
    codes = dict.fromkeys(sanitize_text(line.code) for line in result.billed_lines)
    return CODES_SEPARATOR.join(code for code in codes if code)


def _clean_json(value: object) -> object:
    if isinstance(value, str):
        return sanitize_text(value)
    if isinstance(value, dict):
        return {sanitize_text(str(k)): _clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json(v) for v in value]
    return value


def _json(result: VisitResult) -> str:
    data: dict[str, object] = {
        "format": JSON_FORMAT_NAME,
        "version": JSON_VERSION,
        "profile": result.profile.to_dict(),
        "lines": [
            {
                "index": line.index,
                "code": line.code,
                "title": line.title,
                "system": line.system,
                "timed": line.timed,
                "counting": line.counting,
                "minutes": line.minutes,
                "computed_units": line.computed_units,
                "units": line.units,
                "overridden": line.overridden,
                "billed": line.billed,
                "by_default": line.by_default,
                "modifiers": list(line.modifiers),
                "suggested_modifiers": list(line.suggested_modifiers),
                "dx_pointers": list(line.dx_pointers),
                "provider": line.provider,
            }
            for line in result.lines
        ],
        "diagnoses": [
            {
                "letter": dx.letter,
                "code": dx.code,
                "title": dx.title,
                "known": dx.known,
                "billable": dx.billable,
            }
            for dx in result.diagnoses
        ],
        "totals": {
            "total_timed_minutes": result.total_timed_minutes,
            "separate_timed_minutes": result.separate_timed_minutes,
            "timed_units": result.timed_units,
            "untimed_units": result.untimed_units,
            "total_units": result.total_units,
            "computed_timed_units": result.computed_timed_units,
        },
        "ties": [
            {
                "line_indices": list(tie.line_indices),
                "codes": list(tie.codes),
                "units": tie.units,
                "remaining_minutes": tie.remaining_minutes,
                "default_line_indices": list(tie.default_line_indices),
                "resolved": tie.resolved,
            }
            for tie in result.ties
        ],
        "warnings": [
            {
                "id": warning.code,
                "severity": warning.severity,
                "message": warning.message,
                "codes": list(warning.codes),
                "line": warning.line,
                "suggestions": list(warning.suggestions),
            }
            for warning in result.warnings
        ],
    }
    return json.dumps(_clean_json(data), indent=2, sort_keys=True, ensure_ascii=False)
