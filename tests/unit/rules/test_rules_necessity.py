"""Medical necessity under the profile's MAC (coverage articles) and the ABN modifiers."""

from __future__ import annotations

from dataclasses import replace

from ptcodes_gui.domain.articles import (
    ArticleRef,
    CodeCoverage,
    Necessity,
    mac_from_locality,
    profile_mac,
    strip_html,
)
from ptcodes_gui.domain.profiles import PayerProfile
from ptcodes_gui.domain.visit import evaluate
from tests.unit.rules.rulekit import COMMERCIAL_MIDPOINT, LOOKUP, ON, L, ids, only, visit

ART = ArticleRef("A57703", 12, "Outpatient Physical and Occupational Therapy", "2026-10-01")


class _Articles:
    """MAC 13202 lists 97110 with low back pain covered and Z00.00 non-covered."""

    def contractor_name(self, mac: str) -> str | None:
        return "NGS" if mac == "13202" else None

    def code_coverage(self, code: str, mac: str) -> list[CodeCoverage]:
        if mac != "13202" or code != "97110":
            return []
        return [CodeCoverage(ART, 1, (1,), "Group 1: the diagnoses below support therapy.",
                             frozenset({"M5450", "M25561"}), frozenset({"Z0000"}),
                             "Diagnoses that do not support medical necessity.")]

    def codes_supported(self, diagnosis: str, mac: str) -> list[tuple[str, ArticleRef]]:
        return [("97110", ART)] if diagnosis.replace(".", "") == "M5450" else []


NGS = Necessity(_Articles(), "13202", "NGS")
OTHER_MAC = Necessity(_Articles(), "01112", "Noridian")


def run(*dx: str, necessity: Necessity | None = NGS, mods: tuple[str, ...] = (), **kw: object):
    pointers = tuple("ABCD"[: len(dx)])
    v = visit(L("97110", 30, extra_modifiers=mods, dx_pointers=pointers), diagnoses=dx, **kw)
    return evaluate(v, LOOKUP, on=ON, necessity=necessity)


def test_covered_diagnosis_passes() -> None:
    result = run("M54.50")
    assert "lcd-no-covered-dx" not in ids(result) and "lcd-noncovered-dx" not in ids(result)


def test_uncovered_diagnosis_warns_naming_article_and_paragraph_and_offers_ga_gz() -> None:
    w = only(run("M79.604"), "lcd-no-covered-dx")
    assert w.severity == "warning"
    assert "A57703 v12 \u201cOutpatient Physical and Occupational Therapy\u201d, 2026-10-01" in (
        w.message)
    assert "Group 1: the diagnoses below support therapy." in w.message
    assert "MAC 13202 (NGS)" in w.message and "CO-50" in w.message
    assert w.suggestions == ("GA", "GZ")
    assert "GA: the patient signed an ABN" in w.details and "GZ: no signed ABN" in w.details
    assert w.as_of == "2026-10-01" and "cms-mcd" in w.sources


def test_noncovered_diagnosis_is_an_error() -> None:
    e = only(run("Z00.00"), "lcd-noncovered-dx")
    assert e.severity == "error" and "names as not supporting" in e.message
    assert "lcd-no-covered-dx" not in ids(run("Z00.00"))
    # a covered diagnosis beside it: the line is supported
    assert "lcd-noncovered-dx" not in ids(run("Z00.00", "M54.50"))


def test_ga_chosen_turns_the_warning_into_a_note_and_stays_on_the_line() -> None:
    result = run("M79.604", mods=("GA",))
    w = only(result, "lcd-no-covered-dx")
    assert w.severity == "info" and "expected denial with GA" in w.message
    assert "GA" in result.lines[0].modifiers


