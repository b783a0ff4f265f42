"""The CLI's parts for the code sets and the fee schedule (``cli.py`` and ``cli_visit.py`` call
these): ``ptcodes import icd10cm``, the Medicare locality, the visit estimate, the official
descriptor in ``show --json``, and the data sources of ``info``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ptcodes_gui.catalog.repository import Catalog
from ptcodes_gui.domain.fees import (
    FeeLineLike,
    FeeSchedule,
    VisitEstimate,
    estimate_visit,
    parse_locality_id,
)
from ptcodes_gui.domain.models import Code
from ptcodes_gui.domain.rules.mppr import SchedulePracticeExpense
from ptcodes_gui.domain.visit_result import Warning
from ptcodes_gui.releases import data_sources, nothing_imported
from ptcodes_gui.releases import icd as icd_releases
from ptcodes_gui.userdata import fee_localities

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ptcodes_gui.session import Session

EXIT_OK = 0
EXIT_FAILED = 1


# --------------------------------------------------------------------------- ICD-10-CM


def import_icd(args: argparse.Namespace, session: Session) -> int:
    """``ptcodes import icd10cm FILE... [--apply] [--allow-older] [--remove]``."""
    catalog = session.catalog
    if args.remove:
        removed = icd_releases.remove_icd_import(catalog, session.data_dir)
        sys.stdout.write(
            "Removed the imported ICD-10-CM release; the shipped one is used again.\n"
            if removed else "No imported ICD-10-CM release is in use.\n"
        )
        return EXIT_OK
    if not args.files:
        sys.stderr.write("ptcodes import: FILE is required (or --remove)\n")
        return 2
    try:
        preview = icd_releases.preview_icd_import(
            [Path(f) for f in args.files], catalog, session.data_dir)
        sys.stdout.write(preview.text() + "\n")
        if not args.apply:
            sys.stdout.write("Preview only: nothing was changed. Add --apply to import.\n")
            return EXIT_OK
        path = icd_releases.apply_icd_import(
            preview, catalog, session.data_dir, allow_older=args.allow_older)
    except icd_releases.IcdImportError as exc:
        sys.stderr.write(nothing_imported(exc) + "\n")
        return EXIT_FAILED
    info = preview.release.info
    sys.stdout.write(f"Imported {info.label}: {info.billable:,} billable codes, now in use "
                     f"({path.name}).\n")
    return EXIT_OK


# --------------------------------------------------------------------------- locality


def locality_for(session: Session, profile: str) -> str | None:
    return fee_localities.locality_for(session.store, profile)


def set_locality(session: Session, profile: str, text: str) -> str:
    """Validate against the imported GPCI list and store; the message to print."""
    locality = parse_locality_id(text)
    schedule = session.catalog.fee_schedule()
    # a GPCI file imported on its own is enough to pick the locality; prices wait for RVUs
    found = (schedule.locality(locality) if schedule is not None
             else session.catalog.overlay.gpci_locality(locality))
    if found is None:
        if schedule is None:
            raise ValueError(f"{locality} is in no imported GPCI list: check it, or import "
                             "the fee schedule's GPCI file first (ptcodes import pfs "
                             "GPCI2026.csv --apply)")
        raise ValueError(f"{locality} is not in the imported GPCI list ({schedule.release})")
    fee_localities.set_locality(session.store, profile, locality)
    later = ("" if schedule is not None else
             " Visits are priced once the relative value file (PPRRVU) is imported too.")
    return f"Medicare locality of payer profile {profile!r}: {found.label}.{later}\n"


def after_import(args: argparse.Namespace, session: Session) -> int | None:
    """``--locality`` on ``ptcodes import pfs``; None when there is nothing to do."""
    text = getattr(args, "locality", None)
    if not text:
        return None
    try:
        sys.stdout.write(set_locality(session, getattr(args, "profile", None) or "Medicare",
                                      text))
    except ValueError as exc:
        sys.stderr.write(f"ptcodes import: --locality: {exc}\n")
        return EXIT_FAILED
    return EXIT_OK


# --------------------------------------------------------------------------- visit


def visit_estimate(lines: Sequence[FeeLineLike], catalog: Catalog, session: Session | None,
                   profile: str, on: date | None = None) -> VisitEstimate | None:
    """The estimate for the billed lines, or None (no fee schedule in force on ``on``, or no
    locality)."""
    schedule = _schedule_on(catalog, on)
    locality = locality_for(session, profile) if session is not None else None
    if schedule is None or locality is None or schedule.locality(locality) is None:
        return None
    return estimate_visit(lines, schedule, locality)


def _schedule_on(catalog: Catalog, on: date | None) -> FeeSchedule | None:
    schedule = catalog.fee_schedule()
    return schedule if schedule is not None and schedule.in_force_on(on) else None


def fees_hook(catalog: Catalog, session: Session | None, profile: str,
              on: date | None = None) -> SchedulePracticeExpense | None:
    """The rules' ``fees`` hook (the MPPR rule names the full-price unit with it)."""
    schedule = _schedule_on(catalog, on)
    locality = locality_for(session, profile) if session is not None else None
    found = schedule.locality(locality) if schedule is not None and locality else None
    return SchedulePracticeExpense(schedule, found) if schedule and found else None


def run_dated(args: argparse.Namespace, catalog: Catalog,
              command: Callable[[argparse.Namespace, Catalog], int]) -> int:
    """``ptcodes visit --date D``: the command on the ICD-10-CM release in force on D."""
    session: Session | None = getattr(args, "session", None)
    data_dir = session.data_dir if session is not None else None
    other, note = (icd_releases.diagnoses_on(args.date, catalog, data_dir)
                   if data_dir is not None else (None, ""))
    if note:
        sys.stderr.write(f"note: {note}\n")
    args.dated = True
    if other is None:
        return command(args, catalog)
    try:
        other.set_overlay(catalog.overlay)
        return command(args, other)
    finally:
        other.close()


# --------------------------------------------------------------------------- show, info


def source_warnings(session: Session | None, catalog: Catalog, on: date) -> list[Warning]:
    """The data sources a visit dated ``on`` should know about (superseded by then, or a
    table not in force yet), as one warning each for ``visit`` text and JSON."""
    if session is None:
        return []
    notices = data_sources.visit_notices(catalog, session.data_dir, session.overlay.sources(),
                                         on)
    return [Warning(code="data-source-date", severity="warning" if " superseded " in n
                    or "due for review" in n else "info", message=n) for n in notices]


def show_extras(code: Code, catalog: Catalog) -> dict[str, Any]:
    """Keys ``show --json`` adds: the official descriptor beside our words."""
    found = catalog.descriptor(code.code)
    return {"official_descriptor": {"text": found[0], "source": found[1]} if found else None}


def sources_json(session: Session, today: date | None = None) -> list[dict[str, object]]:
    rows = data_sources.data_sources(session.catalog, session.data_dir,
                                     session.overlay.sources(), today=today)
    return [r.as_json() for r in rows]


def sources_text(session: Session, today: date | None = None) -> str:
    rows = data_sources.data_sources(session.catalog, session.data_dir,
                                     session.overlay.sources(), today=today)
    return "Data sources:\n" + "\n".join(
        f"  {line}" for line in data_sources.info_text(rows).splitlines())
