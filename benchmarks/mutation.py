"""Mutation testing of the billing core: ``python -m benchmarks.mutation --sample 200 --seed 1``.

Run from the repository root after ``pip install -e '.[test,mutation]'`` (the ``mutation``
extra brings cosmic-ray; it is not part of ``.ci/run``). What it does:

1. copies the tree (``ptcodes_gui``, ``tests``, ``benchmarks``, ``resources``,
   ``pyproject.toml``; the built catalog included) into a temporary folder, so the working
   tree is never touched and a crash leaves no mutated file behind;
2. lists every mutant cosmic-ray's operators make in the scope below, leaving out those
   inside type annotations (``from __future__ import annotations``: never evaluated, so a
   mutant there is equivalent by construction);
3. draws ``--sample`` of them with ``--seed`` (the same tree, sample and seed give the
   same mutants), runs each group's tests once unmutated (they must pass), then, one mutant
   at a time, applies it in the copy and runs only its group's tests (``pytest -x``);
4. prints the kill ratio (per group and in all) and every surviving mutant as a diff;
   ``--json`` writes the same figures to a file.

A mutant is *killed* when its group's tests fail or time out, *survived* when they pass,
*not built* when cosmic-ray itself fails to make it (an operator raising on a construct it does
not handle, such as ``except (sqlite3.Error, OSError)``): those are counted and listed but left
out of the ratio. With ``--json`` the file is rewritten after every mutant, so a crash late in
a run loses nothing.
The scope is the code whose mistakes a clinician pays for: the visit rules, the unit
arithmetic, the fee estimate, the copied formats and the user store (favorites, queued
writes, backups). See docs/TESTING.md for the figures and the survivors judged equivalent.
"""

from __future__ import annotations

import argparse
import ast
import glob
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("ptcodes_gui", "tests", "benchmarks", "resources", "docs", "pyproject.toml")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache")


@dataclass(frozen=True)
class Group:
    """Modules mutated together and the tests that judge them (globs, repository-relative)."""

    name: str
    modules: tuple[str, ...]
    tests: tuple[str, ...]
    #: modules of the globs left out (not billing behaviour)
    exclude: tuple[str, ...] = ()


SCOPE: tuple[Group, ...] = (
    Group(
        "rules",
        ("ptcodes_gui/domain/rules/*.py",),
        ("tests/unit/rules", "tests/unit/test_visit.py"),
        # the package's re-exports, and the generator of docs/RULES.md (checked by the
        # RULES.md staleness test, not by behaviour)
        exclude=("ptcodes_gui/domain/rules/__init__.py", "ptcodes_gui/domain/rules/docs.py"),
    ),
    Group(
        "units",
        ("ptcodes_gui/domain/units.py",),
        # the assistant (CQ) split of a line is unit arithmetic too
        ("tests/unit/test_units*.py", "tests/unit/rules/test_rules_units.py",
         "tests/unit/rules/test_rules_cq_units.py"),
    ),
    Group("fees", ("ptcodes_gui/domain/fees.py",), ("tests/unit/test_fees*.py",)),
    Group("formatting", ("ptcodes_gui/domain/formatting.py",), ("tests/unit/test_formatting*.py",)),
    Group(
        "store",
        (
            "ptcodes_gui/userdata/store.py",
            "ptcodes_gui/userdata/favorites.py",
            "ptcodes_gui/userdata/backup.py",
        ),
        ("tests/unit/test_userdata*.py",),
    ),
)


@dataclass(frozen=True)
class Mutant:
    group: str
    module: str  # repository-relative path
    operator: str
    occurrence: int
    line: int
    column: int
    end: tuple[int, int]

    @property
    def label(self) -> str:
        return f"{self.module}:{self.line}:{self.column} {self.operator.removeprefix('core/')}"


