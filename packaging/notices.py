"""Write THIRD-PARTY-NOTICES.txt: every third-party part a PT Codes bundle carries, with its
licence and the licence text.

build.spec calls :func:`write_notices` with what PyInstaller actually put into the bundle
(the Python modules of both executables' archives, and the binaries and data files after
build.spec's filters), so the file names exactly what ships: each Python distribution (name,
version, licence, and the licence files from its dist-info), Qt/PySide6/shiboken6 under the
LGPL-3 with how to replace the Qt libraries, ICU, Python, SQLite, the PyInstaller bootloader,
and the data attributions of ptcodes_gui/data/DATA-NOTICES.txt.

Standalone use (no bundle needed; stdlib only):

    python packaging/notices.py --environment [--out FILE]
        notices for the runtime dependencies of ptcodes-gui installed in this Python
        (what a bundle built from this environment would carry), to stdout or FILE.

The index near the top lists each distribution as ``name==version`` on a line of its own
(tests/packaged checks every distribution inside a bundle against it).
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LICENSES = HERE / "licenses"
DATA_NOTICES = ROOT / "ptcodes_gui" / "data" / "DATA-NOTICES.txt"
OWN_DIST = "ptcodes-gui"
FILE_NAME = "THIRD-PARTY-NOTICES.txt"

_LICENSE_FILE = re.compile(r"(^|/)(LICEN[CS]E|COPYING|NOTICE|AUTHORS)[^/]*$", re.I)
#: The Qt distributions: their wheels carry no licence files; the LGPL/GPL texts ship here.
QT_DISTS = {"pyside6-essentials", "pyside6", "pyside6-addons", "shiboken6"}


def norm(name: str) -> str:
    """PEP 503 form: ``PySide6_Essentials`` -> ``pyside6-essentials``."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class DistNotice:
    name: str
    version: str
    licence: str
    #: (path inside the dist-info or package, text) of each licence file
    texts: tuple[tuple[str, str], ...]
    summary: str = ""


# ---------------------------------------------------------------------- which distributions
def distributions_for_modules(modules: Iterable[str]) -> dict[str, metadata.Distribution]:
    """The installed distributions providing ``modules`` (dotted names or top-level names,
    e.g. from a PyInstaller TOC); stdlib modules map to none."""
    owners = metadata.packages_distributions()
    found: dict[str, metadata.Distribution] = {}
    for top in sorted({m.split(".")[0] for m in modules if m}):
        for dist_name in owners.get(top, ()):
            key = norm(dist_name)
            if key != norm(OWN_DIST) and key not in found:
                found[key] = metadata.distribution(dist_name)
    return found


def runtime_closure(root: str = OWN_DIST) -> dict[str, metadata.Distribution]:
    """``root``'s runtime requirements, recursively (no extras, environment markers
    evaluated roughly: requirements with an ``extra ==`` marker are skipped)."""
    found: dict[str, metadata.Distribution] = {}
    todo = [root]
    while todo:
        dist = metadata.distribution(todo.pop())
        for req in dist.requires or []:
            if "extra ==" in req.replace('"', "'").replace("'", "") or "extra==" in req:
                continue
            name = re.split(r"[\s<>=!~;\[(]", req.strip(), maxsplit=1)[0]
            try:
                dep = metadata.distribution(name)
            except metadata.PackageNotFoundError:
                continue  # a marker excluded it on this platform
            key = norm(dep.metadata["Name"])
            if key not in found:
                found[key] = dep
                todo.append(dep.metadata["Name"])
    found.pop(norm(root), None)
    return found


