"""The user's own data, Qt-free: favorites, recents, settings, templates, payer profiles.

Owns ``user.sqlite`` in the user's data folder: its schema and migrations, opening and
repair (``opening``, ``startup``), rotated backups (``backup``), quarantine of rows that fail
to load, export bundles, and the clinic defaults the store shows after the user's own.
Open with ``UserStore.open(default_data_dir())``; it returns the store and the plain-words
messages to show (repairs, read-only reasons). See ``store`` for the guarantees and
``backup`` for the backup policy.

May import: ``domain`` only. Never ``catalog``, ``releases`` (the imported code sets and
tables live there, in ``imports.sqlite``), ``clinic``, ``session``, ``cli`` or Qt.
"""

from __future__ import annotations

from ptcodes_gui.userdata.backup import BackupInfo, list_backups, newest_good_backup
from ptcodes_gui.userdata.migrations import LATEST_VERSION, MigrationError
from ptcodes_gui.userdata.paths import DATA_DIR_ENV, default_data_dir
from ptcodes_gui.userdata.store import (
    BundleError,
    ClinicCode,
    Descriptor,
    DuplicateNameError,
    ImportInfo,
    ImportKind,
    ImportSummary,
    NcciRow,
    NotFoundError,
    PayerProfile,
    StartupMessage,
    Template,
    TemplateLine,
    UserDataError,
    UserDataReadOnly,
    UserStore,
    ValidationError,
    clean_text,
)

__all__ = [
    "DATA_DIR_ENV",
    "LATEST_VERSION",
    "BackupInfo",
    "BundleError",
    "ClinicCode",
    "Descriptor",
    "DuplicateNameError",
    "ImportInfo",
    "ImportKind",
    "ImportSummary",
    "MigrationError",
    "NcciRow",
    "NotFoundError",
    "PayerProfile",
    "StartupMessage",
    "Template",
    "TemplateLine",
    "UserDataError",
    "UserDataReadOnly",
    "UserStore",
    "ValidationError",
    "clean_text",
    "default_data_dir",
    "list_backups",
    "newest_good_backup",
]
