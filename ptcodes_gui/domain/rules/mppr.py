"""Multiple procedure payment reduction (MPPR) on Medicare therapy services.

Which unit is paid in full depends on each code's practice-expense (PE) payment, i.e. on the
fee schedule: the context's ``fees`` (None until a fee schedule is imported) names it when
there is one; without it the rule says how many units take the reduction.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from ptcodes_gui.domain.fees import FeeLine, FeeSchedule, Locality, estimate_visit
from ptcodes_gui.domain.rules.context import FeeLookup, ResolvedLine, RuleContext, plural
from ptcodes_gui.domain.rules.coverage import BUNDLED, DRY_NEEDLING, NOT_PAID
from ptcodes_gui.domain.rules.registry import Finding, rule

#: "Sometimes therapy" wound-care codes inside the 97xxx range (not "always therapy").
_WOUND: Final = frozenset({"97597", "97598", "97602", "97605", "97606", "97607", "97608", "97610"})
#: 97xxx codes that are not therapy at all: acupuncture (97810-97814) and the athletic
#: trainer's evaluations (97169-97172) take no therapy MPPR.
_NOT_THERAPY: Final = frozenset(
    {"97810", "97811", "97813", "97814", "97169", "97170", "97171", "97172"}
)
#: "Always therapy" codes outside 97xxx.
_ALWAYS_OTHER: Final = frozenset(
    {"G0283", "92507", "92508", "92521", "92522", "92523", "92524", "92526"}
)


@dataclass(frozen=True)
class SchedulePracticeExpense:
    """The ``fees`` hook over an imported fee schedule in one locality: a unit's
    non-facility PE payment, ``PE RVU × PE GPCI × conversion factor``."""

    schedule: FeeSchedule
    locality: Locality

    def practice_expense(self, code: str) -> Decimal | None:
        rvu = self.schedule.rvu(code)
        if rvu is None:
            return None
        return rvu.pe_nonfacility * self.locality.pe * rvu.conversion_factor

    def visit_total(self, lines: list[FeeLine]) -> Decimal:
        """The visit's estimated payment (MPPR, CQ/CO) in this locality."""
        return estimate_visit(lines, self.schedule, self.locality.id).total

    def therapy_mppr(self, code: str) -> bool | None:
        """The RVU file's MULT PROC indicator 5 (None: the code is not in the file)."""
        rvu = self.schedule.rvu(code)
        return None if rvu is None else rvu.therapy_mppr


def always_therapy(code: str) -> bool:
    """An "always therapy" service of CMS's therapy code list (approximated: 97xxx except
    the wound-care codes, acupuncture and the athletic trainer's evaluations, plus G0283
    and the SLP treatment/evaluation codes)."""
    if code in _ALWAYS_OTHER:
        return True
    return (
        code.startswith("97")
        and len(code) == 5
        and code not in _WOUND
        and code not in _NOT_THERAPY
    )


def takes_mppr(code: str, fees: FeeLookup | None) -> bool:
    """Whether the therapy MPPR applies to ``code``: the imported fee schedule's MULT PROC
    indicator 5 when it lists the code, else the shipped "always therapy" list."""
    marked = fees.therapy_mppr(code) if fees is not None else None
    return always_therapy(code) if marked is None else marked


def _paid(r: ResolvedLine) -> bool:
    assert r.code is not None
    if r.text in BUNDLED or r.text in NOT_PAID or r.text in DRY_NEEDLING:
        return False
    return r.code.medicare_status != "B" and not r.code.not_medicare


def _full_price(lines: list[ResolvedLine], fees: FeeLookup | None) -> ResolvedLine | None:
    """The line whose unit has the highest PE payment, None without a priced fee schedule."""
    if fees is None:
        return None
    priced = [(fees.practice_expense(r.text), r) for r in lines]
    known = [(pe, r) for pe, r in priced if pe is not None]
    if len(known) != len(priced):
        return None
    return max(known, key=lambda item: item[0])[1]


@rule(id="mppr-reduction", severity="info",
      sources=("cms-100-04-ch5-10.7", "cms-therapy-code-list", "cms-pfs-rvu-readme"),
      profiles=("medicare",))
def mppr_reduction(ctx: RuleContext) -> Iterator[Finding]:
    """More than one unit of "always therapy" services on one Medicare day (MPPR).

    What it checks:
        On a Medicare profile, the billed units of the day's codes the therapy MPPR applies
        to: with an imported fee schedule, those whose MULT PROC indicator is 5; without
        one, the "always therapy" codes (97xxx therapy services, G0283, the SLP codes), not
        acupuncture (97810-97814) nor the athletic trainer's evaluations (97169-97172).
    Why it is denied:
        Not denied, reduced: the unit with the highest practice-expense (PE) payment is paid
        in full and the PE part of every other unit at 50%, so the payment is less than the
        sum of the fee schedule amounts.
    Example visit:
        97110=30 97140=15: 3 units; one is paid in full, the PE of the other 2 at 50%.
    Fix:
        Nothing to change on the claim: expect the reduction in the estimate and the payment.
    Source:
        Pub. 100-04 ch. 5 §10.7; CMS therapy code list; the PFS RVU file (MULT PROC).
    """
    lines = [r for r in ctx.billed if takes_mppr(r.text, ctx.fees) and _paid(r)]
    units = sum(r.final for r in lines)
    if units < 2:
        return
    full = _full_price(lines, ctx.fees)
    head = (
        f"one unit of {full.text} (the highest practice expense) is paid in full"
        if full is not None
        else "the unit with the highest practice expense is paid in full"
    )
    yield Finding(
        f"MPPR: of the {units} therapy units, {head} and the practice-expense part of the "
        f"other {plural(units - 1, 'unit')} at 50%.",
        tuple(dict.fromkeys(r.text for r in lines)),
    )
