"""Two workstations and one clinic folder: publish on one, use on the other, offline too."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.cli import main as cli
from ptcodes_gui.clinic.link import attach_clinic, publish_clinic
from ptcodes_gui.releases import ImportContext, apply_import, preview_import
from ptcodes_gui.session import Session, open_session
from ptcodes_gui.userdata.errors import ValidationError
from ptcodes_gui.userdata.templates import TemplateLine

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import cms_files as cms

TODAY = datetime(2026, 12, 1, 9, 30)


def _clock() -> datetime:
    return TODAY


@pytest.fixture
def clinic_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "share" / "ptcodes"
    monkeypatch.setenv("PTCODES_CLINIC_DIR", str(path))
    return path


def _open(tmp_path: Path, name: str, catalog: Catalog) -> Session:
    return open_session(tmp_path / name, catalog=catalog, clock=_clock)


def _import_mue(session: Session, tmp_path: Path, value: int) -> None:
    path = tmp_path / cms.mue_name()
    path.write_bytes(cms.mue_csv([("97110", value, 2, "Clinical: Data")]))
    context = ImportContext.from_store(session.imports, session.catalog.all_codes(), TODAY.date())
    apply_import(preview_import([path], context, source="mue"), session.imports)


@pytest.fixture
def manager(tmp_path: Path, catalog: Catalog, clinic_dir: Path) -> Iterator[Session]:
    """The office manager's PC: imports the quarter's MUE table, sets up the clinic."""
    s = _open(tmp_path, "manager", catalog)
    _import_mue(s, tmp_path, 6)
    s.store.save_profile({"name": "Medicare (13202-01)", "unit_rule": "cms",
                          "daily_timed_unit_cap": None, "medicare": True})
    s.store.save_template("Knee post-op", [TemplateLine("97110", 23), TemplateLine("97140", 15)])
    s.store.add_favorite("97530")
    yield s
    s.close()


def test_second_workstation_sees_what_the_first_published(
    tmp_path: Path, catalog: Catalog, manager: Session, clinic_dir: Path
) -> None:
    from ptcodes_gui.userdata import fee_localities

    fee_localities.set_locality(manager.store, "Medicare (13202-01)", "13202-01")
    release = publish_clinic(manager, clinic_dir)
    assert release.seq == 1
    assert set(release.files) == {"imports.sqlite", "defaults.json", "settings.json"}
    manager.close()

    pc2 = _open(tmp_path, "treatment-room", catalog)
    try:
        mue = pc2.catalog.mue("97110")
        assert mue is not None and mue.value == 6
        assert "Medicare (13202-01)" in [p["name"] for p in pc2.store.profiles()]
        assert pc2.store.get_template("Knee post-op") is not None
        assert pc2.store.origin_of_template("Knee post-op") == "clinic"
        assert fee_localities.locality_for(pc2.store, "Medicare (13202-01)") == "13202-01"
        assert "97530" in pc2.store.favorites() and pc2.store.is_clinic_favorite("97530")
        assert pc2.clinic is not None and "release 1" in pc2.clinic.describe()
        # the clinic's data is never written into this PC's own files
        assert pc2.imports.releases() == [] and pc2.store.origin_of_profile(
            "Medicare (13202-01)") == "clinic"
    finally:
        pc2.close()


def test_clinic_folder_removed_second_workstation_works_from_its_cache(
    tmp_path: Path, catalog: Catalog, manager: Session, clinic_dir: Path
) -> None:
    publish_clinic(manager, clinic_dir)
    _open(tmp_path, "front-desk", catalog).close()  # first start: fills the cache
    os.rename(clinic_dir, tmp_path / "share" / "unplugged")
    pc2 = _open(tmp_path, "front-desk", catalog)
    try:
        assert pc2.clinic is not None and pc2.clinic.status.offline
        assert "cached on this PC" in pc2.clinic.describe()
        mue = pc2.catalog.mue("97110")
        assert mue is not None and mue.value == 6
        assert pc2.store.get_template("Knee post-op") is not None
    finally:
        pc2.close()


def test_own_import_and_own_template_win_over_the_clinics(
    tmp_path: Path, catalog: Catalog, manager: Session, clinic_dir: Path
) -> None:
    publish_clinic(manager, clinic_dir)
    pc2 = _open(tmp_path, "billing", catalog)
    try:
        _import_mue(pc2, tmp_path, 4)
        mue = pc2.catalog.mue("97110")
        assert mue is not None and mue.value == 4
        pc2.store.save_template("Knee post-op", [TemplateLine("97530", 30)])
        template = pc2.store.get_template("Knee post-op")
        assert template is not None and template.lines[0].code == "97530"
        assert pc2.store.origin_of_template("Knee post-op") == "local"
    finally:
        pc2.close()


def test_clinic_templates_cannot_be_deleted_from_a_workstation(
    tmp_path: Path, catalog: Catalog, manager: Session, clinic_dir: Path
) -> None:
    publish_clinic(manager, clinic_dir)
    pc2 = _open(tmp_path, "gym", catalog)
    try:
        with pytest.raises(ValidationError, match="comes from the clinic folder"):
            pc2.store.delete_template("Knee post-op")
        assert pc2.store.get_template("Knee post-op") is not None
    finally:
        pc2.close()


def test_a_new_publish_reaches_a_running_workstation_on_resync(
    tmp_path: Path, catalog: Catalog, manager: Session, clinic_dir: Path
) -> None:
    publish_clinic(manager, clinic_dir)
    pc2 = _open(tmp_path, "gym", catalog)
    try:
        _import_mue(manager, tmp_path, 9)
        publish_clinic(manager, clinic_dir)
        attach_clinic(pc2, clinic_dir)
        mue = pc2.catalog.mue("97110")
        assert mue is not None and mue.value == 9
        assert pc2.clinic is not None and pc2.clinic.status.release is not None
        assert pc2.clinic.status.release.seq == 2
    finally:
        pc2.close()


def test_publishing_from_a_reader_keeps_the_clinics_defaults(
    tmp_path: Path, catalog: Catalog, manager: Session, clinic_dir: Path
) -> None:
    publish_clinic(manager, clinic_dir)
    pc2 = _open(tmp_path, "gym", catalog)
    try:
        publish_clinic(pc2, clinic_dir)  # a PC with nothing of its own publishes
    finally:
        pc2.close()
    pc3 = _open(tmp_path, "front", catalog)
    try:
        assert pc3.store.get_template("Knee post-op") is not None
    finally:
        pc3.close()


def test_cli_publish_then_status(
    tmp_path: Path, manager: Session, clinic_dir: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    manager.close()
    monkeypatch.setenv("PTCODES_DATA_DIR", str(tmp_path / "manager"))
    assert cli.main(["clinic", "publish"]) == 0
    out = capsys.readouterr().out
    assert "Published release 1" in out and str(clinic_dir) in out
    monkeypatch.setenv("PTCODES_DATA_DIR", str(tmp_path / "pc2"))
    assert cli.main(["clinic", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["release"]["seq"] == 1 and status["offline"] is False
    assert cli.main(["show", "97110", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["mue"]["value"] == 6


def test_cli_publish_without_a_folder_says_how_to_set_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PTCODES_CLINIC_DIR", raising=False)
    assert cli.main(["clinic", "publish"]) == 1
    assert "No clinic folder is set" in capsys.readouterr().err


def test_layered_overlay_answers_everything_the_catalog_asks() -> None:
    """A new overlay method (a new source) must be layered too, not fall back silently."""
    from ptcodes_gui.catalog.overlay import CatalogOverlay
    from ptcodes_gui.clinic.layer import LayeredOverlay

    wanted = {n for n in dir(CatalogOverlay) if not n.startswith("_")}
    assert wanted <= set(dir(LayeredOverlay)), wanted - set(dir(LayeredOverlay))
