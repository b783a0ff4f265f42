"""HCPCS Level II, the AMA's CPT data files and the fee schedule, in their real layouts.

The files are made by the small writers below (DATA-RELEASES.md); descriptor text that would
be AMA copyright is "REDACTED ..." placeholder text. The fee schedule's RVUs are invented
round numbers; the GPCI file is the real 2026 Addendum E (samples/GPCI2026.csv layout).
"""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ptcodes_gui.domain.fees import FeeLine, estimate_visit
from ptcodes_gui.releases import (
    ImportContext,
    ImportFileError,
    ImportPreview,
    apply_import,
    preview_import,
    preview_text,
)
from ptcodes_gui.session import Session

TODAY = date(2026, 12, 1)



def preview(session: Session, paths: list[Path], source: str) -> ImportPreview:
    context = ImportContext.from_store(session.imports, session.catalog.all_codes(), TODAY)
    return preview_import(paths, context, source=source)


def run(session: Session, paths: list[Path], source: str) -> ImportPreview:
    p = preview(session, paths, source)
    apply_import(p, session.imports)
    session.reload_imports()
    return p


# --------------------------------------------------------------------------- HCPCS writers

HCPCS_HEADER = [
    "HCPC",
    "SEQNUM",
    "RECID",
    "LONG DESCRIPTION",
    "SHORT DESCRIPTION",
    "PRICE1",
    "PRICE2",
    "PRICE3",
    "PRICE4",
    "MULT_PI",
    "CIM1",
    "CIM2",
    "CIM3",
    "MCM1",
    "MCM2",
    "MCM3",
    "STATUTE",
    "LABCERT1",
    "LABCERT2",
    "LABCERT3",
    "LABCERT4",
    "LABCERT5",
    "LABCERT6",
    "LABCERT7",
    "LABCERT8",
    "XREF1",
    "XREF2",
    "XREF3",
    "XREF4",
    "XREF5",
    "COV",
    "ASC_GRP",
    "ASC_DT",
    "OPPS",
    "OPPS_PI",
    "OPPS_DT",
    "PROCNOTE",
    "BETOS",
    "TOS1",
    "TOS2",
    "TOS3",
    "TOS4",
    "TOS5",
    "ANEST_BU",
    "ADD DT",
    "ACT EFF DT",
    "TERM DT",
    "ACTION CD",
]

#: (code, recid, long, short, add, eff, term, action)
HCPCS_RECORDS = [
    (
        "A0021",
        "3",
        "Ambulance service, outside state per mile, transport",
        "Outside state ambulance serv",
        "19900101",
        "20000101",
        "",
        "N",
    ),
    (
        "G0283",
        "3",
        "Electrical stimulation (unattended), to one or more areas for indication(s)",
        "Elec stim other than wound",
        "19970101",
        "20260101",
        "",
        "C",
    ),
    ("G0283", "4", "other than wound care, as part of a therapy plan of care", "", "", "", "", ""),
    (
        "G0281",
        "3",
        "Electrical stimulation, (unattended), to one or more areas, for chronic",
        "Elec stim unattend for press",
        "19970101",
        "20261001",
        "20261130",
        "D",
    ),
    ("G0281", "4", "stage iii and stage iv pressure ulcers", "", "", "", "", ""),
    (
        "   GP",
        "7",
        "Services delivered under an outpatient physical therapy plan of care",
        "Serv dlvd under PT poc",
        "19980101",
        "20000101",
        "",
        "N",
    ),
]


def hcpcs_csv(path: Path) -> Path:
    lines = [",".join(HCPCS_HEADER)]
    for code, recid, long, short, add, eff, term, action in HCPCS_RECORDS:
        cells = [""] * len(HCPCS_HEADER)
        cells[0], cells[1], cells[2], cells[3], cells[4] = code, "00100", recid, long, short
        cells[44], cells[45], cells[46], cells[47] = add, eff, term, action
        lines.append(",".join(f'"{c}"' if "," in c else c for c in cells))
    path.write_text("\r\n".join(lines) + "\r\n", encoding="latin-1")
    return path


def hcpcs_txt(path: Path) -> Path:
    out = []
    for code, recid, long, short, add, eff, term, action in HCPCS_RECORDS:
        rec = [" "] * 320

        def put(first: int, value: str, rec: list[str] = rec) -> None:
            for i, ch in enumerate(value):
                rec[first - 1 + i] = ch

        put(1, code.rjust(5) if code.strip() != code else code)
        put(6, "00100")
        put(11, recid)
        put(12, long[:80])
        put(92, short[:28])
        put(269, add)
        put(277, eff)
        put(285, term)
        put(293, action)
        out.append("".join(rec))
    path.write_text("\r\n".join(out) + "\r\n", encoding="latin-1")
    return path


