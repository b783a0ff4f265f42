"""What Medicare would pay for a visit: the physician fee schedule, MPPR, CQ/CO.

Everything is exact decimal arithmetic (``Decimal``, never float). The sources:

* One unit, non-facility, in a locality (CMS PFS relative value file, "How to calculate"):
  ``[(work RVU × work GPCI) + (non-facility PE RVU × PE GPCI) + (MP RVU × MP GPCI)] × CF``.
  The conversion factor is the one in the imported file's CONV FACTOR column (CY2026:
  33.4009 for non-qualifying APM participants, 33.5675 for qualifying ones).
* Multiple procedure payment reduction for "always therapy" services (Pub. 100-04 ch. 5
  §10.7; the RVU file marks them with MULT PROC indicator 5): on one day, the single unit
  with the highest practice-expense payment is paid in full; the PE part of every other unit
  of those services, of the same code or another, is paid at 50%; work and MP stay in full.
  Ties go to the earliest line of the visit.
* A line with CQ or CO (services furnished in whole or in part by an assistant) is then paid
  at 85% (Pub. 100-04 ch. 5; the 15% reduction applies to the amount after MPPR).

Rounding, stated once: a unit's full and reduced prices are each rounded to the cent, half
up (as a fee schedule lists them); a line is ``full units × full price + reduced units ×
reduced price``, times 0.85 for CQ/CO, rounded to the cent half up; the visit total is the
sum of its lines. These are estimates: deductible, coinsurance, sequestration and the MAC's
own rounding are not modelled, and every figure names the file it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, Protocol

__all__ = [
    "ASSISTANT_MODIFIERS",
    "ASSISTANT_RATE",
    "CF_2026_NON_QP",
    "CF_2026_QP",
    "FeeLine",
    "FeeSchedule",
    "LineEstimate",
    "Locality",
    "Rvu",
    "VisitEstimate",
    "cents",
    "estimate_summary",
    "estimate_visit",
    "parse_locality_id",
    "short_release",
    "unit_payment",
]

CF_2026_NON_QP: Final = Decimal("33.4009")
CF_2026_QP: Final = Decimal("33.5675")
ASSISTANT_MODIFIERS: Final = frozenset({"CQ", "CO"})
ASSISTANT_RATE: Final = Decimal("0.85")
MPPR_PE_RATE: Final = Decimal("0.50")
#: MULT PROC indicator of the RVU file: 5 = subject to the therapy MPPR on the PE.
THERAPY_MPPR_INDICATOR: Final = "5"
#: PFS status codes paid on the fee schedule (A active, R restricted, T paid alone).
PAYABLE_STATUSES: Final = frozenset({"A", "R", "T"})
STATUS_NOTES: Final[dict[str, str]] = {
    "B": "bundled (status B): Medicare pays it as part of other services, never alone",
    "C": "carrier priced (status C): the MAC sets the amount",
    "I": "not valid for Medicare (status I)",
    "N": "not covered by Medicare (status N)",
    "X": "excluded by law from the fee schedule (status X)",
    "E": "excluded from the fee schedule by regulation (status E)",
    "P": "bundled or excluded (status P)",
    "M": "measurement code (status M): reported, not paid",
}
ESTIMATE_LABEL: Final = "Estimated Medicare non-facility payment"

_CENT: Final = Decimal("0.01")
_LOCALITY_RE: Final = re.compile(r"\s*(\d{5})\s*[-/ ]\s*(\d{1,2})\s*")


def cents(value: Decimal) -> Decimal:
    """Rounded to the cent, half up (``1.005`` → ``1.01``)."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def parse_locality_id(text: str) -> str:
    """``"13202-01"`` (MAC number and locality number) → ``"13202-01"``; ``"13202 1"`` too.

    Raises ValueError with what is expected."""
    match = _LOCALITY_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(
            f"{text!r} is not a Medicare locality: give the MAC number and the locality "
            "number, e.g. 13202-01 (Manhattan) or 01112-54"
        )
    return f"{match.group(1)}-{int(match.group(2)):02d}"


@dataclass(frozen=True)
class Rvu:
    """One row of the PPRRVU file, without its (AMA) description."""

    code: str
    modifier: str  # "" for the global row; 26, TC, 53: component rows
    status: str
    work: Decimal
    pe_nonfacility: Decimal
    mp: Decimal
    conversion_factor: Decimal
    mult_proc: str = ""  # MULT PROC indicator; "5" = therapy MPPR
    nonfacility_na: bool = False  # NON-FAC NA INDICATOR: not priced in an office

    @property
    def therapy_mppr(self) -> bool:
        return self.mult_proc == THERAPY_MPPR_INDICATOR


