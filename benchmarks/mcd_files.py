"""The MCD's Billing and Coding Articles download in CMS's layout, small or full size.

``current_article.zip`` holds ``current_article_csv.zip`` (a zip in the zip), which holds
one CSV per table (column names as CMS ships them, confirmed against public loaders of the
download; shared/domain/DATA-RELEASES.md). Text is Windows-1252 with HTML fragments. Used by
the import tests (explicit rows: ``small_tables``) and by ``bench_imports.py`` (a synthetic
full-size download: ``synthetic_mcd_download``). Data values are invented.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

HEADERS: dict[str, tuple[str, ...]] = {
    "article.csv": ("article_id", "article_version", "article_type", "title", "description",
                    "article_pub_date", "article_eff_date", "article_end_date", "status",
                    "last_updated"),
    "contractor.csv": ("contractor_id", "contractor_type_id", "contractor_version",
                       "contractor_bus_name", "contractor_number", "status"),
    "state_lookup.csv": ("state_id", "state_abbrev", "description"),
    "contractor_jurisdiction.csv": ("contractor_id", "contractor_type_id",
                                    "contractor_version", "state_id", "active_date",
                                    "term_date"),
    "article_x_contractor.csv": ("article_id", "article_version", "article_type",
                                 "contractor_id", "contractor_type_id", "contractor_version",
                                 "last_updated"),
    "article_x_hcpc_code.csv": ("article_id", "article_version", "hcpc_code_id",
                                "hcpc_code_version", "hcpc_code_group", "range",
                                "long_description", "short_description", "last_updated"),
    "article_x_icd10_covered.csv": ("article_id", "article_version", "icd10_code_id",
                                    "icd10_code_version", "icd10_covered_group", "range",
                                    "description", "asterisk", "sort_order", "last_updated"),
    "article_x_icd10_covered_group.csv": ("article_id", "article_version",
                                          "icd10_covered_group", "paragraph", "last_updated"),
    "article_x_icd10_noncovered.csv": ("article_id", "article_version", "icd10_code_id",
                                       "icd10_code_version", "icd10_noncovered_group", "range",
                                       "description", "last_updated"),
    "article_x_icd10_noncovered_group.csv": ("article_id", "article_version",
                                             "icd10_noncovered_group", "paragraph",
                                             "last_updated"),
}
STAMP = "2026-11-20 00:00:00"
#: (contractor_id, number, name, states) of a few real-looking MACs (type 1 = A and B MAC).
MACS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("351", "13202", "National Government Services, Inc.", ("NY",)),
    ("352", "13102", "National Government Services, Inc.", ("CT",)),
    ("400", "01112", "Noridian Healthcare Solutions, LLC", ("CA",)),
    ("401", "01212", "Noridian Healthcare Solutions, LLC", ("HI",)),
    ("500", "12502", "Novitas Solutions, Inc.", ("PA",)),
    ("501", "04112", "Novitas Solutions, Inc.", ("TX",)),
    ("600", "09102", "First Coast Service Options, Inc.", ("FL",)),
    ("700", "15202", "CGS Administrators, LLC", ("OH",)),
    ("800", "05102", "Wisconsin Physicians Service", ("IA",)),
    ("900", "11202", "Palmetto GBA", ("SC",)),
)
STATES = ("NY", "CT", "CA", "HI", "PA", "TX", "FL", "OH", "IA", "SC")


def table_bytes(name: str, rows: Iterable[Sequence[str]]) -> bytes:
    """One table as CMS writes it: a header, CRLF, quoted where needed, Windows-1252."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS[name])
    writer.writerows(rows)
    return out.getvalue().encode("cp1252", errors="replace")


