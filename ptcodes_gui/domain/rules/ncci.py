"""NCCI procedure-to-procedure (PTP) pairs: never together (indicator 0), together only as
distinct services with 59/X{EPSU} (indicator 1), and unverified pairs shown as "verify".

The pairs come from the catalog (shipped, with their confidence) or an imported CMS PTP
table, which always wins; each warning carries the pair's source, confidence and date.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ptcodes_gui.domain.models import NcciPair
from ptcodes_gui.domain.rules.context import RuleContext
from ptcodes_gui.domain.rules.registry import Finding, rule
from ptcodes_gui.domain.sources import SOURCES
from ptcodes_gui.domain.visit_input import DISTINCT_MODIFIERS

_PTP = "ncci-ptp-practitioner"
#: Pairs billers report but no public table confirms: shown as "verify"
#: when the catalog has no pair for them, never as an error. (97530/97116 is a published
#: edit, a real pair in the catalog since 2026-12-06.)
VERIFY_PAIRS: Final[tuple[tuple[str, str], ...]] = (
    ("97161", "97750"),
    ("97162", "97750"),
    ("97163", "97750"),
    ("97124", "97140"),
    ("97150", "97140"),
    ("97150", "97530"),
    ("97150", "97535"),
    ("97150", "97542"),
)


#: Indicator-0 pairs of one service in two sizes: the fix is the one code that fits, not
#: "keep column 1".
ONE_CODE_OF: Final[dict[tuple[str, str], str]] = {
    ("20561", "20560"): "Bill one code by the number of muscles needled in the session: "
    "20560 for 1-2 muscles, 20561 for 3 or more",
}


def _sources(pair: NcciPair) -> tuple[str, ...]:
    """The pair's own source (a known id or an imported release), else the PTP table."""
    own = pair.source.strip()
    if own in SOURCES:
        return (own,) if own == _PTP else (own, _PTP)
    if own and not own.lower().startswith("facts"):
        return (own,)  # an imported release, named by its file
    return (_PTP,)


def _verify(pair: NcciPair) -> bool:
    return pair.confidence.strip().upper().startswith("L")


def _finding(
    pair: NcciPair, message: str, line: int | None, *, offer: bool = False, note: bool = False
) -> Finding:
    """A pair's finding with the pair's own source, confidence and date; ``offer``: the
    distinct-service modifiers are offered on the line; ``note``: only an info."""
    return Finding(
        message,
        (pair.column1, pair.column2),
        line,
        DISTINCT_MODIFIERS if offer else (),
        severity="info" if note else None,
        sources=_sources(pair),
        confidence=pair.confidence,
        as_of=pair.as_of,
        offer_modifiers=offer,
        details=pair.note,
    )


@rule(id="ncci-indicator-0", severity="error", sources=(_PTP, "ncci-policy-ch11"))
def ncci_indicator_0(ctx: RuleContext) -> Iterator[Finding]:
    """Two codes of an NCCI pair with modifier indicator 0 on one day.

    What it checks:
        The billed codes against the NCCI PTP pairs in force on the visit's date.
    Why it is denied:
        Indicator 0 means the column-2 code is never paid with the column-1 code on the same
        day, whatever modifier is added.
    Example visit:
        97597 and 97602 (selective and non-selective debridement).
    Fix:
        Remove the column-2 code; only the column-1 code is paid.
    Source:
        The CMS NCCI PTP practitioner table; NCCI Policy Manual ch. XI.
    """
    for pair in ctx.pairs:
        if pair.indicator != 0 or _verify(pair):
            continue
        col2 = ctx.billed_lines_of(pair.column2)
        fix = ONE_CODE_OF.get(
            (pair.column1, pair.column2),
            f"Remove {pair.column2}; only {pair.column1} is paid",
        )
        yield _finding(
            pair,
            f"{pair.column1} and {pair.column2} are never paid together on one day and no "
            f"modifier bypasses that (NCCI indicator 0). {fix}.",
            col2[0].index if col2 else None,
        )


