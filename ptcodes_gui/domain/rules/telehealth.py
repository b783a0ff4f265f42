"""Telehealth: 95 (video) and 93 (audio only) only on codes on the Medicare telehealth list.

The PT codes of the CY2026 list ship here (``SHIPPED_LIST``, confidence M: the CMS list file
is authoritative); an imported list (``CodeLookup.telehealth_list()``) replaces it whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Final

from ptcodes_gui.domain.lookup import CodeLookup
from ptcodes_gui.domain.models import TelehealthList
from ptcodes_gui.domain.rules.context import ResolvedLine, RuleContext, join_and
from ptcodes_gui.domain.rules.registry import Finding, rule
from ptcodes_gui.domain.visit_input import TELEHEALTH_MODIFIERS

SHIPPED_SOURCE: Final = "telehealth-list-2026"
_PT_CODES: Final = frozenset(
    {
        "97110", "97112", "97116", "97150", "97161", "97162", "97163", "97164",
        "97530", "97535", "97542", "97750", "97755", "97760", "97761", "97763",
        # caregiver training (added CY2025, permanent from CY2026), cognitive intervention
        "97550", "97551", "97552", "97129", "97130", "G0541", "G0542", "G0543",
        # SLP and other therapy codes, self-management education
        "92507", "92521", "92522", "92523", "92524", "92526", "96125",
        "98960", "98961", "98962",
        # telephone assessment by a non-physician professional (audio by nature)
        "98966", "98967", "98968",
    }
)
#: Codes that are remote by definition (RTM, virtual check-ins, e-visits): not telehealth
#: versions of in-person services, so 95/93 never go on them. (Telephone assessment
#: 98966-98968 is on the telehealth list itself.)
REMOTE_BY_DEFINITION: Final = frozenset(
    {
        "98975", "98976", "98977", "98978", "98979", "98980", "98981", "98984", "98985",
        "98986", "G2250", "G2251", "98016", "98970", "98971", "98972",
    }
)
#: Since CY2025 an interactive telecommunications system includes audio only for a patient
#: at home who cannot or will not use video, for any service on the list.
SHIPPED_LIST: Final = TelehealthList(
    codes=_PT_CODES, audio_only=_PT_CODES, source=SHIPPED_SOURCE, confidence="M"
)


def telehealth_list(lookup: CodeLookup, on: date | None = None) -> TelehealthList:
    """The imported Medicare telehealth list, or the shipped PT codes of the CY2026 list
    (also when the imported one takes effect after ``on``, the date of service)."""
    imported = lookup.telehealth_list()
    if imported is None or (on is not None and imported.effective
                            and imported.effective > on.isoformat()):
        return SHIPPED_LIST
    return imported


def _sources(listed: TelehealthList) -> tuple[str, ...]:
    """The shipped list's source id, or the imported file's own name."""
    return (listed.source or SHIPPED_SOURCE,)


def _telehealth_lines(ctx: RuleContext) -> Iterator[tuple[ResolvedLine, str]]:
    for r in ctx.billed:
        for modifier in r.modifiers:
            if modifier in TELEHEALTH_MODIFIERS:
                yield r, modifier
                break


@rule(id="telehealth-not-on-list", severity="error",
      sources=(SHIPPED_SOURCE, "caa-2026-telehealth"),
      confidence="M")
def telehealth_not_on_list(ctx: RuleContext) -> Iterator[Finding]:
    """95 or 93 on a code that is not on the Medicare telehealth list.

    What it checks:
        Every line billed as telehealth (95 video, 93 audio only) is a code on the list of
        Medicare telehealth services: for PTs 97110, 97112, 97116, 97150, 97161-97164,
        97530, 97535, 97542, 97750, 97755, 97760, 97761 and 97763; caregiver training
        97550-97552 and G0541-G0543, 97129/97130, the SLP codes 92507, 92521-92524 and
        92526, 96125, 98960-98962 and telephone assessment 98966-98968 (CY2026).
    Why it is denied:
        Medicare pays as telehealth only the services on its list; hands-on services such as
        97140, modalities (97010-97036, G0283), dry needling and strapping are not on it, so
        95 on them is a denial. Other payers often follow the Medicare list.
    Example visit:
        Telehealth 95: 97110=30 97140=15.
    Fix:
        Bill the code only for an in-person visit, or leave it off the telehealth claim.
    Source:
        CMS List of Medicare Telehealth Services for CY2026 (an imported list replaces it);
        Consolidated Appropriations Act, 2026 (PT telehealth through 2027).
    """
    listed = telehealth_list(ctx.lookup, ctx.on)
    for r, modifier in _telehealth_lines(ctx):
        if r.text in listed.codes or r.text in REMOTE_BY_DEFINITION:
            continue  # remote codes: telehealth-remote-code says "no 95" instead
        payer = "Medicare" if ctx.profile.medicare else "Medicare (and most payers that follow it)"
        yield Finding(
            f"{r.text} is not on the Medicare telehealth list: {payer} denies it with "
            f"{modifier}; bill it only in person.",
            (r.text, modifier),
            r.index,
            severity=None if ctx.profile.medicare else "warning",
            sources=_sources(listed),
            confidence=listed.confidence,
        )


@rule(id="telehealth-remote-code", severity="warning",
      sources=("pfs-2026-final", "mm14250", "cpt-2026"), confidence="M-H")
def telehealth_remote_code(ctx: RuleContext) -> Iterator[Finding]:
    """95 or 93 on a code that is remote by definition (RTM, virtual check-in, e-visit).

    What it checks:
        Lines of remote therapeutic monitoring (98975-98986), virtual check-ins (G2250,
        G2251, 98016) and e-visits (98970-98972) carry no telehealth modifier.
    Why it is denied:
        These services are furnished remotely by their definition; they are not
        telehealth versions of an in-person service, so 95/93 does not belong on them and
        may get the line rejected.
    Example visit:
        Telehealth 95: 97110=30 98977.
    Fix:
        Take 95 (or 93) off the remote code; keep it on the listed codes of the telehealth
        visit.
    Source:
        CY2026 PFS final rule (RTM and virtual services); CMS CR 14250; CPT 2026.
    """
    for r, modifier in _telehealth_lines(ctx):
        if r.text in REMOTE_BY_DEFINITION:
            yield Finding(
                f"{r.text} is remote by definition: no {modifier} on this code (it is not a "
                "telehealth version of a visit); leave the modifier off this line.",
                (r.text, modifier),
                r.index,
            )


@rule(id="telehealth-audio-only", severity="info", sources=(SHIPPED_SOURCE,),
      confidence="M")
def telehealth_audio_only(ctx: RuleContext) -> Iterator[Finding]:
    """93 (audio only) on a telehealth line.

    What it checks:
        Lines with 93: whether the list allows the code audio-only, and (when it does) a
        reminder of the condition.
    Why it is denied:
        Audio-only telehealth is paid only for services the list allows that way, for a
        patient at home who cannot or will not use video; otherwise 93 is a denial.
    Example visit:
        Telehealth 93: 97110=20.
    Fix:
        Use video (95) where the list does not allow audio only; otherwise document why video
        was not used.
    Source:
        CMS List of Medicare Telehealth Services for CY2026 (audio-only column).
    """
    listed = telehealth_list(ctx.lookup, ctx.on)
    allowed = []
    for r, modifier in _telehealth_lines(ctx):
        if modifier != "93" or r.text not in listed.codes:
            continue  # not on the list at all: telehealth-not-on-list says so
        if r.text in listed.audio_only:
            allowed.append(r)
            continue
        yield Finding(
            f"The telehealth list does not allow {r.text} audio only: bill it with video (95).",
            (r.text, "93"),
            r.index,
            ("95",),
            severity="warning",
            offer_modifiers=True,
            sources=_sources(listed),
            confidence=listed.confidence,
        )
    if allowed:
        codes = [r.text for r in allowed]
        yield Finding(
            f"Audio only (93) on {join_and(codes)}: allowed for a patient at home who cannot or "
            "will not use video; say so in the note.",
            tuple(codes),
            allowed[0].index,
            sources=_sources(listed),
            confidence=listed.confidence,
        )
