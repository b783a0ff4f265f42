"""Issue 14: loading is total, a missing file is a restore, the repair is crash-safe.

Every case builds a real user.sqlite, damages it the way a user's machine would, and
opens it like the app does: the start never raises, acknowledged data a backup holds is
never lost, and what was set aside is said once.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import random
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ptcodes_gui.userdata import backup, opening, paths, shadow
from ptcodes_gui.userdata.store import StartupMessage, TemplateLine, UserStore

START = datetime(2025, 3, 10, 9, 0, 0)
KNEE = (TemplateLine("97110", minutes=23, modifiers=("GP",)), TemplateLine("97140"))
HIP = (TemplateLine("97116", minutes=15),)


class Clock:
    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def db_file(data_dir: Path) -> Path:
    return data_dir / paths.USER_DB_NAME


def text_of(messages: list[StartupMessage]) -> str:
    return "\n".join(m.text for m in messages)


def backups_digest(data_dir: Path) -> dict[str, str]:
    folder = data_dir / paths.BACKUP_DIR_NAME
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name.startswith("user-2")  # the backups, not the second copy
    } if folder.exists() else {}


def populate(data_dir: Path, clock: Clock) -> None:
    """Favorites, two templates, a profile and a setting, all in a backup too."""
    s, _ = UserStore.open(data_dir, clock=clock)
    for code in ("97110", "97140", "97530", "M54.50"):
        s.add_favorite(code)
    s.save_template("Knee", KNEE)
    s.save_template("Hip", HIP)
    s.save_profile({"name": "Medicare", "unit_rule": "cms", "medicare": True})
    s.set_setting("theme", "dark")
    s.backup_now()
    s.close()


def raw(data_dir: Path, sql: str, params: tuple[object, ...] = ()) -> None:
    """A change as another version of PT Codes saves it: the change counter bumped and
    the second copy rewritten (a change that does neither looks like damage, and the
    second copy, which has the rows intact, is put back)."""
    conn = sqlite3.connect(db_file(data_dir), isolation_level=None)
    conn.execute(sql, params)
    with contextlib.suppress(sqlite3.Error):
        conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'write_seq'")
    if (data_dir / paths.BACKUP_DIR_NAME).is_dir():
        shadow.write_shadow(conn, data_dir)
    conn.close()


@pytest.fixture
def opened(data_dir: Path, clock: Clock) -> Iterator[Callable[[], tuple[UserStore, str]]]:
    stores: list[UserStore] = []

    def open_() -> tuple[UserStore, str]:
        s, messages = UserStore.open(data_dir, clock=clock)
        stores.append(s)
        return s, text_of(messages)

    yield open_
    for s in stores:
        s.close()


# --------------------------------------------------------------------------- rows


def test_non_utf8_updated_keeps_the_template_and_says_so(
    data_dir: Path, clock: Clock, opened: Callable[[], tuple[UserStore, str]]
) -> None:
    populate(data_dir, clock)
    raw(data_dir, "UPDATE templates SET updated = CAST(x'fffe41c3' AS TEXT) WHERE name = 'Knee'")
    s, said = opened()
    assert [t.name for t in s.templates()] == ["Hip", "Knee"]
    assert s.get_template("Knee").lines == KNEE  # type: ignore[union-attr]
    assert said.count("\n") == 0 and "template 'Knee'" in said and "quarantine" in said
    assert s.quarantined() == 1
    s.close()
    again, said_again = opened()
    assert said_again == ""  # told once
    assert [t.name for t in again.templates()] == ["Hip", "Knee"]


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("UPDATE template_lines SET minutes = 5000 WHERE code = '97110'", "5000"),
        ("UPDATE template_lines SET modifiers = 'GP 59 KX CQ XU' WHERE code = '97110'",
         "at most 4 modifiers"),
    ],
)
def test_a_newer_versions_wider_limits_set_one_template_aside(
    data_dir: Path, clock: Clock, opened: Callable[[], tuple[UserStore, str]],
    sql: str, reason: str,
) -> None:
    populate(data_dir, clock)
    raw(data_dir, sql)
    s, said = opened()
    assert [t.name for t in s.templates()] == ["Hip"]
    assert s.favorites() == ["97110", "97140", "97530", "M54.50"]
    assert "set aside 1 saved item" in said and reason in said
    assert f"quarantine table of {db_file(data_dir)}" in said
    conn = sqlite3.connect(db_file(data_dir))
    (label, content), = conn.execute("SELECT label, content FROM quarantine").fetchall()
    conn.close()
    assert label == "template 'Knee'" and "97110" in content  # kept, with its lines
    assert not s.read_only
    s.save_template("Knee", KNEE)  # the name is free again
    assert [t.name for t in s.templates()] == ["Hip", "Knee"]


def test_created_yesterday_is_reset_not_fatal(
    data_dir: Path, clock: Clock, opened: Callable[[], tuple[UserStore, str]]
) -> None:
    populate(data_dir, clock)
    raw(data_dir, "UPDATE templates SET created = 'yesterday' WHERE name = 'Hip'")
    s, said = opened()
    hip = s.get_template("Hip")
    assert hip is not None and hip.lines == HIP
    assert hip.created == hip.updated
    assert "unreadable date" in said


def test_bad_favorites_profiles_and_settings_are_set_aside(
    data_dir: Path, clock: Clock, opened: Callable[[], tuple[UserStore, str]]
) -> None:
    populate(data_dir, clock)
    raw(data_dir, "INSERT INTO favorites VALUES ('not a code!', 'x', 99)")
    raw(data_dir, "UPDATE payer_profiles SET daily_timed_unit_cap = 500")
    raw(data_dir, "INSERT INTO settings VALUES ('broken', '{not json')")
    raw(data_dir, "INSERT INTO favorites VALUES ('97112', 'x', 'third')")  # a garbled position
    s, said = opened()
    assert s.favorites() == ["97110", "97140", "97530", "M54.50"]
    assert s.profiles() == []
    assert s.get_setting("theme") == "dark"
    assert "set aside 4 saved items" in said
    assert s.quarantined() == 4


# --------------------------------------------------------------------------- whole file


def test_catalog_copied_over_user_sqlite_is_repaired_from_the_backup(
    data_dir: Path, clock: Clock, opened: Callable[[], tuple[UserStore, str]]
) -> None:
    populate(data_dir, clock)
    catalog = Path(__file__).resolve().parents[2] / "ptcodes_gui" / "data" / "catalog.sqlite"
    shutil.copyfile(catalog, db_file(data_dir))
    s, said = opened()
    assert "damaged" in said and "was restored" in said
    assert s.favorites() == ["97110", "97140", "97530", "M54.50"]
    assert not s.read_only


def test_an_integrity_check_that_raises_unicode_errors_counts_as_damage(
    data_dir: Path, clock: Clock, opened: Callable[[], tuple[UserStore, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    populate(data_dir, clock)
    damaged = db_file(data_dir)
    real = backup.connect_read_only

    class Exploding:
        def __init__(self, conn: sqlite3.Connection) -> None:
            self.conn = conn
            self.text_factory: object = str

        def execute(self, sql: str, *args: object) -> object:
            if "quick_check" in sql:
                raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
            return self.conn.execute(sql, *args)

        def close(self) -> None:
            self.conn.close()

    def connect(path: Path, *, immutable: bool = False) -> object:
        conn = real(path, immutable=immutable)
        return Exploding(conn) if path.resolve() == damaged.resolve() else conn

    monkeypatch.setattr(backup, "connect_read_only", connect)
    assert backup.check_file(damaged).state == "corrupt"
    monkeypatch.undo()


def test_real_damaged_schema_bytes_never_stop_a_start(
    data_dir: Path, clock: Clock, opened: Callable[[], tuple[UserStore, str]]
) -> None:
    populate(data_dir, clock)
    conn = sqlite3.connect(db_file(data_dir), isolation_level=None)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_schema SET sql = CAST(x'435245415445205441424c4520ff' AS TEXT) "
                 "WHERE name = 'settings'")
    conn.close()
    s, said = opened()
    assert said  # told what happened
    assert s.favorites() == ["97110", "97140", "97530", "M54.50"]


@pytest.mark.parametrize("how", ["missing", "empty"])
def test_a_missing_or_empty_file_with_backups_is_a_restore(
    data_dir: Path, clock: Clock, opened: Callable[[], tuple[UserStore, str]], how: str
) -> None:
    populate(data_dir, clock)
    before = backups_digest(data_dir)
    if how == "missing":
        db_file(data_dir).unlink()
    else:
        db_file(data_dir).write_bytes(b"")
    s, said = opened()
    assert f"was {how}" in said and "was restored" in said
    assert s.favorites() == ["97110", "97140", "97530", "M54.50"]
    assert [t.name for t in s.templates()] == ["Hip", "Knee"]
    assert backups_digest(data_dir).items() >= before.items()


def test_a_missing_file_without_backups_is_a_first_run(
    data_dir: Path, opened: Callable[[], tuple[UserStore, str]]
) -> None:
    s, said = opened()
    assert said == "" and s.favorites() == []


def test_newest_means_newest_content_not_a_2031_clock(
    data_dir: Path, clock: Clock, opened: Callable[[], tuple[UserStore, str]]
) -> None:
    populate(data_dir, clock)
    clock.now = datetime(2031, 1, 1, 12, 0)  # one run with a wrong clock
    s, _ = opened()
    s.backup_now()
    s.close()
    clock.now = START + timedelta(days=1)
    s, _ = opened()
    s.add_favorite("97750")  # newer content than the 2031 backup
    s.backup_now()
    s.close()
    db_file(data_dir).write_bytes(b"garbage" * 100)
    s, said = opened()
    assert "97750" in s.favorites()
    assert "March 11, 2025" in said


def test_the_last_good_backup_is_never_pruned(tmp_path: Path) -> None:
    good = tmp_path / "user-20250101-090000.sqlite"
    conn = sqlite3.connect(good)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER)")
    conn.execute("INSERT INTO meta VALUES ('write_seq', 5)")
    conn.commit()
    conn.close()
    now = datetime(2025, 3, 1, 9, 0)
    for day in range(1, 9):  # eight newer backups, all damaged
        (tmp_path / f"user-202502{day:02d}-090000.sqlite").write_bytes(b"\0bad" * 300)
    backup.prune_backups(tmp_path, now)
    assert good.exists()
    assert backup.newest_good_backup(tmp_path, now) == backup.BackupInfo(
        good, datetime(2025, 1, 1, 9, 0), 5
    )


# --------------------------------------------------------------------------- crash safety


class Killed(BaseException):
    """The process was killed at this step (not an Exception: nothing catches it)."""


STEP_NAMES = ("copy_file", "fsync_file", "link", "replace", "fsync_dir")


def _arm(monkeypatch: pytest.MonkeyPatch, at: int, error: BaseException) -> list[str]:
    """Make the ``at``-th file step of the repair fail with ``error``."""
    steps: list[str] = []

    def wrap(owner: object, name: str) -> None:
        real = getattr(owner, name)

        def step(*args: object, **kwargs: object) -> object:
            steps.append(name)
            if len(steps) == at:
                raise error
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, step)

    wrap(backup, "copy_file")
    wrap(backup, "fsync_file")
    wrap(backup, "fsync_dir")
    wrap(opening.os, "link")
    wrap(opening.os, "replace")
    return steps


@pytest.mark.parametrize("how", ["damaged", "missing"])
def test_a_kill_at_any_step_of_the_repair_leaves_old_or_repaired(
    data_dir: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    populate(data_dir, clock)
    pristine = db_file(data_dir).read_bytes()
    at = 1
    while True:
        if how == "damaged":
            db_file(data_dir).write_bytes(b"garbage!" * 512)
        else:
            db_file(data_dir).unlink(missing_ok=True)
        old = db_file(data_dir).read_bytes() if db_file(data_dir).exists() else None
        backups = backups_digest(data_dir)
        with monkeypatch.context() as m:
            steps = _arm(m, at, Killed())
            try:
                s, _ = UserStore.open(data_dir, clock=clock)
            except Killed:
                killed = True
            else:
                killed = False
                s.close()
        assert backups_digest(data_dir) == backups, f"backups changed (kill at {at})"
        now = db_file(data_dir).read_bytes() if db_file(data_dir).exists() else None
        assert now == old or backup.check_file(db_file(data_dir)).ok, steps
        s, _ = UserStore.open(data_dir, clock=clock)  # the next start, nothing failing
        assert s.favorites() == ["97110", "97140", "97530", "M54.50"], f"kill at {at}"
        s.close()
        db_file(data_dir).write_bytes(pristine)
        for extra in data_dir.glob("user.sqlite-*"):
            extra.unlink()
        if not killed:
            break
        at += 1
    assert at >= 4  # copy, fsync, (link,) replace, fsync_dir were all tried


@pytest.mark.parametrize("how", ["damaged", "missing"])
def test_a_full_disk_shows_the_backup_read_only(
    data_dir: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    populate(data_dir, clock)
    if how == "damaged":
        db_file(data_dir).write_bytes(b"garbage!" * 512)
    else:
        db_file(data_dir).unlink()

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup, "copy_file", full)
    s, messages = UserStore.open(data_dir, clock=clock)
    said = text_of(messages)
    assert "No usable backup" not in said
    assert "is full" in said and "backup of March 10, 2025" in said
    assert s.read_only
    assert s.favorites() == ["97110", "97140", "97530", "M54.50"]
    s.close()
    if how == "damaged":
        assert db_file(data_dir).read_bytes() == b"garbage!" * 512  # left as it was
    monkeypatch.undo()
    s, _ = UserStore.open(data_dir, clock=clock)  # space again: repaired
    assert s.favorites() == ["97110", "97140", "97530", "M54.50"] and not s.read_only
    s.close()


# --------------------------------------------------------------------------- fault harness

FAULT_CASES = 160


def test_random_byte_damage_never_stops_a_start(
    tmp_path: Path, clock: Clock, record_property: Callable[[str, object], None]
) -> None:
    """≥150 random 1-8 byte corruptions of a populated file: the start never raises,
    backups are untouched, and data missing from the store is never missing silently."""
    seed_dir = tmp_path / "seed"
    populate(seed_dir, clock)
    pristine = db_file(seed_dir).read_bytes()
    rng = random.Random(14)
    counts = {"clean": 0, "told": 0, "all shown": 0, "read-only": 0, "silent loss": 0}
    expected_favs = ["97110", "97140", "97530", "M54.50"]
    for case in range(FAULT_CASES):
        work = tmp_path / f"case{case}"
        shutil.copytree(seed_dir, work)
        data = bytearray(pristine)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        db_file(work).write_bytes(bytes(data))
        before = backups_digest(work)
        s, messages = UserStore.open(work, clock=clock)  # must not raise
        shown = (s.favorites() == expected_favs
                 and [t.name for t in s.templates()] == ["Hip", "Knee"]
                 and len(s.profiles()) == 1)
        counts["clean"] += not messages
        counts["told"] += bool(messages)
        counts["all shown"] += shown
        counts["read-only"] += s.read_only
        counts["silent loss"] += (not shown and not messages)
        s.close()
        assert backups_digest(work).items() >= before.items(), f"case {case}"
        # the next start is fine too
        again, _ = UserStore.open(work, clock=clock)
        again.close()
        shutil.rmtree(work)
    record_property("fault_counts", counts)
    print(f"\nfault harness over {FAULT_CASES} cases: {counts}")
    assert counts["silent loss"] == 0, counts


# --------------------------------------------------------------------------- the CLI

DAMAGES = {
    "non-utf8 updated": "UPDATE templates SET updated = CAST(x'fffe41c3' AS TEXT)",
    "minutes 5000": "UPDATE template_lines SET minutes = 5000",
    "five modifiers": "UPDATE template_lines SET modifiers = 'GP 59 KX CQ XU'",
    "created yesterday": "UPDATE templates SET created = 'yesterday'",
    "bad profile": "UPDATE payer_profiles SET daily_timed_unit_cap = 500, "
    "name = CAST(x'ff' AS TEXT)",
}


@pytest.mark.parametrize("damage", [*DAMAGES, "catalog copied over"])
def test_the_cli_visit_and_import_never_crash_on_damaged_data(
    data_dir: Path, clock: Clock, tmp_path: Path, damage: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from ptcodes_gui.cli.main import main

    populate(data_dir, clock)
    if damage in DAMAGES:
        raw(data_dir, DAMAGES[damage])
    else:
        catalog = Path(__file__).resolve().parents[2] / "ptcodes_gui" / "data" / "catalog.sqlite"
        shutil.copyfile(catalog, db_file(data_dir))
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(data_dir))
    # a name that is not built in makes the CLI read the user's own profiles
    assert main(["visit", "97110=23", "--profile", "No such payer"]) == 2
    err = capsys.readouterr().err
    assert "no payer profile named 'No such payer'" in err and "Traceback" not in err
    assert main(["visit", "97110=23"]) == 0
    assert "97110" in capsys.readouterr().out
    codes = tmp_path / "codes.csv"
    codes.write_text("code,title\nX0001,Clinic gait class\n", encoding="utf-8")
    assert main(["import", "codes", str(codes), "--data-dir", str(data_dir)]) == 0
    assert "Preview only" in capsys.readouterr().out


def test_a_legacy_import_with_an_unreadable_date_is_kept(
    data_dir: Path, clock: Clock, opened: Callable[[], tuple[UserStore, str]]
) -> None:
    from ptcodes_gui.userdata.overlays import ClinicCode

    populate(data_dir, clock)
    s, _ = opened()
    s.replace_overlay("codes", [ClinicCode("X0001", "Gait class")], file_name="c.csv",
                      source="clinic")
    s.close()
    raw(data_dir, "UPDATE imports SET imported_at = 'yesterday'")
    raw(data_dir, "UPDATE overlay_codes SET title = CAST(x'ff41' AS TEXT)")
    again, said = opened()
    assert [i.file_name for i in again.imports_info()] == ["c.csv"]
    assert "codes import" in said and "unreadable" in said
    assert again.overlay_codes() == []  # its one row cannot be read: skipped, not raised
    assert again.overlay_rows("codes") == {}


def test_an_unexpected_failure_while_opening_shows_the_backup_read_only(
    data_dir: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ptcodes_gui.userdata import store as store_module

    populate(data_dir, clock)

    def broken(*_args: object) -> object:
        raise RuntimeError("a bug nobody foresaw")

    monkeypatch.setattr(store_module, "open_store", broken)
    s, messages = UserStore.open(data_dir, clock=clock)
    said = text_of(messages)
    assert "a bug nobody foresaw" in said and "backup of March 10, 2025" in said
    assert s.read_only and s.favorites() == ["97110", "97140", "97530", "M54.50"]
    s.close()
