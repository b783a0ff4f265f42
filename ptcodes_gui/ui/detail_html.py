"""The detail pane's HTML for one code. Plain functions: easy to test, no widgets.

Links use the ``code:`` scheme (``code:97110``) and are resolved by the window, so related,
add-on, replacement and parent codes navigate inside the app (never a browser). Each fact
carries a short source label as a ``source:ID`` link: QTextBrowser shows no tooltips of its
own, so the window shows ``source_tooltip(href)`` (the full citation) when one is hovered.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from ptcodes_gui.domain.articles import ArticleView
from ptcodes_gui.domain.formatting import validity_text
from ptcodes_gui.domain.models import (
    ATTENDANCE,
    CATEGORIES,
    Code,
    Mue,
    NcciPair,
    System,
    system_label,
)
from ptcodes_gui.domain.rules import RULES
from ptcodes_gui.domain.sources import SOURCES, resolve

#: Grey for notes and subtitles on a white pane: 6.4:1, above WCAG AA's 4.5:1.
DEFAULT_MUTED = "#5c5c5c"
CPT_NOTICE = "CPT is a registered trademark of the American Medical Association."
_AA_CONTRAST = 4.5

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


def _luminance(color: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(foreground: str, background: str) -> float:
    hi, lo = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def muted_color(text: str, background: str) -> str:
    """A grey between the palette's text and background colours that still reads at
    WCAG AA (4.5:1) on that background, in light and dark palettes alike. The Disabled
    text colour Qt offers is meant for inactive widgets and falls below it."""

    def mix(t: float) -> str:
        a = [int(text.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
        b = [int(background.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
        return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))

    for step in range(8, -1, -1):  # as faint as 40% towards the background, never below AA
        candidate = mix(step * 0.05)
        if contrast_ratio(candidate, background) >= _AA_CONTRAST + 0.1:
            return candidate
    return text


def source_link(source: str, muted: str = "") -> str:
    """The short label of ``source``; a registry id becomes a ``source:ID`` link whose
    citation the window shows on hover (``title`` too, for HTML viewers that honour it).
    It takes the readable grey of the text around it, not the palette's link colour."""
    cited = resolve(source)
    if not cited.id:
        return escape(cited.label)
    style = f" style='color:{muted}'" if muted else ""
    return (
        f'<a href="source:{quote(cited.id)}" title="{escape(cited.citation)}"{style}>'
        f"{escape(cited.label)}</a>"
    )


def source_tooltip(href: str) -> str:
    """The hover text for a ``source:ID`` link: the full citation (and where it is
    published); empty for any other link."""
    if not href.startswith("source:"):
        return ""
    found = SOURCES.get(href.removeprefix("source:"))
    if found is None:
        return ""
    return found.citation + (f"\n{found.url}" if found.url else "")


def _cite(source: str, confidence: str, as_of: str | None = None, muted: str = "") -> str:
    """``(Pub. 100-04 ch. 5 §20.2, confidence H)`` in small muted text; pairs add their
    as-of date (edits change quarterly; a note's date is the catalog's review date)."""
    when = f", as of {escape(as_of)}" if as_of else ""
    style = f" style='color:{muted}'" if muted else ""
    return (
        f"<small{style}>({source_link(source, muted)}, {_confidence(confidence)}{when})</small>"
    )


def _pair_row(code: str, p: NcciPair, muted: str) -> str:
    other = p.column2 if p.column1 == code else p.column1
    role = "column 2 (the code that is denied)" if p.column2 == code else "column 1"
    if p.indicator == 1:
        what = "allowed with 59 or XE/XS/XP/XU on the column-2 code when truly distinct"
    elif p.indicator == 0:
        what = "never paid together; no modifier overrides it"
    else:
        what = "edit not applicable"
    note = f" {escape(p.note)}" if p.note else ""
    dates = (f" Effective {escape(p.effective)}." if p.effective else "") + (
        f" Deleted {escape(p.deleted)}." if p.deleted else "")
    return (
        f"<li>With {link(other)}: indicator <b>{p.indicator}</b> ({what}); this code is "
        f"{role}.{note}{dates} {_cite(p.source, p.confidence, p.as_of, muted)}</li>"
    )


_MAI = {1: "per claim line", 2: "per day of service (policy)",
        3: "per day of service (clinical)"}


