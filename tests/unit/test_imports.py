"""The import pipeline with files in CMS's real layouts: NCCI PTP parts, MUE, telehealth list,
clinic codes and descriptors; bad input; the catalog and the CLI seeing the imports."""

from __future__ import annotations

import json
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.cli import main as cli
from ptcodes_gui.domain.models import Mue
from ptcodes_gui.releases import (
    ImportCancelled,
    ImportContext,
    ImportFileError,
    ImportPreview,
    apply_import,
    preview_import,
    preview_text,
    remove_import,
)
from ptcodes_gui.session import Session, open_session

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import cms_files as cf

TODAY = date(2026, 12, 1)



def preview(session: Session, paths: list[Path], source: str | None = "ncci",
            **kwargs: object) -> ImportPreview:
    context = ImportContext.from_store(session.imports, session.catalog.all_codes(), TODAY)
    return preview_import(paths, context, source=source, **kwargs)  # type: ignore[arg-type]


def run(session: Session, paths: list[Path], source: str | None = "ncci") -> ImportPreview:
    p = preview(session, paths, source)
    apply_import(p, session.imports)
    return p


def pairs(session: Session, code: str) -> set[tuple[str, str, int]]:
    found = session.catalog.get(code)
    assert found is not None
    return {(p.column1, p.column2, p.indicator) for p in found.ncci if "v323" in p.source}


PART1 = [cf.ncci_row("20560", "97140", "20200101", "*", "1"),
         cf.ncci_row("20560", "29999", "20200101")]  # 29999: not a catalog code
PART4 = [cf.ncci_row("97530", "97116", "20200101", "*", "0"),
         cf.ncci_row("97530", "97750", "20200101", "20240101", "1"),  # deleted
         cf.ncci_row("97530", "97112", "20270101", "*", "0")]  # takes effect next year


# --------------------------------------------------------------------------- NCCI


def test_two_parts_in_one_call_add_up(session: Session, tmp_path: Path) -> None:
    p1 = cf.write_ncci_part(tmp_path, PART1, part=1)
    p4 = cf.write_ncci_part(tmp_path, PART4, part=4)
    p = run(session, [p1, p4])
    assert p.parts == ("f1", "f4") and p.rejected_total == 0
    assert p.skipped == {"codes not in this catalog": 1}
    assert ("20560", "97140", 1) in pairs(session, "20560")
    assert ("97530", "97116", 0) in pairs(session, "97530")
    (rel,) = session.imports.releases()
    assert (rel.version, rel.parts, rel.effective) == ("v323r0", ("f1", "f4"), "2026-10-01")
    assert rel.files == ("ccipra-v323r0-f1.TXT", "ccipra-v323r0-f4.TXT")


def test_part_four_after_part_one_keeps_part_one(session: Session, tmp_path: Path) -> None:
    run(session, [cf.write_ncci_part(tmp_path, PART1, part=1)])
    p = run(session, [cf.write_ncci_part(tmp_path, PART4, part=4)])
    assert p.parts_only == ("f4",)
    text = preview_text(p)
    assert "Adds part(s) f4 to v323r0 (already imported: f1)" in text
    assert "Part(s) f2, f3 of v323r0 are not imported yet" in text
    assert ("20560", "97140", 1) in pairs(session, "97140")  # the pair that used to vanish
    assert session.imports.release("ncci").parts == ("f1", "f4")  # type: ignore[union-attr]


def test_preamble_is_recognised_not_rejected(session: Session, tmp_path: Path) -> None:
    p = preview(session, [cf.write_ncci_part(tmp_path, PART1, part=1)])
    assert p.rejected == () and p.files[0].rows == 2
    p.discard()


def test_newer_version_replaces_the_release_whole(session: Session, tmp_path: Path) -> None:
    run(session, [cf.write_ncci_part(tmp_path, PART1, part=1)])
    newer = [cf.ncci_row("97530", "97116", "20200101", "*", "1")]
    p = run(session, [cf.write_ncci_part(tmp_path / "new", newer, version="v331r0", part=4,
                                         quarter="2027q2")])
    assert "Replaces CMS NCCI PTP practitioner v323r0 (2026 Q4)" in preview_text(p)
    got = session.catalog.get("20560")
    assert got is not None and not any("v323" in x.source for x in got.ncci)
    (rel,) = session.imports.releases()
    assert (rel.version, rel.label) == ("v331r0", "CMS NCCI PTP practitioner v331r0 (2027 Q2)")


