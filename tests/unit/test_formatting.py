"""What is copied out of the visit builder: exact text, TSV, codes, JSON; plain text only."""

from __future__ import annotations

import json
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptcodes_gui.domain.formatting import (
    BIDI_CHARS,
    FORMATS,
    TSV_HEADER,
    ZERO_WIDTH_CHARS,
    format_visit,
    neutralize_cell,
    sanitize_text,
)
from ptcodes_gui.domain.models import Code, NcciPair
from ptcodes_gui.domain.profiles import COMMERCIAL_MIDPOINT, MEDICARE
from ptcodes_gui.domain.visit import MappingLookup, Visit, VisitLine, VisitResult, evaluate


def _procedure(code: str, title: str, timed: bool = True) -> Code:
    return Code(
        code=code,
        system="cpt",
        title=title,
        category="therapeutic_procedure",
        timed=timed,
        unit_minutes=15 if timed else None,
    )


LOOKUP = MappingLookup(
    (
        _procedure("97530", "Therapeutic activities"),
        _procedure("97140", "Manual therapy"),
        _procedure("97110", "Therapeutic exercise"),
        _procedure("97161", "PT evaluation, low complexity", timed=False),
        Code(
            code="97127",
            system="cpt",
            title="Cognitive intervention (deleted)",
            status="deleted",
            replaced_by=("97129",),
        ),
        # Hostile catalog text (e.g. an imported descriptor file): must come out clean.
        _procedure("97799", '=HYPERLINK("http://x")\tUnlisted\u202e service\u200b\nline2'),
        Code(code="M25.561", system="icd10cm", title="Pain in right knee", category="diagnosis"),
        Code(code="R26.2", system="icd10cm", title="-Difficulty in walking", category="diagnosis"),
    ),
    (NcciPair("97140", "97530", 1, "facts", "M-H", "2026-10-01"),),
)
ON = date(2026, 11, 26)


def medicare_visit(*extra: VisitLine, xu: bool = False) -> VisitResult:
    visit = Visit(
        lines=(
            VisitLine("97530", 23, dx_pointers=("A",), extra_modifiers=("XU",) if xu else ()),
            VisitLine("97140", 15, dx_pointers=("A",)),
            *extra,
        ),
        diagnoses=("M25.561",),
        profile=MEDICARE,
    )
    return evaluate(visit, LOOKUP, on=ON)


# --------------------------------------------------------------------------- text


def test_text_for_a_realistic_medicare_visit() -> None:
    assert format_visit(medicare_visit(), "text") == (
        "97530 GP x2 A (23 min)\n97140 GP x1 A (15 min)\nTimed: 38 min, 3 units\n\nA M25.561"
    )


def test_text_with_user_modifier_and_several_pointers() -> None:
    result = evaluate(
        Visit(
            lines=(
                VisitLine("97530", 23, dx_pointers=("A", "B"), extra_modifiers=("XU",)),
                VisitLine("97140", 15, dx_pointers=("B",)),
            ),
            diagnoses=("M25.561", "R26.2"),
        ),
        LOOKUP,
        on=ON,
    )
    assert format_visit(result, "text") == (
        "97530 GP XU x2 A,B (23 min)\n97140 GP x1 B (15 min)\nTimed: 38 min, 3 units\n\n"
        "A M25.561\nB R26.2"
    )


def test_text_omits_empty_parts() -> None:
    no_dx = evaluate(Visit(lines=(VisitLine("97110", 38),)), LOOKUP, on=ON)
    assert format_visit(no_dx, "text") == "97110 GP x3 (38 min)\nTimed: 38 min, 3 units"
    only_dx = evaluate(Visit(diagnoses=("M25.561",)), LOOKUP, on=ON)
    assert format_visit(only_dx, "text") == "A M25.561"
    assert format_visit(evaluate(Visit(), LOOKUP, on=ON), "text") == ""


