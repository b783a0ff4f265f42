"""CSV imports (clinic codes, licensed descriptors, CMS NCCI PTP table) as overlays."""

from __future__ import annotations

import csv
import dataclasses
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptcodes_gui.domain.models import Code, NcciPair
from ptcodes_gui.userdata.imports import (
    ImportFileError,
    ImportLimits,
    ImportPreview,
    apply_import,
    export_csv_safe,
    parse_import,
    preview_import,
    remove_import,
)
from ptcodes_gui.userdata.store import (
    ClinicCode,
    Descriptor,
    NcciRow,
    UserDataError,
    UserDataReadOnly,
    UserStore,
    clean_text,
)

KNOWN = frozenset(
    {"97110", "97112", "97116", "97140", "97161", "97162", "97530", "97750", "97010", "G0283"}
)
TODAY = date(2025, 3, 10)


def _clock() -> datetime:
    return datetime(2025, 3, 10, 9, 30)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[UserStore]:
    opened, _ = UserStore.open(tmp_path / "data", clock=_clock)
    yield opened
    opened.close()


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def preview(kind: str, path: Path, store: UserStore, **kwargs: object) -> ImportPreview:
    return preview_import(kind, path, known_codes=KNOWN, store=store, **kwargs)  # type: ignore[arg-type]


CLINIC = (
    "code,title,description,category,timed,unit_minutes,notes\r\n"
    "CASH1,Cash visit,Self-pay visit,other,no,,Flat fee\r\n"
    'DRYN,Dry needling,"Trigger point, 1-2 muscles",Therapeutic procedure,yes,15,\r\n'
    'GRP2,Group class,,therapeutic_procedure,yes,,"Line one\nline two"\r\n'
)


# --------------------------------------------------------------------------- clinic codes


def test_clinic_codes_preview_apply_and_overlay(store: UserStore, tmp_path: Path) -> None:
    path = write(tmp_path, "clinic.csv", CLINIC)
    p = preview("codes", path, store)
    assert (p.accepted, p.added, p.changed, p.removed, p.rejected) == (3, 3, 0, 0, ())
    assert store.overlay_codes() == [] and store.imports_info() == []  # preview wrote nothing

    info = apply_import(p, store)
    assert (info.kind, info.file_name, info.row_count) == ("codes", "clinic.csv", 3)
    codes = {c.code: c for c in store.overlay_codes()}
    assert set(codes) == {"CASH1", "DRYN", "GRP2"}
    dryn = codes["DRYN"]
    assert isinstance(dryn, Code)
    assert (dryn.system, dryn.category, dryn.timed, dryn.unit_minutes) == (
        "clinic",
        "therapeutic_procedure",
        True,
        15,
    )
    assert dryn.description == "Trigger point, 1-2 muscles"
    assert codes["GRP2"].unit_minutes == 15  # timed without minutes: 15
    assert codes["GRP2"].notes[0].text == "Line one\nline two"
    assert codes["CASH1"].timed is False and codes["CASH1"].unit_minutes is None
    assert "clinic.csv" in codes["CASH1"].notes[0].source


def test_header_is_case_insensitive_and_columns_optional(store: UserStore, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "Title,CODE,Unit Minutes,Timed,,\nWalk,WALK1,30,Y,,\n")
    p = preview("codes", path, store)
    assert p.rejected == ()
    (row,) = p.rows
    assert row == ClinicCode("WALK1", "Walk", "", "other", True, 30, "")


def test_semicolon_delimited_file(store: UserStore, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "code;title;description\nCASH1;Cash visit;Self-pay, flat\n")
    (row,) = preview("codes", path, store).rows
    assert isinstance(row, ClinicCode)
    assert row.description == "Self-pay, flat"


def test_missing_required_column_rejects_the_file(store: UserStore, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "code,description\nCASH1,Self-pay\n")
    with pytest.raises(ImportFileError, match=r"missing the required column.*title"):
        preview("codes", path, store)


