#!/usr/bin/env bash
# Build the PT Codes bundle: dist/ptcodes-gui/ (PyInstaller onedir: ptcodes-gui + ptcodes
# executables, _internal/ with Python, Qt and the catalog) and a compressed copy of it,
# dist/ptcodes-gui-<version>-<os>-<arch>.tar.gz. Prints build time, folder and archive sizes.
#
#   packaging/build.sh            # from anywhere; idempotent (cleans build/ and the old bundle)
#
# Needs: PyInstaller in the Python used (pip install '.[build]' or 'pyinstaller>=6.10,<7'),
# and the catalog (ptcodes_gui/data/catalog.sqlite, or a pip-installed ptcodes-gui that built it).
# Env: PYTHON (default .venv/bin/python, else python3), SOURCE_DATE_EPOCH (default: time of the
# last git commit; 315532800 = 1980-01-01 if there is none). PYTHONHASHSEED is forced to 0.
# Two runs from the same tree with the same SOURCE_DATE_EPOCH give byte-identical bundles on Linux
# (docs/PACKAGING.md). Runs on Linux, macOS and Git Bash on Windows (the CI workflow uses it).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python
    elif [[ -x .venv/Scripts/python.exe ]]; then PYTHON=.venv/Scripts/python.exe
    else PYTHON=python3; command -v python3 >/dev/null || PYTHON=python
    fi
fi
export PYTHONHASHSEED=0
if [[ -z "${SOURCE_DATE_EPOCH:-}" ]]; then
    SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || true)
    SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-315532800}
fi
export SOURCE_DATE_EPOCH

if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
    echo "build.sh: PyInstaller is missing in $PYTHON; install it with:" >&2
    echo "    $PYTHON -m pip install 'pyinstaller>=6.10,<7'    (or: pip install '.[build]')" >&2
    exit 1
fi

VERSION=$("$PYTHON" -c "import tomllib; print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")
echo "build.sh: ptcodes-gui $VERSION, $("$PYTHON" -m PyInstaller --version 2>/dev/null | tail -1 | sed 's/^/PyInstaller /'), SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"

rm -rf build/build dist/ptcodes-gui "dist/PT Codes.app"
start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN build.spec
end=$(date +%s)

BUNDLE=dist/ptcodes-gui
[[ -d "$BUNDLE" ]] || { echo "build.sh: $BUNDLE was not produced" >&2; exit 1; }

# Reproducible archive (sorted names, fixed mtimes/owners, gzip without timestamp), written by
# Python so it behaves the same with GNU tar, BSD tar and Git Bash.
"$PYTHON" - "$BUNDLE" "$VERSION" "$((end - start))" <<'PY'
import gzip, os, platform, sys, tarfile
from pathlib import Path

bundle, version, seconds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
epoch = int(os.environ["SOURCE_DATE_EPOCH"])
osname = {"linux": "linux", "darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform)
arch = platform.machine().lower().replace("amd64", "x86_64").replace("arm64", "aarch64")
out = bundle.parent / f"ptcodes-gui-{version}-{osname}-{arch}.tar.gz"

def norm(ti):
    ti.mtime = epoch
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = ""
    return ti

with open(out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9, filename="") as gz:
    with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        paths = [bundle, *sorted(bundle.rglob("*"))]
        for p in paths:
            tar.add(p, arcname=str(p.relative_to(bundle.parent)), recursive=False, filter=norm)

files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
total = sum(p.stat().st_size for p in files)
top = {}
internal = bundle / "_internal"
for p in files:
    rel = p.relative_to(internal) if internal in p.parents else p.relative_to(bundle)
    key = "/".join(rel.parts[:3]) if rel.parts[0] == "PySide6" else rel.parts[0]
    top[key] = top.get(key, 0) + p.stat().st_size
print(f"build.sh: build time {seconds // 60} min {seconds % 60} s")
print(f"build.sh: bundle  {bundle}/  {total / 2**20:.1f} MiB in {len(files)} files")
print(f"build.sh: archive {out}  {out.stat().st_size / 2**20:.1f} MiB")
print("build.sh: largest parts:")
for key, size in sorted(top.items(), key=lambda kv: -kv[1])[:12]:
    print(f"    {size / 2**20:7.1f} MiB  {key}")
PY
