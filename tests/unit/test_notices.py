"""packaging/notices.py on this environment: what a bundle built from it would ship."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def notices() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ptcodes_notices", ROOT / "packaging" /
                                                  "notices.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while defining them
    spec.loader.exec_module(module)
    return module


INDEX_LINE = re.compile(r"^([A-Za-z0-9][\w.-]*)==(\S+)\s", re.M)


def _index(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in INDEX_LINE.finditer(text)}


def test_notices_for_a_bundle_of_these_modules(notices: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "THIRD-PARTY-NOTICES.txt"
    modules = ["sqlite_utils.db", "platformdirs", "PySide6.QtCore", "shiboken6", "json",
               "ptcodes_gui.app"]
    files = ["PySide6/Qt/lib/libQt6Core.so.6", "libicudata.so.73", "libsqlite3.so.0",
             "ptcodes_gui/data/catalog.sqlite"]
    written = notices.write_notices(out, modules, files, app_version="9.9.9")
    text = out.read_text(encoding="utf-8")
    index = _index(text)
    assert {"sqlite-utils", "platformdirs", "PySide6_Essentials", "shiboken6"} <= set(index)
    assert sorted(f"{k}=={v}" for k, v in index.items()) == written
    assert "ptcodes-gui" not in index and "json" not in index  # own code, stdlib
    assert text.startswith("PT Codes 9.9.9: third-party notices")
    # each distribution's own licence text, from its dist-info
    assert "Apache License" in text and "Version 2.0, January 2004" in text  # sqlite-utils
    assert re.search(r"^platformdirs==\S+\s+MIT$", text, re.M)
    # Qt under the LGPL, with how to replace it, and the licence texts themselves
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text and "GNU GENERAL PUBLIC LICENSE" in text
    assert "Replacing the Qt libraries" in text and "{pyside}" not in text
    assert "UNICODE LICENSE V3" in text  # ICU
    assert "SQLite is in the public domain" in text
    assert "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2" in text
    assert "PyInstaller bootloader" in text
    for attribution in ("CPT is a registered trademark of the American Medical Association",
                        "National Center for Health Statistics (NCHS)",
                        "Centers for Medicare & Medicaid Services"):
        assert attribution in " ".join(text.split())


def test_environment_mode_covers_every_runtime_dependency(notices: ModuleType,
                                                          tmp_path: Path) -> None:
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "dependencies"]
    out = tmp_path / "notices.txt"
    assert notices.main(["--environment", "--out", str(out)]) == 0
    listed = {notices.norm(name) for name in _index(out.read_text(encoding="utf-8"))}
    for dep in deps:
        name = re.split(r"[\s<>=!~;\[(]", dep, maxsplit=1)[0]
        assert notices.norm(name) in listed, f"{name} missing from the notices"
    assert "shiboken6" in listed  # a dependency of a dependency


def test_native_parts_are_recognised_by_file_name(notices: ModuleType) -> None:
    found = {part.title for part, _ in notices.native_parts([
        "PySide6/Qt6Core.dll", "PySide6/plugins/platforms/qwindows.dll", "icuuc.dll",
        "sqlite3.dll", "VCRUNTIME140.dll", "libffi-8.dll", "python311.dll"])}
    assert found == {"Qt 6", "ICU", "SQLite", "Microsoft Visual C++ runtime", "libffi"}
    assert notices.native_parts(["base_library.zip"]) == []


def test_ptcodes_show_attributes_cpt_and_only_cpt(capsys: pytest.CaptureFixture[str]) -> None:
    from ptcodes_gui.cli import main as cli

    notice = "CPT is a registered trademark of the American Medical Association."
    assert cli.main(["show", "97110"]) == 0
    assert notice in capsys.readouterr().out
    for not_cpt in ("M25.561", "GP"):  # ICD-10-CM, a HCPCS modifier
        assert cli.main(["show", not_cpt]) == 0
        assert notice not in capsys.readouterr().out
