"""The Medicare estimate, checked against sums worked by hand.

RVUs below are invented round numbers (the real file is imported, never shipped); the GPCIs
are the real 2026 ones of Manhattan (13202-01) from Addendum E.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from ptcodes_gui.domain.fees import (
    CF_2026_NON_QP,
    FeeLine,
    FeeSchedule,
    Locality,
    Rvu,
    cents,
    estimate_visit,
    parse_locality_id,
    unit_payment,
)

MANHATTAN = Locality(
    "13202", "01", "NY", "MANHATTAN", Decimal("1.064"), Decimal("1.162"), Decimal("1.586")
)


def _rvu(code: str, work: str, pe: str, mp: str, *, status: str = "A", mult: str = "5") -> Rvu:
    return Rvu(code, "", status, Decimal(work), Decimal(pe), Decimal(mp), CF_2026_NON_QP, mult)


SCHEDULE = FeeSchedule(
    release="CMS PFS RVU 2026 July (test)",
    rvus={
        r.code: r
        for r in (
            _rvu("97110", "0.45", "0.40", "0.02"),
            _rvu("97140", "0.43", "0.34", "0.02"),
            _rvu("97530", "0.44", "0.61", "0.02"),
            _rvu("97010", "0.06", "0.10", "0.01", status="B"),
            _rvu("99999", "1.00", "1.00", "0.10", mult="0"),
        )
    },
    localities={MANHATTAN.id: MANHATTAN},
)


def test_one_unit_is_the_cms_formula() -> None:
    # 97110: 0.45 × 1.064 = 0.47880; 0.40 × 1.162 = 0.46480; 0.02 × 1.586 = 0.03172
    # sum 0.97532 × 33.4009 = 32.576565788 → $32.58
    exact = unit_payment(SCHEDULE.rvus["97110"], MANHATTAN)
    assert exact == Decimal("32.576565788")
    assert cents(exact) == Decimal("32.58")
    # PE halved: 0.47880 + 0.23240 + 0.03172 = 0.74292 × 33.4009 = 24.814196628 → $24.81
    assert cents(
        unit_payment(SCHEDULE.rvus["97110"], MANHATTAN, pe_rate=Decimal("0.5"))
    ) == Decimal("24.81")


def test_three_units_of_one_code_pay_the_first_in_full() -> None:
    est = estimate_visit([FeeLine("97110", 3, ("GP",))], SCHEDULE, "13202-01")
    (line,) = est.lines
    assert (line.full_units, line.reduced_units) == (1, 2)
    assert line.amount == Decimal("32.58") + 2 * Decimal("24.81") == Decimal("82.20")
    assert est.total == Decimal("82.20")
    assert est.mppr_applied


def test_highest_pe_unit_in_full_others_reduced_then_cq_at_85_percent() -> None:
    # PE payment per unit: 97110 0.4648, 97140 0.39508, 97530 0.70882 → 97530 is in full.
    # 97530 × 1, CQ: 1.20870 × 33.4009 = 40.37166783 → 40.37 × 0.85 = 34.3145 → 34.31
    # 97110 × 2 reduced: 24.81 × 2 = 49.62
    # 97140 × 1 reduced: 0.68678 × 33.4009 = 22.939070102 → 22.94
    # total 34.31 + 49.62 + 22.94 = 106.87
    lines = [
        FeeLine("97110", 2, ("GP",)),
        FeeLine("97140", 1, ("GP",)),
        FeeLine("97530", 1, ("GP", "CQ")),
    ]
    est = estimate_visit(lines, SCHEDULE, "13202-01")
    assert est.full_price_line == 2
    assert [e.amount for e in est.lines] == [Decimal("49.62"), Decimal("22.94"), Decimal("34.31")]
    assert [(e.full_units, e.reduced_units) for e in est.lines] == [(0, 2), (0, 1), (1, 0)]
    assert est.lines[2].assistant and not est.lines[0].assistant
    assert est.total == Decimal("106.87")
    assert "estimate" in est.label and "13202-01" in est.label and est.release in est.label


def test_a_tie_on_pe_goes_to_the_earliest_line() -> None:
    est = estimate_visit(
        [FeeLine("97140", 1), FeeLine("97110", 1), FeeLine("97110", 1)], SCHEDULE, "13202-01"
    )
    assert est.full_price_line == 1
    assert [e.full_units for e in est.lines] == [0, 1, 0]


def test_codes_outside_the_therapy_mppr_are_paid_in_full() -> None:
    est = estimate_visit([FeeLine("97110", 1), FeeLine("99999", 2)], SCHEDULE, "13202-01")
    assert est.lines[1].reduced_units == 0
    # 1.064 + 1.162 + 0.1586 = 2.3846 × 33.4009 = 79.64778... → 79.65; two units 159.30
    assert est.lines[1].amount == Decimal("159.30")
    assert est.total == Decimal("32.58") + Decimal("159.30")


def test_unpriced_lines_show_no_amount_and_say_why() -> None:
    est = estimate_visit(
        [FeeLine("97010", 1), FeeLine("G9999", 1), FeeLine("97110", 1)], SCHEDULE, "13202-01"
    )
    bundled, unknown, paid = est.lines
    assert bundled.amount == Decimal("0.00") and "bundled" in bundled.note
    assert unknown.amount is None and "not in the imported fee schedule" in unknown.note
    assert paid.full_units == 1  # a bundled line never takes the full-price unit
    assert est.total == Decimal("32.58")
    assert any("G9999" in n for n in est.notes)


def test_an_unknown_locality_is_refused() -> None:
    with pytest.raises(ValueError, match="not in the imported GPCI list"):
        estimate_visit([FeeLine("97110", 1)], SCHEDULE, "99999-01")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("13202-01", "13202-01"), (" 13202 1 ", "13202-01"), ("01112/54", "01112-54")],
)
def test_locality_ids(text: str, expected: str) -> None:
    assert parse_locality_id(text) == expected


@pytest.mark.parametrize("text", ["", "13202", "1320-01", "13202-001", "Manhattan"])
def test_bad_locality_ids(text: str) -> None:
    with pytest.raises(ValueError, match="MAC number and the locality"):
        parse_locality_id(text)


def test_text_and_json_say_it_is_an_estimate_and_where_it_comes_from() -> None:
    from ptcodes_gui.domain.fees import estimate_json, estimate_summary

    est = estimate_visit(
        [FeeLine("97110", 2, ("GP",)), FeeLine("97530", 1, ("GP", "CQ"))], SCHEDULE, "13202-01"
    )
    assert estimate_summary(est) == (
        "Medicare estimate (non-facility, locality 13202-01, PFS 2026 Jul, MPPR applied, "
        "CQ/CO at 85%): $83.93"
    )
    assert est.label.startswith("Estimated Medicare non-facility payment (estimate; CMS PFS RVU")
    assert [(e.code, e.amount, e.note) for e in est.lines] == [
        ("97110", Decimal("49.62"), "MPPR: PE of 2 unit(s) at 50%"),
        ("97530", Decimal("34.31"), "CQ/CO: 85%"),
    ]
    data = estimate_json(est)
    assert data["estimate"] is True and data["total"] == "83.93"
    assert data["locality"] == "13202-01" and data["release"] == SCHEDULE.release


# --------------------------------------------------------------------------- copy formats


def _visit_result() -> object:
    from ptcodes_gui.domain.models import Code
    from ptcodes_gui.domain.profiles import MEDICARE
    from ptcodes_gui.domain.visit import MappingLookup, Visit, VisitLine, evaluate

    lookup = MappingLookup(
        (
            *(
                Code(code=c, system="cpt", title=t, category="therapeutic_procedure",
                     timed=True, unit_minutes=15)
                for c, t in (("97110", "Therapeutic exercise"), ("97140", "Manual therapy"))
            ),
            Code(code="M25.561", system="icd10cm", title="Knee pain", category="diagnosis"),
        ),
    )
    visit = Visit(
        lines=(VisitLine("97110", 23, dx_pointers=("A",)), VisitLine("97140", 15)),
        diagnoses=("M25.561",),
        profile=MEDICARE,
    )
    return evaluate(visit, lookup)


REAL_LABEL = "CMS PFS RVU 2026 July release (non-QP conversion factor) (PPRRVU2026_Jul.csv)"


def test_the_copied_text_carries_one_labelled_estimate_line_after_the_totals() -> None:
    from dataclasses import replace

    from ptcodes_gui.domain.formatting import format_visit
    from ptcodes_gui.domain.visit import VisitResult

    result = _visit_result()
    assert isinstance(result, VisitResult)
    est = estimate_visit(result.billed_lines, replace(SCHEDULE, release=REAL_LABEL), "13202-01")
    # 97110 x2 (one unit in full 32.58, one with PE at 50% 24.81) + 97140 x1 at 50% PE 22.94
    assert format_visit(result, "text", est) == (
        "97110 GP x2 A (23 min)\n97140 GP x1 (15 min)\nTimed: 38 min, 3 units\n"
        "Medicare estimate (non-facility, locality 13202-01, PFS 2026 Jul, MPPR applied): "
        "$80.33\n\nA M25.561"
    )
    # without a fee schedule or a locality: no amount at all
    assert "$" not in format_visit(result, "text") and "estimate" not in format_visit(
        result, "json")
    # tsv and codes are what an EHR field accepts: unchanged by the estimate
    for fmt in ("tsv", "codes"):
        assert format_visit(result, fmt, est) == format_visit(result, fmt)


def test_the_copied_json_carries_the_estimate_object() -> None:
    import json

    from ptcodes_gui.domain.formatting import format_visit
    from ptcodes_gui.domain.visit import VisitResult

    result = _visit_result()
    assert isinstance(result, VisitResult)
    est = estimate_visit(result.billed_lines, SCHEDULE, "13202-01")
    data = json.loads(format_visit(result, "json", est))
    assert data["estimate"]["total"] == "80.33" and data["estimate"]["estimate"] is True
    assert [line["amount"] for line in data["estimate"]["lines"]] == ["57.39", "22.94"]
    assert data["lines"][0]["code"] == "97110"  # the visit itself is all there too


def test_summary_names_cq_and_the_lines_without_an_amount() -> None:
    from ptcodes_gui.domain.fees import estimate_summary, short_release

    est = estimate_visit(
        [FeeLine("97530", 1, ("GP", "CQ")), FeeLine("97010", 1, ("GP",)), FeeLine("G0283", 1)],
        SCHEDULE, "13202-01",
    )
    line = estimate_summary(est)
    assert "CQ/CO at 85%" in line and "no MPPR reduction" in line
    assert line.endswith("; no amount for G0283")
    assert short_release("something else") == "something else"


def test_a_profile_stored_with_a_locality_reads_and_the_setting_is_the_one_source() -> None:
    from ptcodes_gui.domain.profiles import PayerProfile

    stored = {"name": "Medicare NYC", "unit_rule": "cms", "medicare": True,
              "locality": "13202-01"}  # written by an earlier version
    profile = PayerProfile.from_dict(stored)
    assert profile.medicare and "locality" not in profile.to_dict()
