#!/usr/bin/env bash
# Build the Debian/Ubuntu package dist/ptcodes-gui_<version>_<arch>.deb from the PyInstaller
# bundle dist/ptcodes-gui/ (run packaging/build.sh first). Idempotent; needs dpkg-deb (any
# Debian/Ubuntu), optionally lintian (checked when present).
#
#   packaging/linux/build_deb.sh            # BUNDLE=dist/ptcodes-gui by default
#
# Layout of the package:
#   /opt/ptcodes-gui/                         the bundle as built (ptcodes-gui, ptcodes, _internal/)
#   /usr/bin/ptcodes-gui, /usr/bin/ptcodes    symlinks into /opt (the bootloader follows them)
#   /usr/share/applications/ptcodes-gui.desktop
#   /usr/share/icons/hicolor/{16..512}x*/apps/ptcodes-gui.png, scalable/apps/ptcodes-gui.svg
#   /usr/share/man/man1/ptcodes-gui.1.gz, ptcodes.1.gz
#   /usr/share/doc/ptcodes-gui/copyright, changelog.gz, THIRD-PARTY-NOTICES.txt (from the bundle)
#   /etc/ptcodes-gui/config                   machine-wide settings (conffile, all comments:
#                                             packaging/linux/config; read by userdata/config.py)
#   /usr/share/lintian/overrides/ptcodes-gui  (why: /opt layout and the bundled Python/Qt)
# No maintainer scripts: dpkg's file triggers refresh the icon cache and the desktop database.
#
# Depends: is computed, not hand-kept: every DT_NEEDED soname of every ELF file in the bundle
# that the bundle does not carry itself is mapped to its Debian package (table below, or
# `dpkg -S` on this machine); an unknown soname fails the build. libc6 gets the highest
# GLIBC_x.y symbol version the bundle uses.
#
# Env: BUNDLE, OUT_DIR (default dist), PTCODES_MAINTAINER, SOURCE_DATE_EPOCH (defaults like
# build.sh), PYTHON (only to read pyproject.toml; python3 works).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
BUNDLE=${BUNDLE:-dist/ptcodes-gui}
OUT_DIR=${OUT_DIR:-dist}
MAINTAINER=${PTCODES_MAINTAINER:-"PT Codes team <support@ptcodes.invalid>"}
PYTHON=${PYTHON:-python3}
if [[ -z "${SOURCE_DATE_EPOCH:-}" ]]; then
    SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || true)
    SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-315532800}
fi
export SOURCE_DATE_EPOCH

[[ -x "$BUNDLE/ptcodes-gui" ]] || { echo "build_deb.sh: no bundle at $BUNDLE; run packaging/build.sh first" >&2; exit 1; }
command -v dpkg-deb >/dev/null || { echo "build_deb.sh: dpkg-deb not found (Debian/Ubuntu only)" >&2; exit 1; }

read -r PKG VERSION < <("$PYTHON" - <<'PY'
import tomllib
p = tomllib.load(open("pyproject.toml", "rb"))["project"]
print(p["name"], p["version"])
PY
)
# PEP 440 -> Debian: pre-releases sort before the release (0.2.0rc1 -> 0.2.0~rc1).
DEB_VERSION=$(sed -E 's/\.?(dev|a|b|rc)([0-9]*)/~\1\2/; s/\+/+local/' <<<"$VERSION")
ARCH=$(dpkg --print-architecture)
STAGE=build/deb/${PKG}_${DEB_VERSION}_${ARCH}
DEB=$OUT_DIR/${PKG}_${DEB_VERSION}_${ARCH}.deb
OPT=/opt/$PKG

rm -rf "$STAGE" "$DEB"
mkdir -p "$STAGE/DEBIAN" "$STAGE$OPT" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$STAGE/usr/share/doc/$PKG" "$STAGE/usr/share/man/man1" "$STAGE/usr/share/lintian/overrides" \
    "$OUT_DIR"

