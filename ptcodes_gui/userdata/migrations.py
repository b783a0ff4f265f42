"""Schema of the user database, as a list of steps keyed by ``PRAGMA user_version``.

Rules for adding a step (the tests enforce the first three):

* versions are contiguous from 1; a step is never edited once released, only added;
* each step runs in ONE transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``) together with
  the ``PRAGMA user_version`` bump, so a failure leaves the previous version and its
  data exactly as they were;
* every older version must upgrade with its data intact (tests build each one);
* steps only add tables and columns: an older app opens a newer file read-only and
  still reads the tables it knows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass


class MigrationError(Exception):
    """A step failed; the database was left at ``version`` (the last good one)."""

    def __init__(self, message: str, *, version: int, failed_step: int) -> None:
        super().__init__(message)
        self.version = version
        self.failed_step = failed_step


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]

    def apply(self, conn: sqlite3.Connection) -> None:
        # conn.execute, not executescript: executescript COMMITs first, which would
        # split the step over several transactions.
        for statement in self.statements:
            conn.execute(statement)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "favorites, recents, settings",
        (
            """CREATE TABLE favorites (
                code TEXT PRIMARY KEY,
                added TEXT NOT NULL,
                seq INTEGER NOT NULL
            )""",
            """CREATE TABLE recents (
                code TEXT PRIMARY KEY,
                used TEXT NOT NULL,
                seq INTEGER NOT NULL
            )""",
            "CREATE INDEX recents_seq ON recents (seq)",
            """CREATE TABLE settings (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            )""",
        ),
    ),
    Migration(
        2,
        "visit templates",
        (
            """CREATE TABLE templates (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                created TEXT NOT NULL,
                updated TEXT NOT NULL
            )""",
            """CREATE TABLE template_lines (
                template_id INTEGER NOT NULL REFERENCES templates (id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                code TEXT NOT NULL,
                minutes INTEGER,
                modifiers TEXT NOT NULL DEFAULT '',
                provider TEXT NOT NULL DEFAULT 'pt' CHECK (provider IN ('pt', 'pta')),
                units_override INTEGER,
                PRIMARY KEY (template_id, position)
            )""",
        ),
    ),
    Migration(
        3,
        "payer profiles, import overlays, template rename metadata",
        (
            "ALTER TABLE templates ADD COLUMN renamed_from TEXT",
            "ALTER TABLE templates ADD COLUMN renamed_at TEXT",
            """CREATE TABLE payer_profiles (
                name TEXT PRIMARY KEY COLLATE NOCASE,
                unit_rule TEXT NOT NULL CHECK (unit_rule IN ('cms', 'midpoint')),
                daily_timed_unit_cap INTEGER,
                medicare INTEGER NOT NULL CHECK (medicare IN (0, 1)),
                updated TEXT NOT NULL
            )""",
            """CREATE TABLE imports (
                kind TEXT PRIMARY KEY CHECK (kind IN ('codes', 'descriptors', 'ncci')),
                file_name TEXT NOT NULL,
                source TEXT NOT NULL,
                imported_at TEXT NOT NULL,
                row_count INTEGER NOT NULL,
                latest_effective TEXT
            )""",
            """CREATE TABLE overlay_codes (
                code TEXT PRIMARY KEY,
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                category TEXT NOT NULL,
                timed INTEGER NOT NULL CHECK (timed IN (0, 1)),
                unit_minutes INTEGER,
                notes TEXT NOT NULL
            )""",
            """CREATE TABLE overlay_descriptors (
                code TEXT PRIMARY KEY,
                descriptor TEXT NOT NULL,
                source TEXT NOT NULL
            )""",
            """CREATE TABLE overlay_ncci (
                column1 TEXT NOT NULL,
                column2 TEXT NOT NULL,
                indicator INTEGER NOT NULL CHECK (indicator IN (0, 1, 9)),
                effective TEXT,
                deleted TEXT,
                rationale TEXT NOT NULL,
                PRIMARY KEY (column1, column2)
            )""",
        ),
    ),
    Migration(
        4,
        "content sequence for backups, quarantine of rows that cannot be loaded",
        (
            # write_seq grows with every committed change: the backup holding the highest
            # value has the newest content, whatever the clock said when it was made.
            """CREATE TABLE meta (
                key TEXT PRIMARY KEY,
                value INTEGER NOT NULL
            )""",
            "INSERT INTO meta (key, value) VALUES ('write_seq', 1)",
            """CREATE TABLE quarantine (
                id INTEGER PRIMARY KEY,
                source_table TEXT NOT NULL,
                label TEXT NOT NULL,
                reason TEXT NOT NULL,
                content TEXT NOT NULL,
                found TEXT NOT NULL
            )""",
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version


def user_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def pending(conn: sqlite3.Connection, steps: Sequence[Migration] = MIGRATIONS) -> list[int]:
    current = user_version(conn)
    return [step.version for step in steps if step.version > current]


def migrate(
    conn: sqlite3.Connection,
    *,
    steps: Sequence[Migration] = MIGRATIONS,
    target: int | None = None,
) -> list[int]:
    """Apply the steps above the current version (up to ``target``); return those applied.

    ``conn`` must be in autocommit mode (``isolation_level=None``) so that each step's
    transaction is exactly the one opened here. Raises ``MigrationError`` when a step
    fails; that step is rolled back and the earlier ones stay committed.
    """
    if conn.in_transaction:
        raise RuntimeError("migrate() needs a connection with no open transaction")
    applied: list[int] = []
    for step in steps:
        if target is not None and step.version > target:
            break
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the lock: another instance may have migrated meanwhile.
            current = user_version(conn)
            if step.version <= current:
                conn.execute("ROLLBACK")
                continue
            if step.version != current + 1:
                raise MigrationError(
                    f"no step leads from data version {current} to {step.version}",
                    version=current,
                    failed_step=step.version,
                )
            step.apply(conn)
            # PRAGMA takes no parameters; the value is an int from our own table.
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, MigrationError):
                raise
            if isinstance(exc, sqlite3.Error):
                raise MigrationError(
                    f"upgrading the saved data to version {step.version} "
                    f"({step.description}) failed: {exc}",
                    version=user_version(conn),
                    failed_step=step.version,
                ) from exc
            raise
        applied.append(step.version)
    return applied
