"""Timed-unit arithmetic: the CMS 8-minute rule and the AMA/CPT midpoint rule.

Pure functions on minutes; nothing here knows codes, payers or Qt. The CMS rule is CMS
Pub. 100-04 ch. 5 §20.2; the midpoint rule is the CPT time rule ("a unit of time is attained
when the midpoint is passed").

CMS 8-minute rule (``assign_cms``)
    The minutes of all timed 15-minute codes of the day are added up (T). Total units are
    ``(T + 7) // 15`` (0 below 8 minutes: 8-22 → 1, 23-37 → 2, ...). Each code first gets one
    unit per full 15 minutes it ran; each remaining unit goes to the code with the most
    minutes left over (``minutes % 15``), at most one such unit per code. When codes with equal
    left-over minutes compete for fewer units than there are codes, that is the clinician's
    choice: it is reported as a ``Tie`` and a default (earliest lines in the given order) is
    filled in and marked ``by_default`` so a screen can show it as a choice, never as a fact.
    The clinician's choice is passed back as ``preferred`` keys: in a tie they get the units
    first (then visit order), and a unit that went to a preferred key is not ``by_default``.

    Why the full blocks always fit in the total: with ``F = Σ mᵢ // 15`` and
    ``T = Σ mᵢ``, ``F ≤ T // 15 ≤ (T + 7) // 15``. The units left after the full blocks are
    ``R = (S + 7) // 15`` where ``S = Σ (mᵢ % 15)``; with ``n`` codes that have left-over
    minutes, ``S ≤ 14n`` so ``R ≤ (14n + 7) // 15 ≤ n``: there are never more remaining units
    than codes with left-over minutes, so no code ever needs a second unit from its
    remainder, and a code with no left-over minutes never gets one.

AMA/CPT midpoint rule (``assign_midpoint``)
    Each code on its own: a unit counts once more than half of it has passed, so for
    15-minute units ``0`` below 8 minutes, else ``(m + 7) // 15``.

Codes with other unit lengths (``midpoint_units(m, unit_minutes)``, ``first_unit_units``)
    e.g. 97550 caregiver training "first 30 minutes" is worth one unit once more than half of
    its 30 minutes (16 minutes) has passed; see ``ptcodes_gui.domain.rules.engine`` for how
    such codes are kept out of the 15-minute pool.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final, Literal

UNIT_MINUTES: Final = 15
#: Fewest total timed minutes that earn a unit under the CMS rule (and per code under midpoint).
MIN_MINUTES: Final = 8


def _check_minutes(minutes: int, what: str = "minutes") -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise TypeError(f"{what} must be a whole number of minutes, not {minutes!r}")
    if minutes < 0:
        raise ValueError(f"{what} cannot be negative ({minutes})")
    return minutes


def _check_unit_length(unit_minutes: int) -> int:
    if isinstance(unit_minutes, bool) or not isinstance(unit_minutes, int) or unit_minutes < 1:
        raise ValueError(f"a unit must last at least 1 minute, not {unit_minutes!r}")
    return unit_minutes


def cms_total_units(total_timed_minutes: int) -> int:
    """Units the CMS 8-minute rule allows for ``total_timed_minutes`` of timed codes.

    0 below 8 minutes, else ``(T + 7) // 15``. (For T < 8 the formula gives 0 as well.)
    """
    total = _check_minutes(total_timed_minutes, "total timed minutes")
    return 0 if total < MIN_MINUTES else (total + 7) // UNIT_MINUTES


def midpoint_units(minutes: int, unit_minutes: int = UNIT_MINUTES) -> int:
    """Units of one code under the midpoint ("substantial portion") rule.

    A unit counts once more than half of it has passed: for 15-minute units 0 below 8
    minutes, else ``(m + 7) // 15``; for a 30-minute unit the first one needs 16 minutes.
    """
    m = _check_minutes(minutes)
    length = _check_unit_length(unit_minutes)
    return (m + (length - 1) // 2) // length


def minutes_for_units(units: int, unit_minutes: int = UNIT_MINUTES) -> int:
    """Fewest minutes that support ``units`` under the midpoint rule.

    For 15-minute units this is also the fewest *total* timed minutes for ``units`` under the
    CMS rule: 1 → 8, 2 → 23, 3 → 38, ...
    """
    if isinstance(units, bool) or not isinstance(units, int) or units < 0:
        raise ValueError(f"units must be a whole number of at least 0, not {units!r}")
    length = _check_unit_length(unit_minutes)
    if units == 0:
        return 0
    return units * length - (length - 1) // 2


def first_unit_units(minutes: int, first_unit_minutes: int) -> int:
    """Units (0 or 1) of a "first N minutes" code such as 97550 (first 30 minutes).

    Such a code is billed once: one unit once more than half of its first block has
    passed (16 minutes for 30), never more (the time beyond belongs to its add-on code).
    """
    return min(1, midpoint_units(minutes, first_unit_minutes))


@dataclass(frozen=True)
class LineUnits:
    """How one line's units were reached."""

    key: str
    minutes: int
    units: int
    full_units: int  # one per full 15 minutes
    remainder: int  # minutes % 15
    extra: bool = False  # got one unit for its left-over minutes
    by_default: bool = False  # that extra unit is a default pick in a tie: the clinician decides


