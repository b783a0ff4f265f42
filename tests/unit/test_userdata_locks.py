"""Another copy of PT Codes holding the write lock never freezes a write; two copies
started in the same second never collide on temp names."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from ptcodes_gui.userdata import backup, paths
from ptcodes_gui.userdata.store import TemplateLine, UserDataBusy, UserStore

NOW = datetime(2025, 3, 10, 9, 0)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[UserStore]:
    s, _ = UserStore.open(tmp_path / "data", clock=lambda: NOW)
    s.add_favorite("97110")
    yield s
    s.close()


@pytest.fixture
def other_copy(tmp_path: Path, store: UserStore) -> Iterator[sqlite3.Connection]:
    """A second connection holding the write lock, as another running copy would."""
    conn = sqlite3.connect(tmp_path / "data" / paths.USER_DB_NAME, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


def test_a_locked_write_is_queued_shown_and_saved_later(
    store: UserStore, other_copy: sqlite3.Connection, tmp_path: Path
) -> None:
    said: list[str] = []
    store.on_status = said.append
    started = time.perf_counter()
    store.add_favorite("97140")
    store.set_setting("theme", "dark")
    waited = time.perf_counter() - started
    assert waited < 2.0  # one short busy timeout, not 5 s per write
    assert said and "another copy of PT Codes" in said[0]
    assert store.favorites() == ["97110", "97140"]  # shown at once
    assert store.is_favorite("97140")
    assert store.get_setting("theme") == "dark"
    assert store.pending_count == 2
    assert store.retry_pending() == 2  # still locked
    other_copy.execute("ROLLBACK")
    assert store.retry_pending() == 0
    store.close()
    again, _ = UserStore.open(tmp_path / "data", clock=lambda: NOW)
    assert again.favorites() == ["97110", "97140"]
    assert again.get_setting("theme") == "dark"
    again.close()


def test_a_locked_template_save_says_busy_at_once(
    store: UserStore, other_copy: sqlite3.Connection
) -> None:
    with pytest.raises(UserDataBusy, match="another copy"):
        store.save_template("Knee", [TemplateLine("97110")])
    other_copy.execute("ROLLBACK")
    store.save_template("Knee", [TemplateLine("97110")])


def test_two_copies_backing_up_in_the_same_second_keep_both(tmp_path: Path) -> None:
    conns = []
    for n in range(2):
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER)")
        conn.execute("INSERT INTO meta VALUES ('write_seq', ?)", (n + 1,))
        conns.append(conn)
    errors: list[BaseException] = []
    made: list[backup.BackupInfo] = []
    barrier = threading.Barrier(2)

    def run(conn: sqlite3.Connection) -> None:
        try:
            barrier.wait()
            made.append(backup.make_backup(conn, tmp_path, NOW))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in conns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({m.path for m in made}) == 2
    assert sorted(b.seq for b in backup.by_content(backup.list_backups(tmp_path), NOW)) == [1, 2]
    assert not list(tmp_path.glob(".tmp-*"))
