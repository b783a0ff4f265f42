"""Changing a visit the way the window does: add a line or a diagnosis (refused with the
rule's own warning when it cannot be added), remove a diagnosis (the pointers follow)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ptcodes_gui.domain.lookup import CodeLookup
from ptcodes_gui.domain.rules.codes import procedure_refusal
from ptcodes_gui.domain.rules.diagnoses import diagnosis_refusal
from ptcodes_gui.domain.rules.engine import evaluate
from ptcodes_gui.domain.rules.registry import Finding, make_warning
from ptcodes_gui.domain.visit_input import (
    DX_LETTERS,
    MAX_DIAGNOSES,
    Visit,
    VisitLine,
    normalize_code,
    normalize_icd,
)
from ptcodes_gui.domain.visit_result import Warning


def validate_new_line(
    code: str, lookup: CodeLookup, on: date | None = None
) -> list[Warning]:
    """Errors that refuse ``code`` as a new procedure line on the date of service ``on``
    (None: today's catalog) (empty: it may be added).

    Deleted codes come with their replacements in ``suggestions``; a diagnosis, a modifier
    or an unknown code is refused with a plain explanation.
    """
    try:
        text = normalize_code(code)
    except ValueError as exc:
        return [make_warning("unknown-code", Finding(f"{exc}."))]
    refusal = procedure_refusal(text, lookup.get(text), lookup, on)
    return [make_warning(*refusal)] if refusal else []


def add_line(visit: Visit, line: VisitLine, lookup: CodeLookup) -> tuple[Visit, list[Warning]]:
    """The visit with ``line`` appended, or the same visit and the errors that refuse it.

    On success the warnings are the new ones the line brings (e.g. an NCCI pair).
    """
    refused = validate_new_line(line.code, lookup)
    if refused:
        return visit, refused
    before = set(evaluate(visit, lookup).warnings)
    updated = replace(visit, lines=(*visit.lines, line))
    new = [w for w in evaluate(updated, lookup).warnings if w not in before]
    return updated, new


def validate_new_diagnosis(code: str, lookup: CodeLookup) -> list[Warning]:
    """Errors that refuse ``code`` as a diagnosis; header codes come with their billable
    children in ``suggestions``."""
    try:
        text = normalize_icd(code)
    except ValueError as exc:
        return [make_warning("unknown-diagnosis", Finding(f"{exc}."))]
    refusal = diagnosis_refusal(text, lookup.get(text), lookup)
    return [make_warning(*refusal)] if refusal else []


def add_diagnosis(visit: Visit, code: str, lookup: CodeLookup) -> tuple[Visit, list[Warning]]:
    """The visit with diagnosis ``code`` appended (next letter), or the same visit and why not."""
    refused = validate_new_diagnosis(code, lookup)
    if refused:
        return visit, refused
    text = normalize_icd(code)
    if text in visit.diagnoses:
        letter = visit.letter_of(visit.diagnoses.index(text))
        finding = Finding(f"{text} is already diagnosis {letter}: point the lines at {letter}.",
                          (text,))
        return visit, [make_warning("duplicate-diagnosis", finding)]
    if len(visit.diagnoses) >= MAX_DIAGNOSES:
        finding = Finding(
            f"A claim holds {MAX_DIAGNOSES} diagnoses (A-L) and this visit has them all: "
            f"remove one before adding {text}.",
            (text,),
        )
        return visit, [make_warning("too-many-diagnoses", finding)]
    return replace(visit, diagnoses=(*visit.diagnoses, text)), []


def remove_diagnosis(visit: Visit, index: int) -> Visit:
    """The visit without its diagnosis at ``index``; the later diagnoses move up a letter and
    the lines' pointers follow them (pointers to the removed one are dropped)."""
    if not 0 <= index < len(visit.diagnoses):
        raise IndexError(f"there is no diagnosis {index + 1} to remove")
    count = min(len(visit.diagnoses), MAX_DIAGNOSES)

    def moved(letter: str) -> str | None:
        at = DX_LETTERS.find(letter)
        if at < 0 or at >= count:
            return letter  # already pointing nowhere: left for its own warning
        if at == index:
            return None
        return DX_LETTERS[at - 1] if at > index else letter

    lines = tuple(
        replace(
            line,
            dx_pointers=tuple(p for p in (moved(x) for x in line.dx_pointers) if p is not None),
        )
        for line in visit.lines
    )
    diagnoses = visit.diagnoses[:index] + visit.diagnoses[index + 1 :]
    return replace(visit, lines=lines, diagnoses=diagnoses)
