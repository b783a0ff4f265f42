"""The billing rules: one small, named, cited rule per check (see docs/RULES.md).

A rule lives in the module of its family and registers itself with ``@rule`` (registry.py);
importing this package registers them all; they run family by family in
``registry.FAMILIES`` order. ``evaluate`` (engine.py)
computes the units, then the modifiers, then runs every rule that applies to the payer
profile over one ``RuleContext``.

Adding a rule: write a function in its family module (or a new module imported below and
named in ``registry.FAMILIES``) with
``@rule(id=..., severity=..., sources=..., profiles=...)`` and a docstring with the headings
What it checks / Why it is denied / Example visit / Fix / Source; add its tests under
tests/unit/rules/; regenerate docs/RULES.md (``python -m ptcodes_gui.domain.rules.docs``).
"""

from __future__ import annotations

from ptcodes_gui.domain.rules import (  # noqa: F401 - importing registers the rules
    addons,
    codes,
    coverage,
    diagnoses,
    evaluations,
    icd_conventions,
    kx,
    modifiers,
    mppr,
    mue,
    ncci,
    necessity,
    orthotics,
    plausibility,
    rtm,
    telehealth,
    units,
)
from ptcodes_gui.domain.rules.context import FeeLookup, RuleContext
from ptcodes_gui.domain.rules.engine import evaluate
from ptcodes_gui.domain.rules.registry import RULES, Finding, Rule, get_rule, make_warning, rule

__all__ = [
    "RULES",
    "FeeLookup",
    "Finding",
    "Rule",
    "RuleContext",
    "evaluate",
    "get_rule",
    "make_warning",
    "rule",
]
