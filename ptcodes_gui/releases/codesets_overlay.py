"""The overlay's queries for the code-set sources (HCPCS, CPT data files, fee schedule).

``ImportOverlay`` delegates to these, so its file stays about the pipeline's own sources.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from ptcodes_gui.domain.fees import FeeSchedule, Locality, Rvu
from ptcodes_gui.releases.readers.cpt import KINDS
from ptcodes_gui.releases.store import ReleaseInfo

Query = Callable[[str, Sequence[object]], list[tuple[object, ...]]]
#: Which CPT descriptor is shown beside our words when several kinds were imported.
CPT_PREFERENCE = ("long", "clinician", "medium", "consumer", "short")


def cpt_descriptor(query: Query, code: str, release: ReleaseInfo | None) -> tuple[str, str] | None:
    if release is None:
        return None
    rows = query("SELECT kind, text FROM cpt_descriptors WHERE code = ? ORDER BY seq",
                 (code.upper(),))
    by_kind: dict[str, str] = {}
    for kind, text in rows:
        by_kind.setdefault(str(kind), str(text))
    for kind in CPT_PREFERENCE:
        if kind in by_kind:
            return by_kind[kind], f"{release.label}, {KINDS[kind][1]}"
    return None


def hcpcs_descriptor(query: Query, code: str, release: ReleaseInfo | None
                     ) -> tuple[str, str] | None:
    if release is None:
        return None
    rows = query("SELECT long_description FROM hcpcs WHERE code = ?", (code.upper(),))
    if not rows:
        return None
    return str(rows[0][0]), f"{release.label}, official long description (public, CMS)"


def hcpcs_termination(query: Query, code: str, release: ReleaseInfo | None
                      ) -> tuple[str, str] | None:
    if release is None:
        return None
    rows = query("SELECT terminated FROM hcpcs WHERE code = ? AND terminated IS NOT NULL",
                 (code.upper(),))
    return (str(rows[0][0]), release.label) if rows else None


def gpci_locality(query: Query, release: ReleaseInfo | None, locality: str) -> Locality | None:
    """One locality of the imported GPCI file (with or without the RVU file)."""
    if release is None:
        return None
    rows = query("SELECT locality, mac, number, state, name, work, pe, mp FROM pfs_gpci "
                 "WHERE locality = ?", (locality,))
    if not rows:
        return None
    _loc, mac, number, state, name, work, pe, mp = rows[0]
    return Locality(str(mac), str(number), str(state), str(name), Decimal(str(work)),
                    Decimal(str(pe)), Decimal(str(mp)))


def fee_schedule(query: Query, release: ReleaseInfo | None) -> FeeSchedule | None:
    """RVUs and localities of the imported release; None without both parts."""
    if release is None:
        return None
    rvus = {
        str(code): Rvu(str(code), "", str(status), Decimal(str(work)), Decimal(str(pe)),
                       Decimal(str(mp)), Decimal(str(cf)), str(mult or ""), bool(na))
        for code, status, work, pe, mp, cf, mult, na in query(
            "SELECT code, status, work, pe_nonfacility, mp, conversion_factor, mult_proc, "
            "nonfacility_na FROM pfs_rvu", ())
    }
    localities = {
        str(loc): Locality(str(mac), str(number), str(state), str(name), Decimal(str(work)),
                           Decimal(str(pe)), Decimal(str(mp)))
        for loc, mac, number, state, name, work, pe, mp in query(
            "SELECT locality, mac, number, state, name, work, pe, mp FROM pfs_gpci", ())
    }
    if not rvus or not localities:
        return None
    rvu_part = release.details.get("parts", {}).get("rvu", {})
    gpci_part = release.details.get("parts", {}).get("gpci", {})
    files = [str(p.get("file")) for p in (rvu_part, gpci_part) if isinstance(p, dict) and p]
    label = release.label + (f" ({', '.join(files)})" if files else "")
    return FeeSchedule(release=label, rvus=rvus, localities=localities,
                       effective=release.effective)
