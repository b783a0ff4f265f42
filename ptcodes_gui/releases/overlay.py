"""``ImportOverlay``: the import store as the catalog reads it (``catalog.overlay``'s shape).

Each call is one indexed query on its own read-only connection; what is worth keeping
between calls (release labels, the NCCI Column 1 ranges, the telehealth list) is reloaded
when another connection committed (``PRAGMA data_version``) or this one wrote.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Collection, Sequence

from ptcodes_gui.domain.fees import FeeSchedule, Locality
from ptcodes_gui.domain.models import Code, Fact, Hit, Mue, NcciPair, TelehealthList
from ptcodes_gui.releases import codesets_overlay as codesets
from ptcodes_gui.releases.store import ImportStore, ReleaseInfo, read_releases

_WORD_RE = re.compile(r"[0-9a-z]+")
_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{0,15}$")


class ImportOverlay:
    """Satisfies ``ptcodes_gui.catalog.overlay.CatalogOverlay``."""

    def __init__(self, store: ImportStore) -> None:
        self._conn = store.connect_reader()
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._releases: dict[str, ReleaseInfo] = {}
        self._ranges: list[tuple[str, str]] = []
        self._telehealth: TelehealthList | None = None

    def close(self) -> None:
        self._conn.close()

    # ----------------------------------------------------------------- cache

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            self._refresh()
            try:
                return self._conn.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error:
                return []  # a table a newer/older layout does not have

    def _refresh(self) -> None:
        try:
            stamp = (self._conn.execute("PRAGMA data_version").fetchone()[0],
                     self._conn.total_changes)
        except sqlite3.Error:
            return
        if stamp == self._stamp:
            return
        self._stamp = stamp
        self._releases = {r.source: r for r in read_releases(self._conn)}
        self._ranges = _ncci_ranges(self._releases.get("ncci"))
        self._telehealth = None
        tele = self._releases.get("telehealth")
        if tele is not None:
            try:
                rows = self._conn.execute("SELECT code, audio_only FROM telehealth").fetchall()
            except sqlite3.Error:
                rows = []
            self._telehealth = TelehealthList(
                codes=frozenset(str(c) for c, _ in rows),
                audio_only=frozenset(str(c) for c, a in rows if a),
                source=f"{tele.label} (imported {tele.imported_at[:10]})",
                effective=tele.effective,
            )

    def _release(self, source: str) -> ReleaseInfo | None:
        with self._lock:
            self._refresh()
            return self._releases.get(source)

    def has_release(self, source: str) -> bool:
        """Whether this store holds an active import of ``source`` ("ncci", "mue", ...)."""
        return self._release(source) is not None

    def sources(self) -> Sequence[ReleaseInfo]:
        with self._lock:
            self._refresh()
            return list(self._releases.values())

    # ----------------------------------------------------------------- NCCI

    def _pairs(self, rows: list[tuple[object, ...]]) -> list[NcciPair]:
        rel = self._release("ncci")
        if rel is None:
            return []
        as_of = rel.effective or rel.imported_at[:10]
        return [
            NcciPair(str(c1), str(c2), int(str(ind)), rel.label, "H", as_of, str(note or ""),
                     str(eff) if eff else None, str(dele) if dele else None)
            for c1, c2, ind, note, eff, dele in rows
        ]

    def ncci_pairs_for(self, code: str) -> Sequence[NcciPair]:
        key = code.upper()
        return self._pairs(self._query(
            "SELECT column1, column2, indicator, rationale, effective, deleted FROM ncci "
            "WHERE column1 = ? UNION ALL "
            "SELECT column1, column2, indicator, rationale, effective, deleted FROM ncci "
            "WHERE column2 = ? AND column1 != ? ORDER BY 1, 2, 5", (key, key, key)))

    def ncci_pairs_among(self, codes: Collection[str]) -> Sequence[NcciPair]:
        wanted = sorted({c.upper() for c in codes})[:500]
        if len(wanted) < 2:
            return []
        marks = ", ".join("?" * len(wanted))
        return self._pairs(self._query(
            "SELECT column1, column2, indicator, rationale, effective, deleted FROM ncci "
            f"WHERE column1 IN ({marks}) AND column2 IN ({marks}) ORDER BY 1, 2, 5",
            (*wanted, *wanted)))

    def ncci_replaces(self, column1: str) -> bool:
        with self._lock:
            self._refresh()
            ranges = self._ranges
        key = column1.upper()
        return any(lo <= key <= hi for lo, hi in ranges)

    # ----------------------------------------------------------------- MUE, telehealth

    def mue(self, code: str) -> Mue | None:
        rows = self._query("SELECT code, value, mai, rationale FROM mue WHERE code = ?",
                           (code.upper(),))
        rel = self._release("mue")
        if not rows or rel is None:
            return None
        c, value, mai, rationale = rows[0]
        return Mue(str(c), int(str(value)), int(str(mai)), str(rationale or ""), rel.label,
                   rel.effective)

    def telehealth_list(self) -> TelehealthList | None:
        with self._lock:
            self._refresh()
            return self._telehealth

    # ----------------------------------------------------------------- clinic data

    def descriptor(self, code: str) -> tuple[str, str] | None:
        rows = self._query("SELECT text, source FROM descriptors WHERE code = ?", (code.upper(),))
        if rows:
            return str(rows[0][0]), str(rows[0][1])
        return (codesets.cpt_descriptor(self._query, code, self._release("cpt-descriptors"))
                or codesets.hcpcs_descriptor(self._query, code, self._release("hcpcs")))

    def termination(self, code: str) -> tuple[str, str] | None:
        return codesets.hcpcs_termination(self._query, code, self._release("hcpcs"))

    def fee_schedule(self) -> FeeSchedule | None:
        return codesets.fee_schedule(self._query, self._release("pfs"))

    def gpci_locality(self, locality: str) -> Locality | None:
        return codesets.gpci_locality(self._query, self._release("pfs"), locality)

    def _clinic_source(self) -> str:
        rel = self._release("codes")
        return f"Clinic code list {rel.files[0]}" if rel and rel.files else "Clinic code list"

    def clinic_code(self, code: str) -> Code | None:
        key = code.strip().upper()
        if not _CODE_RE.match(key):
            return None
        rows = self._query(
            "SELECT code, title, description, category, timed, unit_minutes, notes "
            "FROM clinic_codes WHERE code = ?", (key,))
        if not rows:
            return None
        c, title, description, category, timed, minutes, notes = rows[0]
        source = self._clinic_source()
        return Code(
            code=str(c), system="clinic", title=str(title), description=str(description or ""),
            category=str(category or "other"), timed=bool(timed),
            unit_minutes=int(str(minutes)) if minutes is not None else None,
            notes=(Fact(str(notes), source, "M"),) if notes else (),
            sources=(Fact("Imported by your clinic", source, "M"),),
        )

    def search_clinic(self, text: str, words: Sequence[str], limit: int,
                      category: str | None = None) -> list[Hit]:
        """Exact code, then code prefix (code order), then every word as a prefix
        (FTS5 in rowid order: no ranking pass over thousands of matches)."""
        if limit <= 0 or self._release("codes") is None:
            return []
        cat = " AND category = ?" if category else ""
        extra: tuple[object, ...] = (category,) if category else ()
        key = re.sub(r"\s+", "", text.strip().upper())
        seen: set[str] = set()
        out: list[Hit] = []
        cols = "code, title, timed, category"
        if _CODE_RE.match(key):
            self._add(out, seen, self._query(
                f"SELECT {cols} FROM clinic_codes WHERE code = ?{cat}", (key, *extra)))
            if len(key) >= 2:
                self._add(out, seen, self._query(
                    f"SELECT {cols} FROM clinic_codes WHERE code > ? AND code < ?{cat} "
                    "ORDER BY code LIMIT ?", (key, key + "~", *extra, limit)))
        terms = _WORD_RE.findall(" ".join(words).lower())[:8]
        if len(terms) > 1:
            # a one-letter prefix matches most of a large list: the other words decide
            terms = [t for t in terms if len(t) > 1] or terms[:1]
        # a number is a code being typed: the code lookups above answer it
        if terms and len(out) < limit and not key.isdigit():
            match = " AND ".join(f'"{w}"*' for w in terms)
            self._add(out, seen, self._query(
                f"SELECT c.code, c.title, c.timed, c.category FROM clinic_codes_fts f "
                f"JOIN clinic_codes c ON c.rowid = f.rowid WHERE clinic_codes_fts MATCH ?"
                f"{cat.replace('category', 'c.category')} LIMIT ?",
                (match, *extra, limit)))
        return out[:limit]

    @staticmethod
    def _add(out: list[Hit], seen: set[str], rows: list[tuple[object, ...]]) -> None:
        for code, title, timed, category in rows:
            c = str(code)
            if c not in seen:
                seen.add(c)
                out.append(Hit(code=c, system="clinic", title=str(title), timed=bool(timed),
                               category=str(category or "other")))


def _ncci_ranges(rel: ReleaseInfo | None) -> list[tuple[str, str]]:
    """The Column 1 ranges the imported parts cover. Consecutive parts also cover the gap
    between them; part 1 covers everything before its first code, and the last of four
    or more parts everything after its last."""
    if rel is None:
        return []
    parts = rel.details.get("parts", {})
    if not isinstance(parts, dict):
        return []
    if "" in parts and not rel.parts:  # a release migrated from an older version: all of it
        return [("", "~")]
    numbered: list[tuple[int, str, str]] = []
    for name, info in parts.items():
        if isinstance(info, dict) and str(name).startswith("f") and str(name)[1:].isdigit():
            numbered.append((int(str(name)[1:]), str(info.get("first", "")),
                             str(info.get("last", ""))))
    numbered.sort()
    ranges: list[tuple[str, str]] = []
    for i, (number, first, last) in enumerate(numbered):
        lo = "" if number == 1 else first
        hi = last
        if i + 1 < len(numbered) and numbered[i + 1][0] == number + 1:
            hi = numbered[i + 1][1]
        elif number >= 4 and i == len(numbered) - 1:
            hi = "~"
        if lo <= hi:
            ranges.append((lo, hi))
    return ranges
