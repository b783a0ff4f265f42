"""CMS Medicare Coverage Database (MCD): the Billing and Coding Articles download.

CMS ships ``current_article.zip`` holding ``current_article_csv.zip`` (a zip in the zip;
``files`` opens both) with one CSV per table (Windows-1252 text, HTML in the paragraphs,
bare numeric article ids: ``57703`` is article A57703). Read here, in this order:

* ``article.csv``: article_id, article_version, title, article_eff_date / last_updated;
* ``contractor.csv``: contractor_id, contractor_type_id, contractor_version,
  contractor_bus_name, contractor_number (the five-digit MAC number, ``13202``);
  ``state_lookup.csv`` + ``contractor_jurisdiction.csv``: the states each serves;
* ``article_x_hcpc_code.csv``: article_id, article_version, hcpc_code_id, hcpc_code_group,
  range (its long/short_description are AMA text: never read);
* ``article_x_contractor.csv``: the contractors each article applies to;
* ``article_x_icd10_covered_group.csv`` / ``..._noncovered_group.csv``: each group's
  paragraph; ``article_x_icd10_covered.csv`` / ``..._noncovered.csv``: icd10_code_id (no
  dot), the group, range.

Only articles listing a code of the catalog are kept. A range row (``M54.50-M54.59``, in
``range`` or ``icd10_code_id``) is expanded against the billable ICD-10-CM codes in force;
single diagnoses are kept when billable there. Column names confirmed against several
public loaders of this download. The LCD download (``current_lcd_csv.zip``) has no code
groups: it is refused with a sentence saying which zip to import.
"""

from __future__ import annotations

import re
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final

from ptcodes_gui.domain.articles import strip_html, undotted
from ptcodes_gui.releases.cells import code_cell, header_key
from ptcodes_gui.releases.files import (
    ImportFileError,
    ImportLimits,
    InputFile,
    head_rows,
    text_rows,
)
from ptcodes_gui.releases.registry import Reader, Release, Sink, Table, register

ARTICLE = Table("mcd_article", ("article_id TEXT NOT NULL", "version INTEGER NOT NULL",
                                "title TEXT NOT NULL", "date TEXT NOT NULL DEFAULT ''"),
                key=("article_id",))
ARTICLE_MAC = Table("mcd_article_mac", ("article_id TEXT NOT NULL", "mac TEXT NOT NULL"),
                    key=("article_id", "mac"), indexes=(("mac",),), on_conflict="DO NOTHING")
MAC = Table("mcd_mac", ("mac TEXT NOT NULL", "name TEXT NOT NULL",
                        "states TEXT NOT NULL DEFAULT ''"), key=("mac",),
            on_conflict="DO NOTHING")
CODE = Table("mcd_code", ("article_id TEXT NOT NULL", "code TEXT NOT NULL",
                          "code_group INTEGER NOT NULL"),
             key=("article_id", "code", "code_group"), indexes=(("code",),),
             on_conflict="DO NOTHING")
GROUP = Table("mcd_group", ("article_id TEXT NOT NULL", "covered INTEGER NOT NULL",
                            "grp INTEGER NOT NULL", "paragraph TEXT NOT NULL DEFAULT ''"),
              key=("article_id", "covered", "grp"), on_conflict="DO NOTHING")
DX = Table("mcd_dx", ("article_id TEXT NOT NULL", "covered INTEGER NOT NULL",
                      "grp INTEGER NOT NULL", "dx TEXT NOT NULL"),
           key=("article_id", "covered", "grp", "dx"), indexes=(("dx",),),
           on_conflict="DO NOTHING")

REQUIRED: Final = ("article.csv", "article_x_hcpc_code.csv", "article_x_contractor.csv",
                   "contractor.csv", "article_x_icd10_covered.csv")
OPTIONAL: Final = ("state_lookup.csv", "contractor_jurisdiction.csv",
                   "article_x_icd10_covered_group.csv", "article_x_icd10_noncovered.csv",
                   "article_x_icd10_noncovered_group.csv")
#: Files of the MCD's other downloads, and what they are.
OTHER_KINDS: Final = {"lcd.csv": "LCD", "ncd_trkg.csv": "NCD", "lcd_x_hcpc_code.csv": "LCD"}
_ICD_RE: Final = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")
_TRUE: Final = frozenset({"1", "y", "yes", "t", "true"})
MAX_PARAGRAPH: Final = 4000