def test_older_version_is_refused(session: Session, tmp_path: Path) -> None:
    run(session, [cf.write_ncci_part(tmp_path, PART1, part=1)])
    old = cf.write_ncci_part(tmp_path / "old", PART1, version="v322r0", part=1)
    with pytest.raises(ImportFileError, match="older than CMS NCCI PTP practitioner v323r0"):
        preview(session, [old])


def test_zipped_part_as_downloaded(session: Session, tmp_path: Path) -> None:
    path = cf.write_ncci_part(tmp_path, PART4, part=4, zipped=True)
    assert path.name == "medicare-ncci-2026q4-practitioner-ptp-edits-ccipra-v323r0-f4.zip"
    p = run(session, [path])
    assert p.files[0].container == path.name
    assert ("97530", "97116", 0) in pairs(session, "97116")


def test_xlsx_part(session: Session, tmp_path: Path) -> None:
    rows: list[list[object]] = [[c for c in line.split("\t")] for line in cf.NCCI_PREAMBLE]
    # a workbook stores dates and codes as numbers when they look like numbers
    rows += [["97530", 97116, "", 20200101, "*", 0, "Mutually exclusive procedures"],
             ["97530", "97140", "", 20200101, "*", 1, "Misuse of Column Two code"]]
    path = cf.write_xlsx(tmp_path / "ccipra-v323r0-f4.xlsx", rows)
    p = run(session, [path])
    assert p.rejected == ()
    assert {("97530", "97116", 0), ("97530", "97140", 1)} <= pairs(session, "97530")


def test_deleted_and_future_rows_follow_the_date_of_service(
        session: Session, tmp_path: Path) -> None:
    run(session, [cf.write_ncci_part(tmp_path, PART4, part=4)])
    shown = pairs(session, "97530")
    assert ("97530", "97750", 1) not in shown  # deleted 2024: not shown today
    assert ("97530", "97112", 0) in shown  # future-dated: shown, with its date
    future = next(p for p in session.catalog.get("97530").ncci if p.column2 == "97112")  # type: ignore[union-attr]
    assert future.effective == "2027-01-01"
    # the rules get every row and choose by the visit's date
    rows = session.catalog.ncci_pairs(["97530", "97750", "97112"])
    assert {(p.column2, p.deleted) for p in rows if "v323" in p.source} == {
        ("97750", "2024-01-01"), ("97112", None)}


def test_duplicate_keys_keep_the_row_in_force_longer(session: Session, tmp_path: Path) -> None:
    rows = [cf.ncci_row("97530", "97116", "19960101", "19960101", "9"),
            cf.ncci_row("97530", "97116", "19960101", "*", "0", existed="*")]
    p = run(session, [cf.write_ncci_part(tmp_path, rows, part=4)])
    assert p.rejected == () and p.accepted == 1
    (pair,) = [x for x in session.catalog.get("97530").ncci  # type: ignore[union-attr]
               if x.column2 == "97116" and "v323" in x.source]
    assert (pair.indicator, pair.deleted) == (0, None)


def test_pair_source_names_release_and_quarter(session: Session, tmp_path: Path) -> None:
    run(session, [cf.write_ncci_part(tmp_path, PART4, part=4)])
    pair = next(p for p in session.catalog.get("97530").ncci if p.column2 == "97116")  # type: ignore[union-attr]
    assert pair.source == "CMS NCCI PTP practitioner v323r0 (2026 Q4)"


def test_imported_part_replaces_shipped_pairs_in_its_range(
        session: Session, tmp_path: Path) -> None:
    shipped = [p for p in session.catalog.ncci_pairs(["97140", "97530"])]
    assert shipped, "the catalog ships the 97140/97530 pair"
    rows = [cf.ncci_row("97140", "97110", "20200101", "*", "1"),
            cf.ncci_row("97750", "97110", "20200101", "*", "1")]
    run(session, [cf.write_ncci_part(tmp_path, rows, part=4)])
    after = session.catalog.ncci_pairs(["97140", "97530"])
    assert all("v323" in p.source for p in after)  # 97140 lies in part 4's range
    remove_import("ncci", session.imports)
    assert session.catalog.ncci_pairs(["97140", "97530"]) == shipped


# --------------------------------------------------------------------------- bad input


def test_part_of_another_version_in_one_call(session: Session, tmp_path: Path) -> None:
    a = cf.write_ncci_part(tmp_path, PART1, part=1)
    b = cf.write_ncci_part(tmp_path, PART4, version="v322r0", part=4)
    with pytest.raises(ImportFileError, match=r"ccipra-v322r0-f4.TXT is part of NCCI release "
                       r"v322r0, not v323r0"):
        preview(session, [a, b])
    assert session.imports.releases() == []


