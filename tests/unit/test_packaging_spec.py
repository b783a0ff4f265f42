"""What build.spec computes (packaging/spec_project.py, packaging/qt_filter.py), tested
without building: a wrong filter ships a bundle that cannot start, or one twice the size."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str) -> ModuleType:
    # by path: the folder is called packaging/, like the PyPI library pip itself imports
    spec = importlib.util.spec_from_file_location(f"ptcodes_{name}",
                                                  ROOT / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


sp = _load("spec_project")
qf = _load("qt_filter")


@pytest.fixture(scope="module")
def project() -> object:
    return sp.Project.read(ROOT)


def test_project_facts_come_from_pyproject(project: object) -> None:
    assert project.dist_name == "ptcodes-gui"
    assert (project.gui_name, project.gui_target) == ("ptcodes-gui", "ptcodes_gui.app:main")
    assert (project.cli_name, project.cli_target) == ("ptcodes", "ptcodes_gui.cli.main:main")
    assert project.package == "ptcodes_gui" and project.app_name == "PT Codes"
    assert project.copyright.startswith("Copyright (c) ")


def test_generated_cli_entry_script_runs_the_cli(project: object, tmp_path: Path) -> None:
    script = sp.entry_script(tmp_path, project.cli_name, project.cli_target)
    out = subprocess.run([sys.executable, script, "units", "97110=38", "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["total_units"] == 3  # 38 minutes of 97110


def test_every_package_module_is_listed_and_findable(project: object) -> None:
    modules = sp.package_modules(project)
    assert {"ptcodes_gui", "ptcodes_gui.cli.main", "ptcodes_gui.releases.readers.ncci",
            "ptcodes_gui.clinic.folder", "ptcodes_gui.session"} <= set(modules)
    assert not any(m.endswith("__init__") for m in modules)
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    assert missing == []


def test_catalog_check_refuses_what_would_not_open_read_only(tmp_path: Path) -> None:
    text = tmp_path / "not.sqlite"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(SystemExit, match="not an SQLite database"):
        sp.check_catalog(text)
    wal = tmp_path / "wal.sqlite"
    con = sqlite3.connect(wal)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(SystemExit, match="WAL mode"):
        sp.check_catalog(wal)
    good = tmp_path / "good.sqlite"
    con = sqlite3.connect(good)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    sp.check_catalog(good)  # accepted
    Path(str(good) + "-journal").write_bytes(b"")
    with pytest.raises(SystemExit, match="still open or dirty"):
        sp.check_catalog(good)


def test_package_datas_ship_the_catalog_readable_by_everyone(project: object,
                                                             tmp_path: Path) -> None:
    catalog = tmp_path / "built.sqlite"
    con = sqlite3.connect(catalog)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    os.chmod(catalog, 0o600)  # as the builder's mkstemp leaves it
    datas = sp.package_datas(project, catalog, tmp_path / "work")
    staged = [src for src, dest in datas if src.endswith("catalog.sqlite")]
    assert len(staged) == 1 and stat.S_IMODE(os.stat(staged[0]).st_mode) == 0o644
    assert not any(src.endswith((".py", ".pyc")) for src, _ in datas)
    assert ("ptcodes_gui/data" in {dest.replace(os.sep, "/") for _, dest in datas})


def test_version_tuple_and_windows_version_resource(project: object, tmp_path: Path) -> None:
    assert sp.version_tuple("0.1.0") == (0, 1, 0, 0)
    assert sp.version_tuple("1.2.3.4.5+g1234") == (1, 2, 3, 4)
    assert sp.version_file(project, tmp_path, "ptcodes", "x", platform="linux") is None
    path = sp.version_file(project, tmp_path, "ptcodes", "PT Codes command line",
                           platform="win32")
    assert path is not None
    text = Path(path).read_text(encoding="utf-8")
    ast.parse(text)  # PyInstaller evaluates it as a Python expression
    assert "StringStruct('OriginalFilename', 'ptcodes.exe')" in text
    assert f"StringStruct('ProductVersion', '{project.version}')" in text


def test_icons_per_platform() -> None:
    assert sp.icon(ROOT, "win32").endswith(".ico") and Path(sp.icon(ROOT, "win32")).is_file()
    assert sp.icon(ROOT, "darwin").endswith(".icns") and Path(sp.icon(ROOT, "darwin")).is_file()
    assert sp.icon(ROOT, "linux") is None


def test_reproducibility_warnings() -> None:
    assert sp.reproducibility_warnings({"PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "1"}) == []
    warned = sp.reproducibility_warnings({"PYTHONHASHSEED": "1"})
    assert len(warned) == 2 and "PYTHONHASHSEED is not set to 0" in warned[0]


@pytest.mark.parametrize(("filename", "plugin"), [
    ("libqxcb.so", "xcb"), ("qwindows.dll", "windows"), ("libqcocoa.dylib", "cocoa"),
    ("libcomposeplatforminputcontextplugin.so", "composeplatforminputcontextplugin"),
])
def test_plugin_id(filename: str, plugin: str) -> None:
    assert qf.plugin_id(filename) == plugin


@pytest.mark.parametrize(("dest", "kept"), [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforms/libqwayland-egl.so", False),
    ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
    ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
    ("PySide6\\plugins\\styles\\qmodernwindowsstyle.dll", True),
    ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
    ("PySide6/Qt/lib/libQt6Core.so.6", True),
])
def test_which_qt_plugins_are_kept(dest: str, kept: bool) -> None:
    assert qf.keep_plugin(dest) is kept


def test_drop_reasons_per_platform() -> None:
    site = "/venv/lib/python3.11/site-packages/PySide6/Qt/lib/libQt6Network.so.6"
    assert qf.drop_reason("PySide6/Qt/lib/libQt6Network.so.6", site, "linux") == "unused-qt-lib"
    assert qf.drop_reason("PySide6/Qt/lib/libQt6Widgets.so.6", site, "linux") is None
    assert qf.drop_reason("PySide6/Qt/translations/qt_de.qm", site, "linux") == (
        "qt-translations/qml")
    assert qf.drop_reason("opengl32sw.dll", "C:/x/opengl32sw.dll", "win32") == "opengl-fallback"
    assert qf.drop_reason("opengl32sw.dll", "/x/opengl32sw.dll", "linux") is None
    # a system library: from the system on Linux, kept when a wheel ships it
    assert qf.drop_reason("libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                          "linux") == "system-lib"
    assert qf.drop_reason("libstdc++.so.6", "/v/site-packages/x/libstdc++.so.6", "linux") is None
    assert qf.drop_reason("libstdc++.so.6", "/usr/lib/libstdc++.so.6", "darwin") is None


def test_elf_reader_lists_what_a_real_library_links(tmp_path: Path) -> None:
    import _sqlite3

    needed = qf.elf_needed(_sqlite3.__file__)
    assert any(name.startswith("libsqlite3") for name in needed), needed
    text = tmp_path / "x.so"
    text.write_bytes(b"not an ELF file at all")
    assert qf.elf_needed(str(text)) == []


def test_filter_prunes_orphans_on_linux_and_refuses_a_needed_drop() -> None:
    links = {
        "/s/_ext.so": ["libkeep.so"],
        "/s/libkeep.so": [],
        "/s/libnobody.so": [],
        "/s/libQt6Network.so.6": [],
    }
    binaries = [("_ext.so", "/s/_ext.so", "EXTENSION"), ("libkeep.so", "/s/libkeep.so", "BINARY"),
                ("libnobody.so", "/s/libnobody.so", "BINARY"),
                ("libQt6Network.so.6", "/s/libQt6Network.so.6", "BINARY")]
    kept, _, dropped = qf.filter_entries(binaries, [], platform="linux",
                                         imports=lambda src: links[src])
    assert [d for d, _, _ in kept] == ["_ext.so", "libkeep.so"]
    assert dropped == {"libnobody.so": "orphan", "libQt6Network.so.6": "unused-qt-lib"}
    # on Windows nothing is pruned as an orphan
    kept_win, _, _ = qf.filter_entries(binaries, [], platform="win32",
                                       imports=lambda src: links[src])
    assert len(kept_win) == 3
    links["/s/libkeep.so"] = ["libQt6Network.so.6"]
    with pytest.raises(SystemExit, match=r"libkeep.so needs libQt6Network.so.6"):
        qf.filter_entries(binaries, [], platform="linux", imports=lambda src: links[src])


def test_the_cli_archive_leaves_qt_and_the_window_out() -> None:
    gui, cli = qf.excludes("ptcodes_gui", ["PySide6.QtNetwork"])
    assert "PySide6.QtNetwork" in gui and "ssl" in gui and "PySide6" not in gui
    assert {"PySide6", "shiboken6", "ptcodes_gui.ui", "ptcodes_gui.app"} <= set(cli)
    modules = ["ptcodes_gui.cli.main", "ptcodes_gui.ui", "ptcodes_gui.ui.visit.panel",
               "ptcodes_gui.uix"]
    assert qf.without(modules, cli) == ["ptcodes_gui.cli.main", "ptcodes_gui.uix"]


def test_unused_qt_modules_are_read_from_the_install(tmp_path: Path) -> None:
    for name in ("QtCore.abi3.so", "QtNetwork.abi3.so", "QtWidgets.pyd", "README.txt"):
        (tmp_path / name).write_bytes(b"")
    assert qf.unused_qt_modules([tmp_path]) == ["PySide6.QtNetwork"]
