"""The mutation command (benchmarks/mutation.py) without running a mutant: its scope names
files that exist (a module moved away would silently leave the scope), every group has
tests, annotations are left out, and a seed gives the same sample every time."""

from __future__ import annotations

from pathlib import Path

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
