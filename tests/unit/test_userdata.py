"""User data store: favorites, templates, profiles, repair, read-only, migrations, backups."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptcodes_gui.userdata import backup, migrations, paths
from ptcodes_gui.userdata import store as store_module
from ptcodes_gui.userdata.store import (
    BundleError,
    DuplicateNameError,
    NotFoundError,
    StartupMessage,
    TemplateLine,
    UserDataError,
    UserDataReadOnly,
    UserStore,
    ValidationError,
    clean_text,
)

START = datetime(2025, 3, 10, 9, 0, 0)


class FakeClock:
    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path, clock: FakeClock) -> Iterator[UserStore]:
    opened, messages = UserStore.open(data_dir, clock=clock)
    assert messages == []
    yield opened
    opened.close()


def reopen(data_dir: Path, clock: FakeClock) -> tuple[UserStore, list[StartupMessage]]:
    return UserStore.open(data_dir, clock=clock)


def db_file(data_dir: Path) -> Path:
    return data_dir / paths.USER_DB_NAME


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def text_of(messages: list[StartupMessage]) -> str:
    return "\n".join(m.text for m in messages)


KNEE = (
    TemplateLine("97161"),
    TemplateLine("97110", minutes=23, modifiers=("GP",)),
    TemplateLine("97140", minutes=10, modifiers=("GP", "59"), provider="pta"),
    TemplateLine("97530", units_override=2),
)


# --------------------------------------------------------------------------- paths


def test_data_dir_env_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "portable"))
    assert paths.default_data_dir() == tmp_path / "portable"


def test_data_dir_default_is_the_platform_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)
    found = paths.default_data_dir()
    assert "PT Codes" in found.parts or "pt codes" in str(found).lower()
    assert Path(store_module.__file__).resolve().parents[2] not in found.parents


# --------------------------------------------------------------------------- favorites etc.


def test_favorites_survive_close_and_reopen(data_dir: Path, clock: FakeClock) -> None:
    first, _ = reopen(data_dir, clock)
    first.add_favorite("97110")
    first.add_favorite(" 97140 ")
    first.add_favorite("m54.50")
    first.add_favorite("97110")  # already there: no duplicate
    first.close()

    again, messages = reopen(data_dir, clock)
    assert messages == []
    assert again.favorites() == ["97110", "97140", "M54.50"]
    assert again.is_favorite("97140")
    assert not again.is_favorite("97530")
    again.close()


def test_a_new_favorite_goes_after_those_a_data_file_already_holds(
    data_dir: Path, clock: FakeClock
) -> None:
    """A data file from before (its favorites in order 1, 2, 3, as this program writes
    them): a favorite added now comes last in the Favorites list, not among them."""
    first, _ = reopen(data_dir, clock)
    first.close()
    with sqlite3.connect(db_file(data_dir)) as conn:
        conn.executemany("INSERT INTO favorites (code, added, seq) VALUES (?, ?, ?)",
                         [("97110", "2026-01-01", 1), ("97140", "2026-01-02", 2),
                          ("97530", "2026-01-03", 3)])
    conn.close()
    again, _ = reopen(data_dir, clock)
    again.add_favorite("97112")
    again.add_favorite("97116")
    assert again.favorites() == ["97110", "97140", "97530", "97112", "97116"]
    again.close()


def test_toggle_and_remove_favorite(store: UserStore) -> None:
    assert store.toggle_favorite("97530") is True
    assert store.favorites() == ["97530"]
    assert store.toggle_favorite("97530") is False
    assert store.favorites() == []
    store.add_favorite("97110")
    store.remove_favorite("97110")
    store.remove_favorite("97110")  # removing an absent favorite is harmless
    assert store.favorites() == []


@pytest.mark.parametrize("bad", ["", "   ", "97 110", "x" * 40, "97110;DROP"])
def test_invalid_codes_are_refused(store: UserStore, bad: str) -> None:
    with pytest.raises(ValidationError):
        store.add_favorite(bad)
    assert store.favorites() == []


def test_recents_newest_first_deduplicated_and_capped(store: UserStore) -> None:
    store.add_recent("97110")
    store.add_recent("97140")
    store.add_recent("97110")
    assert store.recents() == ["97110", "97140"]
    for n in range(60):
        store.add_recent(f"A{n:04d}")
    recents = store.recents()
    assert len(recents) == store_module.MAX_RECENTS
    assert recents[0] == "A0059"
    assert recents[-1] == "A0010"
    assert "97110" not in recents


def test_settings_hold_json_values(data_dir: Path, clock: FakeClock) -> None:
    first, _ = reopen(data_dir, clock)
    assert first.get_setting("theme", "light") == "light"
    first.set_setting("theme", "dark")
    first.set_setting("window", {"w": 800, "h": 600, "max": False})
    first.set_setting("theme", "system")
    with pytest.raises(ValidationError):
        first.set_setting("bad", {1, 2})
    with pytest.raises(ValidationError):
        first.set_setting("nan", float("nan"))
    first.close()
    again, _ = reopen(data_dir, clock)
    assert again.get_setting("theme") == "system"
    assert again.get_setting("window") == {"w": 800, "h": 600, "max": False}
    assert again.get_setting("bad", 0) == 0
    again.close()


# --------------------------------------------------------------------------- templates


def test_template_crud(store: UserStore, clock: FakeClock) -> None:
    saved = store.save_template("  Knee   post-op  ", KNEE)
    assert saved.name == "Knee post-op"
    assert saved.lines == KNEE
    assert saved.created == START

    with pytest.raises(DuplicateNameError):
        store.save_template("knee POST-OP", KNEE[:1])
    assert store.get_template("Knee post-op").lines == KNEE  # type: ignore[union-attr]

    clock.advance(hours=2)
    replaced = store.save_template("Knee post-op", KNEE[:2], overwrite=True)
    assert replaced.lines == KNEE[:2]
    assert replaced.created == START
    assert replaced.updated == START + timedelta(hours=2)

    store.save_template("Shoulder", [TemplateLine("97112", minutes=15)])
    assert [t.name for t in store.templates()] == ["Knee post-op", "Shoulder"]

    renamed = store.rename_template("knee post-op", "Knee (TKA)")
    assert renamed.name == "Knee (TKA)"
    assert renamed.renamed_from == "Knee post-op"
    assert renamed.lines == KNEE[:2]
    assert store.get_template("Knee post-op") is None
    with pytest.raises(DuplicateNameError):
        store.rename_template("Knee (TKA)", "SHOULDER")
    with pytest.raises(NotFoundError):
        store.rename_template("Hip", "Hip 2")
    store.rename_template("Shoulder", "shoulder")  # changing only the case is fine

    assert store.delete_template("KNEE (tka)") is True
    assert store.delete_template("Knee (TKA)") is False
    assert [t.name for t in store.templates()] == ["shoulder"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 81, "\u202e\u200b"])
def test_template_names_are_validated(store: UserStore, name: str) -> None:
    with pytest.raises(ValidationError):
        store.save_template(name, KNEE)
    assert store.templates() == []


def test_template_name_bidi_characters_are_stripped(store: UserStore) -> None:
    saved = store.save_template("Knee\u202e eval\u200b", KNEE[:1])
    assert saved.name == "Knee eval"


@pytest.mark.parametrize(
    "make",
    [
        lambda: TemplateLine("M54.50"),  # a diagnosis is not a template line
        lambda: TemplateLine("97110", minutes=-1),
        lambda: TemplateLine("97110", minutes=True),
        lambda: TemplateLine("97110", modifiers=("GP", "59", "KX", "CQ", "XU")),
        lambda: TemplateLine("97110", modifiers=("G P",)),
        lambda: TemplateLine("97110", provider="ot"),  # type: ignore[arg-type]
        lambda: TemplateLine("97110", units_override=0),
    ],
)
def test_template_lines_are_validated(make: Callable[[], TemplateLine]) -> None:
    with pytest.raises(ValidationError):
        make()


def test_a_template_needs_lines(store: UserStore) -> None:
    with pytest.raises(ValidationError):
        store.save_template("Empty", [])


# --------------------------------------------------------------------------- profiles


def test_payer_profiles(store: UserStore) -> None:
    medicare = {
        "name": "Medicare",
        "unit_rule": "cms",
        "daily_timed_unit_cap": None,
        "medicare": True,
    }
    store.save_profile(medicare)
    store.save_profile(
        {"name": "Acme PPO", "unit_rule": "midpoint", "daily_timed_unit_cap": 4, "medicare": False}
    )
    assert [p["name"] for p in store.profiles()] == ["Acme PPO", "Medicare"]
    store.save_profile({**medicare, "name": "medicare", "daily_timed_unit_cap": 8})
    assert store.profiles()[1] == {
        "name": "medicare",
        "unit_rule": "cms",
        "daily_timed_unit_cap": 8,
        "medicare": True,
    }
    assert store.delete_profile("ACME ppo") is True
    assert store.delete_profile("Acme PPO") is False
    assert [p["name"] for p in store.profiles()] == ["medicare"]


@pytest.mark.parametrize(
    "profile",
    [
        {"name": "X", "unit_rule": "eight"},
        {"name": "X", "unit_rule": "cms", "daily_timed_unit_cap": 0},
        {"name": "X", "unit_rule": "cms", "daily_timed_unit_cap": True},
        {"name": "X", "unit_rule": "cms", "medicare": "yes"},
        {"name": "X", "unit_rule": "midpoint", "medicare": True},
        {"name": "", "unit_rule": "cms"},
        {"unit_rule": "cms"},
        {"name": "X", "unit_rule": "cms", "patient": "Jane Doe"},
    ],
)
def test_payer_profiles_are_validated(store: UserStore, profile: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        store.save_profile(profile)
    assert store.profiles() == []


# --------------------------------------------------------------------------- repair


def _store_with_backup(data_dir: Path, clock: FakeClock, *, keep_copy: bool = False) -> None:
    """97110 is in a backup made at START + 1 h; 97530 was added after it. Without
    ``keep_copy`` the second copy (written with every change) is removed, so that what
    is tested is the path through the rotated backups."""
    first, _ = reopen(data_dir, clock)
    first.add_favorite("97110")
    first.save_template("Knee", KNEE)
    first.close()
    clock.advance(hours=1)
    second, _ = reopen(data_dir, clock)  # this open makes the backup
    second.add_favorite("97530")
    second.close()
    assert len(backup.list_backups(data_dir / paths.BACKUP_DIR_NAME)) == 1
    if not keep_copy:
        (data_dir / paths.BACKUP_DIR_NAME / "user-shadow.sqlite").unlink()


def _overwrite(path: Path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(data)


def test_garbage_header_is_moved_aside_and_backup_restored(
    data_dir: Path, clock: FakeClock
) -> None:
    _store_with_backup(data_dir, clock)
    garbage = b"this is not a database, honest!!" * 4
    _overwrite(db_file(data_dir), 0, garbage)
    clock.advance(days=2)

    repaired, messages = reopen(data_dir, clock)
    text = text_of(messages)
    moved = data_dir / "user.sqlite.corrupt-20250312-100000"
    assert "damaged" in text
    assert f"moved aside to {moved}" in text
    assert "backup of March 10, 2025 at 10:00 was restored" in text
    assert moved.read_bytes().startswith(garbage)
    assert repaired.favorites() == ["97110"]  # what the backup held
    assert repaired.get_template("Knee").lines == KNEE  # type: ignore[union-attr]
    assert not repaired.read_only
    repaired.add_favorite("97750")
    repaired.close()
    assert backup.check_file(db_file(data_dir)).ok


def test_garbage_without_backup_starts_fresh_and_says_so(data_dir: Path, clock: FakeClock) -> None:
    data_dir.mkdir()
    db_file(data_dir).write_bytes(b"\x00garbage" * 1000)
    fresh, messages = reopen(data_dir, clock)
    text = text_of(messages)
    assert "damaged" in text and "No usable backup" in text and "empty" in text
    assert (data_dir / "user.sqlite.corrupt-20250310-090000").exists()
    assert fresh.favorites() == []
    assert not fresh.read_only
    fresh.add_favorite("97110")
    assert fresh.favorites() == ["97110"]
    fresh.close()


def test_damaged_page_inside_the_file_is_detected(data_dir: Path, clock: FakeClock) -> None:
    _store_with_backup(data_dir, clock)
    db = db_file(data_dir)
    page_size = 4096
    assert db.stat().st_size > 3 * page_size
    _overwrite(db, page_size, os.urandom(page_size * 2))
    assert not backup.check_file(db).ok
    repaired, messages = reopen(data_dir, clock)
    assert "was restored" in text_of(messages)
    assert repaired.favorites() == ["97110"]
    repaired.close()


def test_a_damaged_newest_backup_is_skipped(data_dir: Path, clock: FakeClock) -> None:
    _store_with_backup(data_dir, clock)
    older = backup.list_backups(data_dir / "backups")[0]
    newer = older.path.with_name("user-20250310-120000.sqlite")
    newer.write_bytes(b"not a database" * 100)
    _overwrite(db_file(data_dir), 0, b"garbage" * 20)
    repaired, messages = reopen(data_dir, clock)
    assert "March 10, 2025 at 10:00" in text_of(messages)
    assert repaired.favorites() == ["97110"]
    repaired.close()


def test_a_leftover_wal_of_the_damaged_file_is_moved_aside_too(
    data_dir: Path, clock: FakeClock
) -> None:
    _store_with_backup(data_dir, clock)
    wal = data_dir / "user.sqlite-wal"
    wal.write_bytes(b"stale wal")
    _overwrite(db_file(data_dir), 0, b"garbage" * 20)
    repaired, _ = reopen(data_dir, clock)
    assert (data_dir / "user.sqlite.corrupt-20250310-100000-wal").read_bytes() == b"stale wal"
    assert repaired.favorites() == ["97110"]
    repaired.close()


# --------------------------------------------------------------------------- read-only


def _assert_writes_refused(ro: UserStore) -> None:
    attempts: list[Callable[[], object]] = [
        lambda: ro.add_favorite("97750"),
        lambda: ro.remove_favorite("97110"),
        lambda: ro.toggle_favorite("97110"),
        lambda: ro.add_recent("97110"),
        lambda: ro.set_setting("theme", "dark"),
        lambda: ro.save_template("New", KNEE),
        lambda: ro.rename_template("Knee", "Knee 2"),
        lambda: ro.delete_template("Knee"),
        lambda: ro.save_profile({"name": "X", "unit_rule": "cms"}),
        lambda: ro.delete_profile("X"),
        lambda: ro.remove_overlay("ncci"),
        lambda: ro.backup_now(),
    ]
    for attempt in attempts:
        with pytest.raises(UserDataReadOnly, match="Changes cannot be saved"):
            attempt()


def test_read_only_folder_via_probe(
    data_dir: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store_with_backup(data_dir, clock)
    before = digest(db_file(data_dir))
    backups_before = backup.list_backups(data_dir / "backups")
    monkeypatch.setattr(
        store_module, "probe_writable", lambda d: f"you do not have permission to write to {d}"
    )
    clock.advance(days=1)  # a backup would be due
    ro, messages = reopen(data_dir, clock)
    assert ro.read_only
    assert text_of(messages) == (
        f"Changes cannot be saved: you do not have permission to write to {data_dir}."
    )
    assert ro.favorites() == ["97110", "97530"]
    assert ro.get_template("Knee").lines == KNEE  # type: ignore[union-attr]
    _assert_writes_refused(ro)
    assert ro.favorites() == ["97110", "97530"]
    ro.close()
    assert digest(db_file(data_dir)) == before
    assert backup.list_backups(data_dir / "backups") == backups_before


def test_read_only_folder_with_chmod(data_dir: Path, clock: FakeClock) -> None:
    _store_with_backup(data_dir, clock)
    os.chmod(data_dir, 0o555)
    try:
        if os.access(data_dir, os.W_OK):
            pytest.skip("running as root: permission bits do not stop writes (see probe test)")
        ro, messages = reopen(data_dir, clock)
        assert ro.read_only
        assert "Changes cannot be saved" in text_of(messages)
        assert ro.favorites() == ["97110", "97530"]
        ro.close()
    finally:
        os.chmod(data_dir, 0o755)


def test_data_dir_that_is_a_file_opens_read_only(tmp_path: Path, clock: FakeClock) -> None:
    # Unwritable even for root: the folder cannot be created.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    ro, messages = reopen(blocker, clock)
    assert ro.read_only
    assert text_of(messages) == f"Changes cannot be saved: {blocker} is not a folder."
    assert ro.favorites() == []
    assert ro.templates() == []
    with pytest.raises(UserDataReadOnly):
        ro.add_favorite("97110")
    ro.close()
    assert blocker.read_text() == "x"


def test_full_disk_opens_read_only(
    data_dir: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store_with_backup(data_dir, clock)
    monkeypatch.setattr(store_module, "probe_writable", lambda d: f"the disk holding {d} is full")
    ro, messages = reopen(data_dir, clock)
    assert ro.read_only
    assert "is full" in text_of(messages)
    assert ro.favorites() == ["97110", "97530"]
    ro.close()


def test_probe_reports_real_problems(tmp_path: Path) -> None:
    assert store_module.probe_writable(tmp_path / "new" / "dir") is None
    assert (tmp_path / "new" / "dir").is_dir()
    assert list((tmp_path / "new" / "dir").iterdir()) == []  # the test file is gone
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert store_module.probe_writable(blocker) == f"{blocker} is not a folder"


def test_damaged_file_in_read_only_folder_is_left_alone(
    data_dir: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store_with_backup(data_dir, clock)
    _overwrite(db_file(data_dir), 0, b"garbage" * 20)
    before = digest(db_file(data_dir))
    monkeypatch.setattr(store_module, "probe_writable", lambda d: f"{d} is on a read-only disk")
    ro, messages = reopen(data_dir, clock)
    assert ro.read_only
    assert "damaged" in text_of(messages) and "read-only disk" in text_of(messages)
    assert digest(db_file(data_dir)) == before
    assert not list(data_dir.glob("*.corrupt-*"))
    ro.close()


def test_newer_version_opens_read_only(data_dir: Path, clock: FakeClock) -> None:
    _store_with_backup(data_dir, clock)
    conn = sqlite3.connect(db_file(data_dir), isolation_level=None)
    conn.execute("CREATE TABLE future_feature (x)")
    conn.execute("ALTER TABLE favorites ADD COLUMN color TEXT")
    conn.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 1}")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    before = digest(db_file(data_dir))

    ro, messages = reopen(data_dir, clock)
    assert ro.read_only
    assert "made by a newer version" in text_of(messages)
    assert ro.favorites() == ["97110", "97530"]
    assert ro.get_template("Knee").lines == KNEE  # type: ignore[union-attr]
    assert ro.profiles() == []
    with pytest.raises(UserDataReadOnly, match="newer version"):
        ro.add_favorite("97750")
    ro.close()
    assert digest(db_file(data_dir)) == before


# --------------------------------------------------------------------------- migrations


def _create_at(path: Path, version: int) -> None:
    """A database at an older schema version, with data in every table it has."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.migrate(conn, target=version)
    assert migrations.user_version(conn) == version
    if version >= 1:
        conn.execute("INSERT INTO favorites VALUES ('97110', '2024-01-01T10:00:00', 1)")
        conn.execute("INSERT INTO favorites VALUES ('M54.50', '2024-01-02T10:00:00', 2)")
        conn.execute("INSERT INTO recents VALUES ('97140', '2024-01-03T10:00:00', 7)")
        conn.execute("INSERT INTO settings VALUES ('theme', '\"dark\"')")
    if version >= 2:
        conn.execute(
            "INSERT INTO templates (id, name, created, updated) "
            "VALUES (1, 'Knee', '2024-01-01T10:00:00', '2024-01-05T10:00:00')"
        )
        conn.execute("INSERT INTO template_lines VALUES (1, 0, '97110', 23, 'GP', 'pt', NULL)")
        conn.execute("INSERT INTO template_lines VALUES (1, 1, '97140', NULL, '', 'pta', 2)")
    conn.close()


