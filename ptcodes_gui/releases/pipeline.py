"""The pipeline: open, recognise, stream into a staging database, preview, apply or discard.

``preview_import`` writes nothing the app reads: accepted rows go to a staging SQLite file
beside ``imports.sqlite`` (so memory stays flat whatever the file's size) and the preview
compares them with the release in use. ``apply_import`` moves them into the store in one
transaction; ``discard`` (or a cancel, or an error) deletes the staging file. It runs in
a worker thread: everything it needs from the stores is in an ``ImportContext``, taken
on the store's thread first.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ptcodes_gui.releases.files import (
    ImportFileError,
    ImportLimits,
    InputFile,
    Progress,
    collect_files,
)
from ptcodes_gui.releases.registry import (
    FileSummary,
    Reader,
    Release,
    Table,
    all_readers,
    reader,
)
from ptcodes_gui.releases.store import ImportStore, ReleaseInfo, table_ddl


@dataclass(frozen=True)
class RejectedRow:
    file: str
    line: int  # physical line (text) or Excel row where the record starts
    reason: str


@dataclass(frozen=True)
class ImportContext:
    """What a preview needs from the stores, taken on their thread."""

    known_codes: frozenset[str]
    today: date
    releases: dict[str, ReleaseInfo]
    store_path: Path | None
    staging_dir: Path
    #: The billable ICD-10-CM codes in force (undotted, sorted), asked for only by the
    #: sources that expand diagnosis ranges (MCD); the catalog's ``billable_diagnoses``.
    diagnoses: Callable[[], Sequence[str]] | None = None

    @classmethod
    def from_store(cls, store: ImportStore, known_codes: Collection[str],
                   today: date | None = None, *,
                   diagnoses: Callable[[], Sequence[str]] | None = None) -> ImportContext:
        return cls(
            known_codes=frozenset(c.upper() for c in known_codes),
            today=today or store.clock().date(),
            releases={r.source: r for r in store.releases()},
            store_path=store.path if store.path is not None and store.path.exists() else None,
            staging_dir=store.staging_dir(),
            diagnoses=diagnoses,
        )


@dataclass
class ImportPreview:
    """What an import would do; only the staging file has been written."""

    source: str
    title: str
    release: Release
    parts: tuple[str, ...]
    files: list[FileSummary]
    staging: Path
    accepted: int
    rejected: tuple[RejectedRow, ...]
    rejected_total: int
    skipped: dict[str, int]
    notes: list[str]
    current: ReleaseInfo | None
    parts_only: tuple[str, ...]  # non-empty: adds these parts to the version in use
    added: int = 0
    changed: int = 0
    removed: int = 0
    noun: str = "rows"
    multipart: bool = False
    expected_parts: tuple[str, ...] = ()
    missing_parts_note: str = ""
    imported_at: str = ""
    ignored: list[str] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return ", ".join(f.name for f in self.files)

    @property
    def rows_read(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def can_apply(self) -> bool:
        # An NCCI part may hold no pair of this catalog and still replace the shipped
        # pairs in its code range.
        return self.accepted > 0 or (self.multipart and self.rows_read > 0)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.staging.unlink()


# --------------------------------------------------------------------------- staging


class _Staging:
    """The ``Sink`` readers write to: a throw-away SQLite file, one transaction."""

    def __init__(self, directory: Path, tables: Sequence[Table], context: ImportContext,
                 limits: ImportLimits, progress: Progress) -> None:
        fd, name = tempfile.mkstemp(prefix=".imports-staging-", suffix=".sqlite", dir=directory)
        os.close(fd)
        self.path = Path(name)
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode = OFF")
        self.conn.execute("PRAGMA synchronous = OFF")
        self.tables = {t.name: t for t in tables}
        self._sql: dict[str, str] = {}
        for t in tables:
            plain = Table(t.name, (*t.columns, "_line INTEGER"), t.key, t.indexes)
            for sql in table_ddl(plain):
                self.conn.execute(sql)
            names = (*t.column_names, "_line")
            conflict = f" ON CONFLICT ({', '.join(t.key)}) {t.on_conflict}" if t.on_conflict else ""
            self._sql[t.name] = (f"INSERT INTO {t.name} ({', '.join(names)}) VALUES "
                                 f"({', '.join('?' * len(names))}){conflict}")
        self.conn.execute("BEGIN")
        self.known_codes = context.known_codes
        self._diagnoses = context.diagnoses
        self.today = context.today
        self.limits = limits
        self.progress = progress
        self.rejected: list[RejectedRow] = []
        self.rejected_total = 0
        self.skipped: Counter[str] = Counter()
        self.notes: list[str] = []
        self.file: FileSummary = FileSummary("", None, None)
        self.display = ""
        self._duplicates: set[tuple[str, tuple[object, ...]]] = set()
        self._rows = 0

    def _count(self) -> None:
        self._rows += 1
        self.file.rows += 1
        if self._rows > self.limits.max_rows:
            raise ImportFileError(
                f"{self.display}: more than {self.limits.max_rows:,} rows in this import; "
                "that is more than any CMS table holds."
            )

    def add(self, table: str, line: int, values: Sequence[object]) -> None:
        self._count()
        spec = self.tables[table]
        if self._duplicates:
            names = spec.column_names
            key = tuple(values[names.index(k)] for k in spec.key)
            if (spec.name, key) in self._duplicates:
                self._reject(line, f"{'/'.join(map(str, key))} appears more than once")
                return
        try:
            self.conn.execute(self._sql[table], (*values, line))
        except sqlite3.IntegrityError:
            self._duplicate(spec, line, values)

    def _duplicate(self, spec: Table, line: int, values: Sequence[object]) -> None:
        names = spec.column_names
        key = tuple(values[names.index(k)] for k in spec.key)
        where = " AND ".join(f"{k} = ?" for k in spec.key)
        row = self.conn.execute(f"SELECT _line FROM {spec.name} WHERE {where}", key).fetchone()
        label = "/".join(str(k) for k in key)
        if row is not None:
            self.conn.execute(f"DELETE FROM {spec.name} WHERE {where}", key)
            self._reject(int(row[0]), f"{label} appears more than once (lines {row[0]}, {line})")
        self._duplicates.add((spec.name, key))
        self._reject(line, f"{label} appears more than once")

    def reject(self, line: int, reason: str) -> None:
        self._count()
        self._reject(line, reason)

    def _reject(self, line: int, reason: str) -> None:
        self.file.rejected += 1
        self.rejected_total += 1
        if len(self.rejected) < self.limits.max_rejected_listed:
            self.rejected.append(RejectedRow(self.display, line, reason))

    def skip(self, reason: str, count: int = 1) -> None:
        self._rows += count - 1
        self.file.rows += count - 1
        self._count()
        self.file.skipped += count
        self.skipped[reason] += count

    def diagnoses(self) -> Sequence[str]:
        return self._diagnoses() if self._diagnoses is not None else ()

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def detail(self, key: str, value: object) -> None:
        self.file.details[key] = value

    def accepted(self) -> int:
        return sum(int(self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
                   for t in self.tables)

    def close(self, keep: bool) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("COMMIT")
        self.conn.close()
        if not keep:
            with contextlib.suppress(OSError):
                self.path.unlink()


# --------------------------------------------------------------------------- recognising


def _recognise(files: Sequence[InputFile], source: str | None
               ) -> tuple[Reader, list[tuple[InputFile, Release]], list[str]]:
    chosen = reader(source) if source else None
    found: list[tuple[Reader, InputFile, Release]] = []
    ignored: list[str] = []
    for file in files:
        match: tuple[Reader, Release] | None = None
        order = [chosen] if chosen else list(all_readers().values())
        for candidate in order:
            release = candidate.recognise(file)
            if release is not None:
                match = (candidate, release)
                break
        if match is None and chosen is not None:
            for other in all_readers().values():
                if other is not chosen and other.recognise(file) is not None:
                    raise ImportFileError(
                        f"{file.display} is a {other.title} file, not {chosen.title}; "
                        "nothing was imported."
                    )
        if match is None:
            if file.member is not None:
                if not any(file.name.lower() in r.companions for r in all_readers().values()):
                    ignored.append(file.display)
                continue
            what = chosen.title if chosen else "a table PT Codes can import"
            raise ImportFileError(
                f"{file.display} is not {what} (its first lines are not that table's "
                "header); nothing was imported."
            )
        found.append((match[0], file, match[1]))
    if not found:
        what = chosen.title if chosen else "table PT Codes can import"
        raise ImportFileError(f"No {what} was found in {', '.join(f.display for f in files)}.")
    kinds = {r.name for r, _, _ in found}
    if len(kinds) > 1:
        raise ImportFileError(
            "These files are of different kinds (" + ", ".join(
                f"{f.display}: {r.title}" for r, f, _ in found) + "); import them one kind "
            "at a time."
        )
    return found[0][0], _one_per_part(found, ignored), ignored


def _one_per_part(found: Sequence[tuple[Reader, InputFile, Release]], ignored: list[str]
                  ) -> list[tuple[InputFile, Release]]:
    """CMS zips hold the same table as .txt/.csv and .xlsx: read the text one."""
    best: dict[tuple[str, str | None, str], tuple[InputFile, Release]] = {}
    out: list[tuple[InputFile, Release]] = []
    for _, file, release in found:
        if file.member is None:
            out.append((file, release))
            continue
        key = (release.version, release.part, str(file.path))
        if key in best:
            kept, _ = best[key]
            if kept.format == "xlsx" and file.format == "text":
                best[key] = (file, release)
                ignored.append(kept.display + " (same table as " + file.name + ")")
            else:
                ignored.append(file.display + " (same table as " + kept.name + ")")
            continue
        best[key] = (file, release)
    return out + list(best.values())


# --------------------------------------------------------------------------- preview


def preview_import(
    paths: Sequence[Path | str],
    context: ImportContext,
    *,
    source: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    allow_older: bool = False,
) -> ImportPreview:
    """Read, recognise and validate; stage the accepted rows. Nothing the app reads changes.

    Raises ``ImportFileError`` (one line naming the file and line) when the import as a
    whole cannot go on, ``ImportCancelled`` when ``cancelled()`` turned true."""
    first = reader(source) if source else None
    limits = first.limits if first else max(
        (r.limits for r in all_readers().values()), key=lambda lim: lim.max_rows)
    files = collect_files([Path(p) for p in paths], limits)
    src, chosen, ignored = _recognise(files, source)
    src.check_together(chosen)
    release = chosen[0][1]
    current = context.releases.get(src.name)
    _check_version(src, release, current, allow_older, chosen[0][0])
    parts_only: tuple[str, ...] = ()
    if src.multipart and current is not None and current.version == release.version:
        parts_only = tuple(sorted({r.part for _, r in chosen if r.part}))
    progress = Progress(total=sum(f.size for f, _ in chosen), callback=on_progress,
                        cancelled=cancelled)
    staging = _Staging(context.staging_dir, src.tables, context, src.limits, progress)
    summaries: list[FileSummary] = []
    ok = False
    try:
        for file, rel in chosen:
            staging.file = FileSummary(file.name, file.container, rel.part)
            staging.display = file.display
            summaries.append(staging.file)
            before = staging.accepted()
            src.read(file, rel, staging)
            staging.file.kept = staging.accepted() - before
            progress.check()
        accepted = staging.accepted()
        staging.conn.execute("COMMIT")
        added, changed, removed = _compare(staging.conn, src.tables, context.store_path,
                                           parts_only)
        ok = True
    finally:
        staging.close(keep=ok)
    return ImportPreview(
        source=src.name, title=src.title, release=release,
        parts=tuple(sorted({r.part for _, r in chosen if r.part})), files=summaries,
        staging=staging.path, accepted=accepted, rejected=tuple(staging.rejected),
        rejected_total=staging.rejected_total, skipped=dict(staging.skipped),
        notes=staging.notes, current=current, parts_only=parts_only, added=added,
        changed=changed, removed=removed, noun=src.noun, multipart=src.multipart,
        expected_parts=src.expected_parts, missing_parts_note=src.missing_parts_note,
        ignored=ignored,
    )


def _check_version(src: Reader, release: Release, current: ReleaseInfo | None,
                   allow_older: bool, file: InputFile) -> None:
    if current is None or not release.order or not current.order or allow_older:
        return
    if tuple(release.order) < tuple(current.order):
        raise ImportFileError(
            f"{file.display} is {release.label}, older than {current.label} in use; to go "
            f"back, remove the import first (ptcodes import --remove {src.name}). Nothing "
            "was imported."
        )


def _compare(conn: sqlite3.Connection, tables: Sequence[Table], store: Path | None,
             parts_only: Sequence[str]) -> tuple[int, int, int]:
    """Rows added, changed and removed compared with the release in use."""
    staged = sum(int(conn.execute(f"SELECT count(*) FROM {t.name}").fetchone()[0])
                 for t in tables)
    if store is None:
        return staged, 0, 0
    conn.execute("ATTACH DATABASE ? AS cur", (store.resolve().as_uri() + "?mode=ro",))
    try:
        added = changed = removed = 0
        for t in tables:
            on = " AND ".join(f"s.{k} = c.{k}" for k in t.key)
            scope = ""
            if parts_only:
                scope = " AND c.part IN (" + ", ".join(f"'{p}'" for p in parts_only) + ")"
            others = [c for c in t.column_names if c not in t.key]
            differs = " OR ".join(f"s.{c} IS NOT c.{c}" for c in others) or "0"
            added += conn.execute(
                f"SELECT count(*) FROM main.{t.name} s WHERE NOT EXISTS "
                f"(SELECT 1 FROM cur.{t.name} c WHERE {on}{scope})").fetchone()[0]
            removed += conn.execute(
                f"SELECT count(*) FROM cur.{t.name} c WHERE true{scope} AND NOT EXISTS "
                f"(SELECT 1 FROM main.{t.name} s WHERE {on})").fetchone()[0]
            changed += conn.execute(
                f"SELECT count(*) FROM main.{t.name} s JOIN cur.{t.name} c ON {on}{scope} "
                f"WHERE {differs}").fetchone()[0]
        return added, changed, removed
    except sqlite3.Error:
        return staged, 0, 0  # a store without this table yet
    finally:
        conn.execute("DETACH DATABASE cur")


# --------------------------------------------------------------------------- apply


def apply_import(preview: ImportPreview, store: ImportStore) -> ReleaseInfo:
    """Move the staged rows into the store, replacing the release (or adding parts), all or
    nothing, with its provenance; the staging file is deleted either way."""
    try:
        if not preview.can_apply:
            raise ImportFileError(f"{preview.file_name}: no row can be imported.")
        src = reader(preview.source)
        now = store.clock().isoformat(timespec="seconds")
        part_details: dict[str, object] = {}
        if preview.parts_only and preview.current is not None:
            part_details.update(preview.current.details.get("parts", {}))
        for f in preview.files:
            part_details[f.part or ""] = {
                "file": f.name, "zip": f.container, "rows": f.rows, "kept": f.kept,
                "rejected": f.rejected, "skipped": f.skipped, **f.details,
            }
        kept = sum(int(d.get("kept", 0)) for d in part_details.values() if isinstance(d, dict))
        files = [str(d["file"]) for d in part_details.values() if isinstance(d, dict)]
        parts = tuple(sorted(p for p in part_details if p))
        info = ReleaseInfo(
            source=src.name, title=src.title, version=preview.release.version,
            label=preview.release.label, effective=preview.release.effective,
            files=tuple(files), rows=kept, imported_at=now, parts=parts,
            order=preview.release.order, details={"parts": part_details},
        )
        return store.replace(info, src.tables, preview.staging, parts_only=preview.parts_only)
    finally:
        preview.discard()


def remove_import(source: str, store: ImportStore) -> bool:
    """Remove the imported release of ``source``; True if there was one."""
    return store.remove(source, reader(source).tables)


# --------------------------------------------------------------------------- text


def preview_text(preview: ImportPreview, max_rejected: int = 500) -> str:
    """What an import would do, in plain words (the window's preview and the CLI's)."""
    rel = preview.release
    eff = f", effective {rel.effective}" if rel.effective else ""
    lines = [f"Import: {preview.title}", f"Release: {rel.label}{eff}", "", "Files:"]
    for f in preview.files:
        where = f" (in {f.container})" if f.container else ""
        part = f" part {f.part}:" if f.part else ":"
        lines.append(f"  {f.name}{where}{part} {f.rows:,} rows read, {f.kept:,} kept, "
                     f"{f.skipped:,} skipped, {f.rejected:,} rejected")
    lines.extend(f"  ignored: {name}" for name in preview.ignored)
    lines.append("")
    cur = preview.current
    if preview.parts_only and cur is not None:
        have = ", ".join(cur.parts) or "none"
        lines.append(f"Adds part(s) {', '.join(preview.parts_only)} to {rel.version} "
                     f"(already imported: {have}).")
    elif cur is not None:
        lines.append(f"Replaces {cur.label} (imported {cur.imported_at}) as a whole.")
    else:
        lines.append("Nothing of this kind was imported before.")
    if preview.expected_parts:
        present = set(preview.parts) | (set(cur.parts) if preview.parts_only and cur else set())
        missing = [p for p in preview.expected_parts if p not in present]
        if missing:
            lines.append(f"Part(s) {', '.join(missing)} of {rel.version} are not imported yet: "
                         f"{preview.missing_parts_note}.")
    lines.append(f"{preview.noun.capitalize()} accepted: {preview.accepted:,}   added: "
                 f"{preview.added:,}   changed: {preview.changed:,}   removed: {preview.removed:,}")
    for reason, count in sorted(preview.skipped.items()):
        lines.append(f"Rows skipped ({reason}): {count:,}")
    lines.append(f"Rows rejected: {preview.rejected_total:,}")
    lines.extend(preview.notes)
    if preview.rejected:
        lines += ["", "Rejected rows (file, line: reason):"]
        shown = preview.rejected[:max_rejected]
        lines.extend(f"  {r.file}, line {r.line}: {r.reason}" for r in shown)
        if preview.rejected_total > len(shown):
            lines.append(f"  … and {preview.rejected_total - len(shown):,} more")
    return "\n".join(lines)
