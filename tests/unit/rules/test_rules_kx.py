"""KX threshold and targeted medical review from the typed year-to-date amount."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from ptcodes_gui.domain.fees import FeeLine
from ptcodes_gui.domain.thresholds import KX_THRESHOLDS, parse_ytd
from ptcodes_gui.domain.visit import evaluate
from tests.unit.rules.rulekit import COMMERCIAL_MIDPOINT, LOOKUP, ON, L, ids, only, visit


class _Priced:
    """A fee hook pricing the whole visit at a fixed amount."""

    def __init__(self, total: str) -> None:
        self.total = Decimal(total)
        self.seen: list[FeeLine] = []

    def practice_expense(self, code: str) -> Decimal | None:
        return None

    def therapy_mppr(self, code: str) -> bool | None:
        return None

    def visit_total(self, lines: list[FeeLine]) -> Decimal:
        self.seen = lines
        return self.total


def run(ytd: str | None, total: str | None = "100.00", kx: bool = False, **kw: object):
    v = visit(L("97110", 30), kx=kx, ytd_allowed=Decimal(ytd) if ytd else None, **kw)
    fees = _Priced(total) if total is not None else None
    return evaluate(v, LOOKUP, on=ON, fees=fees)  # type: ignore[arg-type]


@pytest.mark.parametrize(("ytd", "needed"), [("2380.00", False), ("2380.01", True)])
def test_kx_boundary_at_exactly_2480(ytd: str, needed: bool) -> None:
    # 2380.00 + 100.00 = 2480.00 is AT the threshold: not past it; one cent more is.
    result = run(ytd)
    assert ("kx-threshold" in ids(result)) is needed
    if needed:
        w = only(result, "kx-threshold")
        assert w.severity == "warning" and w.suggestions == ("KX",)
        assert "$2,380.01 + $100.00 estimated = $2,480.01 > $2,480.00" in w.message
        assert w.sources[0] == "pfs-2026-final"
        assert result.lines[0].suggested_modifiers == ("KX",)


def test_kx_on_past_the_threshold_is_a_note_and_kx_before_it_is_flagged() -> None:
    assert only(run("2400", kx=True), "kx-threshold").severity == "info"
    early = only(run("1000", kx=True), "kx-threshold")
    assert early.severity == "info" and "leave KX off" in early.message


def test_kx_past_threshold_already_without_a_fee_schedule() -> None:
    w = only(run("2500", total=None), "kx-threshold")
    assert w.severity == "warning" and "$2,500.00 > $2,480.00" in w.message
    note = only(run("2000", total=None), "kx-threshold")
    assert note.severity == "info" and "import a fee schedule" in note.message


def test_no_ytd_no_kx_check_and_commercial_never() -> None:
    assert "kx-threshold" not in ids(run(None))
    v = visit(L("97110", 30), ytd_allowed=Decimal("5000"), profile=COMMERCIAL_MIDPOINT)
    assert "kx-threshold" not in ids(evaluate(v, LOOKUP, on=ON, fees=_Priced("100")))


@pytest.mark.parametrize(("ytd", "review"), [("2900.00", False), ("2900.01", True)])
def test_targeted_review_boundary_at_3000(ytd: str, review: bool) -> None:
    result = run(ytd, kx=True)
    assert ("targeted-review" in ids(result)) is review
    if review:
        assert "$3,000.00 targeted medical review" in only(result, "targeted-review").message


def test_threshold_of_another_year_is_data() -> None:
    assert KX_THRESHOLDS[2025].amount == Decimal("2410.00")
    v = visit(L("97110", 30), ytd_allowed=Decimal("2350"))
    w = only(evaluate(v, LOOKUP, on=date(2025, 6, 1), fees=_Priced("100")), "kx-threshold")
    assert "2025 KX threshold" in w.message and w.sources[0] == "pfs-2025-final"
    none = evaluate(replace(v), LOOKUP, on=date(2031, 1, 2), fees=_Priced("100"))
    assert "No KX threshold is known for 2031" in only(none, "kx-threshold").message


def test_only_therapy_lines_are_priced() -> None:
    fees = _Priced("50")
    evaluate(visit(L("97110", 30)), LOOKUP, on=ON, fees=fees)
    assert fees.seen == []  # no ytd: nothing priced
    evaluate(visit(L("97110", 30), ytd_allowed=Decimal("10")), LOOKUP, on=ON, fees=fees)
    assert [(f.code, f.units, f.modifiers) for f in fees.seen] == [("97110", 2, ("GP",))]


@pytest.mark.parametrize("text", ["abc", "-5", "1e9", "12.345", "$", "nan"])
def test_ytd_typed_badly_is_one_sentence(text: str) -> None:
    if text == "$":
        assert parse_ytd(text) is None
        return
    with pytest.raises(ValueError, match="amount"):
        parse_ytd(text)


def test_ytd_typed_well() -> None:
    assert parse_ytd(" $2,300.5 ") == Decimal("2300.50")
    assert parse_ytd("") is None