@pytest.mark.parametrize("version", range(migrations.LATEST_VERSION))
def test_every_older_version_upgrades_with_data_intact(
    data_dir: Path, clock: FakeClock, version: int
) -> None:
    _create_at(db_file(data_dir), version)
    upgraded, messages = reopen(data_dir, clock)
    assert messages == []
    assert not upgraded.read_only
    conn = sqlite3.connect(db_file(data_dir))
    assert migrations.user_version(conn) == migrations.LATEST_VERSION
    conn.close()
    if version >= 1:
        assert upgraded.favorites() == ["97110", "M54.50"]
        assert upgraded.recents() == ["97140"]
        assert upgraded.get_setting("theme") == "dark"
        # a pre-upgrade backup at the old version exists
        (taken,) = backup.list_backups(data_dir / "backups")
        old = sqlite3.connect(taken.path)
        assert migrations.user_version(old) == version
        old.close()
    if version >= 2:
        knee = upgraded.get_template("Knee")
        assert knee is not None
        assert knee.lines == (
            TemplateLine("97110", minutes=23, modifiers=("GP",)),
            TemplateLine("97140", provider="pta", units_override=2),
        )
        assert knee.created == datetime(2024, 1, 1, 10, 0)
        assert knee.renamed_from is None
    # everything of the newest version works on the upgraded file
    upgraded.add_favorite("97530")
    upgraded.save_template("Shoulder", KNEE[:1])
    upgraded.rename_template("Shoulder", "Shoulder 2")
    upgraded.save_profile({"name": "Medicare", "unit_rule": "cms", "medicare": True})
    assert upgraded.overlay_ncci() is None
    upgraded.close()


