"""Dated facts at their edges (rules/context.py ``pair_in_force``): an NCCI pair applies from
its effective date (that day included) until its deletion date (that day excluded: the code
reads the deletion date as the first day of service it no longer applies to), so the last day
of one release and the first day of the next give different answers.

Verify: real CMS rows carry deletion dates such as 20231231 (the last day of a quarter,
shared/domain/DATA-RELEASES.md), which reads like the last day the edit applied; if CMS
confirms that reading, ``pair_in_force`` is off by one day and this test flips with it."""

from __future__ import annotations

from datetime import date

import pytest
from rulekit import CODES, L, ids, visit

from ptcodes_gui.domain.models import NcciPair
from ptcodes_gui.domain.visit import MappingLookup, evaluate

DATED = NcciPair("97140", "97530", 1, "ncci-ptp-practitioner", "H", "2026-10-01",
                 effective="2026-01-01", deleted="2026-10-01")


def _flagged(on: date) -> bool:
    lookup = MappingLookup(CODES, (DATED,))
    return "ncci-pair" in ids(evaluate(visit(L("97140", 15), L("97530", 15)), lookup, on=on))


@pytest.mark.parametrize(
    ("on", "in_force"),
    [
        (date(2025, 12, 31), False),  # the day before it takes effect
        (date(2026, 1, 1), True),  # its effective date
        (date(2026, 9, 30), True),  # the last day before its deletion
        (date(2026, 10, 1), False),  # its deletion date
    ],
)
def test_a_dated_pair_applies_from_its_effective_date_until_its_deletion(
    on: date, in_force: bool
) -> None:
    assert _flagged(on) is in_force


def test_an_undated_or_malformed_date_never_hides_a_pair() -> None:
    undated = NcciPair("97140", "97530", 1, "ncci-ptp-practitioner", "H", "2026-10-01",
                       effective="*", deleted="")
    lookup = MappingLookup(CODES, (undated,))
    result = evaluate(visit(L("97140", 15), L("97530", 15)), lookup, on=date(2026, 6, 1))
    assert "ncci-pair" in ids(result)


def _dx_result(on: date) -> list[str]:
    from ptcodes_gui.domain.models import Code

    ended = Code(code="M72.2", system="icd10cm", title="Plantar fascial fibromatosis",
                 category="diagnosis", valid_to="2026-09-30", replaced_by=("M72.20",))
    new = Code(code="M72.20", system="icd10cm", title="Plantar fasciitis, unspecified",
               category="diagnosis", valid_from="2026-10-01")
    lookup = MappingLookup((*CODES, ended, new))
    result = evaluate(visit(L("97110", 15), diagnoses=("M72.2",)), lookup, on=on)
    return [w.message for w in result.warnings_with("diagnosis-not-in-force")]


def test_a_diagnosis_is_valid_through_its_last_day_not_the_next() -> None:
    assert _dx_result(date(2026, 9, 30)) == []  # the last day of FY2026
    (message,) = _dx_result(date(2026, 10, 1))  # the first day of FY2027
    assert message.startswith("Diagnosis A: M72.2 is not valid for dates of service after "
                              "2026-09-30 (ICD-10-CM FY2027 ended it): use M72.20")


def test_the_fiscal_year_named_is_the_one_the_date_of_service_falls_in() -> None:
    from ptcodes_gui.domain.models import Code

    ended = Code(code="M72.2", system="icd10cm", title="Plantar fascial fibromatosis",
                 category="diagnosis", valid_to="2027-09-30")
    lookup = MappingLookup((*CODES, ended))

    def said(on: date) -> str:
        result = evaluate(visit(L("97110", 15), diagnoses=("M72.2",)), lookup, on=on)
        return " ".join(w.message for w in result.warnings_with("diagnosis-not-in-force"))

    assert "(ICD-10-CM FY2028 ended it)" in said(date(2027, 10, 1))  # FY2028 from 1 October
    assert "(ICD-10-CM FY2028 ended it)" in said(date(2028, 9, 30))
    assert "(ICD-10-CM FY2029 ended it)" in said(date(2028, 10, 1))
