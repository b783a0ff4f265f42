#!/usr/bin/env bash
# Re-take the user-guide screenshots (docs/USER-GUIDE.md): the real app on Xvfb with the xcb
# platform, driven by the keyboard only (xdotool), with a throw-away data folder, sample CMS
# files made by benchmarks/cms_files.py and a throw-away clinic folder.
# Needs: apt-get install xvfb xdotool imagemagick libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
#   libxkbcommon-x11-0
# Usage: docs/guide/take.sh [APP_COMMAND]   (default: .venv/bin/ptcodes-gui)
set -euo pipefail
cd "$(dirname "$0")/../.."
APP=${1:-.venv/bin/ptcodes-gui}
PY=${PYTHON:-.venv/bin/python}
OUT=docs/guide
WORK=$(mktemp -d)
export DISPLAY=:59 QT_QPA_PLATFORM=xcb PTCODES_DATA_DIR=$WORK/data PTCODES_CLINIC_DIR=$WORK/clinic
export PTCODES_CONFIG_FILE=$WORK/no-machine-config
mkdir -p "$PTCODES_CLINIC_DIR"
Xvfb :59 -screen 0 1280x800x24 >/dev/null 2>&1 &
XVFB=$!
APP_PID=
trap 'kill $APP_PID $XVFB 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

# The quarter's CMS files, shaped exactly like CMS ships them (a few PT rows each).
"$PY" - "$WORK/cms" <<'PY'
import sys
from pathlib import Path
sys.path.insert(0, ".")
from benchmarks import cms_files as cf
out = Path(sys.argv[1])
rows = [cf.ncci_row("97530", "97116"), cf.ncci_row("97530", "97140"),
        cf.ncci_row("97140", "97124", indicator="0"), cf.ncci_row("97161", "97140"),
        cf.ncci_row("97150", "97110")]
cf.write_ncci_part(out, rows, part=1, zipped=True)
mue = [("97110", 4, 3, "Clinical: Data"), ("97140", 4, 3, "Clinical: Data"),
       ("97530", 4, 3, "Clinical: Data"), ("97116", 4, 3, "Clinical: Data"),
       ("97161", 1, 2, "Code Descriptor / CPT Instruction")]
(out / cf.mue_name("01-01-2027")).write_bytes(cf.mue_csv(mue))
PY
NCCI=$(ls "$WORK"/cms/*.zip)
MUE=$(ls "$WORK"/cms/*.csv)

for _ in $(seq 40); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.25; done
$APP >"$WORK/app.log" 2>&1 &
APP_PID=$!
WID=
for _ in $(seq 80); do WID=$(xdotool search --name '^PT Codes$' 2>/dev/null | head -1) && [ -n "$WID" ] && break; sleep 0.25; done
[ -n "$WID" ] || { echo "take.sh: the window did not appear"; cat "$WORK/app.log"; exit 1; }
xdotool windowmove "$WID" 0 0 windowsize "$WID" 1280 800
sleep 1
focus() { xdotool windowfocus --sync "$WID"; sleep 0.3; }
shot() { sleep 0.8; import -window root "$OUT/$1.png"; echo "wrote $OUT/$1.png"; }
key() { xdotool key --delay 120 "$@"; sleep 0.4; }
typ() { xdotool type --delay 40 "$1"; sleep 0.5; }
import_file() {  # File > &Import CMS files or clinic lists... (mnemonic i), one file
    focus; key alt+f; key i; sleep 0.8; typ "$1"; key Return; sleep 2.5
}
focus

# 1. Look a code up: shorthand, the detail pane follows the selection.
key ctrl+k; typ "therex"; sleep 0.6
shot 1-lookup

# 2. Build a visit: codes with minutes, a diagnosis, then copy it for the EHR.
key alt+d; typ "97110=25"; key Return
typ "97140=15"; key Return
typ "M25.561"; key Return
key ctrl+shift+c
shot 2-visit

# 3. Import the quarter's CMS files: preview first, then Apply.
import_file "$NCCI"
shot 3-import-preview
key Return; sleep 1.5          # Apply
import_file "$MUE"
key Return; sleep 1.5
focus; key ctrl+k; typ "97530"; sleep 0.8
shot 4-imported

# 4. Publish them to the clinic folder (File > Publish to clinic folder...), then answer Yes.
focus; key alt+f; key p; sleep 1.2
shot 5-publish-question
key alt+y; sleep 3

# 5. A second workstation: its own (empty) data folder, the same clinic folder.
kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true
export PTCODES_DATA_DIR=$WORK/data-second-pc
$APP >>"$WORK/app.log" 2>&1 &
APP_PID=$!
WID=
for _ in $(seq 80); do WID=$(xdotool search --name '^PT Codes$' 2>/dev/null | head -1) && [ -n "$WID" ] && break; sleep 0.25; done
xdotool windowmove "$WID" 0 0 windowsize "$WID" 1280 800
sleep 4   # the first clinic-folder sync runs in the background right after the start
focus; key ctrl+k; typ "97530"; sleep 0.8
shot 6-second-pc

echo "app log:"; cat "$WORK/app.log"; [ -z "${KEEP:-}" ] || echo "kept $WORK"