@dataclass
class _Read:
    """What one import learns before it writes the rows that depend on it."""

    sink: Sink
    members: dict[str, InputFile]
    versions: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    contractors: dict[tuple[str, str, str], tuple[str, str]] = field(default_factory=dict)
    states: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)
    relevant: set[str] = field(default_factory=set)
    macs: dict[str, tuple[str, set[str]]] = field(default_factory=dict)
    icd: Sequence[str] = ()
    #: (article_id cell, article_version cell) -> the article id when current, else None
    seen: dict[tuple[str, str], str | None] = field(default_factory=dict)


def _article_id(raw: str) -> str:
    text = raw.strip().upper()
    return text if text.startswith("A") else f"A{text}"


def _iso(raw: str) -> str:
    text = raw.strip()
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", text) or None
    if match:
        return match.group(0)
    us = re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if us:
        month, day, year = (int(p) for p in us.groups())
        return f"{year:04d}-{month:02d}-{day:02d}"
    return ""


def _members(file: InputFile) -> dict[str, InputFile]:
    """The tables beside ``file`` in its zip, by lower-case name."""
    if file.member is None:
        return {file.name.lower(): file}
    with zipfile.ZipFile(file.path) as archive:
        infos = archive.infolist()
    out: dict[str, InputFile] = {}
    for info in infos:
        base = info.filename.rsplit("/", 1)[-1]
        if base.lower().endswith(".csv"):
            out[base.lower()] = InputFile(file.path, base, info.filename, info.file_size, "text")
    return out


def _rows(read: _Read, name: str, needed: tuple[str, ...]
          ) -> Iterator[tuple[int, dict[str, int], list[str]]]:
    """(line, column index, cells) of member ``name``; its header must name ``needed``."""
    file = read.members.get(name)
    if file is None:
        return
    rows = text_rows(file, ",", read.sink.progress, limits=read.sink.limits)
    columns: dict[str, int] | None = None
    for line, cells in rows:
        if columns is None:
            columns = {header_key(c): i for i, c in enumerate(cells)}
            missing = [n for n in needed if n not in columns]
            if missing:
                raise ImportFileError(
                    f"{file.display}, line {line}: no column {', '.join(missing)}; this is "
                    "not the MCD's Billing and Coding Articles table. Nothing was imported."
                )
            continue
        yield line, columns, cells


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str:
    at = columns.get(name)
    return cells[at] if at is not None and at < len(cells) else ""


class McdReader(Reader):
    name = "mcd"
    title = "CMS Medicare Coverage Database, Billing and Coding Articles"
    tables = (ARTICLE, ARTICLE_MAC, MAC, CODE, GROUP, DX)
    noun = "rows"
    companions = frozenset(REQUIRED[1:] + OPTIONAL)
    # article.csv carries each article's full HTML text in one cell
    limits = ImportLimits(max_line_chars=4_000_000, max_field_chars=4_000_000,
                          max_total_bytes=3 * 1024 * 1024 * 1024, max_rows=30_000_000)

    def recognise(self, file: InputFile) -> Release | None:
        lower = file.name.lower()
        if lower in OTHER_KINDS and file.format == "text":
            where = f" (in {file.container})" if file.container else ""
            raise ImportFileError(
                f"{file.name}{where} belongs to the MCD's {OTHER_KINDS[lower]} download, "
                "which has no code groups: import the Billing and Coding Articles download "
                "(current_article_csv.zip) instead. Nothing was imported."
            )
        if lower != "article.csv" or file.format != "text":
            return None
        head = head_rows(file, 1, ",")
        keys = {header_key(c) for c in head[0][1]} if head else set()
        if not {"article_id", "article_version", "title"} <= keys:
            return None
        built = _built_on(file)
        return Release(version=built.isoformat(),
                       label=f"CMS MCD Billing and Coding Articles ({built.isoformat()})",
                       effective=built.isoformat(), order=(built.year, built.month, built.day))

    def check_together(self, releases: Sequence[tuple[InputFile, Release]]) -> None:
        super().check_together(releases)
        file = releases[0][0]
        members = _members(file)
        missing = [n for n in REQUIRED if n not in members]
        if missing:
            raise ImportFileError(
                f"{file.container or file.name} has no {', '.join(missing)}: it is not the "
                "complete Billing and Coding Articles download. Nothing was imported."
            )

    def read(self, file: InputFile, release: Release, sink: Sink) -> None:
        read = _Read(sink, _members(file), icd=sink.diagnoses())
        _read_articles(read)
        _read_contractors(read)
        _read_codes(read)
        _read_article_macs(read)
        for covered in (1, 0):
            _read_groups(read, covered)
            _read_diagnoses(read, covered)
        for article_id in sorted(read.relevant):
            version, title, when = read.versions[article_id]
            sink.add("mcd_article", 0, (article_id, version, title, when))
        for mac, (name, states) in sorted(read.macs.items()):
            sink.add("mcd_mac", 0, (mac, name, ",".join(sorted(states))))
        sink.note(f"{len(read.relevant):,} articles list codes of this catalog, for "
                  f"{len(read.macs):,} MACs.")


