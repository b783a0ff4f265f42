"""Machine-wide settings, and where the clinic data folder comes from.

An IT person presets PT Codes for every user of a workstation with one small file (the
installers write it: NSIS ``/CLINICDIR=...``, the .deb's conffile), and a user may still
choose another clinic folder in Preferences. The clinic folder is taken from the first of:

1. the ``PTCODES_CLINIC_DIR`` environment variable (a test, a script, a terminal session);
2. the user's own choice in Preferences (kept in the user store under
   :data:`CLINIC_DIR_SETTING`; the caller passes it in, this module reads no user data);
3. the machine-wide config file, the first that exists of :func:`machine_config_paths`:

   - Windows: ``%PROGRAMDATA%\\PT Codes\\config.ini``
   - Linux: ``/etc/ptcodes-gui/config``
   - macOS: the managed preferences ``/Library/Managed Preferences/org.ptcodes.gui.plist``
     (per user ``/Library/Managed Preferences/<user>/org.ptcodes.gui.plist`` first; written
     by an MDM profile), else ``/Library/Application Support/PT Codes/config.ini``.

   ``PTCODES_CONFIG_FILE`` names another file instead (portable installs, tests).

The config file is INI text (UTF-8, or UTF-16 with a byte-order mark as Windows tools write)::

    [clinic]
    folder = \\\\server\\share\\ptcodes
    publish = yes

The plist carries the same settings as ``ClinicFolder`` (string) and ``Publish`` (boolean).

A config that cannot be read, or has bad lines, never stops the app: every problem becomes one
line naming the file (and the line), the readable settings are used, and the rest falls back to
the defaults. No function here raises for a bad file.
"""

from __future__ import annotations

import getpass
import locale
import ntpath
import os
import plistlib
import posixpath
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

#: Environment variable naming the clinic data folder; it beats every other setting.
CLINIC_DIR_ENV = "PTCODES_CLINIC_DIR"
#: Environment variable naming the machine config file to read instead of the platform's.
CONFIG_FILE_ENV = "PTCODES_CONFIG_FILE"
#: Key of the user's own clinic-folder choice in the user store (Preferences).
CLINIC_DIR_SETTING = "clinic.folder"
#: Bundle identifier of the macOS managed preferences (``defaults read org.ptcodes.gui``).
MAC_PREFERENCES_DOMAIN = "org.ptcodes.gui"

#: Settings a config file may hold: section -> key -> kind.
KNOWN_SETTINGS: dict[str, dict[str, Literal["path", "bool"]]] = {
    "clinic": {"folder": "path", "publish": "bool"},
}
#: The same settings in a macOS plist: plist key -> (section, key).
PLIST_KEYS: dict[str, tuple[str, str]] = {
    "ClinicFolder": ("clinic", "folder"),
    "Publish": ("clinic", "publish"),
}
_TRUE = {"1", "yes", "true", "on"}
_FALSE = {"0", "no", "false", "off"}
#: A config file is a few lines; anything much bigger is not one.
MAX_CONFIG_BYTES = 64 * 1024

Origin = Literal["environment", "preferences", "machine", "unset"]


@dataclass(frozen=True)
class MachineConfig:
    """What the machine-wide config file says, and what was wrong with it.

    ``source`` is the file that was read (None when there is none); ``messages`` holds one
    plain line per problem, to show the user once (status bar, startup message, log).
    """

    source: Path | None = None
    clinic_folder: str | None = None
    #: Whether this workstation may publish to the clinic folder (``[clinic] publish``).
    publish_allowed: bool = True
    #: Line of ``source`` each setting came from ("clinic.folder" -> 3); 0 for a plist.
    lines: Mapping[str, int] = field(default_factory=dict)
    messages: tuple[str, ...] = ()

    def where(self, key: str) -> str:
        """``/etc/ptcodes-gui/config line 3`` (or just the file), for messages."""
        if self.source is None:
            return "no config file"
        line = self.lines.get(key, 0)
        return f"{self.source} line {line}" if line else str(self.source)


