"""The therapy threshold: when a visit takes a patient past the KX amount or the $3,000
targeted-review amount, from the year-to-date amount the clinic typed (never stored) and
this visit's fee-schedule estimate."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Protocol, runtime_checkable

from ptcodes_gui.domain.fees import FeeLine
from ptcodes_gui.domain.rules.context import RuleContext
from ptcodes_gui.domain.rules.registry import Finding, rule
from ptcodes_gui.domain.thresholds import REVIEW_THRESHOLD, kx_threshold


@runtime_checkable
class VisitPricer(Protocol):
    """A ``fees`` hook that can price the whole visit (``mppr.SchedulePracticeExpense``)."""

    def visit_total(self, lines: list[FeeLine]) -> Decimal: ...


def visit_amount(ctx: RuleContext) -> Decimal | None:
    """This visit's estimated allowed amount; None without an imported fee schedule."""
    if not isinstance(ctx.fees, VisitPricer):
        return None
    lines = [FeeLine(r.text, r.final, r.modifiers) for r in ctx.billed if r.modifiers[:1] in
             (("GP",), ("GN",))]
    return ctx.fees.visit_total(lines) if lines else Decimal("0.00")


def _money(value: Decimal) -> str:
    return f"${value:,.2f}"


@rule(id="kx-threshold", severity="warning", sources=("pfs-2026-final", "cms-100-04-ch5"),
      profiles=("medicare",), confidence="M-H")
def kx_needed(ctx: RuleContext) -> Iterator[Finding]:
    """This visit takes the patient's PT+SLP amount for the year past the KX threshold.

    What it checks:
        With the patient's year-to-date PT+SLP allowed amount typed in (never saved), adds
        this visit's fee-schedule estimate and compares the sum with the year's KX threshold
        ($2,480 in 2026; 2024 and 2025 too). Past it (one cent is enough) and without KX on
        the visit: a warning offering KX. Exactly at the threshold: KX is not needed yet.
    Why it is denied:
        Above the threshold Medicare pays PT and SLP lines only with KX, the attestation
        that the care is still medically necessary (and documented so); without KX the
        lines are denied (CO-119 style, benefit maximum reached).
    Example visit:
        Year to date $2,300; today 97110=38, 97140=15 estimated at $190: $2,490 > $2,480.
    Fix:
        Add KX (every line) when the plan of care documents the need; check the amount on
        the MAC's eligibility portal.
    Source:
        CY2026 PFS final rule (KX threshold $2,480); Pub. 100-04 ch. 5 (KX).
    """
    ytd = ctx.visit.ytd_allowed
    threshold = kx_threshold(ctx.on.year)
    if ytd is None or not ctx.billed:
        return
    if threshold is None:
        yield Finding(f"No KX threshold is known for {ctx.on.year}: check CMS's figure for the "
                      "year.", severity="info")
        return
    amount = visit_amount(ctx)
    limit = _money(threshold.amount)
    sources = (threshold.source, "cms-100-04-ch5")
    if amount is None:
        if ytd > threshold.amount:
            yield _kx_finding(ctx, f"The patient is past the {ctx.on.year} KX threshold "
                              f"({_money(ytd)} > {limit})", sources)
        elif not ctx.visit.kx:
            yield Finding(f"Year to date {_money(ytd)} of the {limit} KX threshold: import a "
                          "fee schedule (and set the profile's locality) to know whether this "
                          "visit crosses it.", severity="info", sources=sources)
        return
    total = ytd + amount
    if total > threshold.amount:
        crossing = "takes the patient past" if ytd <= threshold.amount else "is past"
        yield _kx_finding(ctx, f"This visit {crossing} the {ctx.on.year} KX threshold: "
                          f"{_money(ytd)} + {_money(amount)} estimated = {_money(total)} > "
                          f"{limit}", sources)
    elif ctx.visit.kx:
        yield Finding(f"KX is on but {_money(ytd)} + {_money(amount)} = {_money(total)} is "
                      f"not past the {limit} KX threshold yet: leave KX off.",
                      severity="info", sources=sources)


def _kx_finding(ctx: RuleContext, why: str, sources: tuple[str, ...]) -> Finding:
    if ctx.visit.kx:
        return Finding(f"{why}: KX is on (the plan of care must document why the care is "
                       "still needed).", severity="info", sources=sources)
    first = ctx.billed[0]
    return Finding(f"{why}: add KX to every line (offered) if the care is medically "
                   "necessary and documented; without it the lines are denied.",
                   (first.text,), first.index, ("KX",), sources=sources,
                   offer_modifiers=True)


@rule(id="targeted-review", severity="info", sources=("bba-2018-50202",),
      profiles=("medicare",))
def targeted_review(ctx: RuleContext) -> Iterator[Finding]:
    """The patient's PT+SLP amount for the year passes $3,000: targeted medical review.

    What it checks:
        The typed year-to-date amount plus this visit's estimate against $3,000.
    Why it is denied:
        Above $3,000 a year the MAC may review the claims (targeted medical review); a
        plan of care and notes that do not show why skilled care is still needed lose the
        payment.
    Example visit:
        Year to date $2,950; today estimated at $120.
    Fix:
        Nothing to change on the claim (KX stays); make sure the notes support the need.
    Source:
        Bipartisan Budget Act of 2018 §50202.
    """
    ytd = ctx.visit.ytd_allowed
    if ytd is None or not ctx.billed:
        return
    amount = visit_amount(ctx)
    total = ytd + (amount or Decimal("0.00"))
    limit = REVIEW_THRESHOLD.amount
    if total > limit:
        how = (f"{_money(ytd)} + {_money(amount)} estimated = {_money(total)}"
               if amount is not None else f"year to date {_money(ytd)}")
        yield Finding(f"Past the {_money(limit)} targeted medical review amount ({how}): the "
                      "MAC may review these claims; the notes must show why skilled care is "
                      "still needed.")