def test_empty_part(session: Session, tmp_path: Path) -> None:
    path = cf.write_ncci_part(tmp_path, [], part=2)
    with pytest.raises(ImportFileError, match=r"ccipra-v323r0-f2.TXT has no data rows"):
        preview(session, [path])


def test_truncated_zip(session: Session, tmp_path: Path) -> None:
    path = cf.write_ncci_part(tmp_path, PART4 * 50, part=4, zipped=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFileError, match=r"\.zip is not a complete zip file"):
        preview(session, [path])
    assert session.imports.releases() == []
    assert not list((tmp_path / "data").glob(".imports-staging-*"))


def test_file_that_is_not_what_its_name_says(session: Session, tmp_path: Path) -> None:
    fake = tmp_path / "ccipra-v323r0-f1.xlsx"
    fake.write_bytes(cf.ncci_text(PART1).encode())
    with pytest.raises(ImportFileError, match=r"ccipra-v323r0-f1\.xlsx is not an Excel workbook"):
        preview(session, [fake])
    fake_zip = tmp_path / "part.zip"
    fake_zip.write_text("not a zip")
    with pytest.raises(ImportFileError, match=r"part\.zip is not a zip file"):
        preview(session, [fake_zip])
    renamed = tmp_path / "ccipra-v323r0-f4.TXT"
    renamed.write_bytes(cf.write_ncci_part(tmp_path / "z", PART4, part=4, zipped=True)
                        .read_bytes())
    with pytest.raises(ImportFileError, match=r"ccipra-v323r0-f4\.TXT is not a text file"):
        preview(session, [renamed])


def test_wrong_kind_of_file_for_the_import(session: Session, tmp_path: Path) -> None:
    mue = tmp_path / cf.mue_name()
    mue.write_bytes(cf.mue_csv([("97110", 6, 2, "Clinical")]))
    with pytest.raises(ImportFileError, match=r"MCR_MUE_.*csv is a CMS MUE table.*, not CMS "
                       "NCCI PTP"):
        preview(session, [mue], "ncci")
    hospital = tmp_path / "ccioph-v323r0-f1.TXT"
    hospital.write_bytes(cf.ncci_text(PART1).encode())
    with pytest.raises(ImportFileError, match="hospital outpatient"):
        preview(session, [hospital])


def test_zip_bomb_is_refused_before_unpacking(session: Session, tmp_path: Path) -> None:
    path = tmp_path / cf.ncci_zip_name()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(cf.ncci_name(), b"\0" * (20 * 1024 * 1024))
    with pytest.raises(ImportFileError, match="would unpack to 20 MB"):
        preview(session, [path])


def test_bad_rows_are_listed_with_file_and_line(session: Session, tmp_path: Path) -> None:
    rows = [cf.ncci_row("97530", "97116", "2020-13-45"), cf.ncci_row("97530", "97110",
                                                                     indicator="7")]
    p = preview(session, [cf.write_ncci_part(tmp_path, rows, part=4)])
    assert [(r.file, r.line) for r in p.rejected] == [
        ("ccipra-v323r0-f4.TXT", 7), ("ccipra-v323r0-f4.TXT", 8)]
    assert "modifier indicator must be 0, 1 or 9" in p.rejected[1].reason
    p.discard()


def test_cancel_changes_nothing(session: Session, tmp_path: Path) -> None:
    path = cf.write_ncci_part(tmp_path, PART4, part=4)
    with pytest.raises(ImportCancelled):
        preview(session, [path], cancelled=lambda: True)
    assert session.imports.releases() == []
    assert not list((tmp_path / "data").glob(".imports-staging-*"))


# --------------------------------------------------------------------------- MUE, telehealth


def test_mue_csv_as_shipped(session: Session, tmp_path: Path) -> None:
    path = tmp_path / cf.mue_name("01-01-2027")
    path.write_bytes(cf.mue_csv([("97110", 6, 2, "Clinical: Data"),
                                 ("97530", 4, 3, "Clinical: Data"),
                                 ("0001U", 1, 2, "Code Descriptor / CPT Instruction")]))
    assert b"\xae" in path.read_bytes()  # Latin-1 notice
    p = run(session, [path], "mue")
    assert p.accepted == 2 and p.skipped == {"codes not in this catalog": 1}
    assert session.catalog.mue("97110") == Mue(
        "97110", 6, 2, "Clinical: Data", "CMS MUE practitioner 2027-01-01", "2027-01-01")
    assert session.catalog.mue("97140") is None


