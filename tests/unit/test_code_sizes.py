"""The house rule on size stays true: modules under 600 lines, functions under 60.

Measured as the issue measures it: lines of every ``.py`` file in ``ptcodes_gui/`` (the
generated ``data/`` folder aside), and ``end_lineno - lineno + 1`` of every function and
method, nested ones included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "ptcodes_gui"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60



def _modules() -> list[Path]:
    return sorted(
        p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] != "data"
    )


def _functions(tree: ast.Module) -> list[tuple[str, int]]:
    """(qualified name, lines) of every function, method and nested function."""
    found: list[tuple[str, int]] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    assert child.end_lineno is not None
                    found.append((name, child.end_lineno - child.lineno + 1))
                walk(child, f"{name}.")
            else:
                walk(child, prefix)

    walk(tree, "")
    return found


def test_the_package_has_modules_to_measure() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in _modules()}
    assert {"ui/main_window.py", "catalog/repository.py", "domain/fees.py"} <= names
    assert not any(n.startswith("data/") for n in names)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_module_is_under_the_line_limit(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, (
        f"{path.relative_to(PACKAGE)} has {lines} lines (limit {MAX_MODULE_LINES}): "
        "split it by job into modules of its own"
    )


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_functions_are_under_the_line_limit(path: Path) -> None:
    rel = path.relative_to(PACKAGE).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    long = [
        f"{name} ({lines} lines)"
        for name, lines in _functions(tree)
        if lines > MAX_FUNCTION_LINES
    ]
    assert not long, f"{rel}: over {MAX_FUNCTION_LINES} lines: {', '.join(long)}"


def test_the_measure_sees_a_long_function() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    tree = ast.parse(f"class A:\n    def f(self):\n    {body.replace(chr(10), chr(10) + '    ')}\n")
    assert _functions(tree) == [("A.f", MAX_FUNCTION_LINES + 1)]
