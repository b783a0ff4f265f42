"""Where the Medicare estimate rounds and reduces (domain/fees.py): an exact half cent, the
85% of a CQ/CO line, and the one unit MPPR leaves in full. Worked by hand below."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ptcodes_gui.domain.fees import (
    FeeLine,
    FeeSchedule,
    Locality,
    Rvu,
    cents,
    estimate_summary,
    estimate_visit,
)

#: every GPCI 1: a unit's price is (work + PE + MP) × CF, easy to work by hand
PLAIN = Locality("99999", "01", "XX", "PLAIN", Decimal(1), Decimal(1), Decimal(1))


def _schedule(*rvus: Rvu) -> FeeSchedule:
    return FeeSchedule("CMS PFS RVU 2026 July (test)", {r.code: r for r in rvus},
                       {PLAIN.id: PLAIN})


def _rvu(code: str, work: str, pe: str, cf: str = "1", mult: str = "5") -> Rvu:
    return Rvu(code, "", "A", Decimal(work), Decimal(pe), Decimal(0), Decimal(cf), mult)


@pytest.mark.parametrize(
    ("exact", "rounded"),
    [
        ("1.005", "1.01"),  # the docstring's promise: half up, not half even (1.00)
        ("0.125", "0.13"),  # half even would give 0.12
        ("21.165", "21.17"),
        ("1.0049999", "1.00"),
        ("1.004", "1.00"),
        ("2.675", "2.68"),
        ("32.576565788", "32.58"),
    ],
)
def test_cents_rounds_half_up(exact: str, rounded: str) -> None:
    assert cents(Decimal(exact)) == Decimal(rounded)
    assert str(cents(Decimal(exact))) == rounded  # always two decimals, as shown


def test_a_cq_line_of_24_90_is_paid_21_17() -> None:
    # one unit at $24.90 (no MPPR: indicator 0); × 0.85 = 21.165 → $21.17 (half up)
    schedule = _schedule(_rvu("97110", "24.90", "0", mult="0"))
    est = estimate_visit([FeeLine("97110", 1, ("GP", "CQ"))], schedule, PLAIN.id)
    (line,) = est.lines
    assert line.unit_price == Decimal("24.90")
    assert line.assistant and line.note == "CQ/CO: 85%"
    assert line.amount == Decimal("21.17")
    assert est.total == Decimal("21.17")
    assert estimate_summary(est).endswith(": $21.17")


@pytest.mark.parametrize("modifier", ["CQ", "CO"])
def test_both_assistant_modifiers_pay_85_percent(modifier: str) -> None:
    schedule = _schedule(_rvu("97110", "20", "0", mult="0"))
    est = estimate_visit([FeeLine("97110", 1, ("GP", modifier))], schedule, PLAIN.id)
    assert est.total == Decimal("17.00")


def test_without_cq_the_line_is_paid_in_full() -> None:
    schedule = _schedule(_rvu("97110", "24.90", "0", mult="0"))
    est = estimate_visit([FeeLine("97110", 1, ("GP",))], schedule, PLAIN.id)
    assert est.total == Decimal("24.90") and not est.lines[0].assistant
    assert "CQ/CO" not in estimate_summary(est)


def test_mppr_halves_only_the_pe_of_every_unit_after_the_first() -> None:
    # work 10 + PE 20: full unit $30.00, reduced unit 10 + 10 = $20.00
    schedule = _schedule(_rvu("97110", "10", "20"))
    one = estimate_visit([FeeLine("97110", 1)], schedule, PLAIN.id)
    assert one.total == Decimal("30.00") and not one.mppr_applied
    assert "no MPPR reduction" in estimate_summary(one)
    two = estimate_visit([FeeLine("97110", 2)], schedule, PLAIN.id)
    assert two.total == Decimal("50.00") and two.mppr_applied
    assert (two.lines[0].full_units, two.lines[0].reduced_units) == (1, 1)
    assert two.lines[0].reduced_price == Decimal("20.00")


def test_the_full_unit_goes_to_the_highest_pe_not_the_highest_price() -> None:
    # 97140 costs more in all (work 50) but 97530 has the higher PE: 97530 is paid in full
    schedule = _schedule(_rvu("97140", "50", "10"), _rvu("97530", "1", "12"))
    est = estimate_visit([FeeLine("97140", 1), FeeLine("97530", 1)], schedule, PLAIN.id)
    assert est.full_price_line == 1
    assert [e.amount for e in est.lines] == [Decimal("55.00"), Decimal("13.00")]


def test_zero_units_never_take_the_full_price() -> None:
    schedule = _schedule(_rvu("97530", "1", "12"), _rvu("97110", "1", "4"))
    est = estimate_visit([FeeLine("97530", 0), FeeLine("97110", 1)], schedule, PLAIN.id)
    assert est.full_price_line == 1
    assert est.total == Decimal("5.00")


def test_mppr_then_cq_rounds_once_at_the_line() -> None:
    # 3 units, work 1 + PE 1.01: full 2.01, reduced 1.505 → 1.51 (half up), line
    # 2.01 + 2 × 1.51 = 5.03; × 0.85 = 4.2755 → 4.28
    schedule = _schedule(_rvu("97110", "1", "1.01"))
    est = estimate_visit([FeeLine("97110", 3, ("CQ",))], schedule, PLAIN.id)
    (line,) = est.lines
    assert (line.unit_price, line.reduced_price) == (Decimal("2.01"), Decimal("1.51"))
    assert line.amount == Decimal("4.28")
    assert line.note == "MPPR: PE of 2 unit(s) at 50%; CQ/CO: 85%"


def test_a_code_not_priced_in_an_office_has_no_amount_and_takes_no_full_unit() -> None:
    na = Rvu("97530", "", "A", Decimal(1), Decimal(50), Decimal(0), Decimal(1), "5",
             nonfacility_na=True)
    schedule = _schedule(na, _rvu("97110", "1", "4"))
    est = estimate_visit([FeeLine("97530", 1), FeeLine("97110", 1)], schedule, PLAIN.id)
    unpriced, paid = est.lines
    assert unpriced.amount is None
    assert unpriced.note == "no non-facility price (NA in the fee schedule)"
    assert est.full_price_line == 1 and paid.amount == Decimal("5.00")
    assert est.total == Decimal("5.00")
    assert estimate_summary(est).endswith(": $5.00; no amount for 97530")


def test_a_total_of_a_thousand_dollars_or_more_has_its_comma() -> None:
    schedule = _schedule(_rvu("99999", "1234.56", "0", mult="0"))
    est = estimate_visit([FeeLine("99999", 1)], schedule, PLAIN.id)
    assert estimate_summary(est).endswith(": $1,234.56")