@rule(id="ncci-pair", severity="warning", sources=(_PTP, "mln-modifier-59"))
def ncci_pair(ctx: RuleContext) -> Iterator[Finding]:
    """Two codes of an NCCI pair with modifier indicator 1 on one day.

    What it checks:
        The billed codes against the NCCI PTP pairs in force on the visit's date, and whether
        the column-2 code carries 59 or an X modifier.
    Why it is denied:
        Without a distinct-service modifier the column-2 code is denied as part of the
        column-1 code; with one, the note must show separate time blocks (timed codes) or
        distinct services.
    Example visit:
        97140=15 97530=15 (CMS's modifier-59 fact sheet, example 9).
    Fix:
        Bill both only for separate time blocks and add 59 or XU to the column-2 code.
    Source:
        The CMS NCCI PTP practitioner table; MLN "Proper Use of Modifiers 59, XE, XP, XS, XU".
    """
    for pair in ctx.pairs:
        if pair.indicator != 1 or _verify(pair):
            continue
        both_timed = all(
            r.code is not None and r.code.timed
            for r in ctx.billed
            if r.text in (pair.column1, pair.column2)
        )
        for r in ctx.billed_lines_of(pair.column2):
            has = [m for m in r.modifiers if m in DISTINCT_MODIFIERS]
            if has:
                shown = "separate time blocks" if both_timed else "that the services were distinct"
                yield _finding(
                    pair,
                    f"{pair.column1} and {pair.column2} are an NCCI pair; {pair.column2} carries "
                    f"{has[0]}: the note must show {shown}.",
                    r.index,
                    note=True,
                )
                continue
            fix = (
                "bill both only for separate time blocks and add 59 or XU to"
                if both_timed
                else "bill both only for truly distinct services and add 59 or the X modifier "
                "that fits (XE, XS, XP, XU) to"
            )
            yield _finding(
                pair,
                f"{pair.column1} and {pair.column2} are an NCCI pair: {fix} {pair.column2} "
                "(the column-2 code takes the modifier).",
                r.index,
                offer=True,
            )


@rule(id="ncci-verify", severity="info", sources=(_PTP,), confidence="L")
def ncci_verify(ctx: RuleContext) -> Iterator[Finding]:
    """A reported but unverified NCCI pair (97161-97163 with 97750, 97124 with 97140, ...).

    What it checks:
        Pairs whose confidence is low (L): the catalog's, and the pairs billers report that
        no public table confirms.
    Why it is denied:
        It may not be: the edit's status is unverified, so it is shown as "verify", never as
        an error. An imported CMS PTP table replaces the guess.
    Example visit:
        97162 and 97750 on one day.
    Fix:
        Check the pair in the current CMS PTP table; if it is there, bill the two as distinct
        services (separate time blocks) with 59 or an X modifier.
    Source:
        The CMS NCCI PTP practitioner table (to be checked against).
    """
    known = {(p.column1, p.column2) for p in ctx.lookup.ncci_pairs(ctx.billed_codes)}
    for pair in ctx.pairs:
        if pair.indicator in (0, 1) and _verify(pair):
            yield _finding(pair, _verify_message(pair.column1, pair.column2), _line(ctx, pair))
    codes = ctx.billed_codes
    for col1, col2 in VERIFY_PAIRS:
        if col1 in codes and col2 in codes and not {(col1, col2), (col2, col1)} & known:
            lines = ctx.billed_lines_of(col2)
            yield Finding(
                _verify_message(col1, col2),
                (col1, col2),
                lines[0].index if lines else None,
                confidence="L",
            )


def _line(ctx: RuleContext, pair: NcciPair) -> int | None:
    lines = ctx.billed_lines_of(pair.column2)
    return lines[0].index if lines else None


def _verify_message(col1: str, col2: str) -> str:
    return (
        f"Verify: {col1} with {col2} may be an NCCI pair (unverified): check the current CMS "
        f"table; if listed, bill {col2} only as a distinct service with 59 or an X modifier."
    )
