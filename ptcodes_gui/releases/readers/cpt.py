"""The AMA's licensed CPT data files, for a clinic that holds a CPT license.

``LONGULT.txt`` (code, tab, long descriptor), ``MEDU.txt`` / ``SHORTU.txt`` (fixed width:
code, a space, the descriptor), ``ClinicianDescriptor.txt`` (``Concept Id, CPT Code,
Clinician Descriptor Id, Clinician Descriptor``, several per code) and
``ConsumerDescriptor.txt`` (``Concept Id, CPT Code, Consumer Friendly Descriptor``). Each
begins with notice paragraphs and a blank line; Windows-1252, CRLF. Descriptor text is AMA
copyright: it is imported into the clinic's own data, never shipped, and shown beside our
plain words. Codes outside the catalog are counted and skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from ptcodes_gui.releases.files import (
    DEFAULT_LIMITS,
    ImportFileError,
    InputFile,
    text_rows,
)
from ptcodes_gui.releases.registry import Reader, Release, Sink, Table, register

#: file kind → (name pattern, label)
KINDS: dict[str, tuple[re.Pattern[str], str]] = {
    "long": (re.compile(r"^LONGU[LT]*\w*\.txt$", re.IGNORECASE), "CPT long descriptor"),
    "medium": (re.compile(r"^MEDU\w*\.txt$", re.IGNORECASE), "CPT medium descriptor"),
    "short": (re.compile(r"^SHORTU\w*\.txt$", re.IGNORECASE), "CPT short descriptor"),
    "clinician": (
        re.compile(r"^Clinician\s*Descriptor\w*\.txt$", re.IGNORECASE),
        "CPT clinician descriptor",
    ),
    "consumer": (
        re.compile(r"^Consumer\s*Descriptor\w*\.txt$", re.IGNORECASE),
        "CPT consumer-friendly descriptor",
    ),
}
_CODE = r"[0-9]{4}[0-9A-Z]"
_TAB_LINE = re.compile(rf"^({_CODE})\t(.*\S)\s*$")
_FIXED_LINE = re.compile(rf"^({_CODE}) (.*\S)\s*$")
_HEADERS = {
    "clinician": ("concept id", "cpt code", "clinician descriptor id", "clinician descriptor"),
    "consumer": ("concept id", "cpt code", "consumer friendly descriptor"),
}


class CptFileError(ValueError):
    pass


@dataclass(frozen=True)
class CptDescriptor:
    code: str
    kind: str  # long | medium | short | clinician | consumer
    seq: int  # several clinician descriptors per code: their order in the file
    text: str
    line: int


def kind_of(name: str) -> str | None:
    base = name.rsplit("/", 1)[-1]
    for kind, (pattern, _label) in KINDS.items():
        if pattern.match(base):
            return kind
    return None


def descriptors(
    lines: Iterable[tuple[int, str]], kind: str, name: str
) -> Iterator[CptDescriptor | tuple[int, str]]:
    """Descriptors of one file; a ``(line, reason)`` tuple for a data line that is wrong.

    The notice preamble ends at the first line that is data (or, for the two descriptor
    tables, at their header); nothing before it is read as data."""
    table = kind in _HEADERS
    started = False
    seen: dict[str, int] = {}
    found = 0
    for number, raw in lines:
        text = raw.rstrip("\r\n")
        if not text.strip():
            continue
        if table:
            cells = [c.strip() for c in text.split("\t")]
            if not started:
                if tuple(c.lower() for c in cells[: len(_HEADERS[kind])]) == _HEADERS[kind]:
                    started = True
                continue
            if len(cells) < len(_HEADERS[kind]) or not re.fullmatch(_CODE, cells[1]):
                yield (number, f"expected {len(_HEADERS[kind])} tab-separated cells with a code")
                continue
            code, body = cells[1], cells[-1]
        else:
            match = (_TAB_LINE if kind == "long" else _FIXED_LINE).match(text)
            if match is None:
                if started:
                    yield (number, "not a code followed by its descriptor")
                continue
            started = True
            code, body = match.group(1), match.group(2)
        seq = seen.get(code, 0)
        seen[code] = seq + 1
        found += 1
        yield CptDescriptor(code, kind, seq, " ".join(body.split()), number)
    if not found:
        what = "its header" if table else "a code followed by its descriptor"
        raise CptFileError(f"{name}: no data line found ({what} was expected after the notice)")


# --------------------------------------------------------------------------- the source

CPT_TABLE = Table(
    "cpt_descriptors",
    ("code TEXT NOT NULL", "kind TEXT NOT NULL", "seq INTEGER NOT NULL", "text TEXT NOT NULL",
     "part TEXT NOT NULL"),
    key=("code", "kind", "seq"),
)
_YEAR_RE = re.compile(r"CPT\W{0,3}(?:copyright\s+)?(20\d\d)|(20\d\d)", re.IGNORECASE)


def _lines(file: InputFile, sink: Sink | None = None) -> Iterator[tuple[int, str]]:
    for number, cells in text_rows(file, "\0", sink.progress if sink else None,
                                   limits=sink.limits if sink else DEFAULT_LIMITS,
                                   quoted=False):
        yield number, cells[0]


class CptReader(Reader):
    """``ptcodes import cpt-descriptors FILE...``: the AMA's licensed descriptor files.

    Each file is a part (long, medium, short, clinician, consumer); parts of one CPT year
    add up, a new year replaces them all."""

    name = "cpt-descriptors"
    title = "AMA CPT data files (licensed descriptors)"
    tables = (CPT_TABLE,)
    multipart = True
    noun = "descriptors"

    def recognise(self, file: InputFile) -> Release | None:
        kind = kind_of(file.name)
        if kind is None or file.format != "text":
            return None
        head = file.head_text(16 * 1024)
        match = _YEAR_RE.search(head) or _YEAR_RE.search(f"{file.container or ''} {file.path}")
        year = (match.group(1) or match.group(2)) if match else ""
        version = f"CPT {year}" if year else "CPT"
        label = f"AMA CPT {year} data files" if year else "AMA CPT data files"
        return Release(version=version, label=label,
                       effective=f"{year}-01-01" if year else None,
                       order=(int(year),) if year else (), part=kind)

    def check_together(self, releases: Sequence[tuple[InputFile, Release]]) -> None:
        parts = [r.part for _, r in releases]
        dup = next((p for p in parts if parts.count(p) > 1), None)
        if dup is not None:
            names = ", ".join(f.display for f, r in releases if r.part == dup)
            raise ImportFileError(f"Two {dup} descriptor files were given ({names}); give one.")

    def read(self, file: InputFile, release: Release, sink: Sink) -> None:
        kind = release.part or ""
        outside: set[str] = set()
        kept: set[str] = set()
        try:
            for item in descriptors(_lines(file, sink), kind, file.display):
                if isinstance(item, tuple):
                    sink.reject(*item)
                    continue
                if item.code not in sink.known_codes:
                    outside.add(item.code)
                    continue
                kept.add(item.code)
                sink.add("cpt_descriptors", item.line,
                         (item.code, item.kind, item.seq, item.text[:2000], kind))
        except CptFileError as exc:
            raise ImportFileError(f"{exc}. Nothing was imported.") from exc
        sink.skip("codes not in this catalog", len(outside))
        sink.detail("codes", len(kept))
        sink.note(f"{KINDS[kind][1]}: {len(kept)} catalog code(s); {len(outside):,} code(s) "
                  "outside the catalog skipped.")


CPT = register(CptReader())
