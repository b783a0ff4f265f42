"""Small wording helpers of the visit's messages."""

from __future__ import annotations


def plural(n: int, word: str) -> str:
    """``1 line``, ``2 lines``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
