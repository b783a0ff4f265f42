"""The billing domain, Qt-free and storage-free: what a code, a visit and a rule are.

Owns the dataclasses every other package passes around (``models``: Code, Visit, Fact,
NcciPair, ...), the public documents facts cite (``sources``), units (``units``), fees and
MPPR (``fees``), payer profiles (``profiles``), the visit grammar (``visit_input``), the
billing rules (``rules/``, one module per family, registered by id) and the text copied to an
EHR (``formatting``).

May import: the standard library only. Never SQL stores, files, ``catalog``, ``userdata``,
``releases`` or Qt: the catalog builds these objects from its rows, widgets only show them.
"""