def test_mue_xlsx_in_its_zip(session: Session, tmp_path: Path) -> None:
    xlsx = cf.write_xlsx(tmp_path / "MCR_MUE_PractitionerServices_Eff_04-01-2027.xlsx", [
        [cf.MUE_NOTICE, "", "", ""], list(cf.MUE_HEADER),
        [97110, 6, "2 Date of Service Edit: Policy", "Policy"]])
    archive = tmp_path / "MCR_MUE_PractitionerServices_Eff_04-01-2027.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(xlsx, xlsx.name)
        z.writestr("README.pdf", b"%PDF-1.4")
    run(session, [archive], "mue")
    mue = session.catalog.mue("97110")
    assert mue is not None and (mue.value, mue.adjudication_indicator) == (6, 2)


def test_telehealth_list_keeps_codes_and_flags_never_descriptors(
        session: Session, tmp_path: Path) -> None:
    path = tmp_path / "CY2026_Telehealth_List.txt"
    path.write_bytes(cf.telehealth_text([
        ("97110", "THERAPEUTIC EXERCISES", "Provisional", "No"),
        ("97530", "THERAPEUTIC ACTIVITIES", "Provisional", "Yes"),
        ("97116", "GAIT TRAINING THERAPY", "Removed", ""),
        ("90785", "PSYTX COMPLEX INTERACTIVE", "Permanent", "Yes")]))
    run(session, [path], "telehealth")
    listed = session.catalog.telehealth_list()
    assert listed is not None
    assert listed.codes == {"97110", "97530"} and listed.audio_only == {"97530"}
    assert "CY2026" in listed.source
    raw = (tmp_path / "data" / "imports.sqlite").read_bytes()
    assert b"THERAPEUTIC" not in raw


# --------------------------------------------------------------------------- clinic lists


CLINIC = (
    "code,title,description,category,timed,unit_minutes,notes\r\n"
    "CASH1,Cash visit,Self-pay visit,other,no,,Flat fee\r\n"
    'DRYN,Dry needling,"Trigger point, 1-2 muscles",Therapeutic procedure,yes,15,\r\n'
    "97110,Clash,,other,no,,\r\n"
)


