"""In CI (``CI`` set, as the CI runner does), build the frozen bundle first so the frozen
smoke tests really run; on a developer machine they run only against an existing bundle
(``packaging/build.sh``). Building takes about a minute here."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_EXE = "ptcodes-gui.exe" if sys.platform == "win32" else "ptcodes-gui"
_GUI = ROOT / "dist" / "ptcodes-gui" / _EXE


def _fresh() -> bool:
    if not _GUI.is_file():
        return False
    built = _GUI.stat().st_mtime
    return not any(p.stat().st_mtime > built for p in (ROOT / "ptcodes_gui").rglob("*.py"))


if (
    os.environ.get("CI")
    and not os.environ.get("PTCODES_BUNDLE_DIR")
    and not _fresh()
    and importlib.util.find_spec("PyInstaller") is not None
):
    env = dict(os.environ, PYTHON=sys.executable)
    proc = subprocess.run(
        ["bash", str(ROOT / "packaging" / "build.sh")], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=1200, check=False,
    )
    sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
    if proc.returncode != 0:
        raise RuntimeError(f"packaging/build.sh failed ({proc.returncode}); see output above")
