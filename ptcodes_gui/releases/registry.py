"""The reader interface every source implements, and the registry of sources.

See the package docstring for how a new source is added.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar, Protocol

from ptcodes_gui.releases.files import DEFAULT_LIMITS, ImportLimits, InputFile, Progress


@dataclass(frozen=True)
class Table:
    """A table of ``imports.sqlite`` that a source fills (created when the store opens).

    ``columns`` are SQL column definitions; ``key`` the primary key (also what a new
    release is compared on for the preview's added/changed/removed); ``indexes`` extra
    indexes (each a tuple of column names); ``fts`` the columns searchable through an
    FTS5 table ``<name>_fts`` (external content, prefix index), rebuilt on apply.
    ``on_conflict``: the SQL of ``ON CONFLICT (key) ...`` for a key seen twice in one
    import (e.g. keep the row in force longer); None: both rows are rejected as
    duplicates. A multi-part source's tables need a ``part TEXT`` column. Change the
    table's name (``ncci_v2``) when its columns change: the file is shared between
    versions of the app (the clinic folder).
    """

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = ()
    fts: tuple[str, ...] = ()
    on_conflict: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.split()[0] for c in self.columns)


@dataclass(frozen=True)
class Release:
    """Which release a file belongs to, as recognised from its name and content."""

    version: str  # "v323r0", "2027-01-01", "CY2026", or the file name for a clinic list
    label: str  # shown wherever its data is: "CMS NCCI PTP practitioner v323r0 (2026 Q4)"
    effective: str | None = None  # ISO date the release takes effect
    order: tuple[int, ...] = ()  # newer releases compare greater; () = not comparable
    part: str | None = None  # "f1" .. for a multi-part source, else None


class Sink(Protocol):
    """Where a reader puts what it reads (the pipeline's staging database)."""

    known_codes: frozenset[str]  # the catalog's codes, upper case: keep rows about these
    today: date
    limits: ImportLimits
    progress: Progress

    def add(self, table: str, line: int, values: Sequence[object]) -> None:
        """An accepted row (values in the table's column order)."""

    def reject(self, line: int, reason: str) -> None:
        """A row that cannot be imported (listed in the preview with its line)."""

    def skip(self, reason: str, count: int = 1) -> None:
        """Rows left out on purpose, counted by reason ("codes not in this catalog")."""

    def diagnoses(self) -> Sequence[str]:
        """The billable ICD-10-CM codes in force, undotted and sorted (() when unknown)."""

    def note(self, text: str) -> None:
        """A sentence for the preview."""

    def detail(self, key: str, value: object) -> None:
        """Provenance kept with this file's part of the release (e.g. its code range)."""


class Reader(ABC):
    """One source (NCCI PTP, MUE, ...): recognises its files and streams their rows."""

    name: ClassVar[str]  # registry key, the CLI word (``ptcodes import ncci``), store id
    title: ClassVar[str]  # "CMS NCCI PTP edits, practitioner"
    tables: ClassVar[tuple[Table, ...]]
    multipart: ClassVar[bool] = False  # parts of one version add up (NCCI's four files)
    #: The parts a complete release has, and what holds until the missing ones come
    #: (the preview names them); () when parts are optional (CPT's descriptor files).
    expected_parts: ClassVar[tuple[str, ...]] = ()
    missing_parts_note: ClassVar[str] = ""
    limits: ClassVar[ImportLimits] = DEFAULT_LIMITS
    #: Word the preview uses for what is compared ("pairs", "codes").
    noun: ClassVar[str] = "rows"
    #: Lower-case names of zip members ``read`` opens itself beside the recognised file
    #: (not listed as ignored in the preview).
    companions: ClassVar[frozenset[str]] = frozenset()

    @abstractmethod
    def recognise(self, file: InputFile) -> Release | None:
        """The release ``file`` belongs to if it is this source's, from ``file.name``,
        ``file.container`` and its first rows (``files.head_rows``); None if not.

        Raise ``ImportFileError`` for a file that is recognisably this kind but cannot be
        imported (the hospital table picked for the practitioner one, ...)."""

    @abstractmethod
    def read(self, file: InputFile, release: Release, sink: Sink) -> None:
        """Stream the rows of ``file`` into ``sink``; raise ``ImportFileError`` (naming
        the file and line) for a problem with the file as a whole (no data rows, ...)."""

    def check_together(self, releases: Sequence[tuple[InputFile, Release]]) -> None:
        """Refuse files that do not belong in one import (default: one file only)."""
        from ptcodes_gui.releases.files import ImportFileError

        if len(releases) > 1 and not self.multipart:
            names = ", ".join(f.display for f, _ in releases)
            raise ImportFileError(f"{self.title} is imported from one file; got {names}.")


_READERS: dict[str, Reader] = {}


def register(reader: Reader) -> Reader:
    """Add a source (its module calls this once; the package imports the module)."""
    if not re.fullmatch(r"[a-z][a-z0-9-]{1,30}", reader.name):
        raise ValueError(f"bad source name {reader.name!r}")
    _READERS[reader.name] = reader
    return reader


def all_readers() -> dict[str, Reader]:
    """Every registered source by name, in registration order."""
    return dict(_READERS)


def reader(name: str) -> Reader:
    from ptcodes_gui.releases.files import ImportFileError

    try:
        return _READERS[name]
    except KeyError:
        raise ImportFileError(
            f"Unknown import {name!r}; use one of: {', '.join(_READERS)}."
        ) from None


def all_tables() -> list[Table]:
    return [t for r in _READERS.values() for t in r.tables]


@dataclass
class FileSummary:
    """What one file gave (kept in the release's provenance)."""

    name: str
    container: str | None
    part: str | None
    rows: int = 0  # data rows read
    kept: int = 0
    rejected: int = 0
    skipped: int = 0
    details: dict[str, object] = field(default_factory=dict)


def codes_in(values: Collection[str], known: frozenset[str]) -> bool:
    return all(v in known for v in values)
