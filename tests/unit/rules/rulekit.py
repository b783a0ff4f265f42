"""Shared builders for the rule tests: an in-memory catalog (``MappingLookup``) with the
codes the rules talk about, so the tests never depend on the shipped catalog data."""

from __future__ import annotations

from datetime import date

from ptcodes_gui.domain.models import Code, NcciPair
from ptcodes_gui.domain.profiles import COMMERCIAL_MIDPOINT, MEDICARE, PayerProfile
from ptcodes_gui.domain.visit import (
    CodeLookup,
    MappingLookup,
    Visit,
    VisitLine,
    VisitResult,
    Warning,
    evaluate,
)

ON = date(2026, 12, 1)
L = VisitLine
__all__ = ["COMMERCIAL_MIDPOINT", "MEDICARE", "ON", "L", "ev", "ids", "only", "visit"]


def timed(code: str, title: str = "", **kw: object) -> Code:
    kw.setdefault("unit_minutes", 15)
    return Code(code=code, system="cpt", title=title or code, timed=True, **kw)  # type: ignore[arg-type]


def untimed(code: str, title: str = "", system: str = "cpt", **kw: object) -> Code:
    return Code(code=code, system=system, title=title or code, **kw)  # type: ignore[arg-type]


def icd(code: str, title: str = "", billable: bool = True) -> Code:
    return Code(code=code, system="icd10cm", title=title or code, category="diagnosis",
                billable=billable)


TIMED = ("97110", "97112", "97116", "97140", "97530", "97535", "97032", "97033", "97035",
         "97750", "97760", "97761", "97763", "90912")
UNTIMED = ("97010", "97012", "97150", "97161", "97162", "97163", "97164", "97602", "97597",
           "97610", "95992", "98977", "98985", "98976", "98984", "98978", "98986", "98979",
           "98980", "98981", "20560", "20561", "29530", "95851")
CODES: tuple[Code, ...] = (
    *(timed(c) for c in TIMED),
    *(untimed(c) for c in UNTIMED),
    timed("97545", "Work hardening, first 2 hours", unit_minutes=60, first_unit_minutes=120,
          addons=("97546",)),
    timed("97546", "Work hardening, each additional hour", unit_minutes=60,
          addon_to=("97545",)),
    untimed("G0283", system="hcpcs"),
    untimed("G0281", system="hcpcs"),
    untimed("L1832", "Knee orthosis", system="hcpcs"),
    untimed("L0650", "Lumbar-sacral orthosis", system="hcpcs"),
    untimed("GT", system="modifier"),
    icd("M54.50"), icd("M25.561"), icd("L89.153", "Pressure ulcer of sacral region, stage 3"),
    icd("E11.621", "Type 2 diabetes mellitus with foot ulcer"), icd("M79.604"),
)
LOOKUP = MappingLookup(CODES)


def pair(col1: str, col2: str, indicator: int = 1, confidence: str = "M") -> NcciPair:
    return NcciPair(col1, col2, indicator, "ncci-ptp-practitioner", confidence, "2026-10-01")


def visit(*lines: VisitLine, profile: PayerProfile = MEDICARE, **kw: object) -> Visit:
    kw.setdefault("diagnoses", ("M54.50",))
    pointers = ("A",) if kw["diagnoses"] else ()
    fixed = tuple(line if line.dx_pointers else _point(line, pointers) for line in lines)
    return Visit(lines=fixed, profile=profile, **kw)  # type: ignore[arg-type]


def _point(line: VisitLine, pointers: tuple[str, ...]) -> VisitLine:
    from dataclasses import replace

    return replace(line, dx_pointers=pointers)


def ev(v: Visit, lookup: CodeLookup = LOOKUP) -> VisitResult:
    return evaluate(v, lookup, on=ON)


def ids(result: VisitResult) -> list[str]:
    return [w.code for w in result.warnings]


def only(result: VisitResult, rule_id: str) -> Warning:
    found = [w for w in result.warnings if w.code == rule_id]
    assert len(found) == 1, (rule_id, result.warnings)
    return found[0]
