#!/usr/bin/env bash
# Compile the Windows installer dist/ptcodes-gui-<version>-setup.exe with NSIS (makensis) from
# the PyInstaller bundle dist/ptcodes-gui/ (run packaging/build.sh first). Idempotent.
#
#   packaging/windows/build_nsis.sh
#
# On Windows (CI, Git Bash) the bundle holds ptcodes-gui.exe and the result is the real setup.
# On Linux it compiles the same script against the Linux bundle as a stand-in payload, which
# proves the .nsi is valid; that output is named *-setup-LINUX-PAYLOAD-TEST.exe and must not be
# shipped. makensis: Debian `apt-get install nsis`, Windows `choco install nsis` (or the copy
# preinstalled on GitHub's Windows images).
# Env: BUNDLE (default dist/ptcodes-gui), OUT_DIR (default dist), MAKENSIS, PYTHON, NSIS_TARGET
# (amd64-unicode: a 64-bit setup, only to test it under a 64-bit-only Wine).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
BUNDLE=${BUNDLE:-dist/ptcodes-gui}
OUT_DIR=${OUT_DIR:-dist}
PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null || PYTHON=python

MAKENSIS=${MAKENSIS:-}
if [[ -z "$MAKENSIS" ]]; then
    for cand in makensis "/c/Program Files (x86)/NSIS/makensis.exe" "/c/Program Files/NSIS/makensis.exe"; do
        if command -v "$cand" >/dev/null 2>&1; then MAKENSIS=$cand; break; fi
    done
fi
[[ -n "$MAKENSIS" ]] || { echo "build_nsis.sh: makensis not found (apt-get install nsis / choco install nsis)" >&2; exit 1; }
[[ -d "$BUNDLE/_internal" ]] || { echo "build_nsis.sh: no bundle at $BUNDLE; run packaging/build.sh first" >&2; exit 1; }

VERSION=$("$PYTHON" -c "import tomllib; print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")
VERSION4=$("$PYTHON" -c "
import re, sys
nums = [int(n) for n in re.findall(r'\d+', sys.argv[1].split('+')[0])[:4]]
print('.'.join(map(str, (nums + [0, 0, 0, 0])[:4])))" "$VERSION")

if [[ -f "$BUNDLE/ptcodes-gui.exe" ]]; then
    OUT=$OUT_DIR/ptcodes-gui-$VERSION-setup.exe
else
    OUT=$OUT_DIR/ptcodes-gui-$VERSION-setup-LINUX-PAYLOAD-TEST.exe
    echo "build_nsis.sh: $BUNDLE is not a Windows bundle: compiling with it as a stand-in payload"
fi
mkdir -p "$OUT_DIR"
rm -f "$OUT"

native() {  # makensis.exe on Windows wants Windows paths
    if command -v cygpath >/dev/null 2>&1; then cygpath -w "$1"; else printf '%s\n' "$1"; fi
}

EXTRA=()
[[ -n "${NSIS_TARGET:-}" ]] && EXTRA+=("-DTARGET=$NSIS_TARGET")  # e.g. amd64-unicode (Wine test)
"$MAKENSIS" -V2 -INPUTCHARSET UTF8 "${EXTRA[@]}" \
    "-DVERSION=$VERSION" "-DVERSION4=$VERSION4" \
    "-DBUNDLE_DIR=$(native "$ROOT/$BUNDLE")" \
    "-DOUT_FILE=$(native "$ROOT/$OUT")" \
    "-DICON=$(native "$ROOT/packaging/icons/ptcodes-gui.ico")" \
    "$(native "$ROOT/packaging/windows/ptcodes.nsi")"

echo "build_nsis.sh: $OUT  $(du -h "$OUT" | cut -f1)"
