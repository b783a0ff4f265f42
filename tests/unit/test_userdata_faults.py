"""Issue 25, items 1-3, 7, 8: no lockout, no lost write, no silent empty start."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ptcodes_gui.userdata import db as db_module
from ptcodes_gui.userdata import pending, shadow, startup
from ptcodes_gui.userdata.store import UserStore
from ptcodes_gui.userdata.templates import TemplateLine

LINES = [TemplateLine("97110", 15), TemplateLine("97140", 8)]


def _filled(data: Path, favorites: int = 5) -> list[str]:
    """A data folder whose backup (made at open) lacks the favorites written after it."""
    store, _ = UserStore.open(data)
    codes = [f"X{i:04d}" for i in range(favorites)]
    for code in codes:
        store.add_favorite(code)
    store.save_template("Knee", LINES)
    store.close()
    return codes


def _reopen(data: Path) -> tuple[UserStore, str]:
    store, messages = UserStore.open(data)
    return store, " ".join(m.text for m in messages)


# ----------------------------------------------------------------- item 1: hot journal


def test_a_hot_journal_left_by_a_kill_is_rolled_back_not_a_lockout(tmp_path: Path) -> None:
    data = tmp_path / "data"
    codes = _filled(data)
    db = data / "user.sqlite"
    script = (f"import sqlite3,os; c=sqlite3.connect({str(db)!r},isolation_level=None);"
              "c.execute('PRAGMA cache_size=1'); c.execute('BEGIN IMMEDIATE');"
              "c.execute(\"UPDATE favorites SET added=hex(randomblob(3000))\");"
              "os.kill(os.getpid(), 9)")
    subprocess.run([sys.executable, "-c", script], check=False)
    assert (data / "user.sqlite-journal").stat().st_size > 0  # hot: a kill mid-write
    store, text = _reopen(data)
    assert not store.read_only, text
    assert store.favorites() == codes
    assert store.get_template("Knee") is not None
    store.close()


# ----------------------------------------------------------------- item 2: one snapshot


def test_the_start_sweep_never_sees_lines_committed_between_its_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    _filled(data, 1)
    other = sqlite3.connect(data / "user.sqlite", isolation_level=None, timeout=0.1)
    real_rows = db_module.Db.rows
    wrote: list[str] = []

    def rows_then_commit(self: db_module.Db, sql: str, params: object = ()) -> object:
        found = real_rows(self, sql, params)  # type: ignore[arg-type]
        if "FROM templates" in sql and not wrote:
            # another copy saves a template between the sweep's two reads
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("INSERT INTO templates (name, created, updated) VALUES "
                              "('Hip', '2026-01-01T00:00:00', '2026-01-01T00:00:00')")
                tid = other.execute("SELECT id FROM templates WHERE name='Hip'").fetchone()[0]
                other.execute("INSERT INTO template_lines (template_id, position, code, "
                              "minutes, modifiers, provider) VALUES (?, 0, '97110', 15, '', "
                              "'pt')", (tid,))
                other.execute("COMMIT")
                wrote.append("committed")
            except sqlite3.OperationalError:
                other.execute("ROLLBACK") if other.in_transaction else None
                wrote.append("waited")  # the sweep holds the lock: the writer waits
        return found

    monkeypatch.setattr(db_module.Db, "rows", rows_then_commit)
    store, text = _reopen(data)
    monkeypatch.undo()
    assert wrote
    assert "set aside" not in text
    assert store.quarantined() == 0
    store.close()
    other.close()
    again, _ = _reopen(data)
    assert again.quarantined() == 0
    assert again.get_template("Knee") is not None
    again.close()


def test_a_template_read_sees_one_snapshot(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    _filled(data, 1)
    store, _ = _reopen(data)
    other = sqlite3.connect(data / "user.sqlite", isolation_level=None, timeout=2)
    real_rows = db_module.Db.rows
    done: list[bool] = []

    def rows_then_delete(self: db_module.Db, sql: str, params: object = ()) -> object:
        found = real_rows(self, sql, params)  # type: ignore[arg-type]
        if "FROM templates" in sql and not done:
            other.execute("DELETE FROM template_lines")  # another copy edits meanwhile
            done.append(True)
        return found

    monkeypatch.setattr(db_module.Db, "rows", rows_then_delete)
    shown = store.templates()
    monkeypatch.undo()
    assert done and [t.name for t in shown] == ["Knee"]
    assert len(shown[0].lines) == 2  # the lines of the state the template was read in
    store.close()
    other.close()


# ----------------------------------------------------------------- item 3: second copy


@pytest.mark.parametrize("damage", ["deleted", "empty", "half", "page"])
def test_no_acknowledged_write_is_lost_when_the_file_is_damaged(tmp_path: Path,
                                                                damage: str) -> None:
    data = tmp_path / "data"
    codes = _filled(data, 21)
    db = data / "user.sqlite"
    if damage == "deleted":
        db.unlink()
    elif damage == "empty":
        os.truncate(db, 0)
    elif damage == "half":
        os.truncate(db, db.stat().st_size // 2)
    else:
        with db.open("r+b") as handle:
            handle.seek(4096)
            handle.write(b"\0" * 4096)
    store, text = _reopen(data)
    assert "copy kept with every change" in text
    assert store.favorites() == codes
    assert not store.read_only
    store.close()


def test_the_second_copy_follows_every_write_of_two_copies(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first, _ = _reopen(data)
    second, _ = _reopen(data)
    first.add_favorite("97110")
    second.add_favorite("97140")
    first.close()
    second.close()
    (data / "user.sqlite").unlink()
    store, _ = _reopen(data)
    assert store.favorites() == ["97110", "97140"]
    store.close()


# ----------------------------------------------------------------- item 7: queued at close


def test_changes_queued_behind_a_lock_are_kept_at_close_and_saved_next_start(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    _filled(data, 0)
    store, _ = _reopen(data)
    other = sqlite3.connect(data / "user.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another copy holds the lock past the close
    store.add_favorite("97112")
    store.set_setting("theme", "dark")
    assert store.pending_count == 2
    start = time.monotonic()
    store.close()
    assert time.monotonic() - start < 10
    assert store.close_note is not None and "will be saved at the next start" in store.close_note
    assert len(pending.files(data)) == 1
    other.execute("COMMIT")
    other.close()
    again, text = _reopen(data)
    assert "2 change(s)" in text
    assert again.favorites() == ["97112"]
    assert again.get_setting("theme") == "dark"
    assert pending.files(data) == []
    again.close()


# ----------------------------------------------------------------- item 8: unreadable


@pytest.mark.parametrize("odd", ["folder", "fifo"])
def test_an_unreadable_file_shows_the_newest_copy_read_only_and_says_so(
    tmp_path: Path, odd: str
) -> None:
    data = tmp_path / "data"
    codes = _filled(data)
    db = data / "user.sqlite"
    db.unlink()
    if odd == "folder":
        db.mkdir()
    else:
        os.mkfifo(db)
    start = time.monotonic()
    store, text = _reopen(data)
    assert time.monotonic() - start < 10  # a FIFO is never opened (it would block)
    assert store.read_only
    assert "could not be opened" in text and "is shown, read-only" in text
    assert store.favorites() == codes
    store.close()
    assert db.is_dir() if odd == "folder" else db.is_fifo()  # left as it is


def test_an_empty_start_always_says_why(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _filled(data)
    (data / "user.sqlite").unlink()
    for path in (data / "backups").iterdir():
        if path.suffix == ".sqlite":
            path.write_bytes(b"damaged" * 100)
    store, text = _reopen(data)
    assert store.favorites() == []
    assert "none of the" in text and "could be read" in text and "empty" in text
    store.close()


def test_a_first_start_says_nothing(tmp_path: Path) -> None:
    store, text = _reopen(tmp_path / "new")
    assert text == ""
    store.close()


def test_sweep_skips_when_another_copy_writes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _filled(data, 1)
    conn = sqlite3.connect(data / "user.sqlite", isolation_level=None, timeout=0.05)
    other = sqlite3.connect(data / "user.sqlite", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    other.execute("BEGIN IMMEDIATE")
    assert startup.sweep(conn, lambda: __import__("datetime").datetime(2026, 1, 1), "x") is None
    other.execute("ROLLBACK")
    other.close()
    conn.close()


def test_a_row_damaged_past_quick_check_comes_back_from_the_second_copy(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    codes = _filled(data, 8)
    db = data / "user.sqlite"
    raw = db.read_bytes()
    assert b"X0003" in raw
    db.write_bytes(raw.replace(b"X0003", b"X#003"))  # same length: quick_check passes
    store, text = _reopen(data)
    assert "copy kept with every change" in text and "set aside" not in text
    assert store.favorites() == codes
    assert store.quarantined() == 0
    store.close()


def test_rows_a_newer_version_wrote_are_set_aside_not_restored(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _filled(data, 2)
    # a newer version saved a template line with its wider limits, through its own store:
    # the counter bumped and the second copy written with the change
    conn = sqlite3.connect(data / "user.sqlite", isolation_level=None)
    conn.execute("UPDATE template_lines SET minutes = 5000")
    conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'write_seq'")
    shadow.write_shadow(conn, data)
    conn.close()
    store, text = _reopen(data)
    assert "set aside 1 saved item" in text and "damaged" not in text
    assert store.quarantined() == 1
    assert store.favorites() == ["X0000", "X0001"]
    store.close()


def test_a_file_busy_with_another_copy_is_not_called_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ptcodes_gui.userdata import backup

    data = tmp_path / "data"
    codes = _filled(data, 3)
    real = backup.check_file
    monkeypatch.setattr(backup, "check_file", lambda p: backup.FileCheck(
        "unreadable", "database is locked") if p.name == "user.sqlite" else real(p))
    store, text = _reopen(data)
    assert not store.read_only, text
    assert store.favorites() == codes
    store.close()


def test_a_missing_file_without_any_backup_left_says_why(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _filled(data)
    (data / "user.sqlite").unlink()
    for path in (data / "backups").iterdir():
        path.unlink()
    store, text = _reopen(data)
    assert store.favorites() == []
    assert "is missing, and there is no backup" in text and "empty" in text
    store.close()