def expand(root: Path, patterns: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    """Repository-relative paths matched by ``patterns`` (sorted, ``exclude`` left out)."""
    found: set[str] = set()
    for pattern in patterns:
        for path in glob.glob(str(root / pattern)):
            found.add(Path(path).relative_to(root).as_posix())
    return sorted(found - set(exclude))


def annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """``((line, col), (end_line, end_col))`` of every type annotation in ``source``."""
    spans: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for node in ast.walk(ast.parse(source)):
        annotations: list[ast.expr | None] = []
        if isinstance(node, ast.arg):
            annotations.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            annotations.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
        for ann in annotations:
            if ann is not None and ann.end_lineno is not None and ann.end_col_offset is not None:
                spans.append(
                    ((ann.lineno, ann.col_offset), (ann.end_lineno, ann.end_col_offset))
                )
    return spans


def in_spans(
    start: tuple[int, int], spans: Sequence[tuple[tuple[int, int], tuple[int, int]]]
) -> bool:
    return any(low <= start < high for low, high in spans)


def list_mutants(root: Path, groups: Sequence[Group]) -> list[Mutant]:
    """Every mutant cosmic-ray's default operators make in ``groups``, annotations left out."""
    from cosmic_ray.commands.init import _all_work_items

    mutants: list[Mutant] = []
    for group in groups:
        for module in expand(root, group.modules, group.exclude):
            spans = annotation_spans((root / module).read_text(encoding="utf-8"))
            for item in _all_work_items([root / module], {}):
                (spec,) = item.mutations
                start = tuple(spec.start_pos)
                if in_spans((start[0], start[1]), spans):
                    continue
                mutants.append(
                    Mutant(group.name, module, spec.operator_name, spec.occurrence,
                           start[0], start[1], (spec.end_pos[0], spec.end_pos[1]))
                )
    return mutants


def sample(mutants: Sequence[Mutant], size: int, seed: int) -> list[Mutant]:
    """``size`` mutants drawn with ``seed`` (all of them when ``size`` is 0 or more than
    there are), in file order."""
    chosen = list(mutants) if size <= 0 or size >= len(mutants) else random.Random(
        seed).sample(list(mutants), size)
    return sorted(chosen, key=lambda m: (m.module, m.line, m.column, m.operator, m.occurrence))


def copy_tree(source: Path, target: Path) -> None:
    for name in COPIED:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, target / name, ignore=IGNORED)
        elif path.exists():
            shutil.copy2(path, target / name)


def pytest_command(work: Path, group: Group) -> list[str]:
    tests = expand(work, group.tests)
    if not tests:
        raise SystemExit(f"group {group.name}: no test file matches {group.tests}")
    return [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]