def test_migrations_are_contiguous_and_set_the_version() -> None:
    versions = [step.version for step in migrations.MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))
    assert len(versions) >= 3
    conn = sqlite3.connect(":memory:", isolation_level=None)
    assert migrations.migrate(conn) == versions
    assert migrations.user_version(conn) == migrations.LATEST_VERSION
    assert migrations.migrate(conn) == []  # idempotent


_FAILING_V2 = migrations.Migration(
    2,
    "fails halfway",
    (
        "CREATE TABLE templates (id INTEGER PRIMARY KEY, name TEXT)",
        "DELETE FROM favorites",
        "INSERT INTO no_such_table VALUES (1)",
    ),
)


def test_a_failing_step_leaves_the_old_version_and_data(tmp_path: Path) -> None:
    path = tmp_path / "u.sqlite"
    _create_at(path, 1)
    conn = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(migrations.MigrationError) as failure:
        migrations.migrate(conn, steps=(migrations.MIGRATIONS[0], _FAILING_V2))
    assert failure.value.version == 1
    assert failure.value.failed_step == 2
    assert migrations.user_version(conn) == 1
    assert [r[0] for r in conn.execute("SELECT code FROM favorites ORDER BY seq")] == [
        "97110",
        "M54.50",
    ]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")}
    assert "templates" not in tables
    assert not conn.in_transaction
    conn.close()


