"""What the clinician enters: a ``Visit`` of ``VisitLine``s, and the constants of a claim.

Values are normalized on construction (upper case, no duplicates) and malformed ones raise
ValueError with a sentence naming the line, so the rules never see junk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

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
ALL_EVALUATIONS: Final = frozenset().union(*(e | r for _, e, r in EVALUATIONS))


_CODE_RE: Final = re.compile(r"^[A-Z0-9][A-Z0-9.]{0,9}$")
_MODIFIER_RE: Final = re.compile(r"^[A-Z0-9]{2}$")


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


def dedupe(items: Iterable[str]) -> tuple[str, ...]:
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
    ``pta_minutes``: how many of ``minutes`` a PT assistant furnished (the PT the rest); CQ
    then goes on the units CMS's unit-by-unit method gives the assistant. ``provider="pta"``
    is the simple case (every minute by the assistant) and wins over ``pta_minutes``.
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
    pta_minutes: int | None = None

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
        set_(self, "extra_modifiers", dedupe(_normalize_modifier(m) for m in self.extra_modifiers))
        pointers = []
        for pointer in self.dx_pointers:
            letter = pointer.strip().upper() if isinstance(pointer, str) else ""
            if len(letter) != 1 or not "A" <= letter <= "Z":
                raise ValueError(f"{self.code}: a diagnosis pointer is one letter, not {pointer!r}")
            pointers.append(letter)
        set_(self, "dx_pointers", dedupe(pointers))
        if self.telehealth is not None and self.telehealth not in TELEHEALTH_MODIFIERS:
            raise ValueError(
                f"{self.code}: telehealth must be '95' (video), '93' (audio only) or none, "
                f"not {self.telehealth!r}"
            )
        if not isinstance(self.tie_preferred, bool):
            raise ValueError(f"{self.code}: tie_preferred must be true or false")
        _check_pta_minutes(self.code, self.pta_minutes)

    @property
    def assistant_minutes(self) -> int:
        """Minutes the PT assistant furnished: all of them when the provider is the PTA
        (never more than the line's minutes)."""
        if self.provider == "pta":
            return self.minutes or 0
        return min(self.pta_minutes or 0, self.minutes or 0)

    @property
    def pta_over(self) -> bool:
        """More PTA minutes than the line has (an error the rules report)."""
        return self.provider == "pt" and (self.pta_minutes or 0) > (self.minutes or 0)

    @property
    def shared(self) -> bool:
        """The PT and the PTA each furnished part of this line's minutes."""
        return self.provider == "pt" and 0 < (self.pta_minutes or 0) < (self.minutes or 0)


def _check_pta_minutes(code: str, pta: int | None) -> None:
    """PTA minutes are a whole number of minutes. More of them than the line's minutes (the
    minutes were lowered after them) is kept and flagged by the ``pta-minutes-over`` rule,
    so a clinician retyping the minutes is never refused keystroke by keystroke."""
    if pta is None:
        return
    if isinstance(pta, bool) or not isinstance(pta, int) or not 0 <= pta <= MAX_LINE_MINUTES:
        raise ValueError(
            f"{code}: the PTA's minutes must be a whole number from 0 to {MAX_LINE_MINUTES}, "
            f"not {pta!r}"
        )


@dataclass(frozen=True)
class Visit:
    """One day's visit: procedure lines, diagnoses (lettered A-L in order), payer profile.

    ``ytd_allowed``: the patient's PT+SLP allowed amount this year before this visit, as the
    clinic typed it (never stored: PT Codes keeps no patient); None when not given.
    """

    lines: tuple[VisitLine, ...] = ()
    diagnoses: tuple[str, ...] = ()
    profile: PayerProfile = MEDICARE
    kx: bool = False
    telehealth: Telehealth | None = None
    ytd_allowed: Decimal | None = None

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
        ytd = self.ytd_allowed
        if ytd is not None and (not isinstance(ytd, Decimal) or not ytd.is_finite() or ytd < 0):
            raise ValueError(f"the year-to-date amount must be dollars from 0, not {ytd!r}")
        if self.telehealth is not None and self.telehealth not in TELEHEALTH_MODIFIERS:
            raise ValueError(
                f"telehealth must be '95' (video), '93' (audio only) or none, "
                f"not {self.telehealth!r}"
            )

    def letter_of(self, index: int) -> str | None:
        """Letter of the diagnosis at ``index`` (A-L), None beyond the 12th."""
        return DX_LETTERS[index] if 0 <= index < MAX_DIAGNOSES else None



def parse_line_spec(text: str) -> tuple[str, int | None]:
    """``"97110=23"`` → ``("97110", 23)``, ``"97010"`` → ``("97010", None)``.

    What the visit builder's entry field accepts. Raises ValueError (a sentence) for a
    malformed code or minutes that are not a whole number from 0 to 1440, and for a PTA part
    (``/pta15``: ``parse_line_entry`` takes it).
    """
    code, minutes, pta = parse_line_entry(text)
    if pta is not None:
        raise ValueError(
            f"{text!r}: the PTA's minutes are not taken here: add {code}={minutes}, then type "
            f"PTA {pta} in the line's By cell"
        )
    return code, minutes


PTA_GRAMMAR: Final = "CODE[=MINUTES[/ptaN]]"


def parse_line_entry(text: str) -> tuple[str, int | None, int | None]:
    """``"97110=38/pta15"`` → ``("97110", 38, 15)``: 38 minutes, 15 of them by the PT
    assistant; ``"97110=23"`` → ``("97110", 23, None)``; ``"97010"`` → ``("97010", None,
    None)``.

    What ``ptcodes visit`` and ``ptcodes units`` take as an argument. Raises ValueError (one
    sentence naming the entry) for a malformed code, minutes that are not a whole number
    from 0 to 1440, a PTA part that is not ``/pta`` and a whole number, or PTA minutes over
    the line's minutes.
    """
    code_text, sep, rest = text.partition("=")
    code = normalize_code(code_text.partition("/")[0] if not sep else code_text)
    if not sep:
        if "/" in code_text:
            raise ValueError(
                f"{text!r}: the PTA's minutes need the line's minutes first; write e.g. "
                f"{code}=38/pta15 (38 minutes, 15 of them by the PTA)"
            )
        return code, None, None
    minutes_text, slash, pta_text = rest.partition("/")
    minutes = _whole_minutes(text, code, minutes_text.strip())
    if not slash:
        return code, minutes, None
    return code, minutes, _pta_minutes(text, code, minutes, pta_text.strip())


def _whole_minutes(text: str, code: str, raw: str) -> int:
    if not raw.isascii() or not raw.isdigit():
        what = "negative" if raw.startswith("-") and raw[1:].isdigit() else "not a whole number"
        raise ValueError(
            f"{text!r}: the minutes after '=' are {what}; write e.g. {code}=23 "
            f"(0 to {MAX_LINE_MINUTES})"
        )
    minutes = int(raw)
    if minutes > MAX_LINE_MINUTES:
        raise ValueError(f"{text!r}: {minutes} minutes is more than a day ({MAX_LINE_MINUTES})")
    return minutes


def _pta_minutes(text: str, code: str, minutes: int, raw: str) -> int:
    number = raw[3:].strip() if raw[:3].lower() == "pta" else ""
    if not number.isascii() or not number.isdigit():
        raise ValueError(
            f"{text!r}: after '/' write pta and the PTA's minutes, e.g. {code}={minutes}/pta"
            f"{min(15, minutes)} ({minutes} minutes, {min(15, minutes)} of them by the PTA)"
        )
    pta = int(number)
    if pta > minutes:
        raise ValueError(
            f"{text!r}: the PTA's {pta} minutes are more than the line's {minutes}; the PTA "
            "minutes are part of the line's minutes"
        )
    return pta
