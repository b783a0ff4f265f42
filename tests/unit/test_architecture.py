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
        "import ptcodes_gui.cli.main, ptcodes_gui.session\n"
        "import pkgutil, importlib\n"
        "for pkg in ('domain', 'catalog', 'userdata', 'releases', 'clinic', 'cli'):\n"
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


PACKAGE = ROOT / "ptcodes_gui"
#: the only modules allowed at the top of the package: the entry points and the composition root
TOP_LEVEL = {"__init__.py", "__main__.py", "app.py", "session.py"}
PACKAGES = ("domain", "catalog", "userdata", "releases", "clinic", "cli", "ui")


def test_no_loose_module_at_the_top_of_the_package() -> None:
    loose = {p.name for p in PACKAGE.glob("*.py")} - TOP_LEVEL
    assert not loose, f"put these in the package of their job (docs/ARCHITECTURE.md): {loose}"
    subpackages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert subpackages == set(PACKAGES), "a new package needs its place in ARCHITECTURE.md"


def test_every_package_says_what_it_owns_and_may_import() -> None:
    import ast

    architecture = (ROOT / "docs" / "ARCHITECTURE.md").read_text("utf-8")
    for name in PACKAGES:
        doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text("utf-8")))
        assert doc and "May import" in doc, f"ptcodes_gui/{name}/__init__.py: say what it owns"
        assert f"\n  {name}/" in architecture, f"docs/ARCHITECTURE.md does not place {name}/"


def test_layers_contract_names_every_package() -> None:
    """A package missing from the layers contract could import anything."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    named = {part.strip().removeprefix("ptcodes_gui.")
             for layer in layers for part in layer.split("|")}
    assert named >= {*PACKAGES, "session", "app"}