def _built_on(file: InputFile) -> date:
    """The day CMS built the download (the zip member's time stamp)."""
    if file.member is not None:
        with zipfile.ZipFile(file.path) as archive:
            y, m, d = archive.getinfo(file.member).date_time[:3]
        return date(y, m, d)
    return date.fromtimestamp(Path(file.path).stat().st_mtime)


def _read_articles(read: _Read) -> None:
    for _line, cols, cells in _rows(read, "article.csv",
                                    ("article_id", "article_version", "title")):
        article_id = _article_id(_cell(cells, cols, "article_id"))
        raw_version = _cell(cells, cols, "article_version").strip()
        version = int(raw_version) if raw_version.isdigit() else 0
        if article_id in read.versions and read.versions[article_id][0] >= version:
            continue
        when = _iso(_cell(cells, cols, "article_eff_date")) or _iso(
            _cell(cells, cols, "last_updated"))
        title = strip_html(_cell(cells, cols, "title"))[:300]
        read.versions[article_id] = (version, title, when)


def _current(read: _Read, cols: dict[str, int], cells: list[str]) -> str | None:
    """The article id of a row about the article's current version, else None (cached per
    cell pair: millions of diagnosis rows name a few thousand articles)."""
    key = (_cell(cells, cols, "article_id"), _cell(cells, cols, "article_version"))
    if key in read.seen:
        return read.seen[key]
    article_id = _article_id(key[0])
    known = read.versions.get(article_id)
    raw = key[1].strip()
    found = None if known is None or (raw.isdigit() and int(raw) != known[0]) else article_id
    read.seen[key] = found
    return found


def _read_contractors(read: _Read) -> None:
    key_cols = ("contractor_id", "contractor_type_id", "contractor_version")
    for _line, cols, cells in _rows(read, "contractor.csv",
                                    (*key_cols, "contractor_bus_name")):
        key = tuple(_cell(cells, cols, c).strip() for c in key_cols)
        number = _cell(cells, cols, "contractor_number").strip()
        name = strip_html(_cell(cells, cols, "contractor_bus_name"))[:120]
        read.contractors[key] = (number, name)  # type: ignore[index]
    states = {_cell(cells, cols, "state_id").strip(): _cell(cells, cols, "state_abbrev").strip()
              for _line, cols, cells in _rows(read, "state_lookup.csv",
                                               ("state_id", "state_abbrev"))}
    for _line, cols, cells in _rows(read, "contractor_jurisdiction.csv",
                                    (*key_cols, "state_id")):
        if _cell(cells, cols, "term_date").strip():
            continue
        key = tuple(_cell(cells, cols, c).strip() for c in key_cols)
        abbrev = states.get(_cell(cells, cols, "state_id").strip())
        if abbrev:
            read.states.setdefault(key, set()).add(abbrev.upper())  # type: ignore[arg-type]


def _read_codes(read: _Read) -> None:
    sink = read.sink
    known = sorted(sink.known_codes)
    skipped = 0
    name = "article_x_hcpc_code.csv"
    for line, cols, cells in _rows(read, name, ("article_id", "hcpc_code_id",
                                                "hcpc_code_group")):
        article_id = _current(read, cols, cells)
        raw = _cell(cells, cols, "hcpc_code_id")
        codes = _expand(read, name, line, raw, _cell(cells, cols, "range"), known, code_cell)
        codes = [c for c in codes if c in sink.known_codes]
        if article_id is None or not codes:
            skipped += 1
            continue
        group = _group(_cell(cells, cols, "hcpc_code_group"))
        for code in codes:
            sink.add("mcd_code", line, (article_id, code, group))
        read.relevant.add(article_id)
    sink.skip("codes not in this catalog (or older article versions)", skipped)


