"""Where the user's own data lives.

Always the platform's per-user application-data folder (or the folder named by
``PTCODES_DATA_DIR``, for tests and a portable install), never next to the program:
an installed program folder is usually read-only and is replaced by every update.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

#: Environment variable that overrides the data folder (tests, portable use).
DATA_DIR_ENV = "PTCODES_DATA_DIR"
APP_NAME = "PT Codes"
APP_AUTHOR = "PTCodes"
#: File name of the user database inside the data folder.
USER_DB_NAME = "user.sqlite"
#: Sub-folder of the data folder that holds rotated backups.
BACKUP_DIR_NAME = "backups"


def default_data_dir() -> Path:
    """The folder for favorites, templates, settings, imports and backups.

    It is not created here; ``UserStore.open`` creates it when it can.
    """
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
