"""Rules about timed minutes and units: missing minutes, ties, units set by hand, a code that
gets no unit, codes counted on their own (97550, 97545, ...)."""

from __future__ import annotations

from collections.abc import Iterator

from ptcodes_gui.domain import units as unit_rules
from ptcodes_gui.domain.models import Code
from ptcodes_gui.domain.rules.context import (
    ResolvedLine,
    RuleContext,
    addon_name,
    is_first_block,
    join_and,
    plural,
    rule_name,
    separate_minutes_needed,
    separate_units,
)
from ptcodes_gui.domain.rules.registry import Finding, rule
from ptcodes_gui.domain.visit_input import dedupe

_MINUTES = ("cms-100-04-ch5-20.2",)


@rule(id="missing-minutes", severity="warning", sources=_MINUTES)
def missing_minutes(ctx: RuleContext) -> Iterator[Finding]:
    """A timed code without its minutes.

    What it checks:
        Every timed line has its minutes entered.
    Why it is denied:
        Timed units are computed from the minutes; without them the line earns nothing and
        the units billed cannot be supported by the note.
    Example visit:
        97110 (no minutes).
    Fix:
        Enter the minutes the code ran (it counts 0 minutes until then).
    Source:
        Pub. 100-04 ch. 5 §20.2.
    """
    for r in ctx.active:
        if r.timed and r.line.minutes is None:
            yield Finding(
                f"{r.text} is timed: enter its minutes (it counts 0 minutes until then).",
                (r.text,),
                r.index,
            )


@rule(id="unit-tie", severity="warning", sources=_MINUTES, profiles=("cms-rule",))
def unit_tie(ctx: RuleContext) -> Iterator[Finding]:
    """Codes with equal left-over minutes competing for the last unit(s).

    What it checks:
        Under the CMS rule, whether a left-over unit could go to more than one code.
    Why it is denied:
        It is not denied: CMS leaves the choice to the clinician, and the note must support
        the code that gets the unit. The tool fills in a default (the earliest line) and
        marks it as a choice.
    Example visit:
        97112=20 97110=20: 40 minutes are 3 units, 2 of either code and 1 of the other.
    Fix:
        Pick the line that gets the unit (or set the units by hand) to confirm the choice.
    Source:
        Pub. 100-04 ch. 5 §20.2 (its second example).
    """
    by_index = {r.index: r for r in ctx.lines}
    for tie in ctx.ties:
        if tie.resolved:
            continue
        defaults = [by_index[i].text for i in tie.default_line_indices]
        yield Finding(
            f"{join_and(list(tie.codes))} each have {tie.remaining_minutes} minutes left over "
            f"for {plural(tie.units, 'remaining unit')}: the clinician chooses; pick the line that "
            f"gets it (shown on "
            f"{join_and(defaults)} for now).",
            tie.codes,
            tie.line_indices[0],
        )


@rule(id="unit-override", severity="info", sources=_MINUTES)
def unit_override(ctx: RuleContext) -> Iterator[Finding]:
    """Units set by hand that differ from what the rule gives.

    What it checks:
        A line whose units were typed in instead of computed.
    Why it is denied:
        Not denied by itself; the note has to support the units billed
        (``units-need-more-minutes`` says when the minutes cannot).
    Example visit:
        97110=23 with its units set to 1 (the 8-minute rule gives 2).
    Fix:
        Clear the units to go back to the rule, or keep them if the payer's count differs.
    Source:
        Pub. 100-04 ch. 5 §20.2.
    """
    for r in ctx.active:
        units = r.line.units_override
        if units is None or units == r.computed:
            continue
        why = (
            "an untimed code is 1 unit per session"
            if r.counting == "untimed"
            else f"the {rule_name(ctx.profile)} gives {r.computed}"
        )
        yield Finding(
            f"{r.text}: units set by hand to {units} ({why}). Clear the units to go back to "
            "the rule.",
            (r.text,),
            r.index,
        )


