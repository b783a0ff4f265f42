"""A quick smoke run of the fault harness (``python -m benchmarks.faults``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_fault_harness_runs_and_prints_its_table(tmp_path: Path) -> None:
    out = tmp_path / "rows.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.faults", "--quick", "--only", "queued",
         "--only", "cli", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "| case | item | acked | readable |" in done.stdout
    assert "| favorites queued behind a lock, then close | 7 | 10 | 10 | 1 (0/0/0) |" in done.stdout
    assert "raw ESC echoed" not in done.stdout
    assert out.exists()
