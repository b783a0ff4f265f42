"""The detail pane's HTML for one code. Plain functions: easy to test, no widgets.

Links use the ``code:`` scheme (``code:97110``) and are resolved by the window, so related,
add-on, replacement and parent codes navigate inside the app (never a browser).
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from ptcodes_gui.domain.models import (
    ATTENDANCE,
    CATEGORIES,
    Code,
    NcciPair,
    System,
    system_label,
)

_NOTE_HEADINGS = {
    "payer": "Payer notes",
    "documentation": "Documentation tips",
    "pitfall": "Common pitfalls",
    "note": "Notes",
    "clinic": "Your clinic's notes",
}
_ICD_NOTE_LABELS = {
    "includes": "Includes",
    "inclusionTerm": "Also covers",
    "excludes1": "Excludes1 (never together with)",
    "excludes2": "Excludes2 (not included here; may be coded together)",
    "codeFirst": "Code first",
    "useAdditionalCode": "Use additional code",
    "codeAlso": "Code also",
    "notes": "Notes",
    "sevenChrNote": "7th character",
    "sevenChrDef": "7th characters",
}


def link(code: str, label: str | None = None) -> str:
    return f'<a href="code:{quote(code)}">{escape(label or code)}</a>'


def _links(codes: tuple[str, ...] | list[str]) -> str:
    return ", ".join(link(c) for c in codes)


def _confidence(conf: str) -> str:
    verify = " — <b>verify</b>" if conf.upper().startswith("L") else ""
    return f"confidence {escape(conf)}{verify}"


def _pair_row(code: str, p: NcciPair) -> str:
    other = p.column2 if p.column1 == code else p.column1
    role = "column 2 (the code that is denied)" if p.column2 == code else "column 1"
    if p.indicator == 1:
        what = "allowed with 59 or XE/XS/XP/XU on the column-2 code when truly distinct"
    elif p.indicator == 0:
        what = "never paid together; no modifier overrides it"
    else:
        what = "edit not applicable"
    note = f" {escape(p.note)}" if p.note else ""
    return (
        f"<li>With {link(other)}: indicator <b>{p.indicator}</b> ({what}); this code is "
        f"{role}.{note} <small>Source {escape(p.source)}, as of {escape(p.as_of)}, "
        f"{_confidence(p.confidence)}.</small></li>"
    )


def render_code(
    code: Code,
    *,
    favorite: bool = False,
    descriptor: tuple[str, str] | None = None,
    muted: str = "#777",
) -> str:
    """HTML for the detail pane."""
    parts: list[str] = []
    star = "★ " if favorite else ""
    system = system_label(code.system)
    parts.append(
        f"<h2 style='margin-bottom:2px'>{star}{escape(code.code)} — {escape(code.title)}</h2>"
        f"<div style='color:{muted}'>{escape(system)}"
        + (
            ""
            if code.system == System.ICD10CM
            else f" · {escape(CATEGORIES.get(code.category, code.category))}"
        )
        + "</div>"
    )
    if code.is_deleted:
        year = f" in {code.deleted_year}" if code.deleted_year else ""
        parts.append(
            f"<p><b>Deleted{year}.</b> Do not bill it. Use {_links(code.replaced_by)} instead.</p>"
        )
    if code.system == System.ICD10CM:
        parts.append(_render_icd(code))
        return "\n".join(parts)
    if code.description:
        parts.append(f"<p>{escape(code.description)}</p>")
    if descriptor:
        parts.append(
            f"<p><i>Licensed descriptor ({escape(descriptor[1])}):</i> {escape(descriptor[0])}</p>"
        )
    if code.system != System.MODIFIER:
        facts = [f"<b>{escape(code.timed_label)}</b>"]
        facts.append(escape(ATTENDANCE.get(code.attendance, code.attendance)))
        if code.discipline not in ("PT", "any"):
            facts.append(f"<b>not a PT code</b> ({escape(code.discipline)})")
        if code.medicare_status == "B":
            facts.append("<b>Medicare: bundled, never paid separately</b>")
        if code.not_medicare:
            facts.append("<b>not accepted by Medicare</b>")
        parts.append("<p>" + " · ".join(facts) + "</p>")
    if code.addon_to:
        parts.append(f"<p>Add-on code: bill only together with {_links(code.addon_to)}.</p>")
    if code.addons:
        parts.append(f"<p>Add-on codes for additional time: {_links(code.addons)}.</p>")
    if code.verify:
        parts.append("<p><b>Verify:</b> low-confidence entry; check the payer's rules.</p>")
    groups: dict[str, list[str]] = {}
    for n in code.notes:
        payer = f"<b>{escape(n.payer)}:</b> " if n.payer else ""
        groups.setdefault(n.kind, []).append(
            f"<li>{payer}{escape(n.text)} <small style='color:{muted}'>(source "
            f"{escape(n.source)}, {_confidence(n.confidence)})</small></li>"
        )
    for kind in ("payer", "documentation", "pitfall", "note", "clinic"):
        if kind in groups:
            parts.append(f"<h3>{_NOTE_HEADINGS[kind]}</h3><ul>{''.join(groups.pop(kind))}</ul>")
    for kind, items in groups.items():
        parts.append(f"<h3>{escape(kind.title())}</h3><ul>{''.join(items)}</ul>")
    if code.modifiers:
        parts.append(f"<h3>Modifiers that apply</h3><p>{_links(code.modifiers)}</p>")
    if code.ncci:
        rows = "".join(_pair_row(code.code, p) for p in code.ncci)
        parts.append(f"<h3>NCCI pairs</h3><ul>{rows}</ul>")
    if code.abbreviations or code.synonyms:
        words = ", ".join(escape(w) for w in (*code.abbreviations, *code.synonyms))
        parts.append(f"<p style='color:{muted}'>Also searched as: {words}</p>")
    if code.related:
        parts.append(f"<h3>Related codes</h3><p>{_links(code.related)}</p>")
    if code.sources:
        src = "; ".join(
            f"{escape(s.text)}: {escape(s.source)} ({_confidence(s.confidence)})"
            for s in code.sources
        )
        parts.append(f"<p style='color:{muted}'><small>Sources — {src}</small></p>")
    return "\n".join(parts)


def _render_icd(code: Code) -> str:
    parts: list[str] = []
    if code.billable:
        parts.append("<p><b>Billable</b> diagnosis code.</p>")
    else:
        parts.append(
            "<p><b>Header — not billable.</b> Pick one of the codes under it"
            + (":" if code.children else ".") + "</p>"
        )
    if code.parents:
        chain = " › ".join(link(c, f"{c} {t}") for c, t in reversed(code.parents))
        parts.append(f"<p><small>{chain}</small></p>")
    by_kind: dict[str, list[str]] = {}
    for n in code.icd_notes:
        where = "" if n.from_code == code.code else f" <small>(from {link(n.from_code)})</small>"
        by_kind.setdefault(n.kind, []).append(f"<li>{escape(n.text)}{where}</li>")
    for kind, items in by_kind.items():
        label = escape(_ICD_NOTE_LABELS.get(kind, kind))
        parts.append(f"<h3>{label}</h3><ul>{''.join(items)}</ul>")
    if code.children:
        rows = "".join(f"<li>{link(c)} {escape(t)}</li>" for c, t in code.children[:60])
        more = f"<p>… and {len(code.children) - 60} more</p>" if len(code.children) > 60 else ""
        parts.append(f"<h3>Codes under it</h3><ul>{rows}</ul>{more}")
    return "\n".join(parts)
