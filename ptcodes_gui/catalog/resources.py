"""Read the hand-edited catalog sources (``resources/catalog``) into domain objects.

Used only by the catalog build; the running app reads the built SQLite file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from ptcodes_gui.domain.models import Code, Fact, NcciPair
from ptcodes_gui.domain.sources import SOURCES


class ResourceError(ValueError):
    """A catalog source file names something that does not exist (one line, file and entry)."""

    def __init__(self, message: str, source: str = "") -> None:
        super().__init__(message)
        self.source = source  # the unknown source id, when that is the problem


@dataclass(frozen=True)
class ResourceSet:
    version: str
    content_date: str
    ncci_as_of: str
    sources: dict[str, str]  # id -> full citation, for every source the catalog cites
    codes: tuple[Code, ...]
    pairs: tuple[NcciPair, ...]
    icd_aliases: dict[str, tuple[str, ...]]
    search_hints: dict[str, tuple[str, ...]]


def default_resource_dir() -> Path:
    """The ``resources/catalog`` folder of a source checkout (build time only)."""
    return Path(__file__).resolve().parents[2] / "resources" / "catalog"


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _source_id(value: Any, where: str) -> str:
    """A registry id, or ResourceError naming the file and entry that cites something else."""
    source = str(value or "").strip()
    if source not in SOURCES:
        raise ResourceError(
            f"{where}: unknown source id {source!r} (ids are defined in "
            "ptcodes_gui/domain/sources.py)",
            source,
        )
    return source


def _line_of(text: str, anchor: str, after: str) -> int:
    """1-based line of the first line containing ``after`` at or below the line ``anchor``
    (TOML parsers drop positions, and a clinic editor needs the line to fix)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == anchor), 0)
    hit = next((i for i in range(start, len(lines)) if after in lines[i]), start)
    return hit + 1


def _parse(path: Path, where: str) -> tuple[str, dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ResourceError(f"{where}: {exc}") from None


def _codes_of(path: Path, as_of: str) -> list[Code]:
    where = f"codes/{path.name}"
    text, data = _parse(path, where)
    out: list[Code] = []
    for row in data.get("code", []):
        try:
            out.append(_code_from_table(row, where, as_of))
        except ResourceError as exc:
            line = _line_of(text, f'code = "{row.get("code")}"', f'source = "{exc.source}"')
            message = str(exc).replace(f"{where}:", f"{where} line {line}:", 1)
            raise ResourceError(message, exc.source) from None
    return out


def _code_from_table(row: dict[str, Any], where: str, as_of: str) -> Code:
    label = f"{where}: {row.get('code', '?')}"
    notes = tuple(
        Fact(
            text=str(n["text"]),
            source=_source_id(n.get("source"), f"{label} note {i}"),
            confidence=str(n.get("confidence", "M")),
            kind=str(n.get("kind", "note")),
            payer=n.get("payer"),
            as_of=str(n.get("as_of", as_of)),
        )
        for i, n in enumerate(row.get("notes", []), start=1)
    )
    core = Fact(
        text="meaning, timed/untimed and unit length",
        source=_source_id(row.get("source"), label),
        confidence=str(row.get("confidence", "M")),
        kind="core",
        as_of=as_of,
    )
    timed = bool(row.get("timed", False))
    return Code(
        code=str(row["code"]).strip(),
        system=str(row["system"]),
        title=str(row["title"]).strip(),
        description=str(row.get("description", "")).strip(),
        category=str(row.get("category", "other")),
        timed=timed,
        unit_minutes=row.get("unit_minutes"),
        first_unit_minutes=row.get("first_unit_minutes"),
        attendance=str(row.get("attendance", "not_applicable")),
        discipline=str(row.get("discipline", "PT")),
        status=str(row.get("status", "active")),
        replaced_by=_tuple(row.get("replaced_by")),
        deleted_year=row.get("deleted_year"),
        addon_to=_tuple(row.get("addon_to")),
        abbreviations=_tuple(row.get("abbreviations")),
        synonyms=_tuple(row.get("synonyms")),
        related=_tuple(row.get("related")),
        modifiers=_tuple(row.get("modifiers")),
        notes=notes,
        sources=(core,),
        common=bool(row.get("common", False)),
        seed_listed=bool(row.get("seed_listed", False)),
        medicare_status=row.get("medicare_status"),
        not_medicare=bool(row.get("not_medicare", False)),
        verify=bool(row.get("verify", False)),
        effective=_iso(row.get("effective"), f"{label} effective"),
        deleted=_deletion(row, label),
        use_before=_tuple(row.get("use_before")),
        before_note=str(row.get("before_note", "")).strip(),
        sometimes_therapy=bool(row.get("sometimes_therapy", False)),
    )


def _iso(value: Any, where: str) -> str | None:
    """An ISO date (``2026-01-01``) or None; ResourceError names the entry otherwise."""
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, date) else str(value).strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ResourceError(f"{where}: {text!r} is not a date (YYYY-MM-DD)") from None


