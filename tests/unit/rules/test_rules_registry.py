"""The registry: every rule is named, documented, cited; docs/RULES.md is generated."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ptcodes_gui.domain.rules import RULES
from ptcodes_gui.domain.rules.docs import COMMAND, render_markdown
from ptcodes_gui.domain.rules.registry import HEADINGS, parse_doc
from ptcodes_gui.domain.sources import SOURCES

ROOT = Path(__file__).resolve().parents[3]


def test_docs_rules_md_is_not_stale() -> None:
    on_disk = (ROOT / "docs" / "RULES.md").read_text(encoding="utf-8")
    assert on_disk == render_markdown(), f"docs/RULES.md is stale: run {COMMAND}"


def test_docs_command_prints_the_reference() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ptcodes_gui.domain.rules.docs"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    assert out.stdout == render_markdown()
    assert COMMAND in out.stdout.splitlines()[2]


def test_every_rule_is_kebab_case_documented_and_cited() -> None:
    assert len(RULES) >= 40
    for rule_id, rule in RULES.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule_id)
        assert list(rule.sections) == list(HEADINGS)
        assert all(text.strip() for text in rule.sections.values()), rule_id
        assert rule.sources and all(s in SOURCES for s in rule.sources), rule_id
        assert rule.severity in ("error", "warning", "info")


def test_reference_cites_public_documents_never_the_internal_sheet() -> None:
    text = render_markdown()
    assert "facts §" not in text and "PT-CODING-FACTS" not in text
    assert "CMS, Medicare Claims Processing Manual (Pub. 100-04), chapter 5" in text
    for rule_id in RULES:
        assert f"### `{rule_id}`" in text


def test_a_rule_without_its_headings_is_refused() -> None:
    with pytest.raises(ValueError, match="headings"):
        parse_doc("Summary only.\n\nWhat it checks:\n    x\n", "bad-rule")
    summary, sections = parse_doc(
        "One line.\n\nWhat it checks:\n  a\nWhy it is denied:\n  b\nExample visit:\n  c\n"
        "Fix:\n  d\nSource:\n  e\n",
        "good-rule",
    )
    assert summary == "One line." and sections["Fix"] == "d"
