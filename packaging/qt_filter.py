"""What the bundle keeps of Qt and of the build machine's libraries (tested; docs/PACKAGING.md).

The app uses QtCore, QtGui and QtWidgets only. ``excludes()`` lists the Python modules kept
out of each executable's archive; ``filter_analysis`` drops from an Analysis' binaries and
datas the Qt plugins, translations, QML and libraries nothing uses, prunes on Linux the
libraries no kept binary reaches (ELF ``DT_NEEDED``), and fails the build when something
kept still links a library dropped on purpose.

Every function takes the target ``platform`` (``sys.platform``'s values) so the tests can
check the Windows and macOS branches on Linux.
"""

from __future__ import annotations

import os
import re
import struct
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final

#: the Qt modules the app imports; every other PySide6 module is excluded so its hook does not
#: drag in libraries, plugins and QML (the frozen smoke test fails with ModuleNotFoundError
#: if the app starts importing another one: add it here)
KEEP_QT_MODULES: Final = frozenset({"QtCore", "QtGui", "QtWidgets"})

#: Python modules nothing in the app needs (PyInstaller pulls them through optional imports).
#: ssl/_ssl/_hashlib: the app opens no socket; without them OpenSSL (~6 MB) stays out.
EXCLUDES_COMMON: Final = (
    "tkinter", "_tkinter", "turtle", "turtledemo", "idlelib", "pydoc_data", "lib2to3",
    "ssl", "_ssl", "_hashlib",
)

