"""Generate the raster icons of PT Codes from packaging/icons/ptcodes-gui.svg.

Run from anywhere (the outputs are committed; re-run only after editing the SVG):

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py

Writes, next to the SVG:
    png/ptcodes-gui-{16,24,32,48,64,128,256,512}.png   Linux hicolor theme, app window icon
    ptcodes-gui.ico    Windows (exe resource, installer, shortcuts): 16-48 px as 32-bit
                       BMP entries (readable by every tool, including makensis), 64-256 px as PNG
    ptcodes-gui.icns   macOS .app bundle: PNG entries ic07..ic14 (macOS 10.8+)

The SVG is rendered by Qt's own SVG renderer (PySide6.QtSvg, already a dependency), and
.ico/.icns are assembled here byte by byte, so no ImageMagick/icnsutils is needed and two
runs give identical files. `icns2png -l` (Debian package icnsutils) can list the .icns.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ICON_DIR = HERE / "icons"
SVG = ICON_DIR / "ptcodes-gui.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_BMP_SIZES = (16, 24, 32, 48)
ICO_PNG_SIZES = (64, 128, 256)
# (OSType, pixel size) of the PNG-capable .icns entries
ICNS_ENTRIES = (
    (b"ic11", 32),  # 16x16@2x
    (b"ic12", 64),  # 32x32@2x
    (b"ic07", 128),
    (b"ic13", 256),  # 128x128@2x
    (b"ic08", 256),
    (b"ic14", 512),  # 256x256@2x
    (b"ic09", 512),
    (b"ic10", 1024),  # 512x512@2x
)


def _render(size: int):  # -> QImage
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"cannot parse {SVG}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def _png_bytes(image) -> bytes:  # image: QImage
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG"):
        raise SystemExit("PNG encoding failed")
    buf.close()
    return bytes(data.data())


def _bmp_icon_entry(image) -> bytes:  # image: QImage, Format_ARGB32
    """A classic ICO image: BITMAPINFOHEADER + bottom-up BGRA rows + 1-bit AND mask."""
    size = image.width()
    header = struct.pack(
        "<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0
    )
    rows = []
    mask_rows = []
    mask_stride = ((size + 31) // 32) * 4
    for y in range(size - 1, -1, -1):
        row = bytearray()
        mask = bytearray(mask_stride)
        for x in range(size):
            argb = image.pixel(x, y)  # 0xAARRGGBB, not premultiplied for Format_ARGB32
            a = (argb >> 24) & 0xFF
            row += struct.pack("<BBBB", argb & 0xFF, (argb >> 8) & 0xFF, (argb >> 16) & 0xFF, a)
            if a == 0:
                mask[x // 8] |= 0x80 >> (x % 8)
        rows.append(bytes(row))
        mask_rows.append(bytes(mask))
    return header + b"".join(rows) + b"".join(mask_rows)


def _ico(entries: list[tuple[int, bytes]]) -> bytes:
    out = struct.pack("<HHH", 0, 1, len(entries))
    offset = 6 + 16 * len(entries)
    blobs = []
    for size, blob in entries:
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        out += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs.append(blob)
    return out + b"".join(blobs)


def _icns(entries: list[tuple[bytes, bytes]]) -> bytes:
    body = b"".join(ostype + struct.pack(">I", 8 + len(blob)) + blob for ostype, blob in entries)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841
    sizes = sorted(set(PNG_SIZES) | {s for _, s in ICNS_ENTRIES})
    images = {size: _render(size) for size in sizes}
    pngs = {size: _png_bytes(img) for size, img in images.items()}

    png_dir = ICON_DIR / "png"
    png_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for size in PNG_SIZES:
        path = png_dir / f"ptcodes-gui-{size}.png"
        path.write_bytes(pngs[size])
        written.append(path)

    ico = _ico(
        [(s, _bmp_icon_entry(images[s])) for s in ICO_BMP_SIZES]
        + [(s, pngs[s]) for s in ICO_PNG_SIZES]
    )
    (ICON_DIR / "ptcodes-gui.ico").write_bytes(ico)
    written.append(ICON_DIR / "ptcodes-gui.ico")

    icns = _icns([(ostype, pngs[size]) for ostype, size in ICNS_ENTRIES])
    (ICON_DIR / "ptcodes-gui.icns").write_bytes(icns)
    written.append(ICON_DIR / "ptcodes-gui.icns")

    for path in written:
        print(f"{path.relative_to(HERE.parent)}  {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
