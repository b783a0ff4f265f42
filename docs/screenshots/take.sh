#!/usr/bin/env bash
# Re-take the README screenshots: the real app on Xvfb with the xcb platform, driven by the
# keyboard only (xdotool). Needs: apt-get install xvfb xdotool imagemagick xclip
#   libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0
# Usage: docs/screenshots/take.sh [APP_COMMAND]   (default: .venv/bin/ptcodes-gui)
set -euo pipefail
cd "$(dirname "$0")/../.."
APP=${1:-.venv/bin/ptcodes-gui}
OUT=docs/screenshots
export DISPLAY=:57 QT_QPA_PLATFORM=xcb PTCODES_DATA_DIR=$(mktemp -d)
Xvfb :57 -screen 0 1024x700x24 >/dev/null 2>&1 &
XVFB=$!
trap 'kill $APP_PID $XVFB 2>/dev/null || true; rm -rf "$PTCODES_DATA_DIR"' EXIT
sleep 1
$APP >/tmp/ptcodes-shots.log 2>&1 &
APP_PID=$!
for _ in $(seq 50); do WID=$(xdotool search --name '^PT Codes$' 2>/dev/null | head -1) && [ -n "$WID" ] && break; sleep 0.2; done
xdotool windowmove "$WID" 0 0 windowsize "$WID" 1024 700
sleep 1
xdotool windowfocus --sync "$WID"
xdotool mousemove 1023 699
sleep 0.5
shot() { sleep 0.6; import -window root "$OUT/$1.png"; echo "wrote $OUT/$1.png"; }
key() { xdotool key --delay 120 "$@"; sleep 0.3; }
typ() { xdotool type --delay 60 "$1"; sleep 0.4; }

shot browse
key ctrl+k; typ "ther act"; sleep 0.4; key Return
key ctrl+k; typ "97140"; sleep 0.4; key Return
key ctrl+k; typ "pain right knee"; sleep 0.4; key Return
key alt+l Up Home Right; typ 23; key Return Down; typ 15; key Return
key ctrl+k; typ "ther act"; sleep 0.4
key ctrl+shift+c
shot search-timed
echo "clipboard:"; xclip -o -selection clipboard || true; echo
key ctrl+k; typ "97127"; shot deleted-code
key ctrl+k; typ "m54.5"; key Down; shot diagnosis
