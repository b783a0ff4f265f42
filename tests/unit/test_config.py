"""Machine-wide config and the clinic-folder precedence (userdata/config.py)."""

from __future__ import annotations

import os
import plistlib
import sys
from pathlib import Path

import pytest

from ptcodes_gui.userdata.config import (
    CLINIC_DIR_ENV,
    CONFIG_FILE_ENV,
    MachineConfig,
    clinic_folder_setting,
    folder_problem,
    machine_config_paths,
    read_machine_config,
)

ROOT = Path(__file__).resolve().parents[2]
DEB_TEMPLATE = ROOT / "packaging" / "linux" / "config"


def _ini(tmp_path: Path, text: str, name: str = "config") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_platform_config_locations() -> None:
    assert machine_config_paths("linux", {}) == [Path("/etc/ptcodes-gui/config")]
    win = machine_config_paths("win32", {"PROGRAMDATA": r"D:\ProgramData"})
    assert [str(p).replace("\\", "/") for p in win] == ["D:/ProgramData/PT Codes/config.ini"]
    mac = [str(p) for p in machine_config_paths("darwin", {"USER": "front"})]
    assert mac == [
        "/Library/Managed Preferences/front/org.ptcodes.gui.plist",
        "/Library/Managed Preferences/org.ptcodes.gui.plist",
        "/Library/Application Support/PT Codes/config.ini",
    ]
    assert machine_config_paths("linux", {CONFIG_FILE_ENV: "/srv/pt.ini"}) == [Path("/srv/pt.ini")]


def test_no_config_file_means_defaults(tmp_path: Path) -> None:
    config = read_machine_config([tmp_path / "missing"])
    assert config == MachineConfig()
    setting = clinic_folder_setting(None, environ={}, machine=config)
    assert setting.path is None and setting.origin == "unset"
    assert setting.describe() == "Clinic folder: not set"


def test_config_file_sets_the_clinic_folder(tmp_path: Path) -> None:
    share = tmp_path / "share"
    path = _ini(tmp_path, f"# set by IT\n[clinic]\nfolder = {share}\npublish = no\n")
    config = read_machine_config([path])
    assert config.messages == ()
    assert config.publish_allowed is False
    setting = clinic_folder_setting(None, environ={}, machine=config)
    assert setting.path == share
    assert setting.origin == "machine"
    assert setting.detail == f"{path} line 3"
    assert setting.describe() == f"Clinic folder: {share} (from {path} line 3)"


def test_precedence_environment_then_preferences_then_machine(tmp_path: Path) -> None:
    machine = read_machine_config([_ini(tmp_path, f"[clinic]\nfolder={tmp_path / 'it'}\n")])
    env = {CLINIC_DIR_ENV: str(tmp_path / "env")}
    mine = str(tmp_path / "mine")
    assert clinic_folder_setting(mine, environ=env, machine=machine).path == tmp_path / "env"
    chosen = clinic_folder_setting(mine, environ={}, machine=machine)
    assert (chosen.path, chosen.origin) == (tmp_path / "mine", "preferences")
    # an empty or non-text stored choice is no choice
    for nothing in ("", "   ", None, 3):
        fallback = clinic_folder_setting(nothing, environ={CLINIC_DIR_ENV: " "}, machine=machine)
        assert (fallback.path, fallback.origin) == (tmp_path / "it", "machine")


def test_bad_values_are_reported_and_the_next_setting_used(tmp_path: Path) -> None:
    machine = read_machine_config([_ini(tmp_path, f"[clinic]\nfolder = {tmp_path}\n")])
    setting = clinic_folder_setting("relative/dir", environ={CLINIC_DIR_ENV: "also-relative"},
                                    machine=machine)
    assert setting.path == tmp_path and setting.origin == "machine"
    assert [m.split(":")[0] for m in setting.messages] == [CLINIC_DIR_ENV, "Preferences"]
    assert "not an absolute path" in setting.messages[0]


