"""``evaluate``: units, then modifiers, then every registered rule over one context.

Each step is a small function: ``resolve`` sorts the lines into how their minutes count
(the 15-minute pool, counted on their own, untimed, refused), ``assign_units`` applies the
profile's unit rule (ties included), ``apply_modifiers`` sets each line's modifiers, and
``run_rules`` runs the rules that apply to the profile. The visit is never changed.
"""

from __future__ import annotations

from datetime import date

from ptcodes_gui.domain import units as unit_rules
from ptcodes_gui.domain.articles import Necessity
from ptcodes_gui.domain.lookup import CodeLookup
from ptcodes_gui.domain.models import System
from ptcodes_gui.domain.rules.codes import procedure_refusal
from ptcodes_gui.domain.rules.context import (
    FeeLookup,
    ResolvedLine,
    RuleContext,
    counted_separately,
    separate_units,
    therapy_modifier,
)
from ptcodes_gui.domain.rules.diagnoses import diagnosis_results
from ptcodes_gui.domain.rules.registry import ordered_rules
from ptcodes_gui.domain.rules.telehealth import REMOTE_BY_DEFINITION
from ptcodes_gui.domain.visit_input import (
    ASSISTANT_MODIFIER,
    GROUP_CODES,
    SEVERITIES,
    Visit,
    dedupe,
)
from ptcodes_gui.domain.visit_result import LineResult, VisitResult, VisitTie, Warning


def evaluate(
    visit: Visit,
    lookup: CodeLookup,
    *,
    on: date | None = None,
    fees: FeeLookup | None = None,
    necessity: Necessity | None = None,
) -> VisitResult:
    """Units, modifiers, suggestions, totals, ties and warnings for ``visit``.

    ``on`` is the date NCCI pairs are checked on (their effective/deletion dates; today by
    default); ``fees`` an optional fee schedule the payment rules (MPPR, KX) price with;
    ``necessity`` the profile's MAC and its imported coverage articles.
    """
    day = on or date.today()
    lines = resolve(visit, lookup, day)
    ties = assign_units(lines, visit)
    apply_modifiers(lines, visit)
    ctx = RuleContext(visit, lookup, lines, ties, day, fees, necessity)
    warnings, offers = run_rules(ctx)
    return build_result(ctx, warnings, offers)


def resolve(visit: Visit, lookup: CodeLookup, on: date | None = None) -> list[ResolvedLine]:
    """Each line with its catalog entry and how its minutes count on the date of service
    ``on``; refused lines stay."""
    resolved: list[ResolvedLine] = []
    for index, line in enumerate(visit.lines):
        found = lookup.get(line.code)
        if found is None or procedure_refusal(line.code, found, lookup, on) is not None:
            resolved.append(ResolvedLine(index, line, found, "refused"))
        elif not found.timed or found.code in GROUP_CODES:
            resolved.append(ResolvedLine(index, line, found, "untimed", computed=1))
        elif counted_separately(found, lookup):
            resolved.append(ResolvedLine(index, line, found, "separate"))
        else:
            resolved.append(ResolvedLine(index, line, found, "pool"))
    return resolved


def assign_units(lines: list[ResolvedLine], visit: Visit) -> list[VisitTie]:
    """Set ``computed`` units on the timed lines; the ties the clinician has to decide."""
    pool = [r for r in lines if r.counting == "pool"]
    assignment = unit_rules.assign(
        visit.profile.unit_rule,
        [(str(r.index), r.line.minutes or 0) for r in pool],
        preferred={str(r.index) for r in pool if r.line.tie_preferred},
    )
    for r in pool:
        line_units = next(lu for lu in assignment.lines if lu.key == str(r.index))
        r.computed = line_units.units
        r.by_default = line_units.by_default
    for r in lines:
        if r.counting == "separate" and r.code is not None:
            r.computed = separate_units(r.code, r.line.minutes or 0)

    by_index = {r.index: r for r in lines}
    ties: list[VisitTie] = []
    for tie in assignment.ties:
        indices = tuple(int(key) for key in tie.candidates)
        by_hand = tie.settled or any(by_index[i].line.units_override is not None for i in indices)
        if by_hand:
            for i in indices:
                by_index[i].by_default = False
        ties.append(
            VisitTie(
                line_indices=indices,
                codes=tuple(by_index[i].line.code for i in indices),
                units=tie.units,
                remaining_minutes=tie.remaining_minutes,
                default_line_indices=tuple(int(key) for key in tie.default),
                resolved=by_hand,
            )
        )
    return ties