@rule(id="zero-units", severity="info", sources=_MINUTES)
def zero_units(ctx: RuleContext) -> Iterator[Finding]:
    """A timed code whose minutes earn no unit, and why.

    What it checks:
        A timed line with minutes entered that gets 0 units.
    Why it is denied:
        Under the CMS rule the units come from the day's total timed minutes: once they are
        handed out (full 15 minutes first, then the most minutes left over), a code with
        fewer left-over minutes than the others gets none, even with 8 or more minutes.
        Under the midpoint rule a code needs 8 minutes of its own.
    Example visit:
        97110=44 97140=9 97035=8: 61 minutes are 4 units; 97110 gets 3 and 97140 1,
        97035 none.
    Fix:
        Nothing to bill for it; document its minutes in the note anyway.
    Source:
        Pub. 100-04 ch. 5 §20.2.
    """
    tied = {i for t in ctx.ties for i in t.line_indices}
    for r in ctx.active:
        if r.final or not r.timed or r.line.minutes is None or r.line.units_override is not None:
            continue
        reason = (
            "it lost a tie for the last unit (the clinician's choice)"
            if r.index in tied
            else _why_no_unit(ctx, r)
        )
        yield Finding(
            f"{r.text} gets no unit: {reason}; it stays off the claim (document its minutes "
            "in the note anyway).",
            (r.text,),
            r.index,
        )


def _why_no_unit(ctx: RuleContext, r: ResolvedLine) -> str:
    minutes = r.line.minutes or 0
    if r.counting == "separate" and r.code is not None:
        needed = separate_minutes_needed(r.code, 1)
        return f"{minutes} minutes are fewer than the {needed} its first unit needs"
    if ctx.profile.unit_rule == "midpoint":
        return f"{minutes} minutes are fewer than the 8 a unit needs under the midpoint rule"
    total = ctx.pool_minutes
    if total < unit_rules.MIN_MINUTES:
        return f"the visit's {total} timed minutes are fewer than the 8 the first unit needs"
    winners = [p.text for p in ctx.pool if p.final > 0 and p.index != r.index]
    return (
        f"the {total} timed minutes earn {plural(unit_rules.cms_total_units(total), 'unit')} "
        "and they ran out (full 15-minute blocks first, then the most minutes left over; "
        f"{join_and(list(dedupe(winners)))} got them)"
    )


@rule(id="separate-unit-length", severity="info", sources=("cpt-2026", "cms-100-04-ch5-20.2"))
def separate_unit_length(ctx: RuleContext) -> Iterator[Finding]:
    """A code with a unit other than 15 minutes (97550, 97545, ...), counted on its own.

    What it checks:
        Codes whose first unit is not 15 minutes (and their add-ons) are counted line by line
        with the CPT time rule, outside the 8-minute pool; a first-block code with more
        minutes than its block needs the add-on code for the rest.
    Why it is denied:
        The CMS total-time rule is written for 15-minute units; billing the time beyond a
        "first 30 minutes" code on the code itself is billing units it does not have.
    Example visit:
        97550=50: bill 97550 ×1 and enter the 20 minutes beyond on 97551.
    Fix:
        Enter on the add-on code only the time beyond the primary's first block.
    Source:
        CPT time rule and code instructions; Pub. 100-04 ch. 5 §20.2.
    """
    for r in ctx.separate:
        assert r.code is not None
        yield _separate_note(ctx, r.code, r.index, r.line.minutes or 0)


def _separate_note(ctx: RuleContext, code: Code, index: int, minutes: int) -> Finding:
    each = code.unit_minutes or unit_rules.UNIT_MINUTES
    first = code.first_unit_minutes or each
    pool = "not in the 8-minute pool" if ctx.profile.unit_rule == "cms" else "with its own length"
    if code.is_addon:
        primary = code.addon_to[0]
        found = ctx.lookup.get(primary)
        base = (found.first_unit_minutes or found.unit_minutes) if found else None
        beyond = f" beyond {primary}'s first {base} minutes" if base else ""
        return Finding(
            f"{code.code} is counted on its own, {pool}: enter only the time"
            f"{beyond or ' beyond the primary code'} (one unit per {each} minutes, the first "
            f"from {unit_rules.minutes_for_units(1, each)}).",
            (code.code, primary),
            index,
        )
    if is_first_block(code) and minutes >= first + unit_rules.minutes_for_units(1, each):
        addon = addon_name(code)
        return Finding(
            f"{code.code} covers the first {first} minutes only ({minutes} entered): bill "
            f"{code.code} ×1 and enter the {minutes - first} minutes beyond on {addon}.",
            (code.code, *code.addons),
            index,
            code.addons,
            severity="warning",
        )
    beyond_note = (
        f"; time beyond {first} minutes goes on {addon_name(code)}" if is_first_block(code) else ""
    )
    return Finding(
        f"{code.code} is counted on its own, {pool}: 1 unit once more than half of its first "
        f"{first} minutes ({unit_rules.minutes_for_units(1, first)}+ minutes) has passed"
        f"{beyond_note}.",
        (code.code,),
        index,
    )


