"""An ICD-10-CM release in CDC/CMS's own layouts → its database → what the catalog serves.

The files are made by the small writers below in the real layouts (DATA-RELEASES.md); the
"next release" is the shipped one with a code added, one deleted, one retitled and one whose
billable flag changed, so the preview's figures are known exactly.
"""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import pytest

from ptcodes_gui.catalog.repository import Catalog, open_catalog
from ptcodes_gui.catalog.schema import packaged_catalog_path
from ptcodes_gui.releases import icd_build as rel

# --------------------------------------------------------------------------- writers


def order_line(order: int, code: str, billable: bool, title: str) -> str:
    compact = code.replace(".", "")
    return f"{order:05d} {compact:<7} {int(billable)} {title[:60]:<60} {title}"


def order_file(rows: Sequence[tuple[str, bool, str]], *, eol: str = "\r\n") -> bytes:
    lines = [order_line(i, c, b, t) for i, (c, b, t) in enumerate(rows, start=1)]
    return (eol.join(lines) + eol).encode("latin-1")


INDEX_XML = b"""<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.index>
  <version>2027</version>
  <title>ICD-10-CM INDEX TO DISEASES and INJURIES</title>
  <letter><title>G</title>
    <mainTerm><title>Gonarthrosis</title><see>Osteoarthritis, knee</see></mainTerm>
  </letter>
  <letter><title>L</title>
    <mainTerm><title>Lumbalgia<nemod>(chronic)</nemod></title><code>M54.50</code></mainTerm>
  </letter>
  <letter><title>O</title>
    <mainTerm><title>Osteoarthritis</title><code>M19.90</code>
      <term level="1"><title>knee<nemod>(primary)</nemod></title><code>M17.9</code>
        <term level="2"><title>unilateral</title><code>M17.1-</code></term>
      </term>
    </mainTerm>
  </letter>
</ICD10CM.index>
"""


def shipped_rows() -> list[tuple[str, bool, str]]:
    conn = sqlite3.connect(packaged_catalog_path())
    try:
        return [
            (code, bool(billable), title)
            for code, billable, title in conn.execute(
                # the April 2026 tabular set: not the codes FY2027 adds (titled by position)
                "SELECT code, billable, title FROM icd WHERE kind NOT IN ('chapter', 'block') "
                "AND NOT provisional ORDER BY ord"
            )
        ]
    finally:
        conn.close()


def next_release_rows() -> list[tuple[str, bool, str]]:
    """The shipped set, with M54.51 deleted, M54.52 added (after M54.59), M54.50
    retitled and M54.9 no longer billable."""
    out: list[tuple[str, bool, str]] = []
    for code, billable, title in shipped_rows():
        if code == "M54.51":
            continue
        if code == "M54.50":
            title = "Low back pain, not otherwise specified"
        if code == "M54.9":
            billable = False
        out.append((code, billable, title))
        if code == "M54.59":
            out.append(("M54.52", True, "Lumbosacral pain of a new kind"))
    return out


@pytest.fixture(scope="module")
def catalog() -> Iterator[Catalog]:
    cat = open_catalog()
    yield cat
    cat.close()


@pytest.fixture(scope="module")
def release_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("icd2027")
    path = folder / "icd10cm-CodesDescriptions-2027.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("icd10cm_order_2027.txt", order_file(next_release_rows()))
        archive.writestr("icd10cm_codes_2027.txt", b"A000    Cholera\r\n")
        archive.writestr("icd10cm_index_2027.xml", INDEX_XML)
    return path


@pytest.fixture(scope="module")
def release(release_zip: Path) -> rel.IcdRelease:
    conn = sqlite3.connect(packaged_catalog_path())
    try:
        return rel.read_release([release_zip], skeleton=rel.skeleton_rows(conn))
    finally:
        conn.close()


