"""One reader per published file kind: bytes in, typed rows out (see ``releases``).

A reader recognises its files (``recognise``: the release, its version and effective date)
and streams rows into the pipeline's sink; it never writes a store itself. ``ncci``, ``mue``,
``pfs``, ``hcpcs``, ``cpt``, ``telehealth`` and ``clinic_codes`` are registered in
``releases.registry``; ``icd10cm`` reads the CDC ICD-10-CM files for ``releases.icd_build``.
A new source is one module here plus one line in ``releases/__init__.py``.

May import: ``releases.files``, ``releases.cells``, ``releases.registry``, ``domain``.
"""
