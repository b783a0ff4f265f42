#!/usr/bin/env bash
# Prove the .deb's Depends are complete: install it with apt into a *minimal* Debian (debootstrap
# --variant=minbase: no X, no fonts, no Qt libraries), then run the CLI, the GUI smoke test on
# the offscreen platform, the GUI on a real X server (a throw-away Xvfb, screenshot), and
# `dpkg -r`. Root only (chroot, mount). Idempotent: the pristine minbase tree is cached as
# build/debootstrap-<suite>.tar (first run ~2 min of downloads from the Debian mirror) and every
# run unpacks a fresh copy, which is removed at the end.
#
#   sudo packaging/linux/test_deb_minimal.sh [DEB]       # default: the newest dist/ptcodes-gui_*.deb
#
# Env: SUITE (default bookworm), MIRROR (default http://deb.debian.org/debian),
#      SCREENSHOT (default docs/screenshots/deb-minimal-xcb.png; empty = skip the X check).
# Needs: debootstrap; for the X check also xvfb and imagemagick on the host.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
SUITE=${SUITE:-bookworm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SCREENSHOT=${SCREENSHOT-docs/screenshots/deb-minimal-xcb.png}
DEB=${1:-$(find dist -maxdepth 1 -name 'ptcodes-gui_*.deb' -printf '%T@ %p\n' 2>/dev/null | sort -rn | head -1 | cut -d' ' -f2-)}
[[ $EUID -eq 0 ]] || { echo "test_deb_minimal.sh: needs root (chroot)" >&2; exit 1; }
[[ -f "$DEB" ]] || { echo "test_deb_minimal.sh: no .deb; run packaging/linux/build_deb.sh" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "test_deb_minimal.sh: apt-get install debootstrap" >&2; exit 1; }

CACHE=build/debootstrap-$SUITE.tar
if [[ ! -f "$CACHE" ]]; then
    echo "test_deb_minimal.sh: debootstrap --variant=minbase $SUITE (once, cached in $CACHE)"
    tmp=$(mktemp -d)
    debootstrap --variant=minbase "$SUITE" "$tmp/root" "$MIRROR" >"$tmp/log" 2>&1 \
        || { tail -20 "$tmp/log" >&2; exit 1; }
    mkdir -p build
    tar -C "$tmp/root" -cf "$CACHE.part" . && mv "$CACHE.part" "$CACHE"
    rm -rf "$tmp"
fi

CH=$(mktemp -d /tmp/ptcodes-debtest.XXXXXX)
XVFB_PID=""
cleanup() {
    if [[ -n "$XVFB_PID" ]]; then kill "$XVFB_PID" 2>/dev/null || true; fi
    for m in "$CH/tmp/.X11-unix" "$CH/proc"; do
        if mountpoint -q "$m" 2>/dev/null; then umount "$m" || umount -l "$m" || true; fi
    done
    rm -rf --one-file-system "$CH"
}
trap cleanup EXIT
tar -C "$CH" -xf "$CACHE"
mount -t proc proc "$CH/proc"
cp /etc/resolv.conf "$CH/etc/resolv.conf" 2>/dev/null || true
cp "$DEB" "$CH/tmp/"
debname=$(basename "$DEB")

echo "test_deb_minimal.sh: apt-get install ./$debname into minimal $SUITE"
chroot "$CH" apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive chroot "$CH" apt-get install -y -qq --no-install-recommends "/tmp/$debname" \
    >"$CH/tmp/apt.log" 2>&1 || { tail -30 "$CH/tmp/apt.log" >&2; exit 1; }
grep -c '^Setting up' "$CH/tmp/apt.log" | sed 's/^/    packages set up: /'

echo "test_deb_minimal.sh: ptcodes show 97110 --json"
chroot "$CH" sh -c 'cd /tmp && ptcodes show 97110 --json' \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["code"]=="97110" and d["timed"] is True; print("    ok: 97110, timed")'

echo "test_deb_minimal.sh: ptcodes-gui --smoke-test (offscreen)"
chroot "$CH" sh -c 'cd /tmp && PTCODES_DATA_DIR=/tmp/appdata QT_QPA_PLATFORM=offscreen ptcodes-gui --smoke-test' \
    | sed 's/^/    /'

if [[ -n "$SCREENSHOT" ]]; then
    if ! command -v Xvfb >/dev/null || ! command -v import >/dev/null; then
        echo "test_deb_minimal.sh: apt-get install xvfb imagemagick (or SCREENSHOT=)" >&2; exit 1
    fi
    n=170; while [[ -e /tmp/.X11-unix/X$n || -e /tmp/.X$n-lock ]]; do n=$((n + 1)); done
    Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
    XVFB_PID=$!
    for _ in $(seq 50); do [[ -e /tmp/.X11-unix/X$n ]] && break; sleep 0.1; done
    mkdir -p "$CH/tmp/.X11-unix"
    mount --bind /tmp/.X11-unix "$CH/tmp/.X11-unix"
    echo "test_deb_minimal.sh: ptcodes-gui on X (xcb) for 6 s"
    set +e
    chroot "$CH" sh -c "cd /tmp && DISPLAY=:$n QT_QPA_PLATFORM=xcb PTCODES_DATA_DIR=/tmp/appdata2 \
        timeout 6 ptcodes-gui >/tmp/xcb.out 2>&1" &
    gui=$!
    sleep 4
    mkdir -p "$(dirname "$SCREENSHOT")"
    DISPLAY=":$n" import -window root "$SCREENSHOT"
    wait "$gui"; rc=$?
    set -e
    [[ $rc -eq 124 ]] || { echo "test_deb_minimal.sh: ptcodes-gui exited early ($rc)" >&2; cat "$CH/tmp/xcb.out" >&2; exit 1; }
    if [[ -s "$CH/tmp/xcb.out" ]]; then echo "    stderr:"; sed 's/^/      /' "$CH/tmp/xcb.out"; else echo "    ran, stderr clean; screenshot $SCREENSHOT"; fi
fi

echo "test_deb_minimal.sh: dpkg -r"
chroot "$CH" dpkg -r ptcodes-gui >/dev/null
[[ ! -e "$CH/opt/ptcodes-gui" && ! -e "$CH/usr/bin/ptcodes-gui" ]] || { echo "test_deb_minimal.sh: files left after dpkg -r" >&2; exit 1; }
echo "test_deb_minimal.sh: all good"