@pytest.fixture(scope="module")
def release_db(
    release: rel.IcdRelease, catalog: Catalog, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp("db") / "icd-release.sqlite"
    rel.write_release_db(release, out, {"lbp": ["M54.50"]})
    return out


# --------------------------------------------------------------------------- readers


@pytest.mark.parametrize("eol", ["\r\n", "\n"])
def test_order_file_lines_are_read_with_either_line_end(eol: str) -> None:
    data = order_file(
        [("M54.5", False, "Low back pain"), ("M54.50", True, "Low back pain, unspecified")],
        eol=eol,
    )
    rows = list(rel.read_order_file(data.splitlines(keepends=True), "icd10cm_order_2027.txt"))
    assert [(r.code, r.billable, r.long_title) for r in rows] == [
        ("M54.5", False, "Low back pain"),
        ("M54.50", True, "Low back pain, unspecified"),
    ]


def test_the_real_order_line_with_a_short_and_a_long_title() -> None:
    line = (
        b"00048 A0472   1 Enterocolitis d/t Clostridium difficile, not spcf as recur   "
        b"Enterocolitis due to Clostridium difficile, not specified as recurrent\r\n"
    )
    (row,) = rel.read_order_file([line], "order.txt")
    assert row.code == "A04.72" and row.order == 48
    assert row.short_title == "Enterocolitis d/t Clostridium difficile, not spcf as recur"
    assert row.long_title.endswith("not specified as recurrent")


def test_a_line_that_is_not_an_order_line_names_file_and_line() -> None:
    data = order_file([("M54.5", False, "Low back pain")]) + b"M5450 1 Low back pain\r\n"
    with pytest.raises(rel.IcdReleaseError, match=r"icd10cm_order_2027\.txt: line 2 "):
        list(rel.read_order_file(data.splitlines(), "icd10cm_order_2027.txt"))


def test_index_terms_become_full_phrases() -> None:
    import io

    terms = list(rel.read_index_xml(io.BytesIO(INDEX_XML), "icd10cm_index_2027.xml"))
    by_phrase = {t.phrase: t for t in terms}
    assert by_phrase["Osteoarthritis, knee, unilateral"].code == "M17.1"
    assert by_phrase["Osteoarthritis, knee, unilateral"].incomplete
    assert by_phrase["Osteoarthritis, knee"].nemod == "(primary)"
    assert by_phrase["Gonarthrosis"].see == "Osteoarthritis, knee"
    assert by_phrase["Gonarthrosis"].code is None


def test_an_index_cut_short_names_the_file() -> None:
    import io

    with pytest.raises(rel.IcdReleaseError, match=r"icd10cm_index_2027\.xml: line"):
        list(rel.read_index_xml(io.BytesIO(INDEX_XML[:400]), "icd10cm_index_2027.xml"))


# --------------------------------------------------------------------------- release


def test_release_dates_and_the_preview_of_what_changed(
    release: rel.IcdRelease, catalog: Catalog
) -> None:
    info = release.info
    assert (info.fiscal_year, info.effective, info.superseded) == (2027, "2026-10-01", "2027-10-01")
    assert info.label == "ICD-10-CM FY2027 (October 1, 2026)"
    assert any("icd10cm_codes_2027.txt" in n for n in release.notes)  # listed as not used
    conn = sqlite3.connect(packaged_catalog_path())
    try:
        diff = rel.diff_release(release, conn)
    finally:
        conn.close()
    assert (diff.added, diff.deleted, diff.retitled, diff.billable_changed) == (1, 1, 1, 1)
    text = "\n".join(diff.lines())
    assert "+ M54.52  Lumbosacral pain of a new kind" in text
    assert "- M54.51  Vertebrogenic low back pain" in text
    assert "* M54.9  now a header (not billable)" in text
    assert "~ M54.50  Low back pain, unspecified  →  Low back pain, not otherwise specified" in text


def test_the_catalog_serves_the_imported_release(release_db: Path, catalog: Catalog) -> None:
    shipped_label = catalog.info().icd_release
    assert catalog.search("gonarthrosis", system="icd10cm") == []
    catalog.use_icd_release(release_db)
    try:
        assert catalog.info().icd_release == "ICD-10-CM FY2027 (October 1, 2026)"
        assert catalog.get("M54.51") is None
        new = catalog.get("M54.52")
        assert new is not None and new.billable and new.parents[0][0] == "M54.5"
        # an Index 'see' cross reference and a phrase found by the look-up words
        assert "M17.9" in [h.code for h in catalog.search("gonarthrosis", system="icd10cm")][:3]
        assert catalog.search("lumbalgia")[0].code == "M54.50"
        header = catalog.get("M17.1")  # the Index's "M17.1-": pick a child
        assert header is not None and "Osteoarthritis, knee, unilateral" in header.synonyms
        knee = catalog.get("M17.9")
        assert knee is not None and "Osteoarthritis, knee (primary)" in knee.synonyms
        assert [c for c, _ in catalog.children("M54.5")] == ["M54.50", "M54.59", "M54.52"]
    finally:
        catalog.use_icd_release(None)
    assert catalog.info().icd_release == shipped_label
    assert catalog.get("M54.51") is not None


def test_order_and_tabular_files_that_disagree_are_refused(tmp_path: Path) -> None:
    tabular = tmp_path / "icd10cm_tabular_2027.xml"
    tabular.write_text(
        "<?xml version='1.0'?><ICD10CM.tabular><version>2027</version>"
        "<chapter><name>13</name><desc>Musculoskeletal</desc>"
        "<section id='M50-M54'><desc>Other dorsopathies</desc>"
        "<diag><name>M54</name><desc>Dorsalgia</desc>"
        "<diag><name>M54.5</name><desc>Low back pain</desc>"
        "<diag><name>M54.50</name><desc>Low back pain, unspecified</desc></diag>"
        "</diag></diag></section></chapter></ICD10CM.tabular>"
    )
    order = tmp_path / "icd10cm_order_2027.txt"
    order.write_bytes(order_file([("M54", False, "Dorsalgia"), ("M54.5", True, "Low back pain")]))
    with pytest.raises(rel.IcdReleaseError, match=r"icd10cm_order_2027\.txt: line 2: M54\.5"):
        rel.read_release([order, tabular])
    order.write_bytes(
        order_file(
            [
                ("M54", False, "Dorsalgia"),
                ("M54.5", False, "Low back pain"),
                ("M54.50", True, "Low back pain, unspecified"),
            ]
        )
    )
    both = rel.read_release([order, tabular])
    assert [e.code for e in both.entries] == ["CH13", "M50-M54", "M54", "M54.5", "M54.50"]


def test_a_truncated_zip_is_refused_with_its_name(release_zip: Path, tmp_path: Path) -> None:
    cut = tmp_path / "icd10cm-CodesDescriptions-2027.zip"
    cut.write_bytes(release_zip.read_bytes()[:3000])
    with pytest.raises(rel.IcdReleaseError, match=r"icd10cm-CodesDescriptions-2027\.zip"):
        rel.read_release([cut])


def test_files_of_two_releases_are_refused(tmp_path: Path) -> None:
    a = tmp_path / "icd10cm_order_2027.txt"
    a.write_bytes(order_file([("M54", False, "Dorsalgia")]))
    b = tmp_path / "icd10cm_index_2026.xml"
    b.write_bytes(INDEX_XML)
    with pytest.raises(rel.IcdReleaseError, match="different releases"):
        rel.read_release([a, b])


def test_a_file_of_another_kind_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "icd10cm_order_2027.txt"
    other.write_bytes(b"HCPC,SEQNUM,RECID,LONG DESCRIPTION\r\nA0021,00100,3,Ambulance\r\n")
    with pytest.raises(rel.IcdReleaseError, match="line 1 is not an ICD-10-CM order-file line"):
        rel.read_release([other])


def test_fiscal_year_dates() -> None:
    assert rel.effective_date(2027) == date(2026, 10, 1)
    assert rel.effective_date(2026, april=True) == date(2026, 4, 1)
    shipped = rel.info_from_label("ICD-10-CM April 1, 2026 (FY2026 update)")
    assert shipped is not None
    assert (shipped.effective, shipped.superseded) == ("2026-04-01", "2026-10-01")
    assert shipped.superseded_by_date(date(2026, 12, 1))
    assert not shipped.superseded_by_date(date(2026, 9, 30))


def test_an_april_update_named_by_its_files(tmp_path: Path) -> None:
    path = tmp_path / "code-descriptions.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "icd10cm-order-April-1-2026.txt", order_file([("M54", False, "Dorsalgia")])
        )
    info = rel.read_release([path]).info
    assert (info.fiscal_year, info.effective, info.superseded) == (2026, "2026-04-01", "2026-10-01")
    assert info.label == "ICD-10-CM April 1, 2026 update (FY2026)"
