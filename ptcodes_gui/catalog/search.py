"""``Catalog.search``: ranked hits for what a clinician typed, and never a dead end.

PT codes, HCPCS codes and modifiers (a few hundred rows) are held in memory and ranked in
Python, where the ranking is easy to read and to test; diagnoses come from
``icd_search.IcdSearchMixin``. When every word matches, that is the answer. When nothing
does, the query is relaxed one step at a time, and the answer says what was relaxed:

1. a code in the query wins ("97530 ther act", "cpt 97110", "xs modifier");
2. filler words are dropped ("cpt", "code", "modifier", "dx", "for", "with");
3. shorthand is spelled out and words are loosened ("mcl" -> "medial collateral",
   "golfers" -> "golfer", "fractured" -> "fractur"), a typo fixed;
4. the best partial match: a shorthand inside the query, then the codes that match the
   most words (a word must be a real word of the catalog to count).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field, replace
from itertools import combinations

from ptcodes_gui.catalog import query as q
from ptcodes_gui.catalog import vocabulary as v
from ptcodes_gui.catalog.icd_search import IcdSearchMixin, has_word
from ptcodes_gui.catalog.overlay import CatalogOverlay
from ptcodes_gui.catalog.search_entries import (
    AllowedEntries,
    PtEntry,
    ended_last,
    prefer_system,
    prefixes,
    pt_allowed,
    pt_phrase_variant,
    quoted,
    scorable,
    without_filler,
    word_index,
    word_score,
)
from ptcodes_gui.domain.models import CATEGORIES, SYSTEM_FILTERS, Hit

_CATEGORY_ORDER = {name: i for i, name in enumerate(CATEGORIES)}
#: Searches a partial match may run (each one PT pass and one FTS query) per keystroke.
MAX_PARTIAL_TRIES = 4
SINGLE_WORD_TRIES = 2
#: PT scores at or above this came from the whole query naming the code (abbreviation,
#: synonym or hint), not from single words.
PHRASE_SCORE = 450.0
#: A hint found inside a longer query when no code matched its words ("game ready ice
#: machine"): the hint's codes, in the hint's order.
SPAN_HINT_SCORE = 300.0
MAX_HINT_WORDS = 5


@dataclass(frozen=True)
class SearchResult:
    """Hits, and when the query had to be relaxed to find any, a one-line note saying how
    ("Showing results for 97530; 'ther act' also matches it."); "" when every word matched."""

    hits: list[Hit]
    note: str = ""
    relaxed: tuple[str, ...] = field(default=())  # the steps taken: "code", "filler", ...


@dataclass(frozen=True)
class _Ask:
    """The filters of one search."""

    limit: int
    system: str | None
    category: str | None
    common_only: bool

    @property
    def want_icd(self) -> bool:
        return self.system in (None, "icd10cm") and not self.common_only and (
            self.category in (None, "diagnosis"))

    @property
    def want_pt(self) -> bool:
        return self.system in (None, "pt", "cpt", "hcpcs", "modifier")


class SearchMixin(IcdSearchMixin):
    """Search over the PT entries and the diagnoses; state is set up by ``Catalog``."""

    _pt: dict[str, PtEntry]
    _overlay: CatalogOverlay
    _hints: dict[str, tuple[str, ...]]
    _loose_hints: dict[str, tuple[str, ...]]
    _pt_prefixes: frozenset[str]
    _pt_vocab: frozenset[str]
    _known_pt: tuple[dict[str, PtEntry], frozenset[str]] | None
    _pt_words: tuple[dict[str, PtEntry], dict[str, frozenset[str]]] | None  # word_index(_pt)
    _allowed_pt: AllowedEntries

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
        return self.search_explained(
            text, limit, system, category=category, common_only=common_only).hits

    def search_explained(
        self,
        text: str,
        limit: int = 50,
        system: str | None = None,
        *,
        category: str | None = None,
        common_only: bool = False,
    ) -> SearchResult:
        """``search``, with a note saying what was relaxed when not every word matched.
        Diagnoses that ended before today come after the codes in force (struck out, with
        their replacements), unless the code itself was typed."""
        found = self._search_explained(text, limit, system, category=category,
                                       common_only=common_only)
        return replace(found, hits=ended_last(found.hits, text))

    def _search_explained(
        self,
        text: str,
        limit: int,
        system: str | None,
        *,
        category: str | None,
        common_only: bool,
    ) -> SearchResult:
        if system is not None and system not in SYSTEM_FILTERS:
            raise ValueError(f"unknown system filter {system!r}; use one of {SYSTEM_FILTERS}")
        limit = max(0, min(int(limit), 1000))
        if limit == 0:
            return SearchResult([])
        text = text if isinstance(text, str) else str(text)
        ask = _Ask(limit, system, category, common_only)
        words = v.joined(q.tokens(text))
        if not words:
            return SearchResult(self._browse(limit, system, category, common_only))
        codes = self._codes_in_query(text, words, ask)
        if codes:
            return self._code_first(codes, words, ask)
        hits, only_weak, inside = self._search_pass(text, words, ask)
        if self._code_shaped(text):
            # a code that does not exist gets the nearest codes (``suggest``), not words
            return SearchResult(hits)
        if hits and not only_weak:
            if inside:
                return self._with_the_rest(hits, words, inside, ask)
            return SearchResult(hits)
        relaxed = self._relaxed(words, ask)
        if not relaxed.hits:
            return SearchResult(hits)
        # the words matched only inside descriptions: a relaxed reading names codes
        seen = {h.code for h in relaxed.hits}
        more = [h for h in hits if h.code not in seen]
        return replace(relaxed, hits=(relaxed.hits + more)[: ask.limit])

    def _with_the_rest(
        self, hits: list[Hit], words: list[str], inside: tuple[str, ...], ask: _Ask
    ) -> SearchResult:
        """The codes of a hint inside the query, then what the other words find on their
        own ("orthotic for plantar fasciitis": 97760, then M72.2), with the note."""
        named = f"No code matches every word; showing the codes '{' '.join(inside)}' names"
        title = v.fold_title(hits[0].title, v.folds(words))
        rest = [w for w in without_filler(words)
                if w not in inside and not has_word(title, w, whole=False)]
        # only when the other words name something on their own ("ankle fracture crutches")
        more = (self._search_words(" ".join(rest), rest, ask)
                if any(self._real(w) for w in rest) else [])
        seen = {h.code for h in hits}
        more = [h for h in more if h.code not in seen]
        if more:
            note = f"{named}, then results for '{' '.join(rest)}'."
        else:
            note = f"{named} ({quoted(rest)} left out)." if rest else f"{named}."
        return SearchResult((hits + more)[: ask.limit], note, ("partial",))

    @staticmethod
    def _code_shaped(text: str) -> bool:
        parts = q.normalize(text).split()
        return q.looks_like_icd_code(text) or (
            len(parts) == 1 and any(ch.isdigit() for ch in parts[0]))

    # ------------------------------------------------------------ one pass

    def _search_words(self, text: str, words: list[str], ask: _Ask) -> list[Hit]:
        """Every word must match (today's search); the fallback steps call it again."""
        return self._search_pass(text, words, ask)[0]

    def _search_pass(
        self, text: str, words: list[str], ask: _Ask
    ) -> tuple[list[Hit], bool, tuple[str, ...]]:
        """Hits; whether the PT codes matched only through their descriptions (and no
        diagnosis at all): then a relaxed reading may name codes better; and the words of a
        hint inside the query that named the PT codes when no code matched every word."""
        pt_strong: list[Hit] = []
        pt_weak: list[Hit] = []
        phrase = False
        inside: tuple[str, ...] = ()
        if ask.want_pt:
            pt_strong, pt_weak, phrase, inside = self._search_pt(text, words, ask)
        if ask.system in (None, "pt") and not ask.common_only:
            pt_strong = self._with_clinic(pt_strong, text, words, ask.limit, ask.category)
        icd: list[Hit] = []
        if ask.want_icd:
            icd = self._search_icd(
                text, words, ask.limit, typo_ok=not pt_strong, strict=phrase)
            if not icd and pt_strong:
                # the PT codes matched through a typo fix ("carpel tunnel"): the diagnosis
                # the same fix names belongs beside them
                fixed = [self._pt_correct(w) for w in words]
                if fixed != words:
                    icd = self._search_icd(" ".join(fixed), fixed, ask.limit,
                                           typo_ok=False, strict=phrase)
        code_query = q.looks_like_icd_code(text) and not any(
            h.code.upper().startswith(q.code_key(text)) for h in pt_strong
        )
        # diagnosis shorthand ("ra", "knee pain") before procedures that only share words
        dx_shorthand = bool(icd) and not phrase and bool(
            self._aliases.get(" ".join(words)) or self._loose_aliases.get(v.loose_key(words)))
        only_weak = bool(pt_weak) and not pt_strong and not icd
        # diagnoses that match every word come before the codes of a hint inside the query
        spanned = bool(inside) and bool(pt_strong)
        inside = inside if spanned and not icd else ()
        if code_query or dx_shorthand or (spanned and icd):
            ordered = icd + pt_strong + pt_weak
        elif pt_strong and icd:
            # procedures named by the words: a diagnosis found only through its notes
            # ("ultrasound" in N52.37's) is noise here; the Diagnoses filter still lists it
            keys = {w.lower() for w in words} | {self._pt_correct(w).lower() for w in words}
            titled = [h for h in icd
                      if any(has_word(h.title.lower(), k, whole=False) for k in keys)]
            ordered = pt_strong + titled + pt_weak
        else:
            ordered = pt_strong + icd + pt_weak
        return ordered[: ask.limit], only_weak, inside

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

    # ------------------------------------------------------------ fallbacks

    def _codes_in_query(self, text: str, words: list[str], ask: _Ask) -> list[Hit]:
        """Codes named inside a longer query: a token with a digit that is a code, or a
        letters-only code ("xs") when a word such as "modifier" says a code is meant."""
        if len(words) < 2:
            return []
        filler = any(w in v.FILLER_KINDS for w in words)
        found: list[Hit] = []
        for part in q.normalize(text).split():
            key = q.code_key(part)
            digit = any(ch.isdigit() for ch in key)
            if len(key) < 2 or not (digit or filler) or key == q.code_key(text):
                continue
            entry = self._pt.get(key)
            if entry is not None and ask.want_pt and pt_allowed(
                    entry, ask.system, ask.category, ask.common_only):
                found.append(entry.hit)
            elif digit and ask.want_icd and q.looks_like_icd_code(part):
                row = self._icd_db.execute(
                    "SELECT code, title, billable FROM icd WHERE ucode = ?", (key,)).fetchone()
                if row is not None:
                    found.append(self._icd_hit(*row))
        return list({h.code: h for h in found}.values())

    def _code_first(self, codes: list[Hit], words: list[str], ask: _Ask) -> SearchResult:
        code_tokens = set(q.tokens(" ".join(h.code for h in codes)))
        rest = [w for w in words if w not in code_tokens]
        words_left = without_filler(rest)
        label = ", ".join(h.code for h in codes)
        if not words_left:
            ignored = f" ({quoted(rest)} ignored)" if rest else ""
            return SearchResult(
                codes[: ask.limit], f"Showing results for {label}{ignored}.",
                ("code", "filler") if rest else ("code",))
        more = self._search_words(" ".join(words_left), words_left, ask)
        if not more:
            more = self._relaxed(words_left, ask).hits
        named = {h.code for h in codes}
        also = [h.code for h in more if h.code in named]
        hits = codes + [h for h in more if h.code not in named]
        phrase = " ".join(words_left)
        if also:
            them = "it" if len(also) == 1 else "them"
            note = f"Showing results for {label}; '{phrase}' also matches {them}."
        elif more:
            note = f"Showing results for {label}, then for '{phrase}'."
        else:
            note = f"Showing results for {label}; nothing else matches '{phrase}'."
        return SearchResult(hits[: ask.limit], note, ("code",))

    def _relaxed(self, words: list[str], ask: _Ask) -> SearchResult:
        """The fallback steps after the words as typed found nothing."""
        kept = without_filler(words)
        dropped = [w for w in words if w not in kept]
        prefer = next((v.FILLER_KINDS[w] for w in dropped if v.FILLER_KINDS.get(w)), None)
        steps: list[str] = []
        if not kept:
            return SearchResult([])
        if dropped:
            steps.append("filler")
            hits = self._search_words(" ".join(kept), kept, ask)
            if hits:
                return SearchResult(
                    prefer_system(hits, prefer),
                    f"Showing results for '{' '.join(kept)}' ({quoted(dropped)} ignored).",
                    tuple(steps))
        rewritten = self._rewrite(kept)
        if rewritten != kept:
            steps.append("rewrite")
            hits = self._search_words(" ".join(rewritten), rewritten, ask)
            if hits:
                return SearchResult(
                    prefer_system(hits, prefer),
                    f"No code matches '{' '.join(words)}' word for word; showing results for "
                    f"'{' '.join(rewritten)}'.", tuple(steps))
        hits, matched = self._partial(rewritten, ask)
        if hits:
            steps.append("partial")
            left_out = [w for w in rewritten if w not in matched]
            note = (f"No code matches every word; showing the closest matches for "
                    f"'{' '.join(matched)}'")
            note += f" ({quoted(left_out)} left out)." if left_out else "."
            return SearchResult(prefer_system(hits, prefer)[: ask.limit], note, tuple(steps))
        return SearchResult([])

    def _rewrite(self, words: list[str]) -> list[str]:
        """Shorthand spelled out, then each word loosened or its typo fixed."""
        out: list[str] = []
        i = 0
        while i < len(words):
            pair = " ".join(words[i : i + 2])
            if i + 1 < len(words) and pair in v.EXPANSIONS:
                out.extend(v.EXPANSIONS[pair])
                i += 2
                continue
            out.extend(v.EXPANSIONS.get(words[i], (words[i],)))
            i += 1
        fixed: list[str] = []
        for w in out:
            known = self._knows(w)
            loose = next((x for x in v.loosened(w, known=known)
                          if len(x) >= 3 and self._knows(x)), None)
            if fixed and self._is_term(fixed[-1] + w):  # "post laminectomy", "re eval"
                fixed[-1] += w
            elif loose is not None:
                fixed.append(loose)
            elif known:
                fixed.append(w)
            else:
                fixed.append(self._typo_fix(w))
        return list(dict.fromkeys(fixed))

    def _is_term(self, word: str) -> bool:
        """Whether ``word`` is a whole word of the catalog (not only the start of one)."""
        if word in self._known_pt_prefixes() and any(
                word in e.title_words or word in e.syn_words for e in self._pt.values()):
            return True
        terms = self._icd_term_list()
        i = bisect_left(terms, word)
        return i < len(terms) and terms[i] == word

    def _typo_fix(self, word: str) -> str:
        """One edit to a whole word of the catalog ('ankel' -> 'ankle', not 'ankl')."""
        if not q.TYPO_MIN_LEN - 1 <= len(word) <= q.TYPO_MAX_LEN or not word.isalpha():
            return word
        if self._icd_vocab is None:
            self._icd_vocab = frozenset(self._icd_term_list())
        candidates = sorted(q.edits1(word) & (self._pt_vocab | self._icd_vocab),
                            key=lambda c: (-len(c), c))
        return candidates[0] if candidates else word

    def _knows(self, word: str) -> bool:
        """Whether a word of the catalog (PT entries or ICD index) starts with ``word``."""
        return word in self._known_pt_prefixes() or self._icd_knows(word)

    def warm_up(self) -> None:
        super().warm_up()
        self._known_pt_prefixes()

    def _known_pt_prefixes(self) -> frozenset[str]:
        if self._known_pt is None or self._known_pt[0] is not self._pt:
            vocab = {w for e in self._pt.values()
                     for w in e.title_words | e.abbr_words | e.syn_words}
            self._known_pt = (self._pt, prefixes(vocab))
        return self._known_pt[1]

    def _real(self, word: str) -> bool:
        """A word that can carry a match alone: not one or two letters of some longer word,
        nor a word as general as "syndrome" or "right"."""
        if word in v.GENERIC:
            return False
        return len(word) >= 3 or any(word in e.abbr_words for e in self._pt.values())

    def _partial(self, words: list[str], ask: _Ask) -> tuple[list[Hit], list[str]]:
        """The best partial match: shorthand inside the query, else the largest set of
        words that finds something (longer words first), trying at most a few sets."""
        known = [w for w in words if self._knows(w)]
        if ask.want_icd:
            rows = self._alias_with_words(words, ask.limit, loose=True)
            if rows:
                alias_words = {w for k in self._aliases for w in k.split()}
                return [self._icd_hit(*r) for r in rows], [
                    w for w in words if w in known or w in alias_words]
        # a linking word ("with", the "s" of a possessive) only fills the sets
        pool = [w for w in known if w not in v.STOPWORDS] or known
        tries = 0
        # words as general as "chronic pain left" carry a match when every word is known and
        # none says more ("zzqx syndrome" is not any syndrome)
        general_ok = len(known) == len(words) and not any(self._real(w) for w in pool)
        for size in range(len(pool) - (pool == words), 0, -1):
            if size == 1:
                # the budget bounds the large sets; the two longest single words always get
                # a turn, so a long query with two words no title holds is never empty
                tries = min(tries, MAX_PARTIAL_TRIES - SINGLE_WORD_TRIES)
            # the words that say what the condition is before "left" or "bilateral"
            sets = sorted(combinations(pool, size),
                          key=lambda c: -sum(len(w) if self._real(w) else 1 for w in c))
            found: dict[str, Hit] = {}
            found_by: dict[str, set[str]] = {}  # the words whose search found a code
            matched: list[str] = []
            for subset in sets:
                if tries >= MAX_PARTIAL_TRIES:
                    break
                if not general_ok and not any(self._real(w) for w in subset):
                    continue
                tries += 1
                hits = self._search_words(" ".join(subset), list(subset), ask)
                if hits and not matched:
                    matched = list(subset)
                for h in hits:
                    found.setdefault(h.code, h)
                    found_by.setdefault(h.code, set()).update(subset)
            if found:
                hits = list(found.values())
                if size == 1:
                    hits = self._most_words(hits, pool, found_by)
                return hits, matched
        return [], []

    def _most_words(
        self, hits: list[Hit], words: list[str], found_by: dict[str, set[str]]
    ) -> list[Hit]:
        """Hits of several one-word searches, those matching the most of the query's words
        (found by their search, or in the title) first; a long word says more than "left".
        Ties keep their order."""
        weights = {w: (len(w) if self._real(w) else 1) for w in words}
        fold = v.folds(words)

        def score(h: Hit) -> int:
            lowered = v.fold_title(h.title, fold)
            by = found_by.get(h.code, set())
            return sum(n for w, n in weights.items()
                       if w in by or has_word(lowered, w, whole=False))

        return sorted(hits, key=lambda h: -score(h))

    # ------------------------------------------------------------ PT codes

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
            if pt_allowed(e, system, category, common_only)
        ]
        entries.sort(key=lambda e: (_CATEGORY_ORDER.get(e.code.category, 99),
                                    e.code.discipline not in ("PT", "any"),
                                    e.code.is_deleted, e.key))
        return [e.hit for e in entries[:limit]]

    def _search_pt(
        self, text: str, words: list[str], ask: _Ask
    ) -> tuple[list[Hit], list[Hit], bool, tuple[str, ...]]:
        """Strong hits, hits only through descriptions, whether the whole query named a code
        (abbreviation, synonym or hint) rather than matching word by word, and the words of
        a hint inside the query that named the strong hits when no code matched the words."""
        key = q.code_key(text)
        phrase = " ".join(words)
        hinted = self._hints.get(phrase) or self._loose_hints.get(v.loose_key(words), ())
        typed = words
        words = [self._pt_correct(w) for w in words]
        variant = pt_phrase_variant(words)
        numeric = len(words) == 1 and words[0].isdigit()  # a code number: codes only
        if self._pt_words is None or self._pt_words[0] is not self._pt:
            self._pt_words = (self._pt, word_index(self._pt.values()))
        can_score = scorable(self._pt_words[1], words, variant)
        strong: list[tuple[float, str, Hit]] = []
        weak: list[tuple[float, str, Hit]] = []
        named = False
        for e in self._allowed_pt.get(self._pt, ask.system, ask.category, ask.common_only):
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
            named = named or PHRASE_SCORE <= score < 1000.0
            only_desc = False
            if score == 0.0 and not numeric and e.key in can_score:
                score, only_desc = word_score(e, words)
                if score <= 0 and variant:
                    score, only_desc = word_score(e, variant)
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
        span: tuple[str, ...] = ()
        if not strong and not hinted:
            # no code matched the words: a hint inside the query ("game ready ice machine")
            span, strong = self._hinted_inside(typed, ask)
        strong.sort()
        weak.sort()
        return [h for _, _, h in strong], [h for _, _, h in weak], named, span

    def _hinted_inside(
        self, words: list[str], ask: _Ask
    ) -> tuple[tuple[str, ...], list[tuple[float, str, Hit]]]:
        """The words of a hint inside the query and its codes, scored in the hint's order
        unless the other words name one of them ("rocktape ankle" is 29540)."""
        span, codes = self._hint_inside(words)
        rest = [w for w in words if w not in span]
        scored: list[tuple[float, str, Hit]] = []
        for at, code in enumerate(codes):
            e = self._pt.get(code)
            if e is None or not pt_allowed(e, ask.system, ask.category, ask.common_only):
                continue
            named = sum(w in e.title_prefixes or w in e.syn_abbr_prefixes for w in rest)
            scored.append((-(SPAN_HINT_SCORE - 10 * at + 100 * named), e.key, e.hit))
        return span, scored

    def _hint_inside(self, words: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The words and codes of the longest hint inside a longer query ("game ready ice
        machine", "mckenzie repeated extension"); a one-word hint must have 4+ letters."""
        for size in range(min(len(words) - 1, MAX_HINT_WORDS), 0, -1):
            for i in range(len(words) - size + 1):
                span = words[i : i + size]
                if size == 1 and (len(span[0]) < 4 or span[0] in v.GENERIC):
                    continue
                codes = self._hints.get(" ".join(span)) or self._loose_hints.get(
                    v.loose_key(span))
                if codes:
                    return tuple(span), codes
        return (), ()

    def _pt_correct(self, word: str) -> str:
        if (
            not q.TYPO_MIN_LEN <= len(word) <= q.TYPO_MAX_LEN
            or word in self._pt_prefixes
            or not word.isalpha()
        ):
            return word
        fixed = q.correct(word, self._pt_prefixes)
        return fixed or word
