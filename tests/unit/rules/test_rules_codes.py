"""Codes, evaluations and modifiers: refused lines, duplicates, disciplines, GT, RT/LT."""

from __future__ import annotations

from rulekit import CODES, COMMERCIAL_MIDPOINT, L, ev, ids, only, untimed, visit

from ptcodes_gui.domain.visit import MappingLookup, validate_new_line


def test_refused_lines_stay_flagged_with_their_rule() -> None:
    lookup = MappingLookup([*CODES, untimed("97001", status="deleted", replaced_by=("97161",))])
    result = ev(visit(L("97101", 15), L("97001"), L("M54.50")), lookup)
    assert ids(result)[:3] == ["unknown-code", "deleted-code", "not-a-procedure"]
    assert only(result, "deleted-code").suggestions == ("97161",)
    assert [w.code for w in validate_new_line("GT", lookup)] == ["not-a-procedure"]


def test_duplicate_code_and_pta_evaluation() -> None:
    assert only(ev(visit(L("97110", 10), L("97110", 15))), "duplicate-code").line == 0
    assert only(ev(visit(L("97161", provider="pta"))), "pta-evaluation").severity == "error"


def test_evaluation_rules() -> None:
    assert "eval-and-reeval" in ids(ev(visit(L("97162"), L("97164"))))
    assert "multiple-evaluations" in ids(ev(visit(L("97161"), L("97162"))))


def test_too_many_modifiers() -> None:
    line = L("97530", 30, provider="pta", extra_modifiers=("59",))
    warning = only(ev(visit(line, kx=True, telehealth="95")), "too-many-modifiers")
    assert "GP CQ KX 95 59" in warning.message


def test_gt_only_on_cah_method_ii_claims() -> None:
    warning = only(ev(visit(L("97110", 30, extra_modifiers=("GT",)))), "gt-not-cah")
    assert "critical-access hospital method II" in warning.message
    assert warning.suggestions == ("95",)


def test_orthotic_l_codes_need_a_side() -> None:
    lookup = MappingLookup([*CODES, untimed("L1833", system="hcpcs", discipline="DME")])
    result = ev(visit(L("L1833")), lookup)
    assert only(result, "orthotic-side").suggestions == ("RT", "LT")
    assert result.lines[0].suggested_modifiers == ("RT", "LT")  # offered on the line itself
    assert "other-discipline" not in ids(result)  # a PT dispenses it as a DMEPOS supplier
    assert "orthotic-side" not in ids(ev(visit(L("L1832", extra_modifiers=("RT",)))))
    assert "orthotic-side" not in ids(ev(visit(L("L0650"))))  # spinal: no side


def test_cq_and_kx_are_medicare_modifiers() -> None:
    line = L("97110", 23, provider="pta")
    assert ev(visit(line, kx=True)).lines[0].modifiers == ("GP", "CQ", "KX")
    commercial = ev(visit(line, kx=True, profile=COMMERCIAL_MIDPOINT))
    assert commercial.lines[0].modifiers == ("GP",)


def test_a_deleted_code_names_every_replacement() -> None:
    """A code split in three: the message lists all three, not the first and the last."""
    lookup = MappingLookup([*CODES, untimed("97999", status="deleted",
                                            replaced_by=("97110", "97112", "97116"))])
    message = only(ev(visit(L("97999")), lookup), "deleted-code").message
    assert "97110" in message and "97112" in message and "97116" in message


def test_a_bad_code_after_a_good_one_is_still_flagged() -> None:
    """The refused line is not the first one: it is flagged all the same."""
    lookup = MappingLookup([*CODES, untimed("97001", status="deleted", replaced_by=("97161",))])
    result = ev(visit(L("97110", 15), L("97101", 15), L("97530", 15), L("97001")), lookup)
    assert only(result, "unknown-code").line == 1
    assert only(result, "deleted-code").line == 3
