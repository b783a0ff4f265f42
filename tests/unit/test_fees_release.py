"""Which fee schedule prices a visit (domain/fees.py): a schedule prices dates of service
from its effective date on (that day included), never the day before."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ptcodes_gui.domain.fees import FeeLine, FeeSchedule, Locality, Rvu, estimate_visit

PLAIN = Locality("99999", "01", "XX", "PLAIN", Decimal(1), Decimal(1), Decimal(1))


def _schedule(*rvus: Rvu, effective: str | None = None) -> FeeSchedule:
    return FeeSchedule("CMS PFS RVU 2026 July (test)", {r.code: r for r in rvus},
                       {PLAIN.id: PLAIN}, effective=effective)


def test_a_july_schedule_prices_from_july_1_not_june_30() -> None:
    july = _schedule(effective="2026-07-01")
    assert not july.in_force_on(date(2026, 6, 30))
    assert july.in_force_on(date(2026, 7, 1))
    assert july.in_force_on(date(2027, 1, 1))


def test_an_undated_schedule_prices_any_day_and_none_means_today() -> None:
    assert _schedule().in_force_on(date(1999, 1, 1))
    assert _schedule(effective="2000-01-01").in_force_on(None)
    assert not _schedule(effective="2999-01-01").in_force_on(None)


def test_a_code_medicare_does_not_cover_has_no_amount_a_bundled_one_pays_0() -> None:
    def rvu(code: str, status: str) -> Rvu:
        return Rvu(code, "", status, Decimal(1), Decimal(1), Decimal(0), Decimal(1), "0")

    schedule = _schedule(rvu("97010", "B"), rvu("97799", "C"), rvu("G0999", "N"))
    est = estimate_visit([FeeLine("97010", 1), FeeLine("97799", 1), FeeLine("G0999", 1)],
                         schedule, PLAIN.id)
    bundled, carrier, not_covered = est.lines
    assert bundled.amount == Decimal("0.00") and "bundled" in bundled.note
    assert carrier.amount is None and carrier.note.startswith("carrier priced (status C)")
    assert not_covered.amount is None
    assert not_covered.note == "not covered by Medicare (status N)"
