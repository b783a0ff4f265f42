"""ICD-10-CM tabular list → flat list of :class:`IcdEntry`, read straight from the XML.

The input is the CMS tabular XML shipped inside ``simple-icd-10-cm`` (a build-time
dependency only). We never call that package's per-code functions (all ~98k items took
~460 s) and never even *import* it: its ``__init__`` builds its whole tree at import time
(~4 s). The XML is located with ``importlib.util.find_spec``, which does not execute the
package, and parsed once with ElementTree (well under a second).

What the tabular list holds and how it maps to entries:

* ``chapter`` → kind ``"chapter"``, code ``"CH"`` + two-digit number (``"CH13"``).
* ``section`` → kind ``"block"``, code = the section ``id`` (``"M50-M54"``). Sections are
  flat in the XML, including "heading" sections such as ``M40-M54`` that contain no
  ``diag`` at all; those are kept as childless, non-billable blocks.
  **Single-category blocks**: 39 sections (``B99``, ``M04``, ``Z68``, ...) have an ``id``
  equal to the one category they hold. Their block code is written as a one-category range,
  ``"M04-M04"`` (the ``first``/``last`` of the XML's ``sectionRef``), so that block codes never
  collide with category codes.
* ``diag`` → ``"category"`` (3 characters, billable when it has no subdivisions, e.g.
  ``I10``), ``"subcategory"`` (4-7 characters, non-billable header) or ``"code"``
  (billable leaf).
* 7th-character extensions: a leaf ``diag`` that has a ``sevenChrDef`` on itself or on an
  ancestor (the nearest one wins) is not billable; one ``"code"`` entry per extension is
  generated below it, padded with the placeholder ``X`` to six characters
  (``S33.5`` → ``S33.5XXA``), titled ``"<leaf title>, <extension text>"``.
  One rule is stated only in prose (a ``notes`` element of ``S06``), so it is encoded in
  :data:`_EXTENSION_EXCEPTIONS`; the unit tests compare the result with the CMS code list
  shipped next to the XML, which catches any new exception of that kind.

Notes are recorded only on the element where they are written; the catalog walks the
parent chain at query time to show inherited ones.
"""

from __future__ import annotations

import importlib.util
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from pathlib import Path

__all__ = [
    "ICD10_RELEASE",
    "IcdEntry",
    "default_code_list_path",
    "default_xml_path",
    "dotted",
    "load_billable_code_list",
    "parse_icd10cm",
    "release_date",
    "release_label",
    "undotted",
]

_PACKAGE = "simple_icd_10_cm"
_XML_GLOB = "icd10c-tabular-*.xml"
_CODE_LIST_GLOB = "code-list-*.txt"

#: Element tags whose ``<note>`` children are instructional notes, as named in the XML.
NOTE_KINDS: tuple[str, ...] = (
    "includes",
    "inclusionTerm",
    "excludes1",
    "excludes2",
    "codeFirst",
    "useAdditionalCode",
    "codeAlso",
    "notes",
    "sevenChrNote",
)
_NOTE_KINDS = frozenset(NOTE_KINDS)

#: 7th characters that a ``sevenChrDef`` offers but that do not apply to some codes:
#: (category, 6th characters, excluded 7th characters). From the S06 note "7th characters
#: D and S do not apply to codes in category S06 with 6th character 7 ... or 8 ...".
_EXTENSION_EXCEPTIONS: tuple[tuple[str, frozenset[str], frozenset[str]], ...] = (
    ("S06", frozenset("78"), frozenset("DS")),
)

# A diagnosis code, undotted: a letter, a digit, an alphanumeric, then up to four more.
# FY2026 brought the first category with a letter second (QA0), hence the alternative;
# "CH13" is our chapter code, not a diagnosis.
_CODE_RE = re.compile(
    r"(?!CH[0-9]{2}\Z)[A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])(?:[0-9A-Z]{1,4})?", re.ASCII
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}
_DATE_IN_NAME_RE = re.compile(r"-([A-Za-z]+)-(?:(\d{1,2})-)?(\d{4})\.")
_VERSION_RE = re.compile(rb"<version>\s*(\d{4})\s*</version>")


@dataclass(frozen=True, slots=True)
class IcdEntry:
    """One row of the tabular list: a chapter, block, category, subcategory or code."""

    code: str  # dotted as printed: "M54.50", "S83.511A", "M54", "M50-M54", "CH13"
    title: str
    kind: str  # chapter | block | category | subcategory | code
    billable: bool
    parent: str | None  # direct parent's code; None for chapters
    chapter: str  # "CH13"
    depth: int  # chapter 0, block 1, category 2, ...
    notes: tuple[tuple[str, str], ...]  # (kind, text) written on this element only
    order: int  # position in tabular order, 0-based


