"""Medicare coverage (§9): substitutes, bundled codes, services never paid, dry needling by
a PT, G0281's ulcer list, per-day codes."""

from __future__ import annotations

from rulekit import COMMERCIAL_MIDPOINT, LOOKUP, L, ev, ids, only, untimed, visit

from ptcodes_gui.domain.visit import MappingLookup


def test_bundled_97010_and_97602_on_medicare_only() -> None:
    for code in ("97010", "97602"):
        warning = only(ev(visit(L(code))), "medicare-bundled")
        assert warning.codes == (code,) and warning.sources == ("pfs-2026-final",)
        assert "medicare-bundled" not in ids(ev(visit(L(code), profile=COMMERCIAL_MIDPOINT)))


def test_work_hardening_is_not_paid_by_medicare() -> None:
    for code, minutes in (("97545", 120), ("97546", 60)):
        result = ev(visit(L("97545", 120), L(code, minutes)) if code == "97546"
                    else visit(L(code, minutes)))
        assert code in [w.codes[0] for w in result.warnings_with("medicare-not-paid")]
    assert "medicare-not-paid" not in ids(ev(visit(L("97545", 120), profile=COMMERCIAL_MIDPOINT)))


def test_97014_wants_g0283() -> None:
    lookup = MappingLookup([*LOOKUP._codes.values(), untimed("97014", not_medicare=True)])
    result = ev(visit(L("97014")), lookup)
    assert only(result, "medicare-use-g0283").suggestions == ("G0283",)
    assert "medicare-not-paid" not in ids(result)


def test_dry_needling_on_medicare_offers_gy_gx() -> None:
    result = ev(visit(L("20561")))
    warning = only(result, "medicare-dry-needling")
    assert warning.severity == "warning" and warning.suggestions == ("GY", "GX")
    assert set(warning.sources) == {"ncd-30.3.3", "cms-r-131"}
    assert result.lines[0].suggested_modifiers == ("GY", "GX")
    assert "ABN" in warning.message


def test_dry_needling_with_gy_is_a_note_and_commercial_says_nothing() -> None:
    noted = only(ev(visit(L("20560", extra_modifiers=("GY", "GX")))), "medicare-dry-needling")
    assert noted.severity == "info" and noted.suggestions == ()
    assert "medicare-dry-needling" not in ids(ev(visit(L("20560"), profile=COMMERCIAL_MIDPOINT)))


def test_g0281_checks_the_diagnosis_it_points_to() -> None:
    wrong = only(ev(visit(L("G0281"), diagnoses=("M79.604",))), "g0281-ulcer-type")
    assert wrong.severity == "warning" and "M79.604" in wrong.message
    for ulcer in ("L89.153", "E11.621"):
        assert "g0281-ulcer-type" not in ids(ev(visit(L("G0281"), diagnoses=(ulcer,))))
    # Pointing at the wrong one of two diagnoses is still wrong.
    pointed = visit(L("G0281", dx_pointers=("A",)), diagnoses=("M79.604", "L89.153"))
    assert "point it at B (L89.153)" in only(ev(pointed), "g0281-ulcer-type").message
    unknown = only(ev(visit(L("G0281"), diagnoses=())), "g0281-ulcer-type")
    assert unknown.severity == "info"


def test_97610_is_per_day() -> None:
    assert "per-day-code" not in ids(ev(visit(L("97610"))))
    warning = only(ev(visit(L("97610", units_override=2))), "per-day-code")
    assert "per day" in warning.message and warning.line == 0


def test_dry_needling_gets_one_warning_not_a_second_not_paid_one() -> None:
    """The shipped catalog marks 20560/20561 not paid by Medicare: the visit shows the dry
    needling warning (with its NCD reason) once, not also the generic "not paid" one."""
    lookup = MappingLookup([*LOOKUP._codes.values(), untimed("20560", not_medicare=True)])
    for modifiers in ((), ("GY",)):
        result = ev(visit(L("20560", extra_modifiers=modifiers)), lookup)
        assert "medicare-dry-needling" in ids(result)
        assert "medicare-not-paid" not in ids(result)
