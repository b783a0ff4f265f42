"""``ptcodes``: the catalog and the billing rules, headless.

Exit status: 0 success, 1 nothing found (message on stderr), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from ptcodes_gui.catalog import Catalog, CatalogError
from ptcodes_gui.cli import codesets as cli_codesets
from ptcodes_gui.domain.formatting import validity_text
from ptcodes_gui.domain.models import (
    ATTENDANCE,
    CATEGORIES,
    SYSTEM_FILTERS,
    Code,
    Hit,
    Mue,
    System,
    fact_json,
    system_label,
)
from ptcodes_gui.domain.rules import RULES, Rule
from ptcodes_gui.domain.sources import source_json
from ptcodes_gui.domain.text import clean_text

EXIT_OK, EXIT_NOT_FOUND, EXIT_USAGE = 0, 1, 2
EXIT_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command cut off by a closed pipe


def hit_json(hit: Hit) -> dict[str, Any]:
    return {
        "code": hit.code,
        "system": hit.system,
        "title": hit.title,
        "timed": hit.timed,
        "status": hit.status,
        "category": hit.category,
        "billable": hit.billable,
        "common": hit.common,
        "replaced_by": list(hit.replaced_by),
    }


def denial_rules(code: Code) -> list[Rule]:
    """The rules of PT Codes that catch a denial code's cause before submission."""
    return [RULES[r] for r in code.rules if r in RULES]


def _caught_by(code: Code) -> str:
    return "".join(f"  caught before submission by: {r.id} ({r.summary})\n"
                   for r in denial_rules(code))


def _denial_json(code: Code) -> dict[str, Any]:
    if code.system != System.DENIAL:
        return {}
    return {"caught_by": [{"rule": r.id, "severity": r.severity, "summary": r.summary}
                          for r in denial_rules(code)]}


def code_json(code: Code, release: str = "") -> dict[str, Any]:
    notes = [_note_line(n.kind, n.payer, n.text, n.cited.label, n.confidence) for n in code.notes]
    out: dict[str, Any] = {
        "code": code.code,
        "system": code.system,
        "title": code.title,
        "description": code.description,
        "category": code.category,
        "timed": bool(code.timed),
        "unit_minutes": code.unit_minutes,
        "first_unit_minutes": code.first_unit_minutes,
        "attendance": code.attendance,
        "discipline": code.discipline,
        "not_pt": code.discipline not in ("PT", "any"),
        "status": code.status,
        "replaced_by": list(code.replaced_by),
        "effective": code.effective,
        "deleted": code.deleted,
        "use_before": list(code.use_before),
        "history": list(code.history) if code.system in (System.CPT, System.HCPCS) else [],
        "sometimes_therapy": code.sometimes_therapy,
        "addon_to": list(code.addon_to),
        "addons": list(code.addons),
        "notes": notes,
        "facts": [fact_json(n) for n in code.notes],
        "abbreviations": list(code.abbreviations),
        "synonyms": list(code.synonyms),
        "related": list(code.related),
        "modifiers": list(code.modifiers),
        "common": code.common,
        "medicare_status": code.medicare_status,
        "not_medicare": code.not_medicare,
        "verify": code.verify,
        "sources": [fact_json(s) for s in code.sources],
        "ncci": [
            {"column1": p.column1, "column2": p.column2, "indicator": p.indicator,
             "effective": p.effective, "deleted": p.deleted,
             "source": source_json(p.source), "confidence": p.confidence, "as_of": p.as_of,
             "note": p.note}
            for p in code.ncci
        ],
        "mue": None,
    }
    if code.system == System.ICD10CM:
        by_kind: dict[str, list[str]] = {}
        for n in code.icd_notes:
            by_kind.setdefault(n.kind, []).append(
                n.text if n.from_code == code.code else f"{n.text} (at {n.from_code})"
            )
        out["billable"] = code.billable
        out["parents"] = [c for c, _ in code.parents]
        out["parent_titles"] = [{"code": c, "title": t} for c, t in code.parents]
        out["children"] = [{"code": c, "title": t} for c, t in code.children]
        out["notes_by_kind"] = by_kind
        out["release"] = release
        out["valid_from"], out["valid_to"] = code.valid_from, code.valid_to
        out["title_is_official"] = not code.provisional
        out["notes"] = [f"{k}: {t}" for k, texts in by_kind.items() for t in texts]
        out["timed"] = False
    return out | _denial_json(code)


def _note_line(kind: str, payer: str | None, text: str, source: str, confidence: str) -> str:
    head = f"{payer} " if payer else ""
    verify = " VERIFY" if confidence.upper().startswith("L") else ""
    return f"[{kind}] {head}{text} (source: {source}; confidence {confidence}{verify})"