def test_malformed_lines_are_named_and_the_rest_is_read(tmp_path: Path) -> None:
    path = _ini(tmp_path, (
        "folder = /outside\n"          # 1: outside a section
        "[clinic\n"                    # 2: broken header
        "[clinic]\n"                   # 3
        "this line has no value\n"     # 4
        "colour = blue\n"              # 5: unknown key
        f"folder = {tmp_path}\n"       # 6
        "publish = perhaps\n"          # 7
        "[network]\n"                  # 8: unknown section
        "proxy = x\n"
    ))
    config = read_machine_config([path])
    assert config.clinic_folder == str(tmp_path)
    assert config.publish_allowed is True
    by_line = {m.split(":")[0]: m for m in config.messages}
    assert sorted(by_line) == [f"{path} line {n}" for n in (1, 2, 4, 5, 7, 8)]
    assert "unknown setting 'colour'" in by_line[f"{path} line 5"]
    assert "yes or no" in by_line[f"{path} line 7"]


def test_relative_folder_in_config_is_refused(tmp_path: Path) -> None:
    path = _ini(tmp_path, "[clinic]\nfolder = shared\\ptcodes\n")
    config = read_machine_config([path])
    assert config.clinic_folder is None
    assert config.messages == (
        f"{path} line 2: clinic folder 'shared\\ptcodes' is not an absolute path "
        "(e.g. \\\\server\\share\\ptcodes or /mnt/ptcodes); ignored.",
    )


def test_unc_path_and_windows_variables() -> None:
    assert folder_problem(r"\\server\share\ptcodes", platform="win32") is None
    assert folder_problem(r"C:\Clinic", platform="win32") is None
    assert folder_problem(r"share\ptcodes", platform="win32") is not None
    assert folder_problem("/mnt/ptcodes", platform="linux") is None
    assert folder_problem("~/ptcodes", platform="linux") is None  # expanded first


def test_the_file_the_windows_installer_wrote(tmp_path: Path) -> None:
    """Byte for byte what packaging/windows/ptcodes.nsi wrote under Wine for
    ``setup.exe /S /CLINICDIR="\\\\fileserver\\PT share\\ptcodes" /PUBLISH=no``."""
    text = ("; PT Codes machine-wide settings, written by the installer (0.1.0).\r\n"
            "; Every user of this PC gets this clinic folder unless they choose another\r\n"
            "; in Preferences (PTCODES_CLINIC_DIR beats both). See DEPLOYING.md.\r\n"
            "[clinic]\r\nfolder = \\\\fileserver\\PT share\\ptcodes\r\npublish = no\r\n")
    path = tmp_path / "config.ini"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    config = read_machine_config([path], platform="win32")
    assert (config.clinic_folder, config.publish_allowed, config.messages) == (
        r"\\fileserver\PT share\ptcodes", False, ())
    assert config.where("clinic.folder") == f"{path} line 5"


def test_utf16_file_as_the_windows_installer_writes_it(tmp_path: Path) -> None:
    """NSIS writes config.ini as UTF-16LE with a BOM (FileWriteUTF16LE /BOM), CRLF lines."""
    path = tmp_path / "config.ini"
    text = "; written by the PT Codes installer\r\n[clinic]\r\nfolder=/srv/Praxis Müller\r\n"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    config = read_machine_config([path])
    assert config.messages == ()
    assert config.clinic_folder == "/srv/Praxis Müller"


def test_utf8_bom_and_quotes(tmp_path: Path) -> None:
    path = tmp_path / "config.ini"
    path.write_bytes('\ufeff[Clinic]\nFolder = "/srv/pt codes"\n'.encode())
    assert read_machine_config([path]).clinic_folder == "/srv/pt codes"


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="root reads any file; Windows has no chmod 000")
def test_unreadable_file_gives_a_message_not_an_error(tmp_path: Path) -> None:
    path = _ini(tmp_path, "[clinic]\nfolder = /srv\n")
    path.chmod(0)
    try:
        config = read_machine_config([path])
    finally:
        path.chmod(0o644)
    assert config.clinic_folder is None
    assert config.messages and "cannot read" in config.messages[0]