def test_a_failing_later_step_keeps_the_earlier_ones(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "u.sqlite", isolation_level=None)
    failing_v3 = migrations.Migration(3, "fails", ("CREATE TABLE x (y)", "SELECT nope()"))
    steps = (*migrations.MIGRATIONS[:2], failing_v3)
    with pytest.raises(migrations.MigrationError):
        migrations.migrate(conn, steps=steps)
    assert migrations.user_version(conn) == 2
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")}
    assert "templates" in tables and "x" not in tables
    conn.close()


def test_open_with_a_failing_upgrade_keeps_the_file_and_shows_the_data(
    data_dir: Path, clock: FakeClock
) -> None:
    _create_at(db_file(data_dir), 1)
    failing_v3 = migrations.Migration(3, "broken", ("SELECT nope()",))
    steps = (*migrations.MIGRATIONS[:2], failing_v3)
    ro, messages = UserStore.open(data_dir, clock=clock, steps=steps)
    assert ro.read_only
    text = text_of(messages)
    assert "could not be upgraded" in text and "unchanged at data version 2" in text
    assert ro.favorites() == ["97110", "M54.50"]  # salvaged into memory
    with pytest.raises(UserDataReadOnly):
        ro.add_favorite("97530")
    ro.close()
    conn = sqlite3.connect(db_file(data_dir))
    assert migrations.user_version(conn) == 2  # step 2 committed, step 3 rolled back
    assert conn.execute("SELECT count(*) FROM favorites").fetchone()[0] == 2
    conn.close()
    (pre_upgrade,) = backup.list_backups(data_dir / "backups")
    assert backup.check_file(pre_upgrade.path).ok


