"""What every rule reads: the visit, its resolved lines (units and modifiers already set),
the catalog lookup, the NCCI pairs in force, and the optional fee schedule.

The engine builds one ``RuleContext`` per evaluation after the units and the modifiers are
known; rules only read it. Small wording helpers shared by the rules live here too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Final, Protocol

from ptcodes_gui.domain import units as unit_rules
from ptcodes_gui.domain.articles import Necessity
from ptcodes_gui.domain.lookup import CodeLookup
from ptcodes_gui.domain.models import Code, NcciPair, System
from ptcodes_gui.domain.profiles import PayerProfile
from ptcodes_gui.domain.visit_input import (
    ASSISTANT_MODIFIER,
    THERAPY_MODIFIERS,
    Counting,
    Visit,
    VisitLine,
    dedupe,
)
from ptcodes_gui.domain.visit_result import VisitTie

_ISO_DATE_RE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FeeLookup(Protocol):
    """The fee schedule a rule may price with (``domain.fees`` provides one once a fee
    schedule is imported; without one the rules say what happens, not how much)."""

    def practice_expense(self, code: str) -> Decimal | None:
        """The code's practice-expense payment for one unit, None when unpriced."""
        ...

    def therapy_mppr(self, code: str) -> bool | None:
        """Whether the schedule marks ``code`` for the therapy MPPR (MULT PROC 5); None
        when the schedule does not list the code."""
        ...


@dataclass
class ResolvedLine:
    """One visit line as the rules see it: its catalog entry, how its minutes count, its
    units and (once the modifier step ran) its modifiers."""

    index: int
    line: VisitLine
    code: Code | None
    counting: Counting
    computed: int = 0
    by_default: bool = False
    modifiers: tuple[str, ...] = ()
    #: the PTA's share of the units (CMS's unit-by-unit method); None: no PTA minutes
    split: unit_rules.AssistantSplit | None = None
    cq_units: int = 0  # units that carry CQ on this claim (Medicare, GP lines)

    @property
    def final(self) -> int:
        """The units billed: the clinician's override when set, else the rule's."""
        if self.counting == "refused":
            return 0
        return self.line.units_override if self.line.units_override is not None else self.computed

    @property
    def timed(self) -> bool:
        return self.counting in ("pool", "separate")

    @property
    def claim_modifiers(self) -> tuple[str, ...]:
        """The most modifiers one claim line of it carries: CQ counts when some units
        carry it although the line is split into a line with CQ and one without."""
        if self.cq_units and ASSISTANT_MODIFIER not in self.modifiers:
            return (*self.modifiers[:1], ASSISTANT_MODIFIER, *self.modifiers[1:])
        return self.modifiers

    @property
    def text(self) -> str:
        return self.line.code


@dataclass
class RuleContext:
    visit: Visit
    lookup: CodeLookup
    lines: list[ResolvedLine]
    ties: list[VisitTie]
    on: date
    fees: FeeLookup | None = None
    necessity: Necessity | None = None  # the MAC's coverage articles, once imported
    _pairs: list[NcciPair] | None = field(default=None, repr=False)

    @property
    def profile(self) -> PayerProfile:
        return self.visit.profile

    @cached_property
    def active(self) -> list[ResolvedLine]:
        return [r for r in self.lines if r.counting != "refused"]

    @cached_property
    def billed(self) -> list[ResolvedLine]:
        return [r for r in self.active if r.final > 0]

    @cached_property
    def billed_codes(self) -> tuple[str, ...]:
        return dedupe(r.line.code for r in self.billed)

    @cached_property
    def pool(self) -> list[ResolvedLine]:
        return [r for r in self.lines if r.counting == "pool"]

    @cached_property
    def separate(self) -> list[ResolvedLine]:
        return [r for r in self.lines if r.counting == "separate"]

    @cached_property
    def pool_minutes(self) -> int:
        return sum(r.line.minutes or 0 for r in self.pool)

    @cached_property
    def pairs(self) -> list[NcciPair]:
        """NCCI pairs in force on ``on`` whose two codes are both billed, in visit order."""
        codes = self.billed_codes
        found = {
            p
            for p in self.lookup.ncci_pairs(codes)
            if p.column1 != p.column2
            and p.column1 in codes
            and p.column2 in codes
            and pair_in_force(p, self.on)
        }
        return sorted(found, key=lambda p: (codes.index(p.column1), codes.index(p.column2)))

    @cached_property
    def diagnosis_codes(self) -> list[tuple[int, Code]]:
        """(index, catalog entry) of each diagnosis that is a known ICD-10-CM code, looked
        up once for every rule that reads the notes or the titles."""
        found = [(i, self.lookup.get(text)) for i, text in enumerate(self.visit.diagnoses)]
        return [(i, c) for i, c in found if c is not None and c.is_diagnosis]

    def billed_lines_of(self, code: str) -> list[ResolvedLine]:
        return [r for r in self.billed if r.line.code == code]

    def has_pair(self, a: str, b: str) -> bool:
        return any({p.column1, p.column2} == {a, b} for p in self.pairs)

    def title(self, code: str) -> str:
        return title(self.lookup, code)


def pair_in_force(pair: NcciPair, on: date) -> bool:
    today = on.isoformat()
    if pair.effective and _ISO_DATE_RE.match(pair.effective) and pair.effective > today:
        return False
    return not (pair.deleted and _ISO_DATE_RE.match(pair.deleted) and pair.deleted <= today)


# --------------------------------------------------------------------------- wording


def title(lookup: CodeLookup, code: str) -> str:
    found = lookup.get(code)
    return f"{code} ({found.title})" if found and found.title else code


def join_or(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


def join_and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def rule_name(profile: PayerProfile) -> str:
    return "8-minute rule" if profile.unit_rule == "cms" else "midpoint rule"


# --------------------------------------------------------------------------- code shapes


def therapy_modifier(code: Code) -> str | None:
    if code.system not in (System.CPT, System.HCPCS):
        return None
    return THERAPY_MODIFIERS.get(code.discipline)


def is_other_length(code: Code) -> bool:
    each = code.unit_minutes or unit_rules.UNIT_MINUTES
    first = code.first_unit_minutes or each
    return first != unit_rules.UNIT_MINUTES or each != unit_rules.UNIT_MINUTES


def counted_separately(code: Code, lookup: CodeLookup) -> bool:
    """97550-like codes (and their add-ons): not in the 15-minute pool."""
    if is_other_length(code):
        return True
    for primary in code.addon_to:
        found = lookup.get(primary)
        if found is not None and found.timed and is_other_length(found):
            return True
    return False


def is_first_block(code: Code) -> bool:
    """A "first N minutes" primary (97550, 97545, 97129 ...): billed once a day; the time
    beyond goes on its add-on code. Known from ``first_unit_minutes`` or from ``addons``."""
    return not code.is_addon and (code.first_unit_minutes is not None or bool(code.addons))


def addon_name(code: Code) -> str:
    return code.addons[0] if code.addons else "its add-on code"


def separate_units(code: Code, minutes: int) -> int:
    each = code.unit_minutes or unit_rules.UNIT_MINUTES
    if is_first_block(code):
        return unit_rules.first_unit_units(minutes, code.first_unit_minutes or each)
    return unit_rules.midpoint_units(minutes, each)


def separate_minutes_needed(code: Code, units: int) -> int:
    each = code.unit_minutes or unit_rules.UNIT_MINUTES
    if is_first_block(code):
        return unit_rules.minutes_for_units(min(units, 1), code.first_unit_minutes or each)
    return unit_rules.minutes_for_units(units, each)
