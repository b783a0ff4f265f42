"""Clinician words that used to dead-end (technique names, brand words, ergonomics, work
programs, vestibular care) reach their code on the shipped catalog; when only part of the
query names a code, the answer says which words were left out."""

from __future__ import annotations

import pytest

from ptcodes_gui.catalog import Catalog


def top(catalog: Catalog, text: str, n: int = 3) -> list[str]:
    return [h.code for h in catalog.search(text, limit=10)][:n]


@pytest.mark.parametrize(("text", "code"), [
    ("graston", "97140"),
    ("cupping", "97140"),
    ("mulligan mobilization", "97140"),
    ("craniosacral", "97140"),
    ("mckenzie repeated extension", "97110"),
    ("blood flow restriction training", "97110"),
    ("kinesio taping knee", "29530"),
    ("rocktape ankle", "29540"),
    ("normatec", "97016"),
    ("game ready ice machine", "97016"),
    ("hydrocollator", "97010"),
    ("ergonomic assessment", "97537"),
    ("job site analysis", "97537"),
    ("work hardening program", "97545"),
    ("alter g treadmill", "97116"),
    ("crutch training", "97116"),
    ("mirror therapy", "97112"),
    ("cold laser", "97039"),
])
def test_technique_and_brand_words_reach_their_code_first(
    catalog: Catalog, text: str, code: str
) -> None:
    assert top(catalog, text, 1) == [code]


@pytest.mark.parametrize(("text", "codes"), [
    ("vestibular rehabilitation", {"95992", "97112"}),
    ("lsvt big", {"97112", "97530", "97110"}),
    ("plyometrics", {"97110", "97530"}),
    ("nmes quad", {"97032", "97014", "G0283"}),
])
def test_programs_reach_one_of_their_codes(catalog: Catalog, text: str, codes: set[str]) -> None:
    assert top(catalog, text, 1)[0] in codes


def test_a_hint_inside_a_longer_query_says_what_it_left_out(catalog: Catalog) -> None:
    result = catalog.search_explained("game ready ice machine")
    assert result.hits[0].code == "97016"
    assert result.note == ("No code matches every word; showing the codes 'game ready' names "
                           "('ice', 'machine' left out).")
    assert result.relaxed == ("partial",)


def test_the_other_words_of_a_hinted_query_still_find_their_diagnosis(
    catalog: Catalog,
) -> None:
    result = catalog.search_explained("orthotic for plantar fasciitis")
    # M72.2 ended 2026-09-30 (FY2027): its first replacement comes before it
    assert [h.code for h in result.hits[:3]] == ["97760", "97763", "M72.20"]
    assert result.note.endswith("then results for 'plantar fasciitis'.")
    fracture = [h.code for h in catalog.search("ankle fracture crutches", limit=10)]
    assert fracture[0] == "97116" and any(c.startswith("S82") for c in fracture)


def test_a_query_of_general_words_still_answers(catalog: Catalog) -> None:
    result = catalog.search_explained("chronic pain left")
    assert result.hits and result.hits[0].code.startswith("G89.")
    assert "'left' left out" in result.note


def test_a_hint_inside_does_not_override_a_code_the_words_name(catalog: Catalog) -> None:
    assert top(catalog, "knee brace", 1) == ["L1832"]  # not 97760 through the "brace" hint
    assert top(catalog, "eval low complexity", 1) == ["97161"]  # not every evaluation
    assert top(catalog, "home exercise program", 1) == ["97110"]


@pytest.mark.parametrize("text", [
    "iastm", "astym", "scraping", "mckenzie", "pnf", "bppv", "vestibular", "dry needling",
    "work conditioning", "ergonomics", "fce", "biodex", "schroth", "shockwave", "eswt",
    "theraband", "pilates", "russian stim", "interferential", "ionto", "phono", "fluidotherapy",
    "bfr", "dizzy spells", "whiplash",
])
def test_never_an_empty_answer(catalog: Catalog, text: str) -> None:
    assert catalog.search(text, limit=5)