# ---------------------------------------------------------------------- per distribution
def licence_of(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    expr = (meta.get("License-Expression") or "").strip()
    if expr:
        return expr
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 100:
        return text
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::")]
    if classifiers:
        return " / ".join(classifiers)
    return text.splitlines()[0][:100] if text else "see the licence text"


def licence_texts(dist: metadata.Distribution) -> tuple[tuple[str, str], ...]:
    """The licence files the distribution ships (License-File entries, else any
    LICENSE/COPYING/NOTICE/AUTHORS file inside its dist-info)."""
    files = list(dist.files or [])
    wanted = [f.replace("\\", "/") for f in dist.metadata.get_all("License-File") or []]
    chosen = []
    for f in files:
        path = str(f).replace("\\", "/")
        in_info = ".dist-info/" in path
        named = any(path.endswith(f".dist-info/licenses/{w}") or path.endswith(f".dist-info/{w}")
                    for w in wanted)
        if named or (in_info and _LICENSE_FILE.search(path)):
            chosen.append(f)
    out = []
    for f in sorted(set(chosen), key=str):
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        out.append((str(f).split(".dist-info/", 1)[-1], text.strip()))
    return tuple(out)


def dist_notice(dist: metadata.Distribution) -> DistNotice:
    meta = dist.metadata
    return DistNotice(meta["Name"], meta["Version"], licence_of(dist), licence_texts(dist),
                      (meta.get("Summary") or "").strip())


# ---------------------------------------------------------------------- native parts
@dataclass(frozen=True)
class Native:
    title: str
    pattern: re.Pattern[str]
    licence: str
    note: str
    text_files: tuple[str, ...] = ()


NATIVE = (
    Native("Qt 6", re.compile(r"(^|/)(lib)?Qt6\w*\.(so|dll|dylib)|(^|/)Qt(Core|Gui|Widgets|Svg|"
                              r"DBus)(\.framework)?(/|$)|/plugins/", re.I),
           "LGPL-3.0-only",
           "The Qt libraries and plugins (The Qt Company Ltd. and contributors)."),
    Native("ICU", re.compile(r"(^|/)(lib)?icu(data|i18n|uc|dt|in)\w*\.(so|dll|dylib)", re.I),
           "Unicode-3.0", "International Components for Unicode, linked by QtCore.",
           ("Unicode-3.0.txt",)),
    Native("SQLite", re.compile(r"(^|/)(lib)?sqlite3[\w.]*\.(so|dll|dylib)|_sqlite3", re.I),
           "public domain",
           "SQLite is in the public domain: the authors disclaim copyright to its source code."),
    Native("Microsoft Visual C++ runtime",
           re.compile(r"(^|/)(vcruntime|msvcp|concrt|ucrtbase|api-ms-win)[\w-]*\.dll", re.I),
           "Microsoft Visual C++ Redistributable licence",
           "Redistributable runtime files of Microsoft Visual Studio (Windows bundles only)."),
    Native("libffi", re.compile(r"(^|/)libffi[\w.-]*\.(so|dll|dylib)", re.I), "MIT",
           "Foreign-function library used by Python's ctypes."),
)

QT_REPLACE = """\
Replacing the Qt libraries (LGPL-3.0, section 4)
    PT Codes uses Qt and Qt for Python (PySide6, shiboken6) unmodified, linked
    dynamically. The bundle keeps them as separate, replaceable files:
      Windows   C:\\Program Files\\PT Codes\\_internal\\PySide6\\  (Qt6*.dll, plugins\\)
      Linux     /opt/ptcodes-gui/_internal/  (libQt6*.so.6, libpyside6*, libshiboken6*)
                and /opt/ptcodes-gui/_internal/PySide6/Qt/plugins/
      macOS     PT Codes.app/Contents/Frameworks/PySide6/Qt/lib/ (Qt*.framework)
    To use a modified or newer Qt 6 build, put your binary-compatible Qt libraries
    (same Qt minor version as PySide6 {pyside}) in place of these files; PT Codes
    loads whatever is there. The source code of Qt is at https://code.qt.io and
    https://download.qt.io/official_releases/qt/, of PySide6 and shiboken6 at
    https://code.qt.io/cgit/pyside/pyside-setup.git/ (tag v{pyside}). On request
    the PT Codes team provides the exact sources of these components for three
    years from the release.
"""


def native_parts(files: Iterable[str]) -> list[tuple[Native, list[str]]]:
    """The native components found among the bundle's file paths, with example files."""
    names = [f.replace("\\", "/") for f in files]
    out = []
    for part in NATIVE:
        hits = sorted({n.rsplit("/", 1)[-1] for n in names if part.pattern.search(n)})
        if hits:
            out.append((part, hits))
    return out


def python_licence() -> tuple[str, str]:
    """The PSF licence text of the Python that builds (and is frozen into) the bundle."""
    version = ".".join(map(str, sys.version_info[:3]))
    for cand in (Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt",
                 Path(sys.base_prefix) / "LICENSE.txt",
                 Path(sys.base_prefix) / "share" / "doc" / f"python{sys.version_info[0]}."
                 f"{sys.version_info[1]}" / "copyright"):
        if cand.is_file():
            return version, cand.read_text(encoding="utf-8", errors="replace").strip()
    return version, ("PSF License Agreement version 2: https://docs.python.org/3/license.html")


# ---------------------------------------------------------------------- the file
def _rule(title: str, char: str = "=") -> str:
    return f"{title}\n{char * len(title)}\n"


def _indent(text: str) -> str:
    return "\n".join(("    " + line).rstrip() for line in text.splitlines())


def render(dists: Iterable[DistNotice], files: Iterable[str] = (), *,
           app_version: str = "", bootloader: DistNotice | None = None) -> str:
    dists = sorted(dists, key=lambda d: norm(d.name))
    natives = native_parts(files)
    py_version, py_text = python_licence()
    pyside = next((d.version for d in dists if norm(d.name) in QT_DISTS), "6")
    out = [_rule(f"PT Codes {app_version}: third-party notices".replace("  ", " ")),
           "PT Codes is proprietary software of the PT Codes team. It includes the",
           "third-party software listed below, each under its own licence. Generated by",
           "packaging/notices.py from the files in this program.\n",
           DATA_NOTICES.read_text(encoding="utf-8").strip() + "\n",
           _rule("Software in this program"),
           f"Python {py_version}                     PSF-2.0",
           *(f"{p.title:<30} {p.licence}" for p, _ in natives),
           *([f"PyInstaller bootloader {bootloader.version:<8} {bootloader.licence}"]
             if bootloader else []),
           "",
           "Python distributions:",
           *(f"{d.name}=={d.version}    {d.licence}" for d in dists),
           ""]
    if any(norm(d.name) in QT_DISTS for d in dists) or any(p.title == "Qt 6" for p, _ in natives):
        out += [_rule("Qt, PySide6 and shiboken6 (LGPL-3.0)"),
                "Qt 6 and Qt for Python are used under the GNU Lesser General Public",
                "License version 3 (full texts of the LGPL-3.0 and the GPL-3.0 it builds on",
                "are at the end of this file).\n", QT_REPLACE.format(pyside=pyside)]
    for part, hits in natives:
        out += [_rule(part.title, "-"), part.note, f"Licence: {part.licence}",
                "Files: " + ", ".join(hits[:8]) + (" ..." if len(hits) > 8 else ""), ""]
        for name in part.text_files:
            out += [_indent((LICENSES / name).read_text(encoding="utf-8").strip()), ""]
    out += [_rule(f"Python {py_version}", "-"),
            "The Python interpreter and standard library (libpython, base_library.zip,",
            "python3*/lib-dynload), under the PSF License Agreement:\n", _indent(py_text), ""]
    for d in [*dists, *([bootloader] if bootloader else [])]:
        out += [_rule(f"{d.name} {d.version}", "-")]
        if d.summary:
            out.append(d.summary)
        out.append(f"Licence: {d.licence}\n")
        for rel, text in d.texts:
            out += [f"[{rel}]", _indent(text), ""]
        if not d.texts and norm(d.name) in QT_DISTS:
            out += ["(its wheel carries no licence file: LGPL-3.0 text below)", ""]
        elif not d.texts:
            out += ["(no licence file in its distribution; licence named above)", ""]
    if any(norm(d.name) in QT_DISTS for d in dists):
        for name, title in (("LGPL-3.0.txt", "GNU Lesser General Public License v3"),
                            ("GPL-3.0.txt", "GNU General Public License v3")):
            out += [_rule(title, "-"), _indent((LICENSES / name).read_text(encoding="utf-8")),
                    ""]
    return "\n".join(out).rstrip() + "\n"


def write_notices(out: Path, modules: Iterable[str], files: Iterable[str] = (), *,
                  app_version: str = "", with_bootloader: bool = True) -> list[str]:
    """Write the notices for a bundle holding ``modules`` and ``files``; returns the
    distribution names written (for the build log)."""
    files = list(files)
    # top-level folders of the bundle (PySide6/, python_calamine/ ...) are packages too
    tops = {f.replace("\\", "/").split("/", 1)[0] for f in files}
    dists = distributions_for_modules([*modules, *tops])
    bootloader = None
    if with_bootloader:
        with contextlib.suppress(metadata.PackageNotFoundError):
            bootloader = dist_notice(metadata.distribution("pyinstaller"))
    notices = [dist_notice(d) for d in dists.values()]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(notices, files, app_version=app_version, bootloader=bootloader),
                   encoding="utf-8", newline="\n")
    return sorted(f"{n.name}=={n.version}" for n in notices)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--environment", action="store_true",
                        help="notices for ptcodes-gui's runtime dependencies in this Python")
    parser.add_argument("--out", type=Path, help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    if not args.environment:
        parser.error("nothing to do: pass --environment (build.spec calls write_notices)")
    try:
        version = metadata.version(OWN_DIST)
    except metadata.PackageNotFoundError:
        version = ""
    notices = [dist_notice(d) for d in runtime_closure().values()]
    text = render(notices, app_version=version)
    if args.out:
        args.out.write_text(text, encoding="utf-8", newline="\n")
        print(f"notices.py: {args.out}: {len(notices)} distributions", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
