"""The mutation command (benchmarks/mutation.py) without running a mutant: its scope names
files that exist (a module moved away would silently leave the scope), every group has
tests, annotations are left out, and a seed gives the same sample every time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import mutation

ROOT = Path(__file__).resolve().parents[2]


def test_every_group_names_modules_and_tests_that_exist() -> None:
    for group in mutation.SCOPE:
        modules = mutation.expand(ROOT, group.modules, group.exclude)
        assert modules, group.name
        assert all(m.endswith(".py") and m.startswith("ptcodes_gui/") for m in modules)
        assert all((ROOT / m).is_file() for m in group.exclude), group.name
        assert mutation.expand(ROOT, group.tests), group.name


def test_the_scope_covers_rules_units_fees_formatting_and_the_user_store() -> None:
    scoped = {m for g in mutation.SCOPE for m in mutation.expand(ROOT, g.modules, g.exclude)}
    for module in ("domain/rules/units.py", "domain/rules/diagnoses.py", "domain/units.py",
                   "domain/fees.py", "domain/formatting.py", "userdata/store.py",
                   "userdata/favorites.py", "userdata/backup.py"):
        assert f"ptcodes_gui/{module}" in scoped
    assert "ptcodes_gui/domain/rules/docs.py" not in scoped


def test_annotations_are_found_and_code_is_not() -> None:
    source = (
        "def f(a: int | None, b=1 + 2) -> str | None:\n"
        "    x: list[int] | None = None\n"
        "    return a | b\n"
    )
    spans = mutation.annotation_spans(source)
    first, second, third = source.splitlines()
    assert mutation.in_spans((1, first.index("|")), spans)  # int | None
    assert mutation.in_spans((1, first.rindex("|")), spans)  # the return annotation
    assert mutation.in_spans((2, second.index("|")), spans)  # x's annotation
    assert not mutation.in_spans((1, first.index("+")), spans)  # 1 + 2 is code
    assert not mutation.in_spans((3, third.index("|")), spans)  # a | b is code


def test_a_seed_draws_the_same_sample_in_file_order() -> None:
    mutants = [
        mutation.Mutant("g", f"m{n % 3}.py", "core/NumberReplacer", n, n + 1, 0, (n + 1, 1))
        for n in range(30)
    ]
    first = mutation.sample(mutants, 10, seed=1)
    assert first == mutation.sample(mutants, 10, seed=1)
    assert first != mutation.sample(mutants, 10, seed=2)
    assert first == sorted(first, key=lambda m: (m.module, m.line, m.column))
    assert len(mutation.sample(mutants, 0, seed=1)) == 30  # 0: all of them
    assert len(mutation.sample(mutants, 99, seed=1)) == 30


def test_a_mutant_cosmic_ray_cannot_build_is_reported_not_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "m.py"
    module.write_text("x = 1\n", encoding="utf-8")
    mutant = mutation.Mutant("g", "m.py", "core/ExceptionReplacer", 0, 1, 0, (1, 1))

    def broken(work: Path, m: mutation.Mutant) -> tuple[str, str | None]:
        module.write_text("x = 2\n", encoding="utf-8")  # half-written before failing
        raise AttributeError("'PythonNode' object has no attribute 'value'")

    monkeypatch.setattr(mutation, "apply", broken)
    group = mutation.Group("g", ("m.py",), ("m.py",))
    result = mutation._one(tmp_path, mutant, group, 1.0)
    assert result["outcome"] == "not-built"
    assert "PythonNode" in result["diff"]
    assert module.read_text(encoding="utf-8") == "x = 1\n"  # restored all the same

    killed = {"group": "g", "mutant": "m.py:2:0 X", "outcome": "killed", "diff": "-a | +b"}
    text = mutation.report({"results": [killed, result], "seconds": 1.0})
    assert "1 / 1    killed  100.0%" in text  # the unbuilt one is out of the ratio
    assert "not built      1" in text and "m.py:1:0 ExceptionReplacer" in text


def test_results_are_saved_whole_and_a_rerun_replaces_only_the_survivors(
    tmp_path: Path,
) -> None:
    target = tmp_path / "run.json"
    mutation.save(target, {"results": [{"outcome": "killed"}]})
    assert json.loads(target.read_text(encoding="utf-8"))["results"] == [{"outcome": "killed"}]
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]  # no partial file left

    def r(label: str, outcome: str) -> dict[str, str]:
        return {"group": "g", "mutant": label, "outcome": outcome, "diff": "d"}

    earlier = [r("a", "killed"), r("b", "survived"), r("c", "survived"), r("d", "not-built")]
    text = mutation.combined(earlier, [r("b", "killed"), r("c", "survived")])
    assert "all            2 / 3    killed   66.7%" in text


def test_a_rerun_finds_a_survivor_whose_line_moved() -> None:
    def m(line: int, column: int = 8, op: str = "core/ReplaceContinueWithBreak") -> mutation.Mutant:
        return mutation.Mutant("rules", "p/units.py", op, line, line, column, (line, column + 1))

    everything = [m(90), m(104), m(104, op="core/AddNot"), m(104, column=12), m(200)]
    earlier = [{"group": "rules", "mutant": "p/units.py:100:8 ReplaceContinueWithBreak",
                "outcome": "survived", "diff": "- continue | + break"},
               {"group": "rules", "mutant": "p/units.py:5:8 AddNot", "outcome": "killed",
                "diff": "x"}]
    (job,) = mutation.rerun_jobs(everything, earlier)  # killed ones are not run again
    assert [c.line for c in job.candidates] == [104, 90]  # nearest first; 200 is too far
    assert job.expect == frozenset({"- continue | + break"})
    assert job.was == "p/units.py:100:8 ReplaceContinueWithBreak"
