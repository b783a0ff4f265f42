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
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from ptcodes_gui.catalog import query as q
from ptcodes_gui.catalog.overlay import NO_OVERLAY, CatalogOverlay
from ptcodes_gui.catalog.schema import SCHEMA_VERSION, packaged_catalog_path
from ptcodes_gui.domain.models import (
    CATEGORIES,
    SYSTEM_FILTERS,
    Code,
    Fact,
    Hit,
    IcdNote,
    Mue,
    NcciPair,
    System,
    TelehealthList,
)

ICD_CANDIDATES = 300
#: The build's FTS5 ``prefix='1 2 3'``: prefixes up to this length have their own index.
FTS_PREFIX_INDEX = 3
#: A longer prefix is spelled out as an OR of the index terms it covers when there are at
#: most this many: FTS5 walks those doclists lazily and stops at the LIMIT, whereas a
#: prefix query without a prefix index first merges every matching doclist in full
#: ("left"* reads 16k rows, ~3 ms, to return the first 300).
FTS_MAX_EXPANSION = 32
#: Hit objects of ICD rows are reused between keystrokes; the cache is dropped when full.
HIT_CACHE_SIZE = 4096
_CATEGORY_ORDER = {name: i for i, name in enumerate(CATEGORIES)}


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


@dataclass
class _PtEntry:
    code: Code
    hit: Hit
    key: str  # upper-case code
    title_words: frozenset[str]
    abbr_keys: frozenset[str]  # phrase keys of abbreviations
    abbr_words: frozenset[str]
    syn_words: frozenset[str]
    syn_keys: frozenset[str]
    desc_words: frozenset[str]
    # Every prefix of the words above, so "does any word start with w" is one set lookup
    # (this loop runs over every PT entry for every word of every keystroke).
    title_prefixes: frozenset[str]
    syn_abbr_prefixes: frozenset[str]
    desc_prefixes: frozenset[str]  # prefixes of 3+ characters only


def _words(*texts: str) -> frozenset[str]:
    out: set[str] = set()
    for t in texts:
        out.update(q.tokens(t) if len(t) < q.MAX_QUERY_CHARS else q._TOKEN.findall(q.normalize(t)))
    return frozenset(out)


def _all_words(text: str) -> frozenset[str]:
    return frozenset(q._TOKEN.findall(text.lower()))


_TOKEN_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")


def _has_word(lowered: str, word: str, *, whole: bool) -> bool:
    """Whether a word of ``lowered`` (as ``_all_words`` splits it) starts with ``word``
    (or, ``whole``, equals it). ``str.find`` is several times faster per candidate row
    than tokenising the title or a look-behind regex."""
    n = len(word)
    i = lowered.find(word)
    while i >= 0:
        if (i == 0 or lowered[i - 1] not in _TOKEN_CHARS) and (
            not whole or i + n == len(lowered) or lowered[i + n] not in _TOKEN_CHARS
        ):
            return True
        i = lowered.find(word, i + 1)
    return False


def _prefixes(words: Iterable[str], min_len: int = 1) -> frozenset[str]:
    return frozenset(w[:i] for w in words for i in range(min_len, len(w) + 1))


def _fact(d: dict[str, Any]) -> Fact:
    return Fact(**d)


def _code_from_json(data: dict[str, Any]) -> Code:
    tuples = (
        "replaced_by", "addon_to", "addons", "abbreviations", "synonyms", "related",
        "modifiers",
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
        timed=None if code.system in (System.MODIFIER, System.ICD10CM) else code.timed,
        status=code.status,
        category=code.category,
        billable=code.billable,
        common=code.common,
        replaced_by=code.replaced_by,
    )


def _next_key(prefix: str) -> str:
    return prefix + "~"


