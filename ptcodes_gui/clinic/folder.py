"""The clinic data folder: one workstation publishes, every workstation reads.

A clinic folder is any folder the clinic's PCs can all reach (a network share, a synced
folder, a USB stick). One workstation publishes into it what it has imported (the import
store, ``imports.sqlite``) and the clinic's defaults (payer profiles, templates, a
favorites set, as a bundle file); every workstation copies the newest published set into
its own data folder (the *cache*) and uses the cache, so PT Codes works the same when the
share is offline.

Layout (``FORMAT_VERSION`` 1)::

    CLINIC/ptcodes-clinic.json            pointer: which release is current
    CLINIC/releases/000007-20261201T081500-FRONTDESK/
        imports.sqlite  defaults.json     the published files
        manifest.json                     sizes and SHA-256 of each file, written last
    CLINIC/.publish.lock                  held while one workstation publishes

Why it cannot be seen half-written:

* a release folder is created with ``mkdir`` (atomic: two publishers never share one),
  its files are written under temporary names, fsynced and renamed, the manifest last;
* the pointer is replaced with ``os.replace`` only after the release is complete, so a
  publish interrupted at any step leaves readers on the previous release;
* a reader verifies every file against the manifest while copying it into a temporary
  cache folder, and switches its cache pointer (again ``os.replace``) only when all are
  good; a reader never writes into the clinic folder;
* two publishers at once: the lock serialises them; a lock older than ``STALE_LOCK`` is
  taken over (a publisher that died), and even then each release has its own folder and
  the pointer is replaced atomically, so the worst case is that one release wins.

A folder written by a newer version (``format_version`` above ours) is read as far as
it can be: files we know are used when the manifest says an older reader may
(``min_reader_version``), unknown files are ignored, and nothing raises out of
``sync``: every problem becomes a one-sentence ``ClinicStatus.message``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ptcodes_gui.clinic import untrusted
from ptcodes_gui.domain.text import clean_text

FORMAT = "ptcodes-clinic"
FORMAT_VERSION = 1
POINTER_NAME = "ptcodes-clinic.json"
RELEASES_DIR = "releases"
MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".publish.lock"
#: Files a release may hold; anything else in a release folder is ignored.
KNOWN_FILES = ("imports.sqlite", "icd10cm.sqlite", "defaults.json", "settings.json")
#: Sub-folder of the data folder holding the local copy of the clinic's release.
CACHE_DIR_NAME = "clinic-cache"
CACHE_POINTER = "cache.json"
#: A lock file older than this is a publisher that died: taken over.
STALE_LOCK = 600.0
#: Releases kept in the clinic folder (a reader may still be copying an older one).
KEEP_RELEASES = 3
#: Largest file a release may hold (a full NCCI import is ~100 MB in imports.sqlite).
MAX_FILE_BYTES = 2 * 1024**3
_CHUNK = 1024 * 1024
_RELEASE_RE = re.compile(r"^(\d{6})-[0-9T]{15}-[A-Za-z0-9_.-]{1,40}$")

Clock = Callable[[], datetime]


class ClinicFolderError(Exception):
    """A clinic folder problem, in one sentence a clinic user can act on."""


class NothingPublishedError(ClinicFolderError):
    """The folder is there and readable, but no release has been published to it."""


@dataclass(frozen=True)
class Release:
    """One published set, as its manifest describes it."""

    seq: int
    folder: str  # name under releases/
    published_at: str
    publisher: str
    app_version: str
    format_version: int
    files: Mapping[str, Mapping[str, object]] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "seq": self.seq, "folder": self.folder, "published_at": self.published_at,
            "publisher": self.publisher, "app_version": self.app_version,
            "format_version": self.format_version,
            "files": {k: dict(v) for k, v in self.files.items()},
        }


@dataclass(frozen=True)
class ClinicStatus:
    """What a workstation uses from the clinic folder after ``sync``."""

    folder: Path | None  # the configured clinic folder (None: none set)
    release: Release | None  # the release in the local cache (None: nothing cached)
    cache_dir: Path | None  # where that release's files are on this workstation
    synced_at: str | None  # when the cache last matched the clinic folder
    offline: bool = False  # the folder could not be read: working from the cache
    message: str = ""  # one sentence for the status bar ("" when all is well)

    def file(self, name: str) -> Path | None:
        """The cached copy of a published file, or None."""
        if self.cache_dir is None or self.release is None or name not in self.release.files:
            return None
        path = self.cache_dir / name
        return path if path.is_file() else None

    def as_json(self) -> dict[str, object]:
        return {
            "folder": str(self.folder) if self.folder else None,
            "release": self.release.as_json() if self.release else None,
            "cache_dir": str(self.cache_dir) if self.cache_dir else None,
            "synced_at": self.synced_at, "offline": self.offline, "message": self.message,
        }


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _host() -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", socket.gethostname() or "pc")[:40]
    return name or "pc"


# --------------------------------------------------------------------------- publish


def publish(
    clinic_dir: Path,
    files: Mapping[str, Path],
    *,
    app_version: str,
    now: Clock = _now,
    publisher: str | None = None,
    lock_wait: float = 10.0,
) -> Release:
    """Publish ``files`` (name → local path; names from ``KNOWN_FILES``) as the clinic's
    new current release. SQLite files are copied with the backup API, so a database
    in use is published consistently. Raises ClinicFolderError (nothing half-visible)."""
    unknown = sorted(set(files) - set(KNOWN_FILES))
    if unknown:
        raise ClinicFolderError(f"Cannot publish {', '.join(unknown)}: not a clinic file.")
    if not files:
        raise ClinicFolderError("There is nothing to publish: no imports and no defaults.")
    try:
        clinic_dir.mkdir(parents=True, exist_ok=True)
        (clinic_dir / RELEASES_DIR).mkdir(exist_ok=True)
    except OSError as exc:
        raise ClinicFolderError(_os_message(exc, clinic_dir, "write to")) from exc
    with _publish_lock(clinic_dir, lock_wait):
        release_dir, seq = _new_release_dir(clinic_dir, now(), publisher or _host())
        try:
            entries = {name: _copy_in(src, release_dir, name) for name, src in files.items()}
            release = Release(
                seq=seq, folder=release_dir.name, published_at=now().isoformat(),
                publisher=publisher or _host(), app_version=app_version,
                format_version=FORMAT_VERSION, files=entries,
            )
            manifest = {"format": FORMAT, "min_reader_version": 1, **release.as_json()}
            _write_json(release_dir / MANIFEST_NAME, manifest)
            _write_json(clinic_dir / POINTER_NAME, {
                "format": FORMAT, "format_version": FORMAT_VERSION,
                "current": f"{RELEASES_DIR}/{release_dir.name}", "seq": seq,
                "published_at": release.published_at, "publisher": release.publisher,
            })
        except OSError as exc:
            shutil.rmtree(release_dir, ignore_errors=True)
            raise ClinicFolderError(_os_message(exc, clinic_dir, "publish to")) from exc
        _prune(clinic_dir, keep=seq)
    return release


@contextlib.contextmanager
def _publish_lock(clinic_dir: Path, wait: float) -> Iterator[None]:
    lock = clinic_dir / LOCK_NAME
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            with contextlib.suppress(OSError):
                if _lock_is_stale(lock):
                    lock.unlink()  # a publisher that died
                    continue
            if time.monotonic() >= deadline:
                raise ClinicFolderError(
                    f"Another workstation is publishing to {clinic_dir} right now; "
                    "try again in a minute."
                ) from None
            time.sleep(0.2)
            continue
        except OSError as exc:
            raise ClinicFolderError(_os_message(exc, clinic_dir, "write to")) from exc
        break
    try:
        os.write(fd, f"{_host()} {os.getpid()} {_now().isoformat()}\n".encode())
        os.close(fd)
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()


def _lock_is_stale(lock: Path) -> bool:
    """The lock's owner is gone: a process of this PC that no longer runs (taken over at
    once), or any lock older than ``STALE_LOCK`` (another PC's publisher that died)."""
    if time.time() - lock.stat().st_mtime > STALE_LOCK:
        return True
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return False
    try:
        with os.fdopen(untrusted.open_regular(lock), "rb") as handle:  # no FIFO, no link
            words = handle.read(300).decode("utf-8", "replace").split()
    except ValueError:
        return False
    if len(words) < 2 or words[0] != _host() or not words[1].isdigit():
        return False
    try:
        os.kill(int(words[1]), 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError, ValueError):
        return False
    return False


def _new_release_dir(clinic_dir: Path, moment: datetime, publisher: str) -> tuple[Path, int]:
    releases = clinic_dir / RELEASES_DIR
    seq = max((s for s, _ in _release_dirs(clinic_dir)), default=0) + 1
    for _ in range(100):
        name = f"{seq:06d}-{moment.strftime('%Y%m%dT%H%M%S')}-{publisher}"
        path = releases / name
        try:
            path.mkdir()  # atomic: a second publisher gets FileExistsError
        except FileExistsError:
            seq += 1
            continue
        return path, seq
    raise ClinicFolderError(f"Could not create a new release folder in {releases}.")


def _copy_in(src: Path, release_dir: Path, name: str) -> dict[str, object]:
    tmp = release_dir / f".{name}.part"
    if name.endswith(".sqlite"):
        _sqlite_snapshot(src, tmp)
    else:
        shutil.copyfile(src, tmp)
    _fsync(tmp)
    digest, size = _digest(tmp)
    os.replace(tmp, release_dir / name)
    return {"sha256": digest, "size": size}


def _sqlite_snapshot(src: Path, dest: Path) -> None:
    uri = src.resolve().as_uri() + "?mode=ro"
    source = sqlite3.connect(uri, uri=True)
    try:
        target = sqlite3.connect(dest)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    finally:
        source.close()


def _prune(clinic_dir: Path, keep: int) -> None:
    """Drop the oldest releases beyond ``KEEP_RELEASES`` (never the current one)."""
    dirs = sorted(_release_dirs(clinic_dir))
    for seq, path in dirs[:-KEEP_RELEASES]:
        if seq != keep:
            shutil.rmtree(path, ignore_errors=True)


def _release_dirs(clinic_dir: Path) -> list[tuple[int, Path]]:
    out = []
    with contextlib.suppress(OSError):
        for entry in (clinic_dir / RELEASES_DIR).iterdir():
            match = _RELEASE_RE.match(entry.name)
            if match and entry.is_dir():
                out.append((int(match.group(1)), entry))
    return out


# --------------------------------------------------------------------------- read


def current_release(clinic_dir: Path) -> Release:
    """The release the clinic folder's pointer names (ClinicFolderError when the folder
    cannot be read or holds no complete release)."""
    pointer_path = clinic_dir / POINTER_NAME
    try:
        pointer = _read_json(pointer_path)
    except FileNotFoundError:
        if not clinic_dir.is_dir():
            raise ClinicFolderError(f"The clinic folder {clinic_dir} cannot be reached.") from None
        raise NothingPublishedError(
            f"Nothing has been published to the clinic folder {clinic_dir} yet."
        ) from None
    except (OSError, ValueError) as exc:
        raise ClinicFolderError(f"The clinic folder {clinic_dir} cannot be read: {exc}") from exc
    current = pointer.get("current") if isinstance(pointer, dict) else None
    if not isinstance(current, str) or not current.startswith(f"{RELEASES_DIR}/"):
        raise ClinicFolderError(f"{pointer_path} does not name a release.")
    name = current.split("/", 1)[1]
    if not _RELEASE_RE.match(name):
        raise ClinicFolderError(f"{pointer_path} names an invalid release {name!r}.")
    _require_plain_dirs(clinic_dir, name)
    return _read_manifest(clinic_dir / RELEASES_DIR / name)


def _read_manifest(release_dir: Path) -> Release:
    try:
        data = _read_json(release_dir / MANIFEST_NAME)
    except (OSError, ValueError) as exc:
        raise ClinicFolderError(
            f"The clinic release {release_dir.name} is incomplete or unreadable ({exc})."
        ) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ClinicFolderError(f"{release_dir / MANIFEST_NAME} is not a PT Codes manifest.")
    min_reader = data.get("min_reader_version", 1)
    if not isinstance(min_reader, int) or min_reader > FORMAT_VERSION:
        raise ClinicFolderError(
            f"The clinic folder was published by a newer PT Codes (format {min_reader}); "
            "update PT Codes on this workstation to use it."
        )
    files_raw = data.get("files")
    files: dict[str, Mapping[str, object]] = {}
    if isinstance(files_raw, dict):
        for name, entry in files_raw.items():
            if name in KNOWN_FILES and isinstance(entry, dict) and _valid_entry(entry):
                files[name] = entry
    seq = data.get("seq")
    if not isinstance(seq, int):
        raise ClinicFolderError(f"{release_dir / MANIFEST_NAME} has no release number.")
    return Release(
        seq=seq, folder=release_dir.name, published_at=_shown(data.get("published_at")),
        publisher=_shown(data.get("publisher")), app_version=_shown(data.get("app_version")),
        format_version=int(data.get("format_version", 1) or 1), files=files,
    )


def _shown(value: object) -> str:
    """A manifest's text as it may be shown (a terminal, the status bar): no control or
    escape characters, at most 80 characters."""
    return clean_text(value)[:80] if isinstance(value, str) else ""


def _valid_entry(entry: Mapping[str, object]) -> bool:
    digest, size = entry.get("sha256"), entry.get("size")
    return (
        isinstance(digest, str) and re.fullmatch(r"[0-9a-f]{64}", digest) is not None
        and isinstance(size, int) and 0 <= size <= MAX_FILE_BYTES
    )


def cached(clinic_dir: Path | None, data_dir: Path) -> ClinicStatus:
    """What the local cache holds, without touching the clinic folder (a window starts on
    it at once, then ``sync`` runs in the background: a slow share never delays start)."""
    if clinic_dir is None:
        return ClinicStatus(None, None, None, None)
    cache_root = data_dir / CACHE_DIR_NAME
    release, synced_at = _read_cache(cache_root)
    if release is None:
        return ClinicStatus(clinic_dir, None, None, None)
    return ClinicStatus(clinic_dir, release, cache_root / release.folder, synced_at)


def sync(clinic_dir: Path | None, data_dir: Path, *, now: Clock = _now) -> ClinicStatus:
    """Bring this workstation's cache up to the clinic folder's current release, or keep
    using the cache when the folder cannot be read. Never raises."""
    cache_root = data_dir / CACHE_DIR_NAME
    cached, synced_at = _read_cache(cache_root)
    if clinic_dir is None:
        return ClinicStatus(None, None, None, None)
    try:
        release = current_release(clinic_dir)
        if cached is None or cached.seq != release.seq or cached.folder != release.folder:
            _fetch(clinic_dir, release, cache_root)
        stamp = now().isoformat()
        _write_json(cache_root / CACHE_POINTER, {"release": release.as_json(), "synced_at": stamp})
        with contextlib.suppress(OSError):  # the release cached before it is not needed now
            _prune_cache(cache_root, keep={release.folder})
        return ClinicStatus(clinic_dir, release, cache_root / release.folder, stamp)
    except NothingPublishedError as exc:
        if cached is None:
            return ClinicStatus(clinic_dir, None, None, None, message=str(exc))
        return ClinicStatus(clinic_dir, cached, cache_root / cached.folder, synced_at,
                            offline=True, message=f"{exc} Using the clinic data cached on "
                            "this PC.")
    except (ClinicFolderError, OSError) as exc:
        text = str(exc) if isinstance(exc, ClinicFolderError) else _os_message(
            exc, clinic_dir, "read")
        if cached is None:
            return ClinicStatus(clinic_dir, None, None, None, offline=True, message=text)
        since = (synced_at or "")[:16].replace("T", " ")
        return ClinicStatus(
            clinic_dir, cached, cache_root / cached.folder, synced_at, offline=True,
            message=f"{text} Using the clinic data cached on this PC (last updated {since}).",
        )


def _read_cache(cache_root: Path) -> tuple[Release | None, str | None]:
    try:
        data = _read_json(cache_root / CACHE_POINTER)
        raw = data["release"]
        release = Release(
            seq=int(raw["seq"]), folder=str(raw["folder"]),
            published_at=_shown(raw.get("published_at")),
            publisher=_shown(raw.get("publisher")), app_version=_shown(raw.get("app_version")),
            format_version=int(raw.get("format_version", 1)),
            files={k: v for k, v in dict(raw.get("files", {})).items() if k in KNOWN_FILES},
        )
        if not _RELEASE_RE.match(release.folder) or not (cache_root / release.folder).is_dir():
            return None, None
        return release, str(data.get("synced_at") or "") or None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None, None


def _fetch(clinic_dir: Path, release: Release, cache_root: Path) -> None:
    """Copy and verify a release into ``cache_root/<folder>``; older copies go."""
    cache_root.mkdir(parents=True, exist_ok=True)
    source = clinic_dir / RELEASES_DIR / release.folder
    _require_plain_dirs(clinic_dir, release.folder)
    tmp = Path(tempfile.mkdtemp(prefix=".fetch-", dir=cache_root))
    try:
        for name, entry in release.files.items():
            expected = entry.get("size")
            limit = expected if isinstance(expected, int) else MAX_FILE_BYTES
            try:
                digest, size = _copy_verified(source / name, tmp / name, limit)
            except untrusted.UntrustedFileError as exc:
                raise ClinicFolderError(f"{exc}; keeping the previous clinic data.") from exc
            if digest != entry.get("sha256") or size != entry.get("size"):
                raise ClinicFolderError(
                    f"{source / name} does not match its manifest (changed or damaged "
                    "while being published?); keeping the previous clinic data."
                )
            problem = (untrusted.schema_problem(tmp / name, check=True)
                       if name.endswith(".sqlite") else None)
            if problem is not None:
                raise ClinicFolderError(
                    f"{source / name} is not used: {problem}. Keeping the previous clinic "
                    "data; publish again from a workstation to replace it.")
        final = cache_root / release.folder
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _prune_cache(cache_root, keep={release.folder})


def _require_plain_dirs(clinic_dir: Path, folder: str) -> None:
    """A release is read only from real folders inside the share: a ``releases`` folder or
    a release folder that is a link (to anywhere) is refused."""
    for path in (clinic_dir / RELEASES_DIR, clinic_dir / RELEASES_DIR / folder):
        if not untrusted.is_plain_dir(path):
            raise ClinicFolderError(
                f"{path} is not a folder of the clinic folder (a link, or missing); it is not "
                "read.")


def _prune_cache(cache_root: Path, keep: set[str]) -> None:
    """Remove cached releases other than ``keep`` and the one the cache pointer still
    names (the caller rewrites the pointer next: a crash in between loses nothing)."""
    old, _ = _read_cache(cache_root)
    if old is not None:
        keep = keep | {old.folder}
    cutoff = time.time() - STALE_LOCK
    for entry in cache_root.iterdir():
        # a dot-folder is another process's fetch in progress, unless it is old: a fetch
        # that was killed
        if entry.name.startswith("."):
            with contextlib.suppress(OSError):
                if entry.name.startswith(".fetch-") and entry.stat().st_mtime < cutoff:
                    shutil.rmtree(entry, ignore_errors=True)
            continue
        if entry.is_dir() and entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)