def _mue_html(mue: Mue) -> str:
    why = f" {escape(mue.rationale)}." if mue.rationale else ""
    return (f"<p><b>MUE: {mue.value} unit(s)</b> "
            f"{_MAI.get(mue.adjudication_indicator, '')} (MAI {mue.adjudication_indicator})."
            f"{why} <small>Source {escape(mue.source)}.</small></p>")


def render_code(
    code: Code,
    *,
    favorite: bool = False,
    descriptor: tuple[str, str] | None = None,
    muted: str = DEFAULT_MUTED,
    mue: Mue | None = None,
    articles: ArticleView | None = None,
) -> str:
    """HTML for the detail pane (``muted``: the grey for notes; see ``muted_color``)."""
    parts = _heading_html(code, favorite, muted)
    if code.system == System.ICD10CM:
        parts.append(_render_icd(code))
        parts += articles_html(articles)
        return "\n".join(parts)
    parts += articles_html(articles)
    parts += _facts_html(code, descriptor, muted)
    parts += _notes_html(code, muted)
    parts += _related_html(code, mue, muted)
    return "\n".join(parts)


def _heading_html(code: Code, favorite: bool, muted: str) -> list[str]:
    """The code and title, its code set (and category), and whether it was deleted."""
    star = "★ " if favorite else ""
    system = system_label(code.system)
    parts = [
        f"<h2 style='margin-bottom:2px'>{star}{escape(code.code)} — {escape(code.title)}</h2>"
        f"<div style='color:{muted}'>{escape(system)}"
        + (
            ""
            if code.system == System.ICD10CM
            else f" · {escape(CATEGORIES.get(code.category, code.category))}"
        )
        + "</div>"
    ]
    if code.is_deleted:
        year = f" on {code.deleted}" if code.deleted else (
            f" in {code.deleted_year}" if code.deleted_year else "")
        instead = (
            f"Use {_links(code.replaced_by)} instead."
            if code.replaced_by
            else "It has no replacement code: report nothing in its place."
        )
        parts.append(f"<p><b>Deleted{year}.</b> Do not bill it. {instead}</p>")
    return parts


def _facts_html(code: Code, descriptor: tuple[str, str] | None, muted: str) -> list[str]:
    """Our description, the official descriptor if licensed, timing and status, add-ons."""
    parts: list[str] = []
    if code.description:
        parts.append(f"<p>{escape(code.description)}</p>")
    if descriptor:
        parts.append(
            f"<p><i>Official descriptor ({escape(descriptor[1])}):</i> {escape(descriptor[0])}</p>"
        )
    core = "".join(
        " " + _cite(s.source, s.confidence, muted=muted) for s in code.sources
    )
    if code.system == System.DENIAL:
        parts.append(_caught_by_html(code) + (f"<p>{core.strip()}</p>" if core else ""))
    elif code.system != System.MODIFIER:
        facts = [f"<b>{escape(code.timed_label)}</b>"]
        facts.append(escape(ATTENDANCE.get(code.attendance, code.attendance)))
        facts += _status_facts(code)
        parts.append("<p>" + " · ".join(facts) + core + "</p>")
    elif core:
        parts.append(f"<p>{core.strip()}</p>")
    if code.system in (System.CPT, System.HCPCS):
        parts.append(f"<p><b>History:</b> {escape(' '.join(code.history))}</p>")
    if code.addon_to:
        parts.append(f"<p>Add-on code: bill only together with {_links(code.addon_to)}.</p>")
    if code.addons:
        parts.append(f"<p>Add-on codes for additional time: {_links(code.addons)}.</p>")
    if code.verify:
        parts.append("<p><b>Verify:</b> low-confidence entry; check the payer's rules.</p>")
    return parts


def articles_html(view: ArticleView | None, shown: int = 40) -> list[str]:
    """Under the MAC: the diagnoses a code's articles accept, or the codes a diagnosis
    supports (the clinic's codes the articles list)."""
    if view is None or not (view.coverage or view.supported):
        return []
    head = f"<h3>Coverage articles of {escape(view.mac_label)}</h3>"
    if view.supported:
        items = "".join(f"<li>{link(code)} ({escape(art.label)})</li>"
                        for code, art in view.supported[:shown])
        return [head, f"<p>This diagnosis supports:</p><ul>{items}</ul>"]
    out = [head]
    for cov in view.coverage:
        dx = sorted(cov.covered)
        listed = ", ".join(escape(d) for d in dx[:shown]) + (
            f" and {len(dx) - shown:,} more" if len(dx) > shown else "")
        out.append(f"<p><b>{escape(cov.article.label)}</b>: {len(dx):,} diagnoses support it"
                   + (f": {listed}" if dx else "") + "."
                   + (f" <i>{escape(cov.paragraph[:300])}</i>" if cov.paragraph else "")
                   + "</p>")
    return out