#: Qt plugin directories kept, and which plugins in them (None = all); docs/PACKAGING.md says
#: why each is kept or dropped.
KEEP_PLUGINS: Final[dict[str, frozenset[str] | None]] = {
    "platforms": frozenset({"xcb", "offscreen", "windows", "cocoa"}),
    "styles": None,
    "imageformats": frozenset({"svg"}),
    "iconengines": frozenset({"svgicon"}),
    "platforminputcontexts": frozenset(
        {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"}),
}
#: Qt shared libraries the kept parts do not link (the dependency check fails the build if one
#: turns out to be needed)
DROP_QT_LIBS: Final = re.compile(
    r"^(lib)?Qt6(Network|Qml\w*|Quick\w*|Pdf\w*|OpenGL\w*|VirtualKeyboard\w*|Wayland\w*|"
    r"WlShellIntegration|EglFS\w*|EglFsKmsSupport|Labs\w*|Designer\w*|Test|Sql|PrintSupport|"
    r"Concurrent|Xml|Help|UiTools|Lottie\w*|ShaderTools|Multimedia\w*)"
    r"(\.so\.6|\.dll|\.\d+\.dylib)?$",
    re.I,
)
#: Windows: ANGLE and the software OpenGL renderer (~20 MB); QWidget painting is raster.
DROP_WIN_LIBS: Final = re.compile(r"^(opengl32sw|d3dcompiler_\d+|libEGL|libGLESv2)\.dll$", re.I)
#: Linux: libraries the desktop itself loads come from the system (the .deb's Depends): one
#: copy of each soname per process, and it must match the running desktop.
LINUX_SYSTEM_LIBS: Final = re.compile(
    r"^lib(X11|X11-xcb|Xau|Xdmcp|Xext|Xrender|xcb(-[\w-]+)?|xkbcommon(-x11)?|fontconfig|"
    r"freetype|glib-2\.0|gthread-2\.0|gobject-2\.0|gmodule-2\.0|gio-2\.0|dbus-1|stdc\+\+|gcc_s|"
    r"GL|EGL|OpenGL|GLX|wayland-[\w-]+|z|zstd|lzma|bz2|ffi|uuid|expat|png16|brotli\w*)"
    r"\.so(\.\d+)*$"
)
PLUGIN_RE: Final = re.compile(r"(?:^|/)plugins/([^/]+)/([^/]+)$")

#: (destination, source, typecode): PyInstaller's TOC entries
Entry = tuple[str, str, str]


def unused_qt_modules(pyside_dirs: Iterable[Path] | None = None) -> list[str]:
    """``PySide6.QtX`` for every Qt module the PySide6 install has and the app does not use."""
    if pyside_dirs is None:
        import importlib.util

        spec = importlib.util.find_spec("PySide6")
        if spec is None or not spec.submodule_search_locations:
            return []
        pyside_dirs = [Path(p) for p in spec.submodule_search_locations]
    names = set()
    for loc in pyside_dirs:
        for f in Path(loc).iterdir():
            m = re.match(r"^(Qt\w+)\.(abi3\.so|pyd|.*\.so)$", f.name)
            if m:
                names.add(m.group(1))
    return sorted(f"PySide6.{n}" for n in names - KEEP_QT_MODULES)


def excludes(package: str, unused_qt: list[str]) -> tuple[list[str], list[str]]:
    """(GUI excludes, CLI excludes): the CLI is Qt-free (import-linter contract), so Qt and
    the window's modules stay out of its archive."""
    gui = [*EXCLUDES_COMMON, *unused_qt]
    cli = [*EXCLUDES_COMMON, "PySide6", "shiboken6", f"{package}.ui", f"{package}.app",
           f"{package}.__main__"]
    return gui, cli


def without(modules: list[str], excluded: list[str]) -> list[str]:
    """``modules`` less those equal to or inside one of ``excluded``."""
    return [m for m in modules if not any(m == x or m.startswith(x + ".") for x in excluded)]


def _norm(dest: str) -> str:
    return dest.replace("\\", "/")


def plugin_id(filename: str) -> str:
    """libqxcb.so / qxcb.dll / libqxcb.dylib -> xcb; libcomposeplatform...so -> compose..."""
    stem = re.sub(r"\.(so|dll|dylib)$", "", filename)
    stem = re.sub(r"^lib", "", stem)
    return stem[1:] if stem.startswith("q") else stem


def keep_plugin(dest: str) -> bool:
    m = PLUGIN_RE.search(_norm(dest))
    if not m:
        return True
    kind, filename = m.groups()
    if kind not in KEEP_PLUGINS:
        return False
    wanted = KEEP_PLUGINS[kind]
    return wanted is None or plugin_id(filename) in wanted


def drop_reason(dest: str, src: str, platform: str = sys.platform) -> str | None:
    """Why the file at ``dest`` in the bundle is left out, or None to keep it."""
    d = _norm(dest)
    base = d.rsplit("/", 1)[-1]
    if not keep_plugin(d):
        return "qt-plugin"
    if re.search(r"(^|/)PySide6/(Qt/)?(translations|qml)/", d):
        return "qt-translations/qml"
    if DROP_QT_LIBS.match(base):
        return "unused-qt-lib"
    if platform == "win32" and DROP_WIN_LIBS.match(base):
        return "opengl-fallback"
    # (only copies found on the build system; a library shipped inside a wheel stays)
    if (platform.startswith("linux") and LINUX_SYSTEM_LIBS.match(base)
            and not re.search(r"/(site|dist)-packages/", _norm(src))):
        return "system-lib"
    return None


def elf_needed(path: str) -> list[str]:
    """The DT_NEEDED entries of a 64-bit little-endian ELF file ([] for anything else)."""
    with open(path, "rb") as fh:
        data = fh.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return []
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
                for i in range(shnum)]
    out = []
    for sh in sections:
        if sh[1] != 6:  # SHT_DYNAMIC
            continue
        str_off = sections[sh[6]][4]
        for off in range(sh[4], sh[4] + sh[5], 16):
            tag, val = struct.unpack_from("<qQ", data, off)
            if tag == 0:
                break
            if tag == 1:  # DT_NEEDED
                end = data.index(b"\x00", str_off + val)
                out.append(data[str_off + val:end].decode())
    return out


def binary_imports(src: str, platform: str = sys.platform) -> list[str]:
    """The libraries ``src`` links (ELF reader on Linux, PyInstaller's elsewhere)."""
    if platform.startswith("linux"):
        return elf_needed(src)
    from PyInstaller.depend.bindepend import get_imports

    return [os.path.basename(name) for name, _ in get_imports(src)]


def _key(name: str, platform: str) -> str:
    base = os.path.basename(_norm(name))
    return base.lower() if platform == "win32" else base


def _reachable(kept: list[Entry], imports: Callable[[str], list[str]],
               platform: str) -> set[str]:
    """Names reachable through the link graph from the roots: Python extension modules,
    libpython (dlopen'ed by the bootloader) and the kept Qt plugins (loaded by Qt)."""
    by_name = {_key(d, platform): (d, s, t) for d, s, t in kept}
    roots = [e for e in kept
             if e[2] == "EXTENSION" or re.match(r"^libpython3", _key(e[0], platform))
             or PLUGIN_RE.search(_norm(e[0]))]
    reachable = {_key(e[0], platform) for e in roots}
    todo = list(roots)
    while todo:
        _, src, _ = todo.pop()
        for need in imports(src):
            key = _key(need, platform)
            if key in by_name and key not in reachable:
                reachable.add(key)
                todo.append(by_name[key])
    return reachable


def filter_entries(binaries: list[Entry], datas: list[Entry], *,
                   platform: str = sys.platform,
                   imports: Callable[[str], list[str]] | None = None,
                   ) -> tuple[list[Entry], list[Entry], dict[str, str]]:
    """(kept binaries, kept datas, dropped name -> reason). Raises SystemExit when a kept
    binary needs a library dropped on purpose (system libraries and orphans excepted)."""
    link = imports or (lambda src: binary_imports(src, platform))
    dropped: dict[str, str] = {}
    kept_bins = []
    for entry in binaries:
        reason = drop_reason(entry[0], entry[1], platform)
        if reason:
            dropped[_key(entry[0], platform)] = reason
        else:
            kept_bins.append(entry)
    kept_datas = [e for e in datas if not drop_reason(e[0], e[1], platform)]
    if platform.startswith("linux"):
        reachable = _reachable(kept_bins, link, platform)
        for e in kept_bins:
            if _key(e[0], platform) not in reachable:
                dropped[_key(e[0], platform)] = "orphan"
        kept_bins = [e for e in kept_bins if _key(e[0], platform) in reachable]
    problems = [
        f"{dest} needs {need} (dropped as {dropped[_key(need, platform)]})"
        for dest, src, _ in kept_bins for need in link(src)
        if dropped.get(_key(need, platform)) not in (None, "system-lib", "orphan")
    ]
    if problems:
        raise SystemExit("build.spec: dropped libraries are still needed:\n  "
                         + "\n  ".join(problems))
    return kept_bins, kept_datas, dropped


def filter_analysis(a: Any, label: str, platform: str = sys.platform) -> None:
    """Apply ``filter_entries`` to a PyInstaller Analysis in place and print what it did."""
    kept_bins, kept_datas, dropped = filter_entries(list(a.binaries), list(a.datas),
                                                   platform=platform)
    counts: dict[str, int] = {}
    for reason in dropped.values():
        counts[reason] = counts.get(reason, 0) + 1
    print(
        f"build.spec: {label}: kept {len(kept_bins)} binaries, {len(kept_datas)} data files; "
        f"dropped {sum(counts.values())} binaries {dict(sorted(counts.items()))}, "
        f"{len(a.datas) - len(kept_datas)} data files",
        file=sys.stderr,
    )
    a.binaries = kept_bins
    a.datas = kept_datas
