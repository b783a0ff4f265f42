"""Imports made by earlier versions lived in ``user.sqlite``; they move here once.

Read only through ``UserStore``'s public methods (its layout is not ours). Done when the
import store has no release of that kind yet, and remembered in ``meta`` so that removing
an import later does not bring the old one back. ``user.sqlite`` is left as it was.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from ptcodes_gui.releases.readers.clinic_codes import CLINIC_TABLE, DESCRIPTOR_TABLE
from ptcodes_gui.releases.readers.ncci import NCCI_TABLE
from ptcodes_gui.releases.registry import Table, reader
from ptcodes_gui.releases.store import ImportStore, ReleaseInfo, table_ddl
from ptcodes_gui.userdata.store import UserDataError, UserStore

MIGRATED_KEY = "migrated_from_user_sqlite"


def migrate_user_overlays(user: UserStore, imports: ImportStore) -> list[str]:
    """Copy the old overlays into ``imports``; the sentences say what moved."""
    if imports.read_only or imports.meta(MIGRATED_KEY):
        return []
    moved: list[str] = []
    try:
        infos = {i.kind: i for i in user.imports_info()}
        for kind, info in infos.items():
            if imports.release(kind) is not None:
                continue
            rows = _old_rows(user, kind)
            if rows is None:
                continue
            table, values = rows
            _stage_and_apply(imports, kind, table, values, info.file_name,
                             info.imported_at.isoformat(timespec="seconds"),
                             info.latest_effective)
            moved.append(f"Your earlier {reader(kind).title} import ({info.file_name}) was "
                         "moved to imports.sqlite.")
        imports.set_meta(MIGRATED_KEY, imports.clock().isoformat(timespec="seconds"))
    except (UserDataError, sqlite3.Error, OSError) as exc:
        moved.append(f"Earlier imports could not be moved from user.sqlite: {exc}")
    return moved


def _old_rows(user: UserStore, kind: str) -> tuple[Table, list[tuple[object, ...]]] | None:
    if kind == "codes":
        return CLINIC_TABLE, [
            (c.code, c.title, c.description, c.category, int(c.timed), c.unit_minutes,
             c.notes[0].text if c.notes else "")
            for c in user.overlay_codes()
        ]
    if kind == "descriptors":
        return DESCRIPTOR_TABLE, [
            (code, text, source) for code, (text, source) in user.overlay_descriptors().items()
        ]
    if kind == "ncci":
        pairs = user.overlay_ncci() or []
        return NCCI_TABLE, [
            (p.column1, p.column2, p.effective or "1996-01-01", p.deleted, p.indicator,
             p.note, "") for p in pairs
        ]
    return None


def _stage_and_apply(imports: ImportStore, kind: str, table: Table,
                     values: list[tuple[object, ...]], file_name: str, when: str,
                     effective: str | None) -> None:
    with tempfile.TemporaryDirectory(dir=imports.staging_dir()) as tmp:
        staging = Path(tmp) / "migrate.sqlite"
        conn = sqlite3.connect(staging)
        for sql in table_ddl(Table(table.name, table.columns, table.key)):
            conn.execute(sql)
        marks = ", ".join("?" * len(table.columns))
        conn.executemany(f"INSERT OR REPLACE INTO {table.name} VALUES ({marks})", values)
        conn.commit()
        conn.close()
        src = reader(kind)
        label = f"{src.title} {file_name}" if kind != "ncci" else (
            f"CMS NCCI PTP table {file_name}")
        info = ReleaseInfo(
            source=kind, title=src.title, version=file_name, label=label,
            effective=effective if kind != "ncci" else None, files=(file_name,),
            rows=len(values), imported_at=when,
            details={"parts": {"": {"file": file_name, "kept": len(values), "migrated": True}}},
        )
        imports.replace(info, (table,), staging)
