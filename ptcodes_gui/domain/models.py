"""Frozen dataclasses shared by the catalog, the billing rules, the CLI and the window.

Nothing here knows about SQL or Qt: the catalog builds these from its rows, and
widgets only ever receive these objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ptcodes_gui.domain.sources import Source, resolve, source_json


class System(StrEnum):
    """Which code set an entry belongs to (the value is what the CLI and JSON use)."""

    CPT = "cpt"
    HCPCS = "hcpcs"
    MODIFIER = "modifier"
    ICD10CM = "icd10cm"
    DENIAL = "denial"  # a claim adjustment reason (CARC) or remark (RARC) code

    @property
    def label(self) -> str:
        return system_label(self.value)


def system_label(system: str) -> str:
    """Display name of a system value, including "clinic" (a clinic's own imported entry)."""
    return {
        "cpt": "CPT",
        "hcpcs": "HCPCS",
        "modifier": "Modifier",
        "icd10cm": "ICD-10-CM",
        "clinic": "Clinic entry",
        "denial": "Denial code (CARC/RARC)",
    }.get(system, system)


#: Codes whose ``effective`` date is not recorded were in use before this date of service
#: (every code added or deleted since carries its dates; resources/catalog/SCHEMA.md).
DATED_FROM = "2017-01-01"

#: Values accepted by ``search(system=...)``: a System value, or "pt" for CPT + HCPCS.
SYSTEM_FILTERS: tuple[str, ...] = ("pt", "cpt", "hcpcs", "modifier", "icd10cm")

CATEGORIES: dict[str, str] = {
    "evaluation": "Evaluation",
    "supervised_modality": "Supervised modality",
    "constant_attendance_modality": "Constant-attendance modality",
    "therapeutic_procedure": "Therapeutic procedure",
    "tests_measurements": "Tests and measurements",
    "orthotics_prosthetics": "Orthotics / prosthetics",
    "wound_care": "Wound care",
    "remote_virtual_care": "Remote and virtual care",
    "other": "Other",
    "modifier": "Modifier",
    "diagnosis": "Diagnosis (ICD-10-CM)",
    "denial": "Denial code",
}

ATTENDANCE: dict[str, str] = {
    "constant": "constant attendance (the provider is with the patient the whole time)",
    "supervised": "supervised (no constant attendance required)",
    "not_applicable": "not applicable",
}


@dataclass(frozen=True)
class Fact:
    """A billing statement with where it came from and how sure we are (H, M, L)."""

    text: str
    source: str
    confidence: str
    kind: str = "note"  # payer | documentation | pitfall | note
    payer: str | None = None
    as_of: str | None = None  # ISO date the fact was last checked against its source

    @property
    def needs_verification(self) -> bool:
        return self.confidence.upper().startswith("L")

    @property
    def cited(self) -> Source:
        """The public document ``source`` names (label for the window, full citation)."""
        return resolve(self.source)


@dataclass(frozen=True)
class NcciPair:
    """A procedure-to-procedure edit: column2 is not paid with column1 on one day."""

    column1: str
    column2: str
    indicator: int  # 0 never together, 1 allowed with 59/X{EPSU}, 9 not applicable
    source: str
    confidence: str
    as_of: str  # ISO date the edit is known valid on
    note: str = ""
    effective: str | None = None
    deleted: str | None = None

    @property
    def modifier_allowed(self) -> bool:
        return self.indicator == 1

    @property
    def cited(self) -> Source:
        return resolve(self.source)


@dataclass(frozen=True)
class IcdNote:
    # includes | inclusionTerm | excludes1 | excludes2 | codeFirst | useAdditionalCode |
    # codeAlso | sevenChrNote | sevenChrDef | notes
    kind: str
    text: str
    from_code: str  # the code (this one or an ancestor) where the note is written


@dataclass(frozen=True)
class Hit:
    """One row of a search result list: enough to draw a row, nothing more."""

    code: str
    system: str
    title: str
    timed: bool | None  # None for diagnoses and modifiers
    status: str = "active"  # active | deleted
    category: str = ""
    billable: bool = True
    common: bool = False
    replaced_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Code:
    """Everything the catalog knows about one code."""

    code: str
    system: str
    title: str
    description: str = ""
    category: str = "other"
    timed: bool = False
    unit_minutes: int | None = None
    first_unit_minutes: int | None = None  # e.g. 97550: the first unit is 30 minutes
    attendance: str = "not_applicable"
    discipline: str = "PT"
    status: str = "active"
    replaced_by: tuple[str, ...] = ()
    deleted_year: int | None = None
    addon_to: tuple[str, ...] = ()  # this is an add-on code; needs one of these primaries
    addons: tuple[str, ...] = ()  # add-on codes that go with this primary
    abbreviations: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    modifiers: tuple[str, ...] = ()
    notes: tuple[Fact, ...] = ()
    sources: tuple[Fact, ...] = ()  # provenance of the core facts (meaning, timed, units)
    common: bool = False
    seed_listed: bool = False
    medicare_status: str | None = None  # e.g. "B" bundled
    not_medicare: bool = False
    verify: bool = False
    # dated codes: ISO dates (None: in use since before the catalog's ``dated_from``)
    effective: str | None = None
    deleted: str | None = None  # the first date of service it is no longer valid on
    use_before: tuple[str, ...] = ()  # what to bill on a date of service before ``effective``
    before_note: str = ""  # our words on the time before ``effective`` (no code, ...)
    sometimes_therapy: bool = False  # CMS "sometimes therapy": GP (CQ, KX) under a plan of care
    # ICD-10-CM only
    billable: bool = True
    # (code, title) from the direct parent up to the chapter
    parents: tuple[tuple[str, str], ...] = ()
    children: tuple[tuple[str, str], ...] = ()
    icd_notes: tuple[IcdNote, ...] = ()
    # ICD-10-CM: when the code is valid (ISO dates, None: no known bound) and whether its
    # title is a stand-in (a code newer than the shipped tabular list; see catalog/icd_dated)
    valid_from: str | None = None
    valid_to: str | None = None
    provisional: bool = False
    ncci: tuple[NcciPair, ...] = field(default=())
    # denial codes only: the PT Codes rule ids that catch the cause before submission
    rules: tuple[str, ...] = ()

    @property
    def is_addon(self) -> bool:
        return bool(self.addon_to)

    @property
    def is_deleted(self) -> bool:
        return self.status == "deleted"

    def valid_on(self, on: str) -> bool:
        """Whether the code may be billed on the ISO date ``on``: a procedure code effective
        and not deleted by then, a diagnosis within its valid-from/valid-to dates (a code
        without dates always is)."""
        if self.effective and on < self.effective:
            return False
        if self.deleted and on >= self.deleted:
            return False
        if self.valid_from and on < self.valid_from:
            return False
        return not (self.valid_to and on > self.valid_to)

    def deleted_on(self, on: str | None) -> bool:
        """Deleted by ``on`` (ISO date; None: today's catalog, where a deleted code is gone)."""
        if on is None or not self.deleted:
            return self.is_deleted
        return on >= self.deleted

    @property
    def history(self) -> tuple[str, ...]:
        """The code's dates in plain words, oldest first (for show and the detail pane)."""
        out: list[str] = []
        if not self.effective:
            out.append(f"In use before {DATED_FROM[:4]}.")
        else:
            out.append(f"Effective {self.effective}.")
            if self.use_before:
                out.append(f"Before then: {', '.join(self.use_before)}.")
            if self.before_note:
                note = self.before_note.rstrip(".")
                out.append(f"{note[:1].upper()}{note[1:]}.")
        if self.deleted:
            after = f", replaced by {', '.join(self.replaced_by)}" if self.replaced_by else ""
            out.append(f"Deleted {self.deleted}{after}.")
        return tuple(out)

    @property
    def is_diagnosis(self) -> bool:
        return self.system == System.ICD10CM

    @property
    def timed_label(self) -> str:
        if self.system in (System.ICD10CM, System.MODIFIER, System.DENIAL):
            return ""
        if self.timed:
            first = (
                f", first unit {self.first_unit_minutes} min"
                if self.first_unit_minutes and self.first_unit_minutes != self.unit_minutes
                else ""
            )
            return f"timed, {self.unit_minutes}-minute units{first}"
        return "untimed (one unit per session)"


@dataclass(frozen=True)
class Mue:
    """A medically unlikely edit: the most units of ``code`` a provider reports for one
    patient, per claim line (MAI 1) or per day of service (MAI 2 and 3)."""

    code: str
    value: int
    adjudication_indicator: int  # 1 line edit, 2 date of service (policy), 3 (clinical)
    rationale: str
    source: str  # the imported release, e.g. "CMS MUE practitioner 2027-01-01"
    effective: str | None = None  # ISO: the table applies to dates of service from then

    def applies_on(self, day: str) -> bool:
        """A table dated after ``day`` (ISO) is not in force on it yet."""
        return self.effective is None or self.effective <= day

    @property
    def per_day(self) -> bool:
        return self.adjudication_indicator in (2, 3)


@dataclass(frozen=True)
class TelehealthList:
    """The codes Medicare pays as telehealth (``audio_only``: those that may carry 93)."""

    codes: frozenset[str]
    audio_only: frozenset[str]
    source: str  # e.g. "CMS list of Medicare telehealth services, CY2026 (imported ...)"
    confidence: str = "H"
    effective: str | None = None  # ISO: the list applies to dates of service from then


def fact_json(fact: Fact) -> dict[str, Any]:
    """One fact for ``--json``: its text, its public source and how sure it is."""
    return {
        "text": fact.text,
        "kind": fact.kind,
        "payer": fact.payer,
        "source": source_json(fact.source),
        "confidence": fact.confidence,
        "verify": fact.needs_verification,
        "as_of": fact.as_of,
    }
