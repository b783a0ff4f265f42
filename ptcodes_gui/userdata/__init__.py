"""Qt-free user data: favorites, recents, settings, templates, payer profiles, imports.

Open with ``UserStore.open(default_data_dir())``; it returns the store and the
plain-words messages to show (repairs, read-only reasons). See ``store`` for the
guarantees, ``backup`` for the backup policy and ``imports`` for the CSV formats.
"""

from __future__ import annotations

from ptcodes_gui.userdata.backup import BackupInfo, list_backups, newest_good_backup
from ptcodes_gui.userdata.imports import (
    ImportFileError,
    ImportLimits,
    ImportPreview,
    ImportStore,
    RejectedRow,
    apply_import,
    export_csv_safe,
    preview_import,
    remove_import,
)
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
    "ImportFileError",
    "ImportInfo",
    "ImportKind",
    "ImportLimits",
    "ImportPreview",
    "ImportStore",
    "ImportSummary",
    "MigrationError",
    "NcciRow",
    "NotFoundError",
    "PayerProfile",
    "RejectedRow",
    "StartupMessage",
    "Template",
    "TemplateLine",
    "UserDataError",
    "UserDataReadOnly",
    "UserStore",
    "ValidationError",
    "apply_import",
    "clean_text",
    "default_data_dir",
    "export_csv_safe",
    "list_backups",
    "newest_good_backup",
    "preview_import",
    "remove_import",
]