def test_only_billed_lines_are_copied() -> None:
    # A deleted code and a 0-unit line stay in the result but never in the copy.
    result = medicare_visit(VisitLine("97127", 15), VisitLine("97110", 0))
    assert [line.code for line in result.lines] == ["97530", "97140", "97127", "97110"]
    assert format_visit(result, "text") == (
        "97530 GP x2 A (23 min)\n97140 GP x1 A (15 min)\nTimed: 38 min, 3 units\n\nA M25.561"
    )
    assert format_visit(result, "codes") == "97530 x2, 97140 x1"


def test_midpoint_profile_text() -> None:
    result = evaluate(
        Visit(
            lines=(VisitLine("97530", 23, dx_pointers=("A",)), VisitLine("97140", 7)),
            diagnoses=("M25.561",),
            profile=COMMERCIAL_MIDPOINT,
        ),
        LOOKUP,
        on=ON,
    )
    assert format_visit(result, "text") == (
        "97530 GP x2 A (23 min)\nTimed: 23 min, 2 units\n\nA M25.561"
    )


# --------------------------------------------------------------------------- tsv


def test_tsv_layout() -> None:
    assert format_visit(medicare_visit(xu=True), "tsv") == "\n".join(
        [
            "Code\tModifiers\tUnits\tMinutes\tDx pointers\tDiagnoses\tDescription",
            "97530\tGP XU\t2\t23\tA\tM25.561\tTherapeutic activities",
            "97140\tGP\t1\t15\tA\tM25.561\tManual therapy",
        ]
    )
    assert "\t".join(TSV_HEADER) == (
        "Code\tModifiers\tUnits\tMinutes\tDx pointers\tDiagnoses\tDescription"
    )


def test_tsv_untimed_line_without_minutes() -> None:
    result = evaluate(Visit(lines=(VisitLine("97161"),)), LOOKUP, on=ON)
    assert format_visit(result, "tsv").splitlines()[1] == (
        "97161\tGP\t1\t\t\t\tPT evaluation, low complexity"
    )


def test_tsv_cells_are_neutralised_and_single_line() -> None:
    result = evaluate(
        Visit(lines=(VisitLine("97799", 15, dx_pointers=("A",)),), diagnoses=("R26.2",)),
        LOOKUP,
        on=ON,
    )
    rows = format_visit(result, "tsv").split("\n")
    assert len(rows) == 2  # the header and one row per billed line, nothing else
    assert all(len(row.split("\t")) == 7 for row in rows)
    assert rows[1].split("\t")[6] == '\'=HYPERLINK("http://x") Unlisted service line2'
    assert rows[1].split("\t")[4:6] == ["A", "R26.2"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("  =trimmed", "'=trimmed"),
        ("\u200b=hidden", "'=hidden"),
        ("97110", "97110"),
        ("a=b", "a=b"),
    ],
)
def test_neutralize_cell(cell: str, expected: str) -> None:
    assert neutralize_cell(cell) == expected


# --------------------------------------------------------------------------- codes, json


def test_codes() -> None:
    assert format_visit(medicare_visit(), "codes") == "97530 x2, 97140 x1"
    dupes = evaluate(Visit(lines=(VisitLine("97110", 10), VisitLine("97110", 10))), LOOKUP, on=ON)
    assert format_visit(dupes, "codes") == "97110 x1"  # one line's worth: 20 minutes


