"""The clinic folder: publish on one workstation, read on another, never half a set."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from ptcodes_gui.clinic import folder as cf


def _imports_db(path: Path, marker: str) -> Path:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (v TEXT)")
    db.execute("INSERT INTO t VALUES (?)", (marker,))
    db.commit()
    db.close()
    return path


def _marker(path: Path | None) -> str:
    assert path is not None
    db = sqlite3.connect(path)
    try:
        return str(db.execute("SELECT v FROM t").fetchone()[0])
    finally:
        db.close()


def _publish(clinic: Path, tmp: Path, marker: str, **kw: object) -> cf.Release:
    src = tmp / f"src-{marker}"
    src.mkdir(exist_ok=True)
    files = {
        "imports.sqlite": _imports_db(src / "imports.sqlite", marker),
        "defaults.json": src / "defaults.json",
    }
    files["defaults.json"].write_text(json.dumps({"marker": marker}))
    return cf.publish(clinic, files, app_version="test", **kw)  # type: ignore[arg-type]


def test_published_set_reaches_a_second_workstation(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    release = _publish(clinic, tmp_path, "q4")
    status = cf.sync(clinic, tmp_path / "pc2")
    assert status.release is not None and status.release.seq == release.seq
    assert not status.offline and status.message == ""
    assert _marker(status.file("imports.sqlite")) == "q4"
    defaults = status.file("defaults.json")
    assert defaults is not None and json.loads(defaults.read_text()) == {"marker": "q4"}


def test_a_newer_publish_replaces_the_cached_one(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    _publish(clinic, tmp_path, "q3")
    assert _marker(cf.sync(clinic, tmp_path / "pc2").file("imports.sqlite")) == "q3"
    _publish(clinic, tmp_path, "q4")
    status = cf.sync(clinic, tmp_path / "pc2")
    assert _marker(status.file("imports.sqlite")) == "q4"
    cached = [p.name for p in (tmp_path / "pc2" / cf.CACHE_DIR_NAME).iterdir() if p.is_dir()]
    assert len(cached) <= 2  # the current copy, at most one older


def test_clinic_folder_gone_keeps_working_from_the_cache(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    _publish(clinic, tmp_path, "q4", now=lambda: datetime(2026, 12, 1, 8, 0))
    cf.sync(clinic, tmp_path / "pc2", now=lambda: datetime(2026, 12, 1, 8, 5))
    os.rename(clinic, tmp_path / "share-unplugged")
    status = cf.sync(clinic, tmp_path / "pc2")
    assert status.offline
    assert _marker(status.file("imports.sqlite")) == "q4"
    assert "cached on this PC" in status.message and "2026-12-01 08:05" in status.message


def test_no_folder_and_no_cache_says_so_without_raising(tmp_path: Path) -> None:
    status = cf.sync(tmp_path / "nowhere", tmp_path / "pc")
    assert status.offline and status.release is None
    assert "cannot be reached" in status.message


def test_publish_interrupted_halfway_leaves_readers_on_the_old_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clinic = tmp_path / "share"
    _publish(clinic, tmp_path, "old")
    calls = {"n": 0}
    real_copy = cf._copy_in

    def dying_copy(src: Path, release_dir: Path, name: str) -> dict[str, object]:
        calls["n"] += 1
        if calls["n"] == 2:  # the second file of the new release
            raise OSError(28, "No space left on device")
        return real_copy(src, release_dir, name)

    monkeypatch.setattr(cf, "_copy_in", dying_copy)
    with pytest.raises(cf.ClinicFolderError, match="No space left"):
        _publish(clinic, tmp_path, "new")
    monkeypatch.undo()
    assert _marker(cf.sync(clinic, tmp_path / "pc2").file("imports.sqlite")) == "old"
    assert not (clinic / cf.LOCK_NAME).exists()


def test_publisher_killed_before_the_pointer_leaves_the_old_set(tmp_path: Path) -> None:
    """A release folder with files but no manifest and no pointer update (a kill) is
    invisible to readers."""
    clinic = tmp_path / "share"
    _publish(clinic, tmp_path, "old")
    half = clinic / cf.RELEASES_DIR / "000099-20261201T090000-PC9"
    half.mkdir()
    (half / "imports.sqlite").write_bytes(b"half written")
    assert _marker(cf.sync(clinic, tmp_path / "pc2").file("imports.sqlite")) == "old"


def test_a_file_changed_after_publishing_is_refused_and_the_cache_kept(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    _publish(clinic, tmp_path, "good")
    cf.sync(clinic, tmp_path / "pc2")
    release = _publish(clinic, tmp_path, "next")
    target = clinic / cf.RELEASES_DIR / release.folder / "imports.sqlite"
    target.write_bytes(target.read_bytes()[:-10])
    status = cf.sync(clinic, tmp_path / "pc2")
    assert status.offline and "does not match its manifest" in status.message
    assert _marker(status.file("imports.sqlite")) == "good"


def _publish_in_process(args: tuple[str, str]) -> int:
    clinic, marker = args
    tmp = Path(clinic).parent / f"w-{marker}"
    tmp.mkdir()
    return _publish(Path(clinic), tmp, marker, lock_wait=60.0).seq


def test_two_publishers_at_once_cannot_corrupt_the_folder(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        seqs = pool.map(_publish_in_process, [(str(clinic), "a"), (str(clinic), "b")])
    assert sorted(seqs) == [1, 2]
    status = cf.sync(clinic, tmp_path / "pc2")
    assert status.release is not None and status.release.seq == 2
    assert _marker(status.file("imports.sqlite")) in {"a", "b"}


def test_a_stale_lock_from_a_dead_publisher_is_taken_over(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    clinic.mkdir()
    lock = clinic / cf.LOCK_NAME
    lock.write_text("PC9 1234 long ago")
    os.utime(lock, (1, 1))
    assert _publish(clinic, tmp_path, "x", lock_wait=0.5).seq == 1


def test_a_live_lock_makes_a_second_publisher_wait_then_say_so(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    clinic.mkdir()
    (clinic / cf.LOCK_NAME).write_text("PC9 busy")
    with pytest.raises(cf.ClinicFolderError, match="Another workstation is publishing"):
        _publish(clinic, tmp_path, "x", lock_wait=0.3)


def test_folder_from_a_newer_version_is_read_as_far_as_it_can_be(tmp_path: Path) -> None:
    clinic = tmp_path / "share"
    release = _publish(clinic, tmp_path, "v1")
    rdir = clinic / cf.RELEASES_DIR / release.folder
    manifest = json.loads((rdir / cf.MANIFEST_NAME).read_text())
    manifest["format_version"] = 7
    manifest["files"]["fees-v9.bin"] = {"sha256": "0" * 64, "size": 3}
    manifest["future_field"] = {"x": [1, 2]}
    (rdir / cf.MANIFEST_NAME).write_text(json.dumps(manifest))
    (rdir / "fees-v9.bin").write_bytes(b"abc")
    status = cf.sync(clinic, tmp_path / "pc2")
    assert not status.offline and _marker(status.file("imports.sqlite")) == "v1"

    manifest["min_reader_version"] = 7
    (rdir / cf.MANIFEST_NAME).write_text(json.dumps(manifest))
    status = cf.sync(clinic, tmp_path / "pc3")
    assert status.offline and "newer PT Codes" in status.message


@pytest.mark.parametrize("pointer", [b"", b"{not json", b"[]", b'{"current": "../../etc"}',
                                     b'{"current": "releases/../x"}', b"\xff\xfe"])
def test_damaged_pointer_never_raises(tmp_path: Path, pointer: bytes) -> None:
    clinic = tmp_path / "share"
    _publish(clinic, tmp_path, "ok")
    cf.sync(clinic, tmp_path / "pc2")
    (clinic / cf.POINTER_NAME).write_bytes(pointer)
    status = cf.sync(clinic, tmp_path / "pc2")
    assert status.offline
    assert _marker(status.file("imports.sqlite")) == "ok"


def test_unknown_file_names_are_not_published(tmp_path: Path) -> None:
    with pytest.raises(cf.ClinicFolderError, match="not a clinic file"):
        cf.publish(tmp_path / "share", {"user.sqlite": tmp_path / "x"}, app_version="t")


def test_an_empty_clinic_folder_is_not_offline(tmp_path: Path) -> None:
    (tmp_path / "share").mkdir()
    status = cf.sync(tmp_path / "share", tmp_path / "pc")
    assert not status.offline and status.release is None
    assert "Nothing has been published" in status.message
