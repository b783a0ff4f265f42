"""``ptcodes units`` and ``ptcodes visit``: the visit builder's rules, headless.

``ptcodes units [--rule cms|midpoint] CODE=MINUTES[/ptaN] ... [--json]``
    Units per line under one timed-unit rule, the totals, ties and warnings; with
    ``/ptaN`` (N of the minutes by the PT assistant) the units the PTA furnished (CQ under
    Medicare), decided unit by unit as CMS does.

``ptcodes visit [--profile NAME] [--provider pt|pta] [--dx CODE] ... [--kx]
[--telehealth 95|93] [--modifier CODE:MOD] ... [--mac NUMBER|NAME] [--ytd DOLLARS]
CODE[=MINUTES[/ptaN]] ... [--format text|tsv|codes|json]``
    Prints exactly what the visit builder would copy (``domain.formatting.format_visit`` on
    ``domain.visit.evaluate``); warnings go to stderr (they are inside the JSON already).
    ``--dx`` is repeatable (``--dx M25.561 --dx M54.50``, or ``--dx M25.561,M54.50``); an
    ICD-10-CM code among the procedure arguments is taken as a diagnosis, as the window does.
    Every procedure line points at diagnosis A (the window's default as well).
    ``97110=38/pta15``: 38 minutes, 15 of them by the PT assistant; CQ goes on the units CMS's
    unit-by-unit method gives the assistant, and the line is copied as two claim lines when
    only some of its units carry CQ. ``--provider pta`` is the simple case (every minute).
    ``--mac`` picks the MAC whose imported coverage articles apply (else the profile's);
    ``--ytd`` is the patient's PT+SLP allowed amount this year (for KX; never saved).

Exit status: 0 ok; 1 a code is not found or refused (deleted, not yet in force on the date
of service, a header diagnosis, ...: the message on stderr names the nearest codes or the
replacements; with ``--format json`` stdout also holds ``{"version": 1, "refused": MESSAGE}``);
2 bad usage (``97110=abc``, negative minutes, ``/pta50`` over the line's minutes, ``/ptax``,
an unknown profile).

No Qt here: the window and this module share the domain and the catalog only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.domain.articles import normalize_mac
from ptcodes_gui.domain.fees import VisitEstimate
from ptcodes_gui.domain.formatting import FORMATS, format_visit, warning_json
from ptcodes_gui.domain.models import Code
from ptcodes_gui.domain.profiles import BUILTIN_PROFILES, UNIT_RULES, PayerProfile
from ptcodes_gui.domain.thresholds import parse_ytd
from ptcodes_gui.domain.visit import (
    MAX_DIAGNOSES,
    PROVIDERS,
    TELEHEALTH_MODIFIERS,
    Provider,
    Telehealth,
    Visit,
    VisitLine,
    VisitResult,
    Warning,
    add_diagnosis,
    evaluate,
    normalize_code,
    normalize_icd,
    parse_line_entry,
    validate_new_line,
)

if TYPE_CHECKING:
    from ptcodes_gui.session import Session
    from ptcodes_gui.userdata.store import UserStore

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2

#: Profiles for ``ptcodes units --rule``: only the unit rule matters there, so no payer's
#: coverage checks (Medicare's bundled codes, ...) are mixed into the answer.
RULE_PROFILES: dict[str, PayerProfile] = {
    "cms": PayerProfile(name="CMS 8-minute rule", unit_rule="cms"),
    "midpoint": PayerProfile(name="AMA/CPT midpoint rule", unit_rule="midpoint"),
}
#: Warnings about diagnoses: ``ptcodes units`` takes none, so they would only be noise.
_DX_WARNINGS = frozenset({"no-diagnosis", "no-dx-pointer", "dx-pointer-invalid"})
#: Short names accepted by ``--profile`` besides the built-in profiles' full names.
PROFILE_ALIASES: dict[str, str] = {
    "medicare": "Medicare",
    "cms": "Medicare",
    "commercial": "Commercial (midpoint rule)",
    "commercial (midpoint)": "Commercial (midpoint rule)",
    "midpoint": "Commercial (midpoint rule)",
}
_SHOWN_NEAREST = 6


_ITEMS_HELP = (
    "a code and its minutes, e.g. 97110=38; 97110=38/pta15: 38 minutes, 15 of them by the "
    "PT assistant"
)
_PTA_EPILOG = """\
PT and PTA on one line (CQ per unit, Medicare):
  97110=38/pta15   38 minutes of 97110, 15 of them by the PT assistant.
  CMS decides CQ unit by unit: each full 15 minutes by the PTA is a CQ unit, each full 15
  by the PT is not; a last unit both worked on goes without CQ when the PT furnished 8 or
  more of its minutes (enough to bill it alone), with CQ otherwise unless the PTA's part is
  10% of a unit or less. An untimed code carries CQ when the PTA furnished more than 10%
  of it. A line with only some units carrying CQ is printed as two claim lines.
  --provider pta: every minute by the PTA.
