"""Tests of the frozen PyInstaller bundle (build it with packaging/build.sh).

Skipped when there is no bundle at dist/ptcodes-gui/ (or at $PTCODES_BUNDLE_DIR). They run the
executables a user gets, the way CI's release workflow does: a bundle can build cleanly and
still miss a lazily imported module, a Qt plugin or the catalog.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = Path(os.environ.get("PTCODES_BUNDLE_DIR") or ROOT / "dist" / "ptcodes-gui")
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""
GUI = BUNDLE / f"ptcodes-gui{EXE_SUFFIX}"
CLI = BUNDLE / f"ptcodes{EXE_SUFFIX}"
INTERNAL = BUNDLE / "_internal"

# stderr lines known to be harmless; anything else fails the smoke test.
HARMLESS_STDERR = [
    # The offscreen platform plugin cannot resize-hint windows; printed on every show().
    re.compile(r"^This plugin does not support propagateSizeHints\(\)$"),
    # Root or CI without a login session: Qt falls back to /tmp/runtime-<user>.
    re.compile(r"^QStandardPaths: XDG_RUNTIME_DIR not set, defaulting to '.*'$"),
    re.compile(r"^QStandardPaths: runtime directory '.*' is not owned by UID \d+, but a directory"
               r" permissions 0\d+ owned by UID \d+ GID \d+$"),
]


def _stale() -> bool:
    """A dist/ bundle older than the sources would test old code: skip it (rebuild instead).
    An explicit PTCODES_BUNDLE_DIR is always tested."""
    if os.environ.get("PTCODES_BUNDLE_DIR") or not GUI.is_file():
        return False
    built = GUI.stat().st_mtime
    return any(p.stat().st_mtime > built for p in (ROOT / "ptcodes_gui").rglob("*.py"))


pytestmark = [
    pytest.mark.packaged,
    pytest.mark.skipif(
        not GUI.is_file(), reason=f"no frozen bundle at {BUNDLE} (packaging/build.sh)"
    ),
    pytest.mark.skipif(_stale(), reason="dist/ bundle is older than ptcodes_gui/: rebuild it"),
]


def _run(exe: Path, *args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", PTCODES_DATA_DIR=str(data_dir))
    return subprocess.run(
        [str(exe), *args],
        capture_output=True, text=True, encoding="utf-8", errors="replace",
        env=env, cwd=data_dir.parent, timeout=120, check=False,
    )


def _unexpected(stderr: str) -> list[str]:
    return [
        line for line in stderr.splitlines()
        if line.strip() and not any(p.match(line) for p in HARMLESS_STDERR)
    ]


def test_gui_smoke_test(tmp_path: Path) -> None:
    """Frozen `ptcodes-gui --smoke-test`: builds the window, opens the catalog, searches, copies."""
    proc = _run(GUI, "--smoke-test", data_dir=tmp_path / "data")
    assert proc.returncode == 0, (
        f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    assert _unexpected(proc.stderr) == [], proc.stderr


def test_cli_show_json(tmp_path: Path) -> None:
    proc = _run(CLI, "show", "97110", "--json", data_dir=tmp_path / "data")
    assert proc.returncode == 0, f"exit {proc.returncode}\nstderr:\n{proc.stderr}"
    data = json.loads(proc.stdout)
    assert data["code"] == "97110"
    assert data["timed"] is True
    assert _unexpected(proc.stderr) == [], proc.stderr


def test_catalog_shipped_readable_and_not_wal() -> None:
    catalog = INTERNAL / "ptcodes_gui" / "data" / "catalog.sqlite"
    assert catalog.is_file()
    if sys.platform != "win32":
        # Installed by root under /opt or /Applications: everybody must be able to read it.
        assert catalog.stat().st_mode & stat.S_IROTH
    with catalog.open("rb") as fh:
        header = fh.read(20)
    assert header[:16] == b"SQLite format 3\x00"
    assert header[18:20] == b"\x01\x01", "catalog is in WAL mode; it fails from a read-only folder"
    with sqlite3.connect(f"{catalog.as_uri()}?mode=ro&immutable=1", uri=True) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_bundle_is_slim() -> None:
    """build.spec's filters held: no QML, no Qt translations, only the chosen Qt plugins."""
    files = [p.relative_to(INTERNAL).as_posix() for p in INTERNAL.rglob("*") if p.is_file()]
    assert not [f for f in files if re.search(r"(^|/)(qml|translations)/", f)]
    plugin_dirs = {f.split("plugins/", 1)[1].split("/")[0] for f in files if "/plugins/" in f}
    kept = {"platforms", "styles", "imageformats", "iconengines", "platforminputcontexts"}
    assert plugin_dirs <= kept
    platforms = {Path(f).name for f in files if "/plugins/platforms/" in f}
    assert not [p for p in platforms if re.search(r"(wayland|eglfs|vnc|linuxfb|minimal)", p)]
    assert not [f for f in files if re.search(r"Qt6?(Network|Qml|Quick|Pdf|OpenGL)", Path(f).name)]
    openssl = [f for f in files if re.search(r"(^|/)lib(ssl|crypto)[-.]", f)]
    assert not openssl, "the app opens no socket: OpenSSL should stay out"


