"""The visit builder: what the clinician enters, what goes on the claim, and the checks.

``evaluate(visit, lookup)`` turns what the clinician entered (a ``Visit``) into what would go
on the claim (a ``VisitResult``) plus one-line ``Warning``s that each name the fix and carry
the id of the rule that found them (docs/RULES.md). It never changes the visit: the window
shows the result and lets the clinician decide.

This module is the public face; the parts live in ``visit_input`` (the visit), ``lookup``
(what the rules need from the catalog), ``visit_result`` (the result), ``visit_edit``
(adding and removing lines and diagnoses) and the ``rules`` package (the engine and one
module per family of rules).

Design choices (each also said in the warnings the user sees):

* Units. Timed 15-minute codes form one pool counted with the profile's rule
  (``units.assign_cms`` / ``units.assign_midpoint``). Untimed codes (and 97150 group therapy,
  whatever the catalog says) are one unit per session and their minutes never count.
* Ties (CMS rule): the unit goes by default to the earliest tied line in visit order; the
  line is marked ``by_default``, the tie is listed in ``VisitResult.ties`` and a
  ``unit-tie`` warning asks the clinician to choose. The choice is ``VisitLine.tie_preferred``
  on the line(s) that should get the unit (the visit builder's tie chooser sets it; it changes
  nothing outside a tie); setting units by hand on any tied line also marks the tie resolved.
* Codes with other unit lengths (97550 caregiver training, first 30 minutes, with its
  add-on 97551, each additional 15 minutes; likewise 97545/97546): each line is counted on
  its own minutes with the CPT time rule (a unit once more than half of it has passed:
  97550 one unit from 16 minutes, never more; 97551 one unit per 15 minutes from 8), and
  these minutes stay out of the 15-minute CMS pool, because the CMS total-time rule is
  written for 15-minute units. Time beyond 97550's first 30 minutes belongs on 97551: the
  engine does not split it by itself, it says so (``use-addon-code``).
* Therapy modifier: every CPT/HCPCS procedure line gets its discipline's modifier (GP for PT,
  GO for OT, GN for SLP). CMS requires it on "always therapy" codes (97xxx, G0283, ...) and
  on "sometimes therapy" codes (95851/95852, 95992, wound care, dry needling, strapping,
  remote care) whenever a therapist furnishes them under a plan of care, which is every
  line a PT bills here. Athletic-trainer codes get none and a warning.
* CQ per unit: a line may say how many of its minutes a PT assistant furnished
  (``VisitLine.pta_minutes``; ``provider="pta"`` is every minute). CMS decides CQ unit by unit
  (``units.split_assistant_units``); a line whose units are partly with CQ stays one visit
  line (``LineResult.cq_units``) and becomes two claim lines (``VisitResult.claim_lines``),
  which the copy, the CLI and the fee estimate use.
* Modifier order on a line: therapy (GP/GO/GN), CQ (PT assistant), KX, 95/93, then the
  user's own, without duplicates. 59/X{EPSU} are never added by the engine: they are only
  *suggested* on the column-2 code of an indicator-1 NCCI pair.
* Refused lines (unknown, deleted, a diagnosis or modifier entered as a procedure) stay in
  the result flagged as errors with 0 units, so nothing is silently dropped; ``add_line``
  refuses them up front and offers the replacements.
"""

from __future__ import annotations

from ptcodes_gui.domain.lookup import CodeLookup, MappingLookup
from ptcodes_gui.domain.rules.context import FeeLookup
from ptcodes_gui.domain.rules.engine import evaluate
from ptcodes_gui.domain.visit_edit import (
    add_diagnosis,
    add_line,
    remove_diagnosis,
    validate_new_diagnosis,
    validate_new_line,
)
from ptcodes_gui.domain.visit_input import (
    ALL_EVALUATIONS,
    ASSISTANT_MODIFIER,
    DISTINCT_MODIFIERS,
    DX_LETTERS,
    EVALUATIONS,
    GROUP_CODES,
    MAX_DIAGNOSES,
    MAX_DX_POINTERS,
    MAX_LINE_MINUTES,
    MAX_LINE_MODIFIERS,
    MAX_LINE_UNITS,
    MEDICARE_SUBSTITUTES,
    PROVIDERS,
    SEVERITIES,
    TELEHEALTH_MODIFIERS,
    THERAPY_MODIFIERS,
    Counting,
    Provider,
    Severity,
    Telehealth,
    Visit,
    VisitLine,
    normalize_code,
    normalize_icd,
    parse_line_entry,
    parse_line_spec,
)
from ptcodes_gui.domain.visit_result import (
    ClaimLine,
    DiagnosisResult,
    LineResult,
    VisitResult,
    VisitTie,
    Warning,
)

__all__ = [
    "ALL_EVALUATIONS",
    "ASSISTANT_MODIFIER",
    "DISTINCT_MODIFIERS",
    "DX_LETTERS",
    "EVALUATIONS",
    "GROUP_CODES",
    "MAX_DIAGNOSES",
    "MAX_DX_POINTERS",
    "MAX_LINE_MINUTES",
    "MAX_LINE_MODIFIERS",
    "MAX_LINE_UNITS",
    "MEDICARE_SUBSTITUTES",
    "PROVIDERS",
    "SEVERITIES",
    "TELEHEALTH_MODIFIERS",
    "THERAPY_MODIFIERS",
    "ClaimLine",
    "CodeLookup",
    "Counting",
    "DiagnosisResult",
    "FeeLookup",
    "LineResult",
    "MappingLookup",
    "Provider",
    "Severity",
    "Telehealth",
    "Visit",
    "VisitLine",
    "VisitResult",
    "VisitTie",
    "Warning",
    "add_diagnosis",
    "add_line",
    "evaluate",
    "normalize_code",
    "normalize_icd",
    "parse_line_entry",
    "parse_line_spec",
    "remove_diagnosis",
    "validate_new_diagnosis",
    "validate_new_line",
]
