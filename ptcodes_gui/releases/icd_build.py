"""An ICD-10-CM release as CDC/CMS publish it → its own SQLite database, read like the catalog.

The input is what a clinic downloads (the zips, or files taken out of them):

* ``icd10cm_order_YYYY.txt`` (fixed width, LF or CRLF): every category, subcategory and code
  with its billable flag and titles (see DATA-RELEASES.md);
* ``icd10cm_tabular_YYYY.xml``: the same codes with chapters, blocks and the instructional
  notes (read by :func:`ptcodes_gui.catalog.icd10.parse_icd10cm`);
* ``icd10cm_index_YYYY.xml``: the Alphabetic Index; each main term and subterm becomes a
  search term of its code as its full phrase ("Osteoarthritis, knee, unilateral" → M17.1).

At least the order file or the tabular XML is needed. With both, they must agree (same codes,
same billable flags), or nothing is built. With the order file only, chapters and blocks are
taken from the catalog in use (the order file has none) and there are no instructional notes.

The result is a database with the shipped catalog's ICD tables (``icd``, ``icd_fts``, the
``icd_*`` meta keys, same code in :func:`ptcodes_gui.catalog.build.write_icd_tables`), so
``Catalog.use_icd_release`` only changes which connection the ICD statements use, and search
is as fast as with the shipped set. The shipped catalog itself is never written.

Dates: a fiscal year's release takes effect October 1 of the year before (FY2027 on
2026-10-01); an April update on April 1 of its fiscal year. Either is superseded on October 1
of its fiscal year, when the next fiscal year's release takes effect.
"""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ptcodes_gui.catalog import icd10
from ptcodes_gui.catalog.build import _icd_rows, write_database, write_icd_tables
from ptcodes_gui.catalog.schema import SCHEMA_VERSION
from ptcodes_gui.releases.readers.icd10cm import (
    IcdReleaseError,
    IndexTerm,
    Member,
    OrderRow,
    fiscal_year_of,
    pick_members,
    read_index_xml,
    read_order_file,
)

__all__ = [
    "IcdDiff",
    "IcdRelease",
    "IcdReleaseError",
    "IcdReleaseInfo",
    "IndexTerm",
    "OrderRow",
    "diff_release",
    "effective_date",
    "read_index_xml",
    "read_order_file",
    "read_release",
    "release_info",
    "superseded_on",
    "write_release_db",
]

#: Phrases kept per code: a few codes (R69, Z00.00, ...) collect hundreds of index entries.
MAX_TERMS_PER_CODE = 40
DIFF_EXAMPLES = 8

_APRIL_RE = re.compile(r"apr(il)?", re.IGNORECASE)
# the January 2021 update (icd10cm-order-Jan-2021.txt): J12.82, M35.81, Z20.822, Z86.16
_JANUARY_RE = re.compile(r"(?<![a-z])jan(uary)?(?![a-z])", re.IGNORECASE)
_CATALOG_KINDS = ("chapter", "block")


# --------------------------------------------------------------------------- dates


def effective_date(fiscal_year: int, *, april: bool = False, month: int | None = None) -> date:
    """FY2027 → 2026-10-01; its April update → 2027-04-01; a January update (``month=1``,
    as FY2021 had) → January 1 of the fiscal year."""
    month = month or (4 if april else 10)
    return date(fiscal_year - 1, 10, 1) if month == 10 else date(fiscal_year, month, 1)


def update_month(names: Sequence[str]) -> int:
    """10 for a fiscal year's release; 4 or 1 for an April or a January update, as its
    zips' or files' names say ("April-1-2026", "order-Jan-2021")."""
    if any(_JANUARY_RE.search(n) for n in names):
        return 1
    return 4 if any(_APRIL_RE.search(n) for n in names) else 10


def superseded_on(fiscal_year: int) -> date:
    """When the next fiscal year's release takes over: October 1 of the fiscal year."""
    return date(fiscal_year, 10, 1)


@dataclass(frozen=True)
class IcdReleaseInfo:
    """What a release is; stored in its database's ``meta`` and shown in Data sources."""

    label: str  # "ICD-10-CM FY2027 (October 1, 2026)"
    fiscal_year: int
    effective: str  # ISO
    superseded: str  # ISO: when the next fiscal year's release takes effect
    files: tuple[str, ...] = ()
    rows: int = 0
    billable: int = 0
    index_terms: int = 0
    imported_at: str = ""

    def superseded_by_date(self, today: date) -> bool:
        return today >= date.fromisoformat(self.superseded)

    def to_json(self) -> str:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        data["files"] = list(self.files)
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> IcdReleaseInfo:
        data = json.loads(text)
        data["files"] = tuple(data.get("files") or ())
        return cls(**data)