@dataclass(frozen=True)
class Tie:
    """``units`` units are to be split among ``candidates`` (equal left-over minutes).

    ``default`` holds the candidates that got a unit in the result shown (the ``preferred``
    ones first, then the first ones in the given order); the clinician may move it to any
    other candidate. ``preferred`` are the candidates the clinician picked: the tie is
    settled once ``len(preferred) >= units``.
    """

    candidates: tuple[str, ...]
    units: int
    remaining_minutes: int
    default: tuple[str, ...]
    preferred: tuple[str, ...] = ()

    @property
    def settled(self) -> bool:
        """The clinician picked a line for every tied unit."""
        return len(self.preferred) >= self.units


@dataclass(frozen=True)
class Assignment:
    rule: Literal["cms", "midpoint"]
    total_minutes: int
    total_units: int
    lines: tuple[LineUnits, ...]
    ties: tuple[Tie, ...] = ()

    def units_for(self, key: str) -> int:
        for line in self.lines:
            if line.key == key:
                return line.units
        raise KeyError(key)

    def as_dict(self) -> dict[str, int]:
        return {line.key: line.units for line in self.lines}

    @property
    def has_ties(self) -> bool:
        return bool(self.ties)


def _checked_lines(lines: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    checked: list[tuple[str, int]] = []
    seen: set[str] = set()
    for key, minutes in lines:
        if key in seen:
            raise ValueError(f"line key {key!r} appears twice; keys must be unique")
        seen.add(key)
        checked.append((key, _check_minutes(minutes, f"minutes of {key}")))
    return checked


def assign_cms(
    lines: Sequence[tuple[str, int]], *, preferred: Collection[str] = ()
) -> Assignment:
    """Assign the CMS 8-minute-rule units of the day to timed 15-minute lines.

    ``lines`` are ``(key, minutes)`` in visit order; keys must be unique. ``preferred``
    keys win a tie (the clinician's choice); they change nothing outside a tie. See the
    module docstring for the rule, the ties and why the full blocks always fit in the total.
    """
    checked = _checked_lines(lines)
    total_minutes = sum(minutes for _, minutes in checked)
    total_units = cms_total_units(total_minutes)
    full = {key: minutes // UNIT_MINUTES for key, minutes in checked}
    remainder = {key: minutes % UNIT_MINUTES for key, minutes in checked}
    left = total_units - sum(full.values())
    # Proven in the module docstring; kept as a guard against a future edit of the rule.
    assert 0 <= left <= sum(1 for r in remainder.values() if r > 0)

    extra, by_default, ties = _left_over_units(checked, remainder, left, preferred)
    result = tuple(
        LineUnits(
            key=key,
            minutes=minutes,
            units=full[key] + (1 if key in extra else 0),
            full_units=full[key],
            remainder=remainder[key],
            extra=key in extra,
            by_default=key in by_default,
        )
        for key, minutes in checked
    )
    return Assignment(
        rule="cms",
        total_minutes=total_minutes,
        total_units=total_units,
        lines=result,
        ties=tuple(ties),
    )


def _left_over_units(
    checked: Sequence[tuple[str, int]],
    remainder: dict[str, int],
    left: int,
    preferred: Collection[str],
) -> tuple[set[str], set[str], list[Tie]]:
    """Hand the ``left`` units out by most left-over minutes: which keys get one, which of
    those are a tie's default pick, and the ties (at most one: the last group that did not
    fit)."""
    extra: set[str] = set()
    by_default: set[str] = set()
    ties: list[Tie] = []
    for value in sorted({r for r in remainder.values() if r > 0}, reverse=True):
        if left == 0:
            break
        group = [key for key, _ in checked if remainder[key] == value]
        if len(group) <= left:
            extra.update(group)
            left -= len(group)
            continue
        picked = [key for key in group if key in preferred]
        ordered = picked + [key for key in group if key not in preferred]
        chosen = tuple(ordered[:left])
        extra.update(chosen)
        by_default.update(key for key in chosen if key not in preferred)
        ties.append(
            Tie(
                candidates=tuple(group),
                units=left,
                remaining_minutes=value,
                default=chosen,
                preferred=tuple(key for key in chosen if key in preferred),
            )
        )
        left = 0
    return extra, by_default, ties


def assign_midpoint(lines: Sequence[tuple[str, int]]) -> Assignment:
    """Units of each 15-minute line on its own (AMA/CPT midpoint rule); never a tie."""
    checked = _checked_lines(lines)
    result = []
    for key, minutes in checked:
        units = midpoint_units(minutes)
        full_units = minutes // UNIT_MINUTES
        result.append(
            LineUnits(
                key=key,
                minutes=minutes,
                units=units,
                full_units=full_units,
                remainder=minutes % UNIT_MINUTES,
                extra=units > full_units,
            )
        )
    return Assignment(
        rule="midpoint",
        total_minutes=sum(minutes for _, minutes in checked),
        total_units=sum(line.units for line in result),
        lines=tuple(result),
    )


def assign(
    rule: Literal["cms", "midpoint"],
    lines: Sequence[tuple[str, int]],
    *,
    preferred: Collection[str] = (),
) -> Assignment:
    """``assign_cms`` or ``assign_midpoint`` by rule name (a ``PayerProfile.unit_rule``);
    ``preferred`` (tie picks) only matters under the CMS rule."""
    if rule == "cms":
        return assign_cms(lines, preferred=preferred)
    if rule == "midpoint":
        return assign_midpoint(lines)
    raise ValueError(f"unknown unit rule {rule!r}: expected 'cms' or 'midpoint'")


def max_cms_line_units(minutes: int) -> int:
    """Most units one line can carry under the CMS assignment: full blocks plus one for a
    remainder, i.e. ``ceil(minutes / 15)``."""
    m = _check_minutes(minutes)
    return -(-m // UNIT_MINUTES)


# --------------------------------------------------------------------------- CQ/CO per unit

#: An assistant furnishes a service "in part" when more than this share of it (per cent).
DE_MINIMIS_PERCENT: Final = 10


@dataclass(frozen=True)
class AssistantSplit:
    """Which of one line's ``units`` a PT (or OT) assistant furnished: the units that carry
    CQ (CO) under CMS's unit-by-unit method, and how they were reached.

    ``assistant_full`` / ``therapist_full`` are units that one of them furnished in full
    (15 minutes each); ``shared`` holds each remaining unit made of both their left-over
    minutes as ``(assistant minutes, therapist minutes, with CQ)``; ``de_minimis`` is set
    when the assistant's part was too small to count (10% or less of an untimed service);
    ``verify`` when the last unit's answer rests on one of two readings of the rule (see
    ``split_assistant_units``).
    """

    units: int
    minutes: int
    assistant_minutes: int
    assistant_units: int
    assistant_full: int = 0
    therapist_full: int = 0
    shared: tuple[tuple[int, int, bool], ...] = ()
    de_minimis: bool = False
    verify: bool = False  # the two readings of the last-unit rule disagree here

    @property
    def therapist_units(self) -> int:
        return self.units - self.assistant_units

    @property
    def split(self) -> bool:
        """Some units with CQ and some without: the claim gets two lines."""
        return 0 < self.assistant_units < self.units


def assistant_share_counts(assistant_minutes: int, minutes: int) -> bool:
    """More than the de minimis 10% of ``minutes`` (exactly 10% does not count)."""
    return assistant_minutes * 100 > minutes * DE_MINIMIS_PERCENT


def split_assistant_units(
    units: int,
    minutes: int,
    assistant_minutes: int,
    *,
    timed: bool = True,
    unit_minutes: int = UNIT_MINUTES,
) -> AssistantSplit:
    """How many of a line's ``units`` carry CQ/CO when an assistant furnished
    ``assistant_minutes`` of its ``minutes`` (CMS, "Billing Examples Using CQ/CO Modifiers";
    CY2022 PFS final rule).

    Untimed (or no minutes): the service carries CQ when the assistant furnished more than
    10% of it (de minimis). Timed, unit by unit: each full ``unit_minutes`` the assistant
    furnished is a CQ unit, each full block the therapist furnished is not; a remaining unit
    made of both their left-over minutes goes without CQ when the therapist furnished enough
    of it to bill it alone (8 of 15 minutes) and with CQ otherwise, unless the assistant's
    part is 10% of a unit or less (``final_unit_cq``; AOTA's summary of the CY2022 final
    rule). PTA 8 + PT 7: CQ; PTA 7 + PT 8: none; 7 + 7: CQ. Where "whoever furnished more"
    (the plain reading of CMS's examples) gives another answer (PT 5 + PTA 4: CQ here;
    PT 8 + PTA 9: none here), ``verify`` is set. A second remaining unit (possible under the
    total-time rule) goes the other way. With fewer units than full blocks (units set by
    hand), the assistant's come first; units beyond what the minutes hold go to whoever
    furnished more of the line (a tie: CQ).
    """
    m = _check_minutes(minutes)
    a = _check_minutes(assistant_minutes, "assistant minutes")
    length = _check_unit_length(unit_minutes)
    if isinstance(units, bool) or not isinstance(units, int) or units < 0:
        raise ValueError(f"units must be a whole number of at least 0, not {units!r}")
    if a > m:
        raise ValueError(f"the assistant's {a} minutes are more than the line's {m}")
    if units == 0 or a == 0:
        return AssistantSplit(units, m, a, 0)
    if a == m:
        return AssistantSplit(units, m, a, units, assistant_full=units)
    if not timed:
        counts = assistant_share_counts(a, m)
        return AssistantSplit(units, m, a, units if counts else 0, de_minimis=not counts)
    return _timed_split(units, m, a, length)


def final_unit_cq(assistant: int, therapist: int, unit_minutes: int = UNIT_MINUTES) -> bool:
    """Whether a last unit both worked on carries CQ (CY2022 PFS final rule).

    No CQ when the therapist furnished enough of it to bill the unit alone (8 of 15
    minutes: the 8-minute threshold); otherwise CQ when the assistant furnished more than
    10% of a unit (2 of 15 minutes), else not (de minimis).
    """
    if therapist >= minutes_for_units(1, unit_minutes):
        return False
    return assistant * 100 > unit_minutes * DE_MINIMIS_PERCENT


def _timed_split(units: int, minutes: int, assistant: int, length: int) -> AssistantSplit:
    a_full, a_left = divmod(assistant, length)
    t_full, t_left = divmod(minutes - assistant, length)
    a_units = min(a_full, units)
    t_units = min(t_full, units - a_units)
    left = units - a_units - t_units
    shared: list[tuple[int, int, bool]] = []
    if left and (a_left or t_left):
        first = final_unit_cq(a_left, t_left, length)
        shared.append((a_left, t_left, first))
        left -= 1
        if left and min(a_left, t_left) > 0:  # a second remaining unit: the other one's
            shared.append((a_left, t_left, not first))
            left -= 1
    cq = a_units + sum(1 for *_, with_cq in shared if with_cq)
    if left:  # only with units set by hand beyond what the minutes hold
        cq += left if assistant * 2 >= minutes else 0
    # PT-CODING-FACTS §11 words the last unit as "whoever furnished more of its minutes";
    # where that reading and the 8-minute one part ways (PT 5 + PTA 4; PT 8 + PTA 9), verify.
    verify = any(a != t and (a > t) != with_cq for a, t, with_cq in shared[:1])
    return AssistantSplit(
        units, minutes, assistant, cq, a_units, t_units, tuple(shared), verify=verify
    )