def test_other_mac_and_no_import_and_commercial_are_unaffected() -> None:
    assert "lcd-no-covered-dx" not in ids(run("M79.604", necessity=OTHER_MAC))
    assert "lcd-no-covered-dx" not in ids(run("M79.604", necessity=None))
    assert "lcd-no-covered-dx" not in ids(run("M79.604", profile=COMMERCIAL_MIDPOINT))
    opted = replace(COMMERCIAL_MIDPOINT, name="BCBS", articles=True)
    assert "lcd-no-covered-dx" in ids(run("M79.604", profile=opted))
    clinic_chose = replace(NGS, opted_in=True)  # the clinic's setting, as the session reads it
    assert "lcd-no-covered-dx" in ids(run("M79.604", profile=COMMERCIAL_MIDPOINT,
                                          necessity=clinic_chose))


def test_mac_from_locality_and_choice() -> None:
    assert mac_from_locality("13202-01") == "13202"
    assert mac_from_locality("") is None and mac_from_locality("ab") is None
    assert profile_mac("12502", "13202-01") == "12502"
    assert profile_mac(None, "13202-01") == "13202"


def test_profile_keeps_its_mac() -> None:
    p = PayerProfile("NGS Medicare", medicare=True, mac="13202")
    assert PayerProfile.from_dict(p.to_dict()) == p
    assert PayerProfile.from_dict({"name": "x", "unit_rule": "cms", "mac": ""}).mac is None
    try:
        PayerProfile("x", mac="1320")
    except ValueError as exc:
        assert "five-digit contractor number" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("a four-digit MAC was accepted")


def test_html_is_stripped() -> None:
    assert strip_html("<p>Group&nbsp;1 &amp; 2:<br/>the  codes</p>") == "Group 1 & 2: the codes"


def test_not_a_benefit_offers_gy_gx_with_one_sentence_each() -> None:
    w = only(evaluate(visit(L("97545", 120)), LOOKUP, on=ON), "medicare-not-paid")
    assert w.suggestions == ("GY", "GX")
    assert "GY: Medicare never covers this" in w.details and "GX: with GY" in w.details
    done = evaluate(visit(L("97545", 120, extra_modifiers=("GY", "GX"))), LOOKUP, on=ON)
    assert only(done, "medicare-not-paid").severity == "info"


def test_ga_with_gz_is_an_error() -> None:
    e = only(evaluate(visit(L("97110", 30, extra_modifiers=("GA", "GZ"))), LOOKUP, on=ON),
             "liability-modifier-conflict")
    assert e.severity == "error" and "keep GA if the patient signed" in e.message
    assert "liability-modifier-conflict" not in ids(
        evaluate(visit(L("97110", 30, extra_modifiers=("GA",))), LOOKUP, on=ON))


def test_a_long_article_paragraph_is_cut_to_300_characters_and_one_that_fits_is_whole() -> None:
    """The warning quotes the article's paragraph; a long one ends in "…" at 300 characters
    so the message stays readable, and one of exactly 300 is quoted as it is."""

    class _Long(_Articles):
        def __init__(self, paragraph: str) -> None:
            self.paragraph = paragraph

        def code_coverage(self, code: str, mac: str) -> list[CodeCoverage]:
            return [replace(c, paragraph=self.paragraph) for c in super().code_coverage(code, mac)]

    fits, long = "a" * 299 + "Z", "b" * 299 + "YX"
    said = only(run("M79.604", necessity=Necessity(_Long(fits), "13202", "NGS")),
                "lcd-no-covered-dx").message
    assert f"\u201c{fits}\u201d" in said
    cut = only(run("M79.604", necessity=Necessity(_Long(long), "13202", "NGS")),
               "lcd-no-covered-dx").message
    assert "\u201c" + "b" * 299 + "\u2026\u201d" in cut and "Y" not in cut


def test_the_warning_names_the_diagnoses_the_line_points_to() -> None:
    w = only(run("M79.604"), "lcd-no-covered-dx")
    assert w.message.startswith("97110 points to M79.604, which A57703")
    unpointed = evaluate(visit(L("97110", 30), diagnoses=()), LOOKUP, on=ON, necessity=NGS)
    assert only(unpointed, "lcd-no-covered-dx").message.startswith(
        "97110 points to no diagnosis, which A57703")
