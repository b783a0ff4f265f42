"""Visit templates: named lists of procedure lines (code, minutes, modifiers, provider,
units override). Templates never carry patient data: no diagnosis, no free text."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from ptcodes_gui.userdata.db import Db, is_int, normalize_name, parse_when
from ptcodes_gui.userdata.errors import DuplicateNameError, NotFoundError, ValidationError
from ptcodes_gui.userdata.quarantine import BadRow, row_dict

MAX_TEMPLATE_LINES = 50
MAX_MODIFIERS = 4
Provider = Literal["pt", "pta"]

_PROCEDURE_RE = re.compile(r"^[A-Z0-9]{5}$")
_MODIFIER_RE = re.compile(r"^[A-Z0-9]{2}$")
_LINE_KEYS = frozenset({"code", "minutes", "modifiers", "provider", "units_override"})


@dataclass(frozen=True)
class TemplateLine:
    """One line of a visit template: a procedure code and how it is billed, nothing else."""

    code: str
    minutes: int | None = None
    modifiers: tuple[str, ...] = ()
    provider: Provider = "pt"
    units_override: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not _PROCEDURE_RE.match(self.code):
            raise ValidationError(
                f"{self.code!r} is not a procedure code (5 capital letters or digits)."
            )
        if self.minutes is not None and not (is_int(self.minutes) and 0 <= self.minutes <= 1440):
            raise ValidationError(f"Minutes must be a whole number 0-1440, not {self.minutes!r}.")
        if not isinstance(self.modifiers, tuple) or len(self.modifiers) > MAX_MODIFIERS:
            raise ValidationError(f"A line has at most {MAX_MODIFIERS} modifiers.")
        for modifier in self.modifiers:
            if not isinstance(modifier, str) or not _MODIFIER_RE.match(modifier):
                raise ValidationError(f"{modifier!r} is not a modifier (2 letters or digits).")
        if self.provider not in ("pt", "pta"):
            raise ValidationError(f"Provider must be 'pt' or 'pta', not {self.provider!r}.")
        if self.units_override is not None and not (
            is_int(self.units_override) and 1 <= self.units_override <= 99
        ):
            raise ValidationError(
                f"A units override must be a whole number 1-99, not {self.units_override!r}."
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> TemplateLine:
        """Build from exported JSON; unknown keys (e.g. a diagnosis) are refused."""
        unknown = set(data) - _LINE_KEYS
        if unknown:
            raise ValidationError(f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        modifiers = data.get("modifiers", [])
        if not isinstance(modifiers, list | tuple):
            raise ValidationError("modifiers must be a list")
        code = data.get("code")
        return cls(
            code=code.strip().upper() if isinstance(code, str) else cast(str, code),
            minutes=cast("int | None", data.get("minutes")),
            modifiers=tuple(m.strip().upper() if isinstance(m, str) else m for m in modifiers),
            provider=cast(Provider, data.get("provider", "pt")),
            units_override=cast("int | None", data.get("units_override")),
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "minutes": self.minutes,
            "modifiers": list(self.modifiers),
            "provider": self.provider,
            "units_override": self.units_override,
        }


@dataclass(frozen=True)
class Template:
    name: str
    lines: tuple[TemplateLine, ...]
    created: datetime
    updated: datetime
    renamed_from: str | None = None


def check_lines(lines: tuple[TemplateLine, ...]) -> None:
    if not lines:
        raise ValidationError("A template needs at least one line.")
    if len(lines) > MAX_TEMPLATE_LINES:
        raise ValidationError(f"A template has at most {MAX_TEMPLATE_LINES} lines.")
    for line in lines:
        if not isinstance(line, TemplateLine):
            raise ValidationError("Template lines must be TemplateLine values.")


def put(
    conn: sqlite3.Connection,
    name: str,
    lines: tuple[TemplateLine, ...],
    created: str,
    updated: str,
    *,
    overwrite: bool,
) -> bool:
    """Insert or replace inside the caller's transaction; True if it replaced one."""
    row = conn.execute("SELECT id FROM templates WHERE name = ?", (name,)).fetchone()
    if row is not None and not overwrite:
        raise DuplicateNameError(f"A template named {name!r} already exists.")
    if row is not None:
        template_id = int(row[0])
        conn.execute(
            "UPDATE templates SET name = ?, updated = ? WHERE id = ?", (name, updated, template_id)
        )
        conn.execute("DELETE FROM template_lines WHERE template_id = ?", (template_id,))
    else:
        cur = conn.execute(
            "INSERT INTO templates (name, created, updated) VALUES (?, ?, ?)",
            (name, created, updated),
        )
        template_id = int(cast(int, cur.lastrowid))
    conn.executemany(
        "INSERT INTO template_lines (template_id, position, code, minutes, modifiers, "
        "provider, units_override) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (template_id, i, ln.code, ln.minutes, " ".join(ln.modifiers), ln.provider,
             ln.units_override)
            for i, ln in enumerate(lines)
        ],
    )
    return row is not None


def save(db: Db, name: str, lines: Iterable[TemplateLine], *, overwrite: bool) -> Template:
    name = normalize_name(name, what="template name")
    lines = tuple(lines)
    check_lines(lines)
    now = db.now_iso()
    with db.write() as conn:
        put(conn, name, lines, now, now, overwrite=overwrite)
    result = get(db, name)
    assert result is not None
    return result


def _line(row: sqlite3.Row) -> TemplateLine:
    modifiers = row["modifiers"]
    if not isinstance(modifiers, str):
        raise ValidationError("its modifiers are not readable text")
    return TemplateLine(
        code=row["code"],
        minutes=row["minutes"],
        modifiers=tuple(modifiers.split()),
        provider=row["provider"],
        units_override=row["units_override"],
    )