@dataclass(frozen=True)
class ClinicFolderSetting:
    """The clinic data folder to use, and which setting chose it."""

    path: Path | None
    origin: Origin
    #: ``PTCODES_CLINIC_DIR``, ``Preferences`` or ``/etc/ptcodes-gui/config line 3``.
    detail: str
    #: Whether this workstation may publish (only the machine config can forbid it).
    publish_allowed: bool = True
    messages: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for About, ``ptcodes info`` and the Preferences dialog."""
        if self.path is None:
            return "Clinic folder: not set"
        return f"Clinic folder: {self.path} (from {self.detail})"


def machine_config_paths(
    platform: str | None = None, environ: Mapping[str, str] | None = None
) -> list[Path]:
    """The machine config files of ``platform`` (default: this one), in the order tried."""
    platform = sys.platform if platform is None else platform
    env = os.environ if environ is None else environ
    override = env.get(CONFIG_FILE_ENV, "").strip()
    if override:
        return [Path(override)]
    if platform == "win32":
        program_data = env.get("PROGRAMDATA", "").strip() or r"C:\ProgramData"
        return [Path(program_data) / "PT Codes" / "config.ini"]
    if platform == "darwin":
        managed = Path("/Library/Managed Preferences")
        paths = []
        user = _user_name(env)
        if user:
            paths.append(managed / user / f"{MAC_PREFERENCES_DOMAIN}.plist")
        paths.append(managed / f"{MAC_PREFERENCES_DOMAIN}.plist")
        paths.append(Path("/Library/Application Support/PT Codes/config.ini"))
        return paths
    return [Path("/etc/ptcodes-gui/config")]


def _user_name(env: Mapping[str, str]) -> str:
    name = env.get("USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no passwd entry (containers)
        return ""


def read_machine_config(paths: Sequence[Path] | None = None,
                        platform: str | None = None) -> MachineConfig:
    """Read the first existing file of ``paths`` (default :func:`machine_config_paths`);
    ``platform`` (default: this one) decides what an absolute folder path is.

    Never raises: an unreadable or malformed file gives the defaults plus messages.
    """
    for path in machine_config_paths(platform) if paths is None else paths:
        try:
            if not path.exists():
                continue
        except OSError as exc:  # e.g. a permission error on a parent folder
            return MachineConfig(source=path, messages=(_unreadable(path, exc),))
        if path.suffix == ".plist":
            return _read_plist(path, platform)
        return _read_ini(path, platform)
    return MachineConfig()


def _unreadable(path: Path, exc: OSError) -> str:
    reason = exc.strerror or exc.__class__.__name__
    return f"{path}: cannot read the PT Codes config file ({reason}); using the defaults."


def _load_bytes(path: Path) -> bytes | str:
    """The file's bytes, or the message explaining why there are none."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        return _unreadable(path, exc)
    if len(data) > MAX_CONFIG_BYTES:
        return (f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KB, not a PT Codes config "
                "file; using the defaults.")
    return data