def hcpcs_xlsx(path: Path) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("HCPC2026_OCT_ANWEB")
    sheet.write_row(0, 0, ["CMS HCPCS disclaimer: CPT codes are copyright AMA."])
    sheet.write_row(2, 0, HCPCS_HEADER)
    for r, (code, recid, long, short, add, eff, term, action) in enumerate(HCPCS_RECORDS, 3):
        cells: list[object] = [""] * len(HCPCS_HEADER)
        cells[0], cells[1], cells[2], cells[3], cells[4] = code, 100, int(recid), long, short
        cells[44] = int(add) if add else ""
        cells[45] = int(eff) if eff else ""
        cells[46] = int(term) if term else ""
        cells[47] = action
        sheet.write_row(r, 0, cells)
    book.close()
    return path


@pytest.mark.parametrize("writer", [hcpcs_csv, hcpcs_txt, hcpcs_xlsx])
def test_hcpcs_file_refreshes_titles_status_and_terminations(
    session: Session, tmp_path: Path, writer: object
) -> None:
    suffix = {hcpcs_csv: ".csv", hcpcs_txt: ".txt", hcpcs_xlsx: ".xlsx"}[writer]  # type: ignore[index]
    path = writer(tmp_path / f"HCPC2026_OCT_ANWEB{suffix}")  # type: ignore[operator]
    p = run(session, [path], "hcpcs")
    assert p.release.label == "CMS HCPCS Level II October 2026"
    text = preview_text(p)
    assert "codes not in this catalog" in text  # A0021 is not a PT code
    stim = session.catalog.get("G0283")
    assert stim is not None and not stim.is_deleted
    official = session.catalog.descriptor("G0283")
    assert official is not None
    assert official[0] == (
        "Electrical stimulation (unattended), to one or more areas for indication(s) other "
        "than wound care, as part of a therapy plan of care"
    )
    assert "CMS HCPCS Level II October 2026" in official[1]
    gone = session.catalog.get("G0281")
    assert gone is not None and gone.is_deleted
    assert any("2026-11-30" in n.text for n in gone.notes)
    gp = session.catalog.descriptor("GP")
    assert gp is not None and gp[0].startswith("Services delivered under an outpatient")


