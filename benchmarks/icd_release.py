"""Search over an imported ICD-10-CM release, timed like the shipped set (``bench.py``).

The release is built the way ``ptcodes import icd10cm`` builds one (``releases.icd_build``):
the tabular list that ships with ``simple-icd-10-cm`` plus one Index phrase per code made
from its ancestors' titles ("Dorsalgia, Low back pain, unspecified"), about as many phrases
as CDC's Alphabetic Index has, since the real Index is not redistributable here. The
catalog then reads every diagnosis from that database, and the same keystrokes are timed.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any


def build_release(out: Path) -> dict[str, Any]:
    """Write the benchmark's release database; its build figures."""
    from ptcodes_gui.catalog import icd10
    from ptcodes_gui.releases import icd_build as rel

    t0 = time.perf_counter()
    entries = icd10.parse_icd10cm()
    titles = {e.code: e.title for e in entries}
    parents = {e.code: e.parent for e in entries}
    terms: dict[str, list[str]] = {}
    for e in entries:
        if e.kind in ("chapter", "block"):
            continue
        chain = [e.title]
        up = e.parent
        while up and parents.get(up) and len(chain) < 4:
            chain.append(titles[up])
            up = parents.get(up)
        terms[icd10.undotted(e.code)] = [", ".join(reversed(chain))]
    info = rel.IcdReleaseInfo(
        label="ICD-10-CM FY2027 (benchmark)", fiscal_year=2027, effective="2026-10-01",
        superseded="2027-10-01", files=("benchmark",), rows=len(entries),
        billable=sum(1 for e in entries if e.billable), index_terms=len(terms),
        imported_at=datetime.now().isoformat(timespec="seconds"),
    )
    parsed_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    rel.write_release_db(rel.IcdRelease(info, entries, terms), out, {})
    return {
        "parse_s": round(parsed_s, 2),
        "write_s": round(time.perf_counter() - t0, 2),
        "bytes": out.stat().st_size,
        "index_phrases": len(terms),
    }


def stage_search_icd_release(keys: Sequence[str], result_limit: int) -> dict[str, Any]:
    """The keystrokes of the search stage, with the catalog on an imported release."""
    from ptcodes_gui.catalog import open_catalog

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "FY2027.sqlite"
        built = build_release(path)
        catalog = open_catalog()
        t0 = time.perf_counter()
        catalog.use_icd_release(path)
        attach_s = time.perf_counter() - t0
        for key in keys[:50]:  # warm-up, untimed
            catalog.search(key, limit=result_limit)
        wall: list[float] = []
        for key in keys:
            t0 = time.perf_counter()
            catalog.search(key, limit=result_limit)
            wall.append(time.perf_counter() - t0)
        catalog.close()
    slowest = sorted(zip(wall, keys, strict=True), reverse=True)[:10]
    return {
        "samples_s": wall,
        "attach_ms": round(attach_s * 1000, 2),
        "build": built,
        "slowest": [{"ms": round(t * 1000, 2), "text": k} for t, k in slowest],
    }
