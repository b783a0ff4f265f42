"""Search finds what a clinician means on the first try, and never raises."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptcodes_gui.catalog import Catalog, CatalogError, open_catalog
from ptcodes_gui.catalog import query as q


def first(catalog: Catalog, text: str, **kw: object) -> str:
    hits = catalog.search(text, limit=10, **kw)  # type: ignore[arg-type]
    assert hits, f"nothing found for {text!r}"
    return hits[0].code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ther act", "97530"),
        ("therapeutic activities", "97530"),
        ("TA", "97530"),
        ("therex", "97110"),
        ("TherEx", "97110"),
        ("ther ex", "97110"),
        ("nmr", "97112"),
        ("neuro re-ed", "97112"),
        ("hp cp", "97010"),
        ("HP/CP", "97010"),
        ("e-stim", "97032"),
        ("ultrsound", "97035"),  # one typo in a word of 5+ letters
        ("ultrasound", "97035"),
        ("manual", "97140"),
        ("joint mob", "97140"),
        ("gait", "97116"),
        ("self care", "97535"),
        ("W/C", "97542"),
        ("FCE", "97750"),
        ("epley", "95992"),
        ("re-eval", "97164"),
        ("ionto", "97033"),
        ("traction", "97012"),
        ("vaso", "97016"),
        ("paraffin", "97018"),
        ("group", "97150"),
        ("97110", "97110"),
        ("g0283", "G0283"),
        ("gp", "GP"),
    ],
)
def test_the_code_a_clinician_means_ranks_first(catalog: Catalog, text: str, code: str) -> None:
    assert first(catalog, text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("lbp", "M54.5"),
        ("pain right knee", "M25.561"),
        ("right knee pain", "M25.561"),
        ("plantar fasciitis", "M72.2"),
        ("m54.50", "M54.50"),
        ("M5450", "M54.50"),
        ("difficulty walking", "R26.2"),
        ("muscle weakness", "M62.81"),
        ("acl tear right", "S83.511A"),  # shorthand inside a longer query
        ("oa right knee", "M17.11"),
        ("bka", "Z89.51"),
        ("sciatica left", "M54.32"),
        ("adhesive capsulitis right", "M75.01"),
        ("history of falling", "Z91.81"),
    ],
)
def test_diagnosis_queries(catalog: Catalog, text: str, code: str) -> None:
    assert first(catalog, text, system="icd10cm") == code


def test_code_prefix_lists_codes_in_order(catalog: Catalog) -> None:
    hits = catalog.search("971", limit=50, system="pt")
    found = [h.code for h in hits]
    assert found and all(c.startswith("971") for c in found)
    assert found == sorted(found)
    assert {"97110", "97112", "97140", "97150"} <= set(found)


def test_icd_code_with_or_without_dot_lists_children(catalog: Catalog) -> None:
    for text in ("m54.5", "M545", "m54.5 "):
        found = [h.code for h in catalog.search(text, system="icd10cm")]
        assert found[:4] == ["M54.5", "M54.50", "M54.51", "M54.59"], text


def test_procedure_query_lists_procedure_codes_first(catalog: Catalog) -> None:
    hits = catalog.search("gait", limit=10)
    assert hits[0].system == "cpt"
    systems = [h.system for h in hits]
    assert "icd10cm" in systems  # diagnoses about gait follow
    assert systems.index("icd10cm") > 0


def test_headers_are_marked_not_billable(catalog: Catalog) -> None:
    hits = {h.code: h for h in catalog.search("m54.5", system="icd10cm")}
    assert hits["M54.5"].billable is False
    assert hits["M54.50"].billable is True


def test_billable_codes_rank_above_headers_for_words(catalog: Catalog) -> None:
    hits = catalog.search("low back pain unspecified", system="icd10cm")
    assert hits[0].code == "M54.50" and hits[0].billable


def test_empty_query_browses_by_category(catalog: Catalog) -> None:
    hits = catalog.search("", limit=500)
    assert hits[0].category == "evaluation"
    assert len(hits) == len(catalog.all_codes())


def test_filters(catalog: Catalog) -> None:
    assert all(h.system == "modifier" for h in catalog.search("", system="modifier"))
    commons = catalog.search("", common_only=True, limit=100)
    assert {h.code for h in commons} >= {"97110", "97530", "97140", "97162"}
    assert all(h.common for h in commons)
    wound = catalog.search("", category="wound_care")
    assert wound and all(h.category == "wound_care" for h in wound)
    with pytest.raises(ValueError, match="unknown system"):
        catalog.search("x", system="bogus")


def test_get_normalises_and_returns_everything(catalog: Catalog) -> None:
    code = catalog.get(" 97530 ")
    assert code is not None and code.timed and code.unit_minutes == 15
    assert code.attendance == "constant"
    assert any(p.column1 == "97140" and p.column2 == "97530" for p in code.ncci)
    dx = catalog.get("m5450")
    assert dx is not None and dx.code == "M54.50" and dx.billable
    assert [c for c, _ in dx.parents] == ["M54.5", "M54", "M50-M54", "CH13"]
    assert any(n.kind == "excludes1" for n in dx.icd_notes)
    assert catalog.get("99999") is None
    assert catalog.get("") is None


def test_not_found_suggests_nearest(catalog: Catalog) -> None:
    near = [h.code for h in catalog.suggest("M54.9X")]
    assert near and all(c.startswith("M54.9") for c in near)
    near_pt = [h.code for h in catalog.suggest("97119")]
    assert near_pt and all(c.startswith("9711") for c in near_pt)


def test_fts_expression_quotes_every_token() -> None:
    assert q.fts_expression(["near", "x"]) == '"near"* "x"*'
    assert q.tokens('manual "') == ["manual"]
    assert q.tokens("97140-") == ["97140"]
    assert q.tokens("NEAR *^-") == ["near"]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_search_never_raises(catalog: Catalog, text: str) -> None:
    hits = catalog.search(text, limit=20)
    assert len(hits) <= 20


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(['"', "NEAR", "*", "^", "-", "(", ")", "AND", "OR", "NOT", ":", "97140",
                         "knee", "😀", "\u202e", "\x00", "'", "%", "_", "\\", "m54.5", "x"]),
        max_size=12,
    ).map(" ".join)
)
def test_search_never_raises_on_fts_operators(catalog: Catalog, text: str) -> None:
    catalog.search(text, limit=20, system="icd10cm")
    catalog.search(text, limit=20)


def test_huge_input_is_clipped_and_fast(catalog: Catalog) -> None:
    t0 = time.perf_counter()
    catalog.search("pain " * 2000)
    catalog.search("x" * 10_000)
    assert time.perf_counter() - t0 < 5  # generous: the point is it does not hang


def test_missing_catalog_gives_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CatalogError, match="not found"):
        open_catalog(tmp_path / "nope.sqlite")
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CatalogError, match="cannot be read"):
        open_catalog(bad)


def test_catalog_file_is_opened_read_only(catalog: Catalog) -> None:
    import sqlite3

    with pytest.raises(sqlite3.OperationalError):
        catalog._db.execute("CREATE TABLE t(x)")


def test_catalog_metadata(catalog: Catalog) -> None:
    info = catalog.info()
    assert info.catalog_version and info.content_date
    assert "April 1, 2026" in info.icd_release
    assert info.icd_billable == 74_719
    assert info.pt_codes >= 100 and info.modifiers >= 14


def _release_db(path, rows):  # type: ignore[no-untyped-def]
    """The tables an imported ICD-10-CM release must carry for look-ups and search."""
    import sqlite3

    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE icd (id INTEGER PRIMARY KEY, code TEXT, ucode TEXT, title TEXT, "
        "terms TEXT, billable INTEGER, kind TEXT, parent TEXT, chapter TEXT, pt INTEGER, "
        "ord INTEGER, notes TEXT)"
    )
    db.execute("CREATE UNIQUE INDEX icd_ucode ON icd(ucode)")
    db.executemany(
        "INSERT INTO icd VALUES (?, ?, ?, ?, ?, ?, 'code', ?, 'CH13', 1, ?, NULL)",
        [(i, c, c.replace(".", ""), t, terms, b, parent, i)
         for i, (c, t, terms, b, parent) in enumerate(rows, start=1)],
    )
    db.execute(
        "CREATE VIRTUAL TABLE icd_fts USING fts5(title, terms, content='icd', "
        "content_rowid='id', detail='none', prefix='1 2 3')"
    )
    db.execute("INSERT INTO icd_fts(rowid, title, terms) SELECT id, title, terms FROM icd")
    db.commit()
    return db


def test_diagnoses_can_come_from_another_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An imported release replaces every diagnosis read: get, children, search, Index terms."""
    release = _release_db(tmp_path / "icd.sqlite", [
        ("M54.5", "Low back pain", "", 0, None),
        ("M54.50", "Low back pain, unspecified", "", 1, "M54.5"),
        ("M54.99", "Made-up release code", "pain, lumbosacral zzfresh", 1, "M54.5"),
    ])
    cat = open_catalog()
    try:
        assert cat.get("M54.99") is None
        cat._attach_icd(release, {})
        assert cat.info().icd_codes == 3 and cat.info().icd_billable == 2
        code = cat.get("m54.99")
        assert code is not None and code.title == "Made-up release code"
        assert [c for c, _ in cat.children("M54.5")] == ["M54.50", "M54.99"]
        assert first(cat, "zzfresh", system="icd10cm") == "M54.99"  # an Index term
        assert cat.get("S83.511A") is None  # the shipped rows are no longer read
        assert first(cat, "97110") == "97110"  # procedures are untouched
    finally:
        cat.close()
