"""Shared fixtures. GUI tests run offscreen; every test gets its own app-data folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Never touch the real user's app-data folder from a test."""
    data = tmp_path / "appdata"
    monkeypatch.setenv("PTCODES_DATA_DIR", str(data))
    # nor this machine's clinic-folder settings (userdata/config.py)
    monkeypatch.setenv("PTCODES_CONFIG_FILE", str(tmp_path / "no-machine-config"))
    monkeypatch.delenv("PTCODES_CLINIC_DIR", raising=False)
    yield data


@pytest.fixture(scope="session")
def catalog():  # type: ignore[no-untyped-def]
    from ptcodes_gui.catalog import open_catalog

    cat = open_catalog()
    yield cat
    cat.close()
