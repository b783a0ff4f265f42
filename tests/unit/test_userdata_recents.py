"""Recent codes (userdata/favorites.py through the store): newest first, at most 50, and
Clear empties the list."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ptcodes_gui.userdata.store import UserStore


def test_clear_recents_empties_the_list_for_good(tmp_path: Path) -> None:
    store, _ = UserStore.open(tmp_path / "data", clock=lambda: datetime(2025, 3, 10, 9))
    for code in ("97110", "97140", "97530"):
        store.add_recent(code)
    assert store.recents() == ["97530", "97140", "97110"]
    store.clear_recents()
    assert store.recents() == []
    store.add_recent("97112")
    assert store.recents() == ["97112"]
    store.close()
    again, _ = UserStore.open(tmp_path / "data", clock=lambda: datetime(2025, 3, 10, 10))
    assert again.recents() == ["97112"]
    again.close()
