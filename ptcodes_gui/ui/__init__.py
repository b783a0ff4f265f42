"""The window, and the only package that imports Qt (PySide6).

Owns the main window (``main_window``, its menus ``window_menus``, status bar parts), the
Qt models over plain results (``results_model``, ``visit_model``), the detail pane
(``detail_html``, ``detail_pane``), the visit panel (``visit/``: entry, lines, diagnoses,
warnings, payer bar, copy), and the dialogs (imports, clinic folder, bundles, crash).
Long work runs off the GUI thread (``long_work``).

May import: ``session`` and every Qt-free package below it. Never ``cli`` or ``app``.
"""
