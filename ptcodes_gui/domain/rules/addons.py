"""Rules about add-on codes (97130, 97546, 97551, ...) and the primaries they go with."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ptcodes_gui.domain import units as unit_rules
from ptcodes_gui.domain.rules.context import RuleContext, is_first_block, join_or
from ptcodes_gui.domain.rules.registry import Finding, rule

#: Add-ons whose relation to the primary is per calendar month, not per day (RTM
#: treatment management 98981 after 98980).
PER_MONTH_ADDONS: Final = frozenset({"98981"})


@rule(id="addon-without-primary", severity="error", sources=("cpt-2026", "ncci-policy-ch11"))
def addon_without_primary(ctx: RuleContext) -> Iterator[Finding]:
    """An add-on code billed without its primary code.

    What it checks:
        Every billed add-on code (e.g. 97130, 97551, 97546) has one of its primaries billed
        on the same day; 98981 (RTM management, each further 20 minutes) is per calendar
        month, so without 98980 on the visit it is a warning to check the month's claim.
    Why it is denied:
        An add-on code only describes time beyond the primary's first block; alone it is
        rejected.
    Example visit:
        97130=15 without 97129.
    Fix:
        Add the primary, or bill this time as the primary code.
    Source:
        CPT add-on code instructions (98981: per calendar month); NCCI Policy Manual ch. XI.
    """
    for r in ctx.billed:
        assert r.code is not None
        primaries = r.code.addon_to
        if not primaries or any(p in ctx.billed_codes for p in primaries):
            continue
        if r.text in PER_MONTH_ADDONS:
            yield Finding(
                f"{r.text} is an add-on per calendar month: it is paid only with "
                f"{join_or(list(primaries))} billed for the same month (the month's first "
                f"20 minutes); check that {primaries[0]} is on the claim for that month.",
                (r.text, *primaries),
                r.index,
                primaries,
                severity="warning",
            )
            continue
        yield Finding(
            f"{r.text} is an add-on code, paid only with {join_or(list(primaries))} on the "
            f"same day: add {join_or(list(primaries))}, or bill this time as {primaries[0]}.",
            (r.text, *primaries),
            r.index,
            primaries,
        )


@rule(id="use-addon-code", severity="warning", sources=("cpt-2026",))
def use_addon_code(ctx: RuleContext) -> Iterator[Finding]:
    """More than one unit of a "first N minutes" code.

    What it checks:
        Codes such as 97129 (first 15 minutes), 97550 (first 30) and 97545 (first 2 hours)
        are billed with one unit.
    Why it is denied:
        Their units beyond the first belong to the add-on code (97130, 97551, 97546); a
        second unit of the primary is not payable.
    Example visit:
        97129 with 2 units.
    Fix:
        Bill 1 unit of the primary and put the time beyond on the add-on code.
    Source:
        CPT code instructions.
    """
    for r in ctx.active:
        assert r.code is not None
        if not (r.timed and is_first_block(r.code) and r.final > 1):
            continue
        code = r.code
        first = code.first_unit_minutes or code.unit_minutes or unit_rules.UNIT_MINUTES
        addon = code.addons[0] if code.addons else "its add-on code"
        yield Finding(
            f"{r.text} is billed once (it covers the first {first} minutes): bill 1 unit of "
            f"{r.text} and put the time beyond on {addon}.",
            (r.text, *code.addons),
            r.index,
            code.addons,
        )