def run_tests(command: Sequence[str], work: Path, timeout: float) -> tuple[bool, str]:
    """``(passed, output)``; a run past ``timeout`` is a failure."""
    try:
        done = subprocess.run(command, cwd=work, capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return False, "timeout"
    return done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def apply(work: Path, mutant: Mutant) -> tuple[str, str | None]:
    """Write the mutant into the copy: ``(original code, mutated code or None)``."""
    import cosmic_ray.plugins
    from cosmic_ray.mutating import apply_mutation

    operator = cosmic_ray.plugins.get_operator(mutant.operator)()
    original, mutated = apply_mutation(work / mutant.module, operator, mutant.occurrence)
    return str(original), None if mutated is None else str(mutated)


def diff_line(original: str, mutated: str) -> str:
    import difflib

    changed = [
        line for line in difflib.unified_diff(original.splitlines(), mutated.splitlines(),
                                              lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return " | ".join(line.strip() for line in changed)[:300]


def baseline(work: Path, groups: Sequence[Group]) -> dict[str, float]:
    """Each group's tests, unmutated, must pass; returns their timings (seconds)."""
    where = "import ptcodes_gui; print(ptcodes_gui.__file__)"
    probe = subprocess.run([sys.executable, "-c", where], cwd=work, capture_output=True,
                           text=True, check=True)
    if not Path(probe.stdout.strip()).resolve().is_relative_to(work.resolve()):
        raise SystemExit(f"the copy is not the code imported ({probe.stdout.strip()})")
    timings: dict[str, float] = {}
    for group in groups:
        started = time.perf_counter()
        passed, output = run_tests(pytest_command(work, group), work, timeout=1800)
        if not passed:
            raise SystemExit(f"group {group.name}: the tests fail unmutated:\n{output}")
        timings[group.name] = time.perf_counter() - started
    return timings


def save(path: Path | None, summary: dict[str, Any]) -> None:
    """Write ``summary`` to ``path`` (if any) whole or not at all (a temporary file, then
    renamed), so an interrupted run leaves the results so far."""
    if path is None:
        return
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    os.replace(partial, path)


@dataclass(frozen=True)
class Job:
    """One mutant to judge: the first of ``candidates`` whose changed line is in ``expect``
    (any, when ``expect`` is None); ``was``: its label in an earlier run."""

    group: str
    candidates: tuple[Mutant, ...]
    expect: frozenset[str] | None = None
    was: str | None = None


def rerun_jobs(everything: Sequence[Mutant], earlier: Iterable[dict[str, Any]]) -> list[Job]:
    """The survivors of an earlier run, found again though lines may have moved since: the
    mutants of the same module, operator and column within 80 lines, nearest first, of which
    the one making the same change is run."""
    jobs = []
    for r in earlier:
        if r["outcome"] != "survived":
            continue
        place, operator = r["mutant"].split(" ", 1)
        module, line, column = place.rsplit(":", 2)
        near = sorted(
            (m for m in everything if m.module == module and m.column == int(column)
             and m.operator.removeprefix("core/") == operator
             and abs(m.line - int(line)) <= 80),
            key=lambda m: abs(m.line - int(line)),
        )
        jobs.append(Job(r["group"], tuple(near), frozenset({r["diff"]}), r["mutant"]))
    return jobs


def run(root: Path, groups: Sequence[Group], size: int, seed: int,
        earlier: Sequence[dict[str, Any]] | None = None, keep: Path | None = None
        ) -> dict[str, Any]:
    """Run the sample (or, with ``earlier``, that run's survivors again) in a copy of
    ``root``; with ``keep``, the results so far are written there after every mutant."""
    with tempfile.TemporaryDirectory(prefix="ptcodes-mutation-") as tmp:
        work = Path(tmp)
        copy_tree(root, work)
        os.environ["PYTHONPATH"] = str(work)
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
        everything = list_mutants(work, groups)
        names = {g.name for g in groups}
        jobs = ([Job(m.group, (m,)) for m in sample(everything, size, seed)] if earlier is None
                else [j for j in rerun_jobs(everything, earlier) if j.group in names])
        timings = baseline(work, groups)
        print(f"{len(everything)} mutants in scope; running {len(jobs)} (seed {seed}); "
              "baseline " + ", ".join(f"{g} {t:.1f} s" for g, t in timings.items()), flush=True)
        by_name = {g.name: g for g in groups}
        results: list[dict[str, Any]] = []
        summary: dict[str, Any] = {"seed": seed, "sample": size, "in_scope": len(everything),
                                   "planned": len(jobs), "results": results, "seconds": 0.0}
        started = time.perf_counter()
        for n, job in enumerate(jobs, 1):
            results.append(_judge(work, job, by_name[job.group], timings[job.group]))
            if results[-1]["outcome"] in ("survived", "not-built", "not-found"):
                print(f"  {results[-1]['outcome']}: {results[-1]['mutant']}: "
                      f"{results[-1]['diff']}", flush=True)
            summary["seconds"] = round(time.perf_counter() - started, 1)
            save(keep, summary)
            if n % 10 == 0 or n == len(jobs):
                killed = sum(r["outcome"] == "killed" for r in results)
                print(f"  {n}/{len(jobs)} run, {killed} killed, "
                      f"{time.perf_counter() - started:.0f} s", flush=True)
    return summary


def _judge(work: Path, job: Job, group: Group, seconds: float) -> dict[str, Any]:
    result: dict[str, Any] = {"group": job.group, "mutant": job.was, "outcome": "not-found",
                              "diff": " ".join(sorted(job.expect or ()))}
    for mutant in job.candidates:
        tried = _one(work, mutant, group, seconds, job.expect)
        if tried["outcome"] != "not-selected":
            result = tried
            break
    if job.was is not None:
        result["was"] = job.was
    return result


def _one(work: Path, mutant: Mutant, group: Group, seconds: float,
         expect: frozenset[str] | None = None) -> dict[str, Any]:
    """Apply, test and restore one mutant; with ``expect``, only one whose diff is in it."""
    path = work / mutant.module
    original = path.read_text(encoding="utf-8")
    try:
        try:
            _, mutated = apply(work, mutant)
        except Exception as error:  # cosmic-ray's own failure: reported, not fatal
            return {"group": mutant.group, "mutant": mutant.label, "outcome": "not-built",
                    "diff": f"cosmic-ray could not build it: {type(error).__name__}: {error}"}
        if mutated is None:
            outcome, text = "no-mutation", ""
        elif expect is not None and diff_line(original, mutated) not in expect:
            outcome, text = "not-selected", ""
        else:
            passed, _ = run_tests(pytest_command(work, group), work, timeout=3 * seconds + 30)
            outcome, text = ("survived" if passed else "killed"), diff_line(original, mutated)
    finally:
        path.write_text(original, encoding="utf-8")
    return {"group": mutant.group, "mutant": mutant.label, "outcome": outcome, "diff": text}


def report(summary: dict[str, Any]) -> str:
    results = [r for r in summary["results"] if r["outcome"] in ("killed", "survived")]
    lines = []
    for name in dict.fromkeys(r["group"] for r in results):
        mine = [r for r in results if r["group"] == name]
        killed = sum(r["outcome"] == "killed" for r in mine)
        lines.append(f"{name:<11} {killed:>4} / {len(mine):<4} killed  {_ratio(killed, len(mine))}")
    killed = sum(r["outcome"] == "killed" for r in results)
    lines.append(f"{'all':<11} {killed:>4} / {len(results):<4} killed  "
                 f"{_ratio(killed, len(results))}   ({summary['seconds']:.0f} s)")
    unbuilt = [r for r in summary["results"] if r["outcome"] == "not-built"]
    if unbuilt:
        lines.append(f"not built   {len(unbuilt):>4}         (cosmic-ray failed to make them; "
                     "left out of the ratio)")
    survivors = [r for r in results if r["outcome"] == "survived"]
    lines.append(f"\nSurviving mutants ({len(survivors)}):")
    lines.extend(f"  {r['mutant']}\n      {r['diff']}" for r in survivors)
    if unbuilt:
        lines.append(f"\nNot built ({len(unbuilt)}):")
        lines.extend(f"  {r['mutant']}\n      {r['diff']}" for r in unbuilt)
    lost = [r for r in summary["results"] if r["outcome"] == "not-found"]
    if lost:
        lines.append(f"\nNot found again, the code changed (counted as survivors in the "
                     f"earlier run's figures) ({len(lost)}):")
        lines.extend(f"  {r['mutant']}\n      {r['diff']}" for r in lost)
    return "\n".join(lines)


def combined(earlier: Sequence[dict[str, Any]], rerun: Sequence[dict[str, Any]]) -> str:
    """The earlier run's figures with its survivors replaced by their rerun outcome (the
    mutants it killed are counted killed again: tests were only added since)."""
    now = {(r.get("was", r["mutant"]), r["diff"]): r["outcome"] for r in rerun
           if r["outcome"] in ("killed", "survived")}
    judged = [{**r, "outcome": now.get((r["mutant"], r["diff"]), r["outcome"])}
              for r in earlier if r["outcome"] in ("killed", "survived")]
    lines = ["\nThe earlier run's mutants, its survivors rerun:"]
    for name in [*dict.fromkeys(r["group"] for r in judged), "all"]:
        mine = [r for r in judged if name in ("all", r["group"])]
        killed = sum(r["outcome"] == "killed" for r in mine)
        lines.append(f"{name:<11} {killed:>4} / {len(mine):<4} killed  "
                     f"{_ratio(killed, len(mine))}")
    return "\n".join(lines)


def _ratio(killed: int, total: int) -> str:
    return f"{100 * killed / total:5.1f}%" if total else "  n/a"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=200, help="mutants to run (0: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--group", action="append", choices=[g.name for g in SCOPE],
                        help="only these groups (repeatable; default all)")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the tree to test (default: this repository)")
    parser.add_argument("--list", action="store_true", help="count the mutants and stop")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--rerun", type=Path, metavar="JSON",
                        help="run only the survivors of an earlier --json (after adding tests)")
    args = parser.parse_args(argv)
    try:
        import cosmic_ray  # noqa: F401
    except ImportError:
        print("cosmic-ray is not installed: pip install -e '.[mutation]'", file=sys.stderr)
        return 2
    groups = [g for g in SCOPE if not args.group or g.name in args.group]
    if args.list:
        mutants = list_mutants(args.root, groups)
        for name in dict.fromkeys(m.group for m in mutants):
            print(f"{name:<11} {sum(m.group == name for m in mutants)}")
        print(f"{'all':<11} {len(mutants)}")
        return 0
    earlier: list[dict[str, Any]] | None = None
    if args.rerun:
        earlier = json.loads(args.rerun.read_text(encoding="utf-8"))["results"]
    summary = run(args.root, groups, args.sample, args.seed, earlier, keep=args.json)
    print(report(summary))
    if earlier is not None:
        print(combined(earlier, summary["results"]))
    save(args.json, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
