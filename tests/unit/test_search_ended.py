"""A diagnosis that ended before today (ICD-10-CM FY2027 ended M72.2 on 2026-09-30) is not
offered first: the codes in force come before it, and it is marked with its replacements."""

from __future__ import annotations

from datetime import date

import pytest

from ptcodes_gui.catalog import Catalog

pytestmark = pytest.mark.skipif(date.today() < date(2026, 10, 1),
                                reason="M72.2 is still valid before 2026-10-01")


def test_ended_diagnosis_comes_after_the_codes_in_force(catalog: Catalog) -> None:
    hits = catalog.search("plantar fasciitis", limit=20)
    codes = [h.code for h in hits]
    assert codes[0] != "M72.2" and "M72.2" in codes
    assert all(codes.index(new) < codes.index("M72.2")
               for new in ("M72.20", "M72.21", "M72.22") if new in codes)
    ended = hits[codes.index("M72.2")]
    assert ended.status == "deleted" and not ended.billable
    assert {"M72.20", "M72.21", "M72.22"} <= set(ended.replaced_by)


def test_typing_the_ended_code_still_finds_it_first(catalog: Catalog) -> None:
    for typed in ("M72.2", "m722"):
        first = catalog.search(typed, limit=10)[0]
        assert first.code == "M72.2" and first.status == "deleted"


def test_codes_in_force_are_untouched(catalog: Catalog) -> None:
    hit = catalog.search("M54.50", limit=1)[0]
    assert hit.code == "M54.50" and hit.status == "active" and hit.billable
