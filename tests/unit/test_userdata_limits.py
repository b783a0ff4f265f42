"""What the user store accepts (userdata/store.py): a template of 50 lines, a name of 80
characters, a setting name of 200; one more is refused with a sentence and nothing saved."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from ptcodes_gui.userdata.store import TemplateLine, UserStore, ValidationError


@pytest.fixture
def store(tmp_path: Path) -> Iterator[UserStore]:
    s, _ = UserStore.open(tmp_path / "data", clock=lambda: datetime(2025, 3, 10, 9))
    yield s
    s.close()


def test_a_template_holds_50_lines_not_51(store: UserStore) -> None:
    lines = [TemplateLine("97110", 15)] * 50
    store.save_template("Fifty", lines)
    assert len(store.get_template("Fifty").lines) == 50  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="at most 50 lines"):
        store.save_template("Fifty-one", [*lines, TemplateLine("97140", 15)])
    assert store.get_template("Fifty-one") is None


def test_a_template_name_holds_80_characters_not_81(store: UserStore) -> None:
    store.save_template("K" * 80, [TemplateLine("97110", 15)])
    assert store.get_template("K" * 80) is not None
    with pytest.raises(ValidationError, match="longer than 80 characters"):
        store.save_template("K" * 81, [TemplateLine("97110", 15)])


def test_a_setting_name_holds_200_characters_not_201(store: UserStore) -> None:
    store.set_setting("s" * 200, True)
    assert store.get_setting("s" * 200) is True
    with pytest.raises(ValidationError, match="1-200 characters"):
        store.set_setting("s" * 201, True)
    assert store.get_setting("s" * 201) is None
