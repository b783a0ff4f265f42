#!/usr/bin/env bash
# Start a PT Codes executable on a real X server (Xvfb, QT_QPA_PLATFORM=xcb), wait for its window,
# (WM_CLASS instance "ptcodes-gui", the executable name) take a screenshot, close it, and fail if it died or printed unexpected stderr. Idempotent; the
# Xvfb it starts is stopped again (by PID).
#
#   packaging/linux/xvfb_screenshot.sh [EXE] [OUT.png]
#       EXE  default dist/ptcodes-gui/ptcodes-gui   (use /usr/bin/ptcodes-gui after installing the .deb)
#       OUT  default docs/screenshots/frozen-xcb.png
#
# Needs (Debian): xvfb xdotool imagemagick (for `import`). Uses a throw-away PTCODES_DATA_DIR.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EXE=${1:-$ROOT/dist/ptcodes-gui/ptcodes-gui}
OUT=${2:-$ROOT/docs/screenshots/frozen-xcb.png}
for tool in Xvfb xdotool import; do
    command -v "$tool" >/dev/null || { echo "xvfb_screenshot.sh: $tool missing (apt-get install xvfb xdotool imagemagick)" >&2; exit 1; }
done
[[ -x "$EXE" ]] || { echo "xvfb_screenshot.sh: $EXE is not executable" >&2; exit 1; }

DISPLAY_NUM=${XVFB_DISPLAY:-99}
while [[ -e /tmp/.X11-unix/X$DISPLAY_NUM || -e /tmp/.X$DISPLAY_NUM-lock ]]; do DISPLAY_NUM=$((DISPLAY_NUM + 1)); done
TMP=$(mktemp -d)
XVFB_PID=""; APP_PID=""
cleanup() {
    if [[ -n "$APP_PID" ]]; then kill "$APP_PID" 2>/dev/null || true; fi
    if [[ -n "$XVFB_PID" ]]; then kill "$XVFB_PID" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

Xvfb ":$DISPLAY_NUM" -screen 0 1280x800x24 -nolisten tcp >"$TMP/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 50); do [[ -e /tmp/.X11-unix/X$DISPLAY_NUM ]] && break; sleep 0.1; done
export DISPLAY=":$DISPLAY_NUM" QT_QPA_PLATFORM=xcb PTCODES_DATA_DIR="$TMP/data"
unset WAYLAND_DISPLAY

start=$(date +%s%N)
"$EXE" >"$TMP/stdout" 2>"$TMP/stderr" &
APP_PID=$!
if ! WID=$(timeout 20 xdotool search --sync --onlyvisible --classname ptcodes-gui 2>/dev/null | head -1) || [[ -z "$WID" ]]; then
    echo "xvfb_screenshot.sh: no window appeared within 20 s" >&2
    cat "$TMP/stderr" >&2
    exit 1
fi
shown=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 1.5  # let it finish painting
mkdir -p "$(dirname "$OUT")"
import -window root "$OUT"
echo "xvfb_screenshot.sh: window \"$(xdotool getwindowname "$WID")\" mapped after ${shown} ms; screenshot $OUT"
kill -0 "$APP_PID" 2>/dev/null || { echo "xvfb_screenshot.sh: the app exited early" >&2; cat "$TMP/stderr" >&2; exit 1; }
kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=""

# Harmless lines: none expected on xcb today; list any that appear here with the reason.
if grep -v -E '^\s*$' "$TMP/stderr" >"$TMP/unexpected"; then
    echo "xvfb_screenshot.sh: unexpected stderr:" >&2
    cat "$TMP/unexpected" >&2
    exit 1
fi
echo "xvfb_screenshot.sh: stderr clean"