def test_an_hcpcs_continuation_without_its_first_line_names_the_line(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "HCPC2026_OCT_ANWEB.csv"
    hcpcs_csv(path)
    lines = path.read_text(encoding="latin-1").splitlines()
    del lines[2]  # G0283's first line: its RECID 4 line is now an orphan
    path.write_text("\r\n".join(lines) + "\r\n", encoding="latin-1")
    with pytest.raises(ImportFileError, match=r"HCPC2026_OCT_ANWEB\.csv: line 3: a continuation"):
        preview(session, [path], "hcpcs")


# --------------------------------------------------------------------------- CPT writers

NOTICE = (
    "CPT 2026 data files. Current Procedural Terminology (CPT) is copyright 2025 American "
    "Medical Association. All rights reserved.\r\n"
    "To purchase additional CPT products, contact the American Medical Association \u2013 "
    "customer service.\r\n\r\n"
)


def cpt_file(path: Path, body: list[str]) -> Path:
    path.write_bytes((NOTICE + "\r\n".join(body) + "\r\n").encode("cp1252"))
    return path


def test_cpt_data_files_with_their_notice(session: Session, tmp_path: Path) -> None:
    longult = cpt_file(
        tmp_path / "LONGULT.txt",
        [
            "97110\tREDACTED long descriptor of 97110 \u201ctherapeutic\u201d",
            "97140\tREDACTED long descriptor of 97140",
            "00100\tREDACTED anesthesia descriptor",  # outside the catalog
        ],
    )
    medu = cpt_file(tmp_path / "MEDU.txt", ["97110 REDACTED MEDIUM 97110".ljust(54)])
    clinician = cpt_file(
        tmp_path / "ClinicianDescriptor.txt",
        [
            "Concept Id\tCPT Code\tClinician Descriptor Id\tClinician Descriptor",
            "1000001\t97110\t2000001\tREDACTED clinician descriptor one",
            "1000001\t97110\t2000002\tREDACTED clinician descriptor two",
            "1000002\t99213\t2000003\tREDACTED outside",
        ],
    )
    p = run(session, [longult, medu, clinician], "cpt-descriptors")
    assert p.release.label == "AMA CPT 2026 data files"
    assert p.skipped.get("codes not in this catalog") == 2
    found = session.catalog.descriptor("97110")
    assert found is not None
    assert found[0] == "REDACTED long descriptor of 97110 \u201ctherapeutic\u201d"
    assert "AMA CPT 2026" in found[1]


def test_a_cpt_file_with_no_data_line_is_refused(session: Session, tmp_path: Path) -> None:
    empty = cpt_file(tmp_path / "SHORTU.txt", [])
    with pytest.raises(ImportFileError, match=r"SHORTU\.txt: no data line"):
        preview(session, [empty], "cpt-descriptors")


# --------------------------------------------------------------------------- fee schedule

RVU_HEAD = [
    ",,2026 National Physician Fee Schedule Relative Value File July Release,,,,",
    ",,CPT codes and descriptions only are copyright 2026 American Medical Association. All "
    "Rights Reserved.,,",
    ",,Dental codes (D codes) are copyright 2026 American Dental Association. All Rights "
    "Reserved.,,",
    ",,,,,,",
    ",,RELEASED 06/30/2026,,,",
    ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,NON-FACILITY,FACILITY,",
    ",,,,NOT USED,,,,,,,,,,,,,,,,,,,,,,PHYSICIAN,,DIAGNOSTIC,PE USED,PE USED,MP USED",
    ",,,,FOR,,,NON-FAC,,FACILITY,,,,,,,,,,,,,,,,,SUPERVISION OF,,IMAGING,FOR OPPS,FOR OPPS,"
    "FOR OPPS",
    ",,,STATUS,MEDICARE,WORK,NON-FAC,NA,FACILITY,NA,MP,NON-FACILITY,FACILITY,PCTC,GLOB,PRE,"
    "INTRA,POST,MULT,BILAT,ASST,CO-,TEAM,PRIC,ENDO,CONV,DIAGNOSTIC,CALCULATION,FAMILY,"
    "PAYMENT,PAYMENT,PAYMENT",
    "HCPCS,MOD,DESCRIPTION,CODE,PAYMENT,RVU,PE RVU,INDICATOR,PE RVU,INDICATOR,RVU,TOTAL,"
    "TOTAL,IND,DAYS,OP,OP,OP,PROC,SURG,SURG,SURG,SURG,IND,BASE,FACTOR,PROCEDURES,FLAG,"
    "INDICATOR,AMOUNT,AMOUNT,AMOUNT",
]


def rvu_row(
    code: str, status: str, work: str, pe: str, mp: str, mult: str = "5", mod: str = ""
) -> str:
    cells = [
        code,
        mod,
        "REDACTED",
        status,
        "",
        work,
        pe,
        "",
        "0.18",
        "",
        mp,
        "0.87",
        "0.65",
        "0",
        "XXX",
        "0.00",
        "0.00",
        "0.00",
        mult,
        "0",
        "0",
        "0",
        "0",
        "0",
        "",
        "33.4009",
        "00",
        "0",
        "99",
        "0.00",
        "0.00",
        "0.00",
    ]
    return ",".join(cells)


def gpci_text() -> str:
    return (
        "ADDENDUM E. FINAL CY 2026 GEOGRAPHIC PRACTICE COST INDICES (GPCIs) BY STATE AND "
        "MEDICARE LOCALITY,,,,,,\n,,,,,,\n"
        "Medicare Administrative Contractor (MAC),State,Locality Number,Locality Name,"
        "2026 PW GPCI (with 1.0 Floor)***,2026 PE GPCI,2026 MP GPCI\n"
        "10112,AL,00,ALABAMA,1.000,0.875,0.566\n"
        "02102,AK,01,ALASKA*,1.500,1.065,0.551\n"
        "13202,NY,01,MANHATTAN,1.064,1.162,1.586\n"
        '"MAC Assignments as of November 22, 2023",,,,,,\n'
        "*Work GPCI reflects a 1.5 floor in Alaska established by the MIPPA.,,,,,,\n"
    )


def rvu_zip(path: Path, rows: list[str]) -> Path:
    body = "\r\n".join(RVU_HEAD + rows) + "\r\n"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("PPRRVU2026_Jul_nonQPP.csv", body)
        z.writestr("PPRRVU2026_Jul_QPP.csv", body.replace("33.4009", "33.5675"))
        z.writestr("GPCI2026.csv", gpci_text())
        z.writestr("RVU26C.pdf", b"%PDF-1.4 read me")
    return path


RVU_ROWS = [
    rvu_row("00100", "J", "0.00", "0.00", "0.00", mult="9"),
    rvu_row("97110", "A", "0.45", "0.40", "0.02"),
    rvu_row("97140", "A", "0.43", "0.34", "0.02"),
    rvu_row("97530", "A", "0.44", "0.61", "0.02"),
    rvu_row("97530", "A", "0.44", "0.61", "0.02", mod="26"),
    rvu_row("97010", "B", "0.06", "0.10", "0.01"),
]


def test_fee_schedule_zip_as_downloaded_gives_the_hand_worked_estimate(
    session: Session, tmp_path: Path
) -> None:
    p = run(session, [rvu_zip(tmp_path / "rvu26c-updated-07-2026.zip", RVU_ROWS)], "pfs")
    assert p.release.label.startswith("CMS PFS RVU 2026 July release (non-QP")
    assert p.skipped.get("component rows (MOD 26, TC, 53)") == 1
    assert p.skipped.get("codes not in this catalog") == 1  # 00100
    schedule = session.catalog.fee_schedule()
    assert schedule is not None and "13202-01" in schedule.localities
    assert schedule.localities["02102-01"].name == "ALASKA"
    assert schedule.rvus["97110"].conversion_factor == Decimal("33.4009")  # the non-QP file
    est = estimate_visit(
        [
            FeeLine("97110", 2, ("GP",)),
            FeeLine("97140", 1, ("GP",)),
            FeeLine("97530", 1, ("GP", "CQ")),
        ],
        schedule,
        "13202-01",
    )
    # worked by hand in tests/unit/test_fees.py: 49.62 + 22.94 + 34.31
    assert est.total == Decimal("106.87")


def test_the_description_column_is_never_kept(session: Session, tmp_path: Path) -> None:
    run(session, [rvu_zip(tmp_path / "rvu26c.zip", RVU_ROWS)], "pfs")
    store_file = session.data_dir / "imports.sqlite"
    assert b"REDACTED" not in store_file.read_bytes()


def test_a_pprrvu_file_without_its_captions_is_refused(session: Session, tmp_path: Path) -> None:
    bad = tmp_path / "PPRRVU2026_Jul_nonQPP.csv"
    bad.write_text("\r\n".join(RVU_HEAD[:5] + RVU_HEAD[9:] + RVU_ROWS) + "\r\n")
    with pytest.raises(ImportFileError, match=r"PPRRVU2026_Jul_nonQPP\.csv: the header on line"):
        preview(session, [bad], "pfs")


def test_a_bad_rvu_value_is_listed_with_its_line(session: Session, tmp_path: Path) -> None:
    rows = [*RVU_ROWS, rvu_row("97112", "A", "abc", "0.40", "0.02")]
    p = preview(session, [rvu_zip(tmp_path / "rvu26c.zip", rows)], "pfs")
    try:
        assert [(r.line, "work RVU" in r.reason) for r in p.rejected] == [(17, True)]
    finally:
        p.discard()


# --------------------------------------------------------------------------- the CLI


def _cli(capsys: pytest.CaptureFixture[str], data: Path, *argv: str) -> tuple[int, str, str]:
    from ptcodes_gui.cli import main as cli

    code = cli.main(["--data-dir", str(data), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_visit_shows_the_estimate_after_pfs_import_and_locality(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    data = tmp_path / "data"
    zipped = rvu_zip(tmp_path / "rvu26c.zip", RVU_ROWS)
    # no import yet: no amounts, never invented ones
    code, out, _ = _cli(capsys, data, "visit", "97110=23", "97140=15")
    assert code == 0 and "$" not in out and "Estimated" not in out
    code, out, err = _cli(
        capsys, data, "import", "pfs", str(zipped), "--apply", "--locality", "13202-01"
    )
    assert code == 0, err
    assert "Medicare locality of payer profile 'Medicare': 13202-01 NY Manhattan" in out
    # 38 minutes: 97110 x2, 97140 x1. PE per unit: 97110 0.4648 > 97140 0.39508, so the
    # first 97110 unit is paid in full: 32.58 + 24.81 (PE at 50%) = 57.39; 97140 at 50%
    # PE: 22.94. Total 80.33.
    code, out, err = _cli(capsys, data, "visit", "97110=23", "97140=15")
    assert code == 0
    assert out.splitlines()[:4] == [
        "97110 GP x2 (23 min)", "97140 GP x1 (15 min)", "Timed: 38 min, 3 units",
        "Medicare estimate (non-facility, locality 13202-01, PFS 2026 Jul, MPPR applied): "
        "$80.33",
    ]
    assert "one unit of 97110 (the highest practice expense) is paid in full" in err
    code, out, _ = _cli(
        capsys, data, "visit", "97110=23", "97140=15", "--provider", "pta", "--format", "json"
    )
    estimate = json.loads(out)["estimate"]
    # CQ on both lines: 57.39 × 0.85 = 48.7815 → 48.78; 22.94 × 0.85 = 19.499 → 19.50
    assert [line["amount"] for line in estimate["lines"]] == ["48.78", "19.50"]
    assert estimate["total"] == "68.28" and estimate["estimate"] is True
    assert "CMS PFS RVU 2026 July release" in estimate["release"]
    _, out, _ = _cli(capsys, data, "visit", "97110=23", "97140=15", "--format", "tsv")
    assert "$" not in out and "estimate" not in out  # what an EHR grid accepts


def test_cli_locality_must_be_in_the_gpci_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    _cli(capsys, data, "import", "pfs", str(rvu_zip(tmp_path / "rvu26c.zip", RVU_ROWS)), "--apply")
    code, _, err = _cli(capsys, data, "import", "pfs", "--locality", "99999-01")
    assert code == 1 and "99999-01 is not in the imported GPCI list" in err


def test_cli_show_json_gives_the_official_descriptor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    data = tmp_path / "data"
    code, _, err = _cli(
        capsys,
        data,
        "import",
        "hcpcs",
        str(hcpcs_csv(tmp_path / "HCPC2026_OCT_ANWEB.csv")),
        "--apply",
    )
    assert code == 0, err
    code, out, _ = _cli(capsys, data, "show", "G0283", "--json")
    shown = json.loads(out)
    assert shown["official_descriptor"]["text"].startswith("Electrical stimulation (unattended)")
    assert "CMS HCPCS Level II October 2026" in shown["official_descriptor"]["source"]
    assert shown["title"] != shown["official_descriptor"]["text"]  # our words stay beside it
    code, out, _ = _cli(capsys, data, "info", "--json")
    sources = json.loads(out)["data_sources"]
    hcpcs = next(s for s in sources if s["key"] == "hcpcs")
    assert hcpcs["files"] == ["HCPC2026_OCT_ANWEB.csv"] and hcpcs["shipped"] is False


def test_fee_schedule_from_the_xlsx_and_the_gpci_file_picked_together(
    session: Session, tmp_path: Path
) -> None:
    import csv
    import io

    import xlsxwriter

    xlsx = tmp_path / "PPRRVU2026_Jul_nonQPP.xlsx"
    book = xlsxwriter.Workbook(str(xlsx))
    sheet = book.add_worksheet()
    for r, line in enumerate(RVU_HEAD + RVU_ROWS):
        cells: list[object] = next(csv.reader(io.StringIO(line)))
        if r >= len(RVU_HEAD):  # numbers as Excel stores them: 00100 becomes 100
            cells = [float(c) if c.replace(".", "", 1).isdigit() else c for c in cells]
        sheet.write_row(r, 0, cells)
    book.close()
    gpci = tmp_path / "GPCI2026.csv"
    gpci.write_text(gpci_text())
    p = run(session, [xlsx, gpci], "pfs")
    assert p.skipped.get("codes not in this catalog") == 1  # 00100, read back as a code
    schedule = session.catalog.fee_schedule()
    assert schedule is not None
    assert schedule.rvus["97530"].pe_nonfacility == Decimal("0.61")
    assert schedule.rvus["97110"].therapy_mppr


def test_a_fee_schedule_does_not_price_a_visit_dated_before_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The July 2026 RVU file takes effect 2026-07-01: a visit of June is not priced with it
    (nor MPPR-priced), and says the table is not applied; one of July is."""
    data = tmp_path / "data"
    zipped = rvu_zip(tmp_path / "rvu26c.zip", RVU_ROWS)
    code, _out, err = _cli(capsys, data, "import", "pfs", str(zipped), "--apply",
                           "--locality", "13202-01")
    assert code == 0, err
    _code, out, err = _cli(capsys, data, "visit", "97110=23", "97140=15", "--date",
                           "2026-06-15")
    assert "Medicare estimate" not in out and "one unit of 97110 (the highest" not in err
    assert "takes effect on 2026-07-01: it is not applied to a visit on 2026-06-15" in err
    _code, out, _err = _cli(capsys, data, "visit", "97110=23", "97140=15", "--date",
                            "2026-07-15")
    assert "Medicare estimate (non-facility, locality 13202-01, PFS 2026 Jul" in out
