"""Remote therapeutic monitoring (RTM): the codes that exclude each other in one period.

A visit is one day, so two codes found on it are always within the same month and the same
30 days; the messages name the period so the biller also checks the other days.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ptcodes_gui.domain.rules.context import RuleContext
from ptcodes_gui.domain.rules.registry import Finding, rule

#: (16-30 days of device supply, 2-15 days): musculoskeletal, respiratory, CBT.
SUPPLY_PAIRS: Final[tuple[tuple[str, str], ...]] = (
    ("98977", "98985"),
    ("98976", "98984"),
    ("98978", "98986"),
)


def _line_of(ctx: RuleContext, code: str) -> int | None:
    lines = ctx.billed_lines_of(code)
    return lines[0].index if lines else None


@rule(id="rtm-management-same-month", severity="error", sources=("pfs-2026-final", "cpt-2026"),
      confidence="M-H")
def rtm_management_same_month(ctx: RuleContext) -> Iterator[Finding]:
    """98979 (10-19 minutes of RTM treatment management) with 98980 in one month.

    What it checks:
        98979 and 98980 are not both billed for the same calendar month.
    Why it is denied:
        98979 is for a month with 10-19 minutes of management; once the month reaches 20
        minutes it is 98980 (with 98981 for each further 20), never both.
    Example visit:
        98979 and 98980 on one day.
    Fix:
        Bill 98980 for a month with 20 minutes or more, 98979 only for 10-19 minutes.
    Source:
        CY2026 PFS final rule (new RTM codes); CPT 2026.
    """
    codes = ctx.billed_codes
    if "98979" in codes and "98980" in codes:
        yield Finding(
            "98979 and 98980 are not billed in the same month: at 20 minutes or more bill "
            "98980 only, 98979 is for 10-19 minutes.",
            ("98979", "98980"),
            _line_of(ctx, "98979"),
        )


@rule(id="rtm-supply-same-period", severity="error", sources=("pfs-2026-final", "cpt-2026"),
      confidence="M-H")
def rtm_supply_same_period(ctx: RuleContext) -> Iterator[Finding]:
    """A 16-30 day and a 2-15 day RTM device-supply code in the same 30 days.

    What it checks:
        98977 with 98985 (musculoskeletal), 98976 with 98984 (respiratory), 98978 with
        98986 (CBT) are not both billed.
    Why it is denied:
        Device supply is reported once per 30-day period, with the code of the days the
        device was used: 2-15 days or 16-30 days, not both.
    Example visit:
        98977 and 98985 on one day.
    Fix:
        Keep the one code that matches the days of use in the 30-day period.
    Source:
        CY2026 PFS final rule (new 2-15 day codes); CPT 2026.
    """
    codes = ctx.billed_codes
    for long_code, short_code in SUPPLY_PAIRS:
        if long_code in codes and short_code in codes:
            yield Finding(
                f"{long_code} (16-30 days) and {short_code} (2-15 days) are not billed in the "
                "same 30 days: keep the one that matches the days the device was used.",
                (long_code, short_code),
                _line_of(ctx, short_code),
            )


#: Remote therapeutic monitoring (RTM) and remote physiologic monitoring (RPM) codes.
RTM_CODES: Final = frozenset(
    {"98975", "98976", "98977", "98978", "98979", "98980", "98981", "98984", "98985", "98986"}
)
RPM_CODES: Final = frozenset({"99453", "99454", "99457", "99458", "99091"})


@rule(id="rtm-with-rpm", severity="error", sources=("mm14250", "pfs-2026-final", "cpt-2026"),
      confidence="M-H")
def rtm_with_rpm(ctx: RuleContext) -> Iterator[Finding]:
    """RTM and RPM billed for the same patient in the same period.

    What it checks:
        Remote therapeutic monitoring (98975-98986) and remote physiologic monitoring
        (99453-99458, 99091) are not both on the visit.
    Why it is denied:
        One practitioner or another may monitor a patient remotely, but RTM and RPM are not
        billed for the same patient in the same period: the second service is denied.
    Example visit:
        98977 and 99454 on one day.
    Fix:
        Keep the monitoring that fits the data (RTM: musculoskeletal, respiratory, CBT,
        adherence; RPM: physiologic data such as blood pressure) and drop the other.
    Source:
        CMS CR 14250 / MLN MM14250; CY2026 PFS final rule; CPT 2026.
    """
    rtm = [c for c in ctx.billed_codes if c in RTM_CODES]
    rpm = [c for c in ctx.billed_codes if c in RPM_CODES]
    if rtm and rpm:
        yield Finding(
            f"RTM ({', '.join(rtm)}) and RPM ({', '.join(rpm)}) are not billed for the same "
            "patient in the same period: keep the one that fits the data monitored.",
            (*rtm, *rpm),
            _line_of(ctx, rpm[0]),
        )