def test_unknown_extra_column_rejects_the_file(store: UserStore, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "code,title,price\nCASH1,Cash visit,80\n")
    with pytest.raises(ImportFileError, match=r"unknown column.*'price'.*accepts only"):
        preview("codes", path, store)


def test_no_header_rejects_the_file(store: UserStore, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "CASH1,Cash visit\nDRYN,Dry needling\n")
    with pytest.raises(ImportFileError, match="missing the required column"):
        preview("codes", path, store)


def test_clinic_rows_are_validated(store: UserStore, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "c.csv",
        "code,title,category,timed,unit_minutes\n"
        "OK1,Fine,,,\n"  # line 2
        "97110,Shadowing the catalog,,,\n"  # 3
        "BAD CODE,Space,,,\n"  # 4
        "NOTITLE,,,,\n"  # 5
        "CAT,Cat,knitting,,\n"  # 6
        "TIMED,Timed,,maybe,\n"  # 7
        "MIN,Minutes untimed,,no,15\n"  # 8
        "MIN2,Minutes zero,,yes,0\n"  # 9
        "WIDE,Too many cells,,,,extra\n",  # 10
    )
    p = preview("codes", path, store)
    assert [r.key for r in p.rows] == ["OK1"]
    reasons = {r.line: r.reason for r in p.rejected}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "already in the built-in catalog" in reasons[3]
    assert "not a valid code" in reasons[4]
    assert "title is empty" in reasons[5]
    assert "unknown category 'knitting'" in reasons[6]
    assert "yes or no" in reasons[7]
    assert "only for timed codes" in reasons[8]
    assert "1-120" in reasons[9]
    assert "6 cells but the header names 5 columns" in reasons[10]
    assert p.rejected_total == 8


# --------------------------------------------------------------------------- file safety


def test_latin1_file_is_refused_with_line_and_encoding(store: UserStore, tmp_path: Path) -> None:
    path = write(
        tmp_path, "d.csv", "code,descriptor\n97110,Ok\n97140,Th\u00e9rapie manuelle\n", "latin-1"
    )
    with pytest.raises(ImportFileError) as failure:
        preview("descriptors", path, store)
    message = str(failure.value)
    assert "not UTF-8" in message and "line 3" in message and "0xE9" in message
    assert "CSV UTF-8" in message


def test_utf16_file_is_named_as_such(store: UserStore, tmp_path: Path) -> None:
    path = write(tmp_path, "d.txt", "\ufeffcode\tdescriptor\n97110\tx\n", "utf-16-le")
    with pytest.raises(ImportFileError, match="UTF-16"):
        preview("descriptors", path, store)


def test_bom_header_is_recognised(store: UserStore, tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", "\ufeffCode,Descriptor\r\n97110,Therapeutic exercise\r\n")
    p = preview("descriptors", path, store)
    assert p.rows == (Descriptor("97110", "Therapeutic exercise", "d.csv"),)


def test_ten_megabyte_single_line_is_refused_fast(store: UserStore, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_bytes(b"code,title\n" + b"CASH1," + b"x" * (10 * 1024 * 1024) + b"\n")
    limit = csv.field_size_limit()
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match="line 2 is longer than 50,000 characters"):
        preview("codes", path, store)
    assert time.perf_counter() - started < 2.0
    assert csv.field_size_limit() == limit  # the process-wide limit is untouched


def test_ten_megabyte_line_without_newline_inside_a_quote(store: UserStore, tmp_path: Path) -> None:
    # An unclosed quote would make the csv module read to the end of the file.
    path = tmp_path / "quote.csv"
    body = b'CASH1,"never closed\n' + b"more,text\n" * 1_000_000
    path.write_bytes(b"code,title\n" + body)
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match="line 2 is not valid CSV"):
        preview("codes", path, store)
    assert time.perf_counter() - started < 5.0


