"""ICD-10-CM conventions on the visit: Excludes1 pairs, the 7th character in rehab, an
unspecified side. In-memory codes first (the notes and titles as the catalog serves them),
then the shipped catalog through ``ptcodes visit --format json``, then an imported release."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
from rulekit import CODES, L, ev, ids, only, visit

from ptcodes_gui.catalog.repository import open_catalog
from ptcodes_gui.catalog.schema import packaged_catalog_path
from ptcodes_gui.cli.main import main
from ptcodes_gui.domain.models import Code, IcdNote
from ptcodes_gui.domain.rules.icd_conventions import CodeRef, note_refs
from ptcodes_gui.domain.visit import MappingLookup, Visit, VisitLine, evaluate
from ptcodes_gui.releases import icd_build as rel

RULES = ("excludes1-pair", "initial-encounter-in-rehab", "unspecified-laterality")
SEVENTH = tuple(
    IcdNote("sevenChrDef", text, "S46")
    for text in ("A: initial encounter", "D: subsequent encounter", "S: sequela")
)


def dx(code: str, title: str, *, parents: tuple[tuple[str, str], ...] = (),
       children: tuple[tuple[str, str], ...] = (), notes: tuple[IcdNote, ...] = (),
       billable: bool = True) -> Code:
    return Code(code=code, system="icd10cm", title=title, category="diagnosis",
                billable=billable, parents=parents, children=children, icd_notes=notes)


CUFF = ("M75.1", "Rotator cuff tear or rupture, not specified as traumatic")
STRAIN_LEFT = ("S46.012", "Strain of the rotator cuff of left shoulder")
KNEE = ("M25.56", "Pain in knee")
LOOKUP = MappingLookup([
    *CODES,
    dx("M75.122", "Complete rotator cuff tear of left shoulder, not specified as traumatic",
       parents=(("M75.12", "Complete rotator cuff tear"), CUFF),
       notes=(IcdNote("excludes1", "tear of rotator cuff, traumatic (S46.01-)", "M75.1"),
              IcdNote("excludes2", "shoulder-hand syndrome (M89.0-)", "M75"))),
    dx("M89.011", "Algoneurodystrophy, right shoulder"),
    *(dx(f"S46.012{c}", f"{STRAIN_LEFT[1]}, {t}", parents=(STRAIN_LEFT,), notes=SEVENTH)
      for c, t in (("A", "initial encounter"), ("D", "subsequent encounter"), ("S", "sequela"))),
    dx("S46.012", STRAIN_LEFT[1], billable=False, parents=(("S46.01", "Strain"),)),
    dx("M25.56", KNEE[1], billable=False, children=(
        ("M25.561", "Pain in right knee"), ("M25.562", "Pain in left knee"),
        ("M25.569", "Pain in unspecified knee"))),
    dx("M25.562", "Pain in left knee", parents=(KNEE,)),
    dx("M25.569", "Pain in unspecified knee", parents=(KNEE,)),
    dx("M25.5", "Pain in joint", billable=False,
       children=(("M25.50", "Pain in unspecified joint"),)),
    dx("M25.50", "Pain in unspecified joint", parents=(("M25.5", "Pain in joint"),)),
])


def _ev(*diagnoses: str, lines: tuple[VisitLine, ...] = (L("97110", 30),)) -> Any:
    return ev(visit(*lines, diagnoses=diagnoses), LOOKUP)


def _ours(result: Any) -> list[str]:
    return [i for i in ids(result) if i in RULES]


def test_note_references_are_codes_prefixes_and_ranges() -> None:
    assert note_refs("tear of rotator cuff, traumatic (S46.01-)") == (CodeRef("S4601", "S4601"),)
    assert note_refs("derangement of patella (M22.0-M22.3)") == (CodeRef("M220", "M223"),)
    assert note_refs("headache syndromes (G44.-)") == (CodeRef("G44", "G44"),)
    assert len(note_refs("prosthetic pain (T82.84, T83.84, T85.84-)")) == 3
    assert note_refs("compartment syndrome (traumatic) (T79.A-)") == (CodeRef("T79A", "T79A"),)
    infections = note_refs("infectious diseases (A00-B99)")[0]
    assert infections.covers("A0811") and infections.covers("B99") and not infections.covers("C01")
    patella = note_refs("(M22.0-M22.3)")[0]
    assert patella.covers("M222X1") and not patella.covers("M224")


def test_excludes1_pair_is_an_error_naming_both_codes_and_the_note() -> None:
    for order in (("M75.122", "S46.012D"), ("S46.012D", "M75.122")):
        error = only(_ev(*order), "excludes1-pair")
        assert error.severity == "error" and set(error.codes) == set(order)
        assert error.message.startswith("Diagnoses A and B: ")
        assert "tear of rotator cuff, traumatic (S46.01-)" in error.message
        assert "M75.1 (Rotator cuff tear or rupture, not specified as traumatic)" in error.message
        assert error.sources == ("icd10cm-guidelines-i-a-12",)
        assert "unrelated" in error.details


def test_excludes2_pair_and_unrelated_codes_pass() -> None:
    assert _ours(_ev("M75.122", "M89.011")) == []  # Excludes2: both may be coded
    assert _ours(_ev("M75.122", "M25.562")) == []


def test_initial_encounter_on_a_therapy_visit_offers_the_subsequent_code() -> None:
    warning = only(_ev("S46.012A"), "initial-encounter-in-rehab")
    assert warning.severity == "warning" and warning.codes == ("S46.012A",)
    assert warning.suggestions == ("S46.012D", "S46.012S")
    assert "use S46.012D (D: subsequent encounter)" in warning.message
    assert "S46.012S (S, sequela)" in warning.message


def test_subsequent_encounter_and_a_visit_without_therapy_pass() -> None:
    assert _ours(_ev("S46.012D")) == []
    assert _ours(_ev("S46.012S")) == []
    assert _ours(ev(Visit(diagnoses=("S46.012A",)), LOOKUP)) == []


def test_unspecified_side_offers_the_sides() -> None:
    warning = only(_ev("M25.569"), "unspecified-laterality")
    assert warning.suggestions == ("M25.561", "M25.562")
    assert "M25.561 (right) and M25.562 (left)" in warning.message


def test_specified_side_and_an_unspecified_site_pass() -> None:
    assert _ours(_ev("M25.562")) == []
    assert _ours(_ev("M25.50")) == []  # "unspecified joint" is no side


# --------------------------------------------------------------------------- shipped catalog


def _visit(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    assert main(["visit", *args, "--format", "json"]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return [w for w in data["warnings"] if w["id"] in RULES]


def test_the_shipped_catalog_cases(capsys: pytest.CaptureFixture[str]) -> None:
    [pair] = _visit(capsys, "--dx", "M75.122", "--dx", "S46.012D", "97110=30")
    assert pair["id"] == "excludes1-pair" and pair["severity"] == "error"
    assert pair["codes"] == ["M75.122", "S46.012D"] and "(S46.01-)" in pair["message"]
    assert pair["source"]["label"] == "ICD-10-CM Guidelines I.A.12.a"
    [lbp] = _visit(capsys, "--dx", "M54.50", "--dx", "S39.012D", "97110=30")
    assert "low back strain (S39.012)" in lbp["message"]
    [initial] = _visit(capsys, "--dx", "S83.511A", "97110=30")
    assert initial["suggestions"][0] == "S83.511D"
    [fracture] = _visit(capsys, "--dx", "S52.501B", "97110=30")  # open fracture: B -> E
    assert fracture["suggestions"][0] == "S52.501E"
    # M48.4's S is "sequela of fracture", not plain "sequela": offered all the same
    [vertebra] = _visit(capsys, "--dx", "M48.46XA", "97110=30")
    assert vertebra["suggestions"] == ["M48.46XD", "M48.46XS"]
    assert "M48.46XS (S, sequela) is for a condition the healed injury left" in (
        vertebra["message"])
    [side] = _visit(capsys, "--dx", "G56.00", "97110=30")
    assert side["suggestions"] == ["G56.01", "G56.02", "G56.03"]
    [extension] = _visit(capsys, "--dx", "S46.019D", "97110=30")
    assert extension["suggestions"] == ["S46.011D", "S46.012D"]


@pytest.mark.parametrize("dxs", [
    ("M25.561", "R26.2"),  # an Excludes2 pair (M25: difficulty in walking)
    ("S46.012D", "M25.512"),
    ("M17.11", "M17.12"),
    ("M54.50", "M62.81"),
    ("S83.511D",),
])
def test_no_false_positives_on_the_shipped_catalog(
    capsys: pytest.CaptureFixture[str], dxs: tuple[str, ...]
) -> None:
    args = [a for d in dxs for a in ("--dx", d)]
    assert _visit(capsys, *args, "97110=30") == []


# --------------------------------------------------------------------------- imported release

TABULAR = b"""<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.tabular><version>2027</version>
 <chapter><name>13</name><desc>Diseases of the musculoskeletal system</desc>
  <section id="M50-M54"><desc>Other dorsopathies (M50-M54)</desc>
   <diag><name>M54</name><desc>Dorsalgia</desc>
    <diag><name>M54.5</name><desc>Low back pain</desc>
     <excludes1><note>weakness of the back muscles (M62.81)</note></excludes1>
     <diag><name>M54.50</name><desc>Low back pain, unspecified</desc></diag>
    </diag>
   </diag>
  </section>
  <section id="M60-M63"><desc>Disorders of muscles (M60-M63)</desc>
   <diag><name>M62</name><desc>Other disorders of muscle</desc>
    <diag><name>M62.8</name><desc>Other specified disorders of muscle</desc>
     <diag><name>M62.81</name><desc>Muscle weakness (generalized)</desc></diag>
    </diag>
   </diag>
  </section>
 </chapter>
</ICD10CM.tabular>
"""


def test_an_imported_release_brings_its_own_excludes1_notes(tmp_path: Path) -> None:
    archive = tmp_path / "icd10cm-table-index-2027.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("icd10cm_tabular_2027.xml", TABULAR)
    conn = sqlite3.connect(packaged_catalog_path())
    try:
        release = rel.read_release([archive], skeleton=rel.skeleton_rows(conn))
    finally:
        conn.close()
    db = tmp_path / "release.sqlite"
    rel.write_release_db(release, db, {})
    catalog = open_catalog()
    both = Visit(lines=(VisitLine("97110", 30, dx_pointers=("A",)),),
                 diagnoses=("M54.50", "M62.81"))
    try:
        assert "excludes1-pair" not in ids(evaluate(both, catalog))  # shipped: no such note
        catalog.use_icd_release(db)
        error = only(evaluate(both, catalog), "excludes1-pair")
        assert "weakness of the back muscles (M62.81)" in error.message
    finally:
        catalog.close()
