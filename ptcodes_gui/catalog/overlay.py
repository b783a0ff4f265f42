"""What the catalog reads imported data through (the import store implements it).

The catalog never imports ``userdata``: the composition (``session.open_session``) passes an
object of this shape to ``Catalog.set_overlay``. Every method answers one request from an
index (SQLite, like the catalog), so an import of any size costs nothing at start.
``NO_OVERLAY`` is the shipped catalog alone.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from ptcodes_gui.domain.fees import FeeSchedule, Locality
from ptcodes_gui.domain.models import Code, Hit, Mue, NcciPair, TelehealthList


class SourceInfo(Protocol):
    """One active imported release, for ``ptcodes info`` and Help → Data sources."""

    @property
    def source(self) -> str: ...  # "ncci"
    @property
    def title(self) -> str: ...  # "CMS NCCI PTP edits, practitioner"
    @property
    def version(self) -> str: ...  # "v323r0"
    @property
    def label(self) -> str: ...  # "CMS NCCI PTP practitioner v323r0 (2026 Q4)"
    @property
    def effective(self) -> str | None: ...  # ISO date
    @property
    def files(self) -> tuple[str, ...]: ...
    @property
    def rows(self) -> int: ...
    @property
    def imported_at(self) -> str: ...  # ISO date and time


class CatalogOverlay(Protocol):
    """Imported data on top of the shipped catalog (never written into it)."""

    def ncci_pairs_for(self, code: str) -> Sequence[NcciPair]:
        """Imported PTP rows with ``code`` in either column (deleted and future-dated rows
        included: the caller decides by the date of service)."""
        ...

    def ncci_pairs_among(self, codes: Collection[str]) -> Sequence[NcciPair]:
        """Imported PTP rows whose two codes are both among ``codes``."""
        ...

    def ncci_replaces(self, column1: str) -> bool:
        """Whether the imported PTP release covers Column 1 code ``column1`` (then the
        shipped pairs with that Column 1 code are not used)."""
        ...

    def mue(self, code: str) -> Mue | None: ...

    def telehealth_list(self) -> TelehealthList | None: ...

    def descriptor(self, code: str) -> tuple[str, str] | None:
        """Licensed descriptor text and the source to name beside it."""
        ...

    def termination(self, code: str) -> tuple[str, str] | None:
        """(ISO date, source) when an imported HCPCS file terminates ``code``."""
        ...

    def fee_schedule(self) -> FeeSchedule | None:
        """The imported Medicare fee schedule (RVUs of catalog codes, GPCIs); None: none."""
        ...

    def gpci_locality(self, locality: str) -> Locality | None:
        """A locality of the imported GPCI file, even before the RVU file is imported."""
        ...

    def clinic_code(self, code: str) -> Code | None:
        """A clinic's own code (system "clinic") by its upper-case code."""
        ...

    def search_clinic(self, text: str, words: Sequence[str], limit: int,
                      category: str | None = None) -> list[Hit]:
        """Clinic codes for a query: exact code first, then code prefix, then words."""
        ...

    def sources(self) -> Sequence[SourceInfo]:
        """Every active imported release."""
        ...


class _NoOverlay:
    def ncci_pairs_for(self, code: str) -> Sequence[NcciPair]:
        return ()

    def ncci_pairs_among(self, codes: Collection[str]) -> Sequence[NcciPair]:
        return ()

    def ncci_replaces(self, column1: str) -> bool:
        return False

    def mue(self, code: str) -> Mue | None:
        return None

    def telehealth_list(self) -> TelehealthList | None:
        return None

    def descriptor(self, code: str) -> tuple[str, str] | None:
        return None

    def termination(self, code: str) -> tuple[str, str] | None:
        return None

    def fee_schedule(self) -> FeeSchedule | None:
        return None

    def gpci_locality(self, locality: str) -> Locality | None:
        return None

    def clinic_code(self, code: str) -> Code | None:
        return None

    def search_clinic(self, text: str, words: Sequence[str], limit: int,
                      category: str | None = None) -> list[Hit]:
        return []

    def sources(self) -> Sequence[SourceInfo]:
        return ()


NO_OVERLAY: CatalogOverlay = _NoOverlay()