@dataclass(frozen=True)
class Locality:
    """One row of the GPCI file (Addendum E)."""

    mac: str  # "13202"
    number: str  # "01"
    state: str
    name: str
    work: Decimal
    pe: Decimal
    mp: Decimal

    @property
    def id(self) -> str:
        return f"{self.mac}-{self.number}"

    @property
    def label(self) -> str:
        return f"{self.id} {self.state} {self.name.title()}"

    @property
    def choice(self) -> str:
        """How a chooser lists it: ``"13202-01 Manhattan, NY"``."""
        return f"{self.id} {self.name.title()}, {self.state}"


@dataclass(frozen=True)
class FeeSchedule:
    """An imported fee schedule: RVUs by code (global rows only) and the localities."""

    release: str  # e.g. "CMS PFS RVU 2026 July (non-QP), GPCI 2026"
    rvus: Mapping[str, Rvu]
    localities: Mapping[str, Locality]
    effective: str | None = None  # ISO date the RVU file takes effect

    def rvu(self, code: str) -> Rvu | None:
        return self.rvus.get(code.strip().upper())

    def in_force_on(self, day: date | None) -> bool:
        """A schedule dated after the date of service does not price it (None: today)."""
        return self.effective is None or self.effective <= (day or date.today()).isoformat()

    def locality(self, locality_id: str) -> Locality | None:
        try:
            return self.localities.get(parse_locality_id(locality_id))
        except ValueError:
            return None


def unit_payment(rvu: Rvu, locality: Locality, *, pe_rate: Decimal = Decimal(1)) -> Decimal:
    """Exact (unrounded) non-facility payment for one unit, the PE part times ``pe_rate``."""
    return (
        rvu.work * locality.work + rvu.pe_nonfacility * locality.pe * pe_rate + rvu.mp * locality.mp
    ) * rvu.conversion_factor


