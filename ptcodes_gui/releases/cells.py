"""Small helpers readers share: dates, codes, header cells."""

from __future__ import annotations

import functools
import re
from datetime import date

from ptcodes_gui.domain.text import clean_text

PROCEDURE_RE = re.compile(r"^[A-Z0-9]{5}$")
_DATE_RE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
_US_DATE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


class CellError(ValueError):
    """A cell's value is not valid; ``str()`` says why, for the rejected-row list."""


@functools.lru_cache(maxsize=8192)  # a CMS table repeats a few thousand dates
def iso_date(text: str) -> str | None:
    """ISO date for YYYYMMDD, YYYY-MM-DD or MM/DD/YYYY; None for none ("", "*")."""
    text = text.strip()
    if text in ("", "*"):
        return None
    match = _DATE_RE.fullmatch(text)
    try:
        if match is not None and (len(text) == 10) == ("-" in text):
            return date(*(int(p) for p in match.groups())).isoformat()
        us = _US_DATE_RE.fullmatch(text)
        if us is not None:
            month, day, year = (int(p) for p in us.groups())
            return date(year, month, day).isoformat()
    except ValueError:
        pass
    raise CellError(f"{text!r} is not a date (YYYYMMDD, YYYY-MM-DD, or * for none)")


def header_key(cell: str) -> str:
    """'HCPCS/\\nCPT Code' -> 'hcpcs_cpt_code': lower case, runs of other characters as _."""
    return re.sub(r"[^a-z0-9]+", "_", clean_text(cell, multiline=False).lower()).strip("_")


def code_cell(value: str) -> str:
    """A procedure code as CMS writes it (a workbook may have made 00100 the number 100)."""
    code = value.strip().upper()
    if code.isdigit() and len(code) < 5:
        code = code.zfill(5)
    return code


def joined_head(rows: list[tuple[int, list[str]]]) -> str:
    return " ".join(" ".join(cells) for _, cells in rows).lower()
