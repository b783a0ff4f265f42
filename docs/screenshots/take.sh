#!/usr/bin/env bash
# Re-take the README screenshots: the real app on Xvfb with the xcb platform, driven by the
# keyboard only (xdotool), at the three workstation sizes of issue 15. Each run starts with
# an empty data folder (a first run: the window sizes itself from the screen) and prints
# what the visit copy put on the clipboard (read back with xclip).
#
# Needs: apt-get install xvfb xdotool xclip x11-utils imagemagick (openbox: used if there)
#        libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0
# Usage: docs/screenshots/take.sh [APP_COMMAND]   (default: .venv/bin/ptcodes-gui)
#   SIZES="1366x768:1 1024x600:1 1366x768:1.5" overrides the WIDTHxHEIGHT:SCALE list.
set -euo pipefail
cd "$(dirname "$0")/../.."
APP=${1:-.venv/bin/ptcodes-gui}
OUT=docs/screenshots
SIZES=${SIZES:-"1366x768:1 1024x600:1 1366x768:1.5"}
for tool in Xvfb xdotool xclip import; do
    command -v "$tool" >/dev/null || { echo "take.sh: $tool missing" >&2; exit 1; }
done
export QT_QPA_PLATFORM=xcb LANG=C.UTF-8
unset WAYLAND_DISPLAY QT_SCALE_FACTOR

XVFB=""; APP_PID=""; DATA=""; WM=""
stop() {
    [[ -n "$APP_PID" ]] && kill "$APP_PID" 2>/dev/null || true
    [[ -n "$WM" ]] && kill "$WM" 2>/dev/null || true
    [[ -n "$XVFB" ]] && kill "$XVFB" 2>/dev/null || true
    wait 2>/dev/null || true
    [[ -n "$DATA" ]] && rm -rf "$DATA"
    APP_PID=""; XVFB=""; DATA=""; WM=""
}
trap stop EXIT

shot() { sleep 0.8; import -window root "png8:$OUT/$1.png"; echo "wrote $OUT/$1.png"; }
key() { xdotool key --clearmodifiers --delay 100 "$@"; sleep 0.35; }
typ() { xdotool type --delay 50 "$1"; sleep 0.5; }
# No window manager on Xvfb: a dialog does not take the keyboard by itself.
focus() { local d; d=$(timeout 10 xdotool search --sync --onlyvisible --name "$1" | tail -1); xdotool windowfocus --sync "$d"; sleep 0.3; }

run() {  # run WIDTH HEIGHT SCALE NAME
    local w=$1 h=$2 scale=$3 name=$4 display=:57
    while [[ -e /tmp/.X${display#:}-lock ]]; do display=":$(( ${display#:} + 1 ))"; done
    DATA=$(mktemp -d)
    Xvfb "$display" -screen 0 "${w}x${h}x24" -nolisten tcp >/dev/null 2>&1 &
    XVFB=$!
    for _ in $(seq 50); do [[ -e /tmp/.X11-unix/X${display#:} ]] && break; sleep 0.1; done
    # a window manager when there is one (apt-get install openbox): frames, focus, maximise
    if command -v openbox >/dev/null; then DISPLAY=$display openbox >/dev/null 2>&1 & WM=$!; sleep 0.8; fi
    DISPLAY=$display PTCODES_DATA_DIR=$DATA QT_SCALE_FACTOR=$scale $APP >"$DATA.log" 2>&1 &
    APP_PID=$!
    export DISPLAY=$display
    WID=$(timeout 30 xdotool search --sync --onlyvisible --name '^PT Codes$' | head -1)
    sleep 1.5
    xdotool windowfocus --sync "$WID"
    xdotool mousemove $((w - 1)) $((h - 1))
    echo "== $name: screen ${w}x${h}, scale $scale, window $(xdotool getwindowgeometry "$WID" | tail -1)"

    # the issue's scenario, keyboard only
    key ctrl+k; typ "ther act"; key Return      # adds 97530; focus is in its Minutes
    typ "23"; key Return                        # minutes; back in the search box
    typ "97140=15"; key Return                  # CODE=MIN in the search box
    key ctrl+shift+a; typ "M25.561"; key Return       # the diagnosis, in the Add field
    key ctrl+shift+c
    echo "-- clipboard (text):"; xclip -o -selection clipboard; echo
    shot "visit-$name"
    key alt+o Down Return                       # copy format: TSV
    key ctrl+shift+c
    echo "-- clipboard (TSV):"; xclip -o -selection clipboard | cat -A | sed 's/\^I/<TAB>/g'; echo
    key ctrl+l Right Right F2; shot "by-editor-$name"; key Escape  # the By (provider) editor
    key ctrl+k; typ "97127"; shot "search-$name"
    key ctrl+slash; focus '^Keyboard shortcuts$'; shot "shortcuts-$name"; key Escape
    xdotool windowfocus --sync "$WID"
    if [[ "$name" == "1366x768" ]]; then billable; fi
    key ctrl+shift+a; typ "97110=8"; key Return  # the visit changed since its copy
    key ctrl+q; focus '^Visit not copied$'; shot "quit-$name"; key Escape  # Esc: Cancel
    xdotool getwindowname "$WID" >/dev/null && echo "-- still open after Cancel"
    xdotool windowfocus --sync "$WID"
    # Copy and quit: the window goes; without a clipboard manager PT Codes stays (no
    # window) until the visit is pasted once, then exits
    key ctrl+q; focus '^Visit not copied$'; key Return; sleep 1.5
    kill -0 "$APP_PID" 2>/dev/null && echo "-- window closed, the visit still served"
    echo "-- clipboard after Copy and quit:"; xclip -o -selection clipboard; echo
    for _ in $(seq 50); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$APP_PID" 2>/dev/null && echo "-- still running" || echo "-- exited after the paste"
    APP_PID=""
    stop
}

billable() {  # a PTA on Medicare evaluating: Copy copies only the lines without errors
    key ctrl+n; key alt+y Down                   # By: PTA
    key ctrl+shift+a; typ "97161"; key Return; typ "97164"; key Return
    typ "97110=30"; key Return
    shot "billable-$name"
    key ctrl+shift+c; focus '^The visit has errors$'; key alt+c
    xdotool windowfocus --sync "$WID"
    echo "-- clipboard (lines without errors):"; xclip -o -selection clipboard; echo
    key ctrl+z ctrl+z ctrl+z ctrl+z; key alt+y Up  # the visit before, by the PT again
}

rm -f "$OUT"/visit-*.png "$OUT"/search-*.png "$OUT"/shortcuts-*.png "$OUT"/quit-*.png \
      "$OUT"/by-editor-*.png "$OUT"/billable-*.png
for spec in $SIZES; do
    size=${spec%%:*}; scale=${spec##*:}
    w=${size%%x*}; h=${size##*x}
    name="${w}x${h}"; [[ "$scale" != "1" ]] && name="${name}-scale${scale}"
    run "$w" "$h" "$scale" "$name"
done
cp "$OUT/visit-1366x768.png" "$OUT/search-timed.png" 2>/dev/null || true  # the README's
