"""Favorites (in the order added) and recents (newest first, at most ``MAX_RECENTS``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ptcodes_gui.userdata.db import Db, is_int, normalize_code
from ptcodes_gui.userdata.errors import ValidationError
from ptcodes_gui.userdata.quarantine import BadRow, row_dict

MAX_RECENTS = 50


def add_many(conn: sqlite3.Connection, codes: Iterable[str], added: str) -> int:
    """Inside the caller's transaction: append codes not yet favorites; how many were new.

    One ``max(seq)`` for the whole batch (not one per insert): 50,000 codes take
    milliseconds.
    """
    start = conn.execute("SELECT coalesce(max(seq), 0) FROM favorites").fetchone()[0]
    have = {r[0] for r in conn.execute("SELECT code FROM favorites")}
    new = [c for c in dict.fromkeys(codes) if c not in have]
    conn.executemany(
        "INSERT INTO favorites (code, added, seq) VALUES (?, ?, ?)",
        [(code, added, start + i) for i, code in enumerate(new, 1)],
    )
    return len(new)


def add(db: Db, code: str) -> None:
    code = normalize_code(code)
    with db.write() as conn:
        add_many(conn, [code], db.now_iso())


def remove(db: Db, code: str) -> None:
    code = normalize_code(code)
    with db.write() as conn:
        conn.execute("DELETE FROM favorites WHERE code = ?", (code,))


def codes(db: Db) -> list[str]:
    rows = db.rows("SELECT code FROM favorites ORDER BY seq")
    return [r[0] for r in rows if isinstance(r[0], str) and not isinstance(r[0], bytes)]


def contains(db: Db, code: str) -> bool:
    code = normalize_code(code)
    return db.conn.execute("SELECT 1 FROM favorites WHERE code = ?", (code,)).fetchone() is not None


def add_recent(db: Db, code: str) -> None:
    code = normalize_code(code)
    with db.write() as conn:
        conn.execute(
            "INSERT INTO recents (code, used, seq) "
            "SELECT ?, ?, coalesce(max(seq), 0) + 1 FROM recents WHERE true "
            "ON CONFLICT (code) DO UPDATE SET used = excluded.used, seq = excluded.seq",
            (code, db.now_iso()),
        )
        conn.execute(
            "DELETE FROM recents WHERE seq NOT IN "
            "(SELECT seq FROM recents ORDER BY seq DESC LIMIT ?)",
            (MAX_RECENTS,),
        )


def recents(db: Db) -> list[str]:
    rows = db.rows("SELECT code FROM recents ORDER BY seq DESC")
    return [r[0] for r in rows if isinstance(r[0], str)]


def clear_recents(db: Db) -> None:
    with db.write() as conn:
        conn.execute("DELETE FROM recents")


def _problem(row: sqlite3.Row) -> str | None:
    code = row["code"]
    try:
        if normalize_code(code) != code:
            return f"{code!r} is not stored as a code"
    except ValidationError as exc:
        return str(exc).rstrip(".")
    if not is_int(row["seq"]):
        return "its position is not a number"
    return None


def sweep(db: Db) -> list[BadRow]:
    """Rows of favorites and recents that cannot be loaded (the dates are not used)."""
    bad: list[BadRow] = []
    for table, what in (("favorites", "favorite"), ("recents", "recent code")):
        # SQL picks the candidates (anything but a stored code: a byte outside A-Z 0-9 . -,
        # a wrong length or type); Python then judges each one. 50,000 favorites: ~ms.
        for row in db.rows(
            f"SELECT rowid AS rid, code, seq FROM {table} WHERE typeof(code) != 'text' "
            "OR typeof(seq) != 'integer' OR length(CAST(code AS BLOB)) NOT BETWEEN 1 AND 16 "
            "OR code GLOB '*[^A-Z0-9.-]*' OR code GLOB '[.-]*'"
        ):
            problem = _problem(row)
            if problem is not None:
                code = row["code"]
                label = f"{what} {code}" if isinstance(code, str) else what
                content = row_dict(row)
                content.pop("rid")
                bad.append(BadRow(table, (int(row["rid"]),), label[:60], problem, content))
    return bad
