"""Medically unlikely edits (MUE): the most units of a code per line or per day.

MUE values come only from an imported CMS MUE table (``CodeLookup.mue``); without one this
rule says nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from ptcodes_gui.domain.models import Mue
from ptcodes_gui.domain.rules.context import RuleContext, plural
from ptcodes_gui.domain.rules.registry import Finding, rule

_MUE = "ncci-mue-practitioner"


def _sources(mue: Mue) -> tuple[str, ...]:
    own = mue.source.strip()
    return (own, _MUE) if own and own != _MUE else (_MUE,)


@rule(id="mue-exceeded", severity="error", sources=(_MUE,))
def mue_exceeded(ctx: RuleContext) -> Iterator[Finding]:
    """More units of a code than its medically unlikely edit (MUE) allows.

    What it checks:
        With an imported CMS MUE table: each line's units (MUE adjudication indicator 1, a
        line edit) or the day's units of the code over all its lines (indicator 2 or 3, a
        date-of-service edit) against the code's MUE value.
    Why it is denied:
        Units above the MUE are denied: the whole line for a line edit, the units above the
        value for a date-of-service edit (indicator 2 cannot be appealed).
    Example visit:
        97750 with 9 units where its MUE is 8.
    Fix:
        Lower the units to the MUE (check the minutes and the documentation).
    Source:
        The CMS NCCI MUE practitioner table (as imported).
    """
    seen: set[str] = set()
    for r in ctx.billed:
        mue = ctx.lookup.mue(r.text)
        if mue is None or not mue.applies_on(ctx.on.isoformat()):
            continue  # a table effective after the date of service is not in force on it
        if not mue.per_day:
            if r.final > mue.value:
                yield _finding(mue, r.text, r.final, "on this line", r.index)
            continue
        if r.text in seen:
            continue
        seen.add(r.text)
        day = sum(x.final for x in ctx.billed_lines_of(r.text))
        if day > mue.value:
            yield _finding(mue, r.text, day, "on this day", r.index)


def _finding(mue: Mue, code: str, units: int, where: str, line: int) -> Finding:
    return Finding(
        f"{code} has {plural(units, 'unit')} {where} but its MUE allows {mue.value} (MAI "
        f"{mue.adjudication_indicator}): lower the units to {mue.value}.",
        (code,),
        line,
        sources=_sources(mue),
    )