def _decode(data: bytes) -> str:
    """UTF-16 with a BOM (Windows tools, the NSIS installer), UTF-8 (with or without a BOM),
    else the machine's ANSI code page (an old Notepad)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode(locale.getpreferredencoding(False) or "latin-1", errors="replace")


def _read_ini(path: Path, platform: str | None) -> MachineConfig:
    data = _load_bytes(path)
    if isinstance(data, str):
        return MachineConfig(source=path, messages=(data,))
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    messages: list[str] = []
    section = ""
    for number, raw in enumerate(_decode(data).splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            if not line.endswith("]") or len(line) < 3:
                messages.append(f"{path} line {number}: '{line}' is not a [section] header; "
                                "ignored.")
                section = "?"
                continue
            section = line[1:-1].strip().lower()
            if section not in KNOWN_SETTINGS:
                messages.append(f"{path} line {number}: unknown section [{section}]; ignored.")
            continue
        sep = min((i for i in (line.find("="), line.find(":")) if i > 0), default=-1)
        if sep < 0:
            messages.append(f"{path} line {number}: expected 'name = value', found '{line}'; "
                            "ignored.")
            continue
        key, value = line[:sep].strip().lower(), _unquote(line[sep + 1:].strip())
        if section not in KNOWN_SETTINGS:
            if not section:
                messages.append(f"{path} line {number}: '{key}' is outside a section "
                                "(put it under [clinic]); ignored.")
            continue
        if key not in KNOWN_SETTINGS[section]:
            known = ", ".join(sorted(KNOWN_SETTINGS[section]))
            messages.append(f"{path} line {number}: unknown setting '{key}' in [{section}] "
                            f"(known: {known}); ignored.")
            continue
        values[f"{section}.{key}"] = value
        lines[f"{section}.{key}"] = number
    return _build(path, values, lines, messages, platform)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def _read_plist(path: Path, platform: str | None) -> MachineConfig:
    data = _load_bytes(path)
    if isinstance(data, str):
        return MachineConfig(source=path, messages=(data,))
    try:
        loaded = plistlib.loads(data)
    except Exception as exc:  # plistlib raises expat, ValueError, ... for a damaged file
        return MachineConfig(source=path, messages=(
            f"{path}: not a valid property list ({exc}); using the defaults.",))
    if not isinstance(loaded, dict):
        return MachineConfig(source=path, messages=(
            f"{path}: the property list is not a dictionary; using the defaults.",))
    values: dict[str, str] = {}
    messages: list[str] = []
    for plist_key, value in loaded.items():
        if plist_key not in PLIST_KEYS:
            continue  # MDM profiles add their own keys (PayloadUUID, ...)
        section, key = PLIST_KEYS[plist_key]
        if isinstance(value, bool):
            values[f"{section}.{key}"] = "yes" if value else "no"
        elif isinstance(value, str):
            values[f"{section}.{key}"] = value.strip()
        else:
            messages.append(f"{path}: {plist_key} should be text or a boolean, found "
                            f"{type(value).__name__}; ignored.")
    return _build(path, values, {}, messages, platform)


def _build(path: Path, values: dict[str, str], lines: dict[str, int],
           messages: list[str], platform: str | None) -> MachineConfig:
    def where(key: str) -> str:
        return f"{path} line {lines[key]}" if lines.get(key) else str(path)

    folder: str | None = None
    raw_folder = values.get("clinic.folder", "")
    if raw_folder:
        problem = folder_problem(raw_folder, platform)
        if problem:
            messages.append(f"{where('clinic.folder')}: clinic folder {problem}; ignored.")
        else:
            folder = raw_folder
    publish = True
    raw_publish = values.get("clinic.publish", "").lower()
    if raw_publish in _FALSE:
        publish = False
    elif raw_publish and raw_publish not in _TRUE:
        messages.append(f"{where('clinic.publish')}: publish should be yes or no, found "
                        f"'{values['clinic.publish']}'; using yes.")
    return MachineConfig(source=path, clinic_folder=folder, publish_allowed=publish,
                         lines=lines, messages=tuple(messages))


def folder_problem(value: str, platform: str | None = None) -> str | None:
    """Why ``value`` cannot be a clinic folder (None when it can): it must be an absolute
    path after expanding ``~`` and environment variables (``%USERPROFILE%``, ``$HOME``)."""
    platform = sys.platform if platform is None else platform
    if any(ch in value for ch in "\x00\r\n"):
        return "contains control characters"
    expanded = _expand(value)
    is_abs = ntpath.isabs(expanded) if platform == "win32" else posixpath.isabs(expanded)
    if not is_abs:
        return (f"'{value}' is not an absolute path "
                "(e.g. \\\\server\\share\\ptcodes or /mnt/ptcodes)")
    return None


def _expand(value: str) -> str:
    return os.path.expanduser(os.path.expandvars(value.strip()))


def clinic_folder_setting(
    preference: object = None,
    *,
    environ: Mapping[str, str] | None = None,
    machine: MachineConfig | None = None,
) -> ClinicFolderSetting:
    """The clinic folder to use: ``PTCODES_CLINIC_DIR``, else ``preference`` (the user's
    Preferences choice, as stored; anything but a non-empty string counts as no choice), else
    the machine config (read now unless ``machine`` is given).

    Problems of the machine config are in ``messages`` whichever setting wins, so an IT
    person's typo is reported even on a PC where a user chose a folder of their own.
    """
    env = os.environ if environ is None else environ
    config = read_machine_config() if machine is None else machine
    messages = list(config.messages)
    publish = config.publish_allowed

    from_env = env.get(CLINIC_DIR_ENV, "").strip()
    if from_env:
        problem = folder_problem(from_env)
        if problem is None:
            return ClinicFolderSetting(Path(_expand(from_env)), "environment", CLINIC_DIR_ENV,
                                       publish, tuple(messages))
        messages.append(f"{CLINIC_DIR_ENV}: clinic folder {problem}; ignored.")
    if isinstance(preference, str) and preference.strip():
        problem = folder_problem(preference)
        if problem is None:
            return ClinicFolderSetting(Path(_expand(preference)), "preferences", "Preferences",
                                       publish, tuple(messages))
        messages.append(f"Preferences: clinic folder {problem}; ignored.")
    if config.clinic_folder:
        return ClinicFolderSetting(Path(_expand(config.clinic_folder)), "machine",
                                   config.where("clinic.folder"), publish, tuple(messages))
    return ClinicFolderSetting(None, "unset", "", publish, tuple(messages))