def _caught_by_html(code: Code) -> str:
    """A denial code's rules: what PT Codes checks before the claim goes out."""
    found = [RULES[r] for r in code.rules if r in RULES]
    if not found:
        return "<p><b>No check of PT Codes catches this before submission</b> (see the fix).</p>"
    items = "".join(f"<li><b>{escape(r.id)}</b>: {escape(r.summary)}</li>" for r in found)
    return f"<h3>Caught before submission by</h3><ul>{items}</ul>"


def _notes_html(code: Code, muted: str) -> list[str]:
    """The notes grouped by kind: the known kinds in a fixed order, then any others."""
    parts: list[str] = []
    groups: dict[str, list[str]] = {}
    for n in code.notes:
        payer = f"<b>{escape(n.payer)}:</b> " if n.payer else ""
        groups.setdefault(n.kind, []).append(
            f"<li>{payer}{escape(n.text)} {_cite(n.source, n.confidence, muted=muted)}</li>"
        )
    for kind in ("payer", "documentation", "pitfall", "note", "clinic"):
        if kind in groups:
            parts.append(f"<h3>{_NOTE_HEADINGS[kind]}</h3><ul>{''.join(groups.pop(kind))}</ul>")
    for kind, items in groups.items():
        parts.append(f"<h3>{escape(kind.title())}</h3><ul>{''.join(items)}</ul>")
    return parts


def _related_html(code: Code, mue: Mue | None, muted: str) -> list[str]:
    """Modifiers, MUE, NCCI pairs, other search words, related codes, the CPT notice."""
    parts: list[str] = []
    if code.modifiers:
        parts.append(f"<h3>Modifiers that apply</h3><p>{_links(code.modifiers)}</p>")
    if mue is not None:
        parts.append(_mue_html(mue))
    if code.ncci:
        rows = "".join(_pair_row(code.code, p, muted) for p in code.ncci)
        parts.append(f"<h3>NCCI pairs</h3><ul>{rows}</ul>")
    if code.abbreviations or code.synonyms:
        words = ", ".join(escape(w) for w in (*code.abbreviations, *code.synonyms))
        parts.append(f"<p style='color:{muted}'>Also searched as: {words}</p>")
    if code.related:
        parts.append(f"<h3>Related codes</h3><p>{_links(code.related)}</p>")
    if code.system == System.CPT:
        parts.append(f"<p style='color:{muted}'><small>{CPT_NOTICE}</small></p>")
    return parts


def _status_facts(code: Code) -> list[str]:
    """Who bills it and whether Medicare pays it, for the line under the description."""
    out: list[str] = []
    if code.discipline == "DME":
        out.append("<b>DMEPOS item</b>: billed to the DME contractor, not on the therapy claim")
    elif code.discipline not in ("PT", "any"):
        out.append(f"<b>not a PT code</b> ({escape(code.discipline)})")
    if code.medicare_status == "B":
        out.append("<b>Medicare: bundled, never paid separately</b>")
    if code.not_medicare:
        out.append("<b>not paid by Medicare</b>")
    return out


def _render_icd(code: Code) -> str:
    parts: list[str] = []
    children = ""
    if code.children:
        rows = "".join(f"<li>{link(c)} {escape(t)}</li>" for c, t in code.children[:60])
        more = f"<p>… and {len(code.children) - 60} more</p>" if len(code.children) > 60 else ""
        children = f"<ul>{rows}</ul>{more}"
    if code.billable:
        parts.append("<p><b>Billable</b> diagnosis code.</p>")
    else:
        # the codes to pick from right under the sentence that says to (the notes follow)
        parts.append(
            "<p><b>Header — not billable.</b> Pick one of the codes under it"
            + (":" if code.children else ".") + "</p>" + children
        )
    if code.valid_from or code.valid_to:
        parts.append(f"<p><small>Valid {escape(validity_text(code))}.</small></p>")
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
    if code.children and code.billable:
        parts.append(f"<h3>Codes under it</h3>{children}")
    return "\n".join(parts)
