"""Favorites a bundle brings come after the user's own, in the bundle's order (what the
Favorites filter lists), and importing the same bundle twice adds nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from ptcodes_gui.userdata import bundles
from ptcodes_gui.userdata.store import UserStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[UserStore]:
    s, _ = UserStore.open(tmp_path / "data", clock=lambda: datetime(2026, 12, 6, 9, 0))
    yield s
    s.close()


def test_bundle_favorites_follow_the_users_own_in_order(store: UserStore,
                                                         tmp_path: Path) -> None:
    store.add_favorite("97110")
    store.add_favorite("97530")
    path = tmp_path / "clinic.json"
    path.write_text(json.dumps({"format": bundles.BUNDLE_FORMAT, "version": 1,
                                "favorites": ["97140", "97530", "97112", "97116"]}),
                    encoding="utf-8")
    assert store.import_bundle(path).favorites_added == 3
    assert store.favorites() == ["97110", "97530", "97140", "97112", "97116"]
    assert store.import_bundle(path).favorites_added == 0
    assert store.favorites() == ["97110", "97530", "97140", "97112", "97116"]
