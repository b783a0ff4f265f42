"""Diagnosis search: ICD-10-CM rows found in SQLite and re-ranked in Python.

Codes are found by a B-tree range on the undotted code, words through FTS5 in rowid order
(the build stores rows in priority order), then a capped candidate set is re-ranked here.
Nothing sorts tens of thousands of rows per keystroke. Every statement reads
``self._icd_db`` with the tables described in docs/PERFORMANCE.md ("ICD-10-CM source").
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date

from ptcodes_gui.catalog import query as q
from ptcodes_gui.catalog import vocabulary as v
from ptcodes_gui.domain.models import Hit, System

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
#: Rows a shorthand code range may bring for ranking against the other words of a query.
ALIAS_ROWS = 400
#: The longest shorthand (in words) looked for inside a longer query.
MAX_ALIAS_WORDS = 6

Row = tuple[str, str, int]

_TOKEN_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")


def has_word(lowered: str, word: str, *, whole: bool) -> bool:
    """Whether a word of ``lowered`` (split as ``query._TOKEN`` does) starts with ``word``
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


def next_key(prefix: str) -> str:
    return prefix + "~"


def _means(words: list[str], vocabulary: frozenset[str]) -> bool:
    """A query word is, or is the start (4+ letters) of, a word of ``vocabulary``."""
    return any(
        w in vocabulary or (len(w) >= 4 and any(t.startswith(w) for t in vocabulary))
        for w in words
    )


def injury_first(words: list[str]) -> bool:
    """'ankle fracture' means the injury (S82), not an osteoporotic fracture (M80); so does
    'traumatic' (but not 'post traumatic')."""
    return (_means(words, v.INJURY_WORDS) or v.traumatic(words)) and not _means(
        words, v.PATHOLOGY_WORDS)


