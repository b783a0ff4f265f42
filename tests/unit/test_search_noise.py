"""Issue 24: a procedure word (typo'd or not) does not list a diagnosis found only in its
notes (N52.37, erectile dysfunction after prostate ablation, for "ultrasound")."""

from __future__ import annotations

import pytest

from ptcodes_gui.catalog import Catalog


@pytest.mark.parametrize("text", ["ultrasound", "ultrsound", "ultrasond"])
def test_ultrasound_lists_the_procedures_and_no_stray_diagnosis(
    catalog: Catalog, text: str
) -> None:
    codes = [h.code for h in catalog.search(text, limit=10)]
    assert codes[:2] == ["97035", "97610"]
    assert "N52.37" not in codes


def test_the_diagnoses_filter_still_finds_it_by_its_notes(catalog: Catalog) -> None:
    assert "N52.37" in [h.code for h in catalog.search("ultrasound", system="icd10cm")]


def test_a_diagnosis_named_by_the_words_stays_beside_the_procedures(catalog: Catalog) -> None:
    codes = [h.code for h in catalog.search("gait", limit=10)]
    assert codes[0] == "97116" and "R26.89" in codes
