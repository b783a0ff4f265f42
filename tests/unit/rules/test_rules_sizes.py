"""The billing rules stay small: no module over 600 lines, no function over 60 (the old
visit.py was 1,323 lines with a 425-line ``evaluate``)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "ptcodes_gui"
OWN = [
    *sorted((PACKAGE / "domain" / "rules").glob("*.py")),
    *(PACKAGE / "domain" / name for name in (
        "visit.py", "visit_input.py", "visit_result.py", "visit_edit.py", "lookup.py",
        "units.py", "formatting.py",
    )),
    PACKAGE / "cli" / "visit.py",
]


def _functions(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.end_lineno - node.lineno + 1, f"{path.name}:{node.lineno} {node.name}")
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno
    ]


def test_rule_modules_and_functions_are_small() -> None:
    assert len(OWN) > 15 and all(path.exists() for path in OWN)
    modules = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in OWN}
    assert max(modules.values()) <= 600, modules
    longest = max(f for path in OWN for f in _functions(path))
    assert longest[0] <= 60, longest