def _build(head: sqlite3.Row, line_rows: list[sqlite3.Row]) -> Template:
    """A template from its rows; ``ValidationError`` naming what is wrong."""
    name = head["name"]
    if not isinstance(name, str) or normalize_name(name, what="template name") != name:
        raise ValidationError("its name is not readable text")
    lines = tuple(_line(r) for r in line_rows)
    check_lines(lines)
    created, updated = parse_when(head["created"]), parse_when(head["updated"])
    if created is None or updated is None:
        raise ValidationError("its dates are not readable")
    renamed = head["renamed_from"]
    return Template(name, lines, created, updated, renamed if isinstance(renamed, str) else None)


def _load(db: Db, where: str = "", params: tuple[object, ...] = ()) -> list[Template]:
    with db.snapshot():
        return _load_rows(db, where, params)


def _load_rows(db: Db, where: str, params: tuple[object, ...]) -> list[Template]:
    heads = db.rows(
        f"SELECT id, name, created, updated, renamed_from FROM templates {where} ORDER BY name",
        params,
    )
    ids = [h["id"] for h in heads]
    lines: dict[object, list[sqlite3.Row]] = {i: [] for i in ids}
    if ids:
        marks = ", ".join("?" for _ in ids)
        for r in db.rows(
            f"SELECT * FROM template_lines WHERE template_id IN ({marks}) "
            "ORDER BY template_id, position",
            ids,
        ):
            lines[r["template_id"]].append(r)
    found: list[Template] = []
    for head in heads:
        try:
            found.append(_build(head, lines[head["id"]]))
        except (ValidationError, TypeError, AttributeError):
            continue  # set aside by the sweep at open; a read never fails because of it
    return found


def all_templates(db: Db) -> list[Template]:
    return _load(db)


def get(db: Db, name: str) -> Template | None:
    try:
        name = normalize_name(name, what="template name")
    except ValidationError:
        return None
    found = _load(db, "WHERE name = ?", (name,))
    return found[0] if found else None


def rename(db: Db, old: str, new: str) -> Template:
    old = normalize_name(old, what="template name")
    new = normalize_name(new, what="new template name")
    with db.write() as conn:
        row = conn.execute("SELECT id, name FROM templates WHERE name = ?", (old,)).fetchone()
        if row is None:
            raise NotFoundError(f"There is no template named {old!r}.")
        clash = conn.execute(
            "SELECT 1 FROM templates WHERE name = ? AND id != ?", (new, row[0])
        ).fetchone()
        if clash is not None:
            raise DuplicateNameError(f"A template named {new!r} already exists.")
        now = db.now_iso()
        conn.execute(
            "UPDATE templates SET name = ?, renamed_from = ?, renamed_at = ?, updated = ? "
            "WHERE id = ?",
            (new, row[1], now, now, row[0]),
        )
    result = get(db, new)
    assert result is not None
    return result


def delete(db: Db, name: str) -> bool:
    name = normalize_name(name, what="template name")
    with db.write() as conn:
        cur = conn.execute("DELETE FROM templates WHERE name = ?", (name,))
    return cur.rowcount > 0


def _date_repair(head: sqlite3.Row, now: str) -> dict[str, object] | None:
    created, updated = parse_when(head["created"]), parse_when(head["updated"])
    if created is not None and updated is not None:
        return None
    fallback = (created or updated or datetime.fromisoformat(now)).isoformat(timespec="seconds")
    return {"created": head["created"] if created else fallback,
            "updated": head["updated"] if updated else fallback}


def sweep(db: Db) -> list[BadRow]:
    """Templates that cannot be loaded (set aside whole, with their lines), and templates
    whose dates cannot be read (kept, dates reset, the original copied aside)."""
    bad: list[BadRow] = []
    heads = db.rows("SELECT rowid AS rid, * FROM templates")
    lines: dict[object, list[sqlite3.Row]] = {}
    for r in db.rows("SELECT rowid AS rid, * FROM template_lines ORDER BY position"):
        lines.setdefault(r["template_id"], []).append(r)
    known = {h["id"] for h in heads}
    now = db.now_iso()
    for head in heads:
        own = lines.get(head["id"], [])
        name = head["name"]
        label = f"template {name!r}" if isinstance(name, str) else "a template"
        content = row_dict(head)
        content["lines"] = [row_dict(r) for r in own]
        repair = _date_repair(head, now)
        try:
            if repair is not None:
                _build({**row_dict(head), **repair}, own)  # type: ignore[arg-type]
        except (ValidationError, TypeError, AttributeError) as exc:
            repair = None
            reason = str(exc).rstrip(".")
        else:
            reason = ""
        if repair is not None:
            bad.append(BadRow("templates", (int(head["rid"]),), label[:60],
                              "its dates were unreadable", content, repair=repair))
            continue
        try:
            _build(head, own)
        except (ValidationError, TypeError, AttributeError) as exc:
            reason = reason or str(exc).rstrip(".")
            children = tuple(("template_lines", int(r["rid"])) for r in own)
            bad.append(BadRow("templates", (int(head["rid"]),), label[:60], reason, content,
                              children))
    for tid, orphans in lines.items():
        if tid not in known:
            bad.append(BadRow("template_lines", tuple(int(r["rid"]) for r in orphans),
                              "template lines", "their template is missing",
                              {"lines": [row_dict(r) for r in orphans]}))
    return bad