@rule(id="units-need-more-minutes", severity="warning", sources=_MINUTES)
def units_need_more_minutes(ctx: RuleContext) -> Iterator[Finding]:
    """Units set by hand that the minutes do not support.

    What it checks:
        Each overridden line's units against its minutes, and (CMS rule) the day's timed
        units against the day's total timed minutes.
    Why it is denied:
        A unit billed without the minutes behind it is an overpayment found on review.
    Example visit:
        97110=20 with 2 units: 2 units need at least 16 minutes on the line and 23 in total.
    Fix:
        Add the missing minutes (if they were done) or lower the units.
    Source:
        Pub. 100-04 ch. 5 §20.2.
    """
    overridden = [r for r in (*ctx.pool, *ctx.separate) if r.line.units_override is not None]
    if not overridden:
        return
    for r in overridden:
        finding = _line_support(ctx, r)
        if finding is not None:
            yield finding
    if ctx.profile.unit_rule != "cms":
        return
    pool_units = sum(r.final for r in ctx.pool)
    allowed = unit_rules.cms_total_units(ctx.pool_minutes)
    if pool_units > allowed:
        needed = unit_rules.minutes_for_units(pool_units)
        yield Finding(
            f"{plural(pool_units, 'timed unit')} {_need(pool_units)} at least {needed} timed "
            f"minutes in total under the 8-minute rule; this visit has {ctx.pool_minutes} "
            f"(enough for {allowed}). Add the missing minutes or lower the units.",
            dedupe(r.text for r in ctx.pool if r.final > 0),
        )


def _need(units: int) -> str:
    return "needs" if units == 1 else "need"


def _line_support(ctx: RuleContext, r: ResolvedLine) -> Finding | None:
    assert r.code is not None
    minutes, units = r.line.minutes or 0, r.final
    if r.counting == "separate":
        if is_first_block(r.code) and units > 1:
            return None  # billed once whatever the minutes: use-addon-code says so
        supported = separate_units(r.code, minutes)
        needed = separate_minutes_needed(r.code, units)
    elif ctx.profile.unit_rule == "cms":
        supported = unit_rules.max_cms_line_units(minutes)
        needed = (units - 1) * unit_rules.UNIT_MINUTES + 1 if units else 0
    else:
        supported = unit_rules.midpoint_units(minutes)
        needed = unit_rules.minutes_for_units(units)
    if units <= supported:
        return None
    return Finding(
        f"{r.text}: {plural(units, 'unit')} {_need(units)} at least {plural(needed, 'minute')} "
        f"on this line under the {rule_name(ctx.profile)}; it has {minutes}. Add the missing "
        "minutes or lower the units.",
        (r.text,),
        r.index,
    )


_CQ = ("cms-cq-co-examples", "pfs-2022-final", "aota-ota-modifier-2021")


