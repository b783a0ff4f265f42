"""What Medicare pays and does not: substitutes (97014 → G0283), bundled codes, services it
never pays (97545/97546, dry needling by a PT), G0281's ulcer types, per-day codes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from ptcodes_gui.domain.liability import NEVER_COVERED, liability_details
from ptcodes_gui.domain.rules.context import ResolvedLine, RuleContext
from ptcodes_gui.domain.rules.registry import Finding, rule
from ptcodes_gui.domain.visit_input import DX_LETTERS, MEDICARE_SUBSTITUTES

#: Status B on the Medicare fee schedule whatever the catalog says (hot/cold packs,
#: non-selective debridement).
BUNDLED: Final = frozenset({"97010", "97602"})
#: No national payment (work hardening/conditioning).
NOT_PAID: Final = frozenset({"97545", "97546"})
DRY_NEEDLING: Final = frozenset({"20560", "20561"})
NONCOVERED_MODIFIERS: Final = NEVER_COVERED
#: Codes billed once a day, however many sessions.
PER_DAY: Final = frozenset({"97610", "95992"})
WOUND_STIMULATION: Final = frozenset({"G0281", "G0329"})
#: The ulcers NCD 270.1 covers, as ICD-10-CM patterns: pressure ulcers stage 3/4, chronic
#: non-pressure ulcers of the limbs and other sites (arterial, venous and diabetic ulcers are
#: coded with these), diabetic foot/skin ulcers, atherosclerosis with ulceration, varicose
#: veins and chronic venous hypertension with ulcer.
COVERED_ULCERS: Final = re.compile(
    r"^(L89\.\d\d[34]|L97\.|L98\.4|E(0[89]|1[013])\.62[12]|I70\.(2[3-6]|3[3-6]|4[3-6]|5[3-6]"
    r"|6[3-6]|7[3-6])|I83\.[02]|I87\.(0[13]|3[13]))"
)


@rule(id="medicare-use-g0283", severity="error", sources=("hcpcs-level2", "pfs-2026-final"),
      profiles=("medicare",))
def medicare_use_g0283(ctx: RuleContext) -> Iterator[Finding]:
    """A code Medicare does not accept, where it wants its own HCPCS code (97014 → G0283).

    What it checks:
        On a Medicare profile, no line bills 97014 (unattended electrical stimulation).
    Why it is denied:
        Medicare does not recognise 97014; it pays the same service as G0283.
    Example visit:
        97014 on a Medicare visit.
    Fix:
        Bill G0283 instead (one click replaces the line).
    Source:
        HCPCS Level II (G0283); CY2026 PFS (97014 status I).
    """
    for r in ctx.active:
        substitute = MEDICARE_SUBSTITUTES.get(r.text)
        if substitute:
            yield Finding(
                f"Medicare does not accept {r.text}: bill {ctx.title(substitute)} instead.",
                (r.text, substitute),
                r.index,
                (substitute,),
            )


@rule(id="medicare-bundled", severity="warning", sources=("pfs-2026-final",),
      profiles=("medicare",))
def medicare_bundled(ctx: RuleContext) -> Iterator[Finding]:
    """A code Medicare bundles (status B), such as 97010 hot/cold packs or 97602.

    What it checks:
        On a Medicare profile, lines of codes with fee-schedule status B.
    Why it is denied:
        A bundled service is paid as part of the other services of the day, never on its
        own line.
    Example visit:
        97010 with 97110=30.
    Fix:
        Leave it off the Medicare claim and document it in the note.
    Source:
        CY2026 PFS final rule addenda (status indicator B).
    """
    for r in ctx.active:
        assert r.code is not None
        if r.text in MEDICARE_SUBSTITUTES:
            continue
        if r.text in BUNDLED or r.code.medicare_status == "B":
            yield Finding(
                f"Medicare bundles {r.text} (status B): it is never paid separately. Leave it "
                "off the Medicare claim (document it in the note).",
                (r.text,),
                r.index,
            )


@rule(id="medicare-not-paid", severity="warning", sources=("pfs-2026-final", "cms-r-131"),
      profiles=("medicare",), confidence="M")
def medicare_not_paid(ctx: RuleContext) -> Iterator[Finding]:
    """A service Medicare does not pay at all (e.g. 97545/97546 work hardening).

    What it checks:
        On a Medicare profile, codes with no Medicare payment.
    Why it is denied:
        The fee schedule has no national payment for them: the line is denied.
    Example visit:
        97545 on a Medicare visit.
    Fix:
        Leave it off the Medicare claim, or add GY (never covered) and GX (a voluntary ABN
        was given) so the patient or a secondary payer can be billed; both are offered.
    Source:
        CY2026 PFS final rule addenda (no national RVUs); ABN form CMS-R-131 (GX, GY).
    """
    for r in ctx.active:
        assert r.code is not None
        if r.text in MEDICARE_SUBSTITUTES or r.text in BUNDLED or r.text in DRY_NEEDLING:
            continue
        if r.code.medicare_status == "B":
            continue
        if (r.text in NOT_PAID or r.code.not_medicare) and "GY" in r.modifiers:
            yield Finding(
                f"{r.text} is billed as never covered by Medicare (GY): it will be denied and "
                "the patient or a secondary payer pays.",
                (r.text,), r.index, severity="info", details=liability_details(("GY",)),
            )
        elif r.text in NOT_PAID or r.code.not_medicare:
            yield Finding(
                f"Medicare does not pay {r.text}: leave it off the Medicare claim, or add GY "
                "(and GX with a voluntary ABN) so the patient or a secondary payer can be "
                "billed.",
                (r.text,), r.index, NONCOVERED_MODIFIERS, offer_modifiers=True,
                details=liability_details(NONCOVERED_MODIFIERS),
            )


@rule(id="medicare-dry-needling", severity="warning",
      sources=("ncd-30.3.3", "cms-r-131"), profiles=("medicare",), confidence="M-H")
def medicare_dry_needling(ctx: RuleContext) -> Iterator[Finding]:
    """Dry needling (20560/20561) by a PT on a Medicare visit.

    What it checks:
        On a Medicare profile, lines of 20560/20561, and whether they carry GY/GX.
    Why it is denied:
        Medicare covers dry needling only as acupuncture for chronic low back pain furnished
        by an eligible acupuncture practitioner; a PT billing in their own name is not one.
    Example visit:
        20561 with 97110=30 on a Medicare visit.
    Fix:
        Give the patient a voluntary ABN and add GY (and GX) so the denial comes fast and the
        patient can be billed, or leave the line off.
    Source:
        NCD 30.3.3; ABN form CMS-R-131 instructions (GX, GY).
    """
    for r in ctx.active:
        if r.text not in DRY_NEEDLING:
            continue
        if any(m in r.modifiers for m in NONCOVERED_MODIFIERS):
            yield Finding(
                f"{r.text} is billed as not covered by Medicare (GY/GX): it will be denied and "
                "the patient pays under the voluntary ABN.",
                (r.text,),
                r.index,
                severity="info",
            )
            continue
        yield Finding(
            f"Medicare does not pay a PT for dry needling ({r.text}): add GY (and GX with a "
            "voluntary ABN) or leave it off the Medicare claim.",
            (r.text,),
            r.index,
            NONCOVERED_MODIFIERS,
            offer_modifiers=True,
            details=liability_details(NONCOVERED_MODIFIERS),
        )


def pointed_diagnoses(ctx: RuleContext, r: ResolvedLine) -> list[str]:
    letters = r.line.dx_pointers or tuple(DX_LETTERS[: len(ctx.visit.diagnoses)])
    return [
        ctx.visit.diagnoses[DX_LETTERS.index(p)]
        for p in letters
        if p in DX_LETTERS and DX_LETTERS.index(p) < len(ctx.visit.diagnoses)
    ]


@rule(id="g0281-ulcer-type", severity="warning", sources=("ncd-270.1",),
      profiles=("medicare",), confidence="M")
def g0281_ulcer_type(ctx: RuleContext) -> Iterator[Finding]:
    """G0281/G0329 (wound e-stim, electromagnetic therapy) without a covered ulcer diagnosis.

    What it checks:
        On a Medicare profile, the diagnoses a G0281/G0329 line points to include one of the
        ulcers NCD 270.1 covers: pressure ulcer stage III or IV (L89.xx3/L89.xx4), arterial,
        diabetic or venous stasis ulcer (L97.-, L98.4-, E11.621/E11.622, I70.23- and the
        like, I83.0-/I83.2-, I87.01-/I87.03-/I87.31-/I87.33-).
    Why it is denied:
        Medicare covers these only for those chronic ulcers, and only after 30 days of
        conventional care without measurable healing.
    Example visit:
        G0281 pointing at M79.604 (pain in leg).
    Fix:
        Point the line at the ulcer diagnosis (and document the 30 days of standard care), or
        leave G0281 off.
    Source:
        NCD 270.1.
    """
    for r in ctx.billed:
        if r.text not in WOUND_STIMULATION:
            continue
        diagnoses = pointed_diagnoses(ctx, r)
        if any(COVERED_ULCERS.match(dx) for dx in diagnoses):
            continue
        if not diagnoses:
            yield Finding(
                f"{r.text} is covered only for chronic stage III/IV pressure, arterial, "
                "diabetic or venous stasis ulcers after 30 days of standard care: add that "
                "ulcer diagnosis.",
                (r.text,),
                r.index,
                severity="info",
            )
            continue
        elsewhere = [
            (letter, dx)
            for letter, dx in zip(DX_LETTERS, ctx.visit.diagnoses, strict=False)
            if COVERED_ULCERS.match(dx)
        ]
        fix = (
            f"point it at {elsewhere[0][0]} ({elsewhere[0][1]})"
            if elsewhere
            else "point it at the ulcer diagnosis"
        )
        yield Finding(
            f"{r.text} points to no covered ulcer ({', '.join(diagnoses)}): Medicare pays it "
            "only for chronic stage III/IV pressure, arterial, diabetic or venous stasis "
            f"ulcers; {fix}.",
            (r.text, *diagnoses),
            r.index,
        )


@rule(id="per-day-code", severity="warning", sources=("cpt-2026",), confidence="M")
def per_day_code(ctx: RuleContext) -> Iterator[Finding]:
    """More than one unit of a code billed per day (97610, 95992).

    What it checks:
        97610 (low-frequency non-contact ultrasound for wounds) and 95992 (canalith
        repositioning) carry one unit a day.
    Why it is denied:
        They are reported per day, not per session or per area: a second unit is denied.
    Example visit:
        97610 with 2 units (or on two lines) for two sessions on one day.
    Fix:
        Bill 1 unit for the day.
    Source:
        CPT code instructions ("per day").
    """
    # summed over lines: a second session typed as a second line is the same mistake
    totals: dict[str, int] = {}
    first: dict[str, int] = {}
    for r in ctx.active:
        if r.text in PER_DAY:
            totals[r.text] = totals.get(r.text, 0) + r.final
            first.setdefault(r.text, r.index)
    for code, units in totals.items():
        if units > 1:
            yield Finding(
                f"{code} is billed per day, not per session: bill 1 unit for the day "
                f"(it has {units}).",
                (code,),
                first[code],
            )
