"""Applying an ICD-10-CM release is written without per-batch syncs (one transaction, no
journal, one fsync before the rename): a kill in the middle still leaves the release in
use whole, because nothing touches it before the rename."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import icd_release as bench
from ptcodes_gui.releases import icd_build as rel

CHILD = """
import sys
from pathlib import Path
from benchmarks.icd_release import build_release
build_release(Path(sys.argv[1]))
"""


def test_a_kill_during_apply_leaves_the_release_in_use_whole(tmp_path: Path) -> None:
    out = tmp_path / "FY2027.sqlite"
    bench.build_release(out)  # the release in use
    before = rel.release_info(out)
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(out)], cwd=root)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            temps = [p for p in tmp_path.glob(".icd-release-*.sqlite") if p.stat().st_size]
            if temps:
                break
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL  # killed while writing, not after
    assert rel.release_info(out) == before
    conn = sqlite3.connect(out.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM icd").fetchone()[0] == before.rows
    finally:
        conn.close()
