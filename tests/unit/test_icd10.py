"""The ICD-10-CM parser against the real CMS tabular XML shipped by simple-icd-10-cm."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptcodes_gui.catalog import icd10
from ptcodes_gui.catalog.icd10 import IcdEntry, dotted, undotted

DIAG_KINDS = ("category", "subcategory", "code")


@pytest.fixture(scope="module")
def entries() -> list[IcdEntry]:
    started = time.perf_counter()
    parsed = icd10.parse_icd10cm()
    elapsed = time.perf_counter() - started
    kinds = Counter(e.kind for e in parsed)
    billable = sum(e.billable for e in parsed)
    print(
        f"\nparse_icd10cm: {elapsed:.2f} s, {len(parsed)} entries, {billable} billable, "
        f"{dict(kinds)}"
    )
    return parsed


@pytest.fixture(scope="module")
def by_code(entries: list[IcdEntry]) -> dict[str, IcdEntry]:
    return {e.code: e for e in entries}


def chain(by_code: dict[str, IcdEntry], code: str) -> list[str]:
    """``code`` and its ancestors, nearest first."""
    out = [code]
    while (parent := by_code[out[-1]].parent) is not None:
        out.append(parent)
    return out


# --------------------------------------------------------------------- the whole list


def test_billable_set_equals_the_cms_code_list(entries: list[IcdEntry]) -> None:
    ours = {e.code for e in entries if e.billable}
    theirs = icd10.load_billable_code_list()
    print(f"\nbillable codes: {len(ours)} (CMS code list: {len(theirs)})")
    assert len(theirs) > 70_000
    assert not ours - theirs, f"not in the CMS list: {sorted(ours - theirs)[:20]}"
    assert not theirs - ours, f"missing: {sorted(theirs - ours)[:20]}"


def test_every_item_of_the_cms_list_is_an_entry(entries: list[IcdEntry]) -> None:
    # The CMS list holds every item (chapters as numbers, blocks, headers): same total,
    # and every diagnosis code of it is one of ours.
    lines = icd10.default_code_list_path().read_text(encoding="utf-8").split()
    ours = {undotted(e.code) for e in entries if e.kind in DIAG_KINDS}
    diag_lines = {line for line in lines if line[0].isalpha() and "-" not in line}
    assert len(lines) == len(entries)
    assert diag_lines == ours


def test_codes_are_unique_even_undotted(entries: list[IcdEntry]) -> None:
    codes = Counter(e.code for e in entries)
    assert [c for c, n in codes.items() if n > 1] == []
    ucodes = Counter(undotted(e.code) for e in entries)
    assert [c for c, n in ucodes.items() if n > 1] == []


def test_tree_is_consistent(entries: list[IcdEntry], by_code: dict[str, IcdEntry]) -> None:
    for index, e in enumerate(entries):
        assert e.order == index
        assert e.title, e.code
        if e.kind == "chapter":
            assert (e.parent, e.depth, e.chapter) == (None, 0, e.code)
            continue
        assert e.parent is not None
        parent = by_code[e.parent]
        assert parent.order < e.order
        assert e.depth == parent.depth + 1
        assert e.chapter == parent.chapter
        assert not parent.billable, f"{e.code} under billable {parent.code}"
        expected_parent_kind = {
            "block": ("chapter",),
            "category": ("block",),
            "subcategory": ("category", "subcategory"),
            "code": ("category", "subcategory"),
        }[e.kind]
        assert parent.kind in expected_parent_kind, e.code


def test_kinds_and_billable_agree(entries: list[IcdEntry]) -> None:
    parents = {e.parent for e in entries}
    for e in entries:
        if e.kind in ("chapter", "block", "subcategory"):
            assert not e.billable, e.code
        elif e.kind == "code":
            assert e.billable, e.code
        # billable exactly when nothing hangs below
        if e.kind != "block":
            assert e.billable == (e.code not in parents), e.code


def test_chapters(entries: list[IcdEntry], by_code: dict[str, IcdEntry]) -> None:
    chapters = [e.code for e in entries if e.kind == "chapter"]
    assert chapters == [f"CH{n:02d}" for n in range(1, 23)]
    assert "musculoskeletal" in by_code["CH13"].title.lower()


def test_every_diagnosis_code_is_in_canonical_dotted_form(entries: list[IcdEntry]) -> None:
    for e in entries:
        if e.kind in DIAG_KINDS:
            assert dotted(undotted(e.code)) == e.code
            assert dotted(e.code.lower()) == e.code
        else:  # chapters and blocks pass through the helpers untouched
            assert dotted(e.code) == e.code == undotted(e.code)


# --------------------------------------------------------------------- known codes


def test_low_back_pain(by_code: dict[str, IcdEntry]) -> None:
    code = by_code["M54.50"]
    assert code.billable and code.kind == "code"
    assert code.title == "Low back pain, unspecified"
    assert chain(by_code, "M54.50") == ["M54.50", "M54.5", "M54", "M50-M54", "CH13"]
    assert [by_code[c].kind for c in chain(by_code, "M54.50")] == [
        "code",
        "subcategory",
        "category",
        "block",
        "chapter",
    ]
    header = by_code["M54.5"]
    assert not header.billable and header.kind == "subcategory"
    assert not by_code["M54"].billable


def test_excludes1_written_on_low_back_pain(by_code: dict[str, IcdEntry]) -> None:
    own = [text for kind, text in by_code["M54.5"].notes if kind == "excludes1"]
    assert "low back strain (S39.012)" in own
    # notes are not copied down: the leaf carries only what is written on it
    leaf = by_code["M54.50"].notes
    assert not any(kind == "excludes1" for kind, _ in leaf)
    assert ("inclusionTerm", "Lumbago NOS") in leaf


def test_knee_pain(by_code: dict[str, IcdEntry]) -> None:
    knee = by_code["M25.561"]
    assert knee.billable
    assert knee.title == "Pain in right knee"
    assert knee.chapter == "CH13"


def test_seventh_character_extension(by_code: dict[str, IcdEntry]) -> None:
    acl = by_code["S83.511A"]
    assert acl.billable and acl.kind == "code"
    assert acl.parent == "S83.511"
    assert acl.title == "Sprain of anterior cruciate ligament of right knee, initial encounter"
    assert acl.notes == ()
    leaf = by_code["S83.511"]
    assert not leaf.billable and leaf.kind == "subcategory"
    assert {"S83.511D", "S83.511S"} <= by_code.keys()
    assert "S83.511" not in {c for c, e in by_code.items() if e.billable}


def test_x_placeholder(by_code: dict[str, IcdEntry]) -> None:
    sprain = by_code["S33.5XXA"]
    assert sprain.billable and sprain.parent == "S33.5"
    assert sprain.title == "Sprain of ligaments of lumbar spine, initial encounter"
    assert not by_code["S33.5"].billable
    # a 3-character category padded to six: T07 -> T07.XXXA
    assert by_code["T07.XXXA"].parent == "T07"
    assert by_code["T07"].kind == "category" and not by_code["T07"].billable


def test_seven_chr_def_rendered_where_written(by_code: dict[str, IcdEntry]) -> None:
    definition = [text for kind, text in by_code["S33"].notes if kind == "sevenChrDef"]
    assert definition == ["A: initial encounter", "D: subsequent encounter", "S: sequela"]
    # a <note> inside sevenChrDef qualifies the extension before it
    fracture = [text for kind, text in by_code["S52"].notes if kind == "sevenChrDef"]
    assert (
        "B: initial encounter for open fracture type I or II "
        "(includes: initial encounter for open fracture NOS)"
    ) in fracture
    assert by_code["S52.501B"].title.endswith(", initial encounter for open fracture type I or II")


def test_s06_death_codes_take_only_initial_encounter(by_code: dict[str, IcdEntry]) -> None:
    assert "S06.1X7A" in by_code
    assert "S06.1X7D" not in by_code and "S06.1X8S" not in by_code
    assert {"S06.1X6A", "S06.1X6D", "S06.1X6S"} <= by_code.keys()


def test_billable_three_character_category(by_code: dict[str, IcdEntry]) -> None:
    hypertension = by_code["I10"]
    assert hypertension.kind == "category" and hypertension.billable


def test_single_category_block_does_not_collide(by_code: dict[str, IcdEntry]) -> None:
    assert by_code["M04-M04"].kind == "block"
    assert by_code["M04"].kind == "category" and by_code["M04"].parent == "M04-M04"
    # a genetic category with a letter in second place (new in FY2026)
    assert by_code["QA0"].parent == "QA0-QA0"
    assert dotted("qa00101") == "QA0.0101" and "QA0.0101" in by_code


def test_heading_blocks_are_kept_childless(
    entries: list[IcdEntry], by_code: dict[str, IcdEntry]
) -> None:
    parents = {e.parent for e in entries}
    assert by_code["M40-M54"].kind == "block"
    assert "M40-M54" not in parents


# --------------------------------------------------------------------- dotted / undotted


@pytest.mark.parametrize(
    ("raw", "expected_dotted", "expected_undotted"),
    [
        ("m5450", "M54.50", "M5450"),
        (" M54.50 ", "M54.50", "M5450"),
        ("m54", "M54", "M54"),
        ("s335xxa", "S33.5XXA", "S335XXA"),
        ("M50-M54", "M50-M54", "M50-M54"),
        ("CH13", "CH13", "CH13"),
        ("back pain", "back pain", "back pain"),
        ("", "", ""),
    ],
)
def test_dotted_undotted_examples(raw: str, expected_dotted: str, expected_undotted: str) -> None:
    assert dotted(raw) == expected_dotted
    assert undotted(raw) == expected_undotted


@given(st.text())
def test_helpers_are_total_and_idempotent(text: str) -> None:
    d, u = dotted(text), undotted(text)
    assert isinstance(d, str) and isinstance(u, str)
    assert dotted(d) == d
    assert undotted(u) == u
    assert undotted(d) == u


CODE_SHAPES = st.from_regex(
    r"\A[A-Za-z][0-9][0-9A-Za-z]\.?[0-9A-Za-z]{0,4}\Z", fullmatch=True
).filter(lambda c: not c.endswith("."))


@given(CODE_SHAPES)
def test_round_trip_on_code_shapes(code: str) -> None:
    u = undotted(code)
    d = dotted(code)
    assert "." not in u and u == u.upper()
    assert undotted(d) == u
    assert dotted(u) == d
    assert ("." in d) == (len(u) > 3)
    assert d.replace(".", "") == u


# --------------------------------------------------------------------- files and release


def test_release_label_from_the_shipped_file() -> None:
    assert icd10.release_label(icd10.default_xml_path()) == icd10.ICD10_RELEASE
    assert icd10.ICD10_RELEASE.startswith("ICD-10-CM ")
    assert "unknown" not in icd10.ICD10_RELEASE


def test_release_label_from_file_names(tmp_path: Path) -> None:
    april = tmp_path / "icd10c-tabular-April-1-2026.xml"
    april.write_text("<ICD10CM.tabular><version>2026</version></ICD10CM.tabular>")
    assert icd10.release_label(april) == "ICD-10-CM April 1, 2026 (FY2026 update)"
    october = tmp_path / "icd10c-tabular-October-1-2026.xml"
    october.write_text("<ICD10CM.tabular></ICD10CM.tabular>")  # no <version>: derived
    assert icd10.release_label(october) == "ICD-10-CM October 1, 2026 (FY2027)"


def test_finding_the_files_does_not_import_the_slow_package() -> None:
    # simple_icd_10_cm builds its whole tree at import (~4 s); we only want its files.
    script = (
        "import sys\n"
        "from ptcodes_gui.catalog import icd10\n"
        "assert icd10.default_xml_path().is_file()\n"
        "assert icd10.default_code_list_path().is_file()\n"
        "assert 'simple_icd_10_cm' not in sys.modules\n"
    )
    subprocess.run(
        [sys.executable, "-c", script], check=True, cwd=Path(__file__).parents[2], timeout=60
    )


def test_billable_code_list_format(tmp_path: Path) -> None:
    listing = tmp_path / "code-list.txt"
    # chapter number, block, a single-category block listed twice, codes with and without titles
    listing.write_text(
        "13\nM50-M54\nM54\nM545\nM5450 Low back pain, unspecified\nM04\nM04\nM040\n\nI10\n",
        encoding="utf-8",
    )
    assert icd10.load_billable_code_list(listing) == {"M54.50", "M04.0", "I10"}


# --------------------------------------------------------------------- rules on a small file

SMALL_XML = textwrap.dedent(
    """\
    <?xml version="1.0" encoding="utf-8"?>
    <ICD10CM.tabular>
      <version>2026</version>
      <chapter>
        <name>19</name>
        <desc>Injury (S00-T88)</desc>
        <section id="S00-S09"><desc>Injuries to the head (S00-S09)</desc>
          <diag>
            <name>S06</name>
            <desc>Intracranial injury</desc>
            <sevenChrDef>
              <extension char="A">initial encounter</extension>
              <extension char="D">subsequent encounter</extension>
              <extension char="S">sequela</extension>
            </sevenChrDef>
            <diag><name>S06.1</name><desc>Traumatic cerebral edema</desc>
              <diag placeholder="true"><name>S06.1X</name><desc>Traumatic cerebral edema</desc>
                <diag><name>S06.1X0</name><desc>Edema without LOC</desc></diag>
                <diag><name>S06.1X7</name><desc>Edema with death</desc></diag>
              </diag>
            </diag>
            <diag><name>S06.9</name><desc>Unspecified</desc>
              <excludes1><note>something (X00)</note></excludes1>
              <sevenChrDef>
                <extension char="A">first</extension>
                <note>qualifier</note>
              </sevenChrDef>
            </diag>
          </diag>
        </section>
        <section id="T07"><desc>Unspecified multiple injuries (T07)</desc>
          <diag><name>T07</name><desc>Unspecified multiple injuries</desc></diag>
        </section>
      </chapter>
    </ICD10CM.tabular>
    """
)


def test_rules_on_a_small_file(tmp_path: Path) -> None:
    path = tmp_path / "icd10c-tabular-April-1-2026.xml"
    path.write_text(SMALL_XML, encoding="utf-8")
    parsed = {e.code: e for e in icd10.parse_icd10cm(path)}
    assert list(parsed) == [
        "CH19",
        "S00-S09",
        "S06",
        "S06.1",
        "S06.1X",
        "S06.1X0",
        "S06.1X0A",
        "S06.1X0D",
        "S06.1X0S",
        "S06.1X7",
        "S06.1X7A",  # D and S do not apply to 6th character 7
        "S06.9",
        "S06.9XXA",  # the nearest sevenChrDef wins
        "T07-T07",
        "T07",
    ]
    assert parsed["S06.1X0D"].title == "Edema without LOC, subsequent encounter"
    assert parsed["S06.9XXA"].title == "Unspecified, first"
    assert parsed["S06.9"].notes == (
        ("excludes1", "something (X00)"),
        ("sevenChrDef", "A: first (includes: qualifier)"),
    )
    assert parsed["T07"].billable and parsed["T07"].parent == "T07-T07"
    assert [c for c, e in parsed.items() if e.billable] == [
        "S06.1X0A",
        "S06.1X0D",
        "S06.1X0S",
        "S06.1X7A",
        "S06.9XXA",
        "T07",
    ]
