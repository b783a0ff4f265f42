"""Backup rotation (userdata/backup.py) at its edges: the exact set kept, on a week that does
not end on a Sunday (where the daily and weekly rules do not hide each other's off-by-one).

The policy: the 5 most recent; the newest of each calendar day for the last 7 days (today
included); the newest of each ISO week for the last 28 days; nothing else.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ptcodes_gui.userdata import backup, migrations


@pytest.fixture
def conn() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:", isolation_level=None)
    migrations.migrate(db)
    yield db
    db.close()


def _three_a_day(conn: sqlite3.Connection, folder: Path, first: datetime, last: datetime) -> None:
    """A backup at 8:00, 12:00 and 17:00 every day, rotating after each, as the app does."""
    day = first
    while day <= last:
        for hour in (8, 12, 17):
            assert backup.maybe_backup(conn, folder, day.replace(hour=hour)) is not None
        day += timedelta(days=1)


def _kept(folder: Path) -> set[str]:
    return {f"{b.created:%Y-%m-%d %H}" for b in backup.list_backups(folder)}


def test_rotation_keeps_exactly_the_policy_on_a_wednesday(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    last = datetime(2025, 2, 12)  # a Wednesday (ISO week 7 runs Mon 10 - Sun 16 February)
    _three_a_day(conn, tmp_path, datetime(2025, 1, 1), last)
    assert _kept(tmp_path) == {
        # the 5 most recent
        "2025-02-12 17", "2025-02-12 12", "2025-02-12 08", "2025-02-11 17", "2025-02-11 12",
        # the newest of each of the last 7 days (6-12 February; 11 and 12 are above)
        "2025-02-10 17", "2025-02-09 17", "2025-02-08 17", "2025-02-07 17", "2025-02-06 17",
        # the newest of each ISO week of the last 28 days (from 16 January): weeks 5, 4, 3
        # (week 6 ends Sunday 9 February, kept above as a daily one; week 7 is today)
        "2025-02-02 17", "2025-01-26 17", "2025-01-19 17",
    }


def test_the_daily_rule_stops_after_seven_days(conn: sqlite3.Connection, tmp_path: Path) -> None:
    # 5 February (8 days back, a Wednesday) is not the newest of its week: dropped
    _three_a_day(conn, tmp_path, datetime(2025, 2, 1), datetime(2025, 2, 12))
    kept = _kept(tmp_path)
    assert "2025-02-06 17" in kept
    assert not any(k.startswith("2025-02-05") for k in kept)


def test_the_weekly_rule_stops_after_28_days(conn: sqlite3.Connection, tmp_path: Path) -> None:
    # now Sunday 9 February: Sunday 12 January is 28 days back, the newest of its week, and
    # still dropped; Monday 13 January (27 days back) is the newest of its week in range
    _three_a_day(conn, tmp_path, datetime(2025, 1, 6), datetime(2025, 1, 13))
    _three_a_day(conn, tmp_path, datetime(2025, 2, 8), datetime(2025, 2, 9))
    kept = _kept(tmp_path)
    assert "2025-01-13 17" in kept
    assert not any(k.startswith("2025-01-12") for k in kept)
    assert not any(k < "2025-01-12" for k in kept)


def test_the_five_most_recent_survive_however_old(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    for moment in (datetime(2024, 1, 1, 8), datetime(2024, 2, 1, 8), datetime(2024, 3, 1, 8),
                   datetime(2024, 4, 1, 8), datetime(2024, 5, 1, 8), datetime(2024, 6, 1, 8)):
        backup.make_backup(conn, tmp_path, moment)
    backup.prune_backups(tmp_path, datetime(2025, 6, 1, 8))
    # all older than 28 days: only the 5 most recent are kept, the oldest goes
    assert _kept(tmp_path) == {"2024-02-01 08", "2024-03-01 08", "2024-04-01 08",
                               "2024-05-01 08", "2024-06-01 08"}


def test_a_backup_is_due_after_an_hour_or_on_a_new_day(tmp_path: Path) -> None:
    (tmp_path / "user-20250212-100000.sqlite").write_bytes(b"")
    assert not backup.backup_due(tmp_path, datetime(2025, 2, 12, 10, 59, 59))
    assert backup.backup_due(tmp_path, datetime(2025, 2, 12, 11, 0, 0))
    late = tmp_path / "user-20250212-233000.sqlite"
    late.write_bytes(b"")
    assert backup.backup_due(tmp_path, datetime(2025, 2, 13, 0, 1))  # a new day, 31 min on
    assert backup.backup_due(tmp_path.parent / "none-here", datetime(2025, 2, 13))


def test_a_name_a_day_ahead_is_believed_more_is_not(tmp_path: Path) -> None:
    now = datetime(2025, 2, 12, 12)
    ahead = backup.BackupInfo(tmp_path / "a", now + backup.CLOCK_SLACK)
    beyond = backup.BackupInfo(tmp_path / "b", now + backup.CLOCK_SLACK + timedelta(seconds=1))
    assert backup.sane(ahead, now) and not backup.sane(beyond, now)


def test_without_hard_links_two_backups_in_one_second_keep_both(
    conn: sqlite3.Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FAT/exFAT drives and some network shares refuse hard links: the names still never clash
    def no_links(src: object, dst: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(backup.os, "link", no_links)
    moment = datetime(2025, 2, 12, 9, 30)
    first = backup.make_backup(conn, tmp_path, moment)
    second = backup.make_backup(conn, tmp_path, moment)
    assert first.path.name == "user-20250212-093000.sqlite"
    assert second.path.name == "user-20250212-093000-1.sqlite"
    assert all(backup.check_file(b.path).ok for b in (first, second))
    assert not list(tmp_path.glob(".tmp-*"))


def test_the_last_good_backup_survives_newer_damaged_ones(tmp_path: Path) -> None:
    """Five newer backups that are damaged (a failing disk) fill the "5 most recent"; the
    last good one is older than every window and is kept all the same."""
    good = tmp_path / "user-20240101-080000.sqlite"
    older = tmp_path / "user-20230101-080000.sqlite"
    for path in (good, older):
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE favorites (code TEXT)")
        db.commit()
        db.close()
    for day in range(1, 6):
        (tmp_path / f"user-202506{day:02d}-080000.sqlite").write_bytes(b"not a database" * 64)
    removed = backup.prune_backups(tmp_path, datetime(2025, 6, 10, 8))
    assert removed == [older]
    assert good.exists()


def test_a_backup_named_in_the_future_does_not_win_the_restore(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    """One run with the clock set to 2031 made a backup of the same content: the restore
    takes the backup made today, not the one whose name claims to be newest."""
    now = datetime(2025, 2, 12, 9, 30)
    today = backup.make_backup(conn, tmp_path, now)
    backup.make_backup(conn, tmp_path, datetime(2031, 1, 1, 8))
    best = backup.newest_good_backup(tmp_path, now)
    assert best is not None and best.path == today.path
    # within a day ahead (a time zone or a slow clock) a name is still believed
    ahead = backup.make_backup(conn, tmp_path, now + timedelta(hours=20))
    again = backup.newest_good_backup(tmp_path, now)
    assert again is not None and again.path == ahead.path


def test_a_file_another_copy_holds_locked_is_unreadable_not_corrupt(tmp_path: Path) -> None:
    """A busy database must never be judged damaged (a damaged one is moved aside)."""
    path = tmp_path / "user.sqlite"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("CREATE TABLE favorites (code TEXT)")
    writer.execute("BEGIN EXCLUSIVE")
    try:
        found = backup.check_file(path)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert found.state == "unreadable" and not found.ok
    assert backup.check_file(path).ok
    (tmp_path / "junk.sqlite").write_bytes(b"not a database" * 64)
    assert backup.check_file(tmp_path / "junk.sqlite").state == "corrupt"


def test_an_old_backup_that_cannot_be_deleted_does_not_stop_the_rotation(
    conn: sqlite3.Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program holds one old backup open (Windows refuses to delete it): the next
    backup is made all the same, the others due go, and that one is left for next time."""
    _three_a_day(conn, tmp_path, datetime(2025, 2, 10), datetime(2025, 2, 10))
    stuck = backup.list_backups(tmp_path)[-1].path  # 10 February 08:00
    unlink = Path.unlink

    def refuse(path: Path, missing_ok: bool = False) -> None:
        if path == stuck:
            raise PermissionError(13, "The process cannot access the file", str(path))
        unlink(path, missing_ok)

    monkeypatch.setattr(Path, "unlink", refuse)
    _three_a_day(conn, tmp_path, datetime(2025, 2, 11), datetime(2025, 2, 12))
    kept = _kept(tmp_path)
    assert "2025-02-12 17" in kept and "2025-02-10 08" in kept  # made; the stuck one stays
    assert "2025-02-10 12" not in kept  # pruned as the policy says


def test_a_file_named_like_a_backup_with_an_impossible_date_hides_no_backup(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    """A stray "user-20250000-000000.sqlite" (month 00) in the backups folder is ignored;
    the real backups are all still listed (to restore, and to rotate)."""
    _three_a_day(conn, tmp_path, datetime(2025, 2, 10), datetime(2025, 2, 10))
    (tmp_path / "user-20250000-000000.sqlite").write_bytes(b"")
    assert _kept(tmp_path) == {"2025-02-10 08", "2025-02-10 12", "2025-02-10 17"}