def _read_article_macs(read: _Read) -> None:
    key_cols = ("contractor_id", "contractor_type_id", "contractor_version")
    name = "article_x_contractor.csv"
    for line, cols, cells in _rows(read, name, ("article_id", *key_cols)):
        article_id = _current(read, cols, cells)
        if article_id not in read.relevant:
            continue
        key = tuple(_cell(cells, cols, c).strip() for c in key_cols)
        found = read.contractors.get(key)  # type: ignore[arg-type]
        if found is None or not re.fullmatch(r"\d{5}", found[0]):
            raise ImportFileError(
                f"{read.members[name].display}, line {line}: article {article_id} names "
                f"contractor {'/'.join(key)}, which contractor.csv does not list with a MAC "
                "number; the download is incomplete. Nothing was imported."
            )
        number, title = found
        read.sink.add("mcd_article_mac", line, (article_id, number))
        entry = read.macs.setdefault(number, (title, set()))
        entry[1].update(read.states.get(key, set()))  # type: ignore[arg-type]


def _read_groups(read: _Read, covered: int) -> None:
    kind = "covered" if covered else "noncovered"
    name = f"article_x_icd10_{kind}_group.csv"
    for _line, cols, cells in _rows(read, name, ("article_id", f"icd10_{kind}_group")):
        article_id = _current(read, cols, cells)
        if article_id not in read.relevant:
            continue
        group = _group(_cell(cells, cols, f"icd10_{kind}_group"))
        text = strip_html(_cell(cells, cols, "paragraph"))[:MAX_PARAGRAPH]
        read.sink.add("mcd_group", _line, (article_id, covered, group, text))


def _read_diagnoses(read: _Read, covered: int) -> None:
    kind = "covered" if covered else "noncovered"
    name = f"article_x_icd10_{kind}.csv"
    skipped = 0
    for line, cols, cells in _rows(read, name, ("article_id", "icd10_code_id")):
        article_id = _current(read, cols, cells)
        if article_id not in read.relevant:
            skipped += 1
            continue
        raw = _cell(cells, cols, "icd10_code_id")
        codes = _expand(read, name, line, raw, _cell(cells, cols, "range"), read.icd, undotted)
        group = _group(_cell(cells, cols, f"icd10_{kind}_group"))
        for dx in codes:
            read.sink.add("mcd_dx", line, (article_id, covered, group, dx))
        if not codes:
            skipped += 1
    read.sink.skip("diagnoses of other articles, or not billable in the code set in force",
                   skipped)


def _group(raw: str) -> int:
    text = raw.strip()
    return int(text) if text.isdigit() else 0


def _expand(read: _Read, name: str, line: int, code: str, flag: str, universe: Sequence[str],
            norm: Callable[[str], str]) -> list[str]:
    """The codes of one row: a single code (kept if in ``universe``), or a range expanded
    against it. ImportFileError names the file and line of a range that does not parse."""
    ranged = next((t for t in (flag, code) if "-" in t), "")
    if not ranged and flag.strip().lower() in _TRUE:
        ranged = code or flag
    if not ranged:
        single = norm(code)
        if not single:
            return []
        if not universe:
            return [single]
        at = bisect_left(universe, single)
        return [single] if at < len(universe) and universe[at] == single else []
    parts = [norm(p) for p in ranged.split("-")]
    shape = _ICD_RE if name.startswith("article_x_icd10") else re.compile(r"^[A-Z0-9]{5}$")
    if len(parts) != 2 or not all(shape.match(p) for p in parts) or parts[0] > parts[1]:
        raise ImportFileError(
            f"{read.members[name].display}, line {line}: the code range {ranged.strip()!r} "
            "does not parse (two codes low-high, such as M54.50-M54.59); nothing was imported."
        )
    low, high = parts
    return list(universe[bisect_left(universe, low): bisect_right(universe, high + "~")])


MCD = register(McdReader())
