"""One clinic, many workstations: the shared clinic folder, Qt-free.

``folder`` owns the folder on the share: atomic, versioned publishing (manifest, releases,
the pointer file), the verified local cache, the lock. ``layer`` puts the clinic's imported
tables under this PC's own (``LayeredOverlay``). ``link`` joins a session to the folder:
attach/detach what a session takes from it, and prepare/run a publish of this PC's imports,
ICD-10-CM release and defaults (payer profiles, templates, favorites as an export bundle).
The defaults' in-memory form (``userdata.clinic_defaults``) stays in ``userdata``, because
the user store merges them into its own lists.

May import: ``releases``, ``userdata``, ``catalog``, ``domain``. Never ``session`` (``link``
names the session by its shape, a Protocol), ``cli``, ``ui`` or Qt.
"""
