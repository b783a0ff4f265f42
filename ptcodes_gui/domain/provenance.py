"""Where the data in use comes from: one row per source, shipped or imported.

The same rows feed Help → Data sources and ``ptcodes info [--json]``; ``data_sources.py``
(the composition) builds them from the catalog, the ICD-10-CM releases and the import store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DataSource:
    key: str  # what a Remove acts on ("icd10cm", "ncci", "pfs", ...); "" = shipped data
    name: str  # "ICD-10-CM", "CMS NCCI PTP edits, practitioner", ...
    version: str  # the release's label
    effective: str | None = None  # ISO date
    superseded: str | None = None  # ISO date the next release took (or takes) over
    files: tuple[str, ...] = ()
    rows: int | None = None
    imported_at: str | None = None  # None: shipped with the program
    note: str = ""  # the superseded notice and how to get the next release
    cadence: str = ""  # how often the publisher releases it ("quarterly", ...)
    fix: str = ""  # how to get the next release, for a notice naming it

    @property
    def removable(self) -> bool:
        return bool(self.key) and self.imported_at is not None

    def state(self, on: date) -> str:
        """On the date ``on``: "current", "superseded" (a newer release took over) or "not
        yet in force" (dated after ``on``); "undated" without dates."""
        day = on.isoformat()
        if self.effective and self.effective > day:
            return "not yet in force"
        if self.superseded and self.superseded <= day:
            return "superseded"
        return "current" if self.effective or self.superseded else "undated"

    def as_json(self, today: date | None = None) -> dict[str, object]:
        return {
            "key": self.key or None,
            "name": self.name,
            "version": self.version,
            "effective": self.effective,
            "superseded": self.superseded,
            "files": list(self.files),
            "rows": self.rows,
            "imported_at": self.imported_at,
            "shipped": self.imported_at is None,
            "note": self.note or None,
            "cadence": self.cadence or None,
            "state": self.state(today or date.today()),
            "fix": self.fix or None,
        }
