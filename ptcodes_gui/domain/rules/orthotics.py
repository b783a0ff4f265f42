"""Orthotics and prosthetics: the side of an orthotic L-code, and the initial and
subsequent management codes (97760/97761, 97763) on one day."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from ptcodes_gui.domain.rules.context import RuleContext, join_and
from ptcodes_gui.domain.rules.registry import Finding, rule

SIDE_MODIFIERS: Final = ("RT", "LT")
#: Limb and foot orthoses (HCPCS L1600-L4999) have a side; spinal ones (L0xxx) do not, and
#: prosthetics (L5000+) are outside what a PT dispenses.
_ORTHOTIC_RE: Final = re.compile(r"^L(1[6-9]|[2-4]\d)\d\d$")
INITIAL: Final = ("97760", "97761")
SUBSEQUENT: Final = "97763"


@rule(id="orthotic-side", severity="warning", sources=("dmepos-supplier", "hcpcs-level2"),
      confidence="M")
def orthotic_side(ctx: RuleContext) -> Iterator[Finding]:
    """An orthotic L-code without RT or LT.

    What it checks:
        Orthotic HCPCS L-codes a PT dispenses (L1832, L3908, L4361, ...) carry the side.
    Why it is denied:
        The DME contractor denies a limb orthosis without RT/LT; it is billed under a DMEPOS
        supplier number, not on the therapy claim.
    Example visit:
        L1832 (knee orthosis) with no side.
    Fix:
        Add RT or LT (both, on two lines, for a pair).
    Source:
        DMEPOS supplier standards; HCPCS Level II.
    """
    for r in ctx.billed:
        if _ORTHOTIC_RE.match(r.text) and not any(m in r.modifiers for m in SIDE_MODIFIERS):
            yield Finding(
                f"{r.text} is an orthotic: add RT or LT for the side (billed to the DME "
                "contractor under a DMEPOS supplier number).",
                (r.text,),
                r.index,
                SIDE_MODIFIERS,
                offer_modifiers=True,
            )


@rule(id="orthotic-initial-and-subsequent", severity="error", sources=("cpt-2026",),
      confidence="M")
def orthotic_initial_and_subsequent(ctx: RuleContext) -> Iterator[Finding]:
    """97760 or 97761 (initial encounter) with 97763 (subsequent encounter) on one day.

    What it checks:
        The initial orthotic/prosthetic management and training codes and the subsequent
        encounter code are not billed together.
    Why it is denied:
        CPT says 97763 is not reported with 97760 or 97761 on the same day: one encounter is
        either the initial or a subsequent one.
    Example visit:
        97760=30 97763=15.
    Fix:
        Bill the code of the encounter that took place (the initial one on the first day).
    Source:
        CPT 2026 instructions for 97760-97763.
    """
    initial = [c for c in INITIAL if c in ctx.billed_codes]
    if not initial or SUBSEQUENT not in ctx.billed_codes:
        return
    if any(ctx.has_pair(c, SUBSEQUENT) for c in initial):
        return  # the catalog's NCCI pair already says it
    lines = ctx.billed_lines_of(SUBSEQUENT)
    yield Finding(
        f"{join_and(initial)} (initial encounter) and {SUBSEQUENT} (subsequent encounter) are "
        f"not billed on the same day: keep the one that took place.",
        (*initial, SUBSEQUENT),
        lines[0].index if lines else None,
    )