class Catalog:
    """The shipped catalog, opened read-only and immutable."""

    def __init__(self, path: Path, overlay: CatalogOverlay | None = None) -> None:
        self._overlay: CatalogOverlay = overlay or NO_OVERLAY
        if not path.is_file():
            raise CatalogError(
                f"The code catalog was not found at {path}. Reinstall PT Codes, or from a "
                "source checkout run: python -m ptcodes_gui.catalog.build"
            )
        uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
        try:
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise CatalogError(f"The code catalog at {path} cannot be read: {exc}") from exc
        if version != SCHEMA_VERSION:
            raise CatalogError(
                f"The code catalog at {path} has layout version {version}; this program "
                f"reads version {SCHEMA_VERSION}. Rebuild or reinstall it."
            )
        self.path = path
        self._meta = meta
        self._aliases: dict[str, tuple[str, ...]] = {
            k: tuple(v) for k, v in json.loads(meta.get("icd_aliases", "{}")).items()
        }
        self._hints: dict[str, tuple[str, ...]] = {
            q.phrase_key(k): tuple(v) for k, v in json.loads(meta.get("search_hints", "{}")).items()
        }
        self._aliases = {q.phrase_key(k): v for k, v in self._aliases.items()}
        self._pt: dict[str, _PtEntry] = {}
        for (data,) in self._db.execute("SELECT data FROM codes"):
            code = _code_from_json(json.loads(data))
            self._pt[code.code.upper()] = self._entry(code)
        self._base_pt = dict(self._pt)
        self._pairs: list[NcciPair] = [
            NcciPair(**dict(zip(
                ("column1", "column2", "indicator", "source", "confidence", "as_of", "note",
                 "effective", "deleted"), row, strict=True)))
            for row in self._db.execute(
                "SELECT column1, column2, indicator, source, confidence, as_of, note, "
                "effective, deleted FROM ncci")
        ]
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
        self._icd_count = self._icd_billable = 0
        self._attach_icd(self._db, meta)

    def _attach_icd(self, db: sqlite3.Connection, meta: dict[str, str]) -> None:
        """Read every diagnosis (look-ups, children, search) from ``db`` from now on.

        ``db`` is the catalog's own connection, or an imported ICD-10-CM release database
        with the same ``icd`` and ``icd_fts`` tables (see docs/PERFORMANCE.md, "ICD-10-CM
        source"); ``meta`` is that database's ``meta`` table (``icd_terms``, ``icd_count``,
        ``icd_billable`` are optional and computed when absent)."""
        self._icd_db = db
        self._icd_vocab = None
        self._icd_terms = None
        if "icd_terms" in meta:  # stored by newer builds; older ones: see _icd_term_list
            self._icd_terms = tuple(sorted(meta["icd_terms"].split()))
        self._hit_cache = {}
        if "icd_count" in meta and "icd_billable" in meta:
            self._icd_count = int(meta["icd_count"])
            self._icd_billable = int(meta["icd_billable"])
        else:  # a catalog built before the counts were stored
            self._icd_count = db.execute("SELECT count(*) FROM icd").fetchone()[0]
            self._icd_billable = db.execute(
                "SELECT count(*) FROM icd WHERE billable"
            ).fetchone()[0]

    def use_icd_release(self, path: Path | None) -> None:
        """Read diagnoses from an imported ICD-10-CM release database (catalog/icd_release.py
        writes it), or again from the shipped catalog (None). The shipped file is untouched."""
        if path is None:
            db, meta = self._db, self._meta
        else:
            try:
                uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
                db = sqlite3.connect(uri, uri=True, check_same_thread=False)
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
        entry = self._pt.get(key)
        if entry is not None:
            return replace(entry.code, ncci=tuple(self.pairs_for(entry.code.code)))
        clinic = self._overlay.clinic_code(code.strip().upper())
        if clinic is not None:
            return replace(clinic, ncci=tuple(self.pairs_for(clinic.code)))
        return self._get_icd(key)

    def exists(self, code: str) -> bool:
        key = q.code_key(code)
        if key in self._pt or self._overlay.clinic_code(code.strip().upper()) is not None:
            return True
        row = self._icd_db.execute("SELECT 1 FROM icd WHERE ucode = ?", (key,)).fetchone()
        return row is not None

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
            (key, _next_key(key), limit),
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
                    (prefix, _next_key(prefix), limit),
                ).fetchall()
                if rows:
                    return [self._icd_hit(c, t, b) for c, t, b in rows]
        return []

    def _get_icd(self, key: str) -> Code | None:
        row = self._icd_db.execute(
            "SELECT code, title, billable, kind, parent, notes, terms FROM icd WHERE ucode = ?",
            (key,),
        ).fetchone()
        if row is None:
            return None
        code, title, billable, _kind, parent, notes, terms = row
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
        )

    # ---------------------------------------------------------------- search

    def search(
        self,
        text: str,
        limit: int = 50,
        system: str | None = None,
        *,
        category: str | None = None,
        common_only: bool = False,
    ) -> list[Hit]:
        """Ranked hits for what a clinician typed. Never raises on any text."""
        if system is not None and system not in SYSTEM_FILTERS:
            raise ValueError(f"unknown system filter {system!r}; use one of {SYSTEM_FILTERS}")
        limit = max(0, min(int(limit), 1000))
        if limit == 0:
            return []
        text = text if isinstance(text, str) else str(text)
        want_pt = system in (None, "pt", "cpt", "hcpcs", "modifier")
        want_icd = system in (None, "icd10cm") and not common_only and category in (
            None, "diagnosis"
        )
        words = q.tokens(text)
        if not words:
            return self._browse(limit, system, category, common_only)

        pt_strong: list[Hit] = []
        pt_weak: list[Hit] = []
        if want_pt:
            pt_strong, pt_weak = self._search_pt(text, words, system, category, common_only)
        if system in (None, "pt") and not common_only:
            pt_strong = self._with_clinic(pt_strong, text, words, limit, category)
        icd: list[Hit] = []
        if want_icd:
            icd = self._search_icd(text, words, limit, typo_ok=not pt_strong)
        code_query = q.looks_like_icd_code(text) and not any(
            h.code.upper().startswith(q.code_key(text)) for h in pt_strong
        )
        ordered = icd + pt_strong + pt_weak if code_query else pt_strong + icd + pt_weak
        return ordered[:limit]

    def _with_clinic(self, strong: list[Hit], text: str, words: list[str], limit: int,
                     category: str | None) -> list[Hit]:
        """Imported clinic codes (searched in SQLite): an exact code first, others after
        the catalog's strong hits."""
        clinic = self._overlay.search_clinic(text, words, limit, category)
        if not clinic:
            return strong
        key = text.strip().upper()
        return ([h for h in clinic if h.code == key] + strong
                + [h for h in clinic if h.code != key])

    def _browse(
        self, limit: int, system: str | None, category: str | None, common_only: bool
    ) -> list[Hit]:
        if system == "icd10cm" or category == "diagnosis":
            rows = self._icd_db.execute(
                "SELECT code, title, billable FROM icd WHERE kind = 'chapter' ORDER BY ord LIMIT ?",
                (limit,),
            ).fetchall()
            return [self._icd_hit(c, t, b) for c, t, b in rows]
        entries = [
            e for e in self._pt.values()
            if self._pt_allowed(e, system, category, common_only)
        ]
        entries.sort(key=lambda e: (_CATEGORY_ORDER.get(e.code.category, 99),
                                    e.code.discipline not in ("PT", "any"),
                                    e.code.is_deleted, e.key))
        return [e.hit for e in entries[:limit]]

    @staticmethod
    def _pt_allowed(
        e: _PtEntry, system: str | None, category: str | None, common_only: bool
    ) -> bool:
        s = e.code.system
        if system == "pt" and s not in (System.CPT, System.HCPCS, "clinic"):
            return False
        if system in ("cpt", "hcpcs", "modifier") and s != system:
            return False
        if category is not None and e.code.category != category:
            return False
        return not (common_only and not e.code.common)

    def _search_pt(
        self,
        text: str,
        words: list[str],
        system: str | None,
        category: str | None,
        common_only: bool,
    ) -> tuple[list[Hit], list[Hit]]:
        key = q.code_key(text)
        phrase = " ".join(words)
        hinted = self._hints.get(phrase, ())
        words = [self._pt_correct(w) for w in words]
        numeric = len(words) == 1 and words[0].isdigit()  # a code number: codes only
        strong: list[tuple[float, str, Hit]] = []
        weak: list[tuple[float, str, Hit]] = []
        for e in self._pt.values():
            if not self._pt_allowed(e, system, category, common_only):
                continue
            score = 0.0
            if e.key == key:
                score = 1000.0
            elif len(key) >= 2 and e.key.startswith(key) and (key[0].isdigit() or len(words) == 1):
                # a code prefix lists codes in code order, untouched by the bonuses below
                strong.append((-800.0, e.key, e.hit))
                continue
            if phrase in e.abbr_keys:
                score = max(score, 600.0)
            elif phrase in e.syn_keys:
                score = max(score, 450.0)
            if e.code.code in hinted:
                score = max(score, 700.0 - 10 * hinted.index(e.code.code))
            only_desc = False
            if score == 0.0 and not numeric:
                score, only_desc = self._word_score(e, words)
            if score <= 0:
                continue
            if e.code.common:
                score += 3
            if e.code.is_deleted:
                score -= 20
            if e.code.discipline not in ("PT", "any"):
                score -= 8
            if e.code.verify:
                score -= 2
            (weak if only_desc else strong).append((-score, e.key, e.hit))
        strong.sort()
        weak.sort()
        return [h for _, _, h in strong], [h for _, _, h in weak]

    @staticmethod
    def _word_score(e: _PtEntry, words: list[str]) -> tuple[float, bool]:
        total = 0.0
        only_desc = True
        for w in words:
            best = 0.0
            if w in e.abbr_words:
                best = 60.0
            if w in e.title_words:
                best = max(best, 50.0)
            elif w in e.title_prefixes:
                best = max(best, 40.0)
            if w in e.syn_words:
                best = max(best, 35.0)
            elif w in e.syn_abbr_prefixes:
                best = max(best, 30.0)
            if best > 0:
                only_desc = False
            elif w in e.desc_words:
                best = 8.0
            elif len(w) >= 3 and w in e.desc_prefixes:
                best = 5.0
            if best == 0:
                return 0.0, False
            total += best
        # shorter titles are more specific
        return total - len(e.code.title) / 50.0, only_desc

    def _pt_correct(self, word: str) -> str:
        if (
            not q.TYPO_MIN_LEN <= len(word) <= q.TYPO_MAX_LEN
            or word in self._pt_prefixes
            or not word.isalpha()
        ):
            return word
        fixed = q.correct(word, self._pt_prefixes)
        return fixed or word

    # --- ICD

    def _icd_hit(self, code: str, title: str, billable: int) -> Hit:
        hit = self._hit_cache.get(code)
        if hit is None:
            if len(self._hit_cache) >= HIT_CACHE_SIZE:
                self._hit_cache.clear()
            hit = self._hit_cache[code] = Hit(
                code=code,
                system=System.ICD10CM,
                title=title,
                timed=None,
                category="diagnosis",
                billable=bool(billable),
            )
        return hit

    def _search_icd(
        self, text: str, words: list[str], limit: int, *, typo_ok: bool = True
    ) -> list[Hit]:
        out: list[Hit] = []
        seen: set[str] = set()

        def add(rows: Iterable[tuple[str, str, int]]) -> None:
            for c, t, b in rows:
                if c not in seen:
                    seen.add(c)
                    out.append(self._icd_hit(c, t, b))

        alias = self._aliases.get(" ".join(words))
        if not alias and len(words) > 1:
            add(self._alias_with_words(words, limit))
        if alias:
            for code in alias:
                key = q.code_key(code)
                add(self._icd_db.execute(
                    "SELECT code, title, billable FROM icd WHERE ucode = ?", (key,)))
                add(self._icd_db.execute(
                    "SELECT code, title, billable FROM icd WHERE ucode > ? AND ucode < ? "
                    "AND billable ORDER BY ucode LIMIT ?",
                    (key, _next_key(key), limit)))
        if q.looks_like_icd_code(text):
            key = q.code_key(text)
            add(self._icd_db.execute(
                "SELECT code, title, billable FROM icd WHERE ucode >= ? AND ucode < ? "
                "AND kind NOT IN ('chapter','block') ORDER BY ucode LIMIT ?",
                (key, _next_key(key), limit)))
            if out:
                return out[:limit]
        if len(out) >= limit:
            return out[:limit]
        ranked = self._icd_words(words, limit)
        if not ranked and typo_ok:
            fixed = [self._icd_correct(w) for w in words]
            if fixed != words:
                ranked = self._icd_words(fixed, limit)
        add(ranked)
        return out[:limit]

    def _alias_with_words(self, words: list[str], limit: int) -> list[tuple[str, str, int]]:
        """'acl tear right': shorthand inside a longer query. The codes the shorthand
        stands for, ranked by how many of the other words their titles contain."""
        for size in (2, 1):
            for i in range(len(words) - size + 1):
                codes = self._aliases.get(" ".join(words[i : i + size]))
                if not codes:
                    continue
                rest = words[:i] + words[i + size :]
                rows: list[tuple[str, str, int]] = []
                for code in codes:
                    key = q.code_key(code)
                    rows.extend(self._icd_db.execute(
                        "SELECT code, title, billable FROM icd WHERE ucode >= ? AND ucode < ? "
                        "ORDER BY ucode LIMIT 400", (key, _next_key(key))))
                scored = []
                for pos, (c, t, b) in enumerate(rows):
                    lowered = t.lower()
                    hits = sum(1 for w in rest if _has_word(lowered, w, whole=False))
                    if hits:
                        initial = 1 if len(c) == 8 and c[-1] == "A" else 0
                        scored.append((-hits, -b, -initial, pos, (c, t, b)))
                scored.sort()
                if scored:
                    return [row for *_, row in scored[:limit]]
        return []

    def _icd_words(self, words: list[str], limit: int) -> list[tuple[str, str, int]]:
        expr = self._fts_match(words)
        if expr is None:
            return []
        # one or two letters match tens of thousands of rows: rowid order is the ranking
        short = sum(len(w) for w in words) <= 2
        rows = self._icd_db.execute(
            "SELECT i.code, i.title, i.billable, i.pt, i.ord FROM icd_fts "
            "JOIN icd i ON i.id = icd_fts.rowid WHERE icd_fts MATCH ? LIMIT ?",
            (expr, limit if short else ICD_CANDIDATES),
        ).fetchall()
        if short:
            return [(c, t, b) for c, t, b, *_ in rows]
        # A repeated word scores n times (sums of halves are exact, so order is irrelevant).
        counted = Counter(words).items()
        scored = []
        for code, title, billable, pt, ord_ in rows:
            lowered = title.lower()
            score = 0.0
            for w, n in counted:
                if not _has_word(lowered, w, whole=False):
                    score += 0.5 * n  # matched only an inclusion term
                elif _has_word(lowered, w, whole=True):
                    score += 3 * n
                else:
                    score += 2 * n
            score += 2.0 * billable + 2.0 * pt  # pt: 1 PT chapter, 2 PT shorthand list
            if len(code) == 8 and code[-1] == "A":
                score += 0.3  # initial encounter before subsequent / sequela
            score -= (len(title) // 12) * 0.2  # coarse, so ties fall back to tabular order
            scored.append((-score, ord_, (code, title, billable)))
        scored.sort()
        return [row for _, _, row in scored]

    def _fts_match(self, words: list[str]) -> str | None:
        """The MATCH expression for ``words``; None when a word matches no indexed term.

        Words longer than the prefix index are spelled out as their terms (see
        FTS_MAX_EXPANSION); the rows matched are exactly those of ``"word"*``."""
        parts: list[str] = []
        for w in words:
            if len(w) <= FTS_PREFIX_INDEX:
                parts.append(q.fts_expression([w]))
                continue
            terms = self._icd_term_list()
            lo = bisect_left(terms, w)
            hi = lo
            while hi < len(terms) and hi - lo <= FTS_MAX_EXPANSION and terms[hi].startswith(w):
                hi += 1
            if hi == lo:
                return None
            if hi - lo > FTS_MAX_EXPANSION:
                parts.append(q.fts_expression([w]))
            elif hi - lo == 1:
                parts.append(q.fts_terms(terms[lo:hi]))
            else:
                parts.append("(" + q.fts_terms(terms[lo:hi]) + ")")
        return " AND ".join(parts)

    def _icd_term_list(self) -> tuple[str, ...]:
        """Every term of the ICD-10-CM full-text index, sorted.

        Catalogs built before the vocabulary was stored in ``meta`` read it from FTS5
        once (~50 ms here); ``warm_up`` lets the caller pay that before the first key."""
        if self._icd_terms is None:
            self._icd_db.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.icd_vocab "
                "USING fts5vocab(main, icd_fts, row)"
            )
            self._icd_terms = tuple(
                sorted(t for (t,) in self._icd_db.execute("SELECT term FROM temp.icd_vocab"))
            )
        return self._icd_terms

    def warm_up(self) -> None:
        """Load what the first searches would otherwise load lazily (the ICD vocabulary)."""
        self._icd_term_list()

    def _icd_correct(self, word: str) -> str:
        if not q.TYPO_MIN_LEN <= len(word) <= q.TYPO_MAX_LEN or not word.isalpha():
            return word
        if self._icd_vocab is None:
            self._icd_vocab = frozenset(self._icd_term_list())
        if word in self._icd_vocab:
            return word
        return q.correct(word, self._icd_vocab) or word

    # ------------------------------------------------------------- internals

    def _entry(self, code: Code) -> _PtEntry:
        title_words = _all_words(q.normalize(code.title))
        abbr_words = frozenset(w for a in code.abbreviations for w in q.tokens(a))
        syn_words = frozenset(w for s in code.synonyms for w in q.tokens(s))
        desc_words = _all_words(q.normalize(code.description))
        return _PtEntry(
            code=code,
            hit=hit_for(code),
            key=code.code.upper(),
            title_words=title_words,
            abbr_keys=frozenset(q.phrase_key(a) for a in code.abbreviations),
            abbr_words=abbr_words,
            syn_words=syn_words,
            syn_keys=frozenset(q.phrase_key(s) for s in code.synonyms),
            desc_words=desc_words,
            title_prefixes=_prefixes(title_words),
            syn_abbr_prefixes=_prefixes(syn_words | abbr_words),
            desc_prefixes=_prefixes(desc_words, 3),
        )


def open_catalog(path: Path | str | None = None) -> Catalog:
    """Open the shipped catalog (or the file at ``path``) read-only."""
    return Catalog(Path(path) if path is not None else packaged_catalog_path())
