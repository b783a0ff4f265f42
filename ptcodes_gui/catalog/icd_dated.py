"""Dates on the shipped ICD-10-CM set: when each code is valid, and the codes a later fiscal
year added that the shipped tabular list does not hold yet.

Inputs: the tabular entries (``icd10.parse_icd10cm``) and the validity dates of CMS's MS-DRG
Medicare Code Editor tables (``icd_validity``). The shipped list is the April 2026 release;
the MCE tables run through v44 (FY2027, from 2026-10-01), so the catalog knows which codes
FY2027 ended (M72.2 on 2026-09-30) and added (M72.20-M72.22 from 2026-10-01), but not the
new codes' titles: those rows say only what their position makes certain (the parent's code
and title) and are marked ``provisional``; the official title comes with the CDC release.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ptcodes_gui.catalog.icd10 import IcdEntry, dotted, undotted
from ptcodes_gui.catalog.icd_validity import CodeValidity

__all__ = ["Dating", "added_entries", "dating", "fiscal_year_of", "provisional_title"]


@dataclass(frozen=True, slots=True)
class Dating:
    valid_from: str | None
    valid_to: str | None
    replaced_by: tuple[str, ...] = ()
    provisional: bool = False


def fiscal_year_of(day: str) -> int:
    """``"2026-10-01"`` → 2027 (a fiscal year starts on October 1)."""
    year, month = int(day[:4]), int(day[5:7])
    return year + 1 if month >= 10 else year


def provisional_title(parent: IcdEntry | None, begins: str) -> str:
    fy = fiscal_year_of(begins)
    if parent is None:
        where = "New code"
    elif parent.kind == "block":
        where = f"New category after block {parent.title}"
    else:
        where = f"Under {parent.code} {parent.title}"
    return (
        f"{where} (new in FY{fy}, valid from {begins}; official title comes with the CDC "
        f"FY{fy} release import)"
    )


def _parent_of(code: str, by_ucode: Mapping[str, IcdEntry],
               blocks: Sequence[IcdEntry]) -> IcdEntry | None:
    """The nearest shipped entry above ``code``: the longest code prefix, else the block
    whose range holds its category."""
    for cut in range(len(code) - 1, 2, -1):
        found = by_ucode.get(code[:cut])
        if found is not None and found.kind not in ("chapter", "block"):
            return found
    category = code[:3]
    holding = [b for b in blocks if b.code.split("-")[0] <= category <= b.code.split("-")[-1]]
    if holding:
        return max(holding, key=lambda b: b.depth)
    # a new category past the last one of its block (J4B after J40-J4A): the block before it
    before = [b for b in blocks if b.code[0] == category[0] and b.code.split("-")[0] <= category]
    return max(before, key=lambda b: (b.code.split("-")[0], b.depth)) if before else None


def added_entries(entries: Sequence[IcdEntry], validity: Mapping[str, CodeValidity],
                  since: str) -> list[IcdEntry]:
    """Codes valid from a date after ``since`` (the shipped release's effective date) that
    the tabular list lacks, placed under their nearest shipped parent."""
    by_ucode = {undotted(e.code): e for e in entries if e.kind not in ("chapter", "block")}
    blocks = [e for e in entries if e.kind == "block"]
    order = max((e.order for e in entries), default=0) + 1
    added: list[IcdEntry] = []
    later = sorted(c for c, v in validity.items() if v.begin > since and c not in by_ucode)
    for code in later:
        parent = _parent_of(code, by_ucode, blocks)
        if parent is None:
            continue  # no place in the tree: left out (never seen in the v44 tables)
        added.append(IcdEntry(
            code=dotted(code), title=provisional_title(parent, validity[code].begin),
            kind="category" if len(code) == 3 else "code", billable=True,
            parent=parent.code, chapter=parent.chapter,
            depth=parent.depth + 1, notes=(), order=order,
        ))
        order += 1
    return added


def _replacements(code: str, ended: str, validity: Mapping[str, CodeValidity]) -> tuple[str, ...]:
    """Codes that begin the day after ``code`` ended: its children by prefix, else its
    nearest siblings by prefix (same 7th character for a 7-character code)."""
    day_after = {c for c, v in validity.items() if v.begin > ended and v.begin <= _next(ended)}
    children = sorted(c for c in day_after if c.startswith(code) and c != code)
    if children:
        return tuple(dotted(c) for c in children)
    for cut in range(len(code) - 1, 3, -1):
        near = sorted(
            c for c in day_after
            if c.startswith(code[:cut]) and (len(code) < 7 or c[-1] == code[-1])
        )
        if near:
            return tuple(dotted(c) for c in near)
    return ()


def _next(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def dating(entries: Sequence[IcdEntry], added: Sequence[IcdEntry],
           validity: Mapping[str, CodeValidity]) -> dict[str, Dating]:
    """Dotted code → its dates (billable codes and added ones; headers carry none)."""
    found: dict[str, Dating] = {}
    new = {e.code for e in added}
    for e in (*entries, *added):
        span = validity.get(undotted(e.code))
        if span is None or not e.billable:
            continue
        replaced = _replacements(undotted(e.code), span.end, validity) if span.end else ()
        found[e.code] = Dating(span.begin, span.end, replaced, e.code in new)
    return found