@rule(id="assistant-units", severity="info", sources=_CQ, profiles=("medicare",), confidence="M")
def assistant_units(ctx: RuleContext) -> Iterator[Finding]:
    """Which units of a line the PT and the PTA shared carry CQ.

    What it checks:
        A PT line with some of its minutes by a PT assistant (``97110=38/pta15``, or the
        PTA minutes in the window's By cell): how many of its units carry CQ.
    Why it is denied:
        Not denied: CQ goes on the units the assistant furnished (paid at 85%), not on the
        visit. Timed codes are decided unit by unit: each full 15 minutes by the PTA is a CQ
        unit and each full 15 by the PT is not; a last unit both worked on goes without CQ
        when the PT furnished 8 or more of its minutes (enough to bill it alone) and with CQ
        otherwise, unless the PTA's part is 10% of a unit or less. An untimed code carries
        CQ when the PTA furnished more than 10% of it (the de minimis standard). Where
        "whoever furnished more of the last unit" would answer otherwise (PT 5 + PTA 4), the
        note says verify.
    Example visit:
        97110=36/pta23 97140=30 (CMS's first example): 66 minutes are 4 units; 97140 ×2 and
        one 97110 without CQ (the PT furnished 13 of the last unit's 21 minutes), one 97110
        with CQ (the PTA's full 15 minutes).
    Fix:
        Bill the line as the lines shown (the copy splits it); the note says who furnished
        which minutes.
    Source:
        CMS "Billing Examples Using CQ/CO Modifiers for Services Furnished In Whole or In Part
        by PTAs and OTAs"; CY2022 PFS final rule (the 10% de minimis standard, the 8-minute
        threshold for the last unit); AOTA's practice resource on the CY2022 rule.
    """
    for r in ctx.billed:
        split = r.split
        if split is None or not r.line.shared or "GP" not in r.modifiers:
            continue
        yield Finding(
            _split_message(r.text, split),
            (r.text,),
            r.index,
            confidence="L" if split.verify else None,
        )


@rule(id="pta-minutes-over", severity="error", sources=_CQ)
def pta_minutes_over(ctx: RuleContext) -> Iterator[Finding]:
    """More minutes by the PTA than the line has.

    What it checks:
        The PTA minutes of a line the PT and the PTA shared are part of its minutes.
    Why it is denied:
        The note cannot support a share larger than the service: the line would go out with
        CQ on units nobody can account for (the tool counts it as every minute by the PTA
        until it is fixed).
    Example visit:
        97110=20 with 23 of its minutes by the PTA (the minutes were lowered afterwards).
    Fix:
        Lower the PTA minutes in the line's By cell, or enter the line's real minutes.
    Source:
        CMS "Billing Examples Using CQ/CO Modifiers ..." (who furnished which minutes).
    """
    for r in ctx.active:
        if r.line.pta_over:
            yield Finding(
                f"{r.text}: the PTA's {r.line.pta_minutes} minutes are more than the line's "
                f"{r.line.minutes or 0}: lower the PTA minutes or enter the line's real minutes.",
                (r.text,),
                r.index,
            )


def _split_message(code: str, split: unit_rules.AssistantSplit) -> str:
    head = f"{code} ({split.minutes} min, {split.assistant_minutes} by the PTA)"
    untimed = not split.shared and split.assistant_full == 0 and split.therapist_full == 0
    if split.de_minimis or untimed:
        share = "more than" if split.assistant_units else "not more than"
        verdict = "CQ on the line (paid at 85%)" if split.assistant_units else "no CQ"
        return f"{head}: the PTA's part is {share} 10% of the service (de minimis): {verdict}."
    parts: list[str] = []
    if split.assistant_full:
        parts.append(f"{split.assistant_full} with CQ ({_blocks(split.assistant_full)} by the PTA)")
    if split.therapist_full:
        blocks = _blocks(split.therapist_full)
        parts.append(f"{split.therapist_full} without CQ ({blocks} by the PT)")
    for a, t, with_cq in split.shared:
        parts.append(f"1 {'with' if with_cq else 'without'} CQ ({_last_unit_why(a, t, with_cq)})")
    if split.split:
        bill = (
            f"bill {code} ×{split.therapist_units} without CQ and {code} CQ "
            f"×{split.assistant_units}"
        )
    else:
        bill = "every unit with CQ" if split.assistant_units else "no unit with CQ"
    return f"{head}: {plural(split.units, 'unit')}, {join_and(parts)}: {bill}."


def _last_unit_why(a: int, t: int, with_cq: bool) -> str:
    of = f"of the last unit's {a + t} minutes"
    if not with_cq and t >= unit_rules.MIN_MINUTES:
        why = f"the PT furnished {t} {of}, enough to bill it alone"
    elif with_cq:
        why = f"the PT furnished {t} {of}, fewer than 8; the PTA {a}"
    else:
        why = f"the PTA's {plural(a, 'minute')} {of}: not more than 10% of a unit"
    if a != t and (a > t) != with_cq:
        why += "; whoever furnished more would say otherwise: verify"
    return why


def _blocks(n: int) -> str:
    return "a full 15 minutes" if n == 1 else f"{n} full 15 minutes"
