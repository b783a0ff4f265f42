"""Issue 25, items 9 and 10: imports that would inflate, and what the command line says."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from ptcodes_gui.cli.main import main
from ptcodes_gui.releases import files
from ptcodes_gui.releases import icd as icd_releases
from ptcodes_gui.releases.readers import icd10cm as rel
from ptcodes_gui.userdata.store import UserStore

ROOT = Path(__file__).resolve().parents[2]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# ----------------------------------------------------------------- item 9: xlsx bomb


def _bomb(mib: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z, z.open(
            "xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
        block = b"<row><c><v>1</v></c></row>" * 40_000
        for _ in range(mib * 1024 * 1024 // len(block)):
            sheet.write(block)
    return buf.getvalue()


def test_a_workbook_bomb_is_refused_from_the_zip_directory_alone(tmp_path: Path) -> None:
    path = tmp_path / "MCR_MUE_PractitionerServices_Eff_01-01-2027.xlsx"
    path.write_bytes(_bomb(120))
    assert path.stat().st_size < 2 * 1024 * 1024
    start = time.monotonic()
    with pytest.raises(files.WorkbookBombError, match="would unpack to"):
        files.check_workbook(io.BytesIO(path.read_bytes()), path.name)
    assert time.monotonic() - start < 1.0
    found = files.collect_files([path])
    with pytest.raises(files.ImportFileError, match="not a CMS workbook"):
        files.head_rows(found[0])  # said as it is, not as "not that table's header"


def test_a_workbook_over_the_unpacked_limit_is_refused() -> None:
    small = files.ImportLimits(max_xlsx_unpacked=1024 * 1024, max_zip_ratio=10_000)
    with pytest.raises(files.WorkbookBombError):
        files.check_workbook(io.BytesIO(_bomb(3)), "x.xlsx", small)


# ----------------------------------------------------------------- item 10: CLI


def test_show_never_echoes_terminal_escapes(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    code, out, err = _run(capsys, "--data-dir", str(tmp_path), "show", "\x1b[2J\x1b]0;x\x07Q")
    assert code != 0
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "not found" in err


def test_start_up_messages_are_printed_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "user.sqlite").write_bytes(b"not a database" * 500)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PTCODES_CLINIC_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from ptcodes_gui.cli.main import main; "
         "sys.exit(main(sys.argv[1:]))", "--data-dir", str(data), "show", "97110"],
        capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0
    assert done.stderr.count("was damaged") == 1, done.stderr


def test_visit_profile_comes_from_the_data_dir_given(capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path) -> None:
    data = tmp_path / "data"
    store, _ = UserStore.open(data)
    store.save_profile({"name": "Acme PPO", "unit_rule": "midpoint"})
    store.close()
    code, out, err = _run(capsys, "--data-dir", str(data), "visit", "--profile", "Acme PPO",
                          "97110=30")
    assert code == 0, err
    assert "2 units" in out


# ----------------------------------------------------------------- item 10: ICD releases


def _order_line(n: int, code: str, flag: int, title: str) -> bytes:
    return f"{n:05d} {code:<7} {flag} {title[:60]:<60} {title}\n".encode("latin-1")


def test_a_code_given_twice_in_an_order_file_is_named() -> None:
    lines = [_order_line(1, "M545", 0, "Low back pain"),
             _order_line(2, "M5450", 1, "Low back pain, unspecified"),
             _order_line(3, "M5450", 1, "Low back pain, unspecified")]
    with pytest.raises(rel.IcdReleaseError, match=r"line 3 gives the code M54\.50 a second time"):
        list(rel.read_order_file(lines, "icd10cm_order_2027.txt"))


def test_a_killed_icd_imports_temp_file_is_removed_at_start(tmp_path: Path) -> None:
    from ptcodes_gui.catalog import open_catalog

    folder = icd_releases.release_dir(tmp_path)
    folder.mkdir(parents=True)
    old_temp = folder / ".icd-release-abc.sqlite"
    new_temp = folder / ".icd-release-def.sqlite"  # another copy's import in progress
    old_temp.write_bytes(b"x")
    new_temp.write_bytes(b"x")
    os.utime(old_temp, (time.time() - 3600,) * 2)
    catalog = open_catalog()
    try:
        icd_releases.apply_active(catalog, tmp_path)
    finally:
        catalog.close()
    assert not old_temp.exists() and new_temp.exists()


def test_a_workbook_whose_sizes_lie_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 1_000_000)
    raw = bytearray(buf.getvalue())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.index(signature) + offset
        raw[at:at + 4] = (1000).to_bytes(4, "little")  # "unpacks to 1,000 bytes"
    with pytest.raises(files.WorkbookBombError, match="does not unpack to what"):
        files.check_workbook(io.BytesIO(bytes(raw)), "x.xlsx")
