"""Medical necessity under the clinic's MAC: the imported coverage articles (MCD Billing and
Coding Articles) say which diagnoses support a code; a line pointing to none of them is
expected to be denied (CO-50), which is an ABN decision (GA/GZ)."""

from __future__ import annotations

from collections.abc import Iterator

from ptcodes_gui.domain.articles import CodeCoverage, in_groups
from ptcodes_gui.domain.liability import EXPECTED_DENIAL, liability_details
from ptcodes_gui.domain.rules.context import ResolvedLine, RuleContext
from ptcodes_gui.domain.rules.coverage import pointed_diagnoses
from ptcodes_gui.domain.rules.registry import Finding, rule

_SOURCES = ("cms-mcd", "cms-r-131", "cms-100-04-ch30")
_PARAGRAPH_CHARS = 300


def _coverage(ctx: RuleContext) -> Iterator[tuple[ResolvedLine, list[str], list[CodeCoverage]]]:
    """Billed lines whose code is in an article of the profile's MAC, with their diagnoses."""
    if ctx.necessity is None or not (ctx.profile.uses_articles or ctx.necessity.opted_in):
        return
    for r in ctx.billed:
        found = ctx.necessity.lookup.code_coverage(r.text, ctx.necessity.mac)
        if found:
            yield r, pointed_diagnoses(ctx, r), found


def _short(text: str) -> str:
    return text if len(text) <= _PARAGRAPH_CHARS else text[: _PARAGRAPH_CHARS - 1] + "\u2026"


def _decided(r: ResolvedLine) -> str | None:
    return next((m for m in EXPECTED_DENIAL if m in r.modifiers), None)


@rule(id="lcd-no-covered-dx", severity="warning", sources=_SOURCES, confidence="M-H")
def no_covered_diagnosis(ctx: RuleContext) -> Iterator[Finding]:
    """A line whose code the MAC's coverage article lists, with no diagnosis it accepts.

    What it checks:
        On a Medicare profile (or one that applies the articles), with an MCD download
        imported and the profile's MAC known: for each billed line whose code is in a
        Billing and Coding Article of that MAC, whether one of the diagnoses the line points
        to is in the article's covered ICD-10 groups for the code's group.
    Why it is denied:
        The MAC pays the code only for the diagnoses its article lists; any other is denied
        as not medically necessary (CO-50), and without a signed ABN the clinic cannot bill
        the patient.
    Example visit:
        97110=30 pointing at Z00.00 (general exam) under a MAC whose article lists 97110
        with musculoskeletal diagnoses only.
    Fix:
        Point the line at a documented diagnosis the article lists; if none applies, give
        the patient an ABN and add GA (signed) or GZ (not signed), offered with the warning.
    Source:
        CMS Medicare Coverage Database (the MAC's Billing and Coding Article); ABN form
        CMS-R-131 instructions; Pub. 100-04 ch. 30.
    """
    for r, diagnoses, articles in _coverage(ctx):
        for cov in articles:
            if in_groups(diagnoses, cov.covered) or in_groups(diagnoses, cov.noncovered):
                continue
            groups = ", ".join(str(g) for g in cov.groups) or "none"
            what = ", ".join(diagnoses) if diagnoses else "no diagnosis"
            base = (f"{r.text} points to {what}, which {cov.article.label} of "
                    f"{ctx.necessity.label if ctx.necessity else 'the MAC'} does not list "
                    f"for it (covered group {groups})")
            yield _finding(r, base, cov)


@rule(id="lcd-noncovered-dx", severity="error", sources=_SOURCES, confidence="M-H")
def noncovered_diagnosis(ctx: RuleContext) -> Iterator[Finding]:
    """A line pointing only to diagnoses the MAC's article names as not supporting it.

    What it checks:
        As ``lcd-no-covered-dx``, for diagnoses in the article's non-covered ICD-10 groups
        (and none of the line's diagnoses covered).
    Why it is denied:
        The article says in so many words that these diagnoses never support the code:
        the line is denied as not medically necessary.
    Example visit:
        97110=30 pointing at a diagnosis in the article's "ICD-10 codes that do not support
        medical necessity" group.
    Fix:
        Point the line at the documented diagnosis the article covers, or give an ABN and
        add GA (GZ without one).
    Source:
        CMS Medicare Coverage Database (non-covered ICD-10 groups); ABN form CMS-R-131;
        Pub. 100-04 ch. 30.
    """
    for r, diagnoses, articles in _coverage(ctx):
        for cov in articles:
            bad = in_groups(diagnoses, cov.noncovered)
            if not bad or in_groups(diagnoses, cov.covered):
                continue
            base = (f"{r.text} points to {', '.join(bad)}, which {cov.article.label} names as "
                    "not supporting medical necessity")
            yield _finding(r, base, cov, noncovered=True)


def _finding(r: ResolvedLine, base: str, cov: CodeCoverage, *, noncovered: bool = False
             ) -> Finding:
    paragraph = cov.noncovered_paragraph if noncovered else cov.paragraph
    said = f" Article: \u201c{_short(paragraph)}\u201d" if paragraph else ""
    decided = _decided(r)
    if decided:
        return Finding(f"{base}: billed as an expected denial with {decided}.{said}",
                       (r.text,), r.index, severity="info", as_of=cov.article.date,
                       details=liability_details((decided,)))
    return Finding(
        f"{base}: expect a denial (CO-50). Point it at a covered diagnosis, or give an ABN "
        f"and add GA (signed) or GZ (not signed).{said}",
        (r.text,), r.index, EXPECTED_DENIAL, as_of=cov.article.date, offer_modifiers=True,
        details=liability_details(EXPECTED_DENIAL),
    )
