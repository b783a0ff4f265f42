"""Names shared by the catalog build and the reader."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

#: ``PRAGMA user_version`` of the built catalog; bump when the table layout changes.
SCHEMA_VERSION = 1
CATALOG_FILENAME = "catalog.sqlite"

#: Chapters / ranges PTs use most: ranked above unrelated chapters for ambiguous queries.
_PT_PREFIX = re.compile(r"^(M|S|G|R2[6-9]|R53|Z47|Z96|Z91\.81|I69)")


def is_pt_relevant(code: str) -> bool:
    return bool(_PT_PREFIX.match(code))


def packaged_catalog_path() -> Path:
    """Where the catalog lives inside the installed (or frozen) package."""
    return Path(str(resources.files("ptcodes_gui") / "data" / CATALOG_FILENAME))
