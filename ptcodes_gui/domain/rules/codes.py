"""Rules about the codes themselves: unknown, deleted, not a procedure, entered twice, of
another discipline."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Final

from ptcodes_gui.domain.lookup import CodeLookup
from ptcodes_gui.domain.models import Code, System
from ptcodes_gui.domain.rules.context import RuleContext, join_or, therapy_modifier, title
from ptcodes_gui.domain.rules.coverage import PER_DAY
from ptcodes_gui.domain.rules.registry import Finding, rule

_DISCIPLINE_NAMES: Final = {"OT": "an OT", "SLP": "an SLP", "AT": "an athletic trainer"}


def procedure_refusal(
    text: str, found: Code | None, lookup: CodeLookup
) -> tuple[str, Finding] | None:
    """The rule id and finding that refuse ``text`` as a procedure line, None if it may be one."""
    if found is None:
        return "unknown-code", Finding(
            f"{text} is not in the catalog: check the number (it may be mistyped, or not a "
            "code PTs bill). It is left off the claim.",
            (text,),
        )
    if found.is_deleted:
        replacements = found.replaced_by
        year = f" in {found.deleted_year}" if found.deleted_year else ""
        fix = (
            f"use {join_or([title(lookup, r) for r in replacements])} instead"
            if replacements
            else "pick a current code"
        )
        return "deleted-code", Finding(
            f"{text} was deleted{year} and is no longer paid: {fix}.",
            (text, *replacements),
            suggestions=replacements,
        )
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


def _refused(ctx: RuleContext, rule_id: str) -> Iterator[Finding]:
    for r in ctx.lines:
        if r.counting != "refused":
            continue
        refusal = procedure_refusal(r.text, r.code, ctx.lookup)
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
    """A deleted code that people still type (97001, 97127, G0515, ...).

    What it checks:
        The line's code is still active.
    Why it is denied:
        A deleted code is no longer paid after its deletion date.
    Example visit:
        97001 (PT evaluation, replaced in 2017 by 97161-97163).
    Fix:
        Use the replacement the warning offers (one click replaces the line).
    Source:
        CPT (deletions and replacements) and the HCPCS Level II file.
    """
    return _refused(ctx, "deleted-code")


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
