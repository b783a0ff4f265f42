"""Telehealth: 95/93 only on the Medicare telehealth list; an imported list replaces it."""

from __future__ import annotations

from rulekit import CODES, COMMERCIAL_MIDPOINT, L, ev, ids, only, untimed, visit

from ptcodes_gui.domain.models import TelehealthList
from ptcodes_gui.domain.rules.telehealth import SHIPPED_LIST
from ptcodes_gui.domain.visit import MappingLookup


def test_shipped_list_is_the_cy2026_pt_codes() -> None:
    assert {"97110", "97112", "97116", "97150", "97161", "97164", "97530", "97535", "97542",
            "97750", "97755", "97760", "97761", "97763"} <= SHIPPED_LIST.codes
    assert not {"97140", "97010", "97035", "G0283", "20560", "29530"} & SHIPPED_LIST.codes
    assert SHIPPED_LIST.source == "telehealth-list-2026" and SHIPPED_LIST.confidence == "M"


def test_95_on_a_hands_on_code_is_a_denial() -> None:
    result = ev(visit(L("97110", 30), L("97140", 15), L("97035", 10), telehealth="95"))
    flagged = result.warnings_with("telehealth-not-on-list")
    assert [w.codes[0] for w in flagged] == ["97140", "97035"]
    assert all(w.severity == "error" and w.sources == ("telehealth-list-2026",) for w in flagged)
    assert flagged[0].confidence == "M" and flagged[0].line == 1


def test_in_person_visit_and_listed_codes_are_fine() -> None:
    assert "telehealth-not-on-list" not in ids(ev(visit(L("97140", 15))))
    assert "telehealth-not-on-list" not in ids(ev(visit(L("97110", 30), telehealth="95")))


def test_commercial_payer_gets_a_warning_not_an_error() -> None:
    warning = only(ev(visit(L("97140", 15), telehealth="95", profile=COMMERCIAL_MIDPOINT)),
                   "telehealth-not-on-list")
    assert warning.severity == "warning"


def test_imported_list_replaces_the_shipped_one() -> None:
    imported = TelehealthList(codes=frozenset({"97140"}), audio_only=frozenset(),
                              source="CMS telehealth list CY2027 (imported)", confidence="H")
    lookup = MappingLookup(CODES, telehealth=imported)
    result = ev(visit(L("97110", 30), L("97140", 15), telehealth="95"), lookup)
    warning = only(result, "telehealth-not-on-list")
    assert warning.codes[0] == "97110"  # no longer on the (imported) list
    assert warning.sources == ("CMS telehealth list CY2027 (imported)",)
    assert warning.confidence == "H"
    audio = only(ev(visit(L("97140", 15), telehealth="93"), lookup), "telehealth-audio-only")
    assert audio.severity == "warning" and audio.suggestions == ("95",)


def test_audio_only_on_a_listed_code_is_a_reminder() -> None:
    note = only(ev(visit(L("97110", 20), telehealth="93")), "telehealth-audio-only")
    assert note.severity == "info" and "video" in note.message


def test_caregiver_cognitive_and_slp_codes_are_on_the_cy2026_list() -> None:
    assert {"97550", "97551", "97552", "97129", "97130", "92507", "92521", "92522", "92523",
            "92524", "92526", "96125", "98960", "98961", "98962"} <= SHIPPED_LIST.codes
    lookup = MappingLookup((*CODES, untimed("97550"), untimed("97129"), untimed("92526")))
    result = ev(visit(L("97550"), L("97129"), L("92526"), telehealth="95"), lookup)
    assert "telehealth-not-on-list" not in ids(result)


def test_remote_codes_get_no_95_and_never_bill_in_person() -> None:
    # a visit-wide 95 is not put on RTM; typed on the line it is "no 95 on this code"
    result = ev(visit(L("97110", 30), L("98977"), telehealth="95"))
    assert "95" not in result.lines[1].modifiers
    assert not {"telehealth-not-on-list", "telehealth-remote-code"} & set(ids(result))
    typed = ev(visit(L("98977", extra_modifiers=("95",)), L("98980", telehealth="95")))
    warnings = typed.warnings_with("telehealth-remote-code")
    assert [w.line for w in warnings] == [0, 1]
    assert all("no 95 on this code" in w.message for w in warnings)
    assert not any("in person" in w.message for w in typed.warnings)
