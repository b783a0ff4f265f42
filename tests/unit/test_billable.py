"""Issue 24: "Copy billable lines" copies exactly the lines without errors."""

from __future__ import annotations

from dataclasses import replace

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.domain.billable import error_lines, without_error_lines
from ptcodes_gui.domain.profiles import MEDICARE
from ptcodes_gui.domain.visit import Visit, VisitLine, evaluate


def test_a_pta_evaluating_on_medicare_leaves_only_the_treatment(catalog: Catalog) -> None:
    lines = tuple(VisitLine(code, minutes, provider="pta")
                  for code, minutes in (("97161", None), ("97164", None), ("97110", 30)))
    visit = Visit(profile=MEDICARE, lines=lines)
    result = evaluate(visit, catalog)
    assert len(result.errors) >= 2
    assert error_lines(result) == (0, 1)
    billable = evaluate(without_error_lines(visit, result), catalog)
    assert [line.code for line in billable.billed_lines] == ["97110"]
    assert billable.errors == ()


def test_a_visit_without_errors_is_kept_whole(catalog: Catalog) -> None:
    visit = Visit(profile=MEDICARE, lines=(VisitLine("97110", 30),))
    result = evaluate(visit, catalog)
    assert without_error_lines(visit, result) is visit


def test_telehealth_95_on_a_code_off_the_list_leaves_nothing(catalog: Catalog) -> None:
    visit = Visit(profile=MEDICARE, lines=(VisitLine("97140", 15),))
    visit = replace(visit, telehealth="95")
    result = evaluate(visit, catalog)
    assert [w.code for w in result.errors] == ["telehealth-not-on-list"]
    assert without_error_lines(visit, result).lines == ()
