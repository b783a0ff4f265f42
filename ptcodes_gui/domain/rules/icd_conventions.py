"""ICD-10-CM conventions among the visit's diagnoses: Excludes1 pairs, the 7th character of an
injury on a therapy visit, and an unspecified side where the code set has the sides.

Everything is read from the ICD-10-CM release in use (its Excludes1 notes, its 7th-character
definitions, its titles and children), never from a list of our own, so an imported release
brings its own notes and codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Final

from ptcodes_gui.domain.lookup import CodeLookup
from ptcodes_gui.domain.models import Code, IcdNote
from ptcodes_gui.domain.rules.context import RuleContext, join_and, therapy_modifier
from ptcodes_gui.domain.rules.registry import Finding, rule

_EXCLUDES1: Final = ("icd10cm-guidelines-i-a-12",)
_SEVENTH: Final = ("icd10cm-guidelines-i-c-19-a",)
_LATERALITY: Final = ("icd10cm-guidelines-i-b-13",)

_CODE: Final = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{0,4})?"
_RANGE_RE: Final = re.compile(rf"^({_CODE})\.?-\s*({_CODE})\.?-?$")
_SINGLE_RE: Final = re.compile(rf"^({_CODE})\.?-?$")
_GROUP_RE: Final = re.compile(r"\(([^()]*)\)")
#: An initial-encounter 7th character and its subsequent-encounter (routine healing) one.
_SUBSEQUENT: Final[dict[str, str]] = {"A": "D", "B": "E", "C": "F"}
_SIDES: Final = ("right", "left", "bilateral")
_UNSPECIFIED_RE: Final = re.compile(r"\bunspecified\b", re.IGNORECASE)


def code_key(code: str) -> str:
    """'M75.122' -> 'M75122' (how note references are compared)."""
    return code.replace(".", "").strip().upper()


@dataclass(frozen=True)
class CodeRef:
    """A code reference of a note: one code and everything below it ("S46.01-", "M51.360"),
    or a range of categories or subcategories ("M22.0-M22.3", "A00-B99")."""

    low: str
    high: str

    def covers(self, key: str) -> bool:
        return key[: len(self.low)] >= self.low and key[: len(self.high)] <= self.high


@lru_cache(maxsize=4096)
def note_refs(text: str) -> tuple[CodeRef, ...]:
    """The code references in the parentheses of a note's text: "(S46.01-)", "(M22.0-M22.3)",
    "(T82.84, T83.84, T85.84-)", "(G44.-)". Words in parentheses ("(traumatic)") are skipped."""
    refs: list[CodeRef] = []
    for group in _GROUP_RE.findall(text):
        for item in group.split(","):
            item = item.strip().upper()
            ranged = _RANGE_RE.match(item)
            if ranged:
                refs.append(CodeRef(code_key(ranged.group(1)), code_key(ranged.group(2))))
                continue
            single = _SINGLE_RE.match(item)
            if single:
                key = code_key(single.group(1))
                refs.append(CodeRef(key, key))
    return tuple(refs)


def excludes1_note(code: Code, other: Code) -> IcdNote | None:
    """The Excludes1 note of ``code`` (or of a code above it) naming ``other``, if any. A
    note that also covers ``code`` itself is a note about its neighbours, not about it."""
    own, key = code_key(code.code), code_key(other.code)
    for note in code.icd_notes:
        if note.kind != "excludes1":
            continue
        refs = note_refs(note.text)
        if any(r.covers(key) for r in refs) and not any(r.covers(own) for r in refs):
            return note
    return None


def _letters(ctx: RuleContext, *indexes: int) -> str:
    letters = [x for x in (ctx.visit.letter_of(i) for i in indexes) if x]
    if not letters:
        return ""
    return f"Diagnos{'is' if len(letters) == 1 else 'es'} {join_and(letters)}: "


@rule(id="excludes1-pair", severity="error", sources=_EXCLUDES1)
def excludes1_pair(ctx: RuleContext) -> Iterator[Finding]:
    """Two diagnoses that an Excludes1 note says are never coded together.

    What it checks:
        No diagnosis of the visit is named by an Excludes1 note of another diagnosis (the
        note written at the code or at a category above it, in the ICD-10-CM release in use;
        a note names codes, code prefixes such as S46.01- or ranges such as M22.0-M22.3).
    Why it is denied:
        Excludes1 means "not coded here": the two conditions cannot be reported together,
        so the claim's diagnoses contradict each other and the payer's edit rejects it.
    Example visit:
        --dx M75.122 --dx S46.012D (a non-traumatic rotator cuff tear, whose category M75.1
        excludes the traumatic tear S46.01-, with the traumatic strain of the same cuff).
    Fix:
        Keep the code the record supports (a tear from an injury is S46.01-, one without is
        M75.1-). Both codes stand only when the two conditions are unrelated to each other.
    Source:
        ICD-10-CM Official Guidelines FY2026/FY2027, section I.A.12.a (Excludes1).
    """
    for (i, a), (j, b) in combinations(ctx.diagnosis_codes, 2):
        if a.code == b.code:
            continue
        note = excludes1_note(a, b)
        owner, other = a, b
        if note is None:
            note, owner, other = excludes1_note(b, a), b, a
        if note is None:
            continue
        yield Finding(
            f"{_letters(ctx, i, j)}{a.code} and {b.code} are never coded together: "
            f"{_note_place(owner, note)} has the Excludes1 note \"{note.text}\", which covers "
            f"{other.code}. Keep the code the record supports (both only when the two "
            "conditions are unrelated).",
            (a.code, b.code),
            details=(
                "Excludes1 means \"not coded here\": the condition it names is coded "
                "elsewhere and never with the code above the note. The exception (guideline "
                "I.A.12.a): two conditions unrelated to each other may both be coded; ask "
                "the clinician when that is unclear."
            ),
        )


def _note_place(code: Code, note: IcdNote) -> str:
    """Where a note is written: the code itself, or a category above it with its title."""
    title = dict(code.parents).get(note.from_code, "")
    return f"{note.from_code} ({title})" if title and note.from_code != code.code else (
        note.from_code)


def seventh_characters(code: Code) -> dict[str, str]:
    """The 7th characters that apply to ``code`` and what each means, from the nearest
    sevenChrDef note ("A: initial encounter", "D: subsequent encounter", ...)."""
    defs: dict[str, str] = {}
    for note in code.icd_notes:
        if note.kind != "sevenChrDef":
            continue
        char, sep, meaning = note.text.partition(":")
        if sep and len(char.strip()) == 1:
            defs.setdefault(char.strip().upper(), meaning.strip())
    return defs


def subsequent_codes(code: Code, lookup: CodeLookup) -> tuple[Code, Code | None] | None:
    """For an initial-encounter code (7th character A, B or C): the subsequent-encounter
    code (D, E or F) and the sequela code (S, None when the category has none)."""
    key = code_key(code.code)
    defs = seventh_characters(code)
    if len(key) != 7 or not defs:
        return None
    char = key[-1]
    later = _SUBSEQUENT.get(char)
    if later is None or not defs.get(char, "").startswith("initial encounter"):
        return None
    if not defs.get(later, "").startswith("subsequent encounter"):
        return None
    subsequent = lookup.get(code.code[:-1] + later)
    if subsequent is None:
        return None
    # "sequela", or "sequela of fracture" (M48.4, M48.5: vertebral fatigue and collapse)
    sequela = (lookup.get(code.code[:-1] + "S") if defs.get("S", "").startswith("sequela")
               else None)
    return subsequent, sequela


@rule(id="initial-encounter-in-rehab", severity="warning", sources=_SEVENTH, confidence="M")
def initial_encounter_in_rehab(ctx: RuleContext) -> Iterator[Finding]:
    """An injury coded as an initial encounter (7th character A) on a therapy visit.

    What it checks:
        On a visit with therapy lines, no injury diagnosis carries an initial-encounter 7th
        character (A; B or C for open fractures) when its category has a subsequent one.
    Why it is denied:
        A is for the active treatment of an injury (surgery, emergency care, the physician's
        evaluation and treatment). Therapy during healing or recovery, after that treatment,
        is a subsequent encounter (D), and injury aftercare is coded with D, not a Z code.
        An A on a course of therapy is a frequent audit finding.
    Example visit:
        --dx S46.012A 97110=30 (strain of the left rotator cuff, initial encounter).
    Fix:
        Use the D code the warning offers (S46.012D); S (S46.012S) is for a sequela, a
        condition left behind by the healed injury. Keep A only while the therapist is giving
        the injury's active treatment.
    Source:
        ICD-10-CM Official Guidelines FY2026/FY2027, section I.C.19.a (7th characters).
    """
    if not any(r.code is not None and therapy_modifier(r.code) for r in ctx.billed):
        return
    for i, found in ctx.diagnosis_codes:
        later = subsequent_codes(found, ctx.lookup)
        if later is None:
            continue
        subsequent, sequela = later
        defs = seventh_characters(found)
        sequela_text = (
            f"; {sequela.code} (S, sequela) is for a condition the healed injury left"
            if sequela is not None else ""
        )
        yield Finding(
            f"{_letters(ctx, i)}{found.code} is an initial-encounter code (7th character "
            f"{found.code[-1]}: {defs[found.code[-1]]}), for active treatment. Therapy in the "
            f"healing or recovery phase is usually a subsequent encounter: use "
            f"{subsequent.code} ({subsequent.code[-1]}: {defs[subsequent.code[-1]]})"
            f"{sequela_text}.",
            (found.code,),
            suggestions=tuple(c.code for c in (subsequent, sequela) if c is not None),
        )


def _loose(title: str) -> str:
    """A title compared without case, commas or plural s ("upper limbs" = "upper limb")."""
    words = title.lower().replace(",", " ").split()
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)


def _is_extension(code: Code) -> bool:
    """A code made of its parent and a 7th character ("S46.019D" under "S46.019")."""
    if len(code_key(code.code)) != 7 or not code.parents:
        return False
    return code.title.startswith(code.parents[0][1] + ", ")


def _with_extension(base: str, char: str, lookup: CodeLookup) -> str | None:
    key = code_key(base).ljust(6, "X") + char
    found = lookup.get(key[:3] + "." + key[3:])
    return found.code if found is not None and found.billable else None


def side_alternatives(code: Code, lookup: CodeLookup) -> list[tuple[str, str]]:
    """(code, side) of the codes that say the side where ``code`` says "unspecified": its
    siblings whose title is its own with "unspecified" read as right, left or bilateral
    ("Pain in unspecified knee" -> "Pain in right knee"), with the same 7th character."""
    if not code.parents or not _UNSPECIFIED_RE.search(code.title):
        return []
    base, title, char, parent_code = code.code, code.title, "", code.parents[0][0]
    if _is_extension(code):
        head = lookup.get(code.parents[0][0])
        if head is None or not head.parents:
            return []
        base, title, char, parent_code = head.code, head.title, code.code[-1], head.parents[0][0]
    parent = lookup.get(parent_code)
    if parent is None:
        return []
    siblings = {_loose(t): c for c, t in parent.children if c != base}
    found: list[tuple[str, str]] = []
    for match in _UNSPECIFIED_RE.finditer(title):
        for side in _SIDES:
            word = side.capitalize() if match.group(0)[0].isupper() else side
            alt = siblings.get(_loose(title[: match.start()] + word + title[match.end() :]))
            if alt is not None and char:
                alt = _with_extension(alt, char, lookup)
            if alt is not None and alt not in (c for c, _ in found):
                found.append((alt, side))
    return found


@rule(id="unspecified-laterality", severity="warning", sources=_LATERALITY)
def unspecified_laterality(ctx: RuleContext) -> Iterator[Finding]:
    """A diagnosis with an unspecified side when ICD-10-CM has the right, left or both.

    What it checks:
        No diagnosis says "unspecified" where its sibling codes name the side (Pain in
        unspecified knee, M25.569, beside M25.561 right and M25.562 left).
    Why it is denied:
        The unspecified-side code is for a record that does not identify the side; a
        therapy record always does, and payers return unspecified laterality as not
        specific enough.
    Example visit:
        --dx M25.569 97110=30.
    Fix:
        Use the code of the side the record documents; the warning offers them.
    Source:
        ICD-10-CM Official Guidelines FY2026/FY2027, section I.B.13 (laterality).
    """
    for i, found in ctx.diagnosis_codes:
        if not found.billable:
            continue
        sides = side_alternatives(found, ctx.lookup)
        if not sides:
            continue
        named = join_and([f"{c} ({side})" for c, side in sides])
        yield Finding(
            f"{_letters(ctx, i)}{found.code} ({found.title}) leaves the side unsaid; "
            f"ICD-10-CM has {named}: code the side the record documents (the unspecified "
            "side is for a record that does not say).",
            (found.code,),
            suggestions=tuple(c for c, _ in sides),
        )
