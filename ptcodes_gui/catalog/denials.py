"""Denial codes (CARC/RARC) from ``resources/catalog/denials.toml`` as catalog entries.

Each becomes a ``Code`` of system ``denial`` (shown and searched like the PT codes): its
meaning in our words, the usual cause in a PT clinic and the fix as notes, and the rule ids
of PT Codes that catch the cause before the claim goes out. The search forms people type
("co 97", "CARC 97", "denial 97", "co-97", "remark N115") are its abbreviations.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Final

from ptcodes_gui.domain.models import Code, Fact, System
from ptcodes_gui.domain.sources import SOURCES

SOURCE: Final = "x12-carc-rarc"
_CARC_RE: Final = re.compile(r"^(CO|PR|OA|PI)-([A-Z]?\d{1,3})$")
_RARC_RE: Final = re.compile(r"^RARC-([A-Z]{1,2}\d{1,4})$")


class DenialError(ValueError):
    """A denials.toml entry that cannot be used (one line naming the entry)."""


def search_forms(code: str) -> tuple[str, ...]:
    """What a biller types for ``code``: "CO 97", "CO97", "CARC 97", "denial 97", ..."""
    carc = _CARC_RE.match(code)
    if carc:
        group, number = carc.groups()
        return (f"{group} {number}", f"{group}{number}", f"CARC {number}",
                f"denial {number}", f"denial code {number}", f"reason code {number}",
                f"adjustment {number}")
    rarc = _RARC_RE.match(code)
    if rarc:
        remark = rarc.group(1)
        return (remark, f"RARC {remark}", f"remark {remark}", f"remark code {remark}")
    raise DenialError(f"denials.toml: {code!r} is neither CO/PR/OA/PI-NN nor RARC-XNNN")


def _denial(row: dict[str, Any], as_of: str, rule_ids: frozenset[str]) -> Code:
    code = str(row.get("code", "")).strip()
    where = f"denials.toml: {code or '?'}"
    unknown = [r for r in row.get("rules", []) if r not in rule_ids]
    if unknown:
        raise DenialError(f"{where}: unknown rule id(s) {', '.join(unknown)}")
    source = str(row.get("source", SOURCE))
    if source not in SOURCES:
        raise DenialError(f"{where}: unknown source id {source!r}")
    confidence = str(row.get("confidence", "M"))
    kind = "remark code" if row.get("kind") == "rarc" else "reason code"
    notes = (
        Fact(f"Usual cause in a PT clinic: {row['cause']}", source, confidence, "pitfall",
             as_of=as_of),
        Fact(f"Fix: {row['fix']}", source, confidence, "note", as_of=as_of),
    )
    return Code(
        code=code, system=System.DENIAL, title=str(row["title"]).strip(),
        description=str(row["meaning"]).strip(), category="denial",
        abbreviations=search_forms(code), synonyms=(kind, "denial", "remittance"),
        related=tuple(row.get("related", [])), notes=notes,
        sources=(Fact("meaning of the code (our words)", source, confidence, "core", as_of=as_of),),
        verify=confidence.upper().startswith("L") and not confidence.upper().startswith("L-M"),
        rules=tuple(row.get("rules", [])), discipline="any",
    )


def load_denials(path: Path, rule_ids: frozenset[str]) -> list[Code]:
    """Every entry of ``path``; DenialError names a bad one (unknown rule id, code shape)."""
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DenialError(f"denials.toml: {exc}") from None
    as_of = str(data.get("as_of", ""))
    return [_denial(row, as_of, rule_ids) for row in data.get("denial", [])]
