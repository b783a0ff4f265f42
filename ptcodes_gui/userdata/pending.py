"""Changes still queued behind another copy's lock when the store closes.

Favorites, recents and settings are queued while another copy of PT Codes holds the
write lock (the window said "added to favorites"). If the lock is still held when the
window closes, the queue is written to ``pending-changes-<time>-<pid>.json`` in the data
folder (a unique name: two copies closing at once never share a file; temp file and
rename: a kill leaves no half file) and saved at the next start, which says so. Every
change is idempotent (add, remove, set), so a file applied twice changes nothing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

PREFIX = "pending-changes-"
MAX_BYTES = 1024 * 1024
KINDS = ("fav", "recent", "setting")

Change = tuple[str, object]


def spill(data_dir: Path, changes: Sequence[Change]) -> Path:
    """Write ``changes`` (kind, key) to a new file; OSError when it cannot be written."""
    payload = json.dumps({"format": "ptcodes-pending", "changes": [
        [kind, list(key) if isinstance(key, tuple) else key] for kind, key in changes]})
    name = f"{PREFIX}{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.json"
    fd, tmp = tempfile.mkstemp(prefix=".tmp-pending-", dir=data_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        target = data_dir / name
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def files(data_dir: Path) -> list[Path]:
    try:
        return sorted(p for p in data_dir.glob(f"{PREFIX}*.json") if p.is_file())
    except OSError:
        return []


def read(path: Path) -> list[Change]:
    """The changes of one file (ValueError, OSError when it is not one of ours)."""
    if path.stat().st_size > MAX_BYTES:
        raise ValueError("too large")
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != "ptcodes-pending":
        raise ValueError("not a pending-changes file")
    out: list[Change] = []
    for item in data.get("changes", []):
        if isinstance(item, list) and len(item) == 2 and item[0] in KINDS:
            kind, key = item
            out.append((kind, tuple(key) if isinstance(key, list) and kind != "recent" else key))
    return out


def replay_all(data_dir: Path, replay: Callable[[str, object], None]) -> int:
    """Hand every kept change to ``replay`` (oldest file first), then remove the files;
    how many were replayed. A change that no longer validates is skipped."""
    from ptcodes_gui.userdata.errors import ValidationError

    done = 0
    for path in files(data_dir):
        try:
            changes = read(path)
        except (OSError, ValueError):
            log.exception("pending changes in %s could not be read", path)
            continue
        for kind, key in changes:
            with contextlib.suppress(ValidationError, TypeError, ValueError):
                replay(kind, key)
                done += 1
        with contextlib.suppress(OSError):
            path.unlink()
    return done