def _label(fiscal_year: int, month: int) -> str:
    start = effective_date(fiscal_year, month=month)
    when = f"{start:%B} {start.day}, {start.year}"
    if month == 10:
        return f"ICD-10-CM FY{fiscal_year} ({when})"
    return f"ICD-10-CM {when} update (FY{fiscal_year})"


def info_from_label(label: str) -> IcdReleaseInfo | None:
    """The shipped catalog's release ("ICD-10-CM April 1, 2026 (FY2026 update)") as info."""
    match = re.search(r"FY(\d{4})", label)
    if match is None:
        return None
    fiscal_year = int(match.group(1))
    month = update_month([label]) if "update" in label else 10
    return IcdReleaseInfo(
        label=label,
        fiscal_year=fiscal_year,
        effective=effective_date(fiscal_year, month=month).isoformat(),
        superseded=superseded_on(fiscal_year).isoformat(),
    )


@dataclass
class IcdRelease:
    """A release read from its files, ready to diff and to write."""

    info: IcdReleaseInfo
    entries: list[icd10.IcdEntry]
    index_terms: dict[str, list[str]]  # undotted code → phrases
    notes: list[str] = field(default_factory=list)


def read_release(
    paths: Sequence[Path],
    *,
    skeleton: Sequence[tuple[str, str, str, str | None, str]] = (),
    effective: date | None = None,
    now: datetime | None = None,
) -> IcdRelease:
    """Read a release from the files (or zips) picked; raises :class:`IcdReleaseError`.

    ``skeleton``: (code, title, kind, parent, chapter) of the chapters and blocks in use, for
    a release given as an order file only. ``effective`` overrides the date from the names."""
    if not paths:
        raise IcdReleaseError("no file given")
    picked = pick_members(paths)
    order, tabular, used = picked.order, picked.tabular, picked.used
    fiscal_year = fiscal_year_of(used, paths[0].name)
    # an April or January update says so in its zip's or files' names ("April-1-2026")
    month = update_month([*(p.name for p in paths), *used])
    entries = _release_entries(order, tabular, skeleton)
    notes = [f"Not used: {', '.join(picked.skipped)}."] if picked.skipped else []
    if tabular is None:
        notes.append(
            "Without the tabular XML there are no instructional notes (Excludes, Code also, "
            "7th characters); import it with the order file to get them."
        )
    index = picked.index
    index_terms, index_count = _index_terms(index, entries, notes) if index else ({}, 0)
    start = effective or effective_date(fiscal_year, month=month)
    info = IcdReleaseInfo(
        label=_label(fiscal_year, month) if effective is None else f"ICD-10-CM FY{fiscal_year}",
        fiscal_year=fiscal_year,
        effective=start.isoformat(),
        superseded=superseded_on(fiscal_year).isoformat(),
        files=tuple(used),
        rows=len(entries),
        billable=sum(1 for e in entries if e.billable),
        index_terms=index_count,
        imported_at=(now or datetime.now()).isoformat(timespec="seconds"),
    )
    return IcdRelease(info, entries, index_terms, notes)


def _release_entries(
    order: Member | None,
    tabular: Member | None,
    skeleton: Sequence[tuple[str, str, str, str | None, str]],
) -> list[icd10.IcdEntry]:
    """The tabular's entries (checked against the order file if both came), else the order
    file's with chapters and blocks from ``skeleton``."""
    rows = list(read_order_file(io.BytesIO(order.data), order.name)) if order else None
    if tabular is None:
        assert rows is not None
        return _entries_from_order(rows, skeleton)
    entries = _parse_tabular(tabular)
    if rows is not None and order is not None:
        _check_agreement(rows, entries, order.name, tabular.name)
    return entries


def _parse_tabular(member: Member) -> list[icd10.IcdEntry]:
    fd, tmp = tempfile.mkstemp(suffix=".xml")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(member.data)
        return icd10.parse_icd10cm(Path(tmp))
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else 0
        raise IcdReleaseError(
            f"{member.name}: line {line} is not well-formed XML ({exc}); the file may be cut short"
        ) from exc
    finally:
        os.unlink(tmp)


