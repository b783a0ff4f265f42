"""Medicare's yearly therapy amounts: the KX threshold and the targeted medical review amount.

Data with its source, one row a year. The KX threshold applies to a patient's allowed
amounts for PT and SLP together (OT has its own, equal amount); above it every line needs
KX, the therapist's attestation that the care is still medically necessary. Above the
targeted medical review amount the claims may be picked for review. A year not listed here
has no figure: the visit says so rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final


@dataclass(frozen=True)
class Threshold:
    year: int
    amount: Decimal
    source: str  # id in domain/sources.py
    confidence: str


#: KX threshold for PT and SLP combined, per calendar year.
KX_THRESHOLDS: Final[dict[int, Threshold]] = {
    t.year: t
    for t in (
        Threshold(2024, Decimal("2330.00"), "pfs-2024-final", "H"),
        Threshold(2025, Decimal("2410.00"), "pfs-2025-final", "M-H"),
        Threshold(2026, Decimal("2480.00"), "pfs-2026-final", "M-H"),
    )
}
#: The targeted medical review amount, $3,000 a year since 2018 (BBA 2018 §50202).
REVIEW_THRESHOLD: Final = Threshold(2018, Decimal("3000.00"), "bba-2018-50202", "H")
#: Above this a typed year-to-date amount is a typo (thirty times the KX amount).
MAX_YTD: Final = Decimal("100000.00")


def kx_threshold(year: int) -> Threshold | None:
    """The KX threshold of ``year``; None for a year without a published figure here."""
    return KX_THRESHOLDS.get(year)


def parse_ytd(text: str) -> Decimal | None:
    """``"2,300"`` / ``"$2300.50"`` → Decimal; "" → None; ValueError (a sentence) on junk."""
    raw = text.strip().replace(",", "").removeprefix("$").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except ArithmeticError:
        raise ValueError(
            f"{text!r} is not an amount: type the patient's year-to-date PT+SLP allowed "
            "amount in dollars, e.g. 2300 or 2,300.50"
        ) from None
    if not value.is_finite() or value < 0 or value > MAX_YTD or value != round(value, 2):
        raise ValueError(
            f"{text!r} is not a year-to-date amount: dollars and cents from 0 to "
            f"{MAX_YTD:,.2f}"
        )
    return value.quantize(Decimal("0.01"))
