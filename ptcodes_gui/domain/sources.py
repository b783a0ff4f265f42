"""The public documents every fact, pair and billing rule cites.

A clinic must be able to look a source up, so nothing cites an internal note: each entry
has a short ``label`` (shown in the window, e.g. "Pub. 100-04 ch. 5 §20.2") and the full
``citation`` (shown on hover, in ``--json`` and in docs/RULES.md). Catalog data and rules
refer to these by ``id``; ``cite(id)`` resolves one. Unknown ids raise KeyError so a typo
in the catalog sources fails the build and the tests.

Imported files (a CMS PTP table, an MUE table, ...) are sources too, but they are named by
their own release (``"CMS NCCI PTP practitioner v323r0 (2026 Q4)"``) and never appear here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Source:
    id: str
    label: str  # short, for a chip or a table cell
    citation: str  # the full public reference: title, section, date or version
    url: str = ""  # where it is published (shown, never opened by the app)


_MANUALS: Final = "https://www.cms.gov/Regulations-and-Guidance/Guidance/Manuals/Downloads/"
_CH5_URL: Final = _MANUALS + "clm104c05.pdf"

_ALL: Final[tuple[Source, ...]] = (
    Source(
        "cms-100-04-ch5-20.2", "Pub. 100-04 ch. 5 §20.2",
        "CMS, Medicare Claims Processing Manual (Pub. 100-04), chapter 5 \"Part B Outpatient "
        "Rehabilitation and CORF/OPT Services\", §20.2 Reporting of Service Units With HCPCS "
        "(counting minutes for timed codes)",
        _CH5_URL,
    ),
    Source(
        "cms-100-04-ch5-10.7", "Pub. 100-04 ch. 5 §10.7",
        "CMS, Medicare Claims Processing Manual (Pub. 100-04), chapter 5, §10.7 Application of "
        "Multiple Procedure Payment Reduction (MPPR) on Therapy Services",
        _CH5_URL,
    ),
    Source(
        "cms-100-04-ch5", "Pub. 100-04 ch. 5",
        "CMS, Medicare Claims Processing Manual (Pub. 100-04), chapter 5 \"Part B Outpatient "
        "Rehabilitation and CORF/OPT Services\" (therapy modifiers GP/GO/GN, KX, CQ/CO)",
        _CH5_URL,
    ),
    Source(
        "cms-100-02-ch15", "Pub. 100-02 ch. 15 §220-230",
        "CMS, Medicare Benefit Policy Manual (Pub. 100-02), chapter 15, §220-230 (outpatient "
        "therapy services, plans of care, supervision, therapy assistants)",
        _MANUALS + "bp102c15.pdf",
    ),
    Source(
        "ncci-policy-ch11", "NCCI Policy Manual ch. XI",
        "CMS, National Correct Coding Initiative Policy Manual for Medicare Services, chapter "
        "XI (Medicine: physical medicine and rehabilitation)",
    ),
    Source(
        "ncci-ptp-practitioner", "CMS NCCI PTP table",
        "CMS, Medicare NCCI procedure-to-procedure (PTP) edits, practitioner services, "
        "quarterly table",
    ),
    Source(
        "ncci-mue-practitioner", "CMS MUE table",
        "CMS, Medicare NCCI medically unlikely edits (MUE), practitioner services, quarterly "
        "table",
    ),
    Source(
        "mln-modifier-59", "MLN: modifiers 59/X{EPSU}",
        "CMS MLN fact sheet \"Proper Use of Modifiers 59, XE, XP, XS, and XU\" (example 9: "
        "97140 with 97530)",
    ),
    Source(
        "pfs-2026-final", "CY2026 PFS final rule",
        "CMS, CY2026 Physician Fee Schedule final rule (CMS-1832-F) and its addenda (RVUs, "
        "GPCIs, KX threshold $2,480)",
    ),
    Source(
        "telehealth-list-2026", "CY2026 Medicare telehealth list",
        "CMS, List of Medicare Telehealth Services for CY2026 (CY2026 PFS final rule, "
        "CMS-1832-F)",
    ),
    Source(
        "caa-2026-telehealth", "Consolidated Appropriations Act, 2026",
        "Consolidated Appropriations Act, 2026: Medicare telehealth flexibilities for PTs, OTs "
        "and SLPs extended through December 31, 2027",
    ),
    Source(
        "ncd-30.3.3", "NCD 30.3.3",
        "CMS, National Coverage Determination 30.3.3 Acupuncture for Chronic Low Back Pain "
        "(Pub. 100-03)",
    ),
    Source(
        "ncd-270.1", "NCD 270.1",
        "CMS, National Coverage Determination 270.1 Electrical Stimulation and Electromagnetic "
        "Therapy for the Treatment of Wounds (Pub. 100-03)",
    ),
    Source(
        "cms-r-131", "ABN form CMS-R-131",
        "CMS, Advance Beneficiary Notice of Non-coverage (ABN), form CMS-R-131 and its "
        "instructions (modifiers GA, GX, GY, GZ)",
    ),
    Source(
        "icd10cm-guidelines", "ICD-10-CM Official Guidelines",
        "CDC/NCHS and CMS, ICD-10-CM Official Guidelines for Coding and Reporting, FY2026 and "
        "FY2027",
    ),
    Source(
        "icd10cm-guidelines-i-a-12", "ICD-10-CM Guidelines I.A.12.a",
        "CDC/NCHS and CMS, ICD-10-CM Official Guidelines for Coding and Reporting FY2026 and "
        "FY2027, section I.A.12.a Excludes1 (\"NOT CODED HERE\": never with the code above the "
        "note; exception: two conditions unrelated to each other)",
        "https://www.cms.gov/medicare/coding-billing/icd-10-codes",
    ),
    Source(
        "icd10cm-guidelines-i-c-19-a", "ICD-10-CM Guidelines I.C.19.a",
        "CDC/NCHS and CMS, ICD-10-CM Official Guidelines for Coding and Reporting FY2026 and "
        "FY2027, section I.C.19.a Application of 7th characters in chapter 19 (A: active "
        "treatment; D: routine care in the healing or recovery phase; S: sequela; aftercare "
        "of an injury is the injury code with D, not a Z code)",
        "https://www.cms.gov/medicare/coding-billing/icd-10-codes",
    ),
    Source(
        "icd10cm-guidelines-i-b-13", "ICD-10-CM Guidelines I.B.13",
        "CDC/NCHS and CMS, ICD-10-CM Official Guidelines for Coding and Reporting FY2026 and "
        "FY2027, section I.B.13 Laterality (right, left, bilateral; the unspecified-side code "
        "is for a record that does not identify the side)",
        "https://www.cms.gov/medicare/coding-billing/icd-10-codes",
    ),
    Source(
        "icd10cm-fy2026", "ICD-10-CM FY2026 (Apr 2026)",
        "CDC/NCHS, ICD-10-CM tabular list and index, April 1, 2026 release (FY2026)",
    ),
    Source(
        "cms-msdrg-v44", "CMS MS-DRG v44 code tables",
        "CMS, MS-DRG v44 Definitions (FY2027), Medicare Code Editor ICD-10-CM code table: each "
        "code's valid-from and valid-to dates (as shipped in the msdrg 1.2.0 package)",
    ),
    Source(
        "cpt-2026", "CPT 2026",
        "AMA, CPT 2026 Professional Edition (code numbers, effective dates and instructions "
        "only; no descriptor text is copied)",
    ),
    Source(
        "pfs-rvu-2026", "CY2026 PFS RVU file",
        "CMS, CY2026 Physician Fee Schedule national Relative Value File (PPRRVU), procedure "
        "status indicators (B = bundled, never paid separately; I = not valid for Medicare) "
        "and national RVUs (a code without them is not paid)",
    ),
    Source(
        "pfs-2025-final", "CY2025 PFS final rule",
        "CMS, CY2025 Physician Fee Schedule final rule (CMS-1807-F): KX threshold $2,410; "
        "general supervision of PT assistants in private practice; audio-only telehealth for "
        "a patient at home",
    ),
    Source(
        "pfs-2024-final", "CY2024 PFS final rule",
        "CMS, CY2024 Physician Fee Schedule final rule (CMS-1784-F): KX threshold $2,330",
    ),
    Source(
        "pfs-2022-final", "CY2022 PFS final rule",
        "CMS, CY2022 Physician Fee Schedule final rule (CMS-1751-F): services with CQ/CO paid "
        "at 85% from 2022; the 10% de minimis standard",
    ),
    Source(
        "cms-cq-co-examples", "CMS CQ/CO billing examples",
        "CMS, \"Billing Examples Using CQ/CO Modifiers for Services Furnished In Whole or In "
        "Part by PTAs and OTAs\" (Medicare therapy services page, after the CY2022 PFS final "
        "rule): CQ/CO decided per service and, for timed codes, unit by unit",
        "https://www.cms.gov/medicare/coding-billing/therapy-services/"
        "billing-examples-using-cq/co-modifiers-services-furnished-whole-or-part-ptas-and-otas",
    ),
    Source(
        "aota-ota-modifier-2021", "AOTA: applying the OTA modifier",
        "AOTA, \"Practice Resource for Coding & Billing: How to Apply the Medicare OTA "
        "Modifier\" (2021, on the CY2022 PFS final rule; the PTA modifier follows the same "
        "rules): no CO/CQ on a last unit the therapist furnished 8 or more minutes of; CO/CQ "
        "when the assistant furnished a whole unit, 8 or more minutes of the last unit, or "
        "more than 10% of a unit or of an untimed service",
        "https://www.aota.org/advocacy/advocacy-news/2021/medicare-ota-modifier",
    ),
    Source(
        "pfs-2019-final", "CY2019 PFS final rule",
        "CMS, CY2019 Physician Fee Schedule final rule (CMS-1693-F): functional reporting "
        "with G-codes G8978-G8999 ended for services from January 1, 2019",
    ),
    Source(
        "cms-therapy-code-list", "CMS therapy code list",
        "CMS, Annual Therapy Update: list of therapy codes (\"always therapy\" and "
        "\"sometimes therapy\" services that carry GP/GO/GN)",
    ),
    Source(
        "cms-100-04-ch30", "Pub. 100-04 ch. 30 (ABN)",
        "CMS, Medicare Claims Processing Manual (Pub. 100-04), chapter 30 \"Financial "
        "Liability Protections\": ABN modifiers GA, GX, GY and GZ",
        _MANUALS + "clm104c30.pdf",
    ),
    Source(
        "mln-telehealth", "MLN: Telehealth services",
        "CMS MLN booklet \"Telehealth Services\" (MLN901705): place of service and modifiers "
        "95, 93, FQ, FR, and GT on critical access hospital method II claims",
    ),
    Source(
        "cpt-2024", "CPT 2024",
        "AMA, CPT 2024 Professional Edition: codes new on January 1, 2024 (e.g. 97550-97552, "
        "90912/90913); no descriptor text is copied",
    ),
    Source(
        "cpt-2020", "CPT 2020",
        "AMA, CPT 2020 Professional Edition: 97127 deleted, 97129/97130 added (January 1, "
        "2020); no descriptor text is copied",
    ),
    Source(
        "cpt-2018", "CPT 2018",
        "AMA, CPT 2018 Professional Edition: 97532 and 97762 deleted, 97763 added (January 1, "
        "2018); no descriptor text is copied",
    ),
    Source(
        "cpt-2017", "CPT 2017",
        "AMA, CPT 2017 Professional Edition: 97001-97004 deleted, PT/OT evaluations "
        "97161-97168 added (January 1, 2017); no descriptor text is copied",
    ),
    Source(
        "hcpcs-level2", "HCPCS Level II",
        "CMS, Healthcare Common Procedure Coding System (HCPCS) Level II, quarterly "
        "alpha-numeric file",
    ),
    Source(
        "dmepos-supplier", "DMEPOS supplier standards",
        "CMS, Medicare DMEPOS supplier enrollment and billing to the DME MAC (42 CFR 424.57); "
        "orthotics furnished by a PT are billed under a DMEPOS supplier number",
    ),
    Source(
        "bba-2018-50202", "BBA 2018 §50202",
        "Bipartisan Budget Act of 2018, §50202: the therapy caps repealed; the KX modifier "
        "above the yearly threshold; targeted medical review above $3,000 a year (CMS, "
        "Pub. 100-02 ch. 15 §220.3; CMS therapy services page)",
    ),
    Source(
        "x12-carc-rarc", "X12 CARC/RARC lists",
        "X12, Claim Adjustment Reason Code list (CARC) and Remittance Advice Remark Code list "
        "(RARC) as published on x12.org (updated three times a year; checked against the "
        "2026 lists, verify the current wording there); group codes CO, PR, OA, PI",
        "https://x12.org/codes",
    ),
    Source(
        "cms-100-04-ch22", "Pub. 100-04 ch. 22",
        "CMS, Medicare Claims Processing Manual (Pub. 100-04), chapter 22 \"Remittance "
        "Advice\" (group codes, reason and remark codes on the 835)",
        _MANUALS + "clm104c22.pdf",
    ),
    Source(
        "cms-mcd", "CMS Medicare Coverage Database",
        "CMS, Medicare Coverage Database (MCD): Local Coverage Determinations and their "
        "Billing and Coding Articles (covered and non-covered ICD-10-CM groups per "
        "contractor), downloads page",
        "https://www.cms.gov/medicare-coverage-database/downloads/downloads.aspx",
    ),
    Source(
        "cms-100-08-ch13", "Pub. 100-08 ch. 13",
        "CMS, Medicare Program Integrity Manual (Pub. 100-08), chapter 13 \"Local Coverage "
        "Determinations\" (LCDs and their Billing and Coding Articles, per MAC jurisdiction)",
        _MANUALS + "pim83c13.pdf",
    ),
    Source(
        "apta-ncci-2020", "APTA NCCI announcement 2020-09-02",
        "APTA News, \"NCCI coding announcement\" (2020-09-02): CMS reinstates on 2020-10-01 "
        "the NCCI edits pairing the re-evaluation 97164 (column 2) with 97110, 97112, 97113, "
        "97116, 97140, 97530 and 97150; AOTA, \"NCCI Quarterly Edits Posted\" (2020)",
    ),
    Source(
        "apta-eval-2017", "APTA: evaluation codes (2017)",
        "APTA, PT evaluation and re-evaluation codes 97161-97164 (PT in Motion, 2017-02): the "
        "four components of each complexity level and the typical face-to-face minutes "
        "published with CPT 2017",
    ),
    Source(
        "mm14250", "CMS CR 14250 / MLN MM14250",
        "CMS, Change Request 14250 / MLN Matters MM14250 (remote therapeutic monitoring, "
        "2026): RTM as a \"sometimes therapy\" service under a therapy plan of care (GP/GO/GN, "
        "CQ/CO, counted toward the KX threshold)",
    ),
    Source(
        "cms-pfs-rvu-readme", "PFS RVU file: MULT PROC",
        "CMS, National Physician Fee Schedule Relative Value File, record layout: the MULT "
        "PROC indicator (5: subject to the 50% reduction of the practice expense for certain "
        "therapy services, Pub. 100-04 ch. 5 §10.7)",
    ),
    Source(
        "apta-billing", "APTA coding guidance",
        "American Physical Therapy Association, coding and billing resources (secondary source)",
    ),
)

SOURCES: Final[dict[str, Source]] = {s.id: s for s in _ALL}


def cite(source_id: str) -> Source:
    """The source with this id; KeyError names the unknown id."""
    try:
        return SOURCES[source_id]
    except KeyError:
        raise KeyError(f"unknown source id {source_id!r}; known: {', '.join(SOURCES)}") from None


def resolve(source: str) -> Source:
    """The registry entry for ``source``, or, for a name that is no registry id (an imported
    file's release, a clinic's note), a stand-in whose label and citation are that name."""
    found = SOURCES.get(source)
    if found is not None:
        return found
    return Source("", source, source)


def source_json(source: str) -> dict[str, str]:
    """``{id, label, citation}`` (and ``url`` when known) for ``--json`` output."""
    found = resolve(source)
    out = {"id": found.id, "label": found.label, "citation": found.citation}
    if found.url:
        out["url"] = found.url
    return out