# --------------------------------------------------------------------------- backups


def test_backups_at_open_at_most_hourly(data_dir: Path, clock: FakeClock) -> None:
    backups_dir = data_dir / "backups"
    first, _ = reopen(data_dir, clock)
    first.add_favorite("97110")
    first.close()
    assert backup.list_backups(backups_dir) == []  # nothing worth saving at the first open

    for minutes, expected in [(10, 1), (20, 1), (69, 1), (70, 2), (600, 3)]:
        clock.now = START + timedelta(minutes=minutes)
        s, _ = reopen(data_dir, clock)
        s.close()
        assert len(backup.list_backups(backups_dir)) == expected, minutes

    # just after midnight, 20 minutes after the last one: none from today yet
    clock.now = datetime(2025, 3, 10, 23, 50)
    s, _ = reopen(data_dir, clock)
    s.close()
    clock.now = datetime(2025, 3, 11, 0, 10)
    s, _ = reopen(data_dir, clock)
    s.close()
    names = [b.path.name for b in backup.list_backups(backups_dir)]
    assert names[:2] == ["user-20250311-001000.sqlite", "user-20250310-235000.sqlite"]


def test_a_clock_with_a_time_zone_works(data_dir: Path) -> None:
    clock = FakeClock(datetime(2025, 3, 10, 9, 0, tzinfo=UTC))
    for _ in range(2):
        s, messages = UserStore.open(data_dir, clock=clock)
        assert messages == []
        s.add_favorite("97110")
        s.close()
        clock.advance(days=1)
    (info,) = backup.list_backups(data_dir / "backups")
    assert info.created.tzinfo is None


