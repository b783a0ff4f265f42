"""Read-only access to the built catalog: ``get`` and ``search``.

PT codes, HCPCS codes and modifiers (a few hundred rows) are held in memory and ranked in
Python, where the ranking is easy to read and to test. ICD-10-CM (~98k rows) stays in
SQLite: codes are found by a B-tree range on the undotted code, words through FTS5 in
rowid order (the build stores rows in priority order), then a capped candidate set is
re-ranked in Python. Nothing here sorts tens of thousands of rows per keystroke.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from ptcodes_gui.catalog import query as q
from ptcodes_gui.catalog import vocabulary as v
from ptcodes_gui.catalog.icd_search import next_key
from ptcodes_gui.catalog.overlay import NO_OVERLAY, CatalogOverlay
from ptcodes_gui.catalog.schema import SCHEMA_VERSION, packaged_catalog_path
from ptcodes_gui.catalog.search import SearchMixin
from ptcodes_gui.catalog.search_entries import AllowedEntries, PtEntry, all_words, prefixes
from ptcodes_gui.domain.fees import FeeSchedule
from ptcodes_gui.domain.models import (
    Code,
    Fact,
    Hit,
    IcdNote,
    Mue,
    NcciPair,
    System,
    TelehealthList,
)

#: Diagnoses kept after a look-up (the cache is dropped when full, and with the release).
ICD_CODE_CACHE = 512


class CatalogError(Exception):
    """The catalog file is missing, unreadable or of an unknown version."""


@dataclass(frozen=True)
class CatalogInfo:
    path: str
    catalog_version: str
    content_date: str
    ncci_as_of: str
    icd_release: str
    sources: dict[str, str]
    pt_codes: int
    modifiers: int
    icd_codes: int
    icd_billable: int


def _fact(d: dict[str, Any]) -> Fact:
    return Fact(**d)


def _code_from_json(data: dict[str, Any]) -> Code:
    tuples = (
        "replaced_by", "addon_to", "addons", "abbreviations", "synonyms", "related",
        "modifiers", "use_before", "rules",
    )
    fields: dict[str, Any] = dict(data)
    for name in tuples:
        fields[name] = tuple(fields.get(name) or ())
    fields["notes"] = tuple(_fact(n) for n in fields.get("notes") or ())
    fields["sources"] = tuple(_fact(n) for n in fields.get("sources") or ())
    fields["parents"] = ()
    fields["children"] = ()
    fields["icd_notes"] = ()
    fields["ncci"] = ()
    return Code(**fields)


def hit_for(code: Code) -> Hit:
    """The result-list row for a full code record (favorites, recents, links)."""
    return Hit(
        code=code.code,
        system=code.system,
        title=code.title,
        timed=None if code.system in (System.MODIFIER, System.ICD10CM, System.DENIAL)
        else code.timed,
        status=code.status,
        category=code.category,
        billable=code.billable,
        common=code.common,
        replaced_by=code.replaced_by,
    )


def _open_catalog(path: Path) -> tuple[sqlite3.Connection, dict[str, str]]:
    """The catalog database, read-only, and its meta keys; raises CatalogError naming it."""
    if not path.is_file():
        raise CatalogError(
            f"The code catalog was not found at {path}. Reinstall PT Codes, or from a "
            "source checkout run: python -m ptcodes_gui.catalog.build"
        )
    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    try:
        db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        raise CatalogError(f"The code catalog at {path} cannot be read: {exc}") from exc
    if version != SCHEMA_VERSION:
        raise CatalogError(
            f"The code catalog at {path} has layout version {version}; this program "
            f"reads version {SCHEMA_VERSION}. Rebuild or reinstall it."
        )
    return db, meta


def _read_pairs(db: sqlite3.Connection) -> list[NcciPair]:
    return [
        NcciPair(**dict(zip(
            ("column1", "column2", "indicator", "source", "confidence", "as_of", "note",
             "effective", "deleted"), row, strict=True)))
        for row in db.execute(
            "SELECT column1, column2, indicator, source, confidence, as_of, note, "
            "effective, deleted FROM ncci")
    ]


class Catalog(SearchMixin):
    """The shipped catalog, opened read-only and immutable."""

    def __init__(self, path: Path, overlay: CatalogOverlay | None = None) -> None:
        self._overlay: CatalogOverlay = overlay or NO_OVERLAY
        self._db, meta = _open_catalog(path)
        self.path = path
        self._meta = meta
        self._aliases: dict[str, tuple[str, ...]] = {
            k: tuple(v) for k, v in json.loads(meta.get("icd_aliases", "{}")).items()
        }
        self._hints: dict[str, tuple[str, ...]] = {
            q.phrase_key(k): tuple(v) for k, v in json.loads(meta.get("search_hints", "{}")).items()
        }
        self._aliases = {q.phrase_key(k): c for k, c in self._aliases.items()}
        # plurals and possessives ignored: "golfers elbow" is the alias "golfer's elbow"
        self._loose_aliases = {v.loose_key(k.split()): c for k, c in self._aliases.items()}
        self._loose_hints = {v.loose_key(k.split()): c for k, c in self._hints.items()}
        self._known_pt: tuple[dict[str, PtEntry], frozenset[str]] | None = None
        self._pt_words = None
        self._allowed_pt = AllowedEntries()
        self._pt: dict[str, PtEntry] = {}
        for (data,) in self._db.execute("SELECT data FROM codes"):
            code = _code_from_json(json.loads(data))
            self._pt[code.code.upper()] = self._entry(code)
        self._base_pt = dict(self._pt)
        # "CO-97" is typed "co 97", "CO97": its look-up key has no dash
        self._denial_keys = {
            q.code_key(k): k for k, e in self._pt.items() if e.code.system == System.DENIAL
        }
        self._pairs: list[NcciPair] = _read_pairs(self._db)
        self._builtin_pairs = list(self._pairs)
        self._descriptors: dict[str, tuple[str, str]] = {}
        self._pt_vocab = frozenset(
            w for e in self._pt.values()
            for w in e.title_words | e.abbr_words | e.syn_words | e.desc_words
        )
        self._pt_prefixes = frozenset(
            w[:i] for w in self._pt_vocab for i in range(q.TYPO_MIN_LEN - 1, len(w) + 1)
        )
        self._icd_db = self._db
        self._icd_release = ""  # label of an imported release in use; "" = the shipped one
        self.icd_release_path: Path | None = None
        self._icd_vocab: frozenset[str] | None = None
        self._icd_terms: tuple[str, ...] | None = None  # sorted FTS5 vocabulary
        self._hit_cache: dict[str, Hit] = {}
        # diagnoses read with their ancestors' notes (~8 queries): the visit's rules ask for
        # the same few several times per evaluation
        self._icd_codes: dict[str, Code | None] = {}
        self._injury_rows: tuple[int, int] | None = None
        self._icd_count = self._icd_billable = 0
        self._attach_icd(self._db, meta)

    def _attach_icd(self, db: sqlite3.Connection, meta: dict[str, str]) -> None:
        """Read every diagnosis (look-ups, children, search) from ``db`` from now on.

        ``db`` is the catalog's own connection, or an imported ICD-10-CM release database
        with the same ``icd`` and ``icd_fts`` tables (see docs/PERFORMANCE.md, "ICD-10-CM
        source"); ``meta`` is that database's ``meta`` table (``icd_terms``, ``icd_count``,
        ``icd_billable`` are optional and computed when absent)."""
        self._icd_db = db
        # valid_from, valid_to, replaced_by, provisional: catalogs built before they existed
        # (and releases imported then) lack them
        columns = {row[1] for row in db.execute("PRAGMA table_info(icd)")}
        self._icd_dated = "provisional" in columns
        # the diagnoses with an end date (FY2027 ended 30): search marks those ended by today
        self._icd_ended = {
            code: (end, tuple((rep or "").split())) for code, end, rep in db.execute(
                "SELECT code, valid_to, replaced_by FROM icd WHERE valid_to IS NOT NULL")
        } if self._icd_dated else {}
        self._icd_vocab = None
        self._icd_terms = None
        if "icd_terms" in meta:  # stored by newer builds; older ones: see _icd_term_list
            self._icd_terms = tuple(sorted(meta["icd_terms"].split()))
        self._hit_cache = {}
        self._icd_codes = {}
        self._injury_rows = None
        if "icd_count" in meta and "icd_billable" in meta:
            self._icd_count = int(meta["icd_count"])
            self._icd_billable = int(meta["icd_billable"])
        else:  # a catalog built before the counts were stored
            self._icd_count = db.execute("SELECT count(*) FROM icd").fetchone()[0]
            self._icd_billable = db.execute(
                "SELECT count(*) FROM icd WHERE billable"
            ).fetchone()[0]

    def use_icd_release(self, path: Path | None,
                        guard: Callable[[sqlite3.Connection], None] | None = None) -> None:
        """Read diagnoses from an imported ICD-10-CM release database (releases/icd_build.py
        writes it), or again from the shipped catalog (None). The shipped file is untouched.
        ``guard`` bounds every query on an untrusted file (a clinic folder's copy)."""
        if path is None:
            db, meta = self._db, self._meta
        else:
            try:
                uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
                db = sqlite3.connect(uri, uri=True, check_same_thread=False)
                if guard is not None:
                    guard(db)
                meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
                db.execute("SELECT 1 FROM icd_fts LIMIT 1").fetchall()
            except sqlite3.DatabaseError as exc:
                raise CatalogError(
                    f"The ICD-10-CM release at {path} cannot be read: {exc}"
                ) from exc
        previous = self._icd_db
        self._attach_icd(db, meta)
        self.icd_release_path = path
        self._icd_release = meta.get("icd_release", "")
        if previous is not self._db and previous is not db:
            previous.close()

    # ------------------------------------------------------------------ info

    def info(self) -> CatalogInfo:
        pt = [e.code for e in self._pt.values()]
        return CatalogInfo(
            path=str(self.path),
            catalog_version=self._meta.get("catalog_version", ""),
            content_date=self._meta.get("content_date", ""),
            ncci_as_of=self._meta.get("ncci_as_of", ""),
            icd_release=self._icd_release or self._meta.get("icd_release", ""),
            sources=json.loads(self._meta.get("sources", "{}")),
            pt_codes=sum(1 for c in pt if c.system != System.MODIFIER),
            modifiers=sum(1 for c in pt if c.system == System.MODIFIER),
            icd_codes=self._icd_count,
            icd_billable=self._icd_billable,
        )

    def icd_validity(self) -> dict[str, Any]:
        """What the shipped catalog knows of ICD-10-CM codes by date (CMS MS-DRG tables, see
        catalog/icd_dated.py): source, fiscal_year, added, ended, changes; {} if nothing."""
        try:
            found = json.loads(self._meta.get("icd_validity", "{}"))
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}

    def icd_dates_through(self) -> int | None:
        """The last fiscal year whose added and ended codes the shipped catalog knows by
        date; None for an older build."""
        found = self.icd_validity().get("fiscal_year")
        return int(found) if isinstance(found, int) else None

    def close(self) -> None:
        if self._icd_db is not self._db:
            self._icd_db.close()
        self._db.close()

    # --------------------------------------------------------------- overlays

    def set_overlay(self, overlay: CatalogOverlay | None) -> None:
        """Imported data (``catalog.overlay``), read per request; None: the shipped data."""
        self._overlay = overlay or NO_OVERLAY

    @property
    def overlay(self) -> CatalogOverlay:
        return self._overlay

    def set_ncci_pairs(self, pairs: Sequence[NcciPair] | None) -> None:
        """Replace the built-in NCCI pairs (an imported CMS table), or restore them (None)."""
        self._pairs = list(pairs) if pairs is not None else list(self._builtin_pairs)

    def set_clinic_codes(self, codes: Iterable[Code]) -> None:
        """Add or annotate entries from a clinic's own import (never written to the file).

        Replaces any earlier clinic overlay; an empty list restores the shipped entries."""
        self._pt = dict(self._base_pt)
        for code in codes:
            key = code.code.upper()
            base = self._pt.get(key)
            if base is not None:
                extra = tuple(
                    Fact(text=n.text, source=n.source, confidence=n.confidence, kind="clinic")
                    for n in code.notes
                )
                code = replace(base.code, notes=base.code.notes + extra)
            self._pt[key] = self._entry(code)

    def set_descriptors(self, descriptors: dict[str, tuple[str, str]]) -> None:
        """Licensed descriptor text by code: (text, source name)."""
        self._descriptors = dict(descriptors)

    def descriptor(self, code: str) -> tuple[str, str] | None:
        return self._overlay.descriptor(code) or self._descriptors.get(code.upper())

    # ------------------------------------------------------------------- get

    def get(self, code: str) -> Code | None:
        key = q.code_key(code)
        if not key:
            return None
        entry = self._pt.get(key) or self._pt.get(self._denial_keys.get(key, ""))
        if entry is not None:
            return self._with_termination(
                replace(entry.code, ncci=tuple(self.pairs_for(entry.code.code))))
        clinic = self._overlay.clinic_code(code.strip().upper())
        if clinic is not None:
            return replace(clinic, ncci=tuple(self.pairs_for(clinic.code)))
        if key not in self._icd_codes:
            if len(self._icd_codes) >= ICD_CODE_CACHE:
                self._icd_codes.clear()
            self._icd_codes[key] = self._get_icd(key)
        return self._icd_codes[key]

    def _with_termination(self, code: Code) -> Code:
        """An imported HCPCS file's TERM DT: deleted from that date, said in a note."""
        ended = self._overlay.termination(code.code)
        if ended is None:
            return code
        day, source = ended
        past = day <= date.today().isoformat()
        note = Fact(
            text=f"{'Terminated' if past else 'To be terminated'} on {day} ({source}).",
            source=source, confidence="H",
        )
        return replace(
            code, notes=(note, *code.notes),
            status="deleted" if past else code.status,
            deleted_year=int(day[:4]) if past else code.deleted_year,
            deleted=day,
        )

    def fee_schedule(self) -> FeeSchedule | None:
        """The imported Medicare fee schedule (None: no import, so no amounts)."""
        return self._overlay.fee_schedule()

    def exists(self, code: str) -> bool:
        key = q.code_key(code)
        if key in self._pt or self._overlay.clinic_code(code.strip().upper()) is not None:
            return True
        row = self._icd_db.execute("SELECT 1 FROM icd WHERE ucode = ?", (key,)).fetchone()
        return row is not None

    def billable_diagnoses(self) -> list[str]:
        """Every billable ICD-10-CM code in force (the release in use), undotted, sorted."""
        return [str(c) for (c,) in self._icd_db.execute(
            "SELECT ucode FROM icd WHERE billable ORDER BY ucode")]

    def all_codes(self) -> list[str]:
        """Every PT code and modifier (not diagnoses)."""
        return [e.code.code for e in self._pt.values()]

    def pairs_for(self, code: str, on: date | None = None) -> list[NcciPair]:
        """Pairs with ``code`` in either column: the shipped ones not covered by an imported
        table, then the imported rows not deleted by ``on`` (today; future-dated rows stay,
        with their dates)."""
        overlay = self._overlay
        shipped = [p for p in self._pairs if code in (p.column1, p.column2)
                   and not overlay.ncci_replaces(p.column1)]
        day = (on or date.today()).isoformat()
        return shipped + [p for p in overlay.ncci_pairs_for(code)
                          if not (p.deleted and p.deleted <= day)]

    def ncci_pairs(self, codes: Iterable[str]) -> list[NcciPair]:
        """Every row for pairs among ``codes``, deleted and future-dated imported rows too:
        the rules pick the row in force on the date of service."""
        wanted = set(codes)
        overlay = self._overlay
        shipped = [p for p in self._pairs if p.column1 in wanted and p.column2 in wanted
                   and not overlay.ncci_replaces(p.column1)]
        return shipped + list(overlay.ncci_pairs_among(wanted))

    def mue(self, code: str) -> Mue | None:
        """From an imported CMS MUE table (none is shipped)."""
        return self._overlay.mue(code)

    def telehealth_list(self) -> TelehealthList | None:
        """From an imported Medicare telehealth list; None: the rules use the shipped list."""
        return self._overlay.telehealth_list()

    def children(self, code: str) -> list[tuple[str, str]]:
        row = self._icd_db.execute(
            "SELECT code FROM icd WHERE ucode = ?", (q.code_key(code),)
        ).fetchone()
        if row is None:
            return []
        return [
            (c, t)
            for c, t in self._icd_db.execute(
                "SELECT code, title FROM icd WHERE parent = ? ORDER BY ord", (row[0],)
            )
        ]

    def billable_descendants(self, code: str, limit: int = 50) -> list[Hit]:
        key = q.code_key(code)
        rows = self._icd_db.execute(
            "SELECT code, title, billable FROM icd WHERE ucode >= ? AND ucode < ? AND billable "
            "ORDER BY ucode LIMIT ?",
            (key, next_key(key), limit),
        ).fetchall()
        return [self._icd_hit(c, t, b) for c, t, b in rows]

    def suggest(self, code: str, limit: int = 8) -> list[Hit]:
        """Nearest valid codes for a code that does not exist (longest existing prefix)."""
        key = q.code_key(code)
        for cut in range(len(key), 0, -1):
            prefix = key[:cut]
            pt = sorted(
                (e for k, e in self._pt.items() if k.startswith(prefix)), key=lambda e: e.key
            )
            if pt:
                return [e.hit for e in pt[:limit]]
            if cut >= 2 and prefix[0].isalpha():
                rows = self._icd_db.execute(
                    "SELECT code, title, billable FROM icd WHERE ucode >= ? AND ucode < ? "
                    "AND kind NOT IN ('chapter','block') ORDER BY ucode LIMIT ?",
                    (prefix, next_key(prefix), limit),
                ).fetchall()
                if rows:
                    return [self._icd_hit(c, t, b) for c, t, b in rows]
        return []

    def _get_icd(self, key: str) -> Code | None:
        dated = (
            "valid_from, valid_to, replaced_by, provisional" if self._icd_dated
            else "NULL, NULL, NULL, 0"
        )
        row = self._icd_db.execute(
            f"SELECT code, title, billable, kind, parent, notes, terms, {dated} FROM icd "
            "WHERE ucode = ?",
            (key,),
        ).fetchone()
        if row is None:
            return None
        code, title, billable, _kind, parent, notes, terms, *dates = row
        icd_notes: list[IcdNote] = [
            IcdNote(kind=k, text=t, from_code=code) for k, t in json.loads(notes or "[]")
        ]
        parents: list[tuple[str, str]] = []
        seen = 0
        while parent and seen < 12:
            seen += 1
            # by the unique index on ucode (the dotless code): code itself has no index,
            # and a scan of 98k rows per ancestor made every detail pane cost ~20 ms
            prow = self._icd_db.execute(
                "SELECT code, title, parent, notes FROM icd WHERE ucode = ? AND code = ?",
                (parent.replace(".", ""), parent),
            ).fetchone() or self._icd_db.execute(
                "SELECT code, title, parent, notes FROM icd WHERE code = ?", (parent,)
            ).fetchone()
            if prow is None:
                break
            parents.append((prow[0], prow[1]))
            icd_notes.extend(
                IcdNote(kind=k, text=t, from_code=prow[0]) for k, t in json.loads(prow[3] or "[]")
            )
            parent = prow[2]
        children = [
            (c, t)
            for c, t in self._icd_db.execute(
                "SELECT code, title FROM icd WHERE parent = ? ORDER BY ord", (code,)
            )
        ]
        return Code(
            code=code,
            system=System.ICD10CM,
            title=title,
            description="",
            category="diagnosis",
            attendance="not_applicable",
            discipline="any",
            billable=bool(billable),
            parents=tuple(parents),
            children=tuple(children),
            icd_notes=tuple(icd_notes),
            synonyms=tuple(t for t in (terms or "").split("; ") if t),
            valid_from=dates[0],
            valid_to=dates[1],
            replaced_by=tuple((dates[2] or "").split()),
            provisional=bool(dates[3]),
        )

    # ------------------------------------------------------------- internals

    def _entry(self, code: Code) -> PtEntry:
        title_words = all_words(q.normalize(code.title))
        abbr_words = frozenset(w for a in code.abbreviations for w in q.tokens(a))
        syn_words = frozenset(w for s in code.synonyms for w in q.tokens(s))
        desc_words = all_words(q.normalize(code.description))
        return PtEntry(
            code=code,
            hit=hit_for(code),
            key=code.code.upper(),
            title_words=title_words,
            abbr_keys=frozenset(q.phrase_key(a) for a in code.abbreviations),
            abbr_words=abbr_words,
            syn_words=syn_words,
            syn_keys=frozenset(q.phrase_key(s) for s in code.synonyms),
            desc_words=desc_words,
            title_prefixes=prefixes(title_words),
            syn_abbr_prefixes=prefixes(syn_words | abbr_words),
            desc_prefixes=prefixes(desc_words, 3),
        )


def open_catalog(path: Path | str | None = None) -> Catalog:
    """Open the shipped catalog (or the file at ``path``) read-only."""
    return Catalog(Path(path) if path is not None else packaged_catalog_path())
