"""The second copy of ``user.sqlite``, rewritten after every change.

Why a second copy and not a salvage of the damaged file or a change journal: the user
file is small (favorites, templates, settings, profiles: ~100 KB; the imports live in
``imports.sqlite``), so copying all of it after each committed write costs about a
millisecond, and a copy survives every single fault the damaged file cannot help with:
a deleted or 0-byte file, a truncated one, a zeroed page, a file replaced by a folder.
Salvaging rows from a damaged file recovers only what is still readable; a journal needs
its own replay code and format. The copy is a plain SQLite file that the restore path
already knows how to check and put in place (``opening``), ordered with the backups by
its ``write_seq``: it is the newest content there is, so a restore picks it first.

``backups/user-shadow.sqlite`` is written by ``Connection.backup`` into a unique temp
file and renamed into place (a kill leaves the old copy or the new one), under an
advisory lock (``.shadow.lock``) so that of two copies of PT Codes writing at once, the
one renaming last also copied last: the copy is never older than a write that was
acknowledged. No fsync: a kill -9 cannot lose what the OS has already been handed (the
live file itself is written with ``synchronous=NORMAL``).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from ptcodes_gui.userdata.paths import BACKUP_DIR_NAME

SHADOW_NAME = "user-shadow.sqlite"
_LOCK_NAME = ".shadow.lock"
#: temp files share the backups' prefix, so a kill's leftover is pruned with theirs
_TEMP_PREFIX = ".tmp-shadow-"

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover (Windows: msvcrt below)
    fcntl = None  # type: ignore[assignment]


def shadow_path(data_dir: Path) -> Path:
    return data_dir / BACKUP_DIR_NAME / SHADOW_NAME


def created(path: Path) -> datetime:
    """When the copy was written (its mtime: the name carries no time)."""
    return datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    fd = os.open(folder / _LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:  # pragma: no cover
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
        yield
    finally:
        os.close(fd)  # releases the lock


def write_shadow(conn: sqlite3.Connection, data_dir: Path) -> Path:
    """Copy the live database behind ``conn`` to the shadow file (OSError, sqlite3.Error
    on failure; the previous copy is then left as it was)."""
    folder = data_dir / BACKUP_DIR_NAME
    folder.mkdir(exist_ok=True)
    with _locked(folder):
        fd, name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".sqlite", dir=folder)
        os.close(fd)
        try:
            dst = sqlite3.connect(name, isolation_level=None)
            try:
                dst.execute("PRAGMA synchronous = OFF")  # see the module doc: no fsync
                conn.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
            target = folder / SHADOW_NAME
            os.replace(name, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
    return target
