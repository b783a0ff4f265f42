"""The text that is copied out of the visit builder (and printed by the CLI).

``format_visit(result, fmt)`` with ``fmt`` one of:

``"text"``  one line per billed procedure, the totals, then a blank line and the diagnoses::

        97530 GP x2 A (23 min)
        97140 GP x1 A (15 min)
        Timed: 38 min, 3 units

        A M25.561

    Each line is the code, its modifiers (space-separated), ``x`` and the units, the
    diagnosis pointers comma-separated (left out when there are none) and, for a timed code
    with minutes entered, its minutes in brackets. The totals line gives the timed minutes
    (all timed codes, those counted on their own included) and the timed units, then
    ``; untimed: N units`` when there are untimed ones (``Untimed: N units`` alone when
    nothing is timed): billers check the units against the minutes. The diagnosis list is
    ``letter code``; it and the blank line before it are left out when the visit has no
    diagnosis.

``"tsv"``  one rectangular table for a spreadsheet or an EHR grid: the header
    ``Code, Modifiers, Units, Minutes, Dx pointers, Diagnoses, Description`` and one row per
    billed procedure (modifiers space-separated, pointers and the ICD-10-CM codes they point
    to comma-separated, minutes empty when none were entered). Nothing else: no diagnosis or
    totals rows, no blank rows. Cells never hold tabs or line breaks, and a cell starting
    with ``= + - @`` gets a leading ``'`` so no spreadsheet runs it as a formula.

``"codes"``  the billed procedure codes with their units, in visit order, each code once
    (units of repeated lines added up), separated by ``", "``: ``97530 x2, 97140 x1``.

``"json"``  everything in the result (refused and 0-unit lines too, with ``billed``),
    ``indent=2``, keys sorted, fixed key names; ``"format": "ptcodes-visit"``,
    ``"version": 1``. Each warning has its rule ``"id"`` (docs/RULES.md), ``"severity"``,
    ``"message"``, ``"codes"``, ``"line"``, ``"suggestions"``, ``"sources"`` (each with
    ``id``, ``label`` and full ``citation``), ``"source"`` (the first of them),
    ``"confidence"``, ``"as_of"``, ``"details"`` (a longer note, "" when none) and ``"verify"``
    (an unverified fact).

With ``estimate`` (a ``domain.fees.VisitEstimate``: a fee schedule is imported and the
profile has a locality), text gets one more line after the totals, ``Medicare estimate
(non-facility, locality 13202-01, PFS 2026 Jul, MPPR applied): $80.33``, and JSON an
``"estimate"`` object (``fees.estimate_json``); tsv and codes stay as they are (what an EHR
field accepts). Without one, no amount anywhere (never an invented number).

A line the PT and the PTA shared, with only some of its units carrying CQ, is two claim
lines in text and tsv (``VisitResult.claim_lines``): the units without CQ with the PT's
minutes, then the units with CQ with the PTA's, e.g. ``97110 GP x1 A (13 of 36 min by the PT)``
and ``97110 GP CQ x1 A (23 of 36 min by the PTA)``; JSON keeps one entry per visit line with
``pta_minutes``, ``pta_units`` and ``cq_units``, and lists the claim lines under
``"claim_lines"``.

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

from ptcodes_gui.domain.fees import VisitEstimate, estimate_json, estimate_summary
from ptcodes_gui.domain.models import Code
from ptcodes_gui.domain.sources import SOURCES
from ptcodes_gui.domain.text import BIDI_CHARS as BIDI_CHARS  # re-exported
from ptcodes_gui.domain.text import ZERO_WIDTH_CHARS as ZERO_WIDTH_CHARS
from ptcodes_gui.domain.text import clean_text
from ptcodes_gui.domain.visit import ClaimLine, LineResult, VisitResult, Warning

Format = Literal["text", "tsv", "codes", "json"]
FORMATS: Final[tuple[str, ...]] = ("text", "tsv", "codes", "json")

TSV_HEADER: Final[tuple[str, ...]] = (
    "Code",
    "Modifiers",
    "Units",
    "Minutes",
    "Dx pointers",
    "Diagnoses",
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


def format_visit(
    result: VisitResult, fmt: Format | str, estimate: VisitEstimate | None = None
) -> str:
    """The visit as ``"text"``, ``"tsv"``, ``"codes"`` or ``"json"`` (see the module doc),
    with the Medicare ``estimate`` in text and json when there is one.

    No trailing line break in any format. Raises ValueError for another ``fmt``.
    """
    if fmt == "text":
        return _text(result, estimate)
    if fmt == "tsv":
        return _tsv(result)
    if fmt == "codes":
        return _codes(result)
    if fmt == "json":
        return _json(result, estimate)
    raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")


def _clean_all(values: tuple[str, ...]) -> list[str]:
    return [cleaned for cleaned in (sanitize_text(v) for v in values) if cleaned]


def _lettered(result: VisitResult) -> list[tuple[str, str, str]]:
    return [
        (sanitize_text(dx.letter), sanitize_text(dx.code), sanitize_text(dx.title))
        for dx in result.diagnoses
        if dx.letter is not None
    ]


def _text_line(part: ClaimLine) -> str:
    line = part.line
    parts = [sanitize_text(part.code), *_clean_all(part.modifiers), f"x{part.units}"]
    pointers = _clean_all(line.dx_pointers)
    if pointers:
        parts.append(",".join(pointers))
    if line.timed and part.minutes is not None:
        if part.shared:
            who = "PTA" if part.split_part else "PT"
            parts.append(f"({part.minutes} of {line.minutes} min by the {who})")
        else:
            parts.append(f"({part.minutes} min)")
    return " ".join(parts)


def _units(n: int) -> str:
    return f"{n} unit" if n == 1 else f"{n} units"


def _totals_line(result: VisitResult) -> str:
    billed = result.billed_lines
    timed_minutes = sum(line.minutes or 0 for line in billed if line.timed)
    timed_units = sum(line.units for line in billed if line.timed)
    untimed_units = sum(line.units for line in billed if not line.timed)
    if not any(line.timed for line in billed):
        return f"Untimed: {_units(untimed_units)}"
    text = f"Timed: {timed_minutes} min, {_units(timed_units)}"
    return text + (f"; untimed: {_units(untimed_units)}" if untimed_units else "")


def _text(result: VisitResult, estimate: VisitEstimate | None = None) -> str:
    blocks: list[str] = []
    procedures = [_text_line(part) for part in result.claim_lines]
    if procedures:
        summary = [estimate_summary(estimate)] if estimate is not None else []
        blocks.append("\n".join([*procedures, _totals_line(result), *summary]))
    diagnoses = [f"{letter} {code}" for letter, code, _ in _lettered(result)]
    if diagnoses:
        blocks.append("\n".join(diagnoses))
    return "\n\n".join(blocks)


def _pointed(result: VisitResult, line: LineResult) -> str:
    by_letter = {letter: code for letter, code, _ in _lettered(result)}
    return ",".join(by_letter[p] for p in _clean_all(line.dx_pointers) if p in by_letter)


def _tsv(result: VisitResult) -> str:
    rows: list[list[str]] = [list(TSV_HEADER)]
    for part in result.claim_lines:
        line = part.line
        rows.append(
            [
                part.code,
                " ".join(_clean_all(part.modifiers)),
                str(part.units),
                "" if part.minutes is None else str(part.minutes),
                ",".join(_clean_all(line.dx_pointers)),
                _pointed(result, line),
                line.title,
            ]
        )
    return "\n".join("\t".join(neutralize_cell(cell) for cell in row) for row in rows)


def _codes(result: VisitResult) -> str:
    units: dict[str, int] = {}
    for line in result.billed_lines:
        code = sanitize_text(line.code)
        if code:
            units[code] = units.get(code, 0) + line.units
    return CODES_SEPARATOR.join(f"{code} x{n}" for code, n in units.items())


def _clean_json(value: object) -> object:
    if isinstance(value, str):
        return sanitize_text(value)
    if isinstance(value, dict):
        return {sanitize_text(str(k)): _clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json(v) for v in value]
    return value


def source_json(source_id: str) -> dict[str, str]:
    """A cited source as ``{id, label, citation}``; an imported release (not a registry id)
    is its own label and citation."""
    known = SOURCES.get(source_id)
    if known is None:
        return {"id": source_id, "label": source_id, "citation": source_id}
    return {"id": known.id, "label": known.label, "citation": known.citation}


def validity_text(code: Code) -> str:
    """When an ICD-10-CM code is valid, in words (dates from CMS's MS-DRG code tables)."""
    parts = [f"from {code.valid_from}" if code.valid_from else "",
             f"through {code.valid_to}" if code.valid_to else "to this day"]
    text = " ".join(p for p in parts if p)
    if code.replaced_by:
        text += f"; replaced by {', '.join(code.replaced_by)}"
    if code.provisional:
        text += ("; its title above is ours, from its position (the official title comes "
                 "with the CDC release import)")
    return text + " (CMS MS-DRG v44 code tables)"


def warning_json(warning: Warning) -> dict[str, object]:
    """One warning as the JSON document (and ``ptcodes units --json``) carries it."""
    sources = [source_json(s) for s in warning.sources]
    return {
        "id": warning.code,
        "severity": warning.severity,
        "message": warning.message,
        "codes": list(warning.codes),
        "line": warning.line,
        "suggestions": list(warning.suggestions),
        "sources": sources,
        "source": sources[0] if sources else None,
        "confidence": warning.confidence,
        "as_of": warning.as_of,
        "details": warning.details,
        "verify": warning.needs_verification,
    }


def _line_json(line: LineResult) -> dict[str, object]:
    return {
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
        "pta_minutes": line.pta_minutes,
        "pta_units": line.pta_units,
        "cq_units": line.cq_units,
    }


def _json(result: VisitResult, estimate: VisitEstimate | None = None) -> str:
    data: dict[str, object] = {
        "format": JSON_FORMAT_NAME,
        "version": JSON_VERSION,
        "profile": result.profile.to_dict(),
        "lines": [_line_json(line) for line in result.lines],
        "claim_lines": [
            {
                "index": part.line.index,
                "code": part.code,
                "units": part.units,
                "modifiers": list(part.modifiers),
                "minutes": part.minutes,
            }
            for part in result.claim_lines
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
        "warnings": [warning_json(warning) for warning in result.warnings],
    }
    if estimate is not None:
        data["estimate"] = estimate_json(estimate)
    return json.dumps(_clean_json(data), indent=2, sort_keys=True, ensure_ascii=False)
