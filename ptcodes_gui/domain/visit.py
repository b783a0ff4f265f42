"""The visit builder's rules: units per line, modifiers, NCCI pairs and the checks.

``evaluate(visit, lookup)`` turns what the clinician entered (a ``Visit``) into what would go
on the claim (a ``VisitResult``) plus plain-words ``Warning``s that each name the fix. It never
changes the visit: the window shows the result and lets the clinician decide. The rules come
from PT-CODING-FACTS.md sections 3, 4 and 6.

Design choices (each also said in the warnings the user sees):

* Units. Timed 15-minute codes form one pool counted with the profile's rule
  (``units.assign_cms`` / ``units.assign_midpoint``). Untimed codes (and 97150 group therapy,
  whatever the catalog says) are one unit per session and their minutes never count.
* Ties (CMS rule): the unit goes by default to the earliest tied line in visit order; the
  line is marked ``by_default``, the tie is listed in ``VisitResult.ties`` and a
  ``unit_tie`` warning asks the clinician to choose. The choice is ``VisitLine.tie_preferred``
  on the line(s) that should get the unit (the visit builder's tie chooser sets it; it changes
  nothing outside a tie); setting units by hand on any tied line also marks the tie resolved.
* Codes with other unit lengths (97550 caregiver training, first 30 minutes, with its
  add-on 97551, each additional 15 minutes; likewise 97545/97546): each line is counted on
  its own minutes with the CPT time rule (a unit once more than half of it has passed:
  97550 one unit from 16 minutes, never more; 97551 one unit per 15 minutes from 8), and
  these minutes stay out of the 15-minute CMS pool, because the CMS total-time rule is
  written for 15-minute units. Time beyond 97550's first 30 minutes belongs on 97551: the
  engine does not split it by itself, it says so (``use_addon_code``).
* Therapy modifier: every CPT/HCPCS procedure line gets its discipline's modifier (GP for PT,
  GO for OT, GN for SLP). CMS requires it on "always therapy" codes (97xxx, G0283, ...) and
  on "sometimes therapy" codes (95851/95852, 95992, wound care, dry needling, strapping,
  remote care) whenever a therapist furnishes them under a plan of care, which is every
  line a PT bills here. Athletic-trainer codes get none and a warning.
* Modifier order on a line: therapy (GP/GO/GN), CQ (PT assistant), KX, 95/93, then the
  user's own, without duplicates. 59/X{EPSU} are never added by the engine: they are only
  *suggested* on the column-2 code of an indicator-1 NCCI pair.
* Refused lines (unknown, deleted, a diagnosis or modifier entered as a procedure) stay in
  the result flagged as errors with 0 units, so nothing is silently dropped; ``add_line``
  refuses them up front and offers the replacements.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Final, Literal, Protocol

from ptcodes_gui.domain import units as unit_rules
from ptcodes_gui.domain.models import Code, Mue, NcciPair, System, TelehealthList
from ptcodes_gui.domain.profiles import MEDICARE, PayerProfile

Provider = Literal["pt", "pta"]
Telehealth = Literal["95", "93"]
Severity = Literal["error", "warning", "info"]
Counting = Literal["pool", "separate", "untimed", "refused"]

PROVIDERS: Final[tuple[str, ...]] = ("pt", "pta")
TELEHEALTH_MODIFIERS: Final[tuple[str, ...]] = ("95", "93")
SEVERITIES: Final[tuple[str, ...]] = ("error", "warning", "info")

MAX_DIAGNOSES: Final = 12
DX_LETTERS: Final = "ABCDEFGHIJKL"
MAX_DX_POINTERS: Final = 4
MAX_LINE_MODIFIERS: Final = 4
MAX_LINE_MINUTES: Final = 24 * 60
MAX_LINE_UNITS: Final = 99

#: Modifiers that mark a distinct procedural service (bypass an indicator-1 NCCI pair).
DISTINCT_MODIFIERS: Final[tuple[str, ...]] = ("59", "XE", "XS", "XP", "XU")
#: Untimed whatever the catalog says: their minutes never count toward the timed total.
GROUP_CODES: Final[frozenset[str]] = frozenset({"97150"})
THERAPY_MODIFIERS: Final[dict[str, str]] = {"PT": "GP", "any": "GP", "OT": "GO", "SLP": "GN"}
ASSISTANT_MODIFIER: Final = "CQ"
#: Codes Medicare does not accept, with the code it wants instead.
MEDICARE_SUBSTITUTES: Final[dict[str, str]] = {"97014": "G0283"}
#: (discipline, evaluations, re-evaluations)
EVALUATIONS: Final[tuple[tuple[str, frozenset[str], frozenset[str]], ...]] = (
    ("PT", frozenset({"97161", "97162", "97163"}), frozenset({"97164"})),
    ("OT", frozenset({"97165", "97166", "97167"}), frozenset({"97168"})),
    ("AT", frozenset({"97169", "97170", "97171"}), frozenset({"97172"})),
)
_ALL_EVALUATIONS: Final = frozenset().union(*(e | r for _, e, r in EVALUATIONS))

_CODE_RE: Final = re.compile(r"^[A-Z0-9][A-Z0-9.]{0,9}$")
_MODIFIER_RE: Final = re.compile(r"^[A-Z0-9]{2}$")
_ISO_DATE_RE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SHOWN_CHILDREN: Final = 6
_DISCIPLINE_NAMES: Final = {"OT": "an OT", "SLP": "an SLP", "AT": "an athletic trainer"}


# --------------------------------------------------------------------------- inputs


def normalize_code(code: str) -> str:
    """``" 97110 "`` → ``"97110"``, ``"g0283"`` → ``"G0283"``; raises ValueError on junk."""
    if not isinstance(code, str):
        raise ValueError(f"a code must be text, not {code!r}")
    text = "".join(code.split()).upper()
    if not _CODE_RE.match(text):
        raise ValueError(f"{code!r} is not a code (letters, digits and a dot, up to 10)")
    return text


def normalize_icd(code: str) -> str:
    """ICD-10-CM code with its dot: ``"m25561"`` → ``"M25.561"`` (ICD codes start with a
    letter; anything else is only normalized, so a CPT number stays recognisable)."""
    text = normalize_code(code)
    if "." not in text and len(text) > 3 and text[0].isalpha():
        text = f"{text[:3]}.{text[3:]}"
    return text


def _normalize_modifier(modifier: str) -> str:
    if not isinstance(modifier, str):
        raise ValueError(f"a modifier must be text, not {modifier!r}")
    text = modifier.strip().upper()
    if not _MODIFIER_RE.match(text):
        raise ValueError(f"{modifier!r} is not a modifier (two letters or digits, e.g. 59, XU)")
    return text


def _dedupe(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True)
class VisitLine:
    """One procedure the clinician entered.

    ``minutes`` is required for timed codes (``None`` counts as 0 and is flagged).
    ``units_override`` replaces the computed units (flagged, and checked against the minutes).
    ``extra_modifiers`` are the user's own (e.g. ``("59",)``); GP/CQ/KX/95/93 are added by
    the engine. ``dx_pointers`` are diagnosis letters (A-L), the first is the primary.
    ``telehealth`` overrides the visit's telehealth setting for this line.
    ``tie_preferred``: in a CMS tie for a left-over unit (equal left-over minutes), this line
    gets it (the clinician's choice); without a tie it changes nothing.
    Values are normalized (upper case, no duplicates); malformed ones raise ValueError.
    """

    code: str
    minutes: int | None = None
    provider: Provider = "pt"
    units_override: int | None = None
    extra_modifiers: tuple[str, ...] = ()
    dx_pointers: tuple[str, ...] = ()
    telehealth: Telehealth | None = None
    tie_preferred: bool = False

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "code", normalize_code(self.code))
        if self.minutes is not None and (
            isinstance(self.minutes, bool)
            or not isinstance(self.minutes, int)
            or not 0 <= self.minutes <= MAX_LINE_MINUTES
        ):
            raise ValueError(
                f"{self.code}: minutes must be a whole number from 0 to {MAX_LINE_MINUTES}, "
                f"not {self.minutes!r}"
            )
        if self.provider not in PROVIDERS:
            raise ValueError(f"{self.code}: provider must be 'pt' or 'pta', not {self.provider!r}")
        if self.units_override is not None and (
            isinstance(self.units_override, bool)
            or not isinstance(self.units_override, int)
            or not 0 <= self.units_override <= MAX_LINE_UNITS
        ):
            raise ValueError(
                f"{self.code}: units must be a whole number from 0 to {MAX_LINE_UNITS}, "
                f"not {self.units_override!r}"
            )
        if isinstance(self.extra_modifiers, str) or isinstance(self.dx_pointers, str):
            raise ValueError(f"{self.code}: modifiers and pointers are a tuple of texts")
        set_(self, "extra_modifiers", _dedupe(_normalize_modifier(m) for m in self.extra_modifiers))
        pointers = []
        for pointer in self.dx_pointers:
            letter = pointer.strip().upper() if isinstance(pointer, str) else ""
            if len(letter) != 1 or not "A" <= letter <= "Z":
                raise ValueError(f"{self.code}: a diagnosis pointer is one letter, not {pointer!r}")
            pointers.append(letter)
        set_(self, "dx_pointers", _dedupe(pointers))
        if self.telehealth is not None and self.telehealth not in TELEHEALTH_MODIFIERS:
            raise ValueError(
                f"{self.code}: telehealth must be '95' (video), '93' (audio only) or none, "
                f"not {self.telehealth!r}"
            )
        if not isinstance(self.tie_preferred, bool):
            raise ValueError(f"{self.code}: tie_preferred must be true or false")


@dataclass(frozen=True)
class Visit:
    """One day's visit: procedure lines, diagnoses (lettered A-L in order), payer profile."""

    lines: tuple[VisitLine, ...] = ()
    diagnoses: tuple[str, ...] = ()
    profile: PayerProfile = MEDICARE
    kx: bool = False
    telehealth: Telehealth | None = None

    def __post_init__(self) -> None:
        lines = tuple(self.lines)
        if not all(isinstance(line, VisitLine) for line in lines):
            raise ValueError("visit lines must be VisitLine objects")
        object.__setattr__(self, "lines", lines)
        if isinstance(self.diagnoses, str):
            raise ValueError("diagnoses are a tuple of ICD-10-CM codes")
        object.__setattr__(self, "diagnoses", tuple(normalize_icd(d) for d in self.diagnoses))
        if not isinstance(self.profile, PayerProfile):
            raise ValueError("visit profile must be a PayerProfile")
        if not isinstance(self.kx, bool):
            raise ValueError(f"kx must be true or false, not {self.kx!r}")
        if self.telehealth is not None and self.telehealth not in TELEHEALTH_MODIFIERS:
            raise ValueError(
                f"telehealth must be '95' (video), '93' (audio only) or none, "
                f"not {self.telehealth!r}"
            )

    def letter_of(self, index: int) -> str | None:
        """Letter of the diagnosis at ``index`` (A-L), None beyond the 12th."""
        return DX_LETTERS[index] if 0 <= index < MAX_DIAGNOSES else None


class CodeLookup(Protocol):
    """What the rules need from the catalog (the catalog repository implements it)."""

    def get(self, code: str) -> Code | None:
        """The code (procedure, modifier or diagnosis), or None when unknown."""
        ...

    def ncci_pairs(self, codes: Iterable[str]) -> list[NcciPair]:
        """The NCCI pairs whose two codes are both among ``codes``."""
        ...

    def children(self, code: str) -> list[tuple[str, str]]:
        """Billable (code, title) below an ICD-10-CM header code."""
        ...

    def mue(self, code: str) -> Mue | None:
        """The code's MUE from an imported CMS MUE table; None without one."""
        ...

    def telehealth_list(self) -> TelehealthList | None:
        """An imported Medicare telehealth list; None: the rules use the shipped one."""
        ...


class MappingLookup:
    """An in-memory ``CodeLookup`` (tests, the CLI on a handful of codes)."""

    def __init__(
        self,
        codes: Iterable[Code],
        pairs: Iterable[NcciPair] = (),
        *,
        mues: Iterable[Mue] = (),
        telehealth: TelehealthList | None = None,
    ) -> None:
        self._codes = {code.code.upper(): code for code in codes}
        self._mues = {m.code.upper(): m for m in mues}
        self._telehealth = telehealth
        all_pairs = [*pairs, *(p for c in self._codes.values() for p in c.ncci)]
        self._pairs = list(dict.fromkeys(all_pairs))

    def get(self, code: str) -> Code | None:
        return self._codes.get(code.strip().upper())

    def ncci_pairs(self, codes: Iterable[str]) -> list[NcciPair]:
        wanted = set(codes)
        return [p for p in self._pairs if p.column1 in wanted and p.column2 in wanted]

    def mue(self, code: str) -> Mue | None:
        return self._mues.get(code.strip().upper())

    def telehealth_list(self) -> TelehealthList | None:
        return self._telehealth

    def children(self, code: str) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        parent = self.get(code)
        queue = list(parent.children) if parent else []
        while queue:
            child, title = queue.pop(0)
            known = self.get(child)
            if known is not None and not known.billable:
                queue.extend(known.children)
            else:
                found.append((child, title))
        return found


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class Warning:
    """A finding about the visit, in plain words that name the fix.

    ``code`` is a stable id (``ncci_pair``, ``deleted_code``, ...), ``codes`` the codes
    involved, ``line`` the index of the visit line concerned (None: the whole visit), and
    ``suggestions`` codes the window can offer (replacements, billable children, modifiers).
    """

    code: str
    severity: Severity
    message: str
    codes: tuple[str, ...] = ()
    line: int | None = None
    suggestions: tuple[str, ...] = ()


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

    @property
    def refused(self) -> bool:
        return self.counting == "refused"

    @property
    def billed(self) -> bool:
        """On the claim: a known, active procedure with at least one unit."""
        return not self.refused and self.units > 0


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
    def errors(self) -> tuple[Warning, ...]:
        return tuple(w for w in self.warnings if w.severity == "error")

    def warnings_with(self, code: str) -> tuple[Warning, ...]:
        return tuple(w for w in self.warnings if w.code == code)


# --------------------------------------------------------------------------- helpers


def _title(lookup: CodeLookup, code: str) -> str:
    found = lookup.get(code)
    return f"{code} ({found.title})" if found and found.title else code


def _join_or(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


def _join_and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _procedure_refusal(
    text: str, found: Code | None, lookup: CodeLookup, line: int | None
) -> Warning | None:
    """Why ``text`` cannot be a procedure line, or None when it can."""
    if found is None:
        return Warning(
            "unknown_code",
            "error",
            f"{text} is not in the catalog: check the number (it may be mistyped, or not a "
            "code PTs bill). It is left off the claim.",
            (text,),
            line,
        )
    if found.is_deleted:
        replacements = found.replaced_by
        year = f" in {found.deleted_year}" if found.deleted_year else ""
        fix = (
            f"use {_join_or([_title(lookup, r) for r in replacements])} instead"
            if replacements
            else "pick a current code"
        )
        return Warning(
            "deleted_code",
            "error",
            f"{text} was deleted{year} and is no longer paid: {fix}.",
            (text, *replacements),
            line,
            replacements,
        )
    if found.is_diagnosis:
        return Warning(
            "not_a_procedure",
            "error",
            f"{text} is a diagnosis (ICD-10-CM), not a procedure: add it to the diagnoses "
            "and point the procedure lines at it.",
            (text,),
            line,
        )
    if found.system == System.MODIFIER:
        return Warning(
            "not_a_procedure",
            "error",
            f"{text} is a modifier, not a procedure: add it to a procedure line's modifiers.",
            (text,),
            line,
        )
    return None


def _diagnosis_refusal(text: str, found: Code | None, lookup: CodeLookup) -> Warning | None:
    if found is None:
        return Warning(
            "unknown_code",
            "error",
            f"{text} is not an ICD-10-CM code in the catalog: check the code.",
            (text,),
        )
    if not found.is_diagnosis:
        return Warning(
            "not_a_diagnosis",
            "error",
            f"{text} is a procedure or modifier code, not a diagnosis: add it as a procedure "
            "line instead.",
            (text,),
        )
    if not found.billable:
        children = lookup.children(found.code)
        shown = [f"{c} ({t})" if t else c for c, t in children[:_SHOWN_CHILDREN]]
        more = len(children) - len(shown)
        choice = (
            f"pick a billable code below it: {', '.join(shown)}"
            + (f" and {more} more" if more > 0 else "")
            if children
            else "pick a more specific, billable code below it"
        )
        return Warning(
            "header_diagnosis",
            "error",
            f"{text} is a category header, not a billable diagnosis: {choice}.",
            (text,),
            None,
            tuple(c for c, _ in children),
        )
    return None


def validate_new_line(code: str, lookup: CodeLookup) -> list[Warning]:
    """Errors that refuse ``code`` as a new procedure line (empty: it may be added).

    Deleted codes come with their replacements in ``suggestions``; a diagnosis, a modifier
    or an unknown code is refused with a plain explanation.
    """
    try:
        text = normalize_code(code)
    except ValueError as exc:
        return [Warning("unknown_code", "error", f"{exc}.", ())]
    refusal = _procedure_refusal(text, lookup.get(text), lookup, None)
    return [refusal] if refusal else []


def add_line(visit: Visit, line: VisitLine, lookup: CodeLookup) -> tuple[Visit, list[Warning]]:
    """The visit with ``line`` appended, or the same visit and the errors that refuse it.

    On success the warnings are the new ones the line brings (e.g. an NCCI pair).
    """
    refused = validate_new_line(line.code, lookup)
    if refused:
        return visit, refused
    before = set(evaluate(visit, lookup).warnings)
    updated = replace(visit, lines=(*visit.lines, line))
    new = [w for w in evaluate(updated, lookup).warnings if w not in before]
    return updated, new


def validate_new_diagnosis(code: str, lookup: CodeLookup) -> list[Warning]:
    """Errors that refuse ``code`` as a diagnosis; header codes come with their billable
    children in ``suggestions``."""
    try:
        text = normalize_icd(code)
    except ValueError as exc:
        return [Warning("unknown_code", "error", f"{exc}.", ())]
    refusal = _diagnosis_refusal(text, lookup.get(text), lookup)
    return [refusal] if refusal else []


def remove_diagnosis(visit: Visit, index: int) -> Visit:
    """The visit without its diagnosis at ``index``; the later diagnoses move up a letter and
    the lines' pointers follow them (pointers to the removed one are dropped)."""
    if not 0 <= index < len(visit.diagnoses):
        raise IndexError(f"there is no diagnosis {index + 1} to remove")
    count = min(len(visit.diagnoses), MAX_DIAGNOSES)

    def moved(letter: str) -> str | None:
        at = DX_LETTERS.find(letter)
        if at < 0 or at >= count:
            return letter  # already pointing nowhere: left for its own warning
        if at == index:
            return None
        return DX_LETTERS[at - 1] if at > index else letter

    lines = tuple(
        replace(
            line,
            dx_pointers=tuple(p for p in (moved(x) for x in line.dx_pointers) if p is not None),
        )
        for line in visit.lines
    )
    diagnoses = visit.diagnoses[:index] + visit.diagnoses[index + 1 :]
    return replace(visit, lines=lines, diagnoses=diagnoses)


def parse_line_spec(text: str) -> tuple[str, int | None]:
    """``"97110=23"`` → ``("97110", 23)``, ``"97010"`` → ``("97010", None)``.

    What the CLI takes as an argument and the visit builder's entry field accepts. Raises
    ValueError (a sentence) for a malformed code or minutes that are not a whole number
    from 0 to 1440.
    """
    code_text, sep, minutes_text = text.partition("=")
    code = normalize_code(code_text)
    if not sep:
        return code, None
    raw = minutes_text.strip()
    if not raw.isascii() or not raw.isdigit():
        what = "negative" if raw.startswith("-") and raw[1:].isdigit() else "not a whole number"
        raise ValueError(
            f"{text!r}: the minutes after '=' are {what}; write e.g. {code}=23 "
            f"(0 to {MAX_LINE_MINUTES})"
        )
    minutes = int(raw)
    if minutes > MAX_LINE_MINUTES:
        raise ValueError(f"{text!r}: {minutes} minutes is more than a day ({MAX_LINE_MINUTES})")
    return code, minutes


def add_diagnosis(visit: Visit, code: str, lookup: CodeLookup) -> tuple[Visit, list[Warning]]:
    """The visit with diagnosis ``code`` appended (next letter), or the same visit and why not."""
    refused = validate_new_diagnosis(code, lookup)
    if refused:
        return visit, refused
    text = normalize_icd(code)
    if text in visit.diagnoses:
        letter = visit.letter_of(visit.diagnoses.index(text))
        return visit, [
            Warning(
                "duplicate_diagnosis",
                "warning",
                f"{text} is already diagnosis {letter}: point the lines at {letter}.",
                (text,),
            )
        ]
    if len(visit.diagnoses) >= MAX_DIAGNOSES:
        return visit, [
            Warning(
                "too_many_diagnoses",
                "error",
                f"A claim holds {MAX_DIAGNOSES} diagnoses (A-L) and this visit has them all: "
                f"remove one before adding {text}.",
                (text,),
            )
        ]
    return replace(visit, diagnoses=(*visit.diagnoses, text)), []


def _therapy_modifier(code: Code) -> str | None:
    if code.system not in (System.CPT, System.HCPCS):
        return None
    return THERAPY_MODIFIERS.get(code.discipline)


def _is_other_length(code: Code) -> bool:
    each = code.unit_minutes or unit_rules.UNIT_MINUTES
    first = code.first_unit_minutes or each
    return first != unit_rules.UNIT_MINUTES or each != unit_rules.UNIT_MINUTES


def _counted_separately(code: Code, lookup: CodeLookup) -> bool:
    """97550-like codes (and their add-ons): not in the 15-minute pool."""
    if _is_other_length(code):
        return True
    for primary in code.addon_to:
        found = lookup.get(primary)
        if found is not None and found.timed and _is_other_length(found):
            return True
    return False


def _is_first_block(code: Code) -> bool:
    """A "first N minutes" primary (97550, 97545, 97129 ...): billed once a day; the time
    beyond goes on its add-on code. Known from ``first_unit_minutes`` or from ``addons``."""
    return not code.is_addon and (code.first_unit_minutes is not None or bool(code.addons))


def _addon_name(code: Code) -> str:
    return code.addons[0] if code.addons else "its add-on code"


def _separate_units(code: Code, minutes: int) -> int:
    each = code.unit_minutes or unit_rules.UNIT_MINUTES
    if _is_first_block(code):
        return unit_rules.first_unit_units(minutes, code.first_unit_minutes or each)
    return unit_rules.midpoint_units(minutes, each)


def _separate_minutes_needed(code: Code, units: int) -> int:
    each = code.unit_minutes or unit_rules.UNIT_MINUTES
    if _is_first_block(code):
        return unit_rules.minutes_for_units(min(units, 1), code.first_unit_minutes or each)
    return unit_rules.minutes_for_units(units, each)


def _pair_in_force(pair: NcciPair, on: date) -> bool:
    today = on.isoformat()
    if pair.effective and _ISO_DATE_RE.match(pair.effective) and pair.effective > today:
        return False
    return not (pair.deleted and _ISO_DATE_RE.match(pair.deleted) and pair.deleted <= today)


@dataclass
class _Line:
    index: int
    line: VisitLine
    code: Code | None
    counting: Counting
    computed: int = 0
    by_default: bool = False

    @property
    def final(self) -> int:
        if self.counting == "refused":
            return 0
        return self.line.units_override if self.line.units_override is not None else self.computed


# --------------------------------------------------------------------------- evaluate


def evaluate(visit: Visit, lookup: CodeLookup, *, on: date | None = None) -> VisitResult:
    """Units, modifiers, suggestions, totals, ties and warnings for ``visit``.

    ``on`` is the date NCCI pairs are checked on (their effective/deletion dates); today by
    default.
    """
    on = on or date.today()
    profile = visit.profile
    warnings: list[Warning] = []
    add = warnings.append

    # Resolve each line; refused ones stay, flagged, with 0 units.
    resolved: list[_Line] = []
    for index, line in enumerate(visit.lines):
        found = lookup.get(line.code)
        refusal = _procedure_refusal(line.code, found, lookup, index)
        if refusal is not None or found is None:
            if refusal is not None:
                add(refusal)
            resolved.append(_Line(index, line, found, "refused"))
        elif not found.timed or found.code in GROUP_CODES:
            resolved.append(_Line(index, line, found, "untimed", computed=1))
        elif _counted_separately(found, lookup):
            resolved.append(_Line(index, line, found, "separate"))
        else:
            resolved.append(_Line(index, line, found, "pool"))

    # Units.
    pool = [r for r in resolved if r.counting == "pool"]
    assignment = unit_rules.assign(
        profile.unit_rule,
        [(str(r.index), r.line.minutes or 0) for r in pool],
        preferred={str(r.index) for r in pool if r.line.tie_preferred},
    )
    for r in pool:
        line_units = next(lu for lu in assignment.lines if lu.key == str(r.index))
        r.computed = line_units.units
        r.by_default = line_units.by_default
    separate = [r for r in resolved if r.counting == "separate"]
    for r in separate:
        assert r.code is not None
        r.computed = _separate_units(r.code, r.line.minutes or 0)

    by_index = {r.index: r for r in resolved}
    ties: list[VisitTie] = []
    for tie in assignment.ties:
        indices = tuple(int(key) for key in tie.candidates)
        resolved_by_hand = tie.settled or any(
            by_index[i].line.units_override is not None for i in indices
        )
        if resolved_by_hand:
            for i in indices:
                by_index[i].by_default = False
        ties.append(
            VisitTie(
                line_indices=indices,
                codes=tuple(by_index[i].line.code for i in indices),
                units=tie.units,
                remaining_minutes=tie.remaining_minutes,
                default_line_indices=tuple(int(key) for key in tie.default),
                resolved=resolved_by_hand,
            )
        )

    active = [r for r in resolved if r.counting != "refused"]
    billed = [r for r in active if r.final > 0]
    billed_codes = _dedupe(r.line.code for r in billed)

    # NCCI pairs among the billed codes: suggestions on column 2, warnings on both.
    suggestions: dict[int, tuple[str, ...]] = {}
    pairs = sorted(
        {
            p
            for p in lookup.ncci_pairs(billed_codes)
            if p.column1 != p.column2
            and p.column1 in billed_codes
            and p.column2 in billed_codes
            and _pair_in_force(p, on)
        },
        key=lambda p: (billed_codes.index(p.column1), billed_codes.index(p.column2)),
    )
    pair_warnings: list[Warning] = []
    for pair in pairs:
        col2_lines = [r for r in billed if r.line.code == pair.column2]
        stamp = f"as of {pair.as_of}, source {pair.source}, confidence {pair.confidence}"
        note = f" ({pair.note})" if pair.note else ""
        if pair.indicator == 0:
            pair_warnings.append(
                Warning(
                    "indicator_0",
                    "error",
                    f"{pair.column1} and {pair.column2} are an NCCI pair with indicator 0 "
                    f"({stamp}): they are never paid together on one day and no modifier "
                    f"bypasses that. Remove {pair.column2}; only {pair.column1} is paid."
                    f"{note}",
                    (pair.column1, pair.column2),
                    col2_lines[0].index if col2_lines else None,
                )
            )
            continue
        if pair.indicator != 1:
            continue
        both_timed = all(
            r.code is not None and r.code.timed
            for r in billed
            if r.line.code in (pair.column1, pair.column2)
        )
        for r in col2_lines:
            has = [m for m in _line_modifiers(r, visit) if m in DISTINCT_MODIFIERS]
            if has:
                pair_warnings.append(
                    Warning(
                        "ncci_pair",
                        "info",
                        f"{pair.column1} and {pair.column2} are an NCCI pair (indicator 1, "
                        f"{stamp}); {pair.column2} carries {has[0]}: the note must show "
                        + (
                            "separate time blocks."
                            if both_timed
                            else "that the services were distinct."
                        )
                        + note,
                        (pair.column1, pair.column2),
                        r.index,
                    )
                )
                continue
            suggestions[r.index] = DISTINCT_MODIFIERS
            fix = (
                "bill them together only for separate time blocks and add 59 or XU to "
                if both_timed
                else "bill them together only when the services were truly distinct, and add "
                "59 or the X modifier that fits (XE, XS, XP, XU) to "
            )
            pair_warnings.append(
                Warning(
                    "ncci_pair",
                    "warning",
                    f"{pair.column1} and {pair.column2} are an NCCI pair (indicator 1, {stamp}): "
                    f"{fix}{pair.column2}.{note}",
                    (pair.column1, pair.column2),
                    r.index,
                    DISTINCT_MODIFIERS,
                )
            )

    # Per-line checks.
    counts = Counter(r.line.code for r in active)
    reported_duplicates: set[str] = set()
    for r in active:
        assert r.code is not None
        code, line = r.code, r.line
        text = line.code
        if counts[text] > 1 and text not in reported_duplicates:
            reported_duplicates.add(text)
            add(
                Warning(
                    "duplicate_code",
                    "warning",
                    f"{text} is on {counts[text]} lines: "
                    + (
                        "put all its minutes on one line."
                        if r.counting in ("pool", "separate")
                        else "an untimed code is billed once per session; remove the extra line."
                    ),
                    (text,),
                    r.index,
                )
            )
        if r.counting in ("pool", "separate") and line.minutes is None:
            add(
                Warning(
                    "missing_minutes",
                    "warning",
                    f"{text} is timed: enter its minutes (it counts 0 minutes until then).",
                    (text,),
                    r.index,
                )
            )
        if r.counting == "separate":
            add(_separate_note(code, lookup, r.index, line.minutes or 0, profile))
        if r.counting in ("pool", "separate") and _is_first_block(code) and r.final > 1:
            first = code.first_unit_minutes or code.unit_minutes or unit_rules.UNIT_MINUTES
            addon = _title(lookup, code.addons[0]) if code.addons else "its add-on code"
            add(
                Warning(
                    "use_addon_code",
                    "warning",
                    f"{text} is billed once (it covers the first {first} minutes): bill 1 unit "
                    f"of {text} and put the time beyond on {addon}.",
                    (text, *code.addons),
                    r.index,
                    code.addons,
                )
            )
        if line.units_override is not None and line.units_override != r.computed:
            add(
                Warning(
                    "override",
                    "info",
                    f"{text}: units set by hand to {line.units_override} ("
                    + (
                        "an untimed code is 1 unit per session"
                        if r.counting == "untimed"
                        else f"the {_rule_name(profile)} gives {r.computed}"
                    )
                    + "). Clear the units to go back to the rule.",
                    (text,),
                    r.index,
                )
            )
        if (
            r.final == 0
            and r.counting in ("pool", "separate")
            and line.minutes is not None
            and line.units_override is None
        ):
            reason = (
                "it lost a tie for the last unit"
                if any(r.index in t.line_indices for t in ties)
                else f"{line.minutes} minutes do not earn a unit under the {_rule_name(profile)}"
            )
            add(
                Warning(
                    "zero_units",
                    "info",
                    f"{text} gets no unit ({reason}): it stays off the claim; document its "
                    "minutes in the note anyway.",
                    (text,),
                    r.index,
                )
            )
        if code.addon_to and r.final > 0 and not any(p in billed_codes for p in code.addon_to):
            add(
                Warning(
                    "addon_without_primary",
                    "error",
                    f"{text} is an add-on code: it is only paid with "
                    f"{_join_or([_title(lookup, p) for p in code.addon_to])} on the same day. "
                    f"Add {_join_or(list(code.addon_to))}, or bill this time as "
                    f"{code.addon_to[0]}.",
                    (text, *code.addon_to),
                    r.index,
                    code.addon_to,
                )
            )
        if profile.medicare:
            if text in MEDICARE_SUBSTITUTES:
                substitute = MEDICARE_SUBSTITUTES[text]
                add(
                    Warning(
                        f"medicare_use_{substitute.lower()}",
                        "error",
                        f"Medicare does not accept {text}: bill {_title(lookup, substitute)} "
                        "instead.",
                        (text, substitute),
                        r.index,
                        (substitute,),
                    )
                )
            elif code.medicare_status == "B":
                add(
                    Warning(
                        "medicare_bundled",
                        "warning",
                        f"Medicare bundles {text} (status B): it is never paid separately. "
                        "Leave it off the Medicare claim (document it in the note).",
                        (text,),
                        r.index,
                    )
                )
            elif code.not_medicare:
                add(
                    Warning(
                        "not_medicare",
                        "warning",
                        f"Medicare does not pay {text}: leave it off the Medicare claim or "
                        "check the patient's other coverage.",
                        (text,),
                        r.index,
                    )
                )
        therapy = _therapy_modifier(code)
        if code.discipline not in ("PT", "any"):
            add(
                Warning(
                    "other_discipline",
                    "warning",
                    f"{text} is {_DISCIPLINE_NAMES.get(code.discipline, code.discipline)} "
                    "code"
                    + (f" (it carries {therapy})" if therapy else "")
                    + ": a PT does not bill it; pick the PT code for this service.",
                    (text,),
                    r.index,
                )
            )
        if line.provider == "pta" and text in _ALL_EVALUATIONS:
            add(
                Warning(
                    "pta_evaluation",
                    "error",
                    f"{text} is an evaluation: only the PT may perform it, not a PT assistant. "
                    "Set the provider to PT.",
                    (text,),
                    r.index,
                )
            )
        mods = _line_modifiers(r, visit)
        if r.final > 0 and len(mods) > MAX_LINE_MODIFIERS:
            add(
                Warning(
                    "too_many_modifiers",
                    "warning",
                    f"{text} has {len(mods)} modifiers ({' '.join(mods)}) but a claim line "
                    f"holds {MAX_LINE_MODIFIERS}: drop the least needed of your own modifiers.",
                    (text,),
                    r.index,
                )
            )

    warnings.extend(pair_warnings)

    # Ties.
    for visit_tie in ties:
        if visit_tie.resolved:
            continue
        defaults = [by_index[i].line.code for i in visit_tie.default_line_indices]
        add(
            Warning(
                "unit_tie",
                "warning",
                f"{_join_and(list(visit_tie.codes))} each have {visit_tie.remaining_minutes} "
                f"minutes left over for {_plural(visit_tie.units, 'remaining unit')}: the "
                f"clinician chooses which code gets it (shown on {_join_and(defaults)} for "
                "now). Pick the line that gets it (or set the units on the lines) to confirm "
                "the choice.",
                visit_tie.codes,
                visit_tie.line_indices[0],
            )
        )

    # Evaluations.
    for discipline, evals, reevals in EVALUATIONS:
        present_evals = [c for c in billed_codes if c in evals]
        present_reevals = [c for c in billed_codes if c in reevals]
        if present_evals and present_reevals:
            add(
                Warning(
                    "eval_and_reeval",
                    "warning",
                    f"An evaluation ({_join_and(present_evals)}) and a re-evaluation "
                    f"({_join_and(present_reevals)}) are not billed on the same day: keep the "
                    "one that was done.",
                    (*present_evals, *present_reevals),
                )
            )
        if len(present_evals) > 1:
            add(
                Warning(
                    "multiple_evaluations",
                    "warning",
                    f"Only one {discipline} evaluation is billed a day "
                    f"({_join_and(present_evals)} are listed): keep the complexity level that "
                    "was documented.",
                    tuple(present_evals),
                )
            )

    # Totals.
    timed = [r for r in active if r.counting in ("pool", "separate")]
    timed_units = sum(r.final for r in timed)
    untimed_units = sum(r.final for r in active if r.counting == "untimed")
    total_minutes = sum(r.line.minutes or 0 for r in pool)
    separate_minutes = sum(r.line.minutes or 0 for r in separate)
    _check_minutes_support(pool, separate, profile, total_minutes, add)

    cap = profile.daily_timed_unit_cap
    if cap is not None and timed_units > cap:
        add(
            Warning(
                "daily_cap_exceeded",
                "warning",
                f"{profile.name} pays at most {_plural(cap, 'timed unit')} a day; this visit "
                f"has {timed_units}: bill {cap} (lower the units on a line) unless the payer "
                "approved more.",
                tuple(_dedupe(r.line.code for r in timed if r.final > 0)),
            )
        )

    diagnoses = _check_diagnoses(visit, lookup, add)
    _check_pointers(visit, billed, add)

    lines = tuple(
        LineResult(
            index=r.index,
            code=r.code.code if r.code else r.line.code,
            title=r.code.title if r.code else "",
            system=r.code.system if r.code else "",
            timed=bool(r.code and r.code.timed and r.code.code not in GROUP_CODES),
            counting=r.counting,
            minutes=r.line.minutes,
            computed_units=r.computed,
            units=r.final,
            overridden=r.counting != "refused" and r.line.units_override is not None,
            modifiers=_line_modifiers(r, visit),
            suggested_modifiers=suggestions.get(r.index, ()),
            dx_pointers=r.line.dx_pointers,
            provider=r.line.provider,
            by_default=r.by_default,
        )
        for r in resolved
    )
    return VisitResult(
        profile=profile,
        lines=lines,
        diagnoses=diagnoses,
        total_timed_minutes=total_minutes,
        separate_timed_minutes=separate_minutes,
        timed_units=timed_units,
        untimed_units=untimed_units,
        total_units=timed_units + untimed_units,
        computed_timed_units=sum(r.computed for r in timed),
        ties=tuple(ties),
        warnings=tuple(warnings),
    )


def _rule_name(profile: PayerProfile) -> str:
    return "8-minute rule" if profile.unit_rule == "cms" else "midpoint rule"


def _line_modifiers(r: _Line, visit: Visit) -> tuple[str, ...]:
    if r.counting == "refused" or r.code is None:
        return ()
    mods: list[str] = []
    therapy = _therapy_modifier(r.code)
    if therapy:
        mods.append(therapy)
        # CQ and KX are Medicare payment modifiers: a commercial profile leaves them off.
        if r.line.provider == "pta" and therapy == "GP" and visit.profile.medicare:
            mods.append(ASSISTANT_MODIFIER)
        if visit.kx and visit.profile.medicare:
            mods.append("KX")
    telehealth = r.line.telehealth or visit.telehealth
    if telehealth and r.code.system in (System.CPT, System.HCPCS):
        mods.append(telehealth)
    mods.extend(r.line.extra_modifiers)
    return _dedupe(mods)


def _separate_note(
    code: Code, lookup: CodeLookup, index: int, minutes: int, profile: PayerProfile
) -> Warning:
    each = code.unit_minutes or unit_rules.UNIT_MINUTES
    first = code.first_unit_minutes or each
    pool = "not in the 8-minute pool" if profile.unit_rule == "cms" else "with its own unit length"
    if code.is_addon:
        primary = code.addon_to[0]
        found = lookup.get(primary)
        base = (found.first_unit_minutes or found.unit_minutes) if found else None
        beyond = f" beyond {primary}'s first {base} minutes" if base else ""
        return Warning(
            "separate_unit_length",
            "info",
            f"{code.code} is counted on its own, {pool}: one unit per {each} minutes{beyond}, "
            f"the first once {unit_rules.minutes_for_units(1, each)} minutes have passed. "
            f"Enter here only the time{beyond or ' beyond the primary code'}.",
            (code.code, primary),
            index,
        )
    needed = unit_rules.minutes_for_units(1, first)
    if _is_first_block(code) and minutes >= first + unit_rules.minutes_for_units(1, each):
        addon = _title(lookup, code.addons[0]) if code.addons else "its add-on code"
        return Warning(
            "separate_unit_length",
            "warning",
            f"{code.code} covers the first {first} minutes only ({minutes} entered): bill "
            f"{code.code} ×1 and enter the {minutes - first} minutes beyond on {addon}.",
            (code.code, *code.addons),
            index,
            code.addons,
        )
    addon_text = (
        f"; time beyond {first} minutes goes on {_addon_name(code)}"
        if _is_first_block(code)
        else ""
    )
    return Warning(
        "separate_unit_length",
        "info",
        f"{code.code} is counted on its own, {pool}: 1 unit once more than half of its first "
        f"{first} minutes ({needed}+ minutes) has passed{addon_text}.",
        (code.code,),
        index,
    )


def _check_minutes_support(
    pool: list[_Line],
    separate: list[_Line],
    profile: PayerProfile,
    total_minutes: int,
    add: _Add,
) -> None:
    """``units_need_more_minutes`` when units set by hand exceed what the minutes support."""
    overridden = [r for r in (*pool, *separate) if r.line.units_override is not None]
    if not overridden:
        return
    for r in overridden:
        assert r.code is not None
        text, minutes, units = r.line.code, r.line.minutes or 0, r.final
        if r.counting == "separate":
            if _is_first_block(r.code) and units > 1:
                continue  # billed once whatever the minutes: use_addon_code says so
            supported = _separate_units(r.code, minutes)
            needed = _separate_minutes_needed(r.code, units)
        elif profile.unit_rule == "cms":
            supported = unit_rules.max_cms_line_units(minutes)
            needed = (units - 1) * unit_rules.UNIT_MINUTES + 1 if units else 0
        else:
            supported = unit_rules.midpoint_units(minutes)
            needed = unit_rules.minutes_for_units(units)
        if units > supported:
            add(
                Warning(
                    "units_need_more_minutes",
                    "warning",
                    f"{text}: {_plural(units, 'unit')} need at least {needed} minutes on this "
                    f"line under the {_rule_name(profile)}; it has {minutes}. Add the missing "
                    "minutes or lower the units.",
                    (text,),
                    r.index,
                )
            )
    if profile.unit_rule == "cms":
        pool_units = sum(r.final for r in pool)
        allowed = unit_rules.cms_total_units(total_minutes)
        if pool_units > allowed:
            needed = unit_rules.minutes_for_units(pool_units)
            add(
                Warning(
                    "units_need_more_minutes",
                    "warning",
                    f"{_plural(pool_units, 'timed unit')} need at least {needed} timed minutes "
                    f"in total under the 8-minute rule; this visit has {total_minutes} "
                    f"(enough for {allowed}). Add the missing minutes or lower the units.",
                    tuple(_dedupe(r.line.code for r in pool if r.final > 0)),
                )
            )


class _Add(Protocol):
    def __call__(self, warning: Warning, /) -> None: ...


def _check_diagnoses(visit: Visit, lookup: CodeLookup, add: _Add) -> tuple[DiagnosisResult, ...]:
    results: list[DiagnosisResult] = []
    seen: dict[str, str | None] = {}
    for index, text in enumerate(visit.diagnoses):
        letter = visit.letter_of(index)
        found = lookup.get(text)
        refusal = _diagnosis_refusal(text, found, lookup)
        if refusal is not None:
            add(
                replace(
                    refusal,
                    message=(f"Diagnosis {letter}: " if letter else "") + refusal.message,
                )
            )
        if text in seen:
            first = seen[text]
            add(
                Warning(
                    "duplicate_diagnosis",
                    "warning",
                    f"{text} is listed twice ({first} and {letter}): remove {letter} and point "
                    f"its lines at {first}.",
                    (text,),
                )
            )
        else:
            seen[text] = letter
        results.append(
            DiagnosisResult(
                letter=letter,
                code=text,
                title=found.title if found else "",
                known=found is not None and found.is_diagnosis,
                billable=found is not None and found.is_diagnosis and found.billable,
            )
        )
    extra = len(visit.diagnoses) - MAX_DIAGNOSES
    if extra > 0:
        add(
            Warning(
                "too_many_diagnoses",
                "error",
                f"A claim holds {MAX_DIAGNOSES} diagnoses (A-L); this visit has "
                f"{len(visit.diagnoses)}: remove {extra} (those after L have no letter and "
                "are left off).",
                visit.diagnoses[MAX_DIAGNOSES:],
            )
        )
    return tuple(results)


def _check_pointers(visit: Visit, billed: list[_Line], add: _Add) -> None:
    letters = DX_LETTERS[: min(len(visit.diagnoses), MAX_DIAGNOSES)]
    if billed and not visit.diagnoses:
        add(
            Warning(
                "no_diagnosis",
                "warning",
                "The visit has no diagnosis: add the ICD-10-CM code(s) the treatment is for "
                "and point each line at one.",
            )
        )
    for r in billed:
        text, pointers = r.line.code, r.line.dx_pointers
        bad = [p for p in pointers if p not in letters]
        if bad:
            have = (
                f"the visit has diagnoses {letters[0]}-{letters[-1]}"
                if len(letters) > 1
                else f"the visit has only diagnosis {letters}"
                if letters
                else "the visit has no diagnoses"
            )
            add(
                Warning(
                    "dx_pointer_invalid",
                    "error",
                    f"{text} points to {_join_and(bad)} but {have}: point it at an existing "
                    "letter" + (" or add the diagnosis first." if letters else " after adding it."),
                    (text,),
                    r.index,
                )
            )
        if len(pointers) > MAX_DX_POINTERS:
            add(
                Warning(
                    "too_many_dx_pointers",
                    "error",
                    f"{text} points to {len(pointers)} diagnoses but a claim line holds "
                    f"{MAX_DX_POINTERS}: keep the {MAX_DX_POINTERS} most relevant (the first "
                    "is the primary).",
                    (text,),
                    r.index,
                )
            )
        if not pointers and letters:
            add(
                Warning(
                    "no_dx_pointer",
                    "warning",
                    f"{text} points to no diagnosis: point it at the one it treats (e.g. A).",
                    (text,),
                    r.index,
                )
            )
