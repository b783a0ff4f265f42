"""The MCD Billing and Coding Articles download through the import pipeline: what is kept
(only the catalog's codes, never AMA descriptors), ranges expanded against the code set,
the articles read back per MAC, bad input refused with one line and nothing changed."""

from __future__ import annotations

import sqlite3
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from ptcodes_gui.releases import (
    ImportContext,
    ImportFileError,
    ImportPreview,
    apply_import,
    preview_import,
    preview_text,
)
from ptcodes_gui.releases.articles import ImportedArticles
from ptcodes_gui.session import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import mcd_files as mf

TODAY = date(2026, 12, 1)


def preview(session: Session, paths: list[Path], source: str | None = "mcd") -> ImportPreview:
    context = ImportContext.from_store(session.imports, session.catalog.all_codes(), TODAY,
                                       diagnoses=session.catalog.billable_diagnoses)
    return preview_import(paths, context, source=source)


def download(tmp_path: Path, tables: dict[str, list[list[str]]] | None = None,
             **kw: object) -> Path:
    return mf.write_download(tmp_path / "in", mf.encode(tables or mf.small_tables()), **kw)  # type: ignore[arg-type]


def imported(session: Session, tmp_path: Path) -> ImportedArticles:
    p = preview(session, [download(tmp_path)])
    apply_import(p, session.imports)
    return ImportedArticles(session.imports)


def test_download_as_shipped_keeps_only_catalog_codes(session: Session, tmp_path: Path) -> None:
    p = preview(session, [download(tmp_path)], source=None)  # recognised without a hint
    text = preview_text(p)
    assert p.source == "mcd" and "CMS MCD Billing and Coding Articles (2026-11-20)" in text
    assert "2 articles list codes of this catalog, for 3 MACs." in text
    assert "ignored: article_x" not in text  # its companion tables are read, not ignored
    assert "ignored: Read_Me.txt (in current_article.zip)" in text
    apply_import(p, session.imports)
    conn = sqlite3.connect(session.imports.path)  # type: ignore[arg-type]
    assert {r[0] for r in conn.execute("SELECT article_id FROM mcd_article")} == {
        "A57703", "A53049"}
    assert {r[0] for r in conn.execute("SELECT code FROM mcd_code")} == {"97110", "97140"}
    dump = "\n".join(conn.iterdump())
    assert "AMA descriptor" not in dump and "93306" not in dump and "I10" not in dump
    title = conn.execute("SELECT title FROM mcd_article WHERE article_id='A57703'").fetchone()
    assert title[0].endswith("Therapy Services \u2013 NGS")  # Windows-1252 0x96
    conn.close()


def test_articles_per_mac_with_ranges_and_paragraphs(session: Session, tmp_path: Path) -> None:
    arts = imported(session, tmp_path)
    ngs = arts.code_coverage("97110", "13202")
    assert len(ngs) == 1
    cov = ngs[0]
    assert cov.article.label == ("A57703 v3 \u201cBilling and Coding: Outpatient Physical and "
                                 "Occupational Therapy Services \u2013 NGS\u201d, 2026-10-01")
    # M25.561-M25.562 expanded against the ICD-10-CM code set in force
    assert {"M5450", "M25561", "M25562", "M1711"} == cov.covered
    assert cov.noncovered == {"Z0000"}
    assert cov.paragraph.startswith("Group 1 Paragraph: The diagnoses below support")
    assert "<" not in cov.paragraph
    assert arts.code_coverage("97110", "13102")  # the same article serves CT
    assert [c.article.id for c in arts.code_coverage("97110", "01112")] == ["A53049"]
    assert arts.code_coverage("97530", "13202") == []  # only on an older version
    assert arts.contractor_name("13202") == "National Government Services, Inc. (NY)"
    assert ("01112", "Noridian Healthcare Solutions, LLC (CA)") in arts.macs()
    assert [c for c, _ in arts.codes_supported("M25.562", "13202")] == ["97110", "97140"]
    assert arts.codes_supported("M25.562", "01112") == []
    arts.close()


