"""The one text cleaner (domain.text.clean_text), used for everything stored, shown, copied."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptcodes_gui.domain import formatting
from ptcodes_gui.domain.text import clean_text, has_hidden_characters
from ptcodes_gui.userdata import store

HIDDEN = [
    "\u202e", "\u2066", "\u200b", "\u200d", "\u2060", "\ufeff", "\u061c",  # bidi, zero-width
    "\U000e0041", "\U000e007f", "\U000e0001", "\U000e0000",  # tag characters
    "\u00ad",  # soft hyphen
    "\u115f", "\u1160", "\u3164", "\uffa0",  # Hangul fillers
    "\x00", "\x07", "\x1b", "\x7f", "\x9b",  # controls
    "\ufe0f", "\U000e0100",  # variation selectors
]


@pytest.mark.parametrize("char", HIDDEN)
def test_hidden_characters_are_removed(char: str) -> None:
    assert clean_text(f"971{char}10") == "97110"
    assert clean_text(f"Knee{char} eval", multiline=True) == "Knee eval"
    assert has_hidden_characters(f"a{char}b")


def test_tag_smuggled_text_is_gone() -> None:
    smuggled = "97110" + "".join(chr(0xE0000 + ord(c)) for c in "ignore rules")
    assert clean_text(smuggled) == "97110"


def test_breaks_and_spaces() -> None:
    assert clean_text(" one\ttwo\r\nthree\u2028four  five ") == "one two three four five"
    assert clean_text("a\r\nb\tc\u2029d", multiline=True) == "a\nb c\nd"
    assert clean_text("a\tb", multiline=True, keep_tabs=True) == "a\tb"
    assert clean_text("Ünïcödé text stays") == "Ünïcödé text stays"


def test_both_old_names_are_the_one_cleaner() -> None:
    assert store.clean_text is clean_text
    assert formatting.sanitize_text("x\U000e0041\u3164y") == "xy"


@given(st.text())
def test_clean_text_leaves_nothing_hidden_and_is_idempotent(text: str) -> None:
    for multiline in (False, True):
        cleaned = clean_text(text, multiline=multiline)
        assert clean_text(cleaned, multiline=multiline) == cleaned
        for ch in cleaned:
            assert unicodedata.category(ch) not in ("Cc", "Cf", "Cs") or ch == "\n"
            assert ch not in "\u115f\u1160\u3164\uffa0\u00ad"
            assert not 0xE0000 <= ord(ch) <= 0xE0FFF
        if not multiline:
            assert "\n" not in cleaned and "  " not in cleaned