def _copy_verified(src: Path, dest: Path, limit: int = MAX_FILE_BYTES) -> tuple[str, int]:
    """Copy a regular file (no link, FIFO or device: ``untrusted.open_regular``), reading
    no more than ``limit`` bytes (the manifest's size) plus one."""
    sha = hashlib.sha256()
    size = 0
    fd = untrusted.open_regular(src)
    with os.fdopen(fd, "rb") as fin, dest.open("xb") as fout:
        while chunk := fin.read(min(_CHUNK, limit + 1 - size)):
            size += len(chunk)
            if size > limit:
                raise ClinicFolderError(
                    f"{src} is larger than its manifest says; keeping the previous clinic "
                    "data.")
            sha.update(chunk)
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    return sha.hexdigest(), size


# --------------------------------------------------------------------------- helpers


def _digest(path: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def _fsync(path: Path) -> None:
    with path.open("rb+") as f:
        os.fsync(f.fileno())


def _read_json(path: Path) -> dict[str, Any]:
    """A JSON object from the share or the cache: bounded, no FIFO, no link (``untrusted``)."""
    return untrusted.read_json(path)


def _write_json(path: Path, data: Mapping[str, object]) -> None:
    """Write ``path`` atomically: a unique temp file beside it, fsync, os.replace."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):  # mkstemp makes 0600: every clinic account must read it
            os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _os_message(exc: OSError, folder: Path, verb: str) -> str:
    reason = exc.strerror or str(exc)
    return f"Cannot {verb} the clinic folder {folder}: {reason}."