def test_json_is_stable_and_complete() -> None:
    text = format_visit(medicare_visit(), "json")
    assert text == format_visit(medicare_visit(), "json")
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert set(data) == {
        "claim_lines",
        "diagnoses",
        "format",
        "lines",
        "profile",
        "ties",
        "totals",
        "version",
        "warnings",
    }
    assert data["format"] == "ptcodes-visit" and data["version"] == 1
    assert data["profile"] == MEDICARE.to_dict()
    assert [(line["code"], line["units"], line["modifiers"]) for line in data["lines"]] == [
        ("97530", 2, ["GP"]),
        ("97140", 1, ["GP"]),
    ]
    assert data["lines"][1]["suggested_modifiers"] == []
    assert data["lines"][0]["suggested_modifiers"] == ["59", "XE", "XS", "XP", "XU"]
    assert set(data["lines"][0]) == {
        "billed",
        "by_default",
        "code",
        "computed_units",
        "counting",
        "dx_pointers",
        "index",
        "minutes",
        "modifiers",
        "overridden",
        "provider",
        "pta_minutes",
        "pta_units",
        "cq_units",
        "suggested_modifiers",
        "system",
        "timed",
        "title",
        "units",
    }
    assert data["diagnoses"] == [
        {
            "billable": True,
            "code": "M25.561",
            "known": True,
            "letter": "A",
            "title": "Pain in right knee",
        }
    ]
    assert data["totals"] == {
        "computed_timed_units": 3,
        "separate_timed_minutes": 0,
        "timed_units": 3,
        "total_timed_minutes": 38,
        "total_units": 3,
        "untimed_units": 0,
    }
    assert [w["id"] for w in data["warnings"]] == ["ncci-pair", "mppr-reduction"]
    pair = data["warnings"][0]
    assert set(pair) == {
        "as_of",
        "codes",
        "confidence",
        "details",
        "id",
        "line",
        "message",
        "severity",
        "source",
        "sources",
        "suggestions",
        "verify",
    }
    assert pair["source"]["id"] == "ncci-ptp-practitioner"
    assert pair["source"]["citation"].startswith("CMS, Medicare NCCI procedure-to-procedure")
    assert (pair["confidence"], pair["as_of"], pair["verify"]) == ("M-H", "2026-10-01", False)


def test_json_text_is_sanitized() -> None:
    result = evaluate(Visit(lines=(VisitLine("97799", 15),)), LOOKUP, on=ON)
    title = json.loads(format_visit(result, "json"))["lines"][0]["title"]
    assert title == '=HYPERLINK("http://x") Unlisted service line2'


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        format_visit(medicare_visit(), "csv")
    assert FORMATS == ("text", "tsv", "codes", "json")


# --------------------------------------------------------------------------- sanitize


@pytest.mark.parametrize("char", sorted(BIDI_CHARS | ZERO_WIDTH_CHARS))
def test_sanitize_removes_bidi_and_zero_width(char: str) -> None:
    assert sanitize_text(f"971{char}10") == "97110"


def test_sanitize_listed_characters() -> None:
    listed = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
    listed |= {"\u200e", "\u200f", "\u061c"}
    assert listed <= BIDI_CHARS
    assert {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"} <= ZERO_WIDTH_CHARS


def test_sanitize_control_characters() -> None:
    assert sanitize_text("a\x00b\x07c\x1bd\x7fe\x9bf") == "abcdef"
    assert sanitize_text("one\ttwo\r\nthree\u2028four  five ") == "one two three four five"
    assert sanitize_text("\u00adsoft") == "soft"


def test_sanitize_keep_newlines() -> None:
    assert sanitize_text("a\r\nb\tc\u202e\x00\rd", keep_newlines=True) == "a\nb\tc\nd"


def test_sanitized_fields_in_text_output() -> None:
    result = evaluate(
        Visit(lines=(VisitLine("97799", 15, dx_pointers=("A",)),), diagnoses=("R26.2",)),
        LOOKUP,
        on=ON,
    )
    text = format_visit(result, "text")
    assert text == "97799 GP x1 A (15 min)\nTimed: 15 min, 1 unit\n\nA R26.2"


@given(st.text())
def test_sanitize_leaves_no_invisible_or_control_chars(text: str) -> None:
    cleaned = sanitize_text(text)
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in cleaned)
    assert sanitize_text(cleaned) == cleaned
    assert cleaned == cleaned.strip(" ")
    assert "  " not in cleaned


@given(st.text())
def test_neutralized_cells_never_start_like_a_formula(text: str) -> None:
    cell = neutralize_cell(text)
    assert not cell.startswith(("=", "+", "-", "@"))
    assert "\t" not in cell and "\n" not in cell and "\r" not in cell
