"""The layering is a failing check: domain, catalog, userdata and the CLI import no Qt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_core_packages_do_not_import_qt() -> None:
    code = (
        "import sys\n"
        "import ptcodes_gui.domain.models, ptcodes_gui.catalog, ptcodes_gui.catalog.build\n"
        "import ptcodes_gui.cli\n"
        "import pkgutil, importlib\n"
        "for pkg in ('domain', 'catalog', 'userdata'):\n"
        "    mod = importlib.import_module('ptcodes_gui.' + pkg)\n"
        "    for info in pkgutil.walk_packages(mod.__path__, mod.__name__ + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "", f"Qt imported by core packages: {out.stdout}"


def test_import_contracts_hold() -> None:
    """import-linter: core is Qt-free and layers point one way (pyproject.toml)."""
    exe = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(exe), "--no-cache"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
