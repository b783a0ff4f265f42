"""docs/RULES.md, generated from the rule registry.

    python -m ptcodes_gui.domain.rules.docs > docs/RULES.md

A test compares the file with ``render_markdown()``, so the reference never drifts from the
rules; the window's Help → Billing rules shows the same registry.
"""

from __future__ import annotations

import sys
from typing import Final

# Importing this module imports the package first, which registers every rule.
from ptcodes_gui.domain.rules.registry import (
    FAMILIES,
    HEADINGS,
    PROFILE_LABELS,
    Rule,
    ordered_rules,
)
from ptcodes_gui.domain.sources import cite

COMMAND: Final = "python -m ptcodes_gui.domain.rules.docs > docs/RULES.md"
FAMILY_TITLES: Final[dict[str, str]] = {
    "codes": "Codes",
    "units": "Timed minutes and units",
    "addons": "Add-on codes",
    "coverage": "Medicare coverage",
    "telehealth": "Telehealth",
    "evaluations": "Evaluations",
    "modifiers": "Modifiers",
    "orthotics": "Orthotics",
    "ncci": "NCCI procedure-to-procedure pairs",
    "rtm": "Remote therapeutic monitoring",
    "mue": "Medically unlikely edits (MUE)",
    "plausibility": "Plausibility",
    "mppr": "Multiple procedure payment reduction",
    "diagnoses": "Diagnoses and pointers",
    "icd_conventions": "ICD-10-CM conventions (Excludes1, 7th character, laterality)",
    "necessity": "Medical necessity (the MAC's coverage articles) and ABN modifiers",
    "kx": "Therapy threshold (KX) and targeted review",
}
SEVERITY_MEANING: Final[dict[str, str]] = {
    "error": "the line or claim is denied or rejected as it stands",
    "warning": "likely denied or reduced: fix it or confirm it is right",
    "info": "a note: nothing to change, something to know or document",
}
CONFIDENCE_MEANING: Final = (
    "H: official or several agreeing sources; M: one good secondary source; L: unverified "
    '(shown as "verify", never as an error)'
)


def applies_to(rule: Rule) -> str:
    return ", ".join(PROFILE_LABELS[p] for p in rule.profiles)


def citations(rule: Rule) -> list[tuple[str, str, str]]:
    """(id, label, full citation) of each source the rule cites."""
    return [(s.id, s.label, s.citation) for s in (cite(i) for i in rule.sources)]


def rules_by_family() -> list[tuple[str, list[Rule]]]:
    ordered = ordered_rules()
    return [
        (family, [r for r in ordered if r.family == family])
        for family in FAMILIES
        if any(r.family == family for r in ordered)
    ]


def _rule_markdown(rule: Rule) -> list[str]:
    out = [
        f"### `{rule.id}`",
        "",
        rule.summary,
        "",
        f"*Severity:* {rule.severity} · *Applies to:* {applies_to(rule)} · "
        f"*Confidence:* {rule.confidence}",
        "",
    ]
    for heading in HEADINGS:
        text = " ".join(rule.sections[heading].split())
        out += [f"**{heading}.** {text}", ""]
    out += [f"- {label} (`{sid}`): {citation}" for sid, label, citation in citations(rule)]
    out.append("")
    return out


def render_markdown() -> str:
    """The whole reference as Markdown (what docs/RULES.md holds)."""
    ordered = ordered_rules()
    out = [
        "# Billing rules",
        "",
        f"Generated from the rule registry (`ptcodes_gui/domain/rules/`) by `{COMMAND}`; do not "
        "edit by hand (a test fails when this file is stale). A warning in the visit builder "
        "and in `ptcodes visit --format json` carries the id of the rule that found it.",
        "",
        f"{len(ordered)} rules. Severity: "
        + "; ".join(f"**{k}**: {v}" for k, v in SEVERITY_MEANING.items())
        + f". Confidence: {CONFIDENCE_MEANING}.",
        "",
        "| Rule | Severity | Applies to | What it is about |",
        "|---|---|---|---|",
    ]
    out += [f"| `{r.id}` | {r.severity} | {applies_to(r)} | {r.summary} |" for r in ordered]
    out.append("")
    for family, members in rules_by_family():
        out += [f"## {FAMILY_TITLES.get(family, family)}", ""]
        for member in members:
            out += _rule_markdown(member)
    return "\n".join(out).rstrip("\n") + "\n"


def main() -> int:
    sys.stdout.write(render_markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