def test_clinic_codes_are_searched_and_shown(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "clinic.csv"
    path.write_text(CLINIC)
    p = run(session, [path], "codes")
    assert p.accepted == 2
    assert "already in the built-in catalog" in p.rejected[0].reason
    assert "DRYN" in [h.code for h in session.catalog.search("dry needl")]
    assert session.catalog.search("cash vis")[0].code == "CASH1"
    assert session.catalog.search("CASH1")[0].code == "CASH1"
    code = session.catalog.get("dryn")
    assert code is not None and (code.system, code.timed, code.unit_minutes) == ("clinic", True,
                                                                                   15)


def test_descriptors_through_the_same_pipeline(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "desc.csv"
    path.write_text("code,descriptor\n97110,Licensed words\n97110,Twice\nZZZ99,Nope\n")
    p = preview(session, [path], "descriptors")
    assert p.accepted == 0 and p.rejected_total == 3 and not p.can_apply
    with pytest.raises(ImportFileError, match="no row can be imported"):
        apply_import(p, session.imports)
    path.write_text("code,descriptor,source\n97110,Licensed words,CPT 2027\n")
    run(session, [path], "descriptors")
    assert session.catalog.descriptor("97110") == ("Licensed words", "CPT 2027")


def test_old_user_sqlite_overlays_are_moved(tmp_path: Path, catalog: Catalog) -> None:
    from ptcodes_gui.userdata.store import ClinicCode, NcciRow, UserStore

    data = tmp_path / "old"
    store, _ = UserStore.open(data)
    store.replace_overlay("codes", [ClinicCode("OLD1", "Old clinic code")], file_name="c.csv",
                          source="c.csv")
    store.replace_overlay("ncci", [NcciRow("97530", "97116", 0, "2020-01-01", None)],
                          file_name="ncci.txt", source="ncci.txt")
    store.close()
    s = open_session(data, catalog=catalog)
    try:
        assert {r.source for r in s.imports.releases()} == {"codes", "ncci"}
        assert s.catalog.get("OLD1") is not None
        assert [p.column2 for p in s.catalog.ncci_pairs(["97530", "97116", "97140"])
                if p.column1 == "97530"] == ["97116"]
    finally:
        s.close()


# --------------------------------------------------------------------------- CLI


def test_cli_import_show_and_info(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "cli"
    part = cf.write_ncci_part(tmp_path, PART4, part=4, zipped=True)
    assert cli.main(["--data-dir", str(data), "import", "ncci", str(part)]) == 0
    assert "Preview only" in capsys.readouterr().out
    assert cli.main(["--data-dir", str(data), "import", "ncci", str(part), "--apply"]) == 0
    mue = tmp_path / cf.mue_name()
    mue.write_bytes(cf.mue_csv([("97530", 4, 3, "Clinical: Data")]))
    assert cli.main(["--data-dir", str(data), "import", "mue", str(mue), "--apply"]) == 0
    capsys.readouterr()
    assert cli.main(["--data-dir", str(data), "show", "97530", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    release = "CMS NCCI PTP practitioner v323r0 (2026 Q4)"
    (pair,) = [p for p in shown["ncci"] if p["source"]["label"] == release
               and p["column2"] == "97116"]
    assert {"column1": "97530", "column2": "97116", "indicator": 0, "effective": "2020-01-01",
            "deleted": None}.items() <= pair.items()
    assert shown["mue"] == {"value": 4, "adjudication_indicator": 3,
                            "rationale": "Clinical: Data",
                            "source": {"id": "", "label": "CMS MUE practitioner 2027-01-01",
                                       "citation": "CMS MUE practitioner 2027-01-01"}}
    assert cli.main(["--data-dir", str(data), "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    by_source = {s["source"]: s for s in info["active_sources"] if s["kind"] == "imported"}
    assert by_source["ncci"]["version"] == "v323r0"
    assert by_source["mue"]["effective"] == "2027-01-01"
    assert cli.main(["--data-dir", str(data), "import", "--remove", "mue"]) == 0
    capsys.readouterr()
    assert cli.main(["--data-dir", str(data), "show", "97530", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["mue"] is None


def test_cli_bad_file_one_line_and_nothing_changed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "cli"
    empty = cf.write_ncci_part(tmp_path, [], part=3)
    assert cli.main(["--data-dir", str(data), "import", "ncci", str(empty), "--apply"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("Nothing was imported: ccipra-v323r0-f3.TXT has no data rows")
    assert cli.main(["--data-dir", str(data), "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert not [s for s in info["active_sources"] if s["kind"] == "imported"]


def test_cli_visit_warns_above_the_imported_mue(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "cli"
    mue = tmp_path / cf.mue_name()
    mue.write_bytes(cf.mue_csv([("97530", 2, 3, "Clinical: Data")]))
    assert cli.main(["--data-dir", str(data), "import", "mue", str(mue), "--apply"]) == 0
    capsys.readouterr()
    # dated on or after the table's effective date (2027-01-01): before it, it is not in force
    cli.main(["--data-dir", str(data), "visit", "97530=53", "--dx", "M54.50",
              "--date", "2027-01-04"])
    out = capsys.readouterr()
    assert "97530 GP x4" in out.out
    assert "97530 has 4 units on this day but its MUE allows 2 (MAI 3)" in out.err
    cli.main(["--data-dir", str(data), "visit", "97530=23", "--dx", "M54.50",
              "--date", "2027-01-04"])
    assert "mue-exceeded" not in capsys.readouterr().err


def test_cli_visit_sees_imported_pairs(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    data = tmp_path / "cli"
    part = cf.write_ncci_part(tmp_path, [cf.ncci_row("97530", "97116", "20200101", "*", "0")],
                              part=4)
    assert cli.main(["--data-dir", str(data), "import", "ncci", str(part), "--apply"]) == 0
    capsys.readouterr()
    cli.main(["--data-dir", str(data), "visit", "97530=30", "97116=30", "--dx", "M54.50"])
    err = capsys.readouterr().err
    assert "97530 and 97116 are never paid together" in err  # the imported indicator 0


def test_mue_zip_with_csv_and_xlsx_reads_one(session: Session, tmp_path: Path) -> None:
    name = "MCR_MUE_PractitionerServices_Eff_01-01-2027"
    csv = tmp_path / f"{name}.csv"
    csv.write_bytes(cf.mue_csv([("97110", 6, 2, "Policy")]))
    xlsx = cf.write_xlsx(tmp_path / f"{name}.xlsx", [
        [cf.MUE_NOTICE, "", "", ""], list(cf.MUE_HEADER), ["97110", 6, MAI2, "Policy"]])
    archive = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(csv, csv.name)
        z.write(xlsx, xlsx.name)
    p = run(session, [archive], "mue")
    assert [f.name for f in p.files] == [csv.name]
    assert p.ignored and xlsx.name in p.ignored[0]


MAI2 = cf.MAI_TEXT[2]


def test_a_published_copy_serves_the_same_data_read_only(
        session: Session, tmp_path: Path, catalog: Catalog) -> None:
    from ptcodes_gui.releases import ImportOverlay, ImportStore

    run(session, [cf.write_ncci_part(tmp_path, PART4, part=4)])
    published = tmp_path / "share" / "imports.sqlite"
    published.parent.mkdir()
    session.imports.copy_to(published)
    copy = ImportStore.open_path(published, read_only="clinic folder")
    overlay = ImportOverlay(copy)
    try:
        assert copy.read_only and copy.release("ncci") is not None
        assert {p.column2 for p in overlay.ncci_pairs_for("97530")} == {"97116", "97750",
                                                                        "97112"}
    finally:
        overlay.close()
        copy.close()


def test_imported_telehealth_list_replaces_the_shipped_one_in_visits(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "cli"
    visit = ["--data-dir", str(data), "visit", "97530=30", "--dx", "M54.50", "--telehealth",
             "95"]
    cli.main(visit)
    assert "97530" not in capsys.readouterr().err  # on the shipped CY2026 list
    listed = tmp_path / "CY2027_Telehealth_List.txt"
    listed.write_bytes(cf.telehealth_text([("97110", "REDACTED", "Permanent", "No")], 2027))
    assert cli.main(["--data-dir", str(data), "import", "telehealth", str(listed),
                     "--apply"]) == 0
    capsys.readouterr()
    cli.main([*visit, "--date", "2027-01-04"])
    err = capsys.readouterr().err
    assert "97530 is not on the Medicare telehealth list" in err
    # the CY2027 list takes effect on 2027-01-01: a visit before it keeps the CY2026 one
    cli.main([*visit, "--date", "2026-12-06"])
    err = capsys.readouterr().err
    assert "97530 is not on the Medicare telehealth list" not in err
    assert "takes effect on 2027-01-01: it is not applied to a visit on 2026-12-06" in err


def test_limits_fit_a_full_release_and_refuse_absurd_input(tmp_path: Path) -> None:
    from ptcodes_gui.releases import ImportLimits, collect_files, reader

    limits = reader("ncci").limits
    # four parts of ~50 MB, ~190 MB and ~2.6 M rows in all, with room to grow
    assert limits.max_file_bytes >= 4 * 50 * 2**20 and limits.max_total_bytes >= 2 * 190 * 2**20
    assert limits.max_rows >= 2 * 2_600_000
    big = cf.write_ncci_part(tmp_path, PART4 * 100, part=4)
    with pytest.raises(ImportFileError, match=r"ccipra-v323r0-f4\.TXT is .*; files larger than"):
        collect_files([big], ImportLimits(max_file_bytes=4096))
    zipped = cf.write_ncci_part(tmp_path, PART4 * 100, part=4, zipped=True)
    with pytest.raises(ImportFileError, match="would unpack to"):
        collect_files([zipped], ImportLimits(max_file_bytes=4096))


def test_visit_date_decides_which_imported_rows_apply(session: Session, tmp_path: Path) -> None:
    from ptcodes_gui.domain.visit import Visit, VisitLine, evaluate

    rows = [cf.ncci_row("97530", "97750", "20200101", "20240101", "0"),  # deleted in 2024
            cf.ncci_row("97530", "97112", "20270101", "*", "0")]  # in force from 2027
    run(session, [cf.write_ncci_part(tmp_path, rows, part=4)])

    def pair_warnings(second: str, on: date) -> list[str]:
        visit = Visit(lines=(VisitLine("97530", 30, dx_pointers=("A",)),
                             VisitLine(second, 30, dx_pointers=("A",))), diagnoses=("M54.50",))
        result = evaluate(visit, session.catalog, on=on)
        return [w.code for w in result.warnings
                if w.code.startswith("ncci") and set(w.codes) >= {"97530", second}]

    assert pair_warnings("97750", date(2023, 6, 1))  # in force then
    assert not pair_warnings("97750", date(2026, 12, 1))  # deleted since
    assert not pair_warnings("97112", date(2026, 12, 1))  # not yet in force
    assert pair_warnings("97112", date(2027, 2, 1))