def _refused(session: Session, paths: list[Path], match: str) -> None:
    before = session.imports.releases()
    with pytest.raises(ImportFileError, match=match) as err:
        preview(session, paths)
    assert "\n" not in str(err.value)
    assert session.imports.releases() == before


def test_lcd_download_is_refused_naming_the_right_zip(session: Session, tmp_path: Path) -> None:
    lcd = tmp_path / "current_lcd.zip"
    with zipfile.ZipFile(lcd, "w") as z:
        z.writestr("lcd.csv", "lcd_id,lcd_version,title\r\n33631,5,Outpatient PT\r\n")
    _refused(session, [lcd], r"lcd.csv \(in current_lcd.zip\) belongs to the MCD's LCD "
             r"download.*current_article_csv.zip")


def test_truncated_zip_is_refused(session: Session, tmp_path: Path) -> None:
    good = download(tmp_path, nested=False)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    _refused(session, [cut], "cut.zip is not a complete zip file")


def test_truncated_inner_zip_is_refused(session: Session, tmp_path: Path) -> None:
    inner = download(tmp_path, nested=False).read_bytes()
    outer = tmp_path / "current_article.zip"
    with zipfile.ZipFile(outer, "w") as z:
        z.writestr("current_article_csv.zip", inner[: len(inner) // 2])
    _refused(session, [outer], "is not a complete zip file")


def test_unknown_contractor_names_file_and_line(session: Session, tmp_path: Path) -> None:
    tables = mf.small_tables()
    tables["article_x_contractor.csv"].append(["53049", "5", "1", "999", "1", "1", mf.STAMP])
    _refused(session, [download(tmp_path, tables)],
             r"article_x_contractor.csv \(in current_article_csv.zip\), line 6: article "
             r"A53049 names contractor 999/1/1")


def test_bad_range_names_file_and_line(session: Session, tmp_path: Path) -> None:
    tables = mf.small_tables()
    tables["article_x_icd10_covered.csv"][1][2] = "M25.562-M25.561"  # high before low
    _refused(session, [download(tmp_path, tables)],
             r"article_x_icd10_covered.csv \(in current_article_csv.zip\), line 3: the code "
             r"range 'M25.562-M25.561' does not parse")


def test_missing_table_means_not_the_download(session: Session, tmp_path: Path) -> None:
    tables = mf.small_tables()
    del tables["article_x_contractor.csv"]
    _refused(session, [download(tmp_path, tables)], "has no article_x_contractor.csv")


def test_wrong_columns_name_the_file(session: Session, tmp_path: Path) -> None:
    enc = mf.encode(mf.small_tables())
    enc["article_x_hcpc_code.csv"] = b"article_id,article_version,code\r\n57703,3,97110\r\n"
    path = mf.write_download(tmp_path / "in", enc)
    _refused(session, [path], r"article_x_hcpc_code.csv .*line 1: no column hcpc_code_id")


def test_clinic_folder_publishes_the_articles(session: Session, tmp_path: Path,
                                               catalog: object) -> None:
    """imports.sqlite is published whole: a subscriber reads the MCD tables too."""
    from ptcodes_gui.clinic.link import attach_clinic, publish_clinic
    from ptcodes_gui.session import open_session

    imported(session, tmp_path).close()
    shared = tmp_path / "clinic"
    publish_clinic(session, shared)
    other = open_session(tmp_path / "pc2", catalog=catalog)  # type: ignore[arg-type]
    try:
        link = attach_clinic(other, shared)
        assert link.store is not None and other.imports.releases() == []
        arts = ImportedArticles(link.store)
        assert [c.article.id for c in arts.code_coverage("97110", "13202")] == ["A57703"]
        arts.close()
    finally:
        other.close()
