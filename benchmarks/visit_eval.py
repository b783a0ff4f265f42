"""The visit-evaluation figure of the benchmark: ``evaluate()`` over realistic visits.

``generate_visits(n, seed)`` makes ``n`` outpatient PT visits the way a clinic's day looks:
mostly 2-5 timed codes of 8-45 minutes each (therapeutic exercise, neuromuscular
re-education, gait, manual therapy, therapeutic activities, ...), now and then an
evaluation or re-evaluation, an untimed modality (unattended e-stim G0283, hot/cold pack
97010, group therapy 97150), dry needling, 1-3 diagnoses from a common set, KX on some,
about one visit in six by a PTA and one line in five shared by the PT and the PTA
(``pta_minutes``), a few payers on the midpoint rule. The same seed always gives the same
visits. ``measure(catalog, visits)`` times one ``evaluate()`` per visit (after an untimed
warm-up pass) and returns the wall and CPU times in seconds; ``stage_visit`` is the benchmark
stage (catalog opened in its own process, like the search stage).
"""

from __future__ import annotations

import random
import time
from datetime import date
from typing import Any

from ptcodes_gui.domain.profiles import COMMERCIAL_MIDPOINT, MEDICARE
from ptcodes_gui.domain.visit import CodeLookup, Visit, VisitLine, evaluate

#: Timed codes with how often a clinic bills them (relative weights).
TIMED: tuple[tuple[str, int], ...] = (
    ("97110", 30), ("97140", 20), ("97112", 16), ("97530", 16), ("97116", 8), ("97535", 5),
    ("97035", 3), ("97032", 3), ("97033", 1), ("97113", 1), ("97124", 2), ("97542", 1),
    ("97750", 1), ("97760", 1), ("97763", 1),
)
UNTIMED: tuple[str, ...] = ("G0283", "97010", "97150", "20560", "29530")
EVALUATIONS: tuple[str, ...] = ("97161", "97162", "97163", "97164")
DIAGNOSES: tuple[str, ...] = (
    "M54.50", "M25.561", "M25.562", "M75.121", "M75.101", "S83.511A", "M17.11", "M62.81",
    "R26.89", "M54.16", "Z96.651", "S93.401A", "M79.604", "M25.511", "R26.2", "Z47.1",
    "M54.2", "G89.29",
)
ON = date(2026, 12, 1)  # a fixed date of service: NCCI pairs in force then


def _line(rng: random.Random, code: str, by_pta: bool) -> VisitLine:
    minutes = rng.choice((8, 10, 12, 13, 15, 15, 18, 20, 22, 23, 25, 30, 30, 38, 45))
    pta = None
    if not by_pta and rng.random() < 0.2:
        pta = rng.randint(1, minutes)
    return VisitLine(code, minutes, provider="pta" if by_pta else "pt", pta_minutes=pta)


def _visit(rng: random.Random) -> Visit:
    by_pta = rng.random() < 1 / 6
    codes = [c for c, _ in TIMED]
    weights = [w for _, w in TIMED]
    picked = list(dict.fromkeys(rng.choices(codes, weights, k=rng.randint(2, 5))))
    lines = [_line(rng, code, by_pta) for code in picked]
    if not by_pta and rng.random() < 0.15:
        lines.insert(0, VisitLine(rng.choice(EVALUATIONS)))
    if rng.random() < 0.3:
        lines.append(VisitLine(rng.choice(UNTIMED)))
    diagnoses = tuple(dict.fromkeys(rng.sample(DIAGNOSES, rng.randint(1, 3))))
    pointers = ("A",)
    lines = [VisitLine(ln.code, ln.minutes, ln.provider, pta_minutes=ln.pta_minutes,
                       dx_pointers=pointers) for ln in lines]
    profile = COMMERCIAL_MIDPOINT if rng.random() < 0.15 else MEDICARE
    return Visit(tuple(lines), diagnoses, profile, kx=rng.random() < 0.2)


def generate_visits(n: int, seed: int = 2026) -> list[Visit]:
    """``n`` realistic visits; the same ``seed`` gives the same visits."""
    rng = random.Random(seed)
    return [_visit(rng) for _ in range(n)]


def measure(lookup: CodeLookup, visits: list[Visit]) -> tuple[list[float], list[float]]:
    """Wall and CPU (thread) seconds of one ``evaluate()`` per visit, after one untimed pass
    over them all. The CPU time is what the evaluation itself costs on a busy machine."""
    for visit in visits:
        evaluate(visit, lookup, on=ON)
    wall: list[float] = []
    cpu: list[float] = []
    for visit in visits:
        c0 = time.thread_time()
        t0 = time.perf_counter()
        evaluate(visit, lookup, on=ON)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    return wall, cpu


def stage_visit(quick: bool) -> dict[str, Any]:
    """The benchmark stage: 400 visits (20 in quick mode) over the shipped catalog."""
    from ptcodes_gui.catalog import open_catalog

    catalog = open_catalog()
    try:
        visits = generate_visits(20 if quick else 400)
        wall, cpu = measure(catalog, visits)
    finally:
        catalog.close()
    return {
        "samples_s": wall,
        "cpu_samples_s": cpu,
        "visits": len(visits),
        "lines": sum(len(v.lines) for v in visits),
        "shared_lines": sum(1 for v in visits for ln in v.lines if ln.shared),
    }
