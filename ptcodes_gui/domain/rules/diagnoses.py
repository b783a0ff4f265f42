"""Rules about the visit's diagnoses (ICD-10-CM, lettered A-L) and the lines' pointers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Final

from ptcodes_gui.domain.lookup import CodeLookup
from ptcodes_gui.domain.models import Code
from ptcodes_gui.domain.rules.context import RuleContext, join_and, join_or
from ptcodes_gui.domain.rules.registry import Finding, rule
from ptcodes_gui.domain.visit_input import DX_LETTERS, MAX_DIAGNOSES, MAX_DX_POINTERS, Visit
from ptcodes_gui.domain.visit_result import DiagnosisResult

_SHOWN_CHILDREN: Final = 6
_ICD = ("icd10cm-guidelines", "icd10cm-fy2026")
_CLAIM = ("cms-100-04-ch5",)
_DATED = ("cms-msdrg-v44", "icd10cm-guidelines")


def diagnosis_refusal(
    text: str, found: Code | None, lookup: CodeLookup
) -> tuple[str, Finding] | None:
    """The rule id and finding that refuse ``text`` as a diagnosis, None if it may be one."""
    if found is None:
        return "unknown-diagnosis", Finding(
            f"{text} is not an ICD-10-CM code in the catalog: check the code.", (text,)
        )
    if not found.is_diagnosis:
        return "not-a-diagnosis", Finding(
            f"{text} is a procedure or modifier code, not a diagnosis: add it as a procedure "
            "line instead.",
            (text,),
        )
    if found.billable:
        return None
    children = lookup.children(found.code)
    shown = [f"{c} ({t})" if t else c for c, t in children[:_SHOWN_CHILDREN]]
    more = len(children) - len(shown)
    choice = (
        f"pick a billable code below it: {', '.join(shown)}"
        + (f" and {more} more" if more > 0 else "")
        if children
        else "pick a more specific, billable code below it"
    )
    return "header-diagnosis", Finding(
        f"{text} is a category header, not a billable diagnosis: {choice}.",
        (text,),
        suggestions=tuple(c for c, _ in children),
    )


def _fiscal_year(day: str) -> int:
    return int(day[:4]) + (1 if day[5:7] >= "10" else 0)


def _codes_with_titles(lookup: CodeLookup, codes: tuple[str, ...]) -> str:
    """Codes for a sentence: with their titles, unless the titles are our stand-ins."""
    found = [lookup.get(c) for c in codes]
    if any(f is None or f.provisional for f in found):
        return join_or(list(codes))
    return join_or([f"{c} ({f.title})" for c, f in zip(codes, found, strict=True) if f])


def diagnosis_date_refusal(
    text: str, found: Code | None, on: date, lookup: CodeLookup
) -> Finding | None:
    """Why ``text`` is not valid on the date of service ``on``; None when it is (or has no
    dates: an imported release is valid for its whole period)."""
    day = on.isoformat()
    if found is None or not found.is_diagnosis or found.valid_on(day):
        return None
    if found.valid_to is not None and day > found.valid_to:
        ended = found.valid_to
        nxt = found.replaced_by
        fix = (
            f"use {_codes_with_titles(lookup, nxt)} instead"
            + (" (new codes; their official titles come with the CDC FY"
               f"{_fiscal_year(day)} release import)"
               if any((c := lookup.get(r)) is not None and c.provisional for r in nxt) else "")
            if nxt else "pick a current code (search its words)"
        )
        return Finding(
            f"{text} is not valid for dates of service after {ended} (ICD-10-CM "
            f"FY{_fiscal_year(day)} ended it): {fix}.",
            (text, *nxt), suggestions=nxt,
        )
    begins = found.valid_from or ""
    before = [c for c, _t in found.parents[:1]
              if (p := lookup.get(c)) is not None and p.billable and p.valid_on(day)]
    fix = f"use {before[0]}, the code in force then" if before else "use the code in force then"
    return Finding(
        f"{text} takes effect on {begins} (ICD-10-CM FY{_fiscal_year(begins)}); it is not "
        f"valid on {day}: {fix}.",
        (text, *before), suggestions=tuple(before),
    )


def diagnosis_results(
    visit: Visit, lookup: CodeLookup, on: date | None = None
) -> tuple[DiagnosisResult, ...]:
    results = []
    day = (on or date.today()).isoformat()
    for index, text in enumerate(visit.diagnoses):
        found = lookup.get(text)
        known = found is not None and found.is_diagnosis
        results.append(
            DiagnosisResult(
                letter=visit.letter_of(index),
                code=text,
                title=found.title if found else "",
                known=known,
                billable=known and found is not None and found.billable and found.valid_on(day),
            )
        )
    return tuple(results)


def _refused(ctx: RuleContext, rule_id: str) -> Iterator[Finding]:
    for index, text in enumerate(ctx.visit.diagnoses):
        refusal = diagnosis_refusal(text, ctx.lookup.get(text), ctx.lookup)
        if refusal is None or refusal[0] != rule_id:
            continue
        letter = ctx.visit.letter_of(index)
        found = refusal[1]
        prefix = f"Diagnosis {letter}: " if letter else ""
        yield Finding(prefix + found.message, found.codes, suggestions=found.suggestions)


@rule(id="unknown-diagnosis", severity="error", sources=_ICD)
def unknown_diagnosis(ctx: RuleContext) -> Iterator[Finding]:
    """A diagnosis that is not an ICD-10-CM code in the catalog.

    What it checks:
        Every diagnosis of the visit is a known ICD-10-CM code.
    Why it is denied:
        A claim with an invalid diagnosis code is rejected.
    Example visit:
        --dx M25.5699 (one digit too many).
    Fix:
        Check the code (search the catalog by its words).
    Source:
        ICD-10-CM (April 2026 release) and its Official Guidelines.
    """
    return _refused(ctx, "unknown-diagnosis")


@rule(id="not-a-diagnosis", severity="error", sources=_ICD)
def not_a_diagnosis(ctx: RuleContext) -> Iterator[Finding]:
    """A procedure or modifier code entered as a diagnosis.

    What it checks:
        Every diagnosis is an ICD-10-CM code, not a CPT/HCPCS code or modifier.
    Why it is denied:
        A procedure code in the diagnosis field is an invalid diagnosis.
    Example visit:
        --dx 97110.
    Fix:
        Add it as a procedure line instead.
    Source:
        ICD-10-CM Official Guidelines.
    """
    return _refused(ctx, "not-a-diagnosis")


@rule(id="header-diagnosis", severity="error", sources=_ICD)
def header_diagnosis(ctx: RuleContext) -> Iterator[Finding]:
    """A category header (not billable) used as a diagnosis.

    What it checks:
        Every diagnosis is coded to the highest specificity (a billable code).
    Why it is denied:
        A code that has codes below it is not valid on a claim.
    Example visit:
        --dx M25.56 (knee pain: the billable codes are M25.561, M25.562, M25.569).
    Fix:
        Pick the billable code below it that the warning offers.
    Source:
        ICD-10-CM Official Guidelines, section I.B.2 (level of detail).
    """
    return _refused(ctx, "header-diagnosis")


@rule(id="diagnosis-not-in-force", severity="error", sources=_DATED)
def diagnosis_not_in_force(ctx: RuleContext) -> Iterator[Finding]:
    """A diagnosis code not valid on the visit's date of service.

    What it checks:
        Every diagnosis is valid on the date of service: not ended before it by a new
        fiscal year's code set, not taking effect after it.
    Why it is denied:
        ICD-10-CM is valid by date of service: a claim with a code the code set ended (or
        has not started yet) on that date is rejected as invalid.
    Example visit:
        --dx M72.2 on 2026-12-06 (FY2027 replaced it with M72.20-M72.22 from 2026-10-01).
    Fix:
        Use the codes that replace it (dated on or after the change), or the code in force
        on an earlier date of service.
    Source:
        CMS MS-DRG v44 (FY2027) code tables (each code's valid-from and valid-to dates);
        ICD-10-CM Official Guidelines.
    """
    for index, text in enumerate(ctx.visit.diagnoses):
        found = diagnosis_date_refusal(text, ctx.lookup.get(text), ctx.on, ctx.lookup)
        if found is not None:
            letter = ctx.visit.letter_of(index)
            prefix = f"Diagnosis {letter}: " if letter else ""
            yield Finding(prefix + found.message, found.codes, suggestions=found.suggestions)


@rule(id="duplicate-diagnosis", severity="warning", sources=_CLAIM)
def duplicate_diagnosis(ctx: RuleContext) -> Iterator[Finding]:
    """The same diagnosis listed twice.

    What it checks:
        Each ICD-10-CM code appears once among the diagnoses.
    Why it is denied:
        A claim lists each diagnosis once; the copy wastes one of the 12 letters.
    Example visit:
        --dx M54.50 --dx M54.50.
    Fix:
        Remove the second and point its lines at the first.
    Source:
        CMS claim form instructions (Pub. 100-04).
    """
    seen: dict[str, str | None] = {}
    for index, text in enumerate(ctx.visit.diagnoses):
        letter = ctx.visit.letter_of(index)
        if text not in seen:
            seen[text] = letter
            continue
        first = seen[text]
        yield Finding(
            f"{text} is listed twice ({first} and {letter}): remove {letter} and point its "
            f"lines at {first}.",
            (text,),
        )


@rule(id="too-many-diagnoses", severity="error", sources=_CLAIM)
def too_many_diagnoses(ctx: RuleContext) -> Iterator[Finding]:
    """More than the 12 diagnoses (A-L) a claim holds.

    What it checks:
        The visit has at most 12 diagnoses.
    Why it is denied:
        The claim form has 12 diagnosis fields; the rest are not sent.
    Example visit:
        13 diagnoses.
    Fix:
        Remove the least relevant ones (those after L have no letter).
    Source:
        CMS claim form instructions (Pub. 100-04).
    """
    extra = len(ctx.visit.diagnoses) - MAX_DIAGNOSES
    if extra > 0:
        yield Finding(
            f"A claim holds {MAX_DIAGNOSES} diagnoses (A-L); this visit has "
            f"{len(ctx.visit.diagnoses)}: remove {extra} (those after L have no letter and are "
            "left off).",
            ctx.visit.diagnoses[MAX_DIAGNOSES:],
        )


@rule(id="no-diagnosis", severity="warning", sources=_CLAIM)
def no_diagnosis(ctx: RuleContext) -> Iterator[Finding]:
    """A visit with procedures and no diagnosis.

    What it checks:
        A visit with billed lines has at least one diagnosis.
    Why it is denied:
        Every claim line needs the diagnosis it treats.
    Example visit:
        97110=30 and no --dx.
    Fix:
        Add the ICD-10-CM code(s) the treatment is for and point each line at one.
    Source:
        CMS claim form instructions (Pub. 100-04).
    """
    if ctx.billed and not ctx.visit.diagnoses:
        yield Finding(
            "The visit has no diagnosis: add the ICD-10-CM code(s) the treatment is for and "
            "point each line at one."
        )


def _letters(ctx: RuleContext) -> str:
    return DX_LETTERS[: min(len(ctx.visit.diagnoses), MAX_DIAGNOSES)]


@rule(id="dx-pointer-invalid", severity="error", sources=_CLAIM)
def dx_pointer_invalid(ctx: RuleContext) -> Iterator[Finding]:
    """A line pointing at a diagnosis letter the visit does not have.

    What it checks:
        Every pointer of a billed line names an existing diagnosis letter.
    Why it is denied:
        A pointer to an empty diagnosis field makes the line invalid.
    Example visit:
        One diagnosis (A) and 97110 pointing to B.
    Fix:
        Point the line at an existing letter, or add the diagnosis first.
    Source:
        CMS claim form instructions (Pub. 100-04).
    """
    letters = _letters(ctx)
    for r in ctx.billed:
        bad = [p for p in r.line.dx_pointers if p not in letters]
        if not bad:
            continue
        have = (
            f"the visit has diagnoses {letters[0]}-{letters[-1]}"
            if len(letters) > 1
            else f"the visit has only diagnosis {letters}"
            if letters
            else "the visit has no diagnoses"
        )
        fix = " or add the diagnosis first." if letters else " after adding it."
        yield Finding(
            f"{r.text} points to {join_and(bad)} but {have}: point it at an existing letter{fix}",
            (r.text,),
            r.index,
        )


@rule(id="too-many-dx-pointers", severity="error", sources=_CLAIM)
def too_many_dx_pointers(ctx: RuleContext) -> Iterator[Finding]:
    """A line pointing at more than 4 diagnoses.

    What it checks:
        Every billed line has at most 4 diagnosis pointers.
    Why it is denied:
        A claim line holds 4 pointers.
    Example visit:
        97110 pointing to A, B, C, D and E.
    Fix:
        Keep the 4 most relevant (the first is the primary).
    Source:
        CMS claim form instructions (Pub. 100-04).
    """
    for r in ctx.billed:
        count = len(r.line.dx_pointers)
        if count > MAX_DX_POINTERS:
            yield Finding(
                f"{r.text} points to {count} diagnoses but a claim line holds "
                f"{MAX_DX_POINTERS}: keep the {MAX_DX_POINTERS} most relevant (the first is "
                "the primary).",
                (r.text,),
                r.index,
            )


@rule(id="no-dx-pointer", severity="warning", sources=_CLAIM)
def no_dx_pointer(ctx: RuleContext) -> Iterator[Finding]:
    """A billed line that points at no diagnosis.

    What it checks:
        Every billed line points at one of the visit's diagnoses.
    Why it is denied:
        The payer needs to know which diagnosis each service treats.
    Example visit:
        Diagnosis A and 97110 with no pointer.
    Fix:
        Point the line at the diagnosis it treats (e.g. A).
    Source:
        CMS claim form instructions (Pub. 100-04).
    """
    if not _letters(ctx):
        return
    for r in ctx.billed:
        if not r.line.dx_pointers:
            yield Finding(
                f"{r.text} points to no diagnosis: point it at the one it treats (e.g. A).",
                (r.text,),
                r.index,
            )
