"""The hand-edited catalog in resources/catalog/ against SCHEMA.md and the PT coding facts sheet.

The TOML is parsed with tomllib directly, so these tests hold whatever loader is built on top.
Every check here fails if an edit puts a wrong fact, a dangling reference or AMA text in the data.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from ptcodes_gui.domain.models import ATTENDANCE, CATEGORIES
from ptcodes_gui.domain.sources import SOURCES

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "resources" / "catalog"
SEED_POST = ROOT.parent / "shared" / "seed" / "commonly-used-pt-cpt-codes.txt"

Entry = dict[str, Any]

CODE_FILES = {
    "evaluation.toml", "modalities.toml", "therapeutic.toml", "tests_orthotics.toml",
    "wound.toml", "other_procedures.toml", "remote_virtual.toml", "other_disciplines.toml",
    "modifiers.toml", "orthotics_dmepos.toml", "functional_reporting.toml",
}

# --- allowed values (SCHEMA.md) -------------------------------------------------------------
SYSTEMS = {"cpt", "hcpcs", "modifier"}
SCHEMA_CATEGORIES = {
    "evaluation", "supervised_modality", "constant_attendance_modality",
    "therapeutic_procedure", "tests_measurements", "orthotics_prosthetics", "wound_care",
    "remote_virtual_care", "other", "modifier",
}
ATTENDANCES = {"constant", "supervised", "not_applicable"}
DISCIPLINES = {"PT", "OT", "SLP", "AT", "any", "DME", "acupuncture", "physician"}
STATUSES = {"active", "deleted"}
CONFIDENCES = {"H", "M", "L", "M-H", "L-M"}
NOTE_KINDS = {"payer", "documentation", "pitfall", "note"}
PAYERS = {"Medicare", "Commercial", "Medicaid", "All"}

STR_LIST = "list[str]"
REQUIRED: dict[str, type | str] = {
    "code": str, "system": str, "title": str, "description": str, "category": str,
    "source": str, "confidence": str,
}
REQUIRED_FOR_SERVICES: dict[str, type | str] = {"timed": bool, "attendance": str}
OPTIONAL: dict[str, type | str] = {
    "unit_minutes": int, "first_unit_minutes": int, "discipline": str, "status": str,
    "replaced_by": STR_LIST, "deleted_year": int, "addon_to": STR_LIST,
    "abbreviations": STR_LIST, "synonyms": STR_LIST, "related": STR_LIST, "modifiers": STR_LIST,
    "common": bool, "seed_listed": bool, "medicare_status": str, "not_medicare": bool,
    "verify": bool, "notes": list, "effective": str, "deleted": str, "use_before": STR_LIST,
    "before_note": str, "sometimes_therapy": bool,
}
NOTE_REQUIRED: dict[str, type | str] = {
    "kind": str, "text": str, "source": str, "confidence": str,
}

# --- facts sheet (../shared/domain/PT-CODING-FACTS.md) ---------------------------------------
SEED_COMMON = [  # the post's "commonly used" list, in its order (13 codes)
    "97162", "97530", "97164", "97140", "97110", "97035", "97150", "97535", "97112", "97116",
    "97124", "97139", "97010",
]
SEED_LESS_COMMON = ["97750", "97542", "97760", "97755", "97799"]

SECTION_2 = [
    # evaluations
    "97161", "97162", "97163", "97164", "97165", "97166", "97167", "97168",
    "97169", "97170", "97171", "97172",
    # supervised modalities
    "97010", "97012", "97014", "97016", "97018", "97022", "97024", "97026", "97028",
    # constant-attendance modalities
    "97032", "97033", "97034", "97035", "97036", "97039",
    # therapeutic procedures
    "97110", "97112", "97113", "97116", "97124", "97129", "97130", "97139", "97140", "97150",
    "97530", "97533", "97535", "97537", "97542", "97545", "97546", "97550", "97551", "97552",
    # tests and measurements, orthotics, prosthetics
    "97750", "97755", "97760", "97761", "97763", "97799", "95851", "95852", "95992",
    # wound care
    "97597", "97598", "97602", "97605", "97606", "97610", "G0281", "G0329",
    # other procedures PTs bill
    "20560", "20561", "29200", "29240", "29260", "29280", "29520", "29530", "29540", "29550",
    "29580", "G0283",
    # other disciplines
    "92507", "92508", "92521", "92522", "92523", "92524",
    # deleted
    "97127", "97762",
]
SECTION_5 = [
    "98966", "98967", "98968", "98970", "98971", "98972", "G2250", "G2251",
    "98975", "98977", "98985", "98984", "98986", "98979", "98980", "98981",
]
SECTION_4_MODIFIERS = [
    "GP", "GO", "GN", "KX", "CQ", "CO", "59", "XE", "XS", "XP", "XU", "95", "93", "52", "76",
]
# --- section 9 (2026-12-01): corrections and additions, overriding older lines ---------------
MMT = ["95831", "95832", "95833", "95834"]
ACUPUNCTURE = ["97810", "97811", "97813", "97814"]
ORTHOTIC_L_CODES = ["L1832", "L1833", "L3908", "L4361", "L4387", "L0648", "L0650"]
LIMB_L_CODES = ["L1832", "L1833", "L3908", "L4361", "L4387"]
FUNCTIONAL_G_CODES = [f"G{n}" for n in range(8978, 9000)]
DELETED_REPLACED = {  # deleted code -> its replacements
    "97127": ["97129", "97130"], "97762": ["97763"],
    "97001": ["97161", "97162", "97163"], "97002": ["97164"],
    "97003": ["97165", "97166", "97167"], "97004": ["97168"],
    "97532": ["97129", "97130"], "G0515": ["97129", "97130"], "90911": ["90912", "90913"],
}
SECTION_9 = [
    *MMT, "97607", "97608", "98976", "98978", "29581", "29584", "90912", "90913", *ACUPUNCTURE,
    *ORTHOTIC_L_CODES, "97001", "97002", "97003", "97004", "97532", "G0515", *FUNCTIONAL_G_CODES,
]
# --- section 11 (2026-12-06): codes a therapy clinic bills, and the context codes of its pairs
SECTION_11 = [
    "92526", "96125", "90901", "90911", "G0539", "G0540", "G0541", "G0542", "G0543",
    "98960", "98961", "98962", "E0730", "A4595", "98016", "20552", "20553",
    "99453", "99454", "99457",  # RPM, context for the RTM/RPM rule
]
SECTION_9_MODIFIERS = ["GA", "GX", "GY", "GZ", "77", "FQ", "FR", "GT", "RT", "LT"]
# PT codes on the CY2026 Medicare telehealth list (section 9): only these PT codes may list 95/93
TELEHEALTH_PT = {
    "97110", "97112", "97116", "97150", "97161", "97162", "97163", "97164", "97530", "97535",
    "97542", "97750", "97755", "97760", "97761", "97763",
    # section 11: caregiver training, cognitive intervention, self-management education
    "97550", "97551", "97552", "97129", "97130", "G0541", "G0542", "G0543",
    "98960", "98961", "98962",
}
NOT_TELEHEALTH = [  # hands-on services section 9 names as not on the list
    "97140", "97010", "97012", "97014", "97016", "97018", "97022", "97024", "97026", "97028",
    "97032", "97033", "97034", "97035", "97036", "G0283", "20560", "20561", "29200", "29240",
    "29260", "29280", "29520", "29530", "29540", "29550",
]
# words that would point a clinic at the internal facts sheet instead of a public document
INTERNAL_SOURCE = re.compile(r"facts §|facts sheet|PT-CODING-FACTS|internal", re.IGNORECASE)
EVALS = ["97161", "97162", "97163"]
OT_EVALS = ["97165", "97166", "97167", "97168"]
AT_EVALS = ["97169", "97170", "97171", "97172"]
SLP_CODES = ["92507", "92508", "92521", "92522", "92523", "92524"]
SUPERVISED_MODALITIES = ["97010", "97012", "97014", "97016", "97018", "97022", "97024", "97026",
                         "97028"]
CONSTANT_MODALITIES = ["97032", "97033", "97034", "97035", "97036", "97039"]
TIMED_15_ONE_ON_ONE = [
    "97110", "97112", "97113", "97116", "97124", "97129", "97130", "97139", "97140", "97530",
    "97533", "97535", "97537", "97542", "97551", "97750", "97755", "97760", "97761", "97763",
]
UNTIMED = [
    *EVALS, "97164", *OT_EVALS, *AT_EVALS, *SUPERVISED_MODALITIES, "G0283", "97150",
    "95851", "95852", "95992", "97597", "97598", "97602", "97605", "97606", "97610", "G0281",
    "G0329", "20560", "20561", "29200", "29240", "29260", "29280", "29520", "29530", "29540",
    "29550", "29580", *SLP_CODES, *SECTION_5, *MMT, "97607", "97608", "98976", "98978", "29581",
    "29584", *ORTHOTIC_L_CODES,
]
STRAPPING_REGIONS = ["29200", "29240", "29260", "29280", "29520", "29530", "29540", "29550"]
RTM = ["98975", "98976", "98977", "98978", "98985", "98984", "98986", "98979", "98980", "98981"]
RTM_DEVICE = ["98976", "98977", "98978", "98985", "98984", "98986"]
NCCI_X = ["59", "XE", "XS", "XP", "XU"]

# section 7 plus the obvious words a clinician types: each term must find each listed code
SEARCH_TERMS: dict[str, list[str]] = {
    "TherEx": ["97110"], "TE": ["97110"], "strengthening": ["97110"], "stretching": ["97110"],
    "NMR": ["97112"], "NMRE": ["97112"], "NRE": ["97112"], "neuro re-ed": ["97112"],
    "balance": ["97112"],
    "TA": ["97530"], "TherAct": ["97530"], "functional training": ["97530"],
    "transfers": ["97530"], "bed mobility": ["97530"],
    "MT": ["97140"], "manual": ["97140"], "STM": ["97140"], "joint mob": ["97140"],
    "MFR": ["97140"], "MLD": ["97140"], "soft tissue mobilization": ["97140"],
    "mobilization": ["97140"],
    "massage": ["97124"], "GT": ["97116"], "gait": ["97116"],
    "aquatic": ["97113"], "pool": ["97113"],
    "HP": ["97010"], "CP": ["97010"], "MHP": ["97010"], "ice": ["97010"],
    "hot pack": ["97010"], "cold pack": ["97010"],
    "US": ["97035"], "ultrasound": ["97035"], "ionto": ["97033"],
    "e-stim": ["97032", "97014", "G0283"], "ES": ["97032", "97014", "G0283"],
    "IFC": ["97032", "97014", "G0283"], "TENS": ["97032", "97014", "G0283"],
    "NMES": ["97032", "97014", "G0283"],
    "traction": ["97012"], "vaso": ["97016"], "Game Ready": ["97016"], "paraffin": ["97018"],
    "WP": ["97022"], "HEP": ["97110"], "HEP training": ["97110"], "ADL": ["97535"],
    "self-care": ["97535"],
    "W/C": ["97542"], "FCE": ["97750"], "PPT": ["97750"], "group": ["97150"],
    "DN": ["20560", "20561"], "TDN": ["20560", "20561"],
    "KT": STRAPPING_REGIONS, "kinesio tape": STRAPPING_REGIONS,
    "Epley": ["95992"], "CRP": ["95992"], "BPPV": ["95992"],
    "ROM measurement": ["95851", "95852"], "eval": EVALS, "re-eval": ["97164"],
    "RTM": ["98975", "98977", "98985", "98980", "98979"],
}
# shorthand that means exactly one thing: no other code may carry it
EXCLUSIVE_TERMS = [
    "TherEx", "TE", "NMR", "NMRE", "NRE", "neuro re-ed", "TA", "TherAct", "MT", "STM", "MFR",
    "MLD", "GT", "HP", "CP", "MHP", "US", "ionto", "WP", "W/C", "FCE", "PPT", "DN", "TDN", "KT",
    "CRP", "BPPV", "re-eval",
]

# characteristic phrases of AMA CPT descriptors: our titles and descriptions must not carry them
AMA_DESCRIPTOR_PHRASES = [
    "one or more areas, each 15 minutes",
    "to develop strength and endurance, range of motion and flexibility",
    "direct (one-on-one) patient contact",
    "requires direct one-on-one patient contact by the provider",
    "application of a modality to 1 or more areas",
    "use of dynamic activities to improve functional performance",
    "of movement, balance, coordination, kinesthetic sense, posture",
    "includes stair climbing",
    "effleurage, petrissage and/or tapotement",
    "mobilization/manipulation, manual lymphatic drainage, manual traction",
    "group (2 or more individuals)",
    "compensatory training, meal preparation, safety procedures",
    "(eg, musculoskeletal, functional capacity), with written report",
    "including assessment and fitting when not otherwise reported",
    "list separately in addition to code for primary service",
    "therapeutic interventions that focus on cognitive function",
    "a history with no personal factors and/or comorbidities",
    "typically, 20 minutes are spent face-to-face",
    "each extremity (excluding hand) or each trunk section",
]


# --- loading ---------------------------------------------------------------------------------
@cache
def _catalog_toml() -> dict[str, Any]:
    with (CATALOG / "catalog.toml").open("rb") as f:
        return tomllib.load(f)


@cache
def _code_files() -> dict[str, list[Entry]]:
    out: dict[str, list[Entry]] = {}
    for path in sorted((CATALOG / "codes").glob("*.toml")):
        with path.open("rb") as f:
            out[path.name] = tomllib.load(f).get("code", [])
    return out


def _entries() -> list[Entry]:
    return [e for entries in _code_files().values() for e in entries]


@cache
def _by_code() -> dict[str, Entry]:
    return {e["code"]: e for e in _entries()}


@cache
def _ncci() -> dict[str, Any]:
    with (CATALOG / "ncci.toml").open("rb") as f:
        return tomllib.load(f)


def _code(code: str) -> Entry:
    assert code in _by_code(), f"{code} missing from the catalog"
    return _by_code()[code]


def _is_modifier(entry: Entry) -> bool:
    return bool(entry.get("system") == "modifier")


def _terms(entry: Entry) -> set[str]:
    return {t.casefold() for t in [*entry.get("abbreviations", []), *entry.get("synonyms", [])]}


def _notes(entry: Entry) -> list[Entry]:
    return list(entry.get("notes", []))


def _all_text(entry: Entry) -> str:
    return " ".join([entry["title"], entry["description"], *(n["text"] for n in _notes(entry))])


def _type_ok(value: Any, expected: type | str) -> bool:
    if expected == STR_LIST:
        return isinstance(value, list) and all(isinstance(v, str) and v for v in value)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    assert isinstance(expected, type)
    return isinstance(value, expected)


def _is_low(confidence: str) -> bool:
    return confidence.upper().startswith("L")


# --- catalog.toml and the source registry -----------------------------------------------------
def test_catalog_header_has_version_and_date() -> None:
    cat = _catalog_toml()
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", cat["version"])
    assert dt.date.fromisoformat(cat["content_date"]) <= dt.date(2030, 1, 1)
    assert "sources" not in cat, "sources live in ptcodes_gui/domain/sources.py"


def test_every_registry_source_is_a_public_document() -> None:
    for sid, src in SOURCES.items():
        assert " " not in sid and sid == src.id, sid
        assert src.label.strip() and len(src.label) <= 40, sid
        assert len(src.citation) > len(src.label), sid
        assert not INTERNAL_SOURCE.search(src.label + src.citation), sid


def test_code_files_are_the_category_groups() -> None:
    files = _code_files()
    assert set(files) == CODE_FILES
    for name, entries in files.items():
        assert entries, f"{name} has no [[code]] entries"


# --- shape of every entry --------------------------------------------------------------------
def test_entries_have_the_required_fields_with_the_right_types() -> None:
    errors = []
    for e in _entries():
        label = e.get("code", "<no code>")
        required = dict(REQUIRED)
        if not _is_modifier(e):
            required |= REQUIRED_FOR_SERVICES
        for key, typ in required.items():
            if key not in e:
                errors.append(f"{label}: missing {key}")
            elif not _type_ok(e[key], typ):
                errors.append(f"{label}: {key} should be {typ}")
        for key, value in e.items():
            if key in required:
                continue
            if key not in OPTIONAL and key not in REQUIRED_FOR_SERVICES:
                errors.append(f"{label}: unknown key {key}")
            elif key in OPTIONAL and not _type_ok(value, OPTIONAL[key]):
                errors.append(f"{label}: {key} should be {OPTIONAL[key]}")
        for note in _notes(e):
            for key, typ in NOTE_REQUIRED.items():
                if not _type_ok(note.get(key), typ) or not note[key].strip():
                    errors.append(f"{label}: note missing {key}: {note}")
            unknown = set(note) - set(NOTE_REQUIRED) - {"payer"}
            if unknown:
                errors.append(f"{label}: note has unknown keys {unknown}")
    assert not errors, "\n".join(errors)


def test_enumerated_fields_use_allowed_values() -> None:
    assert set(CATEGORIES) >= SCHEMA_CATEGORIES, "a schema category the app cannot show"
    assert set(ATTENDANCE) == ATTENDANCES
    errors = []
    for e in _entries():
        c = e["code"]
        checks = [
            ("system", e["system"], SYSTEMS),
            ("category", e["category"], SCHEMA_CATEGORIES),
            ("discipline", e.get("discipline", "PT"), DISCIPLINES),
            ("status", e.get("status", "active"), STATUSES),
            ("confidence", e["confidence"], CONFIDENCES),
        ]
        if not _is_modifier(e):
            checks.append(("attendance", e["attendance"], ATTENDANCES))
        for note in _notes(e):
            checks += [("note kind", note["kind"], NOTE_KINDS),
                       ("note confidence", note["confidence"], CONFIDENCES)]
            if note["kind"] == "payer":
                checks.append(("payer", note.get("payer"), PAYERS))
            elif "payer" in note:
                errors.append(f"{c}: payer given on a {note['kind']} note")
        errors += [f"{c}: {what} = {value!r}" for what, value, ok in checks if value not in ok]
    assert not errors, "\n".join(errors)


def test_modifiers_and_services_are_kept_apart() -> None:
    for e in _entries():
        is_mod = _is_modifier(e)
        assert (e["category"] == "modifier") == is_mod, e["code"]
        if is_mod:
            assert re.fullmatch(r"[A-Z0-9]{2}", e["code"]), e["code"]
            for key in ("timed", "unit_minutes", "attendance", "addon_to"):
                assert key not in e, f"modifier {e['code']} has {key}"
        elif e["system"] == "cpt":
            assert re.fullmatch(r"\d{5}", e["code"]), e["code"]
        else:
            assert re.fullmatch(r"[A-Z]\d{4}", e["code"]), e["code"]


def test_no_code_is_defined_twice_across_files() -> None:
    counts = Counter(e["code"] for e in _entries())
    assert not [c for c, n in counts.items() if n > 1]


def test_referenced_codes_exist() -> None:
    known = set(_by_code())
    errors = []
    for e in _entries():
        for key in ("replaced_by", "addon_to", "related"):
            errors += [f"{e['code']}.{key} -> {r}" for r in e.get(key, []) if r not in known]
        if e["code"] in e.get("related", []):
            errors.append(f"{e['code']} is related to itself")
    for p in _ncci()["pair"]:
        errors += [f"ncci {p[col]}" for col in ("column1", "column2") if p[col] not in known]
    assert not errors, "\n".join(errors)


def test_listed_modifiers_are_modifier_entries() -> None:
    modifiers = {e["code"] for e in _entries() if _is_modifier(e)}
    for e in _entries():
        listed = e.get("modifiers", [])
        assert len(listed) == len(set(listed)), f"{e['code']} lists a modifier twice"
        assert set(listed) <= modifiers, f"{e['code']}: {set(listed) - modifiers}"


def test_all_section_4_modifiers_present() -> None:
    for m in SECTION_4_MODIFIERS:
        assert _code(m)["system"] == "modifier"


def test_timed_codes_have_unit_minutes_and_untimed_do_not() -> None:
    for e in _entries():
        if _is_modifier(e):
            continue
        if e["timed"]:
            assert e.get("unit_minutes", 0) > 0, e["code"]
            first = e.get("first_unit_minutes")
            assert first is None or first > e["unit_minutes"], e["code"]
        else:
            assert "unit_minutes" not in e, e["code"]
            assert "first_unit_minutes" not in e, e["code"]


def test_every_source_is_a_registry_id() -> None:
    defined = set(SOURCES)
    used = []
    for e in _entries():
        used.append((e["code"], e["source"]))
        used += [(e["code"], n["source"]) for n in _notes(e)]
    used += [(f"ncci {p['column1']}/{p['column2']}", p["source"]) for p in _ncci()["pair"]]
    undefined = [(where, s) for where, s in used if s not in defined]
    assert not undefined
    assert len(used) > 400


def test_deleted_codes_point_to_active_replacements() -> None:
    deleted = [e for e in _entries() if e.get("status") == "deleted"]
    assert {e["code"] for e in deleted} == set(DELETED_REPLACED) | set(FUNCTIONAL_G_CODES)
    for e in deleted:
        if e["code"] in FUNCTIONAL_G_CODES:
            assert "replaced_by" not in e, e["code"]
            assert "no replacement" in e["description"], e["code"]
            continue
        assert e["replaced_by"] == DELETED_REPLACED[e["code"]], e["code"]
        assert isinstance(e.get("deleted_year"), int), e["code"]
        for r in e["replaced_by"]:
            assert _code(r).get("status", "active") == "active", r
            assert r in e["description"], f"{e['code']} description does not name {r}"
            assert r in e.get("related", []), f"{e['code']} not related to its replacement {r}"
        assert not e.get("common") and not e.get("seed_listed")
    for e in _entries():
        if e.get("status", "active") == "active":
            assert "replaced_by" not in e and "deleted_year" not in e, e["code"]


def test_addon_codes_point_to_active_primaries() -> None:
    for e in _entries():
        for primary in e.get("addon_to", []):
            p = _code(primary)
            assert p.get("status", "active") == "active", primary
            assert not p.get("addon_to"), f"{primary} is itself an add-on"


# --- the seed post ---------------------------------------------------------------------------
def test_every_seed_post_code_is_present_and_flagged() -> None:
    assert len(SEED_COMMON) == 13 and len(SEED_LESS_COMMON) == 5
    for c in SEED_COMMON:
        assert _code(c).get("seed_listed") is True, c
        assert _code(c).get("common") is True, c
    for c in SEED_LESS_COMMON:
        assert _code(c).get("seed_listed") is True, c
        assert not _code(c).get("common"), c
    seed = set(SEED_COMMON) | set(SEED_LESS_COMMON)
    flagged = {e["code"] for e in _entries() if e.get("seed_listed") or e.get("common")}
    assert flagged == seed


def test_seed_lists_match_the_seed_post() -> None:
    if not SEED_POST.exists():
        pytest.skip("../shared/seed is not beside this checkout")
    text = SEED_POST.read_text(encoding="utf-8")
    common_part, less_part = text.split("Less Common Physical Therapy CPT Codes", 1)
    pattern = re.compile(r"^(\d{5}) CPT Code", re.MULTILINE)
    assert pattern.findall(common_part) == SEED_COMMON
    assert pattern.findall(less_part) == SEED_LESS_COMMON


# --- the facts sheet -------------------------------------------------------------------------
def test_every_code_of_facts_sections_2_5_and_9_is_present() -> None:
    assert len(SECTION_2) == len(set(SECTION_2)) == 84
    assert len(SECTION_5) == len(set(SECTION_5)) == 16
    assert len(SECTION_9) == len(set(SECTION_9)) == 51
    missing = [c for c in SECTION_2 + SECTION_5 + SECTION_9 + SECTION_11 if c not in _by_code()]
    assert not missing
    services = {e["code"] for e in _entries() if not _is_modifier(e)}
    backed = set(SECTION_2) | set(SECTION_5) | set(SECTION_9) | set(SECTION_11)
    assert services == backed, "codes not backed"
    modifiers = {e["code"] for e in _entries() if _is_modifier(e)}
    assert modifiers == set(SECTION_4_MODIFIERS) | set(SECTION_9_MODIFIERS)


def test_97162_is_an_evaluation_not_neuromuscular_reeducation() -> None:
    e = _code("97162")
    assert e["category"] == "evaluation"
    assert e["timed"] is False
    assert "evaluation" in e["title"].lower()
    assert "moderate" in e["title"].lower()
    assert "neuromuscular" not in e["title"].lower()
    assert not _terms(e) & {"nmr", "nmre", "nre", "neuro re-ed", "neuromuscular re-education"}
    nmr = _code("97112")
    assert "neuromuscular re-education" in nmr["title"].lower()
    assert nmr["category"] == "therapeutic_procedure"
    assert nmr["timed"] is True


def test_evaluations_are_untimed_and_related_to_each_other() -> None:
    for c in [*EVALS, "97164"]:
        e = _code(c)
        assert e["category"] == "evaluation" and e["timed"] is False, c
        others = [x for x in [*EVALS, "97164"] if x != c]
        if c != "97164":
            assert set(others) <= set(e.get("related", [])), c
        else:
            assert set(EVALS) <= set(e.get("related", []))
        assert "GP" in e.get("modifiers", []), c
    medicare = [n for n in _notes(_code("97161")) if n.get("payer") == "Medicare"]
    assert any("same rate" in n["text"] for n in medicare)


def test_reevaluation_is_not_for_routine_progress_notes() -> None:
    pitfalls = [n["text"] for n in _notes(_code("97164")) if n["kind"] == "pitfall"]
    assert any("progress" in t for t in pitfalls)


def test_other_discipline_codes_are_marked_not_pt() -> None:
    for c in OT_EVALS:
        e = _code(c)
        assert e["discipline"] == "OT" and e["modifiers"] == ["GO"], c
        assert "not PT" in e["title"], c
    for c in AT_EVALS:
        e = _code(c)
        assert e["discipline"] == "AT" and "GP" not in e.get("modifiers", []), c
        assert "not PT" in e["title"], c
    for c in SLP_CODES:
        e = _code(c)
        assert e["discipline"] == "SLP", c
        assert "GN" in e["modifiers"] and "GP" not in e["modifiers"], c
        assert "not PT" in e["title"], c


def test_pt_therapy_codes_carry_gp() -> None:  # DMEPOS items (discipline DME) carry none
    for e in _entries():
        if _is_modifier(e) or e.get("status") == "deleted":
            continue
        if e.get("discipline", "PT") in ("PT", "any"):
            assert "GP" in e.get("modifiers", []), e["code"]


def test_supervised_modalities_are_untimed_and_supervised() -> None:
    for c in [*SUPERVISED_MODALITIES, "G0283"]:
        e = _code(c)
        assert e["category"] == "supervised_modality", c
        assert e["timed"] is False and e["attendance"] == "supervised", c


def test_constant_attendance_modalities_are_timed_in_15_minute_units() -> None:
    for c in CONSTANT_MODALITIES:
        e = _code(c)
        assert e["category"] == "constant_attendance_modality", c
        assert e["timed"] is True and e["unit_minutes"] == 15, c
        assert e["attendance"] == "constant", c


def test_timed_procedures_are_15_minute_one_on_one() -> None:
    for c in TIMED_15_ONE_ON_ONE:
        e = _code(c)
        assert e["timed"] is True and e["unit_minutes"] == 15, c
        assert e["attendance"] == "constant", c


def test_untimed_codes_are_untimed() -> None:
    for c in UNTIMED:
        assert _code(c)["timed"] is False, c


def test_97010_and_97602_are_bundled_by_medicare() -> None:
    e = _code("97010")
    assert e["timed"] is False and e["attendance"] == "supervised"
    for c in ("97010", "97602"):
        e = _code(c)
        assert e["medicare_status"] == "B", c
        bundled = [n for n in _notes(e)
                   if n.get("payer") == "Medicare" and "never paid" in n["text"]]
        assert bundled and all(n["confidence"] == "H" for n in bundled), c
        assert all(n["source"] == "pfs-rvu-2026" for n in bundled), c


def test_unattended_estim_sends_medicare_to_g0283() -> None:
    e = _code("97014")
    assert e.get("not_medicare") is True
    assert any("G0283" in n["text"] and n.get("payer") == "Medicare" for n in _notes(e))
    assert "G0283" in e["description"]
    g = _code("G0283")
    assert g["system"] == "hcpcs" and not g.get("not_medicare")
    for a, b in [("97032", "97014"), ("97014", "G0283"), ("97032", "G0283")]:
        assert b in _code(a)["related"] and a in _code(b)["related"], (a, b)
    for c in ("97032", "97014", "G0283"):
        assert any("attended" in n["text"] for n in _notes(_code(c))), c


def test_97150_group_is_untimed_and_outside_the_timed_total() -> None:
    e = _code("97150")
    assert e["timed"] is False and "unit_minutes" not in e
    assert any("do not count" in n["text"] for n in _notes(e))


def test_orthotic_initial_and_subsequent_encounters() -> None:
    initial, prosthetic, later = _code("97760"), _code("97761"), _code("97763")
    assert "initial" in initial["title"].lower()
    assert "initial" in prosthetic["title"].lower()
    assert "subsequent" in later["title"].lower()
    assert "97763" in initial["description"]
    group = ["97760", "97761", "97763"]
    for c in group:
        assert set(group) - {c} <= set(_code(c)["related"]), c


def test_deleted_codes_and_their_replacements() -> None:
    old_cog = _code("97127")
    assert old_cog["status"] == "deleted" and old_cog["deleted_year"] == 2020
    assert old_cog["replaced_by"] == ["97129", "97130"]
    old_ortho = _code("97762")
    assert old_ortho["status"] == "deleted" and old_ortho["deleted_year"] == 2018
    assert old_ortho["replaced_by"] == ["97763"]


def test_addon_codes_name_their_primary() -> None:
    expected = {"97130": ["97129"], "97551": ["97550"], "97546": ["97545"],
                "97598": ["97597"], "98981": ["98980"], "90913": ["90912"],
                "97811": ["97810"], "97814": ["97813"], "G0540": ["G0539"],
                "G0542": ["G0541"]}
    actual = {e["code"]: e["addon_to"] for e in _entries() if e.get("addon_to")}
    assert actual == expected
    for addon, (primary,) in expected.items():
        assert addon in _code(primary)["related"] and primary in _code(addon)["related"]


def test_caregiver_training_units() -> None:
    first = _code("97550")
    assert first["timed"] is True and first["first_unit_minutes"] == 30
    assert _code("97551")["unit_minutes"] == 15
    for c in ("97550", "97551", "97552"):
        assert {"97550", "97551", "97552"} - {c} <= set(_code(c)["related"]), c


def test_work_hardening_is_hours_and_not_paid_by_medicare() -> None:
    first, more = _code("97545"), _code("97546")
    assert first["first_unit_minutes"] == 120 and more["unit_minutes"] == 60
    for e in (first, more):
        assert e.get("not_medicare") is True, e["code"]
        medicare = [n for n in _notes(e) if n.get("payer") == "Medicare"]
        assert medicare and not any(_is_low(n["confidence"]) for n in medicare), e["code"]
        assert all(n["source"] == "pfs-rvu-2026" for n in medicare), e["code"]


def test_physical_performance_test_is_no_evaluation() -> None:
    e = _code("97750")
    assert e["category"] == "tests_measurements"
    assert any("substitute" in n["text"] for n in _notes(e) if n["kind"] == "pitfall")


def test_wound_and_needling_payer_rules() -> None:
    for c in ("G0281", "G0329"):
        assert any("30 days" in n["text"] for n in _notes(_code(c))), c
    for c in ("20560", "20561"):
        assert any("low back pain" in n["text"] for n in _notes(_code(c))), c


def test_remote_care_codes_are_untimed_bands() -> None:
    bands = {"98966": "5 to 10", "98967": "11 to 20", "98968": "21 to 30",
             "98970": "5 to 10", "98971": "11 to 20", "98972": "21 or more",
             "G2251": "5 to 10"}
    for c in SECTION_5:
        e = _code(c)
        assert e["category"] == "remote_virtual_care" and e["timed"] is False, c
    for c, band in bands.items():
        assert band in _code(c)["description"], c
        assert any("Not 15-minute units" in n["text"] for n in _notes(_code(c))), c
    for c in ("98979", "98980", "98981"):
        e = _code(c)
        assert "month" in e["description"], c
        assert any("per calendar month" in n["text"] for n in _notes(e)), c
    assert "live" in _code("98980")["description"]
    for c in RTM_DEVICE:
        assert any("same 30-day period" in n["text"] for n in _notes(_code(c))), c
    for c in RTM:
        assert set(RTM) - {c} <= set(_code(c)["related"]), c


def test_strapping_codes_are_linked_and_found_by_taping_words() -> None:
    for c in STRAPPING_REGIONS:
        e = _code(c)
        assert e["timed"] is False
        assert set(STRAPPING_REGIONS) - {c} <= set(e["related"]), c
        assert {"kt", "kinesio tape"} <= _terms(e), c


def test_modifier_facts() -> None:
    kx = [n["text"] for n in _notes(_code("KX")) if n.get("payer") == "Medicare"]
    for year, amount in (("2024", "$2,330"), ("2025", "$2,410"), ("2026", "$2,480")):
        year_notes = [t for t in kx if t.startswith(year)]
        assert len(year_notes) == 1 and amount in year_notes[0], year
    assert any("$3,000" in t and "review" in t for t in kx)
    for m in ("CQ", "CO"):
        text = " ".join(n["text"] for n in _notes(_code(m)))
        assert "85%" in text and "10%" in text, m
    for m in ("95", "93"):
        tele = [n for n in _notes(_code(m)) if n.get("payer") == "Medicare"]
        assert any("2027" in n["text"] and n["source"] == "caa-2026-telehealth" for n in tele)
        assert any(n["source"] in ("telehealth-list-2026", "pfs-2025-final")
                   and "97140" in n["text"] for n in tele)
    for m in ("52", "76"):
        e = _code(m)
        assert e["confidence"] == "L" and e.get("verify") is True, m
        assert "rarely right for pt" in _all_text(e).lower(), m


def test_codes_in_modifier_pairs_list_the_distinct_service_modifiers() -> None:
    for p in _ncci()["pair"]:
        if p["indicator"] == 1:
            for col in ("column1", "column2"):
                listed = _code(p[col]).get("modifiers", [])
                assert set(NCCI_X) <= set(listed), (p[col], listed)


# --- words clinicians type -------------------------------------------------------------------
def test_search_terms_find_their_codes() -> None:
    missing = [(term, c) for term, codes in SEARCH_TERMS.items()
               for c in codes if term.casefold() not in _terms(_code(c))]
    assert not missing


def test_unambiguous_shorthand_points_only_to_its_codes() -> None:
    for term in EXCLUSIVE_TERMS:
        carriers = {e["code"] for e in _entries() if term.casefold() in _terms(e)}
        assert carriers == set(SEARCH_TERMS[term]), term


# --- our own words ---------------------------------------------------------------------------
def test_descriptions_are_not_copies_of_ama_descriptors() -> None:
    hits = []
    for e in _entries():
        for field in ("title", "description"):
            text = e[field].casefold()
            hits += [(e["code"], field, p) for p in AMA_DESCRIPTOR_PHRASES if p.casefold() in text]
    assert not hits


def test_descriptions_are_short_and_say_more_than_the_title() -> None:
    for e in _entries():
        title, desc = e["title"].strip(), e["description"].strip()
        assert title and len(title) <= 90, e["code"]
        assert desc.casefold() != title.casefold(), e["code"]
        assert 40 <= len(desc) <= 400, (e["code"], len(desc))
        assert len(re.findall(r"[.!?](?:\s|$)", desc)) <= 3, e["code"]


def test_low_confidence_content_says_verify() -> None:
    for e in _entries():
        if _is_low(e["confidence"]):
            assert e.get("verify") is True, e["code"]
        for n in _notes(e):
            if _is_low(n["confidence"]):
                assert "verify" in n["text"].lower(), (e["code"], n["text"])
    for p in _ncci()["pair"]:
        if _is_low(p["confidence"]):
            assert "verify" in p["note"].lower(), p


# --- ncci.toml -------------------------------------------------------------------------------
def test_ncci_pairs_are_well_formed_and_dated() -> None:
    data = _ncci()
    dt.date.fromisoformat(data["as_of"])
    seen = set()
    for p in data["pair"]:
        assert isinstance(p["column1"], str) and isinstance(p["column2"], str)
        assert p["column1"] != p["column2"]
        assert p["indicator"] in (0, 1, 9)
        assert p["confidence"] in CONFIDENCES
        assert isinstance(p.get("note", ""), str)
        for key in ("as_of", "effective", "deleted"):
            if key in p:
                dt.date.fromisoformat(p[key])
        pair = (p["column1"], p["column2"])
        assert pair not in seen, pair
        seen.add(pair)


def test_ncci_pairs_of_facts_sections_6_9_and_11() -> None:
    pairs = {(p["column1"], p["column2"]): p for p in _ncci()["pair"]}
    expected: dict[tuple[str, str], tuple[int, str, str]] = {
        ("97140", "97530"): (1, "M-H", "mln-modifier-59"),
        ("97124", "97140"): (1, "L", "ncci-ptp-practitioner"),  # section 11: unverified
        ("97597", "97602"): (1, "M", "ncci-ptp-practitioner"),
        ("97597", "97022"): (1, "M", "ncci-ptp-practitioner"),
        ("97760", "97763"): (0, "M", "cpt-2026"),
        ("97761", "97763"): (0, "M", "cpt-2026"),
        ("97530", "97116"): (1, "M-H", "ncci-ptp-practitioner"),  # section 11: a real pair
        ("20561", "20560"): (0, "M", "cpt-2020"),
        ("97606", "97605"): (1, "M", "cpt-2026"),
        ("97608", "97607"): (1, "M", "cpt-2026"),
    }
    for c1 in ("20552", "20553"):
        for c2 in ("20560", "20561"):
            expected[(c1, c2)] = (1, "M", "cpt-2020")
    for c2 in ("97110", "97112", "97116"):
        expected[("97150", c2)] = (1, "M", "ncci-ptp-practitioner")
    for c2 in ("97140", "97530", "97535", "97542"):  # section 11: still unverified
        expected[("97150", c2)] = (1, "L", "ncci-ptp-practitioner")
    for c1 in ("97110", "97112", "97113", "97116", "97140", "97530", "97150"):
        expected[(c1, "97164")] = (1, "M-H", "apta-ncci-2020")  # the modifier on 97164
    for ev in EVALS:
        expected[(ev, "97140")] = (1, "M", "ncci-ptp-practitioner")
    for c1 in [*EVALS, "97164", "97750"]:
        for c2 in [*MMT, "95851", "95852"]:
            expected[(c1, c2)] = (1, "M", "ncci-policy-ch11")
    for ev in EVALS:  # unverified: shown as "verify", never as an error
        expected[(ev, "97750")] = (1, "L", "ncci-ptp-practitioner")
    assert set(pairs) == set(expected)
    for key, (indicator, confidence, source) in expected.items():
        p = pairs[key]
        assert (p["indicator"], p["confidence"], p["source"]) == (indicator, confidence, source), (
            key
        )
    assert "example 9" in pairs[("97140", "97530")]["note"]
    unverified = [(ev, "97750") for ev in EVALS] + [("97124", "97140")] + [
        ("97150", c2) for c2 in ("97140", "97530", "97535", "97542")]
    for key in unverified:
        assert "verify" in pairs[key]["note"], key
    assert "verify" not in pairs[("97530", "97116")]["note"]
    assert "on 97116" in pairs[("97530", "97116")]["note"]
    assert all(pairs[(c1, "97164")]["effective"] == "2020-10-01"
               for c1 in ("97110", "97112", "97113", "97116", "97140", "97530", "97150"))


# --- section 9: corrections and additions ----------------------------------------------------
def test_dry_needling_by_a_pt_is_not_payable_by_medicare() -> None:
    for c in ("20560", "20561"):
        e = _code(c)
        assert e.get("not_medicare") is True, c
        assert {"GX", "GY"} <= set(e["modifiers"]), c
        medicare = [n for n in _notes(e) if n.get("payer") == "Medicare"]
        ncd = [n for n in medicare if n["source"] == "ncd-30.3.3"]
        assert ncd and "not payable" in ncd[0]["text"].lower(), c
        assert "ABN" in ncd[0]["text"] and "low back pain" in ncd[0]["text"], c
        # the old line implied Medicare pays a PT for chronic low back pain: gone everywhere
        assert not any("covers dry needling only as acupuncture" in n["text"] for n in medicare)


def test_g0281_and_g0329_name_the_closed_list_of_ulcers() -> None:
    for c in ("G0281", "G0329"):
        text = " ".join(n["text"] for n in _notes(_code(c)) if n["source"] == "ncd-270.1")
        for kind in ("stage III or IV pressure", "arterial", "diabetic", "venous stasis",
                     "30 days"):
            assert kind in text, (c, kind)
        assert "for example" not in _code(c)["description"], c


def test_97610_is_per_day() -> None:
    e = _code("97610")
    assert "per day" in e["description"] and "per session" not in e["description"]
    assert any("Per day" in n["text"] for n in _notes(e))


def test_only_codes_on_the_telehealth_list_list_95_and_93() -> None:
    for e in _entries():
        if _is_modifier(e) or e.get("discipline", "PT") not in ("PT", "any"):
            continue
        listed = {"95", "93"} & set(e.get("modifiers", []))
        if listed:
            assert e["code"] in TELEHEALTH_PT, (e["code"], listed)
    for c in ("97140", "20560", "20561", *STRAPPING_REGIONS):
        notes = [n for n in _notes(_code(c)) if "telehealth list" in n["text"]]
        assert notes, c
    tele = " ".join(n["text"] for n in _notes(_code("95")))
    for c in sorted(TELEHEALTH_PT - {"97161", "97162", "97163", "97164"}):
        assert c in tele, c
    assert "97161-97164" in tele
    on_list = tele.split("CY2026 list:", 1)[1].split(".", 1)[0]
    assert all(c not in on_list for c in ("97140", "G0283", "97035"))
    for c in NOT_TELEHEALTH:
        assert "95" not in _code(c).get("modifiers", []), c


def test_new_codes_of_section_9() -> None:
    for c in MMT:
        e = _code(c)
        assert e["category"] == "tests_measurements" and e["timed"] is False, c
        assert any(n["source"] == "ncci-policy-ch11" and "97750" in n["text"]
                   for n in _notes(e)), c
    for c in ("97607", "97608"):
        assert _code(c)["category"] == "wound_care" and "disposable" in _code(c)["title"], c
    for c, band in (("98976", "respiratory"), ("98978", "cognitive behavioral")):
        e = _code(c)
        assert "16-30 days" in e["title"] and band in e["title"], c
    for c in ("29581", "29584"):
        assert _code(c)["timed"] is False and "lymphedema" in _terms(_code(c)), c
    first, more = _code("90912"), _code("90913")
    assert first["timed"] is True and first["unit_minutes"] == 15 and more["unit_minutes"] == 15
    assert first["source"] == "cpt-2024" and "New in 2024" in _all_text(first)
    for c in ACUPUNCTURE:
        e = _code(c)
        assert e["discipline"] == "acupuncture" and "not PT" in e["title"], c
        assert e["timed"] is True and "GP" not in e.get("modifiers", []), c
        assert any(n["source"] == "ncd-30.3.3" for n in _notes(e)), c


def test_orthotic_l_codes_are_dmepos_items_with_a_side() -> None:
    for c in ORTHOTIC_L_CODES:
        e = _code(c)
        assert e["system"] == "hcpcs" and e["category"] == "orthotics_prosthetics", c
        assert e["discipline"] == "DME" and "GP" not in e.get("modifiers", []), c
        assert any(n["source"] == "dmepos-supplier" and "DMEPOS supplier number" in n["text"]
                   for n in _notes(e)), c
    for c in LIMB_L_CODES:
        assert {"RT", "LT"} <= set(_code(c)["modifiers"]), c


def test_deleted_codes_people_still_type() -> None:
    for old, year in (("97001", 2017), ("97002", 2017), ("97003", 2017), ("97004", 2017),
                      ("97532", 2018), ("G0515", 2020)):
        assert _code(old)["deleted_year"] == year, old
    for old in ("97003", "97004"):
        assert _code(old)["discipline"] == "OT" and "not PT" in _code(old)["title"], old
    for c in FUNCTIONAL_G_CODES:
        e = _code(c)
        assert e["status"] == "deleted" and e["deleted_year"] == 2019, c
        assert e["source"] == "pfs-2019-final", c


def test_new_modifiers_of_section_9() -> None:
    for m in SECTION_9_MODIFIERS:
        assert _code(m)["system"] == "modifier", m
    abn = {m: _all_text(_code(m)) for m in ("GA", "GX", "GY", "GZ")}
    assert "ABN" in abn["GA"] and "no ABN" in abn["GZ"].replace("no Advance", "no ABN")
    assert "never covers" in abn["GX"] and "not a Medicare benefit" in abn["GY"]
    assert all(any(n["source"] == "cms-100-04-ch30" for n in _notes(_code(m))) for m in abn)
    assert "critical access hospital method II" in _all_text(_code("GT"))
    assert "audio-only" in _all_text(_code("FQ"))
    assert "another provider" in _code("77")["title"]
    assert _code("RT")["related"] == ["LT"] and _code("LT")["related"] == ["RT"]


def test_section_9_visit_facts_are_in_the_notes() -> None:
    gp = _notes(_code("GP"))
    assert any(n["source"] == "cms-100-04-ch5-10.7" and "50%" in n["text"] for n in gp)
    assert any(n["source"] == "pfs-2025-final" and "general supervision" in n["text"]
               for n in _notes(_code("CQ")))
    assert any("98980" in n["text"] and not _is_low(n["confidence"])
               for n in _notes(_code("98979")))
    for c in ("97760", "97761"):
        assert any("97763" in n["text"] and "same day" in n["text"] for n in _notes(_code(c)))


# --- what a clinic sees: every source is a public document ----------------------------------
def _internal_hits(text: str) -> list[str]:
    return [m.group(0) for m in INTERNAL_SOURCE.finditer(text)]


def test_built_catalog_cites_no_internal_sheet(tmp_path: Path) -> None:
    import sqlite3

    from ptcodes_gui.catalog import open_catalog
    from ptcodes_gui.catalog.build import build_catalog

    out = tmp_path / "catalog.sqlite"
    build_catalog(out, include_icd=False)
    with sqlite3.connect(out) as conn:
        rows = [" ".join(map(str, r)) for r in conn.execute("SELECT * FROM codes")]
        rows += [" ".join(map(str, r)) for r in conn.execute("SELECT * FROM ncci")]
        rows += [str(v) for (v,) in conn.execute("SELECT value FROM meta WHERE key='sources'")]
    assert len(rows) > 200 and not [r[:60] for r in rows if _internal_hits(r)]
    catalog = open_catalog(out)
    try:
        for entry in _entries():
            code = catalog.get(entry["code"])
            assert code is not None, entry["code"]
            for fact in (*code.sources, *code.notes):
                assert fact.source in SOURCES, (entry["code"], fact.source)
                assert fact.cited.citation == SOURCES[fact.source].citation
                assert fact.as_of, entry["code"]
            for pair in code.ncci:
                assert pair.cited.id == pair.source and pair.as_of, (pair.column1, pair.column2)
    finally:
        catalog.close()


def test_show_json_gives_public_sources(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from ptcodes_gui.catalog import open_catalog
    from ptcodes_gui.cli.main import code_json, main

    assert main(["show", "20560", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["not_medicare"] is True and data["not_pt"] is False
    fact = next(f for f in data["facts"] if f["source"]["id"] == "ncd-30.3.3")
    assert fact["source"]["label"] == "NCD 30.3.3" and "30.3.3" in fact["source"]["citation"]
    assert fact["confidence"] and fact["as_of"]
    assert all(set(s["source"]) >= {"id", "label", "citation"} for s in data["sources"])
    catalog = open_catalog()
    try:
        for entry in _entries():
            code = catalog.get(entry["code"])
            assert code is not None, f"{entry['code']}: rebuild the packaged catalog"
            text = json.dumps(code_json(code))
            assert not _internal_hits(text), (entry["code"], _internal_hits(text))
        pair = code_json(catalog.get("97530"))["ncci"]  # type: ignore[arg-type]
        assert any(p["source"]["id"] == "mln-modifier-59" for p in pair)
        g = code_json(catalog.get("G8978"))  # type: ignore[arg-type]
        assert g["status"] == "deleted" and g["replaced_by"] == []
        acu = code_json(catalog.get("97810"))  # type: ignore[arg-type]
        assert acu["not_pt"] is True and acu["discipline"] == "acupuncture"
    finally:
        catalog.close()


def test_hep_training_points_at_what_was_taught_not_97535() -> None:
    assert not {"hep", "hep training", "home exercise program"} & _terms(_code("97535"))
    assert {"hep", "hep training"} <= _terms(_code("97110"))
    assert any("97110" in n["text"] and "verify" in n["text"] for n in _notes(_code("97535")))


@pytest.mark.parametrize(
    ("file", "old", "expected"),
    [
        ("codes/therapeutic.toml", 'source = "mln-modifier-59"', "codes/therapeutic.toml line "),
        ("ncci.toml", 'source = "mln-modifier-59"', "ncci.toml line "),
    ],
)
def test_an_internal_source_fails_the_build_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], file: str, old: str, expected: str
) -> None:
    import shutil

    from ptcodes_gui.catalog.build import main as build_main

    res = tmp_path / "res"
    shutil.copytree(CATALOG, res)
    path = res / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, 'source = "facts §6"', 1), encoding="utf-8")
    out = tmp_path / "catalog.sqlite"
    assert build_main([str(out), "--resources", str(res), "--no-icd"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and expected in err and "'facts §6'" in err
    line = int(err.split(" line ", 1)[1].split(":", 1)[0].split(" ", 1)[0])
    assert "facts §6" in path.read_text(encoding="utf-8").splitlines()[line - 1]
    assert not out.exists(), "a failed build leaves no catalog behind"
