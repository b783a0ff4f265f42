"""Qualifiers in a diagnosis search, on the shipped catalog: "traumatic", "dominant" /
"nondominant", "bilateral" choose among codes that share every other word."""

from __future__ import annotations

import pytest

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.catalog import vocabulary as v


def codes(catalog: Catalog, text: str, system: str | None = "icd10cm") -> list[str]:
    return [h.code for h in catalog.search(text, limit=10, system=system)]


@pytest.mark.parametrize("system", ["icd10cm", None])
def test_traumatic_rotator_cuff_tear_is_the_strain_not_m75(
    catalog: Catalog, system: str | None
) -> None:
    found = codes(catalog, "traumatic rotator cuff tear left", system)
    assert found[0].startswith("S46.012")
    assert not any(c.startswith("M75.1") for c in found[:3])
    assert codes(catalog, "rotator cuff tear traumatic right shoulder", system)[0].startswith(
        "S46.011")


def test_nontraumatic_and_plain_rotator_cuff_tears_stay_m75(catalog: Catalog) -> None:
    assert codes(catalog, "nontraumatic rotator cuff tear right")[0].startswith("M75.1")
    assert codes(catalog, "rotator cuff tear left")[0].startswith("M75.1")
    # "post traumatic" is arthritis after an old injury, not an injury
    assert codes(catalog, "post traumatic osteoarthritis knee right")[0] == "M17.31"


@pytest.mark.parametrize("text", [
    "hemiparesis left nondominant",
    "hemiparesis left non-dominant",
    "cva left nondominant",
])
def test_nondominant_ranks_the_nondominant_code_first(catalog: Catalog, text: str) -> None:
    assert codes(catalog, text)[0] == "I69.354"  # title: "left non-dominant side"


def test_dominant_does_not_match_nondominant(catalog: Catalog) -> None:
    found = codes(catalog, "left dominant hemiparesis")
    assert found[0] == "I69.352"
    titles = [h.title for h in catalog.search("hemiplegia left dominant", limit=3)]
    assert titles and not any("dominant" not in v.fold_title(t).split() for t in titles)


def test_bilateral_prefers_the_bilateral_code(catalog: Catalog) -> None:
    assert codes(catalog, "bilateral knee osteoarthritis")[0] == "M17.0"
    assert codes(catalog, "carpal tunnel bilateral")[0] == "G56.03"
    assert codes(catalog, "bilateral tka")[0] == "Z96.653"
    # no bilateral effusion code: the condition's words are kept, the side word dropped
    assert codes(catalog, "bilateral knee effusion")[0].startswith("M25.46")


def test_the_query_and_title_folds() -> None:
    assert v.joined(["left", "non", "dominant"]) == ["left", "nondominant"]
    assert v.joined(["non", "pressure", "ulcer"]) == ["non", "pressure", "ulcer"]
    assert v.fold_title("Tear, not specified as traumatic") == "tear, nontraumatic"
    assert v.traumatic(["traumatic", "tear"]) and not v.traumatic(["post", "traumatic"])
