"""The billable part of a visit: its lines that no error is about.

What "Copy billable lines" copies when the visit has errors: the lines an error names
(by its line, or by its codes when it speaks of the whole visit) are left out, and the
rest is evaluated again, so units and totals are those of what is copied.
"""

from __future__ import annotations

from dataclasses import replace

from ptcodes_gui.domain.visit_input import Visit
from ptcodes_gui.domain.visit_result import VisitResult


def error_lines(result: VisitResult) -> tuple[int, ...]:
    """Indices of the lines an error is about, in visit order."""
    rows: set[int] = set()
    for warning in result.errors:
        if warning.line is not None:
            rows.add(warning.line)
        else:
            rows.update(i for i, line in enumerate(result.lines) if line.code in warning.codes)
    return tuple(sorted(rows))


def without_error_lines(visit: Visit, result: VisitResult) -> Visit:
    """``visit`` without the lines an error is about (the same visit when there are none)."""
    rows = set(error_lines(result))
    if not rows:
        return visit
    return replace(visit, lines=tuple(
        line for i, line in enumerate(visit.lines) if i not in rows))