def _print_hits(hits: Sequence[Hit], out: TextIO) -> None:
    for h in hits:
        badge = "" if h.timed is None else ("timed  " if h.timed else "untimed")
        flags = []
        if h.status == "deleted":
            flags.append("DELETED" + (f" -> {', '.join(h.replaced_by)}" if h.replaced_by else ""))
        if not h.billable:
            flags.append("header, not billable")
        extra = f"  [{'; '.join(flags)}]" if flags else ""
        out.write(f"{h.code:<9} {badge:<7}  {h.title}{extra}\n")


def mue_json(mue: Mue | None) -> dict[str, Any] | None:
    if mue is None:
        return None
    return {"value": mue.value, "adjudication_indicator": mue.adjudication_indicator,
            "rationale": mue.rationale, "source": source_json(mue.source)}


_MAI = {1: "per claim line", 2: "per day (policy)", 3: "per day (clinical)"}


def _print_code(code: Code, catalog: Catalog, out: TextIO) -> None:
    system = system_label(code.system)
    out.write(f"{code.code}  ({system})  {code.title}\n")
    if code.is_deleted:
        when = f" on {code.deleted}" if code.deleted else (
            f" in {code.deleted_year}" if code.deleted_year else "")
        out.write(f"  DELETED{when}; "
                  + (f"use {', '.join(code.replaced_by)}\n" if code.replaced_by
                     else "no replacement code\n"))
    if code.system == System.ICD10CM:
        out.write("  billable: " + ("yes" if code.billable else "NO (a header: pick a code below)")
                  + "\n")
        out.write(f"  release: {catalog.info().icd_release}\n")
        if code.valid_from or code.valid_to:
            out.write(f"  valid: {validity_text(code)}\n")
        if code.parents:
            out.write("  under: " + " > ".join(f"{c} {t}" for c, t in code.parents) + "\n")
        for icd_note in code.icd_notes:
            where = "" if icd_note.from_code == code.code else f" (from {icd_note.from_code})"
            out.write(f"  {icd_note.kind}{where}: {icd_note.text}\n")
        if code.children:
            out.write("  codes under it:\n")
            for c, t in code.children[:40]:
                out.write(f"    {c:<9} {t}\n")
        return
    if code.description:
        out.write(f"\n  {code.description}\n\n")
    out.write(f"  category: {CATEGORIES.get(code.category, code.category)}\n" + _caught_by(code))
    if code.system in (System.CPT, System.HCPCS):
        out.write(f"  history: {' '.join(code.history)}\n")
    if code.system not in (System.MODIFIER, System.DENIAL):
        out.write(f"  {code.timed_label}; {ATTENDANCE.get(code.attendance, code.attendance)}\n")
    if code.addon_to:
        out.write(f"  add-on code: bill only with {', '.join(code.addon_to)}\n")
    if code.addons:
        out.write(f"  add-on codes: {', '.join(code.addons)}\n")
    if code.abbreviations:
        out.write(f"  also typed as: {', '.join(code.abbreviations)}\n")
    if code.modifiers:
        out.write(f"  modifiers: {', '.join(code.modifiers)}\n")
    for n in code.notes:
        out.write("  - " + _note_line(n.kind, n.payer, n.text, n.cited.label, n.confidence) + "\n")
    mue = catalog.mue(code.code)
    if mue is not None:
        out.write(f"  MUE: {mue.value} unit(s) {_MAI.get(mue.adjudication_indicator, '')} "
                  f"(MAI {mue.adjudication_indicator}; {mue.source})\n")
    for p in code.ncci:
        other = p.column2 if p.column1 == code.code else p.column1
        dates = (f", effective {p.effective}" if p.effective else "") + (
            f", deleted {p.deleted}" if p.deleted else "")
        out.write(f"  NCCI: with {other}: indicator {p.indicator} "
                  f"(col1 {p.column1}, col2 {p.column2}; {p.cited.label}, as of {p.as_of}"
                  f"{dates})\n")
    if code.related:
        out.write(f"  related: {', '.join(code.related)}\n")
    descriptor = catalog.descriptor(code.code)
    if descriptor:
        out.write(f"  official descriptor ({descriptor[1]}): {descriptor[0]}\n")
    if code.system == System.CPT:  # the attribution the AMA asks for wherever CPT is shown
        out.write("\n  CPT is a registered trademark of the American Medical Association.\n")


