"""What the rules make of a visit: a ``VisitResult`` of lines, diagnoses, ties and warnings."""

from __future__ import annotations

from dataclasses import dataclass

from ptcodes_gui.domain.profiles import PayerProfile
from ptcodes_gui.domain.visit_input import ASSISTANT_MODIFIER, Counting, Severity


@dataclass(frozen=True)
class Warning:
    """A finding about the visit: one line saying what is wrong and the fix.

    ``code`` is the id of the rule that found it (``ncci-pair``, ``deleted-code``, ...: see
    docs/RULES.md), ``codes`` the codes involved, ``line`` the index of the visit line
    concerned (None: the whole visit), and ``suggestions`` codes the window can offer
    (replacements, billable children, modifiers). The details stay out of the sentence:
    ``sources`` are ids of ``domain.sources`` (or the name of an imported release, e.g. an
    NCCI PTP table), ``confidence`` is H, M or L ("" when the rule is arithmetic), ``as_of``
    the ISO date the fact is known valid on ("" when not dated), ``details`` a longer note
    for the click-away view (e.g. the NCCI pair's own note; "" when none).
    """

    code: str
    severity: Severity
    message: str
    codes: tuple[str, ...] = ()
    line: int | None = None
    suggestions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    confidence: str = ""
    as_of: str = ""
    details: str = ""

    @property
    def rule_id(self) -> str:
        return self.code

    @property
    def needs_verification(self) -> bool:
        """A finding resting on an unverified fact (confidence L): shown as "verify"."""
        return self.confidence.upper().startswith("L")


@dataclass(frozen=True)
class LineResult:
    index: int
    code: str
    title: str
    system: str
    timed: bool
    counting: Counting  # which count its minutes went to
    minutes: int | None
    computed_units: int  # what the rule gives
    units: int  # what is billed: the override when set
    overridden: bool
    modifiers: tuple[str, ...]
    suggested_modifiers: tuple[str, ...]
    dx_pointers: tuple[str, ...]
    provider: str
    by_default: bool = False  # its units include a tie's default pick
    pta_minutes: int = 0  # of ``minutes``, furnished by the PT assistant
    pta_units: int = 0  # units the PTA furnished (CMS's unit-by-unit method)
    cq_units: int = 0  # of ``units``, those that carry CQ on this claim (Medicare, GP)

    @property
    def refused(self) -> bool:
        return self.counting == "refused"

    @property
    def cq_split(self) -> bool:
        """Some units carry CQ and some do not: two claim lines."""
        return 0 < self.cq_units < self.units

    def claim_lines(self) -> tuple[ClaimLine, ...]:
        """What goes on the claim for this line: one line, or (``cq_split``) the units
        without CQ and then the units with CQ, each with its share of the minutes."""
        if not self.billed:
            return ()
        if not self.cq_split:
            return (ClaimLine(self, self.code, self.units, self.modifiers, self.minutes),)
        therapist = None if self.minutes is None else self.minutes - self.pta_minutes
        with_cq = (*self.modifiers[:1], ASSISTANT_MODIFIER, *self.modifiers[1:])
        return (
            ClaimLine(self, self.code, self.units - self.cq_units, self.modifiers, therapist),
            ClaimLine(self, self.code, self.cq_units, with_cq, self.pta_minutes, True),
        )

    @property
    def billed(self) -> bool:
        """On the claim: a known, active procedure with at least one unit."""
        return not self.refused and self.units > 0


@dataclass(frozen=True)
class ClaimLine:
    """One claim line: a visit line, or one half of a line whose units are split by CQ.

    ``minutes`` is the share of the line's minutes it stands for (the PT's on the half
    without CQ, the PTA's on the half with CQ); ``split_part`` marks the CQ half. It fits
    ``fees.FeeLineLike`` (code, units, modifiers).
    """

    line: LineResult
    code: str
    units: int
    modifiers: tuple[str, ...]
    minutes: int | None
    split_part: bool = False

    @property
    def shared(self) -> bool:
        """One of the two halves of a split line."""
        return self.line.cq_split


@dataclass(frozen=True)
class DiagnosisResult:
    letter: str | None  # None beyond the 12th
    code: str
    title: str
    known: bool
    billable: bool


@dataclass(frozen=True)
class VisitTie:
    """``units`` units to split among ``line_indices`` (equal left-over minutes): the
    clinician's choice. ``default_line_indices`` got them in the result shown."""

    line_indices: tuple[int, ...]
    codes: tuple[str, ...]
    units: int
    remaining_minutes: int
    default_line_indices: tuple[int, ...]
    resolved: bool  # units were set by hand on one of the tied lines


@dataclass(frozen=True)
class VisitResult:
    profile: PayerProfile
    lines: tuple[LineResult, ...]
    diagnoses: tuple[DiagnosisResult, ...]
    total_timed_minutes: int  # minutes of the 15-minute pool (untimed and 97150 excluded)
    separate_timed_minutes: int  # minutes of codes counted on their own (97550/97551, ...)
    timed_units: int  # billed timed units (after overrides)
    untimed_units: int
    total_units: int
    computed_timed_units: int  # what the rule gives, before overrides
    ties: tuple[VisitTie, ...]
    warnings: tuple[Warning, ...]

    @property
    def billed_lines(self) -> tuple[LineResult, ...]:
        return tuple(line for line in self.lines if line.billed)

    @property
    def claim_lines(self) -> tuple[ClaimLine, ...]:
        """The billed lines as the claim holds them: a line whose units are partly by the
        PTA becomes a line without CQ and a line with CQ (``LineResult.claim_lines``)."""
        return tuple(part for line in self.lines for part in line.claim_lines())

    @property
    def errors(self) -> tuple[Warning, ...]:
        return tuple(w for w in self.warnings if w.severity == "error")

    def warnings_with(self, code: str) -> tuple[Warning, ...]:
        return tuple(w for w in self.warnings if w.code == code)