# --------------------------------------------------------------------------- code forms


def undotted(code: str) -> str:
    """``"m54.50"`` → ``"M5450"``. Anything that is not a diagnosis code comes back stripped
    and otherwise unchanged (blocks such as ``"M50-M54"``, chapters, free text). Never raises."""
    compact = "".join(code.split()).replace(".", "").upper()
    if _CODE_RE.fullmatch(compact):
        return compact
    return code.strip()


def dotted(code: str) -> str:
    """``"m5450"`` → ``"M54.50"``, ``"m54"`` → ``"M54"``; non-codes as in :func:`undotted`."""
    compact = undotted(code)
    if _CODE_RE.fullmatch(compact) and len(compact) > 3:
        return f"{compact[:3]}.{compact[3:]}"
    return compact


# --------------------------------------------------------------------------- input files


def _data_dir() -> Path:
    # find_spec locates the package without running its __init__ (which loads everything).
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"the {_PACKAGE} package (which ships the ICD-10-CM files) is not installed"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _release_date(path: Path) -> date | None:
    """The date in a CMS file name: ``...-April-1-2026.xml`` or ``...-April-2026.txt``."""
    match = _DATE_IN_NAME_RE.search(path.name)
    if match is None:
        return None
    month = _MONTHS.get(match.group(1).lower())
    if month is None:
        return None
    try:
        return date(int(match.group(3)), month, int(match.group(2) or 1))
    except ValueError:
        return None


def release_date(path: Path) -> date | None:
    """The date a release file's name carries (``...-April-1-2026.xml`` → 2026-04-01)."""
    return _release_date(path)


def _newest(directory: Path, pattern: str) -> Path:
    found = sorted(
        directory.glob(pattern),
        key=lambda p: (_release_date(p) or date.min, p.name),
    )
    if not found:
        raise FileNotFoundError(f"no {pattern} in {directory}")
    return found[-1]


def default_xml_path() -> Path:
    """The tabular XML shipped by ``simple-icd-10-cm`` (newest, if several)."""
    return _newest(_data_dir(), _XML_GLOB)


def default_code_list_path() -> Path:
    """The list of all ICD-10-CM items shipped by ``simple-icd-10-cm`` (newest, if several)."""
    return _newest(_data_dir(), _CODE_LIST_GLOB)


def release_label(xml_path: Path) -> str:
    """``"ICD-10-CM April 1, 2026 (FY2026 update)"`` from the file name and ``<version>``.

    The October release of year Y starts fiscal year Y+1; other releases update it.
    """
    released = _release_date(xml_path)
    fiscal_year: int | None = None
    try:
        with xml_path.open("rb") as handle:
            head = handle.read(4096)
        version = _VERSION_RE.search(head)
        if version is not None:
            fiscal_year = int(version.group(1))
    except OSError:
        pass
    if released is None:
        return f"ICD-10-CM FY{fiscal_year}" if fiscal_year else "ICD-10-CM"
    if fiscal_year is None:
        fiscal_year = released.year + 1 if released.month >= 10 else released.year
    when = f"{released:%B} {released.day}, {released.year}"
    kind = "" if released.month == 10 else " update"
    return f"ICD-10-CM {when} (FY{fiscal_year}{kind})"


def _default_release() -> str:
    try:
        return release_label(default_xml_path())
    except (FileNotFoundError, ImportError, ValueError):
        # The installed app does not bundle simple-icd-10-cm; it reads the release from
        # the catalog's metadata instead of this constant.
        return "ICD-10-CM (release unknown)"


#: Release of the XML that :func:`parse_icd10cm` reads by default.
ICD10_RELEASE: str = _default_release()


def load_billable_code_list(path: Path | None = None) -> set[str]:
    """Billable codes (dotted) according to the CMS list shipped with ``simple-icd-10-cm``.

    That file lists every item of the classification in tabular order, one per line,
    undotted: chapter numbers (``"13"``), blocks (``"M50-M54"``, or ``"M04"`` for a
    single-category block, so that line appears twice), categories, subcategories and
    codes including the generated 7th-character ones. A code is billable when no other code
    extends it (ICD-10-CM codes nest by prefix). A title after the code, if any, is ignored.
    """
    source = path if path is not None else default_code_list_path()
    codes: set[str] = set()
    for line in source.read_text(encoding="utf-8-sig").splitlines():
        fields = line.split()
        if not fields:
            continue
        token = fields[0].replace(".", "").upper()
        if _CODE_RE.fullmatch(token):  # skips chapter numbers and ranges
            codes.add(token)
    prefixes = {code[:n] for code in codes for n in range(3, len(code))}
    return {dotted(code) for code in codes if code not in prefixes}