"""


class _RefusedError(Exception):
    """A code cannot go on the visit; ``str()`` is the message for stderr."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``units`` and ``visit`` commands to the ``ptcodes`` parser."""
    p = subparsers.add_parser(
        "units",
        help="timed units for CODE=MINUTES under the CMS 8-minute or the midpoint rule",
        description="Units per line, totals, ties and warnings for timed minutes.",
        epilog=_PTA_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--rule", choices=UNIT_RULES, default="cms",
                   help="cms: 8-minute rule on the total (default); midpoint: each code alone")
    p.add_argument("items", nargs="+", type=_line_arg, metavar="CODE=MINUTES[/ptaN]",
                   help=_ITEMS_HELP)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_units)

    p = subparsers.add_parser(
        "visit",
        help="print a visit exactly as the visit builder copies it",
        description="Build a visit and print what the window's Copy visit would copy.",
        epilog=_PTA_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--profile", default="Medicare",
                   help="payer profile: Medicare (default), Commercial, or one you saved")
    p.add_argument("--provider", choices=PROVIDERS, default="pt",
                   help="who treated every line: pt, or pta (CQ on every unit); for a line "
                   "the PT and the PTA shared write CODE=MINUTES/ptaN")
    p.add_argument("--dx", action="append", default=[], metavar="CODE",
                   help="ICD-10-CM diagnosis, lettered A, B, ... in order (repeat the option)")
    p.add_argument("--kx", action="store_true", help="add KX (therapy threshold) to every line")
    p.add_argument("--telehealth", choices=TELEHEALTH_MODIFIERS,
                   help="95 (video) or 93 (audio only)")
    p.add_argument("--modifier", "--mod", action="append", default=[], metavar="CODE:MOD",
                   help="your own modifier(s) on a line, e.g. 97530:XU or L1832:RT "
                   "(repeat the option; several as 97530:59,XU)")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--dos", "--date", dest="date", type=_date_arg, default=None,
                   metavar="YYYY-MM-DD",
                   help="date of service (default today): codes valid then (effective and "
                   "deletion dates), NCCI dates and the ICD-10-CM release in force then")
    p.add_argument("--mac", metavar="NUMBER|NAME",
                   help="the Medicare contractor whose coverage articles apply (e.g. 13202, "
                   "or a name of an imported MAC); default: the profile's, else the first "
                   "five digits of its Medicare locality")
    p.add_argument("--ytd", type=_ytd_arg, default=None, metavar="DOLLARS",
                   help="the patient's PT+SLP allowed amount this year before this visit "
                   "(never saved): says when this visit crosses the KX threshold")
    p.add_argument("items", nargs="+", type=_line_arg, metavar="CODE[=MINUTES[/ptaN]]",
                   help=_ITEMS_HELP)
    p.set_defaults(func=_cmd_visit)


