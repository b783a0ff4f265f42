"""Dated codes: a code is billed only from its effective date and until its deletion date
(the day before is fine, the day itself is not), with the fix named."""

from __future__ import annotations

from datetime import date

from rulekit import CODES, L, ids, only, timed, untimed, visit

from ptcodes_gui.domain.visit import MappingLookup, evaluate, validate_new_line

LOOKUP = MappingLookup(
    [
        *(c for c in CODES if c.code not in ("98985", "90912")),
        untimed("98985", "RTM device supply, musculoskeletal, 2-15 days",
                effective="2026-01-01",
                before_note="2-15 days of readings could not be billed before 2026"),
        untimed("90911", "Biofeedback, pelvic floor (deleted 2024)", status="deleted",
                deleted="2024-01-01", replaced_by=("90912", "90913")),
        timed("90912", "Pelvic floor biofeedback, first 15 minutes", effective="2024-01-01",
              use_before=("90911",)),
        timed("90913", "Pelvic floor biofeedback, each additional 15 minutes",
              effective="2024-01-01", addon_to=("90912",)),
    ]
)


def test_a_new_code_is_refused_the_day_before_its_effective_date() -> None:
    before = evaluate(visit(L("98985")), LOOKUP, on=date(2025, 12, 31))
    error = only(before, "code-not-yet-effective")
    assert error.severity == "error" and before.lines[0].units == 0
    assert error.message == (
        "98985 is effective 2026-01-01; on a 2025 date of service (2025-12-31) it cannot be "
        "billed: 2-15 days of readings could not be billed before 2026.")
    on_the_day = evaluate(visit(L("98985")), LOOKUP, on=date(2026, 1, 1))
    assert "code-not-yet-effective" not in ids(on_the_day) and on_the_day.lines[0].units == 1


def test_a_deleted_code_is_valid_until_the_day_before_its_deletion() -> None:
    day_before = evaluate(visit(L("90911")), LOOKUP, on=date(2023, 12, 31))
    assert "deleted-code" not in ids(day_before) and day_before.lines[0].units == 1
    on_the_day = evaluate(visit(L("90911")), LOOKUP, on=date(2024, 1, 1))
    error = only(on_the_day, "deleted-code")
    assert error.message.startswith("90911 was deleted on 2024-01-01")
    assert "use 90912" in error.message and error.suggestions == ("90912", "90913")


def test_the_replacement_before_its_date_names_the_code_it_replaced() -> None:
    error = only(evaluate(visit(L("90912", 15)), LOOKUP, on=date(2023, 12, 31)),
                 "code-not-yet-effective")
    assert "use 90911 (Biofeedback, pelvic floor (deleted 2024))" in error.message
    assert error.suggestions == ("90911",)


def test_adding_a_line_checks_the_date_of_service() -> None:
    assert [w.code for w in validate_new_line("98985", LOOKUP, date(2025, 6, 1))] == [
        "code-not-yet-effective"]
    assert validate_new_line("98985", LOOKUP, date(2026, 6, 1)) == []
    assert validate_new_line("90911", LOOKUP, date(2023, 6, 1)) == []
    # without a date the catalog of today decides: a deleted code is refused
    assert [w.code for w in validate_new_line("90911", LOOKUP)] == ["deleted-code"]


def test_the_earlier_code_to_use_comes_with_the_codes_own_note() -> None:
    """A code not yet in force names the code to bill instead, then its note if it has one;
    without a note the sentence just ends."""
    on = date(2023, 12, 31)
    plain = only(evaluate(visit(L("90912", 15)), LOOKUP, on=on), "code-not-yet-effective")
    assert plain.message == (
        "90912 is effective 2024-01-01; on a 2023 date of service (2023-12-31) use 90911 "
        "(Biofeedback, pelvic floor (deleted 2024)).")
    noted = MappingLookup([*LOOKUP._codes.values(), timed(
        "90912", "Pelvic floor biofeedback, first 15 minutes", effective="2024-01-01",
        use_before=("90911",), before_note="90911 covered the first 15 minutes then.")])
    error = only(evaluate(visit(L("90912", 15)), noted, on=on), "code-not-yet-effective")
    assert error.message.endswith(
        "use 90911 (Biofeedback, pelvic floor (deleted 2024)): 90911 covered the first 15 "
        "minutes then.")
