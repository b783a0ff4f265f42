"""Qt-free catalog: build from ``resources/``, search and look up codes read-only.

Public API: :func:`open_catalog` returns a :class:`Catalog` with ``search(text, limit=...,
system=...)`` and ``get(code)``, returning frozen dataclasses from ``ptcodes_gui.domain``.
"""

from __future__ import annotations

from ptcodes_gui.catalog.repository import Catalog, CatalogError, CatalogInfo, open_catalog
from ptcodes_gui.catalog.search import SearchResult

__all__ = ["Catalog", "CatalogError", "CatalogInfo", "SearchResult", "open_catalog"]
