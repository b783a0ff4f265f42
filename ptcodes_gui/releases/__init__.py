"""The code sets and tables a clinic imports, and the one pipeline they come in by (Qt-free).

Owns what CMS, CDC and the AMA publish and a clinic brings in: opening and streaming the
files (``files``), one reader per file kind (``readers/``), the pipeline (``pipeline``:
recognise, stage, preview, apply), ``imports.sqlite`` (``store``) and how the catalog reads
it (``overlay``, ``codesets_overlay``), the ICD-10-CM releases (``icd``, ``icd_build``) and
the state of every data source (``data_sources``).

May import: ``userdata`` (its errors; ``migrate`` moves round-1 overlays out of
``user.sqlite``), ``catalog``, ``domain``. Never ``clinic``, ``session``, ``cli`` or Qt.

Flow (the window and ``ptcodes import`` alike)::

    context = ImportContext.from_store(import_store, catalog.all_codes())   # store's thread
    preview = preview_import(paths, context, source="ncci",                  # any thread
                             on_progress=..., cancelled=...)
    print(preview_text(preview))
    info = apply_import(preview, import_store)      # all or nothing; or preview.discard()

``preview_import`` opens what the user picked (one file, several, the zips as downloaded;
``.txt``/``.csv``/``.xlsx``, zip members streamed: ``files``), recognises the source and its
release from content and file name (``Reader.recognise``), streams the rows (never the
whole file, never all rows in memory) into a staging SQLite file, keeps only rows about
codes in the catalog, validates, and compares with the release in use. ``apply_import``
replaces the source's release in ``imports.sqlite`` (``store.ImportStore``) in one
transaction with its provenance (source, version, effective date, files, row counts, when);
a multi-part source (NCCI) adds parts of the same version and replaces an older version
whole. The catalog reads it through ``overlay.ImportOverlay`` (``catalog.overlay``'s shape).

Bad input raises ``ImportFileError`` with one line naming the file (and line); rows that
cannot be used are listed in ``preview.rejected``; nothing changes either way.

Adding a source
---------------
One small module in ``readers/`` and one line below:

1. ``mysource.py``: a ``registry.Reader`` subclass with ``name`` (the CLI word,
   ``ptcodes import mysource FILE``), ``title``, ``tables`` (``registry.Table``: the SQLite
   tables of ``imports.sqlite`` its rows go to, created when the store opens), and

   - ``recognise(file) -> Release | None``: look at ``file.name``, ``file.container`` and
     ``files.head_rows(file)``; return the ``Release`` (version, label shown beside the
     data, effective date, ``order`` for newer/older) or None if the file is not yours;
   - ``read(file, release, sink)``: iterate ``files.rows_of(file, sink.progress)`` (or
     ``text_rows`` / ``xlsx_rows``), call ``sink.add(table, line, values)`` for rows to keep,
     ``sink.reject(line, reason)`` for bad rows, ``sink.skip(reason, n)`` for rows left out
     on purpose (codes outside ``sink.known_codes``), ``sink.note(text)`` for the preview.

   End the module with ``MYSOURCE = register(MySourceReader())``.
2. Add ``mysource`` to the import line at the bottom of this file.

The CLI (``ptcodes import NAME FILE... [--apply]``, ``--remove NAME``), the window's File →
Import and ``ptcodes info`` pick it up from the registry. To show the data, add a query
method to ``overlay.ImportOverlay`` and to ``catalog.overlay.CatalogOverlay``.
"""

from __future__ import annotations

from ptcodes_gui.releases.files import (
    DEFAULT_LIMITS,
    ImportCancelled,
    ImportFileError,
    ImportLimits,
    InputFile,
    collect_files,
    nothing_imported,
)
from ptcodes_gui.releases.overlay import ImportOverlay
from ptcodes_gui.releases.pipeline import (
    ImportContext,
    ImportPreview,
    RejectedRow,
    apply_import,
    preview_import,
    preview_text,
    remove_import,
)
from ptcodes_gui.releases.readers import (  # registers the sources
    clinic_codes,
    cpt,
    hcpcs,
    mcd,
    mue,
    ncci,
    pfs,
    telehealth,
)
from ptcodes_gui.releases.readers.clinic_codes import export_csv_safe
from ptcodes_gui.releases.registry import Reader, Release, Sink, Table, all_readers, reader
from ptcodes_gui.releases.store import IMPORTS_DB_NAME, ImportStore, ReleaseInfo

__all__ = [
    "DEFAULT_LIMITS",
    "IMPORTS_DB_NAME",
    "ImportCancelled",
    "ImportContext",
    "ImportFileError",
    "ImportLimits",
    "ImportOverlay",
    "ImportPreview",
    "ImportStore",
    "InputFile",
    "Reader",
    "RejectedRow",
    "Release",
    "ReleaseInfo",
    "Sink",
    "Table",
    "all_readers",
    "apply_import",
    "clinic_codes",
    "collect_files",
    "cpt",
    "export_csv_safe",
    "hcpcs",
    "mcd",
    "mue",
    "ncci",
    "nothing_imported",
    "pfs",
    "preview_import",
    "preview_text",
    "reader",
    "remove_import",
    "telehealth",
]