def assistant_split(r: ResolvedLine) -> unit_rules.AssistantSplit | None:
    """The PTA's share of the line's billed units (CMS's unit-by-unit method); None when no
    PTA minutes were entered. Provider PTA: every unit is the assistant's."""
    line = r.line
    if r.counting == "refused" or r.code is None:
        return None
    minutes = line.minutes or 0
    if line.provider == "pta":
        return unit_rules.AssistantSplit(r.final, minutes, minutes, r.final, r.final)
    if not line.assistant_minutes:
        return None
    length = unit_rules.UNIT_MINUTES
    if r.counting == "separate":
        length = r.code.first_unit_minutes or r.code.unit_minutes or length
    return unit_rules.split_assistant_units(
        r.final, minutes, line.assistant_minutes, timed=r.timed, unit_minutes=length
    )


def apply_modifiers(lines: list[ResolvedLine], visit: Visit) -> None:
    """Therapy (GP/GO/GN), CQ, KX, 95/93, then the user's own, without duplicates.

    CQ (the 85% payment for an assistant's service) and KX (the therapy threshold) are
    Medicare's: on another profile they are left off, as are the Medicare-only checks.
    CQ is decided unit by unit (``assistant_split``): it is on the line when every unit
    carries it; when only some do, ``cq_units`` says how many and the claim splits the line.
    """
    medicare = visit.profile.medicare
    for r in lines:
        r.split = assistant_split(r)
        if r.counting == "refused" or r.code is None:
            r.modifiers = ()
            continue
        mods: list[str] = []
        therapy = therapy_modifier(r.code)
        if therapy:
            mods.append(therapy)
            if medicare and therapy == "GP" and r.split is not None:
                r.cq_units = r.split.assistant_units
                if r.line.provider == "pta" or 0 < r.cq_units == r.final:
                    mods.append(ASSISTANT_MODIFIER)
            if medicare and visit.kx:
                mods.append("KX")
        # a visit-wide 95/93 skips the codes that are remote by definition (RTM, ...)
        remote = r.code.code in REMOTE_BY_DEFINITION
        telehealth = r.line.telehealth or (None if remote else visit.telehealth)
        if telehealth and r.code.system in (System.CPT, System.HCPCS):
            mods.append(telehealth)
        mods.extend(r.line.extra_modifiers)
        r.modifiers = dedupe(mods)


def run_rules(ctx: RuleContext) -> tuple[list[Warning], dict[int, tuple[str, ...]]]:
    """Every applicable rule's warnings (errors first, then warnings, then notes; rule
    order within each) and the modifiers offered per line."""
    warnings: list[Warning] = []
    offers: dict[int, tuple[str, ...]] = {}
    for registered in ordered_rules():
        if not registered.applies_to(ctx.profile):
            continue
        for finding in registered.check(ctx):
            warnings.append(registered.warning(finding))
            if finding.offer_modifiers and finding.line is not None:
                offers[finding.line] = dedupe((*offers.get(finding.line, ()), *finding.suggestions))
    warnings.sort(key=lambda w: SEVERITIES.index(w.severity))
    return warnings, offers


def build_result(
    ctx: RuleContext, warnings: list[Warning], offers: dict[int, tuple[str, ...]]
) -> VisitResult:
    timed = [r for r in ctx.active if r.timed]
    timed_units = sum(r.final for r in timed)
    untimed_units = sum(r.final for r in ctx.active if r.counting == "untimed")
    return VisitResult(
        profile=ctx.profile,
        lines=tuple(_line_result(r, offers.get(r.index, ())) for r in ctx.lines),
        diagnoses=diagnosis_results(ctx.visit, ctx.lookup, ctx.on),
        total_timed_minutes=ctx.pool_minutes,
        separate_timed_minutes=sum(r.line.minutes or 0 for r in ctx.separate),
        timed_units=timed_units,
        untimed_units=untimed_units,
        total_units=timed_units + untimed_units,
        computed_timed_units=sum(r.computed for r in timed),
        ties=tuple(ctx.ties),
        warnings=tuple(warnings),
    )


def _line_result(r: ResolvedLine, offered: tuple[str, ...]) -> LineResult:
    return LineResult(
        index=r.index,
        code=r.code.code if r.code else r.line.code,
        title=r.code.title if r.code else "",
        system=r.code.system if r.code else "",
        timed=bool(r.code and r.code.timed and r.code.code not in GROUP_CODES),
        counting=r.counting,
        minutes=r.line.minutes,
        computed_units=r.computed,
        units=r.final,
        overridden=r.counting != "refused" and r.line.units_override is not None,
        modifiers=r.modifiers,
        suggested_modifiers=offered,
        dx_pointers=r.line.dx_pointers,
        provider=r.line.provider,
        by_default=r.by_default,
        pta_minutes=r.line.assistant_minutes,
        pta_units=r.split.assistant_units if r.split else 0,
        cq_units=r.cq_units,
    )
