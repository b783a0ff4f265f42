"""NCCI pairs: indicator 0 and 1, dated and cited; unverified pairs only "verify"."""

from __future__ import annotations

from datetime import date

from rulekit import CODES, L, ev, ids, only, pair, visit

from ptcodes_gui.domain.billable import without_error_lines
from ptcodes_gui.domain.models import NcciPair
from ptcodes_gui.domain.visit import DISTINCT_MODIFIERS, MappingLookup, evaluate


def _lookup(*pairs: NcciPair) -> MappingLookup:
    return MappingLookup(CODES, pairs)


def test_indicator_1_pair_offers_59_xu_on_column_2_and_carries_its_stamp() -> None:
    # The MLN modifier-59 fact sheet's example 9.
    result = ev(visit(L("97140", 15), L("97530", 15)), _lookup(pair("97140", "97530",
                                                                    confidence="M-H")))
    warning = only(result, "ncci-pair")
    assert warning.severity == "warning" and warning.line == 1
    assert result.lines[1].suggested_modifiers == DISTINCT_MODIFIERS
    assert (warning.confidence, warning.as_of) == ("M-H", "2026-10-01")
    assert warning.sources == ("ncci-ptp-practitioner",)
    assert "as of" not in warning.message  # the details are one click away


def test_the_pairs_own_note_is_the_details() -> None:
    noted = NcciPair("97140", "97530", 1, "ncci-ptp-practitioner", "M-H", "2026-10-01",
                     note="Separate, distinct time blocks only.")
    warning = only(ev(visit(L("97140", 15), L("97530", 15)), _lookup(noted)), "ncci-pair")
    assert warning.details == "Separate, distinct time blocks only."
    assert warning.details not in warning.message


def test_indicator_1_with_xu_is_a_note() -> None:
    result = ev(visit(L("97140", 15), L("97530", 15, extra_modifiers=("XU",))),
                _lookup(pair("97140", "97530")))
    assert only(result, "ncci-pair").severity == "info"


def test_indicator_0_is_an_error_without_modifier_offer() -> None:
    result = ev(visit(L("97597"), L("97602")), _lookup(pair("97597", "97602", indicator=0)))
    error = only(result, "ncci-indicator-0")
    assert error.severity == "error" and "Remove 97602" in error.message
    assert all(line.suggested_modifiers == () for line in result.lines)


def test_low_confidence_pairs_are_verify_never_errors() -> None:
    lookup = _lookup(pair("97530", "97116", confidence="L"),
                     pair("97112", "97032", indicator=0, confidence="L"))
    result = ev(visit(L("97530", 15), L("97116", 15), L("97112", 15), L("97032", 15)), lookup)
    verify = result.warnings_with("ncci-verify")
    assert [w.codes for w in verify] == [("97530", "97116"), ("97112", "97032")]
    assert all(w.severity == "info" and w.needs_verification for w in verify)
    assert not {"ncci-pair", "ncci-indicator-0"} & set(ids(result))


def test_reported_pairs_are_verify_even_without_a_catalog_pair() -> None:
    for first, second in (("97161", "97750"), ("97163", "97750"), ("97150", "97140"),
                          ("97150", "97535")):
        warning = only(ev(visit(L(first, 15), L(second, 15))), "ncci-verify")
        assert warning.codes == (first, second) and warning.confidence == "L"
        assert warning.message.startswith("Verify:")


def test_imported_table_release_is_cited_by_its_name() -> None:
    imported = NcciPair("97140", "97530", 1, "CMS NCCI PTP practitioner v323r0", "H",
                        "2026-10-01")
    warning = only(ev(visit(L("97140", 15), L("97530", 15)), _lookup(imported)), "ncci-pair")
    assert warning.sources == ("CMS NCCI PTP practitioner v323r0",)


def test_deleted_pair_is_ignored() -> None:
    gone = NcciPair("97140", "97530", 1, "ncci-ptp-practitioner", "M", "2019-01-01",
                    deleted="2021-01-01")
    assert "ncci-pair" not in ids(ev(visit(L("97140", 15), L("97530", 15)), _lookup(gone)))


def test_97530_with_97116_is_a_real_pair_not_verify() -> None:
    # Without any catalog pair it is no longer guessed at as "verify" ...
    assert "ncci-verify" not in ids(ev(visit(L("97530", 15), L("97116", 15))))
    # ... and with the shipped M-H pair the modifier goes on 97116 (column 2).
    result = ev(visit(L("97530", 15), L("97116", 15)),
                _lookup(pair("97530", "97116", confidence="M-H")))
    warning = only(result, "ncci-pair")
    assert warning.severity == "warning" and warning.message.endswith(
        "add 59 or XU to 97116 (the column-2 code takes the modifier).")
    assert result.lines[1].suggested_modifiers == DISTINCT_MODIFIERS
    assert result.lines[0].suggested_modifiers == ()


def test_a_pair_is_checked_from_its_effective_date() -> None:
    dated = NcciPair("97110", "97164", 1, "apta-ncci-2020", "M-H", "2026-12-06",
                     effective="2020-10-01")
    lines = visit(L("97110", 30), L("97164"))
    before = evaluate(lines, _lookup(dated), on=date(2020, 9, 30))
    assert "ncci-pair" not in ids(before)
    on_the_day = only(evaluate(lines, _lookup(dated), on=date(2020, 10, 1)), "ncci-pair")
    assert "to 97164" in on_the_day.message and on_the_day.line == 1


def test_copy_billable_lines_drops_only_the_column_2_code_of_an_indicator_0_pair() -> None:
    """The error sits on 97602's line: "Copy billable lines" keeps 97597 (the code paid)
    and the therapy line, and leaves out 97602 alone."""
    v = visit(L("97110", 30), L("97597"), L("97602"))
    result = ev(v, _lookup(pair("97597", "97602", indicator=0)))
    assert only(result, "ncci-indicator-0").line == 2
    assert [line.code for line in without_error_lines(v, result).lines] == ["97110", "97597"]
