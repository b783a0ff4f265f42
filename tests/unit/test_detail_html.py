"""The detail pane's HTML: source labels with their citation, verify marks, readable greys."""

from __future__ import annotations

import re

import pytest

from ptcodes_gui.catalog import Catalog, open_catalog
from ptcodes_gui.domain.models import Code, Fact, NcciPair
from ptcodes_gui.domain.sources import SOURCES
from ptcodes_gui.ui.detail_html import (
    CPT_NOTICE,
    DEFAULT_MUTED,
    contrast_ratio,
    muted_color,
    render_code,
    source_tooltip,
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return open_catalog()


def _get(catalog: Catalog, code: str) -> Code:
    found = catalog.get(code)
    assert found is not None, code
    return found


def test_each_fact_shows_a_source_label_linked_to_its_citation(catalog: Catalog) -> None:
    html = render_code(_get(catalog, "20560"))
    assert '<a href="source:ncd-30.3.3"' in html and ">NCD 30.3.3</a>" in html
    assert "facts §" not in html and "facts sheet" not in html
    assert source_tooltip("source:ncd-30.3.3") == SOURCES["ncd-30.3.3"].citation
    assert source_tooltip("code:97110") == "" and source_tooltip("source:nope") == ""
    assert "not paid by Medicare" in html


def test_pairs_show_source_date_and_verify(catalog: Catalog) -> None:
    html = render_code(_get(catalog, "97750"))
    row = next(li for li in html.split("<li>") if "With <a href=\"code:97162\"" in li)
    assert "source:ncci-ptp-practitioner" in row and "as of 2026-12-06" in row
    assert "<b>verify</b>" in row
    real = render_code(_get(catalog, "97116"))
    row = next(li for li in real.split("<li>") if "With <a href=\"code:97530\"" in li)
    assert "verify" not in row
    ok = render_code(_get(catalog, "97530"))
    row = next(li for li in ok.split("<li>") if "With <a href=\"code:97140\"" in li)
    assert "source:mln-modifier-59" in row and "verify" not in row


def test_imported_sources_show_their_own_name_unlinked() -> None:
    code = Code(
        "97110", "cpt", "Therapeutic exercise", timed=True, unit_minutes=15,
        notes=(Fact("Our payer wants GP.", "clinic-codes.csv", "M", kind="clinic"),),
        ncci=(NcciPair("97110", "97150", 1, "CMS NCCI PTP v323r0", "H", "2026-10-01"),),
    )
    html = render_code(code)
    assert "clinic-codes.csv" in html and "CMS NCCI PTP v323r0" in html
    assert 'href="source:clinic' not in html and 'href="source:CMS' not in html


def test_cpt_notice_only_on_cpt_codes(catalog: Catalog) -> None:
    assert CPT_NOTICE in render_code(_get(catalog, "97110"))
    for code in ("G0283", "GP", "L1832"):
        assert CPT_NOTICE not in render_code(_get(catalog, code)), code


def test_deleted_code_without_replacement_says_so(catalog: Catalog) -> None:
    html = render_code(_get(catalog, "G8978"))
    assert "Deleted on 2019-01-01" in html and "no replacement code" in html
    assert "Use  instead" not in html
    assert 'href="code:97164"' in render_code(_get(catalog, "97002"))


@pytest.mark.parametrize(
    ("text", "background"),
    [("#000000", "#ffffff"), ("#1f1f1f", "#f5f5f5"), ("#ffffff", "#2b2b2b"),
     ("#e0e0e0", "#1e1e1e"), ("#dddddd", "#353535")],
)
def test_muted_grey_meets_wcag_aa_on_light_and_dark_panes(text: str, background: str) -> None:
    grey = muted_color(text, background)
    assert re.fullmatch(r"#[0-9a-f]{6}", grey)
    assert grey != text, "no visible difference from body text"
    assert contrast_ratio(grey, background) >= 4.5
    assert contrast_ratio(DEFAULT_MUTED, "#ffffff") >= 4.5
    assert contrast_ratio("#777777", "#ffffff") < 4.5  # the old grey, for the record


def test_tooltip_names_where_a_manual_is_published() -> None:
    tip = source_tooltip("source:cms-100-04-ch5-20.2")
    assert tip.startswith(SOURCES["cms-100-04-ch5-20.2"].citation)
    assert tip.endswith("clm104c05.pdf")


def test_a_codes_history_is_shown(catalog: Catalog) -> None:
    html = render_code(_get(catalog, "90911"))
    assert "<b>Deleted on 2024-01-01.</b>" in html
    history = "In use before 2017. Deleted 2024-01-01, replaced by 90912, 90913."
    assert f"<b>History:</b> {history}" in html
    new = render_code(_get(catalog, "90912"))
    assert "<b>History:</b> Effective 2024-01-01. Before then: 90911." in new
    assert "History:" not in render_code(_get(catalog, "GP"))