def _ytd_arg(text: str) -> Decimal | None:
    try:
        return parse_ytd(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def choose_mac(text: str, session: Session | None) -> str:
    """A MAC typed as its number, or as (part of) the name of an imported one."""
    if text.strip().isdigit():
        return normalize_mac(text)
    articles = session.articles() if session is not None else None
    macs = articles.macs() if articles is not None else []
    wanted = text.casefold().strip()
    found = [(n, name) for n, name in macs if wanted in name.casefold()]
    if len(found) == 1:
        return found[0][0]
    listed = "; ".join(f"{n} {name}" for n, name in (found or macs)[:12]) or (
        "none: import the MCD articles download first (ptcodes import mcd)")
    raise ValueError(f"--mac {text!r} names {'several' if found else 'no'} imported MAC"
                     f"{'s' if found else ''}; use a number: {listed}")


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


Item = tuple[str, int | None, int | None]  # code, minutes, of them by the PTA


def _line_arg(text: str) -> Item:
    try:
        return parse_line_entry(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


# --------------------------------------------------------------------------- building


def _not_found(text: str, catalog: Catalog) -> str:
    near = catalog.suggest(text, limit=_SHOWN_NEAREST)
    msg = f"{text}: not found in the catalog."
    if near:
        msg += " Nearest valid codes: " + ", ".join(f"{h.code} ({h.title})" for h in near)
    return msg


def _refusal_text(warnings: Sequence[Warning]) -> str:
    return " ".join(w.message for w in warnings if w.severity == "error") or " ".join(
        w.message for w in warnings
    )


def _procedure(item: Item, catalog: Catalog, provider: Provider, on: date | None) -> VisitLine:
    code, minutes, pta = item
    refused = validate_new_line(code, catalog, on or date.today())
    if refused:
        raise _RefusedError(_refusal_text(refused))
    if pta is not None and provider == "pta":
        raise ValueError(
            f"{code}={minutes}/pta{pta}: --provider pta already says the PTA furnished every "
            "minute; drop one of them"
        )
    return VisitLine(code, minutes, provider=provider, pta_minutes=pta)


def _lookup(text: str, catalog: Catalog) -> Code:
    found = catalog.get(text)
    if found is None:
        raise _RefusedError(_not_found(text, catalog))
    return found


def build_visit(
    catalog: Catalog,
    items: Sequence[Item],
    *,
    diagnoses: Sequence[str] = (),
    profile: PayerProfile,
    provider: Provider = "pt",
    kx: bool = False,
    telehealth: Telehealth | None = None,
    diagnoses_in_items: bool = True,
    on: date | None = None,
) -> Visit:
    """The visit the window would hold after adding ``diagnoses`` and ``items`` in order.

    Raises ``_RefusedError`` listing every code that could not be added, and ValueError for a
    diagnosis given minutes.
    """
    visit = Visit(profile=profile, kx=kx, telehealth=telehealth)
    problems: list[str] = []
    dx_codes = list(diagnoses)
    lines: list[VisitLine] = []
    for item in items:
        code, minutes, _pta = item
        try:
            found = _lookup(code, catalog)
            if found.is_diagnosis and diagnoses_in_items:
                if minutes is not None:
                    raise ValueError(f"{code} is a diagnosis: it takes no minutes")
                dx_codes.append(code)
                continue
            lines.append(_procedure(item, catalog, provider, on))
        except _RefusedError as exc:
            problems.append(str(exc))
    for dx in dx_codes:
        try:
            visit, refused = add_diagnosis(visit, dx, catalog)
        except ValueError as exc:  # not even shaped like a code
            problems.append(f"{dx}: {exc}")
            continue
        errors = [w for w in refused if w.severity == "error"]
        if errors:
            if errors[0].code == "unknown-diagnosis" and catalog.get(normalize_icd(dx)) is None:
                problems.append(_not_found(dx, catalog))
            else:
                problems.append(_refusal_text(errors))
    if problems:
        raise _RefusedError("\n".join(problems))
    pointers = ("A",) if visit.diagnoses else ()
    return replace(visit, lines=tuple(replace(line, dx_pointers=pointers) for line in lines))


def with_modifiers(visit: Visit, specs: Sequence[str]) -> Visit:
    """``visit`` with the user's own modifiers of ``--modifier CODE:MOD[,MOD]`` added to the
    lines of CODE. Raises ValueError naming a malformed spec or a code not on the visit."""
    lines = list(visit.lines)
    for spec in specs:
        code_text, sep, mods_text = spec.partition(":")
        mods = tuple(m.strip() for m in mods_text.split(",") if m.strip())
        if not sep or not mods:
            raise ValueError(f"--modifier {spec!r}: write CODE:MOD, e.g. 97530:XU")
        code = normalize_code(code_text)
        at = [i for i, line in enumerate(lines) if line.code == code]
        if not at:
            raise ValueError(f"--modifier {spec!r}: {code} is not a line of this visit")
        for i in at:
            lines[i] = replace(lines[i], extra_modifiers=(*lines[i].extra_modifiers, *mods))
    return replace(visit, lines=tuple(lines))


# --------------------------------------------------------------------------- units


def units_json(result: VisitResult) -> dict[str, Any]:
    """The ``ptcodes units --json`` document."""
    return {
        "rule": result.profile.unit_rule,
        "rule_label": result.profile.unit_rule_label,
        "total_timed_minutes": result.total_timed_minutes,
        "separate_timed_minutes": result.separate_timed_minutes,
        "total_units": result.total_units,
        "timed_units": result.timed_units,
        "untimed_units": result.untimed_units,
        "lines": [
            {
                "code": line.code,
                "minutes": line.minutes,
                "units": line.units,
                "timed": line.timed,
                "counting": line.counting,
                "by_default": line.by_default,
                "pta_minutes": line.pta_minutes,
                "pta_units": line.pta_units,
                # the units CQ goes on where the payer takes CQ (Medicare): the PTA's
                "cq_units": line.pta_units,
            }
            for line in result.lines
        ],
        "ties": [
            {
                "codes": list(tie.codes),
                "units": tie.units,
                "remaining_minutes": tie.remaining_minutes,
                "default": [result.lines[i].code for i in tie.default_line_indices],
            }
            for tie in result.ties
        ],
        "warnings": [warning_json(w) for w in _unit_warnings(result)],
    }


def _unit_warnings(result: VisitResult) -> list[Warning]:
    return [w for w in result.warnings if w.code not in _DX_WARNINGS]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _print_units(result: VisitResult, out: TextIO) -> None:
    out.write(f"{result.profile.unit_rule_label}\n")
    for line in result.lines:
        minutes = "" if line.minutes is None else f"{line.minutes} min"
        kind = {"pool": "timed", "separate": "timed, counted on its own",
                "untimed": "untimed", "refused": "refused"}[line.counting]
        mark = "  (tie: default pick)" if line.by_default else ""
        if line.pta_minutes and line.provider == "pt":
            mark += f"  ({line.pta_minutes} min by the PTA: {_plural(line.pta_units, 'unit')})"
        out.write(f"  {line.code:<7} {minutes:>8}  x{line.units:<3} {kind}{mark}\n")
    extra = (
        f" (+{result.separate_timed_minutes} minutes counted on their own)"
        if result.separate_timed_minutes
        else ""
    )
    out.write(
        f"Total: {_plural(result.total_timed_minutes, 'timed minute')}{extra}, "
        f"{_plural(result.total_units, 'unit')}"
        + (f" ({result.untimed_units} untimed)" if result.untimed_units else "")
        + "\n"
    )
    for warning in _unit_warnings(result):
        out.write(f"{warning.severity} [{warning.code}]: {warning.message}\n")


def _cmd_units(args: argparse.Namespace, catalog: Catalog) -> int:
    profile = RULE_PROFILES[args.rule]
    try:
        visit = build_visit(catalog, args.items, profile=profile, diagnoses_in_items=False)
    except _RefusedError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_REFUSED
    result = evaluate(visit, catalog)
    if args.json:
        json.dump(units_json(result), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_units(result, sys.stdout)
    return EXIT_OK


# --------------------------------------------------------------------------- visit


def _user_profiles(store: UserStore | None) -> list[PayerProfile]:
    """The profiles of ``store`` (the session's: its ``--data-dir``, clinic profiles
    included), else of the default data folder."""
    if store is not None:
        return [PayerProfile.from_dict(dict(p)) for p in store.profiles()]
    # Imported here so ``ptcodes search`` never opens (or creates) the user database.
    from ptcodes_gui.userdata import default_data_dir
    from ptcodes_gui.userdata.store import UserStore as Store

    own, _messages = Store.open(default_data_dir())
    try:
        return [PayerProfile.from_dict(dict(p)) for p in own.profiles()]
    finally:
        own.close()


def find_profile(name: str, store: UserStore | None = None) -> PayerProfile:
    """A built-in profile (full name or alias, any case) or one saved in ``store`` (the
    session's user data, clinic profiles included; the default data folder without one).

    Raises ValueError naming the profiles there are.
    """
    wanted = " ".join(name.split()).casefold()
    builtins = {p.name.casefold(): p for p in BUILTIN_PROFILES.values()}
    alias = PROFILE_ALIASES.get(wanted)
    if alias is not None:
        return BUILTIN_PROFILES[alias]
    if wanted in builtins:
        return builtins[wanted]
    users = _user_profiles(store)
    for profile in users:
        if profile.name.casefold() == wanted:
            return profile
    known = [*BUILTIN_PROFILES, *(p.name for p in users)]
    raise ValueError(f"no payer profile named {name!r}; known: {', '.join(known)}")


def _cmd_visit(args: argparse.Namespace, catalog: Catalog) -> int:
    from ptcodes_gui.cli import codesets as cli_codesets

    if getattr(args, "date", None) is not None and not getattr(args, "dated", False):
        # diagnoses from the ICD-10-CM release in force on that day (cli_codesets)
        return cli_codesets.run_dated(args, catalog, _cmd_visit)
    session: Session | None = getattr(args, "session", None)
    try:
        profile = find_profile(args.profile, session.store if session is not None else None)
    except ValueError as exc:
        sys.stderr.write(f"ptcodes visit: error: {exc}\n")
        return EXIT_USAGE
    diagnoses = [d.strip() for text in args.dx for d in text.split(",") if d.strip()]
    if len(diagnoses) > MAX_DIAGNOSES:
        sys.stderr.write(
            f"ptcodes visit: error: a claim holds {MAX_DIAGNOSES} diagnoses (A-L); "
            f"{len(diagnoses)} were given\n"
        )
        return EXIT_USAGE
    try:
        visit = build_visit(
            catalog,
            args.items,
            diagnoses=diagnoses,
            profile=profile,
            provider=args.provider,
            kx=args.kx,
            telehealth=args.telehealth,
            on=getattr(args, "date", None),
        )
        visit = with_modifiers(visit, args.modifier)
    except ValueError as exc:
        sys.stderr.write(f"ptcodes visit: error: {exc}\n")
        return EXIT_USAGE
    except _RefusedError as exc:
        sys.stderr.write(f"{exc}\n")
        if args.format == "json":  # a script reading stdout learns why, not just "no output"
            sys.stdout.write(json.dumps({"version": 1, "refused": str(exc)}, indent=2) + "\n")
        return EXIT_REFUSED
    try:
        profile = replace(profile, mac=choose_mac(args.mac, session)) if args.mac else profile
    except ValueError as exc:
        sys.stderr.write(f"ptcodes visit: error: {exc}\n")
        return EXIT_USAGE
    on = getattr(args, "date", None) or date.today()
    result = evaluate(replace(visit, profile=profile, ytd_allowed=args.ytd), catalog,
                      fees=cli_codesets.fees_hook(catalog, session, profile.name, on), on=on,
                      necessity=session.necessity(profile) if session is not None else None)
    notices = cli_codesets.source_warnings(session, catalog, on)
    result = replace(result, warnings=(*result.warnings, *notices))
    text = format_visit(result, args.format, _estimate(result, catalog, args, profile.name, on))
    if text:
        sys.stdout.write(text + "\n")
    if args.format != "json":
        for warning in result.warnings:
            sys.stderr.write(f"{warning.severity} [{warning.code}]: {warning.message}\n")
    return EXIT_OK


def _estimate(
    result: VisitResult, catalog: Catalog, args: argparse.Namespace, profile: str,
    on: date | None = None,
) -> VisitEstimate | None:
    """The Medicare estimate when a fee schedule is imported and the profile has a locality
    (cli_codesets); ``format_visit`` puts it in text and json."""
    from ptcodes_gui.cli import codesets as cli_codesets

    return cli_codesets.visit_estimate(
        result.claim_lines, catalog, getattr(args, "session", None), profile, on)
