"""The files an ICD-10-CM release comes in: the order file, the Alphabetic Index, the zips.

Each reader names the file (and line) of what it cannot read; :func:`pick_members` sorts the
files picked into the one order file, tabular XML and Index a release is built from.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ptcodes_gui.catalog import icd10

_YEAR_RE = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_ORDER_NAME_RE = re.compile(r"order", re.IGNORECASE)
_CODES_NAME_RE = re.compile(r"icd10cm[_-]codes", re.IGNORECASE)
_SKIPPED_XML_RE = re.compile(r"neoplasm|eindex|drug", re.IGNORECASE)


class IcdReleaseError(ValueError):
    """The files cannot make a release; the message names the file (and line)."""


# --------------------------------------------------------------------------- readers


@dataclass(frozen=True)
class OrderRow:
    line: int
    order: int
    code: str  # dotted: "M54.50"
    billable: bool
    short_title: str
    long_title: str


def read_order_file(lines: Iterable[bytes], name: str) -> Iterator[OrderRow]:
    """Rows of ``icd10cm_order_YYYY.txt``: order (5), code (7), billable flag, short title
    (60), long title; LF or CRLF. A line that does not fit, or a code given twice, raises
    with its number."""
    seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        text = raw.decode("latin-1").rstrip("\r\n")
        if not text.strip():
            continue
        order, code, flag = text[0:5], text[6:13].strip(), text[14:15]
        ok = (
            len(text) >= 17
            and order.isdigit()
            and text[5] == " "
            and text[13] == " "
            and flag in ("0", "1")
            and icd10.undotted(code) == code
            and bool(code)
            and "." not in code
        )
        if not ok:
            raise IcdReleaseError(
                f"{name}: line {number} is not an ICD-10-CM order-file line (expected "
                "'00001 A00     0 short title   long title')"
            )
        first = seen.setdefault(code, number)
        if first != number:
            raise IcdReleaseError(
                f"{name}: line {number} gives the code {icd10.dotted(code)} a second time "
                f"(first on line {first}); a release lists each code once")
        short = text[16:76].rstrip()
        long = text[77:].strip() or short
        yield OrderRow(number, int(order), icd10.dotted(code), flag == "1", short, long)


@dataclass(frozen=True)
class IndexTerm:
    """One main term or subterm of the Alphabetic Index."""

    phrase: str  # "Osteoarthritis, knee, unilateral"
    code: str | None  # dotted, without the trailing "-" of an incomplete code
    incomplete: bool  # the Index gave "M17.1-": a header, pick a child
    see: str | None  # a cross reference instead of (or besides) a code
    nemod: str  # nonessential modifiers, "(primary)"


def _title_parts(title: ET.Element | None) -> tuple[str, str]:
    if title is None:
        return "", ""
    text = " ".join((title.text or "").split())
    nemod = " ".join(" ".join("".join(n.itertext()).split()) for n in title.iter("nemod"))
    tail = " ".join(" ".join((child.tail or "").split()) for child in title)
    return " ".join(f"{text} {tail}".split()), nemod


def _index_code(element: ET.Element) -> tuple[str | None, bool]:
    # <manif> is a manifestation code printed in brackets after the etiology's <code>
    text = (element.findtext("code") or element.findtext("manif") or "").strip()
    if not text:
        return None, False
    return icd10.dotted(text.rstrip("-")), text.endswith("-")


def _walk_term(element: ET.Element, parents: tuple[str, ...]) -> Iterator[IndexTerm]:
    title, nemod = _title_parts(element.find("title"))
    if not title:
        return
    phrase = (*parents, title)
    code, incomplete = _index_code(element)
    see = " ".join((element.findtext("see") or "").split()) or None
    yield IndexTerm(", ".join(phrase), code, incomplete, see, nemod)
    for child in element.findall("term"):
        yield from _walk_term(child, phrase)


def read_index_xml(stream: IO[bytes], name: str) -> Iterator[IndexTerm]:
    """Every main term and subterm, one ``mainTerm`` in memory at a time."""
    try:
        context = ET.iterparse(stream, events=("start", "end"))
        _, root = next(context)
        if root.tag != "ICD10CM.index":
            raise IcdReleaseError(
                f"{name} is not the ICD-10-CM Alphabetic Index (its root is <{root.tag}>)"
            )
        for event, element in context:
            if event == "end" and element.tag == "mainTerm":
                yield from _walk_term(element, ())
                root.clear()  # a letter holds thousands of main terms
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else 0
        raise IcdReleaseError(
            f"{name}: line {line} is not well-formed XML ({exc}); the file may be cut short"
        ) from exc


# --------------------------------------------------------------------------- input files


@dataclass
class Member:
    """One file picked, or one file inside a zip picked."""

    name: str  # shown in messages: "zip!member" or the file name
    data: bytes


def _members(paths: Sequence[Path]) -> Iterator[Member]:
    for path in paths:
        name = path.name
        try:
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    for item in archive.infolist():
                        if item.is_dir():
                            continue
                        base = Path(item.filename).name
                        yield Member(f"{name}!{base}", archive.read(item))
                continue
            if path.suffix.lower() == ".zip":
                raise IcdReleaseError(
                    f"{name} is not a complete zip file (the download may have been cut short)"
                )
            yield Member(name, path.read_bytes())
        except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
            raise IcdReleaseError(
                f"{name} is damaged or incomplete ({exc}); download it again"
            ) from exc
        except OSError as exc:
            raise IcdReleaseError(f"{name} could not be read: {exc.strerror or exc}") from exc


def _kind(member: Member) -> str | None:
    base = member.name.rsplit("!", 1)[-1]
    lower = base.lower()
    head = member.data[:512].lstrip(b"\xef\xbb\xbf \r\n\t")
    if lower.endswith(".xml"):
        if _SKIPPED_XML_RE.search(lower):
            return "skipped"
        if b"<ICD10CM.tabular" in member.data[:4096]:
            return "tabular"
        if b"<ICD10CM.index" in member.data[:4096]:
            return "index"
        raise IcdReleaseError(f"{member.name} is neither the ICD-10-CM tabular list nor its index")
    if lower.endswith(".txt"):
        if _CODES_NAME_RE.search(lower):
            return "skipped"  # the billable-only list: the order file has all of it
        if _ORDER_NAME_RE.search(lower) or re.match(rb"\d{5} [A-Z]", head):
            return "order"
        return "skipped"
    return "skipped"


@dataclass
class Picked:
    """The files of one release, by kind; ``used`` and ``skipped`` name every member."""

    order: Member | None = None
    tabular: Member | None = None
    index: Member | None = None
    used: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def pick_members(paths: Sequence[Path]) -> Picked:
    """At most one file of each kind, and the order file or the tabular XML at least."""
    picked = Picked()
    for member in _members(paths):
        kind = _kind(member)
        if kind == "skipped":
            picked.skipped.append(member.name)
            continue
        slot = {"order": picked.order, "tabular": picked.tabular, "index": picked.index}
        if slot[kind or ""] is not None:
            raise IcdReleaseError(f"{member.name}: a second {kind} file; give one of each")
        if kind == "order":
            picked.order = member
        elif kind == "tabular":
            picked.tabular = member
        else:
            picked.index = member
        picked.used.append(member.name)
    if picked.order is None and picked.tabular is None:
        raise IcdReleaseError(
            f"{paths[0].name}: no ICD-10-CM order file (icd10cm_order_YYYY.txt) or tabular XML "
            "(icd10cm_tabular_YYYY.xml) among the files given"
        )
    return picked


def fiscal_year_of(names: Sequence[str], name: str) -> int:
    """The one release year in the files' names; ``name`` heads the message if not one."""
    years = {m.group(1) for n in names for m in _YEAR_RE.finditer(n.rsplit("!", 1)[-1])}
    if len(years) > 1:
        raise IcdReleaseError(
            f"{name}: the files are of different releases ({', '.join(sorted(years))}); "
            "import the files of one release together"
        )
    if not years:
        raise IcdReleaseError(
            f"{name}: no release year in the file names (expected e.g. icd10cm_order_2027.txt)"
        )
    return int(years.pop())
