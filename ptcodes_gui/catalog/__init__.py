"""The shipped catalog, Qt-free: built from ``resources/`` and ICD-10-CM, searched read-only.

Owns ``catalog.sqlite``: its schema, its build at install time (``build``, ``resources``,
``icd10``), search (``search``, ``icd_search``, the FTS5 query builder ``query``, the
clinicians' words ``vocabulary``) and the read-only ``Catalog`` (``repository``), which reads
imported data through the ``overlay`` protocol without knowing where it comes from.

May import: ``domain`` only. Never ``userdata``, ``releases``, ``clinic`` or Qt.

Public API: :func:`open_catalog` returns a :class:`Catalog` with ``search(text, limit=...,
system=...)`` and ``get(code)``, returning frozen dataclasses from ``ptcodes_gui.domain``.
"""

from __future__ import annotations

from ptcodes_gui.catalog.repository import Catalog, CatalogError, CatalogInfo, open_catalog
from ptcodes_gui.catalog.search import SearchResult

__all__ = ["Catalog", "CatalogError", "CatalogInfo", "SearchResult", "open_catalog"]