# ---- payload ---------------------------------------------------------------------------------
cp -a "$BUNDLE/." "$STAGE$OPT/"
ln -s "$OPT/ptcodes-gui" "$STAGE/usr/bin/ptcodes-gui"
ln -s "$OPT/ptcodes" "$STAGE/usr/bin/ptcodes"

for png in packaging/icons/png/ptcodes-gui-*.png; do
    size=${png##*-}; size=${size%.png}
    install -D -m 644 "$png" "$STAGE/usr/share/icons/hicolor/${size}x${size}/apps/ptcodes-gui.png"
done
install -D -m 644 packaging/icons/ptcodes-gui.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/ptcodes-gui.svg"
install -m 644 packaging/linux/ptcodes-gui.desktop "$STAGE/usr/share/applications/ptcodes-gui.desktop"
# The machine-wide settings: a conffile, so dpkg keeps IT's edits on upgrade and asks on conflict.
install -D -m 644 packaging/linux/config "$STAGE/etc/$PKG/config"
[[ -f "$BUNDLE/THIRD-PARTY-NOTICES.txt" ]] || { echo "build_deb.sh: $BUNDLE/THIRD-PARTY-NOTICES.txt missing (build.spec writes it)" >&2; exit 1; }
install -m 644 "$BUNDLE/THIRD-PARTY-NOTICES.txt" "$STAGE/usr/share/doc/$PKG/THIRD-PARTY-NOTICES.txt"

cat > "$STAGE/usr/share/man/man1/ptcodes-gui.1" <<EOF
.TH PTCODES-GUI 1 "" "$PKG $VERSION" "User Commands"
.SH NAME
ptcodes-gui \- PT Codes, offline reference for physical therapy billing codes
.SH SYNOPSIS
.B ptcodes-gui
.RB [ \-\-smoke\-test ]
.SH DESCRIPTION
Opens the PT Codes window: search CPT/HCPCS and ICD-10-CM codes, read the billing notes,
and copy codes for the EHR. Everything runs offline from the catalog in $OPT.
.TP
.B \-\-smoke\-test
build the window, open the catalog, search, copy, and exit 0 (used to test an installation).
.SH FILES
.I $OPT
(program and catalog, read-only); user data lives in the XDG data directory.
.TP
.I /etc/$PKG/config
machine-wide settings for every user: the clinic data folder
.RB ( "[clinic] folder = /mnt/clinic/ptcodes" )
and whether this computer may publish to it
.RB ( "publish = no" ).
.SH ENVIRONMENT
.TP
.B PTCODES_CLINIC_DIR
the clinic data folder; overrides the user's choice and the config file.
.TP
.B PTCODES_DATA_DIR
the folder for the user's own data instead of the XDG data directory.
.SH SEE ALSO
.BR ptcodes (1)
EOF
cat > "$STAGE/usr/share/man/man1/ptcodes.1" <<EOF
.TH PTCODES 1 "" "$PKG $VERSION" "User Commands"
.SH NAME
ptcodes \- PT Codes on the command line
.SH SYNOPSIS
.B ptcodes
.RI { search | show | info }
.RI [ options ]
.SH DESCRIPTION
Looks up physical therapy CPT/HCPCS and ICD-10-CM codes offline, for example
.B ptcodes show 97110 \-\-json .
Run
.B ptcodes \-\-help
for the commands and options.
.SH EXIT STATUS
0 success, 1 nothing found, 2 bad usage.
.SH SEE ALSO
.BR ptcodes-gui (1)
EOF
gzip -9n "$STAGE/usr/share/man/man1/"*.1

DATE_RFC2822=$(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH" -R 2>/dev/null || LC_ALL=C date -u -r "$SOURCE_DATE_EPOCH" -R)
cat > "$STAGE/usr/share/doc/$PKG/changelog" <<EOF
$PKG ($DEB_VERSION) stable; urgency=medium

  * Release $VERSION of PT Codes, packaged from the PyInstaller bundle.

 -- $MAINTAINER  $DATE_RFC2822
EOF
gzip -9n "$STAGE/usr/share/doc/$PKG/changelog"

cat > "$STAGE/usr/share/doc/$PKG/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: PT Codes
Comment: The program in /opt/ptcodes-gui is a PyInstaller bundle. Besides PT Codes itself it
 carries, unmodified and dynamically linked, the components listed below. The Qt and PySide6
 libraries can be replaced by compatible builds: they are the separate .so files in
 /opt/ptcodes-gui/_internal/PySide6/ and /opt/ptcodes-gui/_internal/shiboken6/.

Files: *
Copyright: PT Codes team
License: Proprietary
 All rights reserved by the PT Codes team. ICD-10-CM content comes from the CDC/NCHS
 public-domain release; CPT is a registered trademark of the American Medical Association,
 and the catalog carries only the team's own short descriptions of CPT codes.

Files: opt/ptcodes-gui/_internal/PySide6/* opt/ptcodes-gui/_internal/shiboken6/*
Copyright: The Qt Company Ltd. and other contributors
License: LGPL-3
 Qt 6 and Qt for Python (PySide6, shiboken6), used under the GNU Lesser General Public
 License version 3. On Debian systems the full text is in
 /usr/share/common-licenses/LGPL-3.

Files: opt/ptcodes-gui/_internal/PySide6/Qt/lib/libicu*
Copyright: Unicode, Inc. and others
License: Unicode-3.0
 ICU (International Components for Unicode), under the Unicode License v3:
 permission is granted, free of charge, to deal in the data files and software without
 restriction, provided the copyright and permission notice appear in all copies.

Files: opt/ptcodes-gui/_internal/libpython* opt/ptcodes-gui/_internal/base_library.zip
 opt/ptcodes-gui/_internal/python3*
Copyright: Python Software Foundation
License: PSF-2.0
 The Python interpreter and standard library, under the PSF License Agreement version 2.

Files: opt/ptcodes-gui/_internal/libsqlite3*
Copyright: none (public domain)
License: public-domain
 The SQLite library is in the public domain.

Files: opt/ptcodes-gui/_internal/libz.so* opt/ptcodes-gui/_internal/libzstd.so*
 opt/ptcodes-gui/_internal/libbz2* opt/ptcodes-gui/_internal/liblzma* opt/ptcodes-gui/_internal/libffi*
 opt/ptcodes-gui/_internal/libuuid*
Copyright: their respective authors
License: permissive
 zlib (zlib license), zstd (BSD-3-clause), bzip2 (bzip2 license), xz/liblzma (0BSD),
 libffi (MIT), libuuid (BSD-3-clause): compression and support libraries of Python,
 copied from the build system.

Files: opt/ptcodes-gui/ptcodes-gui opt/ptcodes-gui/ptcodes
Copyright: PyInstaller Development Team
License: GPL-2+ with bootloader exception
 The PyInstaller bootloader is under the GPL version 2 or later with an exception that
 allows its use in programs under any license. On Debian systems the GPL text is in
 /usr/share/common-licenses/GPL-2.

Files: opt/ptcodes-gui/_internal/*.dist-info/*
Copyright: their respective authors
License: various-permissive
 The Python packages frozen into the program archives (sqlite-utils, click, platformdirs,
 ...). Each one's name, version, licence and licence text, generated from what this build
 contains, are in /usr/share/doc/ptcodes-gui/THIRD-PARTY-NOTICES.txt (also
 /opt/ptcodes-gui/THIRD-PARTY-NOTICES.txt, and in the program under Help > About > Licences).
 On Debian systems the Apache text is in /usr/share/common-licenses/Apache-2.0.
EOF

cat > "$STAGE/usr/share/lintian/overrides/$PKG" <<EOF
# A self-contained PyInstaller bundle, installed whole under /opt like other vendor packages.
$PKG: dir-or-file-in-opt [${OPT#/}/]
$PKG: dir-or-file-in-opt [${OPT#/}/*]
# The build Python's RUNPATH (e.g. a pyenv or hostedtoolcache lib dir) stays in libpython and the
# stdlib extension modules; it names no directory on the target, and the bundle's own lib dir
# comes first anyway (the bootloader sets LD_LIBRARY_PATH).
$PKG: custom-library-search-path RUNPATH * [${OPT#/}/_internal/*]
# CPython links expat statically into pyexpat (its bundled copy, as every CPython build does).
$PKG: embedded-library expat [${OPT#/}/_internal/python3*/lib-dynload/pyexpat.*]
# Python extension modules and ICU's data library use no libc function / have no NEEDED entry.
$PKG: library-not-linked-against-libc [${OPT#/}/_internal/*]
$PKG: shared-library-lacks-prerequisites [${OPT#/}/_internal/*]
# The PyInstaller bootloaders (prebuilt in the PyInstaller wheel) are not position independent.
$PKG: hardening-no-pie [${OPT#/}/ptcodes]
$PKG: hardening-no-pie [${OPT#/}/ptcodes-gui]
EOF

# ---- permissions and timestamps (lintian-clean, reproducible) --------------------------------
find "$STAGE" -type d -exec chmod 755 {} +
find "$STAGE" -type f -exec chmod 644 {} +
chmod 755 "$STAGE$OPT/ptcodes-gui" "$STAGE$OPT/ptcodes"

# ---- Depends: sonames the bundle needs but does not carry ------------------------------------
DEPENDS=$("$PYTHON" - "$STAGE$OPT" <<'PY'
import os, re, struct, subprocess, sys
from pathlib import Path

root = Path(sys.argv[1])
# soname -> Debian package (Debian 12 / Ubuntu 22.04+ names; t64 renames Provide these).
TABLE = {
    "libc.so.6": "libc6", "libm.so.6": "libc6", "libdl.so.2": "libc6", "libpthread.so.0": "libc6",
    "librt.so.1": "libc6", "libresolv.so.2": "libc6", "libutil.so.1": "libc6",
    "ld-linux-x86-64.so.2": "libc6", "ld-linux-aarch64.so.1": "libc6",
    "libstdc++.so.6": "libstdc++6", "libgcc_s.so.1": "libgcc-s1",
    "libGL.so.1": "libgl1", "libEGL.so.1": "libegl1", "libOpenGL.so.0": "libopengl0",
    "libX11.so.6": "libx11-6", "libX11-xcb.so.1": "libx11-xcb1", "libXext.so.6": "libxext6",
    "libXrender.so.1": "libxrender1", "libXau.so.6": "libxau6", "libXdmcp.so.6": "libxdmcp6",
    "libxcb.so.1": "libxcb1", "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0", "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0", "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0", "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0", "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-util.so.1": "libxcb-util1", "libxcb-glx.so.0": "libxcb-glx0",
    "libxkbcommon.so.0": "libxkbcommon0", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libfontconfig.so.1": "libfontconfig1", "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0", "libgthread-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0", "libgio-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3", "libz.so.1": "zlib1g", "libzstd.so.1": "libzstd1",
    "libwayland-client.so.0": "libwayland-client0", "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libbz2.so.1.0": "libbz2-1.0", "liblzma.so.5": "liblzma5", "libffi.so.8": "libffi8",
    "libuuid.so.1": "libuuid1", "libexpat.so.1": "libexpat1", "libpng16.so.16": "libpng16-16",
    "libbrotlidec.so.1": "libbrotli1", "libbrotlicommon.so.1": "libbrotli1",
}
# GLIBCXX symbol version -> first GCC whose libstdc++6 has it
GLIBCXX = {29: "11", 30: "12", 31: "13", 32: "14", 33: "15"}

def needed(data):
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return None
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    secs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    out = []
    for sh in secs:
        if sh[1] == 6:
            stroff = secs[sh[6]][4]
            for off in range(sh[4], sh[4] + sh[5], 16):
                tag, val = struct.unpack_from("<qQ", data, off)
                if tag == 0:
                    break
                if tag == 1:
                    out.append(data[stroff + val:data.index(b"\0", stroff + val)].decode())
    return out

carried, wanted = set(), {}
glibc, glibcxx = (2, 17), 0
for p in root.rglob("*"):
    if p.is_symlink() or not p.is_file():
        if p.is_symlink():
            carried.add(p.name)
        continue
    carried.add(p.name)
    data = p.read_bytes()
    names = needed(data)
    if names is None:
        continue
    for n in names:
        wanted.setdefault(n, str(p.relative_to(root)))
    for m in re.finditer(rb"GLIBC_2\.(\d+)(?:\.\d+)?\0", data):
        glibc = max(glibc, (2, int(m.group(1))))
    for m in re.finditer(rb"GLIBCXX_3\.4\.(\d+)\0", data):
        glibcxx = max(glibcxx, int(m.group(1)))

pkgs, unknown = set(), []
for soname, user in sorted(wanted.items()):
    if soname in carried:
        continue
    pkg = TABLE.get(soname)
    if pkg is None:
        try:
            path = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
            hit = re.search(rf"^\s*{re.escape(soname)} .*=> (\S+)$", path, re.M)
            owner = subprocess.run(["dpkg", "-S", os.path.realpath(hit.group(1))],
                                   capture_output=True, text=True, check=True).stdout
            pkg = owner.split(":")[0]
        except Exception:
            unknown.append(f"{soname} (needed by {user})")
            continue
    pkgs.add(pkg)
if unknown:
    sys.exit("build_deb.sh: no Debian package known for: " + ", ".join(unknown)
             + "\n  add them to TABLE in packaging/linux/build_deb.sh")
deps = []
for pkg in sorted(pkgs):
    if pkg == "libc6":
        deps.append(f"libc6 (>= {glibc[0]}.{glibc[1]})")
    elif pkg == "libstdc++6" and glibcxx in GLIBCXX:
        deps.append(f"libstdc++6 (>= {GLIBCXX[glibcxx]})")
    else:
        deps.append(pkg)
print(", ".join(deps))
PY
)

INSTALLED_KB=$(du -sk --apparent-size "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<EOF
Package: $PKG
Version: $DEB_VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS
Recommends: fonts-dejavu-core | fonts-liberation2 | fonts-noto-core
Section: misc
Priority: optional
Description: offline reference for physical therapy billing codes
 PT Codes looks up CPT/HCPCS and ICD-10-CM codes for physical therapy
 visits, explains timed units and billing edits, and copies codes for
 the EHR. It runs fully offline from a catalog shipped in the package.
 .
 This package installs the self-contained program in /opt/ptcodes-gui,
 with the ptcodes-gui (window) and ptcodes (command line) commands.
EOF
echo "/etc/$PKG/config" > "$STAGE/DEBIAN/conffiles"
(cd "$STAGE" && find . -path ./DEBIAN -prune -o -type f -print | LC_ALL=C sort | sed 's|^\./||' \
    | xargs -d '\n' md5sum > DEBIAN/md5sums)
chmod 644 "$STAGE/DEBIAN/control" "$STAGE/DEBIAN/md5sums" "$STAGE/DEBIAN/conffiles"
find "$STAGE" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
echo "build_deb.sh: $DEB  $(du -h "$DEB" | cut -f1)"
echo "build_deb.sh: Depends: $DEPENDS"
if command -v lintian >/dev/null; then
    # Errors fail the build; warnings and infos are summarised (run `lintian -i DEB` for details).
    lintian_out=$(setsid -w lintian --display-info "$DEB" </dev/null 2>/dev/null || true)  # own session: lintian signals its process group when it ends
    summary=$(grep -oE '^[EWIPX]: [^ ]+ [^ ]+' <<<"$lintian_out" | awk '{print $1, $3}' | sort | uniq -c | sort -rn || true)
    echo "build_deb.sh: lintian (after the overrides in /usr/share/lintian/overrides/$PKG):"
    if [[ -n "$summary" ]]; then awk '{print "    " $0}' <<<"$summary"; else echo "    no tags"; fi
    if grep -qE '^[EW]: ' <<<"$lintian_out"; then grep -E '^[EW]: ' <<<"$lintian_out" | sed 's/^/    /'; fi
    if grep -q '^E: ' <<<"$lintian_out"; then echo "build_deb.sh: lintian reported errors" >&2; exit 1; fi
else
    echo "build_deb.sh: lintian not installed; skipped (apt-get install lintian)"
fi