def _cmd_search(args: argparse.Namespace, catalog: Catalog) -> int:
    result = catalog.search_explained(args.text, limit=args.limit, system=args.system)
    hits = result.hits
    if result.note:  # what was relaxed to find these; stdout stays the plain list
        sys.stderr.write(f"note: {result.note}\n")
    if args.json:
        json.dump([hit_json(h) for h in hits], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_hits(hits, sys.stdout)
    if not hits:
        sys.stderr.write(f"No codes found for {args.text!r}.\n")
        return EXIT_NOT_FOUND
    return EXIT_OK


def _cmd_show(args: argparse.Namespace, catalog: Catalog) -> int:
    code = catalog.get(args.code)
    if code is None:
        near = catalog.suggest(args.code)
        msg = f"{clean_text(args.code)}: not found in the catalog."  # no terminal escapes
        if near:
            msg += " Nearest valid codes: " + ", ".join(f"{h.code} ({h.title})" for h in near)
        sys.stderr.write(msg + "\n")
        return EXIT_NOT_FOUND
    if args.json:
        data = code_json(code, catalog.info().icd_release)
        if code.system != System.ICD10CM:
            data["mue"] = mue_json(catalog.mue(code.code))
            data.update(cli_codesets.show_extras(code, catalog))
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_code(code, catalog, sys.stdout)
    return EXIT_OK


def info_sources(catalog: Catalog) -> list[dict[str, Any]]:
    """Every source in use, shipped and imported, with its version and dates."""
    info = catalog.info()
    imported = {s.source: s for s in catalog.overlay.sources()}
    out: list[dict[str, Any]] = [
        {"source": "catalog", "kind": "shipped", "title": "PT Codes catalog",
         "version": info.catalog_version, "effective": info.content_date},
        {"source": "icd10cm", "kind": "shipped", "title": "ICD-10-CM",
         "version": info.icd_release, "effective": None},
    ]
    if "ncci" not in imported or catalog.overlay.ncci_replaces("") is False:
        out.append({"source": "ncci", "kind": "shipped", "title": "NCCI PTP pairs (shipped)",
                    "version": f"as of {info.ncci_as_of}", "effective": info.ncci_as_of})
    for s in imported.values():
        out.append({"source": s.source, "kind": "imported", "title": s.title,
                    "version": s.version, "label": s.label, "effective": s.effective,
                    "files": list(s.files), "rows": s.rows, "imported_at": s.imported_at})
    return out


def _cmd_info(args: argparse.Namespace, catalog: Catalog) -> int:
    from ptcodes_gui import __version__
    from ptcodes_gui.userdata.config import CLINIC_DIR_SETTING, clinic_folder_setting

    info = catalog.info()
    sources = info_sources(catalog)
    # the setting's problems were printed with the session's start-up messages
    clinic = clinic_folder_setting(args.session.store.get_setting(CLINIC_DIR_SETTING))
    if args.json:
        json.dump({"app_version": __version__, **info.__dict__,
                   "clinic_folder": str(clinic.path) if clinic.path else None,
                   "clinic_folder_from": clinic.detail or None,
                   "active_sources": sources,
                   "data_sources": cli_codesets.sources_json(args.session)},
                  sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(f"PT Codes {__version__}; {clinic.describe()}\n")
        sys.stdout.write(
            f"Catalog {info.catalog_version} (content reviewed {info.content_date}); "
            f"{info.pt_codes} PT/HCPCS codes, {info.modifiers} modifiers; NCCI pairs as of "
            f"{info.ncci_as_of}; {info.icd_release}: {info.icd_billable} billable codes of "
            f"{info.icd_codes} entries\n"
        )
        for src in sources:
            if src["kind"] == "imported":
                eff = f", effective {src['effective']}" if src["effective"] else ""
                sys.stdout.write(f"Imported: {src['label']}{eff}; {src['rows']:,} rows from "
                                 f"{', '.join(src['files'])}, imported {src['imported_at']}\n")
        sys.stdout.write(cli_codesets.sources_text(args.session) + "\n")
    return EXIT_OK


def _cmd_import(args: argparse.Namespace, catalog: Catalog) -> int:
    from ptcodes_gui.releases import (
        ImportContext,
        ImportFileError,
        apply_import,
        nothing_imported,
        preview_import,
        preview_text,
        reader,
        remove_import,
    )
    from ptcodes_gui.session import Session
    from ptcodes_gui.userdata.store import UserDataError

    session: Session = args.session
    if args.source == "icd10cm":  # its own database, not the import store (cli_codesets)
        return cli_codesets.import_icd(args, session)
    if args.source == "pfs" and args.locality and not args.files and not args.remove:
        return cli_codesets.after_import(args, session) or EXIT_OK
    try:
        src = reader(args.source)
        if args.remove:
            if args.files:
                sys.stderr.write("ptcodes import: give either FILE or --remove, not both\n")
                return EXIT_USAGE
            removed = remove_import(src.name, session.imports)
            sys.stdout.write(
                f"Removed the {src.title} import; built-in data is used again.\n" if removed
                else f"There was no {src.title} import.\n"
            )
            return EXIT_OK
        if not args.files:
            sys.stderr.write("ptcodes import: FILE is required (or --remove)\n")
            return EXIT_USAGE
        context = ImportContext.from_store(session.imports, catalog.all_codes(),
                                           diagnoses=catalog.billable_diagnoses)
        preview = preview_import([Path(f) for f in args.files], context, source=src.name,
                                 allow_older=args.allow_older)
        try:
            sys.stdout.write(preview_text(preview, max_rejected=50) + "\n")
            if not args.apply:
                sys.stdout.write("Preview only: nothing was changed. Add --apply to import.\n")
                return EXIT_OK
        except BaseException:
            preview.discard()
            raise
        if not args.apply:
            return EXIT_OK
        info = apply_import(preview, session.imports)
        sys.stdout.write(f"Imported {info.label}: {info.rows:,} rows kept from "
                         f"{', '.join(info.files)}.\n")
        session.reload_imports()
        return cli_codesets.after_import(args, session) or EXIT_OK
    except (ImportFileError, UserDataError, OSError) as exc:
        sys.stderr.write(nothing_imported(exc) + "\n")
        return EXIT_NOT_FOUND


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ptcodes", description="PT Codes: look up PT billing and ICD-10-CM codes offline."
    )
    parser.add_argument("--data-dir", dest="global_data_dir", type=Path, default=None,
                        help="folder of your saved data and imports (default: the usual one)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("search", help="search codes by code, words or shorthand")
    p.add_argument("text")
    p.add_argument("--system", choices=SYSTEM_FILTERS)
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_search)
    p = sub.add_parser("show", help="everything the catalog knows about one code")
    p.add_argument("code")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_show)
    from ptcodes_gui.releases import all_readers

    sources = all_readers()
    titles = {"icd10cm": "ICD-10-CM release (CDC/CMS order file, tabular and index XML)",
              **{n: r.title for n, r in sources.items()}}
    p = sub.add_parser(
        "import",
        help="preview (and with --apply, import) a CDC/CMS file or a clinic list: "
        + ", ".join(titles),
        description="Sources: " + "; ".join(f"{n}: {t}" for n, t in titles.items()),
    )
    p.add_argument("source", choices=(*sources, "icd10cm"))
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="the files or zips as downloaded (several parts at once are fine)")
    p.add_argument("--apply", action="store_true", help="write the import (default: preview)")
    p.add_argument("--remove", action="store_true", help="remove this source's import")
    p.add_argument("--allow-older", action="store_true",
                   help="import a release older than the one in use")
    p.add_argument("--locality", metavar="MAC-LOCALITY",
                   help="pfs: the clinic's Medicare locality, e.g. 13202-01 (GPCI file)")
    p.add_argument("--profile", default="Medicare",
                   help="pfs --locality: the payer profile it is for (default Medicare)")
    p.add_argument("--data-dir", type=Path, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=_cmd_import)
    p = sub.add_parser("info", help="catalog version, dates and counts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_info)
    from ptcodes_gui.cli import clinic as cli_clinic
    from ptcodes_gui.cli import visit as cli_visit

    cli_visit.register(sub)
    cli_clinic.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from ptcodes_gui.session import open_session

    parser = build_parser()
    args = parser.parse_args(argv)
    # What the store logs at start is printed below, once; without a handler Python's
    # last-resort handler printed every start-up message a second time.
    logging.getLogger("ptcodes_gui").addHandler(logging.NullHandler())
    if getattr(args, "limit", 1) is not None and getattr(args, "limit", 1) < 1:
        parser.error("--limit must be at least 1")
    try:
        session = open_session(getattr(args, "data_dir", None) or args.global_data_dir)
    except CatalogError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_NOT_FOUND
    for message in session.messages:
        if message.level != "info" or args.command == "import":
            sys.stderr.write(message.text + "\n")
    args.session = session
    try:
        result: int = args.func(args, session.catalog)
        sys.stdout.flush()
        return result
    except BrokenPipeError:
        # the reader went away (``ptcodes show X --json | head -1``): stop quietly, and keep
        # the interpreter's final flush from raising again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE
    finally:
        session.close()


if __name__ == "__main__":
    sys.exit(main())