NOTICES_NAME = "THIRD-PARTY-NOTICES.txt"


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _bundled_distributions() -> set[str]:
    """Every Python distribution inside the bundle, found from the bundle itself: the
    top-level modules in both executables' archives and the top-level entries of _internal/,
    mapped through this environment's installed distributions, plus each shipped dist-info."""
    readers = pytest.importorskip("PyInstaller.archive.readers")
    from importlib.metadata import packages_distributions

    tops = {p.name.split(".")[0] for p in INTERNAL.iterdir()}
    for exe in (GUI, CLI):
        archive = readers.CArchiveReader(str(exe))
        for name in archive.toc:
            if name.endswith(".pyz"):
                tops |= {m.split(".")[0] for m in archive.open_embedded_archive(name).toc}
    owners = packages_distributions()
    found = {_norm(dist) for top in tops for dist in owners.get(top, ())}
    found |= {_norm(p.name.split("-")[0]) for p in INTERNAL.glob("*.dist-info")}
    return found - {"ptcodes-gui"}


def test_notices_name_every_bundled_distribution() -> None:
    """THIRD-PARTY-NOTICES.txt ships beside the executables and inside the package (where
    Help > About > Licences reads it), and names every distribution the bundle carries."""
    top = BUNDLE / NOTICES_NAME
    packaged = INTERNAL / "ptcodes_gui" / "data" / NOTICES_NAME
    assert top.is_file() and packaged.is_file()
    text = top.read_text(encoding="utf-8")
    assert packaged.read_text(encoding="utf-8") == text
    index = re.finditer(r"^([A-Za-z0-9][\w.-]*)==\S+\s", text, re.M)
    listed = {_norm(m.group(1)) for m in index}
    bundled = _bundled_distributions()
    assert {"pyside6-essentials", "shiboken6", "sqlite-utils", "platformdirs"} <= bundled
    missing = sorted(bundled - listed)
    assert not missing, f"bundled but missing from {NOTICES_NAME}: {missing}"
    flat = " ".join(text.split())
    assert "CPT is a registered trademark of the American Medical Association" in flat
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text
    assert "Replacing the Qt libraries" in text


def test_frozen_cli_reads_an_xlsx_release(tmp_path: Path) -> None:
    """python-calamine (a compiled wheel, imported only for .xlsx files) is in the bundle and
    works frozen: the CLI previews an NCCI part shipped as a workbook."""
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks import cms_files as cf
    finally:
        sys.path.remove(str(ROOT))
    pytest.importorskip("xlsxwriter")
    rows: list[list[object]] = [list(line.split("\t")) for line in cf.NCCI_PREAMBLE]
    rows += [["97530", 97116, "", 20200101, "*", 0, "Mutually exclusive procedures"]]
    book = cf.write_xlsx(tmp_path / "ccipra-v323r0-f4.xlsx", rows)
    proc = _run(CLI, "import", "ncci", str(book), data_dir=tmp_path / "data")
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "part f4: 1 rows read, 1 kept, 0 skipped, 0 rejected" in proc.stdout, proc.stdout
    assert "Preview only: nothing was changed." in proc.stdout
    assert _unexpected(proc.stderr) == [], proc.stderr
