"""Every data source knows when it goes stale: its publisher's cadence, its "superseded on"
date, its state; a visit dated after that date (or before a table's effective date) says
so once, naming the source and the fix, in ``ptcodes visit`` text and JSON and in ``info``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from benchmarks import cms_files as cf
from ptcodes_gui.cli import main as cli
from ptcodes_gui.domain.provenance import DataSource
from ptcodes_gui.releases import data_sources as ds
from ptcodes_gui.session import open_session


@pytest.mark.parametrize(("effective", "months", "expected"), [
    ("2027-01-01", (1, 4, 7, 10), "2027-04-01"),   # an MUE table: the next quarter
    ("2026-07-15", (1, 4, 7, 10), "2026-10-01"),
    ("2026-10-01", (1,), "2027-01-01"),            # a telehealth list: the next year
    ("2026-12-01", (1, 4, 7, 10), "2027-01-01"),   # the shipped content's review
    (None, (1,), None),
])
def test_next_release_by_cadence(effective: str | None, months: tuple[int, ...],
                                 expected: str | None) -> None:
    assert ds.next_start(effective, months) == expected


def test_a_source_state_on_a_date() -> None:
    mue = DataSource("mue", "CMS MUE", "MUE 2027-01-01", "2027-01-01", "2027-04-01")
    assert mue.state(date(2026, 12, 6)) == "not yet in force"
    assert mue.state(date(2027, 2, 1)) == "current"
    assert mue.state(date(2027, 4, 1)) == "superseded"


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_visit_after_the_shipped_icd_release_says_so_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--data-dir", str(tmp_path), "visit", "97110=30", "--dx", "M54.50"]
    _code, _out, err = _cli(capsys, *base, "--date", "2026-12-06")
    assert err.count("was superseded on 2026-10-01") == 1
    assert ("import the CDC FY2027 release via File → Import (ptcodes import icd10cm ZIP... "
            "--apply)") in err
    _code, out, _err = _cli(capsys, *base, "--date", "2026-12-06", "--format", "json")
    found = [w for w in json.loads(out)["warnings"] if w["id"] == "data-source-date"]
    assert len(found) == 1 and found[0]["severity"] == "warning"
    assert "ICD-10-CM April 1, 2026 (FY2026 update) was superseded" in found[0]["message"]
    _code, out, err = _cli(capsys, *base, "--date", "2026-09-15", "--format", "json")
    assert "data-source-date" not in out


def test_a_future_dated_table_says_it_is_not_applied_yet(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mue = tmp_path / cf.mue_name("01-01-2027")
    mue.write_bytes(cf.mue_csv([("97530", 2, 3, "Clinical: Data")]))
    data = ["--data-dir", str(tmp_path / "d")]
    assert cli.main([*data, "import", "mue", str(mue), "--apply"]) == 0
    capsys.readouterr()
    _code, _out, err = _cli(capsys, *data, "visit", "97530=53", "--date", "2026-12-06")
    assert "takes effect on 2027-01-01: it is not applied to a visit on 2026-12-06" in err
    _code, _out, err = _cli(capsys, *data, "visit", "97530=53", "--date", "2027-04-02")
    assert "was superseded on 2027-04-01: import the next release of the CMS MUE" in err
    _code, out, _err = _cli(capsys, *data, "info", "--json")
    rows = {r["name"]: r for r in json.loads(out)["data_sources"]}
    assert {r["state"] for r in rows.values()} >= {"superseded", "not yet in force"}
    icd = rows["ICD-10-CM (shipped)"]
    assert (icd["superseded"], icd["cadence"]) == (
        "2026-10-01", "yearly (October 1), with April 1 and some January 1 updates")
    (imported,) = [r for r in rows.values() if r["key"] == "mue"]
    assert (imported["effective"], imported["superseded"]) == ("2027-01-01", "2027-04-01")
    assert imported["cadence"].startswith("quarterly")
    catalog = rows["PT Codes catalog (CPT/HCPCS codes in our words, modifiers)"]
    assert catalog["superseded"] == "2027-01-01"  # the shipped content's next review


def test_visit_notices_before_and_after(tmp_path: Path) -> None:
    session = open_session(tmp_path)
    try:
        after = ds.visit_notices(session.catalog, tmp_path, (), date(2026, 12, 6))
        before = ds.visit_notices(session.catalog, tmp_path, (), date(2026, 9, 15))
        later = ds.visit_notices(session.catalog, tmp_path, (), date(2027, 1, 4))
    finally:
        session.close()
    assert len(after) == 1 and "checked against the FY2027 code set's dates" in after[0]
    assert before == []
    assert any("due for review on 2027-01-01" in n for n in later)
