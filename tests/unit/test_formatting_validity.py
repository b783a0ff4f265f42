"""When a diagnosis code is valid, in the words ``ptcodes show`` and the detail pane use
(domain/formatting.py ``validity_text``)."""

from __future__ import annotations

from ptcodes_gui.domain.formatting import validity_text
from ptcodes_gui.domain.models import Code


def _icd(**kw: object) -> Code:
    return Code(code="M54.50", system="icd10cm", title="Low back pain", category="diagnosis",
                **kw)  # type: ignore[arg-type]


def test_a_current_code_is_valid_to_this_day() -> None:
    text = validity_text(_icd(valid_from="2021-10-01"))
    assert text == "from 2021-10-01 to this day (CMS MS-DRG v44 code tables)"


def test_an_ended_code_names_its_replacements() -> None:
    text = validity_text(_icd(valid_to="2026-09-30", replaced_by=("M54.51", "M54.59")))
    assert text == "through 2026-09-30; replaced by M54.51, M54.59 (CMS MS-DRG v44 code tables)"


def test_only_a_provisional_title_says_it_is_ours() -> None:
    assert "title above is ours" in validity_text(_icd(valid_from="2026-10-01",
                                                       provisional=True))
    assert "title above is ours" not in validity_text(_icd(valid_from="2026-10-01"))
