"""ruff and mypy --strict are part of the test run, so CI fails on either."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def test_ruff_clean() -> None:
    out = subprocess.run(
        [_tool("ruff"), "check", "ptcodes_gui", "benchmarks", "tests", "hatch_build.py",
         "packaging"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_strict_clean() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "ptcodes_gui", "benchmarks",
         "packaging/spec_project.py", "packaging/qt_filter.py"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert out.returncode == 0, out.stdout + out.stderr
