"""Turning what a clinician types into something safe to search with.

Raw text never reaches FTS5: every token is reduced to ``[0-9a-z]`` runs, quoted, and
given ``*`` for prefix matching, so quotes, ``NEAR``, ``^``, ``-`` or emoji cannot form an
FTS5 expression. Inputs are clipped to a sane length first.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Sequence

MAX_QUERY_CHARS = 200
MAX_TOKENS = 8
_TOKEN = re.compile(r"[0-9a-z]+")
_ICD_CODE = re.compile(r"^[a-z][0-9][0-9a-z]?(?:\.?[0-9a-z]{0,4})$")
_LETTERS = string.ascii_lowercase
_SEPARATORS = re.compile(r"[.,]+")


def normalize(text: str) -> str:
    """NFKD-fold, drop diacritics and control characters, lower-case, clip."""
    text = text[: MAX_QUERY_CHARS * 4]
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return kept.lower()[:MAX_QUERY_CHARS]


def tokens(text: str) -> list[str]:
    """Alphanumeric tokens of ``text`` (already normalised or not), at most MAX_TOKENS."""
    return _TOKEN.findall(normalize(text))[:MAX_TOKENS]


def phrase_key(text: str) -> str:
    """Punctuation-insensitive key: 'HP/CP' and 'hp cp' both give 'hp cp'."""
    return " ".join(tokens(text))


def looks_like_icd_code(text: str) -> bool:
    # a decimal comma ("M54,5", typed on a European keyboard) or a doubled dot is the dot
    raw = _SEPARATORS.sub(".", normalize(text).strip())
    return bool(_ICD_CODE.match(raw)) and any(ch.isdigit() for ch in raw)


def code_key(text: str) -> str:
    """Upper-case code without dot or spaces ('m54.5' -> 'M545')."""
    return "".join(_TOKEN.findall(normalize(text))).upper()


def fts_expression(words: list[str], *, prefix_last_only: bool = False) -> str:
    """An FTS5 MATCH expression: every token quoted, AND-ed, with prefix matching."""
    parts = []
    for i, word in enumerate(words):
        star = "*" if (not prefix_last_only or i == len(words) - 1) else ""
        parts.append(f'"{word}"{star}')
    return " ".join(parts)


def fts_terms(terms: Sequence[str]) -> str:
    """Exact index terms OR-ed together, each quoted (no prefix matching)."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def edits1(word: str) -> set[str]:
    """All strings one edit (delete, transpose, replace, insert) away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return deletes | transposes | replaces | inserts


#: Typo tolerance applies to words of this length or longer.
TYPO_MIN_LEN = 5
TYPO_MAX_LEN = 24


def correct(word: str, vocabulary: set[str] | frozenset[str]) -> str | None:
    """The vocabulary word one edit away from ``word`` (prefix-aware), or None."""
    if not TYPO_MIN_LEN <= len(word) <= TYPO_MAX_LEN or not word.isalpha():
        return None
    candidates = sorted(edits1(word) & vocabulary)
    if candidates:
        return candidates[0]
    return None
