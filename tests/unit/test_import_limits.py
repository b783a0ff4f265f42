"""The import's size limits (releases/files.py) at exactly the limit and one over:
the limit itself is accepted, one byte or one file more is refused with a sentence naming
the file."""

from __future__ import annotations

import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from ptcodes_gui.releases import (
    ImportContext,
    ImportFileError,
    ImportLimits,
    collect_files,
    preview_import,
    reader,
)
from ptcodes_gui.session import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import cms_files as cf


def _text(folder: Path, name: str, size: int) -> Path:
    path = folder / name
    path.write_bytes((b"97110|97140\n" * size)[:size])
    return path


def test_a_file_of_exactly_the_limit_is_read_one_byte_more_is_not(tmp_path: Path) -> None:
    limits = ImportLimits(max_file_bytes=1000)
    (found,) = collect_files([_text(tmp_path, "at.txt", 1000)], limits)
    assert found.size == 1000
    with pytest.raises(ImportFileError, match=r"^over\.txt is 1,001 bytes; files larger than "
                                              r"1,000 bytes are not imported\.$"):
        collect_files([_text(tmp_path, "over.txt", 1001)], limits)


def test_the_total_may_reach_the_limit_not_pass_it(tmp_path: Path) -> None:
    limits = ImportLimits(max_total_bytes=1000)
    two = [_text(tmp_path, "a.txt", 600), _text(tmp_path, "b.txt", 400)]
    assert sum(f.size for f in collect_files(two, limits)) == 1000
    with pytest.raises(ImportFileError, match="hold 1,001 bytes of data; one import reads at "
                                              "most 1,000 bytes"):
        collect_files([*two, _text(tmp_path, "c.txt", 1)], limits)


def test_the_number_of_tables_may_reach_the_limit_not_pass_it(tmp_path: Path) -> None:
    limits = ImportLimits(max_files=3)
    files = [_text(tmp_path, f"{n}.txt", 20) for n in range(4)]
    assert len(collect_files(files[:3], limits)) == 3
    with pytest.raises(ImportFileError, match="4 tables were given; one import reads at most 3"):
        collect_files(files, limits)


def test_a_zip_of_exactly_the_member_limit_is_read(tmp_path: Path) -> None:
    limits = ImportLimits(max_zip_members=3)

    def zipped(name: str, members: int) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as zf:
            for n in range(members):
                zf.writestr(f"part{n}.txt", "97110|97140\n")
        return path

    assert len(collect_files([zipped("three.zip", 3)], limits)) == 3
    with pytest.raises(ImportFileError, match=r"four\.zip holds 4 files; this is not a CMS"):
        collect_files([zipped("four.zip", 4)], limits)


def test_sizes_are_said_in_bytes_below_a_megabyte_and_in_mb_from_one() -> None:
    from ptcodes_gui.releases.files import MIB, human_size

    assert human_size(MIB - 1) == "1,048,575 bytes"
    assert human_size(MIB) == "1 MB"
    assert human_size(MIB + MIB // 2) == "1.5 MB"


def test_an_import_may_hold_exactly_the_row_limit_not_one_more(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [cf.ncci_row("97530", code, "20200101", "*", "1")
            for code in ("97110", "97112", "97116")]
    ncci = type(reader("ncci"))
    monkeypatch.setattr(ncci, "limits", ImportLimits(max_rows=3))
    context = ImportContext.from_store(session.imports, session.catalog.all_codes(),
                                       date(2026, 12, 1))
    at_limit = preview_import([cf.write_ncci_part(tmp_path, rows, part=4)], context,
                              source="ncci")
    assert sum(f.rows for f in at_limit.files) == 3
    over = cf.write_ncci_part(tmp_path / "over", [*rows, cf.ncci_row("97530", "97140")], part=4)
    with pytest.raises(ImportFileError, match="more than 3 rows in this import"):
        preview_import([over], context, source="ncci")