def test_backup_files_are_complete_single_files(data_dir: Path, clock: FakeClock) -> None:
    _store_with_backup(data_dir, clock)
    (info,) = backup.list_backups(data_dir / "backups")
    assert backup.check_file(info.path).ok
    header = info.path.read_bytes()[:20]
    assert header.startswith(b"SQLite format 3\x00")
    assert header[18:20] == b"\x01\x01"  # rollback journal, not WAL
    conn = sqlite3.connect(info.path)
    assert [r[0] for r in conn.execute("SELECT code FROM favorites")] == ["97110"]
    conn.close()
    names = sorted(p.name for p in (data_dir / "backups").iterdir())
    assert names == [".shadow.lock", info.path.name]  # the second copy: removed above


def test_rotation_policy_over_forty_days() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    migrations.migrate(conn)
    with tempfile.TemporaryDirectory() as tmp:
        backups_dir = Path(tmp)
        now = datetime(2025, 1, 1, 8, 0)
        end = now + timedelta(days=40)
        while now < end:
            for hour in (8, 12, 17):
                moment = now.replace(hour=hour)
                backup.maybe_backup(conn, backups_dir, moment)
            now += timedelta(days=1)
        last = now - timedelta(days=1)
        last = last.replace(hour=17)
        kept = backup.list_backups(backups_dir)
        created = [b.created for b in kept]
        # the 5 most recent
        assert created[:5] == [
            last,
            last.replace(hour=12),
            last.replace(hour=8),
            (last - timedelta(days=1)).replace(hour=17),
            (last - timedelta(days=1)).replace(hour=12),
        ]
        # one per day for the last 7 days
        days = {c.date() for c in created}
        for back in range(7):
            assert (last - timedelta(days=back)).date() in days
        # one per ISO week for the last 4 weeks, and nothing older than that
        weeks = {c.isocalendar()[:2] for c in created}
        for back in range(0, 28, 7):
            assert (last - timedelta(days=back)).isocalendar()[:2] in weeks
        assert min(created) > last - timedelta(days=28)
        assert len(kept) <= backup.KEEP_RECENT + 7 + 5
    conn.close()


def test_a_failed_backup_leaves_no_half_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    migrations.migrate(conn)
    monkeypatch.setattr(backup, "check_file", lambda p: backup.FileCheck("corrupt", "simulated"))
    with pytest.raises(sqlite3.DatabaseError, match="simulated"):
        backup.make_backup(conn, tmp_path, START)
    assert list(tmp_path.iterdir()) == []
    conn.close()


