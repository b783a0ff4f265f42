"""The one text cleaner: everything stored, shown or copied goes through ``clean_text``.

Text that reaches PT Codes from outside (imported files, file names, bundles, a damaged
user database) can carry characters that are invisible on screen yet survive a paste into
an EHR field: they can reorder what is read (bidi controls, "Trojan Source"), hide text
(tag characters U+E0000-U+E007F, zero-width characters, Hangul fillers that render as
nothing), or break a field (control characters, line and paragraph separators).

``clean_text`` drops

* every control (Cc), format (Cf) and lone-surrogate (Cs) character: bidi embeddings,
  overrides, isolates and marks, zero-width space/joiners, word joiner, BOM, soft hyphen,
  invisible operators and all tag characters among them;
* the blank fillers U+115F, U+1160, U+3164, U+FFA0, the combining grapheme joiner U+034F,
  and variation selectors (U+FE00-U+FE0F, U+E0100-U+E01EF), which show nothing alone;
* unassigned code points in the tag block (U+E0000 and others).

Tabs become spaces; line breaks (``\\r\\n``, ``\\r``, U+0085, U+2028, U+2029) become ``\\n``
when ``multiline`` and spaces otherwise. A single-line result has runs of spaces collapsed;
every result is stripped. The function is idempotent.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

#: Bidirectional embedding/override/isolate marks (Trojan Source) and the Arabic letter mark.
BIDI_CHARS: Final = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
#: Zero-width space/non-joiner/joiner, word joiner, byte order mark.
ZERO_WIDTH_CHARS: Final = frozenset("\u200b\u200c\u200d\u2060\ufeff")
#: Letters (category Lo) and marks that render as nothing: Hangul fillers, the combining
#: grapheme joiner. Not format characters, so they need naming.
FILLER_CHARS: Final = frozenset("\u115f\u1160\u3164\uffa0\u034f")
_DROPPED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs"})
_LINE_BREAKS: Final = frozenset("\n\r\x85\u2028\u2029\x0b\x0c\x1c\x1d\x1e")
_SPACES_RE: Final = re.compile(r" {2,}")


@lru_cache(maxsize=4096)
def _replacement(char: str, multiline: bool, keep_tabs: bool) -> str:
    """What one non-plain-ASCII character becomes ('' drops it)."""
    if char == "\t":
        return "\t" if keep_tabs else " "
    if char in _LINE_BREAKS:
        return "\n" if multiline else " "
    code = ord(char)
    if (
        char in FILLER_CHARS
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0000 <= code <= 0xE0FFF  # tags, variation selectors supplement, unassigned
        or unicodedata.category(char) in _DROPPED_CATEGORIES
    ):
        return ""
    return char


def clean_text(text: str, *, multiline: bool = False, keep_tabs: bool = False) -> str:
    """``text`` without invisible, reordering or control characters (see the module doc).

    ``multiline`` keeps line breaks as ``\\n``; ``keep_tabs`` (only with ``multiline``)
    keeps tabs, for text whose tabs are its own format.
    """
    if text.isascii() and text.isprintable():  # the common case, checked in C
        return _SPACES_RE.sub(" ", text).strip() if "  " in text else text.strip()
    keep_tabs = keep_tabs and multiline
    text = text.replace("\r\n", "\n")
    out = "".join(
        ch if (" " <= ch <= "~") else _replacement(ch, multiline, keep_tabs) for ch in text
    )
    if not multiline:
        return _SPACES_RE.sub(" ", out).strip()
    return out.strip(" \n")


def has_hidden_characters(text: str) -> bool:
    """True if ``clean_text`` would drop or replace a character of ``text`` (other than
    trimming spaces)."""
    return clean_text(text, multiline=True, keep_tabs=True) != text.strip(" \n")
