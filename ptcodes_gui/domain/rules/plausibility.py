"""Plausibility: numbers no real visit has (minutes typed as units, a day over the cap)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ptcodes_gui.domain.rules.context import RuleContext, plural
from ptcodes_gui.domain.rules.registry import Finding, rule
from ptcodes_gui.domain.visit_input import dedupe

#: More minutes of one code in a day than any PT visit plausibly has.
MAX_PLAUSIBLE_MINUTES: Final = 120
#: Codes with hour-long units (97545 work hardening, first 2 hours) run longer by design.
_LONG_UNIT_MINUTES: Final = 60


@rule(id="line-minutes-implausible", severity="warning", sources=("cms-100-04-ch5-20.2",))
def line_minutes_implausible(ctx: RuleContext) -> Iterator[Finding]:
    """One timed code with more than 120 minutes on one day.

    What it checks:
        A timed 15-minute code's minutes stay at or below 2 hours.
    Why it is denied:
        Two hours of one procedure in an outpatient visit draws medical review; most often
        the number was units or a typo (97110=1000 would be 67 units).
    Example visit:
        97110=150.
    Fix:
        Check the minutes (minutes, not units); correct them, or document why the session
        was that long.
    Source:
        Pub. 100-04 ch. 5 §20.2 (units follow the minutes documented).
    """
    for r in ctx.active:
        minutes = r.line.minutes or 0
        if not r.timed or r.code is None or minutes <= MAX_PLAUSIBLE_MINUTES:
            continue
        if max(r.code.unit_minutes or 0, r.code.first_unit_minutes or 0) >= _LONG_UNIT_MINUTES:
            continue
        yield Finding(
            f"{r.text} has {minutes} minutes ({plural(r.final, 'unit')}): more than "
            f"{MAX_PLAUSIBLE_MINUTES} minutes of one code in a day is unlikely; check that "
            "minutes, not units, were entered.",
            (r.text,),
            r.index,
        )


@rule(id="daily-cap-exceeded", severity="warning", sources=("cms-100-04-ch5-20.2",))
def daily_cap_exceeded(ctx: RuleContext) -> Iterator[Finding]:
    """More timed units in a day than the payer profile's cap.

    What it checks:
        The visit's billed timed units against the profile's daily timed-unit cap (when it
        has one, e.g. 4 a day).
    Why it is denied:
        The payer pays at most its cap; units above it are denied.
    Example visit:
        A profile capped at 4 units and 97110=38 97140=30 (5 units).
    Fix:
        Bill the cap (lower the units on a line) unless the payer approved more.
    Source:
        The payer's policy (Pub. 100-04 ch. 5 §20.2 for how the units are counted).
    """
    cap = ctx.profile.daily_timed_unit_cap
    timed = [r for r in ctx.active if r.timed]
    units = sum(r.final for r in timed)
    if cap is not None and units > cap:
        yield Finding(
            f"{ctx.profile.name} pays at most {plural(cap, 'timed unit')} a day; this visit has "
            f"{units}: bill {cap} (lower the units on a line) unless the payer approved more.",
            dedupe(r.text for r in timed if r.final > 0),
        )