def test_stale_temp_files_are_ignored_and_removed(data_dir: Path, clock: FakeClock) -> None:
    _store_with_backup(data_dir, clock)
    backups_dir = data_dir / "backups"
    stale = backups_dir / ".tmp-user-20250310-110000.sqlite"
    stale.write_bytes(b"half a backup")
    fresh = backups_dir / ".tmp-another-copy-is-writing.sqlite"
    fresh.write_bytes(b"being written right now")
    old = time.time() - backup.STALE_TEMP_SECONDS - 60
    os.utime(stale, (old, old))
    (backups_dir / "notes.txt").write_text("mine")
    assert len(backup.list_backups(backups_dir)) == 1
    clock.advance(days=1)
    s, _ = reopen(data_dir, clock)
    s.close()
    assert not stale.exists()
    assert fresh.exists()  # may belong to a second copy of PT Codes making its backup
    assert (backups_dir / "notes.txt").read_text() == "mine"
    assert len(backup.list_backups(backups_dir)) == 2


def test_close_leaves_one_self_contained_file(data_dir: Path, clock: FakeClock) -> None:
    s, _ = reopen(data_dir, clock)
    s.add_favorite("97110")
    assert (data_dir / "user.sqlite-wal").exists()  # WAL while open (folder writable)
    s.close()
    assert not (data_dir / "user.sqlite-wal").exists()
    assert db_file(data_dir).read_bytes()[18:20] == b"\x01\x01"


# --------------------------------------------------------------------------- bundles


def _fill(s: UserStore) -> None:
    s.add_favorite("97110")
    s.add_favorite("97140")
    s.save_template("Knee", KNEE)
    s.save_template("Shoulder", [TemplateLine("97112", minutes=15, modifiers=("GP",))])
    s.save_profile({"name": "Medicare", "unit_rule": "cms", "medicare": True})
    s.save_profile({"name": "Acme", "unit_rule": "midpoint", "daily_timed_unit_cap": 4})


def _snapshot(s: UserStore) -> object:
    return (
        s.favorites(),
        [(t.name, t.lines) for t in s.templates()],
        s.profiles(),
    )


def test_export_import_round_trip(tmp_path: Path, clock: FakeClock) -> None:
    source, _ = UserStore.open(tmp_path / "a", clock=clock)
    _fill(source)
    bundle = tmp_path / "export.json"
    source.export_bundle(bundle)
    data = json.loads(bundle.read_text(encoding="utf-8"))
    assert data["format"] == "ptcodes-userdata-bundle" and data["version"] == 1
    assert set(data) == {"format", "version", "exported_at", "favorites", "templates", "profiles"}

    target, _ = UserStore.open(tmp_path / "b", clock=clock)
    summary = target.import_bundle(bundle)
    assert summary.favorites_added == 2
    assert summary.templates_added == ("Knee", "Shoulder")
    assert summary.templates_replaced == ()
    assert sorted(summary.profiles_added) == ["Acme", "Medicare"]
    assert _snapshot(target) == _snapshot(source)
    assert target.get_template("Knee").created == START  # type: ignore[union-attr]
    source.close()
    target.close()


def test_import_merges_and_reports_replacements(tmp_path: Path, clock: FakeClock) -> None:
    source, _ = UserStore.open(tmp_path / "a", clock=clock)
    _fill(source)
    bundle = tmp_path / "export.json"
    source.export_bundle(bundle)
    source.close()

    target, _ = UserStore.open(tmp_path / "b", clock=clock)
    target.add_favorite("97530")
    target.add_favorite("97110")
    target.save_template("knee", [TemplateLine("97750")])
    target.save_template("Hip", [TemplateLine("97116")])
    target.save_profile({"name": "ACME", "unit_rule": "cms"})
    summary = target.import_bundle(bundle)
    assert summary.favorites_added == 1
    assert summary.templates_replaced == ("Knee",)
    assert summary.templates_added == ("Shoulder",)
    assert summary.profiles_replaced == ("Acme",)
    assert target.favorites() == ["97530", "97110", "97140"]
    assert [t.name for t in target.templates()] == ["Hip", "Knee", "Shoulder"]
    assert target.get_template("Knee").lines == KNEE  # type: ignore[union-attr]
    assert target.profiles()[0]["unit_rule"] == "midpoint"
    target.close()


def _good_bundle() -> dict[str, object]:
    return {
        "format": "ptcodes-userdata-bundle",
        "version": 1,
        "favorites": ["97750"],
        "templates": [
            {"name": "New one", "lines": [{"code": "97110", "minutes": 30}]},
        ],
        "profiles": [{"name": "Other", "unit_rule": "cms"}],
    }


