#!/usr/bin/env bash
# Pack "dist/PT Codes.app" (made by packaging/build.sh on macOS) into a drag-to-install disk
# image dist/ptcodes-gui-<version>-macos-<arch>.dmg (the .app plus an /Applications link), and a
# zipped .app next to it. macOS only (hdiutil, ditto). Idempotent. Runs in CI; see README.md here
# for signing and notarization, which need the team's Apple Developer ID.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PYTHON=${PYTHON:-python3}
APP="dist/PT Codes.app"
[[ "$(uname)" == "Darwin" ]] || { echo "build_dmg.sh: macOS only" >&2; exit 1; }
[[ -d "$APP" ]] || { echo "build_dmg.sh: $APP missing; run packaging/build.sh first" >&2; exit 1; }

VERSION=$("$PYTHON" -c "import tomllib; print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")
ARCH=$(uname -m)
DMG=dist/ptcodes-gui-$VERSION-macos-$ARCH.dmg
ZIP=dist/ptcodes-gui-$VERSION-macos-$ARCH.app.zip
STAGE=build/dmg
rm -rf "$STAGE" "$DMG" "$ZIP"
mkdir -p "$STAGE"
ditto "$APP" "$STAGE/PT Codes.app"
ln -s /Applications "$STAGE/Applications"
# The notices travel beside the app too (inside it: Contents/Resources/ptcodes_gui/data/).
cp dist/ptcodes-gui/THIRD-PARTY-NOTICES.txt "$STAGE/THIRD-PARTY-NOTICES.txt"
hdiutil create -volname "PT Codes $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG" >/dev/null
ditto -c -k --sequesterRsrc --keepParent "$APP" "$ZIP"
echo "build_dmg.sh: $DMG  $(du -h "$DMG" | cut -f1)"
echo "build_dmg.sh: $ZIP  $(du -h "$ZIP" | cut -f1)"
