"""MUE (from an imported table) and MPPR (Medicare's practice-expense reduction)."""

from __future__ import annotations

from decimal import Decimal

from rulekit import CODES, COMMERCIAL_MIDPOINT, ON, L, ev, ids, only, untimed, visit

from ptcodes_gui.domain.fees import FeeSchedule, Locality, Rvu
from ptcodes_gui.domain.models import Mue
from ptcodes_gui.domain.rules.mppr import SchedulePracticeExpense, always_therapy
from ptcodes_gui.domain.visit import MappingLookup, evaluate


def _mue(code: str, value: int, mai: int) -> MappingLookup:
    return MappingLookup(CODES, mues=[Mue(code, value, mai, "policy", "CMS MUE 2027-01-01")])


def test_mue_per_line_for_mai_1() -> None:
    lookup = _mue("97750", 8, 1)
    error = only(ev(visit(L("97750", 140)), lookup), "mue-exceeded")  # 9 units
    assert error.severity == "error" and "its MUE allows 8" in error.message
    assert error.sources == ("CMS MUE 2027-01-01", "ncci-mue-practitioner")
    assert "mue-exceeded" not in ids(ev(visit(L("97750", 120)), lookup))  # 8 units


def test_mue_per_day_adds_the_lines_for_mai_2_and_3() -> None:
    lookup = _mue("97110", 4, 2)
    result = ev(visit(L("97110", 45), L("97110", 30)), lookup)  # 5 units over two lines
    assert "on this day" in only(result, "mue-exceeded").message
    per_line = ev(visit(L("97110", 45), L("97110", 30)), _mue("97110", 4, 1))
    assert "mue-exceeded" not in ids(per_line)


def test_no_mue_table_no_warning() -> None:
    assert "mue-exceeded" not in ids(ev(visit(L("97110", 300))))


def test_mppr_counts_the_reduced_units() -> None:
    result = ev(visit(L("97110", 30), L("97140", 15), L("97010")))
    note = only(result, "mppr-reduction")
    assert note.severity == "info" and note.sources[0] == "cms-100-04-ch5-10.7"
    assert "of the 3 therapy units" in note.message  # bundled 97010 is not paid at all
    assert "other 2 units at 50%" in note.message


def test_mppr_only_on_medicare_and_only_past_one_unit() -> None:
    assert "mppr-reduction" not in ids(ev(visit(L("97110", 15))))
    assert "mppr-reduction" not in ids(ev(visit(L("97110", 30), profile=COMMERCIAL_MIDPOINT)))


class _Fees:
    def __init__(self, pe: dict[str, float]) -> None:
        self._pe = {code: Decimal(str(v)) for code, v in pe.items()}

    def practice_expense(self, code: str) -> Decimal | None:
        return self._pe.get(code)

    def therapy_mppr(self, code: str) -> bool | None:
        return None


def test_mppr_names_the_full_price_unit_with_a_fee_schedule() -> None:
    lines = visit(L("97110", 30), L("97530", 15))
    fees = _Fees({"97110": 10.5, "97530": 14.25})
    note = only(evaluate(lines, MappingLookup(CODES), on=ON, fees=fees), "mppr-reduction")
    assert "one unit of 97530 (the highest practice expense) is paid in full" in note.message
    unpriced = only(evaluate(lines, MappingLookup(CODES), on=ON, fees=_Fees({})),
                    "mppr-reduction")
    assert "the unit with the highest practice expense" in unpriced.message


def test_mppr_with_an_imported_fee_schedule() -> None:
    def rvu(code: str, pe: str) -> Rvu:
        return Rvu(code, "", "A", Decimal("0.45"), Decimal(pe), Decimal("0.02"),
                   Decimal("33.4009"), mult_proc="5")

    schedule = FeeSchedule("test RVU file", {"97110": rvu("97110", "0.40"),
                                             "97140": rvu("97140", "0.38"),
                                             "97530": rvu("97530", "0.61")}, {})
    locality = Locality("01112", "05", "CA", "SAN FRANCISCO", Decimal("1.05"),
                        Decimal("1.3"), Decimal("0.5"))
    fees = SchedulePracticeExpense(schedule, locality)
    assert fees.practice_expense("97530") == Decimal("0.61") * Decimal("1.3") * Decimal("33.4009")
    assert fees.practice_expense("97999") is None
    lines = visit(L("97110", 30), L("97530", 15), L("97140", 15))
    note = only(evaluate(lines, MappingLookup(CODES), on=ON, fees=fees), "mppr-reduction")
    assert "one unit of 97530" in note.message and "other 3 units at 50%" in note.message


def test_acupuncture_and_athletic_trainer_evaluations_take_no_therapy_mppr() -> None:
    lookup = MappingLookup((*CODES, untimed("97810"), untimed("97169"), untimed("97170")))
    # 97110 ×1 and acupuncture: one therapy unit, so no reduction at all
    result = evaluate(visit(L("97110", 15), L("97810")), lookup, on=ON)
    assert "mppr-reduction" not in ids(result)
    assert not always_therapy("97810") and not always_therapy("97172")
    assert always_therapy("97110") and always_therapy("92526")
    note = only(evaluate(visit(L("97110", 30), L("97169")), lookup, on=ON), "mppr-reduction")
    assert "of the 2 therapy units" in note.message and "97169" not in note.codes


def test_the_fee_schedules_mult_proc_indicator_decides_the_scope() -> None:
    def rvu(code: str, mult_proc: str) -> Rvu:
        return Rvu(code, "", "A", Decimal("0.45"), Decimal("0.40"), Decimal("0.02"),
                   Decimal("33.4009"), mult_proc=mult_proc)

    schedule = FeeSchedule("test RVU file", {"97110": rvu("97110", "5"),
                                             "97530": rvu("97530", "0"),
                                             "95851": rvu("95851", "5")}, {})
    locality = Locality("01112", "05", "CA", "SAN FRANCISCO", Decimal("1.05"),
                        Decimal("1.3"), Decimal("0.5"))
    fees = SchedulePracticeExpense(schedule, locality)
    assert fees.therapy_mppr("97110") is True and fees.therapy_mppr("97530") is False
    assert fees.therapy_mppr("97999") is None
    # 97530 is not marked 5 in this file: only 97110's 2 units and 95851 count
    lines = visit(L("97110", 30), L("97530", 15), L("95851"))
    note = only(evaluate(lines, MappingLookup(CODES), on=ON, fees=fees), "mppr-reduction")
    assert "of the 3 therapy units" in note.message
    assert set(note.codes) == {"97110", "95851"}
