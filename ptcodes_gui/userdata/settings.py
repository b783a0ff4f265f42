"""Settings: named JSON values (window geometry, chosen profile, ...)."""

from __future__ import annotations

import json
from typing import Any

from ptcodes_gui.userdata.db import Db
from ptcodes_gui.userdata.errors import ValidationError
from ptcodes_gui.userdata.quarantine import BadRow, row_dict

MAX_KEY_CHARS = 200


def get(db: Db, key: str, default: Any = None) -> Any:
    rows = db.rows("SELECT value FROM settings WHERE key = ?", (key,))
    if not rows or not isinstance(rows[0][0], str):
        return default
    row = rows[0]
    try:
        return json.loads(row[0])
    except (ValueError, TypeError, RecursionError):
        return default


def encode(key: object, value: Any) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_CHARS:
        raise ValidationError("A setting needs a name of 1-200 characters.")
    try:
        return json.dumps(value, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValidationError(f"The setting {key!r} cannot be saved: {exc}") from exc


def put(db: Db, key: str, value: Any) -> None:
    encoded = encode(key, value)
    with db.write() as conn:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, encoded),
        )


def sweep(db: Db) -> list[BadRow]:
    bad: list[BadRow] = []
    for row in db.rows("SELECT rowid AS rid, key, value FROM settings"):
        key, value = row["key"], row["value"]
        problem = None
        if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_CHARS:
            problem = "its name is not readable text"
        elif not isinstance(value, str):
            problem = "its value is not readable text"
        else:
            try:
                json.loads(value)
            except (ValueError, RecursionError):
                problem = "its value is not valid JSON"
        if problem is not None:
            content = row_dict(row)
            content.pop("rid")
            label = f"setting {key!r}" if isinstance(key, str) else "a setting"
            bad.append(BadRow("settings", (int(row["rid"]),), label[:60], problem, content))
    return bad