class IcdSearchMixin:
    """The diagnosis half of ``Catalog.search``; state is set up by ``Catalog``."""

    _icd_db: sqlite3.Connection
    _icd_terms: tuple[str, ...] | None
    _icd_vocab: frozenset[str] | None
    _hit_cache: dict[str, Hit]
    #: code -> (last day valid, replacing codes), for the diagnoses that have an end date
    _icd_ended: dict[str, tuple[str, tuple[str, ...]]]
    _aliases: dict[str, tuple[str, ...]]
    _loose_aliases: dict[str, tuple[str, ...]]
    _injury_rows: tuple[int, int] | None

    def _icd_hit(self, code: str, title: str, billable: int) -> Hit:
        hit = self._hit_cache.get(code)
        if hit is None:
            if len(self._hit_cache) >= HIT_CACHE_SIZE:
                self._hit_cache.clear()
            ended = self._icd_ended.get(code)
            gone = ended is not None and ended[0] < date.today().isoformat()
            hit = self._hit_cache[code] = Hit(
                code=code,
                system=System.ICD10CM,
                title=title,
                timed=None,
                category="diagnosis",
                billable=bool(billable) and not gone,
                status="deleted" if gone else "active",
                replaced_by=ended[1] if ended is not None and gone else (),
            )
        return hit

    def _alias_rows(self, codes: Iterable[str], limit: int) -> Iterator[Row]:
        """A shorthand's codes, each followed by its billable children."""
        for code in codes:
            key = q.code_key(code)
            yield from self._icd_db.execute(
                "SELECT code, title, billable FROM icd WHERE ucode = ?", (key,))
            yield from self._icd_db.execute(
                "SELECT code, title, billable FROM icd WHERE ucode > ? AND ucode < ? "
                "AND billable ORDER BY ucode LIMIT ?",
                (key, next_key(key), limit))

    def _search_icd(
        self, text: str, words: list[str], limit: int, *, typo_ok: bool = True,
        strict: bool = False,
    ) -> list[Hit]:
        """``strict``: the query named a procedure as a whole phrase ("ther act"), so a
        diagnosis found only through word prefixes ("thermophilic actinomycetes") is noise."""
        out: list[Hit] = []
        seen: set[str] = set()

        def add(rows: Iterable[Row]) -> None:
            for c, t, b in rows:
                if len(out) >= limit:
                    return  # what is past the limit is never shown: no Hit for it
                if c not in seen:
                    seen.add(c)
                    out.append(self._icd_hit(c, t, b))

        alias = self._aliases.get(" ".join(words)) or self._loose_aliases.get(v.loose_key(words))
        if not alias and len(words) > 1:
            add(self._alias_with_words(words, limit))
        if alias:
            add(self._alias_rows(alias, limit))
        if q.looks_like_icd_code(text):
            key = q.code_key(text)
            add(self._icd_db.execute(
                "SELECT code, title, billable FROM icd WHERE ucode >= ? AND ucode < ? "
                "AND kind NOT IN ('chapter','block') ORDER BY ucode LIMIT ?",
                (key, next_key(key), limit)))
            if out:
                return out[:limit]
        if len(out) >= limit:
            return out[:limit]
        ranked = self._icd_words(words, limit, strict=strict)
        if not ranked and typo_ok:
            fixed = [self._icd_correct(w) for w in words]
            if fixed != words:
                ranked = self._icd_words(fixed, limit, strict=strict)
        add(ranked)
        return out[:limit]

    def _alias_with_words(
        self, words: list[str], limit: int, *, loose: bool = False
    ) -> list[Row]:
        """'acl tear right': shorthand inside a longer query. The codes the shorthand
        stands for, ranked by how many of the other words their titles contain; ``loose``
        (a fallback step): the shorthand's codes even when no title has the other words
        ("si joint dysfunction")."""
        # longest span first: "low back pain with sciatica right" is the sciatica shorthand
        for size in range(min(len(words), MAX_ALIAS_WORDS), 0, -1):
            for i in range(len(words) - size + 1):
                span = words[i : i + size]
                codes = self._aliases.get(" ".join(span)) or self._loose_aliases.get(
                    v.loose_key(span))
                if not codes:
                    continue
                rest = words[:i] + words[i + size :]
                fold = v.folds(words)
                rows: list[Row] = []
                for code in codes:
                    key = q.code_key(code)
                    rows.extend(self._icd_db.execute(
                        "SELECT code, title, billable FROM icd WHERE ucode >= ? AND ucode < ? "
                        "ORDER BY ucode LIMIT ?", (key, next_key(key), ALIAS_ROWS)))
                scored = []
                for pos, (c, t, b) in enumerate(rows):
                    lowered = v.fold_title(t, fold)
                    # every word counts, so "tear" still tells M75.1 from S46.0 when it
                    # is part of the shorthand ("rotator cuff tear right"); at least one
                    # word outside the shorthand must match
                    hits = sum(1 for w in rest
                               if w not in v.STOPWORDS and has_word(lowered, w, whole=False))
                    if hits:
                        hits += sum(1 for w in span if has_word(lowered, w, whole=False))
                        initial = 1 if len(c) == 8 and c[-1] == "A" else 0
                        scored.append((-hits, -b, -initial, pos, (c, t, b)))
                scored.sort()
                if scored:
                    return [row for *_, row in scored[:limit]]
                if loose:
                    return list(self._alias_rows(codes, limit))[:limit]
        return []

    def _icd_words(
        self, words: list[str], limit: int, *, strict: bool = False
    ) -> list[Row]:
        expr = self._fts_match(words)
        if expr is None:
            return []
        # one or two letters match tens of thousands of rows: rowid order is the ranking
        short = sum(len(w) for w in words) <= 2
        # the inclusion and Index terms only when they are looked at: an imported release
        # carries every Index phrase of a code there, too long to fetch 300 times a key
        terms = "i.terms" if strict else "''"
        rows = self._icd_db.execute(
            f"SELECT i.code, i.title, i.billable, i.pt, i.ord, {terms} FROM icd_fts "
            "JOIN icd i ON i.id = icd_fts.rowid WHERE icd_fts MATCH ? LIMIT ?",
            (expr, limit if short and not strict else ICD_CANDIDATES),
        ).fetchall()
        injury = not short and injury_first(words)
        if injury:
            rows = self._with_injury_rows(rows, expr, terms)
        if strict:
            rows = [r for r in rows if any(
                has_word(f"{r[1]} {r[5] or ''}".lower(), w, whole=True) for w in words)]
        if short:
            return [(c, t, b) for c, t, b, *_ in rows[:limit]]
        # A repeated word scores n times (sums of halves are exact, so order is irrelevant).
        counted = Counter(words).items()
        fold = v.folds(words)
        scored = []
        for code, title, billable, pt, ord_, _terms in rows:
            lowered = v.fold_title(title, fold)
            score = 0.0
            for w, n in counted:
                if not has_word(lowered, w, whole=False):
                    score += 0.5 * n  # matched only an inclusion term
                elif has_word(lowered, w, whole=True):
                    score += 3 * n
                else:
                    score += 2 * n
            score += 2.0 * billable + 2.0 * pt  # pt: 1 PT chapter, 2 PT shorthand list
            if len(code) == 8 and code[-1] == "A":
                score += 0.3  # initial encounter before subsequent / sequela
            if injury and code[0] == "S":
                # the injury before pathological and osteoporotic fractures, and its
                # initial encounter before the subsequent ones and the sequela
                score += 4.0 + (0.8 if code[-1] == "A" else 0.0)
            score -= (len(title) // 12) * 0.2  # coarse, so ties fall back to tabular order
            scored.append((-score, ord_, (code, title, billable)))
        scored.sort()
        return [row for _, _, row in scored]

    def _with_injury_rows(
        self, rows: list[tuple[str, str, int, int, int, str]], expr: str, terms: str
    ) -> list[tuple[str, str, int, int, int, str]]:
        """Add the injury chapter's matches, which rowid (tabular) order puts after the
        M-codes: "ankle fracture" has more osteoporotic and pathological rows than fit in
        the candidate cap. A rowid range keeps this query as cheap as the first."""
        lo, hi = self._injury_range()
        if hi < lo:
            return rows
        seen = {r[0] for r in rows}
        extra = self._icd_db.execute(
            f"SELECT i.code, i.title, i.billable, i.pt, i.ord, {terms} FROM icd_fts "
            "JOIN icd i ON i.id = icd_fts.rowid WHERE icd_fts MATCH ? "
            "AND icd_fts.rowid BETWEEN ? AND ? LIMIT ?",
            (expr, lo, hi, ICD_CANDIDATES),
        ).fetchall()
        return rows + [r for r in extra if r[0] not in seen]

    def _injury_range(self) -> tuple[int, int]:
        if self._injury_rows is None:
            row = self._icd_db.execute(
                "SELECT min(id), max(id) FROM icd WHERE ucode >= 'S' AND ucode < 'T' "
                "AND billable AND pt = 1"
            ).fetchone()
            self._injury_rows = (row[0], row[1]) if row and row[0] is not None else (1, 0)
        return self._injury_rows

    def _fts_match(self, words: list[str]) -> str | None:
        """The MATCH expression for ``words``; None when a word matches no indexed term.

        Words longer than the prefix index are spelled out as their terms (see
        FTS_MAX_EXPANSION); the rows matched are exactly those of ``"word"*``."""
        parts: list[str] = []
        for w in words:
            split = v.SPLIT_WORDS.get(w)
            if split is not None:  # "nondominant" or "non" "dominant" (re-ranked after)
                both = " AND ".join(f'"{part}"' for part in split)
                parts.append(f'("{w}"* OR ({both}))')
                continue
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

    def _icd_knows(self, word: str) -> bool:
        """Whether some ICD index term starts with ``word``."""
        terms = self._icd_term_list()
        i = bisect_left(terms, word)
        return i < len(terms) and terms[i].startswith(word)

    def warm_up(self) -> None:
        """Load what the first searches would otherwise load lazily (the ICD vocabulary,
        the injury rows' range, the word sets of the fallback steps: ~15 ms in all)."""
        self._icd_term_list()
        self._injury_range()
        if self._icd_vocab is None:
            self._icd_vocab = frozenset(self._icd_term_list())

    def _icd_correct(self, word: str) -> str:
        if not q.TYPO_MIN_LEN <= len(word) <= q.TYPO_MAX_LEN or not word.isalpha():
            return word
        if self._icd_vocab is None:
            self._icd_vocab = frozenset(self._icd_term_list())
        if word in self._icd_vocab:
            return word
        # the longest of the words one edit away: "sciatia" is "sciatica" more than "sciatic"
        fixes = sorted(q.edits1(word) & self._icd_vocab, key=lambda c: (-len(c), c))
        return fixes[0] if fixes else word