def _deletion(row: dict[str, Any], label: str) -> str | None:
    """A deleted code's deletion date: ``deleted``, else 1 January of ``deleted_year``
    (CPT and HCPCS deletions take effect on 1 January)."""
    found = _iso(row.get("deleted"), f"{label} deleted")
    if found is None and row.get("deleted_year"):
        found = f"{int(row['deleted_year']):04d}-01-01"
    if found is None and row.get("status") == "deleted":
        raise ResourceError(f"{label}: a deleted code needs its deletion date (deleted)")
    return found


def _with_history(codes: list[Code]) -> list[Code]:
    """``use_before`` of a new code defaults to the deleted codes it replaced on its
    effective date (90912 ← 90911), so a date of service before it names them."""
    replaced: dict[tuple[str, str], list[str]] = {}
    for c in codes:
        if c.deleted:
            for new in c.replaced_by:
                replaced.setdefault((new, c.deleted), []).append(c.code)
    out: list[Code] = []
    for c in codes:
        earlier = replaced.get((c.code, c.effective or ""), [])
        out.append(replace(c, use_before=tuple(earlier)) if earlier and not c.use_before else c)
    return out


def load_resources(directory: Path | None = None) -> ResourceSet:
    base = directory or default_resource_dir()
    _text, meta = _parse(base / "catalog.toml", "catalog.toml")
    reviewed = str(meta.get("content_date", ""))
    codes: list[Code] = []
    for path in sorted((base / "codes").glob("*.toml")):
        codes.extend(_codes_of(path, reviewed))
    codes = _with_history(codes)
    # add-on relations are written once (on the add-on); derive the reverse link here
    addons: dict[str, list[str]] = {}
    for c in codes:
        for primary in c.addon_to:
            addons.setdefault(primary, []).append(c.code)
    codes = [
        _with_addons(c, tuple(sorted(addons.get(c.code, [])))) if c.code in addons else c
        for c in codes
    ]
    codes.extend(_denials(base))
    ncci_text, ncci = _parse(base / "ncci.toml", "ncci.toml")
    as_of = str(ncci.get("as_of", meta.get("content_date", "")))
    pairs = tuple(
        NcciPair(
            column1=str(p["column1"]),
            column2=str(p["column2"]),
            indicator=int(p["indicator"]),
            source=_source_id(p.get("source"), f"ncci.toml line {_pair_line(ncci_text, p)}"),
            confidence=str(p.get("confidence", "M")),
            as_of=str(p.get("as_of", as_of)),
            note=str(p.get("note", "")),
            effective=_iso(p.get("effective"), f"ncci.toml {p['column1']}/{p['column2']}"),
        )
        for p in ncci.get("pair", [])
    )
    aliases: dict[str, tuple[str, ...]] = {}
    alias_path = base / "icd_aliases.toml"
    if alias_path.exists():
        adata = tomllib.loads(alias_path.read_text(encoding="utf-8"))
        for entry in adata.get("alias", []):
            for word in _tuple(entry["terms"]):
                aliases[word.lower()] = _tuple(entry["codes"])
    hints: dict[str, tuple[str, ...]] = {}
    hint_path = base / "search_hints.toml"
    if hint_path.exists():
        hdata = tomllib.loads(hint_path.read_text(encoding="utf-8"))
        for entry in hdata.get("hint", []):
            for word in _tuple(entry["terms"]):
                hints[word.lower()] = _tuple(entry["codes"])
    cited = {f.source for c in codes for f in (*c.sources, *c.notes)} | {p.source for p in pairs}
    sources = {sid: SOURCES[sid].citation for sid in sorted(cited)}
    return ResourceSet(
        version=str(meta.get("version", "0")),
        content_date=str(meta.get("content_date", "")),
        ncci_as_of=as_of,
        sources=sources,
        codes=tuple(codes),
        pairs=pairs,
        icd_aliases=aliases,
        search_hints=hints,
    )


def _denials(base: Path) -> list[Code]:
    from ptcodes_gui.catalog.denials import DenialError, load_denials
    from ptcodes_gui.domain.rules import RULES

    try:
        return load_denials(base / "denials.toml", frozenset(RULES))
    except (DenialError, KeyError) as exc:
        raise ResourceError(str(exc)) from None


def _pair_line(text: str, pair: dict[str, Any]) -> str:
    """Where a pair is written (only computed for the message of a bad pair)."""
    if pair.get("source") in SOURCES:
        return ""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == f'column1 = "{pair["column1"]}"' and i + 1 < len(lines) and (
            lines[i + 1].strip() == f'column2 = "{pair["column2"]}"'
        ):
            at = _line_of("\n".join(lines[i:]), lines[i].strip(), "source =") + i
            return f"{at} ({pair['column1']}/{pair['column2']})"
    return f"? ({pair['column1']}/{pair['column2']})"


def _with_addons(code: Code, addons: tuple[str, ...]) -> Code:
    return replace(code, addons=addons)