def _check_agreement(
    rows: Sequence[OrderRow], entries: Sequence[icd10.IcdEntry], order: str, tabular: str
) -> None:
    by_code = {e.code: e for e in entries if e.kind not in _CATALOG_KINDS}
    for row in rows:
        entry = by_code.pop(row.code, None)
        if entry is None:
            raise IcdReleaseError(
                f"{order}: line {row.line}: {row.code} is not in {tabular}; the two files are "
                "not of the same release"
            )
        if entry.billable != row.billable:
            what = "billable" if row.billable else "a header (not billable)"
            raise IcdReleaseError(
                f"{order}: line {row.line}: {row.code} is {what} here but not in {tabular}; "
                "the two files are not of the same release"
            )
    if by_code:
        missing = next(iter(by_code))
        raise IcdReleaseError(
            f"{tabular}: {missing} (and {len(by_code) - 1} more) is not in {order}; the two "
            "files are not of the same release"
        )


def _entries_from_order(
    rows: Sequence[OrderRow], skeleton: Sequence[tuple[str, str, str, str | None, str]]
) -> list[icd10.IcdEntry]:
    """Entries from the order file, under the chapters and blocks of the catalog in use."""
    entries: list[icd10.IcdEntry] = []
    blocks: list[tuple[str, str, str]] = []  # (first, last, code) of each block
    chapters: dict[str, str] = {}
    for code, title, kind, up, chapter in skeleton:
        depth = 0 if kind == "chapter" else 1
        entries.append(
            icd10.IcdEntry(code, title, kind, False, up, chapter, depth, (), len(entries))
        )
        if kind == "block" and "-" in code:
            low, high = code.split("-", 1)
            blocks.append((low, high, code))
            chapters[code] = chapter
    present = {icd10.undotted(r.code) for r in rows}
    placed: dict[str, tuple[str | None, int, str]] = {}  # code → (parent, depth, chapter)
    # parents before children whatever the file's order: shorter codes first
    for row in sorted(rows, key=lambda r: (len(r.code), r.order)):
        compact = icd10.undotted(row.code)
        parent_key = next(
            (compact[:n] for n in range(len(compact) - 1, 2, -1) if compact[:n] in present), None
        )
        if parent_key is not None and parent_key in placed:
            _, parent_depth, chapter = placed[parent_key]
            placed[compact] = (icd10.dotted(parent_key), parent_depth + 1, chapter)
            continue
        covering = sorted((b for b in blocks if b[0] <= compact[:3] <= b[1]), key=lambda b: b[1])
        # the narrowest range: heading blocks (M40-M54) also cover their sub-blocks
        block = max(covering, key=lambda b: b[0], default=None)
        placed[compact] = (
            block[2] if block else None,
            2,
            chapters.get(block[2], "") if block else "",
        )
    base = len(entries)
    for row in sorted(rows, key=lambda r: r.order):
        compact = icd10.undotted(row.code)
        parent, depth, chapter = placed[compact]
        kind = "category" if len(compact) == 3 else "code" if row.billable else "subcategory"
        entries.append(
            icd10.IcdEntry(
                row.code,
                row.long_title,
                kind,
                row.billable,
                parent,
                chapter,
                depth,
                (),
                base + row.order,
            )
        )
    return entries


def _index_terms(
    member: Member, entries: Sequence[icd10.IcdEntry], notes: list[str]
) -> tuple[dict[str, list[str]], int]:
    known = {icd10.undotted(e.code) for e in entries if e.kind not in _CATALOG_KINDS}
    by_phrase: dict[str, str] = {}
    pending: list[tuple[str, str]] = []
    terms: dict[str, list[str]] = {}
    count = unknown = 0

    def add(code: str, text: str) -> None:
        nonlocal count
        phrases = terms.setdefault(code, [])
        if len(phrases) < MAX_TERMS_PER_CODE and text not in phrases:
            phrases.append(text)
            count += 1

    for term in read_index_xml(io.BytesIO(member.data), member.name):
        text = f"{term.phrase} {term.nemod}".strip()
        if term.code is not None:
            key = icd10.undotted(term.code)
            if key not in known:
                unknown += 1
                continue
            by_phrase[term.phrase.lower()] = key
            add(key, text)
        elif term.see:
            pending.append((term.see.lower(), text))
    resolved = 0
    for target, text in pending:
        found = by_phrase.get(target) or by_phrase.get(target.split(",")[0].strip())
        if found is not None:
            add(found, text)
            resolved += 1
    if unknown:
        notes.append(f"{unknown} Index entries name a code that is not in this release.")
    notes.append(
        f"Index: {count:,} search phrases, {resolved:,} of them from 'see' cross-references."
    )
    return terms, count


# --------------------------------------------------------------------------- writing