def test_a_folder_instead_of_a_file_gives_a_message(tmp_path: Path) -> None:
    """Also the case an unreadable file takes as root: read_machine_config never raises."""
    (tmp_path / "config").mkdir()
    config = read_machine_config([tmp_path / "config"])
    assert config.clinic_folder is None
    assert len(config.messages) == 1
    assert "cannot read the PT Codes config file" in config.messages[0]


def test_binary_garbage_and_huge_files(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage"
    garbage.write_bytes(bytes(range(256)) * 4)
    config = read_machine_config([garbage])
    assert config.clinic_folder is None and config.messages
    huge = tmp_path / "huge"
    huge.write_bytes(b"# x\n" * 20000)
    assert "larger than" in read_machine_config([huge]).messages[0]


def test_managed_plist(tmp_path: Path) -> None:
    path = tmp_path / "org.ptcodes.gui.plist"
    path.write_bytes(plistlib.dumps({
        "ClinicFolder": "/Volumes/Clinic/ptcodes", "Publish": False, "PayloadUUID": "x",
    }, fmt=plistlib.FMT_BINARY))
    config = read_machine_config([path])
    assert (config.clinic_folder, config.publish_allowed, config.messages) == (
        "/Volumes/Clinic/ptcodes", False, ())
    setting = clinic_folder_setting(None, environ={}, machine=config)
    assert setting.detail == str(path)
    path.write_bytes(b"<?xml version='1.0'?><plist><dict><key>Clin")
    assert "not a valid property list" in read_machine_config([path]).messages[0]
    path.write_bytes(plistlib.dumps({"ClinicFolder": 5}))
    assert "should be text" in read_machine_config([path]).messages[0]


def test_first_existing_file_wins(tmp_path: Path) -> None:
    second = _ini(tmp_path, "[clinic]\nfolder = /second\n", name="second.ini")
    assert read_machine_config([tmp_path / "first.plist", second]).clinic_folder == "/second"


def test_config_file_env_is_read_by_default(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = _ini(tmp_path, "[clinic]\nfolder = /srv/clinic\n")
    monkeypatch.setenv(CONFIG_FILE_ENV, str(path))
    monkeypatch.delenv(CLINIC_DIR_ENV, raising=False)
    assert clinic_folder_setting().path == Path("/srv/clinic")


def test_deb_conffile_template_is_inert_until_edited(tmp_path: Path) -> None:
    """The .deb ships packaging/linux/config: all comments, so nothing is set; uncommenting
    its example line is all an IT person has to do."""
    template = DEB_TEMPLATE.read_text(encoding="utf-8")
    assert read_machine_config([DEB_TEMPLATE]) == MachineConfig(source=DEB_TEMPLATE)
    example = next(line for line in template.splitlines() if line.startswith("#folder"))
    edited = _ini(tmp_path, template.replace(example, example.lstrip("#")))
    config = read_machine_config([edited])
    assert config.messages == ()
    assert config.clinic_folder == example.split("=", 1)[1].strip()


def test_ptcodes_info_names_app_version_and_clinic_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What IT runs after a silent install to see that the setting arrived."""
    import json

    from ptcodes_gui import __version__
    from ptcodes_gui.cli import main as cli

    path = _ini(tmp_path, "[clinic]\nfolder = /srv/clinic\ncolour = blue\n")
    monkeypatch.setenv(CONFIG_FILE_ENV, str(path))
    assert cli.main(["info"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == (
        f"PT Codes {__version__}; Clinic folder: /srv/clinic (from {path} line 2)")
    assert err == f"{path} line 3: unknown setting 'colour' in [clinic] (known: folder, " \
        "publish); ignored.\n"
    assert cli.main(["info", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["app_version"], data["clinic_folder"]) == (__version__, "/srv/clinic")
    assert data["catalog_version"]