class FeeLineLike(Protocol):
    """What an estimate needs of a billed line (``visit.LineResult`` fits)."""

    @property
    def code(self) -> str: ...

    @property
    def units(self) -> int: ...

    @property
    def modifiers(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class FeeLine:
    code: str
    units: int
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class LineEstimate:
    index: int  # position among the lines given
    code: str
    units: int
    full_units: int  # units paid with their whole PE
    reduced_units: int  # units whose PE is paid at 50% (MPPR)
    unit_price: Decimal | None  # one unit in full, to the cent
    reduced_price: Decimal | None  # one unit with its PE at 50%, to the cent
    assistant: bool  # CQ/CO: paid at 85%
    amount: Decimal | None  # None: the fee schedule gives no amount (see note)
    note: str = ""


@dataclass(frozen=True)
class VisitEstimate:
    release: str
    locality: Locality
    lines: tuple[LineEstimate, ...]
    total: Decimal
    full_price_line: int | None  # index of the line whose first unit is paid in full
    notes: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return f"{ESTIMATE_LABEL} (estimate; {self.release}; locality {self.locality.label})"

    @property
    def mppr_applied(self) -> bool:
        return any(line.reduced_units for line in self.lines)


def _priced(rvu: Rvu | None, code: str) -> str:
    """Why a line has no fee-schedule amount, or "" when it has one."""
    if rvu is None:
        return f"{code} is not in the imported fee schedule"
    if rvu.status not in PAYABLE_STATUSES:
        return STATUS_NOTES.get(rvu.status, f"not paid on the fee schedule (status {rvu.status})")
    if rvu.nonfacility_na:
        return "no non-facility price (NA in the fee schedule)"
    return ""


def _full_price_line(
    lines: Sequence[FeeLineLike], rvus: Sequence[Rvu | None], locality: Locality
) -> int | None:
    """The MPPR line with the highest PE payment per unit; the earliest one on a tie."""
    best: tuple[Decimal, int] | None = None
    for index, (line, rvu) in enumerate(zip(lines, rvus, strict=True)):
        if rvu is None or _priced(rvu, line.code) or not rvu.therapy_mppr or line.units <= 0:
            continue
        pe = rvu.pe_nonfacility * locality.pe
        if best is None or pe > best[0]:
            best = (pe, index)
    return None if best is None else best[1]


def estimate_visit(
    lines: Iterable[FeeLineLike], schedule: FeeSchedule, locality_id: str
) -> VisitEstimate:
    """The estimate for one day's billed lines (MPPR, then CQ/CO at 85%).

    Raises ValueError when the locality is not in the schedule's GPCI list."""
    locality = schedule.locality(locality_id)
    if locality is None:
        raise ValueError(
            f"locality {locality_id!r} is not in the imported GPCI list of {schedule.release}"
        )
    given = list(lines)
    rvus = [schedule.rvu(line.code) for line in given]
    first = _full_price_line(given, rvus, locality)
    estimates = [
        _line_estimate(index, line, rvu, locality, first)
        for index, (line, rvu) in enumerate(zip(given, rvus, strict=True))
    ]
    total = sum((e.amount for e in estimates if e.amount is not None), Decimal("0.00"))
    visit_notes: list[str] = []
    unpriced = [e.code for e in estimates if e.amount is None]
    if unpriced:
        visit_notes.append(f"No amount for {', '.join(unpriced)}: the total leaves them out.")
    return VisitEstimate(
        release=schedule.release,
        locality=locality,
        lines=tuple(estimates),
        total=cents(total),
        full_price_line=first,
        notes=tuple(visit_notes),
    )


def _line_estimate(
    index: int, line: FeeLineLike, rvu: Rvu | None, locality: Locality, first: int | None
) -> LineEstimate:
    """One line's amount: full price for the first MPPR unit of line ``first``, the PE of every
    other MPPR unit at 50 %, then 85 % for CQ/CO; no amount when the schedule has none."""
    assistant = bool(ASSISTANT_MODIFIERS & set(line.modifiers))
    why = _priced(rvu, line.code)
    if rvu is None or why:
        amount = Decimal("0.00") if rvu is not None and rvu.status == "B" else None
        return LineEstimate(index, line.code, line.units, 0, 0, None, None, assistant, amount, why)
    full = cents(unit_payment(rvu, locality))
    reduced = cents(unit_payment(rvu, locality, pe_rate=MPPR_PE_RATE))
    full_units = line.units
    if rvu.therapy_mppr:  # only one unit of the whole visit is not reduced
        full_units = min(1, line.units) if index == first else 0
    reduced_units = line.units - full_units
    amount = full * full_units + reduced * reduced_units
    if assistant:
        amount *= ASSISTANT_RATE
    notes = []
    if reduced_units:
        notes.append(f"MPPR: PE of {reduced_units} unit(s) at 50%")
    if assistant:
        notes.append("CQ/CO: 85%")
    return LineEstimate(
        index,
        line.code,
        line.units,
        full_units,
        reduced_units,
        full,
        reduced,
        assistant,
        cents(amount),
        "; ".join(notes),
    )


def _money(value: Decimal | None) -> str:
    return "no amount" if value is None else f"${value:,.2f}"


_PFS_RELEASE_RE: Final = re.compile(r"PFS RVU (\d{4}) ([A-Z][a-z]{2})")


def short_release(release: str) -> str:
    """``"CMS PFS RVU 2026 July release (…)"`` → ``"PFS 2026 Jul"``; another name unchanged."""
    found = _PFS_RELEASE_RE.search(release)
    return f"PFS {found.group(1)} {found.group(2)}" if found else release


def estimate_summary(est: VisitEstimate) -> str:
    """The estimate in one labelled line, under a copied visit's totals (``format_visit``)::

        Medicare estimate (non-facility, locality 13202-01, PFS 2026 Jul, MPPR applied): $80.33
    """
    how = [
        "non-facility",
        f"locality {est.locality.id}",
        short_release(est.release),
        "MPPR applied" if est.mppr_applied else "no MPPR reduction",
    ]
    if any(line.assistant for line in est.lines):
        how.append("CQ/CO at 85%")
    unpriced = [line.code for line in est.lines if line.amount is None]
    tail = f"; no amount for {', '.join(unpriced)}" if unpriced else ""
    return f"Medicare estimate ({', '.join(how)}): {_money(est.total)}{tail}"


def estimate_json(est: VisitEstimate) -> dict[str, object]:
    """The estimate for ``--format json``: amounts as exact decimal strings."""

    def money(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "estimate": True,
        "label": est.label,
        "release": est.release,
        "locality": est.locality.id,
        "locality_name": est.locality.name,
        "total": str(est.total),
        "mppr_applied": est.mppr_applied,
        "full_price_line": est.full_price_line,
        "lines": [
            {
                "index": line.index,
                "code": line.code,
                "units": line.units,
                "full_units": line.full_units,
                "reduced_units": line.reduced_units,
                "unit_price": money(line.unit_price),
                "reduced_price": money(line.reduced_price),
                "assistant": line.assistant,
                "amount": money(line.amount),
                "note": line.note,
            }
            for line in est.lines
        ],
        "notes": list(est.notes),
    }
