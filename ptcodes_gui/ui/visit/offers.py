"""What the visit offers: replacements after a refusal, or the fix a warning names.

Plain data and the functions that build it; the offer bar only shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from ptcodes_gui.domain.liability import LIABILITY_MODIFIERS

MAX_OFFERED: Final = 50


@dataclass(frozen=True)
class Choice:
    label: str
    apply: Callable[[], bool]


@dataclass(frozen=True)
class Offer:
    """Codes or modifiers offered: after a refusal (sticky until used, dismissed or replaced
    by the next add) or for the fix a warning names."""

    text: str
    choices: tuple[Choice, ...]
    sticky: bool


def modifier_label(modifier: str, code: str) -> str:
    """"Add 59 to 97530"; a liability modifier says in one sentence what it means."""
    said = LIABILITY_MODIFIERS.get(modifier)
    return f"Add {modifier} to {code}" + (f" ({said})" if said else "")
