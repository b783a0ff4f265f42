"""Issue 25, items 4-6, 9, 10: what a clinic folder holds is untrusted input."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
import time
from pathlib import Path

import pytest

from ptcodes_gui.clinic import folder as cf
from ptcodes_gui.clinic import untrusted


def _imports_db(path: Path) -> Path:
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (v TEXT)")
    db.execute("INSERT INTO t VALUES ('ok')")
    db.commit()
    db.close()
    return path


def _publish(clinic: Path, tmp: Path) -> cf.Release:
    src = tmp / "src"
    src.mkdir(exist_ok=True)
    (src / "defaults.json").write_text("{}")
    return cf.publish(clinic, {"imports.sqlite": _imports_db(src / "imports.sqlite"),
                               "defaults.json": src / "defaults.json"}, app_version="test")


def _release_dir(clinic: Path) -> Path:
    return clinic / json.loads((clinic / cf.POINTER_NAME).read_text())["current"]


def _reseal(release: Path) -> None:
    """The manifest rewritten to match (anyone who can write to the share can)."""
    manifest = json.loads((release / cf.MANIFEST_NAME).read_text())
    for name, entry in manifest["files"].items():
        blob = (release / name).read_bytes()
        entry.update(sha256=hashlib.sha256(blob).hexdigest(), size=len(blob))
    (release / cf.MANIFEST_NAME).write_text(json.dumps(manifest))


# ----------------------------------------------------------------- item 4


def test_a_published_database_with_an_endless_view_is_never_used(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    _publish(clinic, tmp_path)
    release = _release_dir(clinic)
    db = sqlite3.connect(release / "imports.sqlite")
    db.execute("DROP TABLE t")
    db.execute("CREATE VIEW t AS WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 "
               "FROM c) SELECT n AS v FROM c")
    db.commit()
    db.close()
    _reseal(release)
    start = time.monotonic()
    status = cf.sync(clinic, tmp_path / "pc")
    assert time.monotonic() - start < 5
    assert status.file("imports.sqlite") is None
    assert "holds a view ('t')" in status.message


def test_a_trigger_is_refused_too(tmp_path: Path) -> None:
    path = _imports_db(tmp_path / "x.sqlite")
    db = sqlite3.connect(path)
    db.execute("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END")
    db.commit()
    db.close()
    assert "trigger" in str(untrusted.schema_problem(path))
    assert untrusted.schema_problem(_imports_db(tmp_path / "y.sqlite")) is None


def test_the_guard_stops_any_long_query(tmp_path: Path) -> None:
    conn = untrusted.connect(_imports_db(tmp_path / "x.sqlite"))
    untrusted.guard(conn, seconds=0.3)
    start = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        conn.execute("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) "
                     "SELECT count(*) FROM c").fetchone()
    assert time.monotonic() - start < 3
    assert conn.execute("SELECT v FROM t").fetchone() == ("ok",)  # the clock restarts
    conn.close()


# ----------------------------------------------------------------- item 5


def test_clinic_files_are_readable_by_every_account(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    _publish(clinic, tmp_path)
    for path in (clinic / cf.POINTER_NAME, _release_dir(clinic) / cf.MANIFEST_NAME):
        assert path.stat().st_mode & 0o777 == 0o644


# ----------------------------------------------------------------- item 6


@pytest.mark.parametrize("which", ["pointer", "manifest"])
def test_deeply_nested_json_is_refused_with_a_sentence(tmp_path: Path, which: str) -> None:
    clinic = tmp_path / "share"
    _publish(clinic, tmp_path)
    target = (clinic / cf.POINTER_NAME if which == "pointer"
              else _release_dir(clinic) / cf.MANIFEST_NAME)
    target.write_text("[" * 100_000 + "]" * 100_000)
    status = cf.sync(clinic, tmp_path / "pc")
    assert status.release is None
    assert "nested more than" in status.message


# ----------------------------------------------------------------- item 9


def test_a_fifo_pointer_never_blocks(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    _publish(clinic, tmp_path)
    (clinic / cf.POINTER_NAME).unlink()
    os.mkfifo(clinic / cf.POINTER_NAME)
    start = time.monotonic()
    status = cf.sync(clinic, tmp_path / "pc")
    assert time.monotonic() - start < 5
    assert "pipe (FIFO)" in status.message


def test_a_release_file_linked_to_dev_zero_is_not_read(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    _publish(clinic, tmp_path)
    release = _release_dir(clinic)
    (release / "imports.sqlite").unlink()
    (release / "imports.sqlite").symlink_to("/dev/zero")
    status = cf.sync(clinic, tmp_path / "pc")
    assert "is a link" in status.message
    cache = tmp_path / "pc" / cf.CACHE_DIR_NAME
    assert sum(p.stat().st_size for p in cache.rglob("*") if p.is_file()) < 10_000


def test_a_copy_stops_at_the_manifests_size(tmp_path: Path) -> None:
    src = tmp_path / "big"
    src.write_bytes(b"x" * 5_000_000)
    with pytest.raises(cf.ClinicFolderError, match="larger than its manifest"):
        cf._copy_verified(src, tmp_path / "out", limit=1000)
    assert (tmp_path / "out").stat().st_size <= 1001


def test_a_release_folder_linked_outside_the_share_is_not_followed(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    _publish(clinic, tmp_path)
    release = _release_dir(clinic)
    elsewhere = tmp_path / "elsewhere"
    release.rename(elsewhere)
    release.symlink_to(elsewhere, target_is_directory=True)
    status = cf.sync(clinic, tmp_path / "pc")
    assert status.release is None and "is not a folder of the clinic folder" in status.message


# ----------------------------------------------------------------- item 10


def test_a_dead_publishers_lock_is_taken_over_at_once(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    _publish(clinic, tmp_path)
    dead = 2**22 + 12345  # above any pid this machine hands out
    (clinic / cf.LOCK_NAME).write_text(f"{cf._host()} {dead} 2026-12-01T08:00:00\n")
    start = time.monotonic()
    release = _publish(clinic, tmp_path)
    assert time.monotonic() - start < 2 and release.seq == 2


def test_a_live_publishers_lock_is_respected(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    _publish(clinic, tmp_path)
    (clinic / cf.LOCK_NAME).write_text(f"{cf._host()} {os.getpid()} now\n")
    with pytest.raises(cf.ClinicFolderError, match="publishing"):
        cf.publish(clinic, {"defaults.json": tmp_path / "src" / "defaults.json"},
                   app_version="t", lock_wait=0.3)
    assert socket.gethostname()  # the lock names this host


def test_leftovers_of_a_killed_fetch_and_an_old_copy_are_cleaned(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    _publish(clinic, tmp_path)
    cf.sync(clinic, tmp_path / "pc")
    cache = tmp_path / "pc" / cf.CACHE_DIR_NAME
    killed = cache / ".fetch-killed"
    killed.mkdir()
    old = time.time() - 3600
    os.utime(killed, (old, old))
    _publish(clinic, tmp_path)
    cf.sync(clinic, tmp_path / "pc")
    names = sorted(p.name for p in cache.iterdir() if p.is_dir())
    assert names == [_release_dir(clinic).name]


def test_a_damaged_published_database_is_not_cached(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    src = tmp_path / "src"
    src.mkdir()
    big = sqlite3.connect(src / "imports.sqlite")
    big.execute("CREATE TABLE t (v TEXT)")
    big.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
    big.commit()
    big.close()
    (src / "defaults.json").write_text("{}")
    cf.publish(clinic, {"imports.sqlite": src / "imports.sqlite",
                        "defaults.json": src / "defaults.json"}, app_version="t")
    release = _release_dir(clinic)
    with (release / "imports.sqlite").open("r+b") as handle:
        handle.seek(4096)
        handle.write(b"\xff" * 8192)
    _reseal(release)
    status = cf.sync(clinic, tmp_path / "pc")
    assert status.file("imports.sqlite") is None
    assert "is not used" in status.message


def test_hostile_values_in_release_records_read_as_empty() -> None:
    from ptcodes_gui.releases.store import _release_from_row

    info = _release_from_row(("ncci", None, 7, b"x", 20270101, "[" * 100_000, "many",
                              None, "[" * 10 + "]" * 10, '"x"', "{" * 3000))
    assert info.source == "ncci" and info.title == "ncci" and info.version == ""
    assert info.files == () and info.rows == 0 and info.effective is None
    assert info.order == () and info.details == {}


def test_nested_clinic_settings_are_ignored_not_fatal(tmp_path: Path) -> None:
    from ptcodes_gui.clinic.link import _read_localities

    clinic = tmp_path / "share"
    src = tmp_path / "src"
    src.mkdir()
    (src / "settings.json").write_text("[" * 100_000 + "]" * 100_000)
    cf.publish(clinic, {"settings.json": src / "settings.json"}, app_version="t")
    status = cf.sync(clinic, tmp_path / "pc")
    assert status.file("settings.json") is not None
    assert _read_localities(status) == {}


def test_a_manifests_text_is_shown_without_terminal_escapes(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    _publish(clinic, tmp_path)
    release = _release_dir(clinic)
    manifest = json.loads((release / cf.MANIFEST_NAME).read_text())
    manifest["publisher"] = "\x1b]0;owned\x07\x1b[2JFRONT" + "x" * 500
    (release / cf.MANIFEST_NAME).write_text(json.dumps(manifest))
    status = cf.sync(clinic, tmp_path / "pc")
    assert status.release is not None
    assert "\x1b" not in status.release.publisher and len(status.release.publisher) <= 80
