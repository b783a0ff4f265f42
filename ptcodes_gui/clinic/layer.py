"""What a workstation takes from the clinic folder, beside its own data.

Two layers, each read-only from this side:

* ``LayeredOverlay``: the catalog's imported data. For each source (NCCI, MUE, the
  telehealth list, clinic codes, descriptors, ...) this workstation's own import wins when
  it has one; otherwise the clinic's published import is used. So an office manager's
  quarterly import reaches every PC, and a PC that imported a newer file itself keeps it.
* ``ClinicDefaults`` (``clinic_defaults.py``): the clinic's payer profiles, templates and
  favorites set, which the user store lists after the user's own.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from ptcodes_gui.domain.fees import FeeSchedule, Locality
from ptcodes_gui.domain.models import Code, Hit, Mue, NcciPair, TelehealthList
from ptcodes_gui.releases.overlay import ImportOverlay
from ptcodes_gui.releases.store import ReleaseInfo
from ptcodes_gui.userdata.clinic_defaults import CLINIC, LOCAL


class LayeredOverlay:
    """This workstation's imports over the clinic's (``catalog.overlay`` shape)."""

    def __init__(self, local: ImportOverlay, clinic: ImportOverlay | None) -> None:
        self.local = local
        self.clinic = clinic

    def _for(self, source: str) -> ImportOverlay:
        if self.clinic is None or self.local.has_release(source):
            return self.local
        return self.clinic if self.clinic.has_release(source) else self.local

    def origin(self, source: str) -> str:
        """Where this source's data comes from: ``local`` or ``clinic``."""
        return CLINIC if self._for(source) is self.clinic else LOCAL

    def close(self) -> None:
        if self.clinic is not None:
            self.clinic.close()

    def ncci_pairs_for(self, code: str) -> Sequence[NcciPair]:
        return self._for("ncci").ncci_pairs_for(code)

    def ncci_pairs_among(self, codes: Collection[str]) -> Sequence[NcciPair]:
        return self._for("ncci").ncci_pairs_among(codes)

    def ncci_replaces(self, column1: str) -> bool:
        return self._for("ncci").ncci_replaces(column1)

    def mue(self, code: str) -> Mue | None:
        return self._for("mue").mue(code)

    def telehealth_list(self) -> TelehealthList | None:
        return self._for("telehealth").telehealth_list()

    def descriptor(self, code: str) -> tuple[str, str] | None:
        # several sources carry descriptors (a clinic list, the AMA files, HCPCS text):
        # this PC's own answer first, else the clinic's
        found = self.local.descriptor(code)
        if found is None and self.clinic is not None:
            found = self.clinic.descriptor(code)
        return found

    def termination(self, code: str) -> tuple[str, str] | None:
        return self._for("hcpcs").termination(code)

    def fee_schedule(self) -> FeeSchedule | None:
        return self._for("pfs").fee_schedule()

    def gpci_locality(self, locality: str) -> Locality | None:
        return self._for("pfs").gpci_locality(locality)

    def clinic_code(self, code: str) -> Code | None:
        return self._for("codes").clinic_code(code)

    def search_clinic(self, text: str, words: Sequence[str], limit: int,
                      category: str | None = None) -> list[Hit]:
        return self._for("codes").search_clinic(text, words, limit, category)

    def sources(self) -> Sequence[ReleaseInfo]:
        """Every source in use, whichever layer it comes from."""
        local = {r.source: r for r in self.local.sources()}
        clinic = {r.source: r for r in self.clinic.sources()} if self.clinic else {}
        return [*local.values(), *(r for s, r in clinic.items() if s not in local)]
