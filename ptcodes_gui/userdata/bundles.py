"""Export and import of favorites, templates and payer profiles as one JSON file.

Reading a bundle (``read_bundle``) touches no database, so it can run on a worker thread;
it refuses anything that is not a regular file (a FIFO, a device such as ``/dev/zero``, a
folder) before opening it, checks the size before reading, and limits the JSON (nesting
depth, digits of a number). ``preview`` then says what applying would add and replace, and
``apply`` does it in one transaction with batch inserts. Every failure is a
``BundleError`` whose text is one sentence naming the file; nothing is changed.

Export writes a temp file created exclusively (``O_EXCL``, a unique random name, never
through a planted symlink) beside the target, then renames it into place.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ptcodes_gui.userdata import favorites, profiles, templates
from ptcodes_gui.userdata.db import (
    Db,
    describe_os_error,
    normalize_code,
    normalize_name,
    parse_when,
)
from ptcodes_gui.userdata.errors import BundleError, UserDataError, ValidationError
from ptcodes_gui.userdata.profiles import PayerProfile, validate_profile
from ptcodes_gui.userdata.templates import Template, TemplateLine, check_lines

MAX_BUNDLE_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 8  # bundle -> templates -> template -> lines -> line -> modifiers
MAX_INT_DIGITS = 15
MAX_FAVORITES = 200_000
MAX_TEMPLATES = 10_000
MAX_PROFILES = 1_000
BUNDLE_FORMAT = "ptcodes-userdata-bundle"
BUNDLE_VERSION = 1
_SECTIONS = frozenset({"format", "version", "exported_at", "favorites", "templates", "profiles"})


@dataclass
class Bundle:
    file_name: str
    favorites: list[str] = field(default_factory=list)
    templates: list[Template] = field(default_factory=list)
    profiles: list[PayerProfile] = field(default_factory=list)


@dataclass(frozen=True)
class ImportSummary:
    """What ``import_bundle`` changed (or, as a preview, would change)."""

    favorites_added: int = 0
    templates_added: tuple[str, ...] = ()
    templates_replaced: tuple[str, ...] = ()
    profiles_added: tuple[str, ...] = ()
    profiles_replaced: tuple[str, ...] = ()


@dataclass(frozen=True)
class BundlePreview:
    """What applying ``bundle`` would do; nothing has been changed yet."""

    bundle: Bundle
    summary: ImportSummary

    @property
    def replaces_anything(self) -> bool:
        return bool(self.summary.templates_replaced or self.summary.profiles_replaced)

    def text(self) -> str:
        s = self.summary
        lines = [
            f"{self.bundle.file_name}: {_count(len(self.bundle.favorites), 'favorite')} "
            f"({s.favorites_added} new), {_count(len(self.bundle.templates), 'template')}, "
            f"{_count(len(self.bundle.profiles), 'payer profile')}.",
        ]
        for title, names in (
            ("Templates added", s.templates_added),
            ("Templates REPLACED (your version is overwritten)", s.templates_replaced),
            ("Payer profiles added", s.profiles_added),
            ("Payer profiles REPLACED (your version is overwritten)", s.profiles_replaced),
        ):
            if names:
                shown = ", ".join(names[:30]) + (f", and {len(names) - 30} more"
                                                 if len(names) > 30 else "")
                lines.append(f"{title}: {shown}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- reading


_KIND_NAMES = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_regular(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KIND_NAMES if test(mode)), "not a regular file")


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; ``BundleError`` otherwise.

    The type and size are checked before anything is read (``stat`` follows a symlink to
    its target), and again on the open descriptor, which is opened non-blocking so that a
    FIFO swapped in between can never hang the caller.
    """
    name = path.name or str(path)
    try:
        kind = _not_regular(os.stat(path).st_mode)
        if kind is not None:
            raise BundleError(f"{name} is {kind}, not a PT Codes export file; nothing was read.")
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
        try:
            info = os.fstat(fd)
            kind = _not_regular(info.st_mode)
            if kind is not None:
                raise BundleError(f"{name} is {kind}, not a PT Codes export file.")
            if info.st_size > limit:
                raise BundleError(
                    f"{name} is larger than {limit // (1024 * 1024)} MB; "
                    "it is not a PT Codes export."
                )
            chunks: list[bytes] = []
            total = 0
            while total <= limit:
                chunk = os.read(fd, min(1 << 20, limit + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
            if total > limit:
                raise BundleError(f"{name} grew past the size limit while being read.")
            return b"".join(chunks)
        finally:
            os.close(fd)
    except OSError as exc:
        raise BundleError(f"{name} could not be read: {exc.strerror or exc}.") from exc


class _TooBigError(ValueError):
    pass


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _TooBigError(text[:20])
    return int(text)


def _parse_float(text: str) -> float:
    if len(text) > 40:
        raise _TooBigError(text[:20])
    return float(text)


def _refuse_constant(text: str) -> object:
    raise ValueError(f"{text} is not allowed")


def _depth(data: object) -> int:
    """Nesting depth, without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
    return deepest


def parse_json(raw: bytes, name: str) -> object:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BundleError(f"{name} is not UTF-8 text; it is not a PT Codes export.") from exc
    try:
        data = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_refuse_constant,
        )
    except RecursionError as exc:
        raise BundleError(f"{name} is nested too deeply; it is not a PT Codes export.") from exc
    except json.JSONDecodeError as exc:
        raise BundleError(
            f"{name} is not a valid PT Codes export (broken JSON at line {exc.lineno})."
        ) from exc
    except _TooBigError as exc:
        raise BundleError(
            f"{name} holds a number with more than {MAX_INT_DIGITS} digits ({exc}...); "
            "it is not a PT Codes export."
        ) from exc
    except ValueError as exc:
        raise BundleError(f"{name} is not a valid PT Codes export ({exc}).") from exc
    if _depth(data) > MAX_DEPTH:
        raise BundleError(f"{name} is nested too deeply; it is not a PT Codes export.")
    return data


def _template_from_json(item: object, now: datetime) -> Template:
    if not isinstance(item, dict):
        raise ValidationError("must be an object")
    unknown = set(item) - {"name", "lines", "created", "updated"}
    if unknown:
        raise ValidationError(f"unknown field(s) {', '.join(sorted(unknown))}")
    name = normalize_name(item.get("name"), what="template name")
    raw_lines = item.get("lines")
    if not isinstance(raw_lines, list):
        raise ValidationError(f"{name!r}: lines must be a list")
    lines: list[TemplateLine] = []
    for n, raw in enumerate(raw_lines, 1):
        if not isinstance(raw, dict):
            raise ValidationError(f"{name!r} line {n}: must be an object")
        try:
            lines.append(TemplateLine.from_dict(raw))
        except ValidationError as exc:
            raise ValidationError(f"{name!r} line {n}: {exc}") from exc
    check_lines(tuple(lines))
    created = parse_when(item.get("created"))
    if created is not None and created.tzinfo is not None:
        created = created.astimezone().replace(tzinfo=None)
    return Template(name, tuple(lines), created or now, now)


def _section(data: dict[str, object], key: str, limit: int, problems: list[str]) -> list[object]:
    value = data.get(key, [])
    if not isinstance(value, list):
        problems.append(f"{key}: must be a list")
        return []
    if len(value) > limit:
        problems.append(f"{key}: more than {limit:,} entries")
        return []
    return value


def read_bundle(path: Path, now: datetime) -> Bundle:
    """Read and validate a bundle file; ``BundleError`` lists the problems."""
    path = Path(path)
    name = path.name or str(path)
    data = parse_json(read_regular_file(path, MAX_BUNDLE_BYTES), name)
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"{name} is not a PT Codes export.")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BundleError(f"{name} has no valid format version.")
    if version > BUNDLE_VERSION:
        raise BundleError(
            f"{name} was made by a newer version of PT Codes (format {version}); "
            "install the newer version to import it."
        )
    problems: list[str] = []
    unknown = set(data) - _SECTIONS
    if unknown:
        problems.append(f"unknown section(s): {', '.join(sorted(unknown))}")
    bundle = Bundle(name)
    for i, code in enumerate(_section(data, "favorites", MAX_FAVORITES, problems), 1):
        try:
            bundle.favorites.append(normalize_code(code))
        except ValidationError as exc:
            problems.append(f"favorite {i}: {exc}")
    seen: set[str] = set()
    for i, item in enumerate(_section(data, "templates", MAX_TEMPLATES, problems), 1):
        try:
            template = _template_from_json(item, now)
        except (ValidationError, TypeError) as exc:
            problems.append(f"template {i}: {exc}")
            continue
        if template.name.casefold() in seen:
            problems.append(f"template {i}: the name {template.name!r} appears twice")
        seen.add(template.name.casefold())
        bundle.templates.append(template)
    seen = set()
    for i, item in enumerate(_section(data, "profiles", MAX_PROFILES, problems), 1):
        try:
            profile = validate_profile(item)  # type: ignore[arg-type]
        except (ValidationError, TypeError) as exc:
            problems.append(f"profile {i}: {exc}")
            continue
        if profile["name"].casefold() in seen:
            problems.append(f"profile {i}: the name {profile['name']!r} appears twice")
        seen.add(profile["name"].casefold())
        bundle.profiles.append(profile)
    if problems:
        shown = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
        raise BundleError(f"{name} was not imported; nothing was changed: {shown}", problems)
    return bundle


# --------------------------------------------------------------------------- applying


def preview(db: Db, bundle: Bundle) -> BundlePreview:
    have_favs = set(favorites.codes(db))
    have_templates = {r[0].casefold() for r in db.conn.execute("SELECT name FROM templates")
                      if isinstance(r[0], str)}
    have_profiles = {r[0].casefold() for r in db.conn.execute("SELECT name FROM payer_profiles")
                     if isinstance(r[0], str)}
    t_new = tuple(t.name for t in bundle.templates if t.name.casefold() not in have_templates)
    t_old = tuple(t.name for t in bundle.templates if t.name.casefold() in have_templates)
    p_new = tuple(p["name"] for p in bundle.profiles if p["name"].casefold() not in have_profiles)
    p_old = tuple(p["name"] for p in bundle.profiles if p["name"].casefold() in have_profiles)
    fav_new = len(set(bundle.favorites) - have_favs)
    return BundlePreview(bundle, ImportSummary(fav_new, t_new, t_old, p_new, p_old))


def apply(db: Db, bundle: Bundle) -> ImportSummary:
    """Merge all of ``bundle`` or nothing: favorites are a union; a template or profile of
    the same name (ignoring case) is replaced and reported."""
    db.require_writable()
    now = db.now_iso()
    added: list[str] = []
    replaced: list[str] = []
    p_added: list[str] = []
    p_replaced: list[str] = []
    with db.write() as conn:
        fav_added = favorites.add_many(conn, bundle.favorites, now)
        for t in bundle.templates:
            created = t.created.isoformat(timespec="seconds")
            was = templates.put(conn, t.name, t.lines, created, now, overwrite=True)
            (replaced if was else added).append(t.name)
        for p in bundle.profiles:
            (p_replaced if profiles.put(conn, p, now) else p_added).append(p["name"])
    return ImportSummary(
        fav_added, tuple(added), tuple(replaced), tuple(p_added), tuple(p_replaced)
    )


# --------------------------------------------------------------------------- export


def bundle_json(db: Db) -> str:
    data = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "exported_at": db.now_iso(),
        "favorites": favorites.codes(db),
        "templates": [
            {
                "name": t.name,
                "created": t.created.isoformat(timespec="seconds"),
                "updated": t.updated.isoformat(timespec="seconds"),
                "lines": [line.to_dict() for line in t.lines],
            }
            for t in templates.all_templates(db)
        ],
        "profiles": [dict(p) for p in profiles.all_profiles(db)],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_exclusive(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a new temp file beside it (created with ``O_EXCL``
    under a unique name, so nothing planted there is followed), then rename it over."""
    path = Path(path)
    temp: str | None = None
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            os.chmod(temp, 0o644)
        os.replace(temp, path)
        temp = None
    except OSError as exc:
        raise UserDataError(
            f"The export could not be written: {describe_os_error(exc, path)}."
        ) from exc
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _count(n: int, word: str) -> str:
    """``1 template``, ``2 templates``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