def write_download(directory: Path, tables: dict[str, bytes], *, nested: bool = True,
                   name: str = "current_article.zip") -> Path:
    """``tables`` zipped as CMS ships them (a zip holding ``current_article_csv.zip``)."""
    directory.mkdir(parents=True, exist_ok=True)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        for member, data in tables.items():
            info = zipfile.ZipInfo(member, date_time=(2026, 11, 20, 6, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    path = directory / name
    if not nested:
        path.write_bytes(inner.getvalue())
        return path
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as outer:
        outer.writestr("current_article_csv.zip", inner.getvalue())
        outer.writestr("Read_Me.txt", "Medicare Coverage Database downloads.\r\n")
    return path


def base_tables() -> dict[str, list[list[str]]]:
    """Contractors and states every download has."""
    states = [[str(i + 1), s, s] for i, s in enumerate(STATES)]
    contractors = [[cid, "1", "1", name, number, "Active"] for cid, number, name, _ in MACS]
    jurisdiction = [[cid, "1", "1", str(STATES.index(st) + 1), STAMP, ""]
                    for cid, _, _, sts in MACS for st in sts]
    return {"state_lookup.csv": states, "contractor.csv": contractors,
            "contractor_jurisdiction.csv": jurisdiction}


def article_row(number: str, title: str, version: str = "3") -> list[str]:
    return [number, version, "1", title, "<p>Article text &amp; coding guidance.</p>", STAMP,
            "2026-10-01 00:00:00", "", "A", STAMP]


def small_tables() -> dict[str, list[list[str]]]:
    """Two PT articles (NGS 13202 and Noridian 01112) and one that lists no PT code."""
    tables = base_tables()
    tables["article.csv"] = [
        article_row("57703", "Billing and Coding: Outpatient Physical and Occupational "
                    "Therapy Services \u2013 NGS"),
        article_row("57703", "Billing and Coding: older version", version="2"),
        article_row("53049", "Billing and Coding: Outpatient PT (Noridian)", version="5"),
        article_row("52000", "Billing and Coding: Cardiac imaging"),
    ]
    tables["article_x_contractor.csv"] = [
        ["57703", "3", "1", "351", "1", "1", STAMP], ["57703", "3", "1", "352", "1", "1", STAMP],
        ["53049", "5", "1", "400", "1", "1", STAMP], ["52000", "3", "1", "500", "1", "1", STAMP],
    ]
    desc = "AMA descriptor text that must never be stored"
    tables["article_x_hcpc_code.csv"] = [
        ["57703", "3", "97110", "1", "1", "", desc, desc, STAMP],
        ["57703", "3", "97140", "1", "1", "", desc, desc, STAMP],
        ["57703", "2", "97530", "1", "1", "", desc, desc, STAMP],  # an older version
        ["53049", "5", "97110", "1", "1", "", desc, desc, STAMP],
        ["52000", "3", "93306", "1", "1", "", desc, desc, STAMP],
    ]
    tables["article_x_icd10_covered_group.csv"] = [
        ["57703", "3", "1", "<p><strong>Group 1 Paragraph:</strong> The diagnoses below "
         "support medical necessity for the CPT codes in Group 1 \u2013 therapy.</p>", STAMP],
        ["53049", "5", "1", "<p>Noridian group 1</p>", STAMP],
    ]
    tables["article_x_icd10_covered.csv"] = [
        ["57703", "3", "M54.50", "1", "1", "", "Low back pain", "", "1", STAMP],
        ["57703", "3", "M25.561-M25.562", "1", "1", "Y", "Pain in knee", "", "2", STAMP],
        ["57703", "3", "M17.11", "1", "1", "", "Primary osteoarthritis", "", "3", STAMP],
        ["53049", "5", "M17.11", "1", "1", "", "Primary osteoarthritis", "", "1", STAMP],
        ["52000", "3", "I10", "1", "1", "", "Hypertension", "", "1", STAMP],
    ]
    tables["article_x_icd10_noncovered_group.csv"] = [
        ["57703", "3", "1", "<p>ICD-10 codes that DO NOT support medical necessity</p>", STAMP],
    ]
    tables["article_x_icd10_noncovered.csv"] = [
        ["57703", "3", "Z00.00", "1", "1", "", "General exam", STAMP],
    ]
    return tables


def encode(tables: dict[str, list[list[str]]]) -> dict[str, bytes]:
    return {name: table_bytes(name, rows) for name, rows in tables.items()}


# ----------------------------------------------------------------------------- full size


def synthetic_mcd_download(directory: Path, codes: Sequence[str], diagnoses: Sequence[str],
                           *, articles: int = 2000, covered_rows: int = 3_000_000,
                           hcpc_rows: int = 300_000, seed: int = 23) -> Path:
    """A download the size of CMS's (~2,000 current articles, ~3 M covered-diagnosis rows,
    ~300 k code rows, ~60 MB of article HTML), of which ~40 articles list PT codes.

    ``codes``: the catalog's procedure codes (some PT articles use them); ``diagnoses``:
    ICD-10-CM codes with their dots."""
    rng = random.Random(seed)
    pt_codes = [c for c in codes if c[:1].isdigit() and len(c) == 5] or ["97110"]
    other = [f"{n:05d}" for n in range(10000, 99999, 7)]
    words = ("coverage", "guidance", "&amp;", "documentation", "therapy", "plan", "care",
             "skilled", "maintenance", "functional", "goals", "progress", "report", "LCD",
             "L33631", "medically", "necessary", "<br/>", "<li>", "</li>", "modifier", "KX")
    numbers = [str(50000 + i) for i in range(articles)]
    pt_articles = set(numbers[:: max(1, articles // 40)])
    tables = {k: table_bytes(k, v) for k, v in base_tables().items()}
    tables["article.csv"] = table_bytes("article.csv", (
        [n, "4", "1", f"Billing and Coding: Article {n} \u2013 synthetic",
         "<p>" + " ".join(rng.choice(words) + str(rng.randrange(100)) for _ in range(3000))
         + "</p>", STAMP, "2026-10-01 00:00:00", "", "A", STAMP] for n in numbers))
    tables["article_x_contractor.csv"] = table_bytes("article_x_contractor.csv", (
        [n, "4", "1", MACS[i % len(MACS)][0], "1", "1", STAMP]
        for i, n in enumerate(numbers)))
    per = max(1, hcpc_rows // articles)
    tables["article_x_hcpc_code.csv"] = table_bytes("article_x_hcpc_code.csv", (
        [n, "4", (rng.choice(pt_codes) if n in pt_articles else rng.choice(other)), "1",
         str(1 + k % 3), "", "long AMA descriptor", "short", STAMP]
        for n in numbers for k in range(per)))
    rows_per = max(1, covered_rows // articles)
    tables["article_x_icd10_covered.csv"] = table_bytes("article_x_icd10_covered.csv", (
        [n, "4", diagnoses[(hash(n) + k * 7) % len(diagnoses)].replace(".", ""), "1",
         str(1 + k % 3), "", "a diagnosis", "", str(k), STAMP]
        for n in numbers for k in range(rows_per)))
    tables["article_x_icd10_covered_group.csv"] = table_bytes(
        "article_x_icd10_covered_group.csv",
        ([n, "4", str(g), f"<p>Group {g} paragraph \u2013 see the LCD.</p>", STAMP]
         for n in numbers for g in (1, 2, 3)))
    tables["article_x_icd10_noncovered.csv"] = table_bytes("article_x_icd10_noncovered.csv", (
        [n, "4", diagnoses[(k * 13) % len(diagnoses)].replace(".", ""), "1", "1", "", "x",
         STAMP] for n in numbers[:2000] for k in range(25)))
    tables["article_x_icd10_noncovered_group.csv"] = table_bytes(
        "article_x_icd10_noncovered_group.csv",
        ([n, "4", "1", "<p>Codes that do not support medical necessity</p>", STAMP]
         for n in numbers))
    return write_download(directory, tables)
