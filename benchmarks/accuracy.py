"""Search accuracy on held-out clinician queries: ``python -m benchmarks.accuracy``.

Reads ``heldout_queries.tsv`` (kind, query, right codes; see its header), asks
``Catalog.search`` as the window does, and reports for each kind how often one of the right
codes is first and in the top three, and how many answers were empty. ``--misses`` lists
the queries that failed; ``--snapshot FILE`` writes the top ten of every query of
``bench_queries.txt`` (the old set) and ``--against FILE`` compares the current answers with
such a snapshot, so a change of ranking for queries that already worked is seen.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
HELDOUT_FILE = HERE / "heldout_queries.tsv"
TOP = 3


@dataclass(frozen=True)
class Case:
    kind: str  # "pt" or "dx"
    query: str
    right: tuple[str, ...]  # codes; "X*" is any code starting with X

    def is_right(self, code: str) -> bool:
        return any(code.startswith(r[:-1]) if r.endswith("*") else code == r for r in self.right)


def load_cases(path: Path = HELDOUT_FILE) -> list[Case]:
    cases = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) != 3 or parts[0] not in ("pt", "dx") or not parts[2]:
            raise ValueError(f"{path.name}:{n}: expected 'pt|dx<TAB>query<TAB>codes'")
        cases.append(Case(parts[0], parts[1], tuple(c.strip() for c in parts[2].split(","))))
    return cases


def _systems(case: Case) -> list[tuple[str, str | None]]:
    """The searches a case is judged on: procedures unfiltered (the window's default),
    diagnoses with the Diagnoses filter and unfiltered."""
    if case.kind == "pt":
        return [("pt", None)]
    return [("dx", "icd10cm"), ("dx_unfiltered", None)]


def evaluate(catalog: Any, cases: Sequence[Case]) -> dict[str, Any]:
    groups: dict[str, dict[str, Any]] = {}
    for case in cases:
        for group, system in _systems(case):
            g = groups.setdefault(group, {"n": 0, "top1": 0, "top3": 0, "empty": 0,
                                          "misses": []})
            codes = [h.code for h in catalog.search(case.query, limit=10, system=system)]
            g["n"] += 1
            g["empty"] += not codes
            g["top1"] += bool(codes) and case.is_right(codes[0])
            if any(case.is_right(c) for c in codes[:TOP]):
                g["top3"] += 1
            else:
                g["misses"].append({"query": case.query, "want": ",".join(case.right),
                                    "got": codes[:TOP]})
    for g in groups.values():
        g["top1_pct"] = round(100 * g["top1"] / g["n"], 1)
        g["top3_pct"] = round(100 * g["top3"] / g["n"], 1)
    return groups


def snapshot(catalog: Any) -> dict[str, list[str]]:
    """Top ten of every query of the performance set, unfiltered and diagnoses only."""
    from benchmarks.bench import load_queries

    out: dict[str, list[str]] = {}
    for text in load_queries():
        out[text] = [h.code for h in catalog.search(text, limit=10)]
        out["dx:" + text] = [h.code for h in catalog.search(text, limit=10, system="icd10cm")]
    return out


def compare(before: dict[str, list[str]], now: dict[str, list[str]]) -> dict[str, Any]:
    changed = [k for k in before if before[k][:TOP] != now.get(k, [])[:TOP]]
    return {
        "queries": len(before),
        "empty_before": sum(1 for v in before.values() if not v),
        "empty_now": sum(1 for v in now.values() if not v),
        "top3_changed_where_nonempty_before": [k for k in changed if before[k]],
        "filled_where_empty_before": [k for k in changed if not before[k]],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.accuracy",
                                     description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=Path, default=HELDOUT_FILE)
    parser.add_argument("--misses", action="store_true", help="list every failed query")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--snapshot", type=Path, help="write the old set's answers here")
    parser.add_argument("--against", type=Path, help="compare with an earlier --snapshot")
    args = parser.parse_args(argv)

    from ptcodes_gui.catalog import open_catalog

    catalog = open_catalog()
    result: dict[str, Any] = {"heldout": evaluate(catalog, load_cases(args.cases))}
    if args.snapshot:
        args.snapshot.write_text(json.dumps(snapshot(catalog), indent=0), encoding="utf-8")
    if args.against:
        before = json.loads(args.against.read_text(encoding="utf-8"))
        result["old_set"] = compare(before, snapshot(catalog))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for group, g in result["heldout"].items():
        print(f"{group:14} n={g['n']:4}  top1 {g['top1_pct']:5.1f}%  top3 {g['top3_pct']:5.1f}%"
              f"  empty {g['empty']}")
        if args.misses:
            for m in g["misses"]:
                print(f"    {m['query']!r:40} want {m['want']:24} got {m['got']}")
    if "old_set" in result:
        o = result["old_set"]
        print(f"old set: {o['queries']} searches, empty {o['empty_before']} -> {o['empty_now']}, "
              f"top 3 changed where answered before: {len(o['top3_changed_where_nonempty_before'])}"
              f", answered where empty before: {len(o['filled_where_empty_before'])}")
        if args.misses:
            for k in o["top3_changed_where_nonempty_before"]:
                print(f"    changed: {k!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
