"""The ``ptcodes`` command line: the same session, catalog and rules as the window, headless.

One module per command group: ``main`` (the parser, ``search``/``show``/``units``/``info``/
``import`` and the dispatch; the ``ptcodes`` entry point is ``cli.main:main``), ``visit``
(``ptcodes visit``: the visit grammar, evaluation, copy formats), ``codesets`` (code-set
imports: the ICD-10-CM releases, the fee schedule and its localities) and ``clinic``
(``ptcodes clinic``: publish, status). Output is plain text or ``--json``; exit status 0
success, 1 not found or refused, 2 bad usage.

May import: ``session`` (the one composition root), ``clinic``, ``releases``, ``userdata``,
``catalog``, ``domain``. Never Qt or ``ui``.
"""
