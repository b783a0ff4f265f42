"""Rules about the modifiers on a line: how many fit, and GT."""

from __future__ import annotations

from collections.abc import Iterator

from ptcodes_gui.domain.rules.context import RuleContext
from ptcodes_gui.domain.rules.registry import Finding, rule
from ptcodes_gui.domain.visit_input import MAX_LINE_MODIFIERS


@rule(id="too-many-modifiers", severity="warning", sources=("cms-100-04-ch5",))
def too_many_modifiers(ctx: RuleContext) -> Iterator[Finding]:
    """More modifiers on a line than a claim line holds.

    What it checks:
        A billed line has at most 4 modifiers (GP, CQ, KX, 95 and your own count).
    Why it is denied:
        A claim line has 4 modifier fields; the rest are dropped, and the dropped one may be
        the one that makes the line payable.
    Example visit:
        97530 GP CQ KX 95 59 (five modifiers).
    Fix:
        Drop the least needed of your own modifiers.
    Source:
        CMS claim form instructions (Pub. 100-04).
    """
    for r in ctx.billed:
        mods = r.claim_modifiers
        if len(mods) > MAX_LINE_MODIFIERS:
            yield Finding(
                f"{r.text} has {len(mods)} modifiers ({' '.join(mods)}) but a "
                f"claim line holds {MAX_LINE_MODIFIERS}: drop the least needed of your own "
                "modifiers.",
                (r.text,),
                r.index,
            )


@rule(id="gt-not-cah", severity="warning", sources=("cms-100-04-ch5", "telehealth-list-2026"),
      confidence="M")
def gt_not_cah(ctx: RuleContext) -> Iterator[Finding]:
    """GT (telehealth via interactive audio and video) on a line.

    What it checks:
        Lines carrying GT.
    Why it is denied:
        GT is only for critical-access hospital method II claims; a practitioner's telehealth
        line uses 95 (video) or 93 (audio only), and GT elsewhere is rejected.
    Example visit:
        97110=30 with GT in a private practice.
    Fix:
        Replace GT with 95 (set the visit to telehealth), unless this is a CAH method II claim.
    Source:
        Pub. 100-04 (telehealth claims); CY2026 Medicare telehealth list instructions.
    """
    for r in ctx.billed:
        if "GT" in r.line.extra_modifiers:
            yield Finding(
                f"GT on {r.text} is only for critical-access hospital method II claims: use 95 "
                "(video telehealth) instead, unless this is such a claim.",
                (r.text, "GT"),
                r.index,
                ("95",),
                offer_modifiers=True,
            )


@rule(id="liability-modifier-conflict", severity="error",
      sources=("cms-r-131", "cms-100-04-ch30"), profiles=("medicare",))
def liability_modifier_conflict(ctx: RuleContext) -> Iterator[Finding]:
    """GA and GZ on one line: an ABN was signed, and was not.

    What it checks:
        Lines carrying both GA (signed ABN on file) and GZ (no signed ABN).
    Why it is denied:
        The two say opposite things about the ABN; the line is rejected as invalid, and
        the patient's liability is unclear.
    Example visit:
        97110 GP GA GZ.
    Fix:
        Keep GA when the patient signed the ABN before the service, else GZ.
    Source:
        ABN form CMS-R-131 instructions; Pub. 100-04 ch. 30 (GA, GZ).
    """
    for r in ctx.billed:
        if "GA" in r.modifiers and "GZ" in r.modifiers:
            yield Finding(
                f"{r.text} has both GA (signed ABN) and GZ (no signed ABN): keep GA if the "
                "patient signed the ABN before the service, else GZ.",
                (r.text, "GA", "GZ"),
                r.index,
            )
