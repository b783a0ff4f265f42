"""Rules about the codes themselves: unknown, deleted, not a procedure, entered twice, of
another discipline."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Final

from ptcodes_gui.domain.lookup import CodeLookup
from ptcodes_gui.domain.models import Code, System
from ptcodes_gui.domain.rules.context import RuleContext, join_or, therapy_modifier, title
from ptcodes_gui.domain.rules.coverage import PER_DAY
from ptcodes_gui.domain.rules.registry import Finding, rule

_DISCIPLINE_NAMES: Final = {
    "OT": "an OT", "SLP": "an SLP", "AT": "an athletic trainer", "physician": "a physician's",
    "acupuncture": "an acupuncture",
}


def procedure_refusal(
    text: str, found: Code | None, lookup: CodeLookup, on: date | None = None
) -> tuple[str, Finding] | None:
    """The rule id and finding that refuse ``text`` as a procedure line on the date of
    service ``on`` (None: today's catalog), None if it may be one."""
    if found is None:
        return "unknown-code", Finding(
            f"{text} is not in the catalog: check the number (it may be mistyped, or not a "
            "code PTs bill). It is left off the claim.",
            (text,),
        )
    day = on.isoformat() if on is not None else None
    if found.deleted_on(day):
        return "deleted-code", _deleted(text, found, lookup)
    if day is not None and found.effective and day < found.effective:
        return "code-not-yet-effective", _not_yet(text, found, lookup, day)
    if found.is_diagnosis:
        return "not-a-procedure", Finding(
            f"{text} is a diagnosis (ICD-10-CM), not a procedure: add it to the diagnoses "
            "and point the procedure lines at it.",
            (text,),
        )
    if found.system == System.DENIAL:
        return "not-a-procedure", Finding(
            f"{text} is a denial code (CARC/RARC) from a remittance, not a procedure: look it "
            "up to see which rule catches its cause.",
            (text,),
        )
    if found.system == System.MODIFIER:
        return "not-a-procedure", Finding(
            f"{text} is a modifier, not a procedure: add it to a procedure line's modifiers.",
            (text,),
        )
    return None


def _deleted(text: str, found: Code, lookup: CodeLookup) -> Finding:
    replacements = found.replaced_by
    when = (
        f" on {found.deleted}" if found.deleted
        else f" in {found.deleted_year}" if found.deleted_year else ""
    )
    fix = (
        f"use {join_or([title(lookup, r) for r in replacements])} instead"
        if replacements
        else "pick a current code"
    )
    return Finding(
        f"{text} was deleted{when} and is not paid for a date of service from then on: {fix}.",
        (text, *replacements),
        suggestions=replacements,
    )


def _not_yet(text: str, found: Code, lookup: CodeLookup, day: str) -> Finding:
    earlier = tuple(c for c in found.use_before if _valid(lookup.get(c), day))
    note = found.before_note.rstrip(".")
    head = f"{text} is effective {found.effective}; on a {day[:4]} date of service ({day})"
    if earlier:
        said = f"{head} use {join_or([title(lookup, c) for c in earlier])}"
        message = f"{said}: {note}." if note else f"{said}."
    else:
        message = f"{head} it cannot be billed" + (f": {note}." if note else ".")
    return Finding(message, (text, *earlier), suggestions=earlier)


def _valid(code: Code | None, day: str) -> bool:
    return code is not None and code.valid_on(day)


def _refused(ctx: RuleContext, rule_id: str) -> Iterator[Finding]:
    for r in ctx.lines:
        if r.counting != "refused":
            continue
        refusal = procedure_refusal(r.text, r.code, ctx.lookup, ctx.on)
        if refusal is not None and refusal[0] == rule_id:
            found = refusal[1]
            yield Finding(found.message, found.codes, r.index, found.suggestions)


@rule(id="unknown-code", severity="error", sources=("cpt-2026", "hcpcs-level2"))
def unknown_code(ctx: RuleContext) -> Iterator[Finding]:
    """A procedure line whose code is not in the catalog.

    What it checks:
        Every procedure line's code is a CPT or HCPCS code the catalog knows.
    Why it is denied:
        A claim line with a code that does not exist (often a typo) is rejected before
        anyone looks at it.
    Example visit:
        97101=15 (a typo for 97110).
    Fix:
        Check the number; the line stays on the visit, flagged, with 0 units.
    Source:
        The CPT code set and the HCPCS Level II file.
    """
    return _refused(ctx, "unknown-code")


@rule(id="deleted-code", severity="error", sources=("cpt-2026", "hcpcs-level2"))
def deleted_code(ctx: RuleContext) -> Iterator[Finding]:
    """A code deleted by the date of service (97001, 97127, 90911, G0515, ...).

    What it checks:
        The line's code is not deleted on the visit's date of service (a code deleted on
        2024-01-01 is valid on 2023-12-31 and refused from 2024-01-01).
    Why it is denied:
        A deleted code is no longer paid for dates of service from its deletion date.
    Example visit:
        90911 on 2024-01-01 (replaced by 90912/90913); 97001 (replaced in 2017 by
        97161-97163).
    Fix:
        Use the replacement the warning offers (one click replaces the line).
    Source:
        CPT (deletions and replacements, effective 1 January) and the HCPCS Level II file.
    """
    return _refused(ctx, "deleted-code")


@rule(id="code-not-yet-effective", severity="error", sources=("cpt-2026", "hcpcs-level2"),
      confidence="M-H")
def code_not_yet_effective(ctx: RuleContext) -> Iterator[Finding]:
    """A code billed on a date of service before the code took effect (98985 in 2025).

    What it checks:
        The line's code is effective on the visit's date of service: the catalog records
        each code's effective date (98979 and 98984-98986 from 2026-01-01, 97550-97552
        and 90912/90913 from 2024-01-01, G0539-G0543 and 98016 from 2025-01-01, ...).
    Why it is denied:
        A code that did not exist on the date of service is rejected as invalid.
    Example visit:
        98985 on 2025-12-31 (a 2026 code): on that date only 98977 (16-30 days) existed.
    Fix:
        Bill the code that was valid on that date when the warning names one; otherwise
        the service had no code of its own then.
    Source:
        CPT (new codes take effect on 1 January); HCPCS Level II file (G-codes).
    """
    return _refused(ctx, "code-not-yet-effective")


@rule(id="not-a-procedure", severity="error", sources=("cpt-2026", "icd10cm-fy2026"))
def not_a_procedure(ctx: RuleContext) -> Iterator[Finding]:
    """A diagnosis or a modifier entered as a procedure line.

    What it checks:
        The line's code is a procedure (CPT or HCPCS), not an ICD-10-CM diagnosis or a
        modifier.
    Why it is denied:
        Diagnoses and modifiers have their own places on the claim; as a procedure they are
        rejected.
    Example visit:
        M25.561 entered as a line.
    Fix:
        Add a diagnosis to the diagnoses and point the lines at it; add a modifier to a line.
    Source:
        CPT and ICD-10-CM code sets.
    """
    return _refused(ctx, "not-a-procedure")


@rule(id="duplicate-code", severity="warning", sources=("cms-100-04-ch5-20.2",))
def duplicate_code(ctx: RuleContext) -> Iterator[Finding]:
    """The same code on more than one line.

    What it checks:
        Each code appears on one line of the visit.
    Why it is denied:
        Timed minutes of one code are reported as one line with its units; a second line of
        the same code is read as a duplicate claim. An untimed code is one unit per session.
    Example visit:
        97110=10 and 97110=15.
    Fix:
        Put all the code's minutes on one line (remove the extra line of an untimed code).
    Source:
        Pub. 100-04 ch. 5 §20.2 (units reported per code for the day).
    """
    counts = Counter(r.text for r in ctx.active)
    seen: set[str] = set()
    for r in ctx.active:
        # per-day codes get the sharper per-day-code warning instead
        if counts[r.text] < 2 or r.text in seen or r.text in PER_DAY:
            continue
        seen.add(r.text)
        fix = (
            "put all its minutes on one line."
            if r.timed
            else "an untimed code is billed once per session; remove the extra line."
        )
        yield Finding(f"{r.text} is on {counts[r.text]} lines: {fix}", (r.text,), r.index)


@rule(id="other-discipline", severity="warning", sources=("cms-100-04-ch5", "cpt-2026"))
def other_discipline(ctx: RuleContext) -> Iterator[Finding]:
    """An OT, SLP or athletic-trainer code on a PT's visit.

    What it checks:
        Every code is one a PT bills (the catalog's discipline is PT or any).
    Why it is denied:
        OT and SLP codes carry GO/GN under their own plan of care; athletic-trainer
        evaluations are not billed by a PT.
    Example visit:
        97165 (OT evaluation) on a PT visit.
    Fix:
        Pick the PT code for this service (97161-97163 for an evaluation).
    Source:
        Pub. 100-04 ch. 5 (therapy modifiers by discipline); CPT.
    """
    for r in ctx.active:
        assert r.code is not None
        if r.code.discipline in ("PT", "any", "DME"):
            continue  # a PT dispenses DMEPOS items under a supplier number: orthotic-side
        therapy = therapy_modifier(r.code)
        who = _DISCIPLINE_NAMES.get(r.code.discipline, r.code.discipline)
        carries = f" (it carries {therapy})" if therapy else ""
        yield Finding(
            f"{r.text} is {who} code{carries}: a PT does not bill it; pick the PT code for "
            "this service.",
            (r.text,),
            r.index,
        )
