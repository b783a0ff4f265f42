"""Rows set aside at load: kept, never deleted, and told to the user once.

Loading is total: each kind's ``sweep`` reads every row through a validator that returns
a reason instead of raising. A row that does not decode or validate is copied into the
``quarantine`` table (as JSON; bytes that are not text kept as hex) and removed from its
own table in the same transaction, so the rest loads and nothing is lost. A newer
version's wider limits (say, 5000 minutes) therefore cost an older version one template,
set aside where support can find it, never the whole start.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class BadRow:
    """One row (or a template with its lines) that could not be loaded."""

    table: str
    rowids: tuple[int, ...]  # in ``table``; for a template: its id
    label: str  # "template 'Knee'", "favorite 97110"
    reason: str
    content: dict[str, object]
    #: extra rows removed with it: (table, rowid)
    children: tuple[tuple[str, int], ...] = ()
    #: when set, the row is kept and only these columns are rewritten (a copy of the row
    #: as found still goes to quarantine): an unreadable date must not cost a template
    repair: dict[str, object] | None = None


def _jsonable(value: object) -> object:
    if isinstance(value, bytes):
        return {"bytes_hex": value.hex()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


def row_dict(row: sqlite3.Row) -> dict[str, object]:
    return {key: row[key] for key in row.keys()}  # noqa: SIM118 (sqlite3.Row)


def set_aside(conn: sqlite3.Connection, bad: Sequence[BadRow], found: str) -> None:
    """Inside the caller's transaction: copy each row into ``quarantine``, then remove it."""
    for item in bad:
        conn.execute(
            "INSERT INTO quarantine (source_table, label, reason, content, found) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                item.table,
                item.label,
                item.reason,
                json.dumps(_jsonable(item.content), ensure_ascii=True, sort_keys=True),
                found,
            ),
        )
        if item.repair is not None:
            sets = ", ".join(f'"{col}" = ?' for col in item.repair)
            for rowid in item.rowids:
                conn.execute(
                    f'UPDATE "{item.table}" SET {sets} WHERE rowid = ?',
                    (*item.repair.values(), rowid),
                )
            continue
        for table, rowid in item.children:
            conn.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
        for rowid in item.rowids:
            conn.execute(f'DELETE FROM "{item.table}" WHERE rowid = ?', (rowid,))


def count(conn: sqlite3.Connection) -> int:
    try:
        row = conn.execute("SELECT count(*) FROM quarantine").fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0])


def summary(bad: Sequence[BadRow], where: str) -> str:
    """The one sentence told to the user."""
    if all(b.repair is not None for b in bad):
        shown = "; ".join(f"{b.label}: {b.reason}" for b in bad[:3])
        more = f"; and {len(bad) - 3} more" if len(bad) > 3 else ""
        return (
            f"PT Codes reset {len(bad)} unreadable date(s) in your saved data ({shown}{more}); "
            f"a copy of the data as found is kept in {where}, and everything loaded."
        )
    shown = "; ".join(f"{b.label}: {b.reason}" for b in bad[:3])
    more = f"; and {len(bad) - 3} more" if len(bad) > 3 else ""
    items = "1 saved item" if len(bad) == 1 else f"{len(bad)} saved items"
    return (
        f"PT Codes set aside {items} it could not read ({shown}{more}); "
        f"{'it is' if len(bad) == 1 else 'they are'} kept in {where}, "
        "and everything else loaded."
    )
