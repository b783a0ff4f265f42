"""Payer profiles: how a payer counts timed units (CMS 8-minute rule or per-code midpoint)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Literal, TypedDict, cast

from ptcodes_gui.userdata.db import Db, is_int, normalize_name
from ptcodes_gui.userdata.errors import ValidationError
from ptcodes_gui.userdata.quarantine import BadRow, row_dict

UnitRule = Literal["cms", "midpoint"]


class PayerProfile(TypedDict):
    name: str
    unit_rule: UnitRule
    daily_timed_unit_cap: int | None
    medicare: bool


_PROFILE_KEYS = frozenset(PayerProfile.__annotations__)


def validate_profile(profile: Mapping[str, object]) -> PayerProfile:
    """Check a payer profile dict and return a normalized copy.

    ``name`` 1-80 chars; ``unit_rule`` "cms" (8-minute rule, total timed minutes) or
    "midpoint" (per-code, 8 minutes = 1 unit); ``daily_timed_unit_cap`` None or 1-96;
    ``medicare`` bool, and a Medicare profile must use the CMS rule.
    """
    if not isinstance(profile, Mapping):
        raise ValidationError("A payer profile must be a set of named values.")
    unknown = set(profile) - _PROFILE_KEYS
    if unknown:
        raise ValidationError(f"Unknown profile field(s): {', '.join(sorted(map(str, unknown)))}.")
    missing = {"name", "unit_rule"} - set(profile)
    if missing:
        raise ValidationError(f"A payer profile needs {', '.join(sorted(missing))}.")
    name = normalize_name(profile["name"], what="profile name")
    rule = profile["unit_rule"]
    if rule not in ("cms", "midpoint"):
        raise ValidationError(f"Unit rule must be 'cms' or 'midpoint', not {rule!r}.")
    cap = profile.get("daily_timed_unit_cap")
    if cap is not None and not (is_int(cap) and 1 <= cast(int, cap) <= 96):
        raise ValidationError(f"The daily timed-unit cap must be 1-96 or empty, not {cap!r}.")
    medicare = profile.get("medicare", False)
    if not isinstance(medicare, bool):
        raise ValidationError("'medicare' must be true or false.")
    if medicare and rule != "cms":
        raise ValidationError("A Medicare profile must use the CMS 8-minute rule.")
    return PayerProfile(
        name=name, unit_rule=rule, daily_timed_unit_cap=cast("int | None", cap), medicare=medicare
    )


def put(conn: sqlite3.Connection, profile: PayerProfile, updated: str) -> bool:
    """Insert or replace inside the caller's transaction; True if it replaced one."""
    existed = conn.execute(
        "SELECT 1 FROM payer_profiles WHERE name = ?", (profile["name"],)
    ).fetchone()
    conn.execute("DELETE FROM payer_profiles WHERE name = ?", (profile["name"],))
    conn.execute(
        "INSERT INTO payer_profiles (name, unit_rule, daily_timed_unit_cap, medicare, updated) "
        "VALUES (?, ?, ?, ?, ?)",
        (profile["name"], profile["unit_rule"], profile["daily_timed_unit_cap"],
         int(profile["medicare"]), updated),
    )
    return existed is not None


def save(db: Db, profile: Mapping[str, object]) -> PayerProfile:
    clean = validate_profile(profile)
    with db.write() as conn:
        put(conn, clean, db.now_iso())
    return clean


def _from_row(row: sqlite3.Row) -> PayerProfile:
    medicare = row["medicare"]
    if medicare not in (0, 1) or isinstance(medicare, float):
        raise ValidationError("'medicare' is not 0 or 1")
    return validate_profile(
        {"name": row["name"], "unit_rule": row["unit_rule"],
         "daily_timed_unit_cap": row["daily_timed_unit_cap"], "medicare": bool(medicare)}
    )


def all_profiles(db: Db) -> list[PayerProfile]:
    found: list[PayerProfile] = []
    for row in db.rows("SELECT * FROM payer_profiles ORDER BY name"):
        try:
            found.append(_from_row(row))
        except ValidationError:
            continue  # set aside by the sweep at open
    return found


def delete(db: Db, name: str) -> bool:
    name = normalize_name(name, what="profile name")
    with db.write() as conn:
        cur = conn.execute("DELETE FROM payer_profiles WHERE name = ?", (name,))
    return cur.rowcount > 0


def sweep(db: Db) -> list[BadRow]:
    bad: list[BadRow] = []
    for row in db.rows("SELECT rowid AS rid, * FROM payer_profiles"):
        try:
            _from_row(row)
        except ValidationError as exc:
            name = row["name"]
            label = f"payer profile {name!r}" if isinstance(name, str) else "a payer profile"
            content = row_dict(row)
            content.pop("rid")
            bad.append(BadRow("payer_profiles", (int(row["rid"]),), label[:60],
                              str(exc).rstrip("."), content))
    return bad