def test_file_size_and_row_limits(store: UserStore, tmp_path: Path) -> None:
    rows = "".join(f"C{n:04d},Title {n}\n" for n in range(11))
    path = write(tmp_path, "c.csv", "code,title\n" + rows)
    with pytest.raises(ImportFileError, match="more than 10 rows"):
        preview("codes", path, store, limits=ImportLimits(max_rows=10))
    assert preview("codes", path, store, limits=ImportLimits(max_rows=11)).accepted == 11
    with pytest.raises(ImportFileError, match="larger than 100 bytes"):
        preview("codes", path, store, limits=ImportLimits(max_bytes=100))


def test_overlong_field_rejects_the_row(store: UserStore, tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", f"code,descriptor\n97110,{'x' * 2001}\n97140,{'y' * 2000}\n")
    p = preview("descriptors", path, store)
    assert [r.key for r in p.rows] == ["97140"]
    (rejected,) = p.rejected
    assert rejected.line == 2 and "longer than 2,000 characters" in rejected.reason


@pytest.mark.parametrize("content", ["", "   \n\n", "\ufeff"])
def test_empty_file(store: UserStore, tmp_path: Path, content: str) -> None:
    with pytest.raises(ImportFileError, match="empty"):
        preview("codes", write(tmp_path, "c.csv", content), store)


def test_header_only_cannot_be_applied(store: UserStore, tmp_path: Path) -> None:
    p = preview("codes", write(tmp_path, "c.csv", "code,title\n"), store)
    assert not p.can_apply
    with pytest.raises(ImportFileError, match="no rows"):
        apply_import(p, store)


# --------------------------------------------------------------------------- descriptors


def test_descriptors_duplicates_unknown_codes_and_source(store: UserStore, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "cpt-2025.csv",
        "code,descriptor,source\n"
        "97110,Therapeutic exercise,\n"  # 2
        "97140,Manual therapy,AMA CPT 2025\n"  # 3
        "97110,Therapeutic exercise again,\n"  # 4
        "99999,Not a code we have,\n"  # 5
        "97530,Therapeutic activities,\n"  # 6
        "97750,,\n",  # 7
    )
    p = preview("descriptors", path, store)
    assert [r.key for r in p.rows] == ["97140", "97530"]
    reasons = {r.line: r.reason for r in p.rejected}
    assert "97110 appears more than once (lines 2, 4)" in reasons[2]
    assert "97110 appears more than once (lines 2, 4)" in reasons[4]
    assert "not in the catalog" in reasons[5]
    assert "descriptor is empty" in reasons[7]
    apply_import(p, store)
    assert store.overlay_descriptors() == {
        "97140": ("Manual therapy", "AMA CPT 2025"),
        "97530": ("Therapeutic activities", "cpt-2025.csv"),
    }


def test_formula_cells_are_kept_as_text_and_neutralised_on_export(
    store: UserStore, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "d.csv",
        'code,descriptor\n97110,"=HYPERLINK(""http://x"",""click"")"\n97140,@SUM(A1)\n'
        "97530,-2 units\n97750,Plain\n",
    )
    p = preview("descriptors", path, store)
    assert p.accepted == 4
    assert any("3 cell(s) start with =, +, - or @" in note for note in p.notes)
    apply_import(p, store)
    texts = {code: text for code, (text, _) in store.overlay_descriptors().items()}
    assert texts["97110"] == '=HYPERLINK("http://x","click")'
    assert export_csv_safe(texts["97110"]) == "'" + texts["97110"]
    assert export_csv_safe(texts["97140"]) == "'@SUM(A1)"
    assert export_csv_safe(texts["97530"]) == "'-2 units"
    assert export_csv_safe(texts["97750"]) == "Plain"
    assert export_csv_safe("  =1+1") == "'  =1+1"
    assert export_csv_safe("\tx") == "'\tx"


def test_bidi_zero_width_and_control_characters_are_stripped(
    store: UserStore, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "d.csv",
        "code,descriptor,source\n"
        "97110,Thera\u200bpeutic \u202eesicrexe\u202c exer\u2066cise\u2069\u0007,"
        "\u200fAMA\u061c\u2060\n"
        "\u202d97140,Manual\u200d therapy\u200e\u00ad,\ufeffAMA\n",
    )
    p = preview("descriptors", path, store)
    assert p.rejected == ()
    assert p.rows == (
        Descriptor("97110", "Therapeutic esicrexe exercise", "AMA"),
        Descriptor("97140", "Manual therapy", "AMA"),  # soft hyphen dropped (issue 14)
    )


# --------------------------------------------------------------------------- NCCI

CMS_TAB = (
    "CPT codes, descriptions and other data only are copyright 2024 American Medical "
    "Association. All Rights Reserved.\n"
    '"Applicable FARS\\DFARS Restrictions Apply to Government Use." see "CPT" notice\n'
    "\n"
    "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\t"
    "Deletion Date *=no data\tModifier 0=not allowed 1=allowed 9=not applicable\t"
    "PTP Edit Rationale\n"
    "97140\t97530\t\t20200101\t*\t1\tMisuse of column two code with column one code\n"  # 5
    "97161\t97140\t\t2021-01-01\t*\t1\tStandards of medical / surgical practice\n"  # 6
    "97110\t97530\t*\t19960101\t20210101\t1\tMutually exclusive procedures\n"  # 7 deleted
    "97112\t97116\t\t20240101\t20991231\t0\tMutually exclusive procedures\n"  # 8 future del.
    "99213\t97110\t\t20200101\t*\t1\tNot PT\n"  # 9 not in catalog
    "97010\tG0283\t\t20190401\t20250310\t9\tDeleted today\n"  # 10 deleted today
    "97140\tABC\t\t20200101\t*\t1\tBad code\n"  # 11
    "97750\t97530\t\t20200101\t*\t2\tBad indicator\n"  # 12
    "97750\t97110\t\t2020/01/01\t*\t1\tBad date\n"  # 13
    "97750\t97116\t\t*\t*\t1\tNo effective date\n"  # 14
)


def test_cms_tab_delimited_ncci_with_preamble(store: UserStore, tmp_path: Path) -> None:
    path = write(tmp_path, "PTP-practitioner-2025q1-f1.txt", CMS_TAB)
    assert store.overlay_ncci() is None  # nothing imported: use the built-in pairs
    p = preview("ncci", path, store)
    assert [r.key for r in p.rows] == ["97140 97530", "97161 97140", "97112 97116"]
    assert p.skipped_deleted == 2
    assert p.skipped_not_in_catalog == 1
    assert p.latest_effective == "2024-01-01"
    reasons = {r.line: r.reason for r in p.rejected}
    assert sorted(reasons) == [11, 12, 13, 14]
    assert "Column 2 'ABC'" in reasons[11]
    assert "0, 1 or 9" in reasons[12]
    assert "'2020/01/01' is not a date" in reasons[13]
    assert "effective date is missing" in reasons[14]
    assert any("*=in existence prior to 1996" in note for note in p.notes)
    assert any("2 pair(s) deleted on or before 2025-03-10" in note for note in p.notes)

    info = apply_import(p, store)
    assert info.latest_effective == "2024-01-01"
    pairs = store.overlay_ncci()
    assert pairs is not None
    by_key = {(x.column1, x.column2): x for x in pairs}
    assert set(by_key) == {("97140", "97530"), ("97161", "97140"), ("97112", "97116")}
    pair = by_key[("97112", "97116")]
    assert isinstance(pair, NcciPair)
    assert (pair.indicator, pair.effective, pair.deleted) == (0, "2024-01-01", "2099-12-31")
    assert pair.as_of == "2025-03-10"
    assert "PTP-practitioner-2025q1-f1.txt" in pair.source and "2024-01-01" in pair.source
    assert pair.note == "Mutually exclusive procedures"
    assert by_key[("97140", "97530")].modifier_allowed

    assert remove_import("ncci", store) is True
    assert store.overlay_ncci() is None
    assert remove_import("ncci", store) is False


@pytest.mark.parametrize(
    "header",
    [
        "Column1,Column2,Effective Date,Deletion Date,Modifier,Rationale",
        "column_1,column_2,effective_date,deletion_date,modifier_indicator,ptp_edit_rationale",
        "COL 1,COL 2,EFFECTIVE,DELETION DATE *=NO DATA,MODIFIER INDICATOR,RATIONALE",
    ],
)
def test_ncci_header_variants(store: UserStore, tmp_path: Path, header: str) -> None:
    path = write(tmp_path, "ptp.csv", f"{header}\n97140,97530,20200101,,1,x\n")
    p = preview("ncci", path, store)
    assert p.rows == (NcciRow("97140", "97530", 1, "2020-01-01", None, "x"),)


def test_ncci_without_rationale_column(store: UserStore, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ptp.csv",
        "Column 1,Column 2,Effective,Deletion,Modifier\n97140,97530,20200101,*,1\n",
    )
    assert preview("ncci", path, store).rows == (
        NcciRow("97140", "97530", 1, "2020-01-01", None, ""),
    )


def test_ncci_missing_columns_or_not_ncci(store: UserStore, tmp_path: Path) -> None:
    path = write(tmp_path, "ptp.csv", "Column 1,Column 2,Effective\n97140,97530,20200101\n")
    with pytest.raises(ImportFileError, match="no column for deletion, modifier"):
        preview("ncci", path, store)
    path = write(tmp_path, "other.csv", "code,title\nCASH1,Cash\n")
    with pytest.raises(ImportFileError, match="does not look like an NCCI PTP table"):
        preview("ncci", path, store)


def test_ncci_duplicate_pairs_are_rejected(store: UserStore, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ptp.csv",
        "Column 1,Column 2,Effective,Deletion,Modifier\n"
        "97140,97530,20200101,*,1\n97161,97140,20200101,*,1\n97140,97530,20210101,*,0\n",
    )
    p = preview("ncci", path, store)
    assert [r.key for r in p.rows] == ["97161 97140"]
    assert [r.line for r in p.rejected] == [2, 4]
    assert "pair 97140/97530 appears more than once (lines 2, 4)" in p.rejected[0].reason


# --------------------------------------------------------------------------- apply / replace


NCCI_V1 = (
    "Column 1,Column 2,Effective,Deletion,Modifier\n"
    "97140,97530,20200101,*,1\n97161,97140,20200101,*,1\n97112,97116,20200101,*,0\n"
)
NCCI_V2 = (
    "Column 1,Column 2,Effective,Deletion,Modifier\n"
    "97140,97530,20200101,*,1\n97161,97140,20200101,*,0\n97750,97110,20230101,*,1\n"
)


def test_reimport_counts_added_changed_removed(store: UserStore, tmp_path: Path) -> None:
    apply_import(preview("ncci", write(tmp_path, "v1.csv", NCCI_V1), store), store)
    p = preview("ncci", write(tmp_path, "v2.csv", NCCI_V2), store)
    assert (p.added, p.changed, p.removed) == (1, 1, 1)
    apply_import(p, store)
    pairs = store.overlay_ncci()
    assert pairs is not None
    assert {(x.column1, x.column2, x.indicator) for x in pairs} == {
        ("97140", "97530", 1),
        ("97161", "97140", 0),
        ("97750", "97110", 1),
    }
    (info,) = store.imports_info()
    assert (info.file_name, info.row_count, info.latest_effective) == ("v2.csv", 3, "2023-01-01")


@pytest.mark.parametrize(
    "bad_row",
    [
        NcciRow("97010", "97110", 5, "2020-01-01", None, ""),  # CHECK constraint
        NcciRow("97140", "97530", 1, "2020-01-01", None, "dup"),  # primary key clash
    ],
)
def test_a_failing_apply_leaves_the_previous_overlay(
    store: UserStore, tmp_path: Path, bad_row: NcciRow
) -> None:
    apply_import(preview("ncci", write(tmp_path, "v1.csv", NCCI_V1), store), store)
    before = (store.overlay_ncci(), store.imports_info())
    p = preview("ncci", write(tmp_path, "v2.csv", NCCI_V2), store)
    broken = dataclasses.replace(p, rows=(*p.rows, bad_row))
    with pytest.raises(UserDataError, match="not saved"):
        apply_import(broken, store)
    assert (store.overlay_ncci(), store.imports_info()) == before


def test_overlays_persist_and_kinds_are_independent(tmp_path: Path) -> None:
    first, _ = UserStore.open(tmp_path / "data", clock=_clock)
    apply_import(preview("ncci", write(tmp_path, "v1.csv", NCCI_V1), first), first)
    apply_import(preview("codes", write(tmp_path, "clinic.csv", CLINIC), first), first)
    first.close()
    again, _ = UserStore.open(tmp_path / "data", clock=_clock)
    assert [i.kind for i in again.imports_info()] == ["codes", "ncci"]
    assert len(again.overlay_ncci() or []) == 3
    remove_import("codes", again)
    assert again.overlay_codes() == []
    assert len(again.overlay_ncci() or []) == 3
    assert again.overlay_descriptors() == {}
    again.close()


def test_read_only_store_previews_but_cannot_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ptcodes_gui.userdata import store as store_module

    monkeypatch.setattr(store_module, "probe_writable", lambda d: "the folder is read-only")
    ro, _ = UserStore.open(tmp_path / "data", clock=_clock)
    p = preview("ncci", write(tmp_path, "v1.csv", NCCI_V1), ro)
    assert p.accepted == 3
    with pytest.raises(UserDataReadOnly):
        apply_import(p, ro)
    assert ro.overlay_ncci() is None
    ro.close()


def test_parse_in_a_worker_thread_then_apply(store: UserStore, tmp_path: Path) -> None:
    path = write(tmp_path, "v1.csv", NCCI_V1)
    current = store.overlay_rows("ncci")  # on the store's thread
    with ThreadPoolExecutor(max_workers=1) as pool:
        parsed = pool.submit(
            parse_import, "ncci", path, known_codes=KNOWN, today=TODAY, current=current
        ).result()
    assert (parsed.accepted, parsed.added) == (3, 3)
    apply_import(parsed, store)
    assert len(store.overlay_ncci() or []) == 3


def test_today_override_controls_deleted_rows(store: UserStore, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.csv",
        "Column 1,Column 2,Effective,Deletion,Modifier\n97140,97530,20200101,20240601,1\n",
    )
    assert preview("ncci", path, store, today=date(2024, 5, 31)).accepted == 1
    assert preview("ncci", path, store, today=date(2024, 6, 1)).skipped_deleted == 1


# --------------------------------------------------------------------------- properties

_invisible = (
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u061c"
)


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(list(_invisible))))
def test_clean_text_leaves_no_invisible_or_control_characters(value: str) -> None:
    for multiline in (False, True):
        cleaned = clean_text(value, multiline=multiline)
        assert not set(cleaned) & set(_invisible)
        allowed = {"\n"} if multiline else set()
        assert all(ch in allowed or not (ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F) for ch in cleaned)
        assert clean_text(cleaned, multiline=multiline) == cleaned


@given(st.text())
def test_export_csv_safe_never_starts_a_formula(value: str) -> None:
    safe = export_csv_safe(value)
    assert not safe.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r"))
    assert safe in (value, "'" + value)
