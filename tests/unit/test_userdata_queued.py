"""Favorite changes queued behind another copy's write lock (userdata/store.py with
userdata/favorites.py): shown at once, saved in order once the lock is gone."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from ptcodes_gui.userdata import paths
from ptcodes_gui.userdata.store import UserStore

NOW = datetime(2025, 3, 10, 9, 0)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[UserStore]:
    s, _ = UserStore.open(data_dir, clock=lambda: NOW)
    s.add_favorite("97110")
    s.add_favorite("97140")
    yield s
    s.close()


@pytest.fixture
def lock(data_dir: Path, store: UserStore) -> Iterator[sqlite3.Connection]:
    """Another running copy holding the write lock."""
    conn = sqlite3.connect(data_dir / paths.USER_DB_NAME, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


def _reopened(data_dir: Path) -> list[str]:
    again, _ = UserStore.open(data_dir, clock=lambda: NOW)
    try:
        return again.favorites()
    finally:
        again.close()


def test_a_queued_removal_is_shown_at_once_and_saved_later(
    store: UserStore, lock: sqlite3.Connection, data_dir: Path
) -> None:
    said: list[str] = []
    store.on_status = said.append
    store.remove_favorite("97110")
    assert said and "another copy of PT Codes" in said[0]
    assert store.pending_count == 1
    assert store.favorites() == ["97140"]
    assert not store.is_favorite("97110") and store.is_favorite("97140")
    lock.execute("ROLLBACK")
    assert store.retry_pending() == 0
    assert store.favorites() == ["97140"]
    store.close()
    assert _reopened(data_dir) == ["97140"]


def test_queued_changes_are_applied_in_the_order_made(
    store: UserStore, lock: sqlite3.Connection, data_dir: Path
) -> None:
    store.add_favorite("97530")
    store.remove_favorite("97530")  # added then removed: not a favorite
    store.remove_favorite("97110")
    store.add_favorite("97110")  # removed then added: a favorite again, now last
    assert store.toggle_favorite("97140") is False  # a queued toggle removes it
    expected = ["97110"]
    assert store.favorites() == expected
    assert store.pending_count == 5
    lock.execute("ROLLBACK")
    assert store.retry_pending() == 0
    assert store.favorites() == expected
    store.close()
    assert _reopened(data_dir) == expected


def test_a_removal_behind_a_queued_write_waits_its_turn(
    store: UserStore, lock: sqlite3.Connection
) -> None:
    store.add_favorite("97530")
    lock.execute("ROLLBACK")  # the lock is gone, but the queue is not empty yet
    store.remove_favorite("97140")
    assert store.pending_count == 2  # queued behind the first, never ahead of it
    assert store.favorites() == ["97110", "97530"]
    assert store.retry_pending() == 0
    assert store.favorites() == ["97110", "97530"]


def test_a_queued_recent_moves_to_the_top_once(
    store: UserStore, lock: sqlite3.Connection, data_dir: Path
) -> None:
    lock.execute("ROLLBACK")
    for code in ("97110", "97140", "97530"):
        store.add_recent(code)
    lock.execute("BEGIN IMMEDIATE")
    store.add_recent("97110")  # already a recent: queued, shown first, not twice
    assert store.recents() == ["97110", "97530", "97140"]
    lock.execute("ROLLBACK")
    assert store.retry_pending() == 0
    assert store.recents() == ["97110", "97530", "97140"]


def test_a_queued_new_recent_goes_on_top_and_the_others_stay(
    store: UserStore, lock: sqlite3.Connection
) -> None:
    lock.execute("ROLLBACK")
    for code in ("97530", "97110", "97140"):
        store.add_recent(code)
    lock.execute("BEGIN IMMEDIATE")
    store.add_recent("97112")  # opened while another copy writes: shown first at once
    assert store.recents() == ["97112", "97140", "97110", "97530"]
    lock.execute("ROLLBACK")
    assert store.retry_pending() == 0
    assert store.recents() == ["97112", "97140", "97110", "97530"]


def test_a_queued_add_of_a_favorite_already_there_shows_it_once(
    store: UserStore, lock: sqlite3.Connection
) -> None:
    store.add_favorite("97110")  # already a favorite (from another window, or a bundle)
    assert store.favorites() == ["97110", "97140"]
    lock.execute("ROLLBACK")
    assert store.retry_pending() == 0
    assert store.favorites() == ["97110", "97140"]