def _rows_with_terms(release: IcdRelease, common: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    for row in _icd_rows(release.entries, common):
        phrases = release.index_terms.get(row["ucode"])
        if phrases:
            row["terms"] = "; ".join(t for t in (row["terms"], *phrases) if t)
        yield row


def write_release_db(release: IcdRelease, out: Path, aliases: Mapping[str, Sequence[str]]) -> None:
    """Write the release's database to ``out`` atomically (a temporary file, then rename).

    ``aliases`` are the catalog's PT shorthand (its rows are ranked first, as in the build)."""
    common = tuple(sorted({icd10.undotted(c) for codes in aliases.values() for c in codes}))
    with write_database(out, ".icd-release-", vacuum=False) as db:
        terms = write_icd_tables(db, release.entries, common, _rows_with_terms(release, common))
        info = release.info
        # raw SQL, not sqlite-utils (whose insert_all commits): the whole file is one
        # transaction of write_database
        db.conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        db.conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [
                ("icd_release", info.label),
                ("icd_release_info", info.to_json()),
                ("icd_count", str(info.rows)),
                ("icd_billable", str(info.billable)),
                ("icd_terms", " ".join(terms)),
                ("schema_version", str(SCHEMA_VERSION)),
            ],
        )


def release_info(path: Path) -> IcdReleaseInfo:
    """The info stored in a release database; raises :class:`IcdReleaseError`."""
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'icd_release_info'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise IcdReleaseError(f"{path.name} is not an ICD-10-CM release database: {exc}") from exc
    if row is None:
        raise IcdReleaseError(f"{path.name} is not an ICD-10-CM release database")
    return IcdReleaseInfo.from_json(row[0])


# --------------------------------------------------------------------------- diff


@dataclass(frozen=True)
class IcdDiff:
    """What a release changes against the set in use (codes, not chapters or blocks)."""

    added: int
    deleted: int
    retitled: int
    billable_changed: int
    added_examples: tuple[tuple[str, str], ...]
    deleted_examples: tuple[tuple[str, str], ...]
    retitled_examples: tuple[tuple[str, str, str], ...]  # code, old title, new title
    billable_examples: tuple[tuple[str, bool], ...]  # code, billable now

    def lines(self) -> list[str]:
        out = [
            f"Codes added: {self.added:,}   deleted: {self.deleted:,}   retitled: "
            f"{self.retitled:,}   billable flag changed: {self.billable_changed:,}"
        ]
        out += [f"  + {c}  {t}" for c, t in self.added_examples]
        out += [f"  - {c}  {t}" for c, t in self.deleted_examples]
        out += [f"  ~ {c}  {old}  →  {new}" for c, old, new in self.retitled_examples]
        out += [
            f"  * {c}  now {'billable' if now else 'a header (not billable)'}"
            for c, now in self.billable_examples
        ]
        return out


def diff_release(release: IcdRelease, current: sqlite3.Connection) -> IcdDiff:
    """Compare with the ICD rows of ``current`` (the shipped catalog or the release in use).

    The shipped catalog's provisional rows (codes a later fiscal year added, titled by
    position only) do not count as known: the release that brings them adds them."""
    columns = {row[1] for row in current.execute("PRAGMA table_info(icd)")}
    known = " AND NOT provisional" if "provisional" in columns else ""
    old = {
        code: (title, bool(billable))
        for code, title, billable in current.execute(
            f"SELECT code, title, billable FROM icd WHERE kind NOT IN ('chapter', 'block'){known}"
        )
    }
    new = {e.code: (e.title, e.billable) for e in release.entries if e.kind not in _CATALOG_KINDS}
    added = sorted(new.keys() - old.keys())
    deleted = sorted(old.keys() - new.keys())
    both = sorted(new.keys() & old.keys())
    retitled = [c for c in both if new[c][0] != old[c][0]]
    flagged = [c for c in both if new[c][1] != old[c][1]]
    n = DIFF_EXAMPLES
    return IcdDiff(
        added=len(added),
        deleted=len(deleted),
        retitled=len(retitled),
        billable_changed=len(flagged),
        added_examples=tuple((c, new[c][0]) for c in added[:n]),
        deleted_examples=tuple((c, old[c][0]) for c in deleted[:n]),
        retitled_examples=tuple((c, old[c][0], new[c][0]) for c in retitled[:n]),
        billable_examples=tuple((c, new[c][1]) for c in flagged[:n]),
    )


def skeleton_rows(conn: sqlite3.Connection) -> list[tuple[str, str, str, str | None, str]]:
    """The chapters and blocks of an ICD database, in tabular order (for order-only imports)."""
    return [
        (code, title, kind, parent, chapter)
        for code, title, kind, parent, chapter in conn.execute(
            "SELECT code, title, kind, parent, chapter FROM icd "
            "WHERE kind IN ('chapter', 'block') ORDER BY ord"
        )
    ]
