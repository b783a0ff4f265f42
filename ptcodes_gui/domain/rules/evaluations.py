"""Rules about evaluations and re-evaluations (97161-97164 and the other disciplines')."""

from __future__ import annotations

from collections.abc import Iterator

from ptcodes_gui.domain.rules.context import RuleContext, join_and
from ptcodes_gui.domain.rules.registry import Finding, rule
from ptcodes_gui.domain.visit_input import ALL_EVALUATIONS, EVALUATIONS


@rule(id="pta-evaluation", severity="error", sources=("cms-100-02-ch15",))
def pta_evaluation(ctx: RuleContext) -> Iterator[Finding]:
    """An evaluation or re-evaluation recorded as done by a PT assistant.

    What it checks:
        Lines of 97161-97164 (and the other disciplines' evaluations) have the PT as
        provider.
    Why it is denied:
        Evaluations and re-evaluations are the therapist's own work; an assistant may not
        perform them, so a claim with CQ on an evaluation is denied.
    Example visit:
        97162 with provider PTA (or with minutes by the PTA: 97162=45/pta10).
    Fix:
        Set the provider of the evaluation line to PT (and clear its PTA minutes).
    Source:
        Pub. 100-02 ch. 15 §230 (services of therapy assistants).
    """
    for r in ctx.active:
        by_pta = r.line.provider == "pta" or r.line.assistant_minutes > 0
        if by_pta and r.text in ALL_EVALUATIONS:
            fix = "Set the provider to PT" if r.line.provider == "pta" else "Clear its PTA minutes"
            yield Finding(
                f"{r.text} is an evaluation: only the PT may perform it, not a PT assistant. "
                f"{fix}.",
                (r.text,),
                r.index,
            )


@rule(id="eval-and-reeval", severity="warning", sources=("cpt-2026", "cms-100-02-ch15"))
def eval_and_reeval(ctx: RuleContext) -> Iterator[Finding]:
    """An evaluation and a re-evaluation of one discipline on one day.

    What it checks:
        97161-97163 and 97164 (likewise the OT and athletic-trainer codes) are not both
        billed.
    Why it is denied:
        A re-evaluation re-assesses an existing plan of care; on the day of the initial
        evaluation there is nothing to re-evaluate.
    Example visit:
        97162 and 97164.
    Fix:
        Keep the one that was done.
    Source:
        CPT evaluation instructions; Pub. 100-02 ch. 15 §220.3.
    """
    for _discipline, evals, reevals in EVALUATIONS:
        present_evals = [c for c in ctx.billed_codes if c in evals]
        present_reevals = [c for c in ctx.billed_codes if c in reevals]
        if present_evals and present_reevals:
            yield Finding(
                f"An evaluation ({join_and(present_evals)}) and a re-evaluation "
                f"({join_and(present_reevals)}) are not billed on the same day: keep the one "
                "that was done.",
                (*present_evals, *present_reevals),
            )


@rule(id="multiple-evaluations", severity="warning", sources=("cpt-2026",))
def multiple_evaluations(ctx: RuleContext) -> Iterator[Finding]:
    """Two evaluation complexity levels of one discipline on one day.

    What it checks:
        At most one of 97161/97162/97163 (and of each other discipline's levels).
    Why it is denied:
        One evaluation is done per day; the level is the documented complexity.
    Example visit:
        97161 and 97162.
    Fix:
        Keep the complexity level that was documented.
    Source:
        CPT evaluation instructions.
    """
    for discipline, evals, _reevals in EVALUATIONS:
        present = [c for c in ctx.billed_codes if c in evals]
        if len(present) > 1:
            yield Finding(
                f"Only one {discipline} evaluation is billed a day ({join_and(present)} are "
                "listed): keep the complexity level that was documented.",
                tuple(present),
            )