# --------------------------------------------------------------------------- parsing


def _text(element: ET.Element | None) -> str:
    if element is None or element.text is None:
        return ""
    return " ".join(element.text.split())


def _seven_chr_lines(definition: ET.Element) -> list[tuple[str, str, str]]:
    """``[("A", "initial encounter", ""), ...]``. A ``<note>`` after an extension qualifies
    it: B "initial encounter for open fracture type I or II" is followed by the note
    "initial encounter for open fracture NOS"; it becomes the third item."""
    lines: list[tuple[str, str, str]] = []
    for child in definition:
        text = _text(child)
        if child.tag == "extension":
            lines.append((child.get("char", "").strip(), text, ""))
        elif child.tag == "note" and text and lines:
            char, label, extra = lines[-1]
            lines[-1] = (char, label, f"{extra}; {text}" if extra else text)
    return lines


def _notes(element: ET.Element) -> tuple[tuple[str, str], ...]:
    notes: list[tuple[str, str]] = []
    for child in element:
        if child.tag in _NOTE_KINDS:
            notes.extend((child.tag, text) for note in child if (text := _text(note)))
        elif child.tag == "sevenChrDef":
            for char, label, extra in _seven_chr_lines(child):
                line = f"{char}: {label} (includes: {extra})" if extra else f"{char}: {label}"
                notes.append(("sevenChrDef", line))
    return tuple(notes)


def _extension_applies(base: str, char: str) -> bool:
    """Whether 7th character ``char`` exists for the undotted six-character ``base``."""
    return not any(
        base.startswith(category) and base[5] in sixth and char in seventh
        for category, sixth, seventh in _EXTENSION_EXCEPTIONS
    )


class _Builder:
    def __init__(self) -> None:
        self.entries: list[IcdEntry] = []

    def add(
        self,
        code: str,
        title: str,
        kind: str,
        *,
        billable: bool,
        parent: str | None,
        chapter: str,
        depth: int,
        notes: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.entries.append(
            IcdEntry(
                code=code,
                title=title,
                kind=kind,
                billable=billable,
                parent=parent,
                chapter=chapter,
                depth=depth,
                notes=notes,
                order=len(self.entries),
            )
        )

    def chapter(self, element: ET.Element) -> None:
        number = _text(element.find("name"))
        code = f"CH{int(number):02d}" if number.isdecimal() else f"CH{number}"
        self.add(
            code,
            _text(element.find("desc")),
            "chapter",
            billable=False,
            parent=None,
            chapter=code,
            depth=0,
            notes=_notes(element),
        )
        for section in element.findall("section"):
            self.block(section, code)

    def block(self, element: ET.Element, chapter: str) -> None:
        section_id = element.get("id", "").strip()
        code = section_id if "-" in section_id else f"{section_id}-{section_id}"
        self.add(
            code,
            _text(element.find("desc")),
            "block",
            billable=False,
            parent=chapter,
            chapter=chapter,
            depth=1,
            notes=_notes(element),
        )
        for diag in element.findall("diag"):
            self.diag(diag, code, chapter, 2, None)

    def diag(
        self,
        element: ET.Element,
        parent: str,
        chapter: str,
        depth: int,
        inherited: list[tuple[str, str, str]] | None,
    ) -> None:
        code = dotted(_text(element.find("name")))
        title = _text(element.find("desc"))
        own_definition = element.find("sevenChrDef")
        extensions = _seven_chr_lines(own_definition) if own_definition is not None else inherited
        children = element.findall("diag")
        compact = undotted(code)
        extended = not children and bool(extensions)
        billable = not children and not extended
        # A 3-character category stays "category" even when billable (I10, R99, ...).
        kind = "category" if len(compact) == 3 else "code" if billable else "subcategory"
        self.add(
            code,
            title,
            kind,
            billable=billable,
            parent=parent,
            chapter=chapter,
            depth=depth,
            notes=_notes(element),
        )
        for child in children:
            self.diag(child, code, chapter, depth + 1, extensions)
        if extended and extensions:
            base = compact.ljust(6, "X")
            for char, label, _qualifier in extensions:
                if _extension_applies(base, char):
                    self.add(
                        dotted(base + char),
                        f"{title}, {label}",
                        "code",
                        billable=True,
                        parent=code,
                        chapter=chapter,
                        depth=depth + 1,
                    )


def parse_icd10cm(xml_path: Path | None = None) -> list[IcdEntry]:
    """All chapters, blocks and codes of the tabular list, in tabular order."""
    root = ET.parse(xml_path if xml_path is not None else default_xml_path()).getroot()
    builder = _Builder()
    for chapter in root.findall("chapter"):
        builder.chapter(chapter)
    return builder.entries
