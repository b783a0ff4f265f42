"""The PT entries the search scores, and the pure helpers of ``catalog/search.py``: word
scores, filler words, the system a dropped filler word asks for. No state, no SQLite."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ptcodes_gui.catalog import query as q
from ptcodes_gui.catalog import vocabulary as v
from ptcodes_gui.domain.models import Code, Hit, System


@dataclass
class PtEntry:
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


def all_words(text: str) -> frozenset[str]:
    return frozenset(q._TOKEN.findall(text.lower()))


def prefixes(words: Iterable[str], min_len: int = 1) -> frozenset[str]:
    return frozenset(w[:i] for w in words for i in range(min_len, len(w) + 1))


def quoted(words: Iterable[str]) -> str:
    return ", ".join(f"'{w}'" for w in words)


def without_filler(words: list[str]) -> list[str]:
    out = []
    for i, w in enumerate(words):
        if w in v.FILLER_KINDS or w in v.STOPWORDS:
            continue
        if w == "10" and i and words[i - 1] == "icd":  # "icd 10", "icd-10"
            continue
        out.append(w)
    return out


def prefer_system(hits: list[Hit], system: str | None) -> list[Hit]:
    """The kind of code a dropped filler word asked for first ("abn modifier")."""
    if system is None:
        return hits
    if system == "pt":
        def wanted(h: Hit) -> bool:
            return h.system in (System.CPT, System.HCPCS)
    else:
        def wanted(h: Hit) -> bool:
            return h.system == system
    return [h for h in hits if wanted(h)] + [h for h in hits if not wanted(h)]


def pt_phrase_variant(words: list[str]) -> list[str] | None:
    """The words with "physical therapy" as "pt" (how PT titles say it), or None."""
    text = " ".join(words)
    for long, short in v.PT_PHRASES.items():
        if long in text:
            return text.replace(long, short).split()
    return None


def word_score(e: PtEntry, words: list[str]) -> tuple[float, bool]:
    total = 0.0
    only_desc = True
    optional = 0
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
        if best == 0 and len(w) >= 7:
            # a near form: "therapy" for "therapeutic", "stretches" for "stretching"
            stem = w[:-2]
            if stem in e.title_prefixes:
                best = 25.0
            elif stem in e.syn_abbr_prefixes:
                best = 20.0
        if best > 0:
            only_desc = False
        elif w in e.desc_words:
            best = 8.0
        elif len(w) >= 3 and w in e.desc_prefixes:
            best = 5.0
        if best == 0:
            if w in v.PROCEDURE_WORDS or w in v.FILLER_KINDS or w in v.STOPWORDS:
                optional += 1
                continue
            return 0.0, False
        total += best
    if optional == len(words):
        return 0.0, False
    # shorter titles are more specific
    return total - len(e.code.title) / 50.0, only_desc


def ended_last(hits: list[Hit], text: str) -> list[Hit]:
    """``hits`` with the diagnoses that ended before today (``status`` "deleted") after the
    others, unless the code itself was typed (``text``)."""
    typed = str(text).strip().upper().replace(".", "")

    def ended(hit: Hit) -> bool:
        return (hit.status == "deleted" and hit.system == System.ICD10CM
                and hit.code.replace(".", "") != typed)

    if not any(ended(h) for h in hits):
        return hits
    return [h for h in hits if not ended(h)] + [h for h in hits if ended(h)]


def word_index(entries: Iterable[PtEntry]) -> dict[str, frozenset[str]]:
    """Token -> the keys of the entries where ``word_score`` can find it (any of its sets)."""
    index: dict[str, set[str]] = {}
    for e in entries:
        for token in (e.abbr_words | e.title_words | e.title_prefixes | e.syn_words
                      | e.syn_abbr_prefixes | e.desc_words | e.desc_prefixes):
            index.setdefault(token, set()).add(e.key)
    return {token: frozenset(keys) for token, keys in index.items()}


def scorable(index: dict[str, frozenset[str]], words: list[str],
             variant: list[str] | None = None) -> frozenset[str]:
    """A superset of the entries ``word_score`` gives more than 0 for ``words`` (or for
    ``variant``): those that have every word a code must match (procedure, filler and stop
    words may be missing), or, when every word may be missing, at least one of them."""
    if variant:
        return scorable(index, words) | scorable(index, variant)
    empty: frozenset[str] = frozenset()

    def found(w: str) -> frozenset[str]:
        near = index.get(w[:-2], empty) if len(w) >= 7 else empty  # word_score's near form
        return index.get(w, empty) | near

    required = [w for w in words if not (
        w in v.PROCEDURE_WORDS or w in v.FILLER_KINDS or w in v.STOPWORDS)]
    if not required:
        return frozenset().union(*(found(w) for w in words))
    out = found(required[0])
    for w in required[1:]:
        out &= found(w)
    return out


def pt_allowed(e: PtEntry, system: str | None, category: str | None, common_only: bool) -> bool:
    """Whether a filter (system, category, common only) lets ``e`` through."""
    s = e.code.system
    if system == "pt" and s not in (System.CPT, System.HCPCS, "clinic"):
        return False
    if system in ("cpt", "hcpcs", "modifier") and s != system:
        return False
    if category is not None and e.code.category != category:
        return False
    return not (common_only and not e.code.common)


class AllowedEntries:
    """The PT entries each filter lets through, worked out once per filter and per set of
    entries (the catalog replaces its dict when a clinic list is imported), instead of a
    filter test for every entry on every keystroke (a fifth of a slow search)."""

    def __init__(self) -> None:
        self._source: dict[str, PtEntry] | None = None
        self._by_filter: dict[tuple[str | None, str | None, bool], tuple[PtEntry, ...]] = {}

    def get(self, entries: dict[str, PtEntry], system: str | None, category: str | None,
            common_only: bool) -> tuple[PtEntry, ...]:
        if entries is not self._source:
            self._source, self._by_filter = entries, {}
        key = (system, category, common_only)
        found = self._by_filter.get(key)
        if found is None:
            found = self._by_filter[key] = tuple(
                e for e in entries.values() if pt_allowed(e, system, category, common_only))
        return found