def _bad_line(bundle: dict[str, object], line: dict[str, object]) -> dict[str, object]:
    templates = bundle["templates"]
    assert isinstance(templates, list)
    templates.append({"name": "Bad", "lines": [line]})
    return bundle


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "broken JSON"),
        (b"\xff\xfe{}", "UTF-8"),
        (json.dumps([1, 2]).encode(), "not a PT Codes export"),
        (json.dumps({**_good_bundle(), "format": "other"}).encode(), "not a PT Codes export"),
        (json.dumps({**_good_bundle(), "version": 99}).encode(), "newer version"),
        (json.dumps({**_good_bundle(), "favorites": ["97750", ""]}).encode(), "favorite 2"),
        (
            json.dumps(_bad_line(_good_bundle(), {"code": "97110", "dx": "M17.11"})).encode(),
            "dx",
        ),
        (
            json.dumps(_bad_line(_good_bundle(), {"code": "97110", "minutes": "ten"})).encode(),
            "Minutes",
        ),
        (
            json.dumps({**_good_bundle(), "profiles": [{"name": "X", "unit_rule": "?"}]}).encode(),
            "profile 1",
        ),
        (
            json.dumps(
                {
                    **_good_bundle(),
                    "templates": [
                        {"name": "Twice", "lines": [{"code": "97110"}]},
                        {"name": "TWICE", "lines": [{"code": "97140"}]},
                    ],
                }
            ).encode(),
            "appears twice",
        ),
        (json.dumps({**_good_bundle(), "patients": []}).encode(), "unknown section"),
    ],
)
def test_malformed_bundle_changes_nothing(
    store: UserStore, tmp_path: Path, content: bytes, message: str
) -> None:
    _fill(store)
    before = _snapshot(store)
    path = tmp_path / "bundle.json"
    path.write_bytes(content)
    with pytest.raises(BundleError, match=message):
        store.import_bundle(path)
    assert _snapshot(store) == before


def test_bundle_apply_failure_rolls_everything_back(
    store: UserStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(store)
    before = _snapshot(store)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(_good_bundle()), encoding="utf-8")

    def fail(*args: object) -> bool:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store_module.profiles, "put", fail)
    with pytest.raises(UserDataError, match="disk is full"):
        store.import_bundle(path)
    assert _snapshot(store) == before  # favorites and templates were rolled back too


def test_export_to_a_missing_folder_fails_cleanly(store: UserStore, tmp_path: Path) -> None:
    _fill(store)
    with pytest.raises(UserDataError, match="export could not be written"):
        store.export_bundle(tmp_path / "no" / "such" / "dir" / "out.json")
    assert not (tmp_path / "no").exists()


def test_export_replaces_an_old_file_atomically(store: UserStore, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text("old", encoding="utf-8")
    _fill(store)
    store.export_bundle(out)
    assert json.loads(out.read_text(encoding="utf-8"))["favorites"] == ["97110", "97140"]
    assert [p.name for p in tmp_path.iterdir() if p.name != "data"] == ["out.json"]


def test_read_only_store_can_export_but_not_import(
    data_dir: Path, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s, _ = reopen(data_dir, clock)
    _fill(s)
    s.close()
    monkeypatch.setattr(store_module, "probe_writable", lambda d: "the folder is read-only")
    ro, _ = reopen(data_dir, clock)
    out = tmp_path / "out.json"
    ro.export_bundle(out)
    assert json.loads(out.read_text(encoding="utf-8"))["favorites"] == ["97110", "97140"]
    with pytest.raises(UserDataReadOnly):
        ro.import_bundle(out)
    ro.close()


# --------------------------------------------------------------------------- properties

_lines = st.builds(
    TemplateLine,
    code=st.from_regex(r"\A[0-9A-Z]{5}\Z"),
    minutes=st.none() | st.integers(0, 1440),
    modifiers=st.lists(st.from_regex(r"\A[0-9A-Z]{2}\Z"), max_size=4).map(tuple),
    provider=st.sampled_from(["pt", "pta"]),
    units_override=st.none() | st.integers(1, 99),
)


def test_templates_round_trip_through_store_and_bundle(tmp_path: Path) -> None:
    clock = FakeClock()
    source, _ = UserStore.open(tmp_path / "a", clock=clock)
    counter = iter(range(10_000))

    @settings(max_examples=60, deadline=None)
    @given(name=st.text(min_size=1, max_size=60), lines=st.lists(_lines, min_size=1, max_size=8))
    def check(name: str, lines: list[TemplateLine]) -> None:
        unique = f"{next(counter)} {name}"
        try:
            saved = source.save_template(unique, lines)
        except ValidationError:
            assert not " ".join(clean_text(unique).split()) or len(clean_text(unique)) > 80
            return
        assert saved.lines == tuple(lines)
        assert source.get_template(saved.name) == saved

    check()
    bundle = tmp_path / "b.json"
    source.export_bundle(bundle)
    target, _ = UserStore.open(tmp_path / "b", clock=clock)
    target.import_bundle(bundle)
    assert [(t.name, t.lines) for t in target.templates()] == [
        (t.name, t.lines) for t in source.templates()
    ]
    source.close()
    target.close()
