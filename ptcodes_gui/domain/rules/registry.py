"""The rule registry: ``@rule(...)`` names a check, its severity, payers and sources.

A rule is a function ``check(ctx) -> Iterable[Finding]`` whose docstring has a one-line
summary and the fixed headings of ``HEADINGS`` (like ruff's rule docs); the registry turns
each ``Finding`` into a ``Warning`` carrying the rule's id, sources and confidence, so a rule
cannot misspell its own id and every warning cites a public document. docs/RULES.md and the
window's Help → Billing rules are generated from this registry.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from ptcodes_gui.domain.profiles import PayerProfile
from ptcodes_gui.domain.sources import cite
from ptcodes_gui.domain.visit_input import Severity
from ptcodes_gui.domain.visit_result import Warning

if TYPE_CHECKING:
    from ptcodes_gui.domain.rules.context import RuleContext

#: Which payer profiles a rule runs on.
ProfileScope = Literal["any", "medicare", "cms-rule", "midpoint-rule"]
PROFILE_LABELS: Final[dict[str, str]] = {
    "any": "every payer profile",
    "medicare": "Medicare profiles",
    "cms-rule": "profiles counting with the CMS 8-minute rule",
    "midpoint-rule": "profiles counting with the AMA/CPT midpoint rule",
}
HEADINGS: Final[tuple[str, ...]] = (
    "What it checks",
    "Why it is denied",
    "Example visit",
    "Fix",
    "Source",
)
#: The rule families (modules of this package) in the order they run and are documented.
FAMILIES: Final[tuple[str, ...]] = (
    "codes",
    "units",
    "addons",
    "coverage",
    "telehealth",
    "evaluations",
    "modifiers",
    "orthotics",
    "ncci",
    "rtm",
    "mue",
    "plausibility",
    "mppr",
    "diagnoses",
    "icd_conventions",
    "necessity",
    "kx",
)
_ID_RE: Final = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_HEADING_RE: Final = re.compile(r"^(" + "|".join(HEADINGS) + r"):\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Finding:
    """What a rule found, before the registry stamps its id and sources on it.

    ``severity``/``sources``/``confidence``/``as_of`` override the rule's own (e.g. an NCCI
    pair brings its table's date and confidence); ``offer_modifiers``: ``suggestions`` are
    modifiers the window offers to add to ``line``.
    """

    message: str
    codes: tuple[str, ...] = ()
    line: int | None = None
    suggestions: tuple[str, ...] = ()
    severity: Severity | None = None
    sources: tuple[str, ...] | None = None
    confidence: str | None = None
    as_of: str = ""
    offer_modifiers: bool = False
    details: str = ""


Check = Callable[["RuleContext"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    family: str  # the module it lives in: ncci, telehealth, coverage, ...
    severity: Severity  # the usual one; a finding may say otherwise (e.g. "info" once fixed)
    profiles: tuple[ProfileScope, ...]
    sources: tuple[str, ...]
    confidence: str
    summary: str
    sections: dict[str, str] = field(compare=False, hash=False)
    check: Check = field(compare=False, hash=False)

    def applies_to(self, profile: PayerProfile) -> bool:
        return any(_in_scope(scope, profile) for scope in self.profiles)

    def warning(self, finding: Finding) -> Warning:
        return Warning(
            code=self.id,
            severity=finding.severity or self.severity,
            message=finding.message,
            codes=finding.codes,
            line=finding.line,
            suggestions=finding.suggestions,
            sources=self.sources if finding.sources is None else finding.sources,
            confidence=self.confidence if finding.confidence is None else finding.confidence,
            as_of=finding.as_of,
            details=finding.details,
        )


def _in_scope(scope: ProfileScope, profile: PayerProfile) -> bool:
    if scope == "any":
        return True
    if scope == "medicare":
        return profile.medicare
    if scope == "cms-rule":
        return profile.unit_rule == "cms"
    return profile.unit_rule == "midpoint"


RULES: Final[dict[str, Rule]] = {}


def parse_doc(doc: str | None, where: str) -> tuple[str, dict[str, str]]:
    """The summary line and the ``HEADINGS`` sections of a rule docstring.

    Raises ValueError naming the rule when a heading is missing or out of order, so a rule
    without its explanation cannot be registered.
    """
    text = inspect.cleandoc(doc or "")
    summary, _, body = text.partition("\n")
    found = list(_HEADING_RE.finditer(body))
    names = [m.group(1) for m in found]
    if not summary.strip() or names != list(HEADINGS):
        raise ValueError(
            f"rule {where}: the docstring needs a summary line and the headings "
            f"{', '.join(HEADINGS)} in that order (found: {', '.join(names) or 'none'})"
        )
    sections: dict[str, str] = {}
    for at, match in enumerate(found):
        end = found[at + 1].start() if at + 1 < len(found) else len(body)
        sections[match.group(1)] = inspect.cleandoc(body[match.end() : end])
    return summary.strip(), sections


def rule(
    *,
    id: str,
    severity: Severity,
    sources: tuple[str, ...],
    profiles: tuple[ProfileScope, ...] = ("any",),
    confidence: str = "H",
) -> Callable[[Check], Check]:
    """Register ``check`` as rule ``id`` (kebab-case, unique); sources must be known ids."""

    def register(check: Check) -> Check:
        if not _ID_RE.match(id):
            raise ValueError(f"rule id {id!r} is not kebab-case")
        if id in RULES:
            raise ValueError(f"rule id {id!r} is registered twice")
        for source in sources:
            cite(source)  # KeyError names an unknown source id
        summary, sections = parse_doc(check.__doc__, id)
        family = check.__module__.rsplit(".", 1)[-1]
        if family not in FAMILIES:
            raise ValueError(f"rule {id!r}: its module {family!r} is not in FAMILIES")
        RULES[id] = Rule(
            id, family, severity, profiles, sources, confidence, summary, sections, check
        )
        return check

    return register


def ordered_rules() -> list[Rule]:
    """Every registered rule, family by family (``FAMILIES``), in definition order within."""
    rank = {family: at for at, family in enumerate(FAMILIES)}
    return sorted(RULES.values(), key=lambda r: rank.get(r.family, len(rank)))


def get_rule(rule_id: str) -> Rule:
    """The registered rule; KeyError names an unknown id."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule id {rule_id!r}") from None


def make_warning(rule_id: str, finding: Finding) -> Warning:
    """A warning of rule ``rule_id`` outside a run (e.g. refusing a code before adding it)."""
    return get_rule(rule_id).warning(finding)
