"""Fixtures of the import tests: a session on the shared catalog, at a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.session import Session, open_session


def _clock() -> datetime:
    return datetime(2026, 12, 1, 9, 30)


@pytest.fixture
def session(tmp_path: Path, catalog: Catalog) -> Iterator[Session]:
    """A fresh data folder on the session-wide catalog, imports stamped 2026-12-01 09:30."""
    s = open_session(tmp_path / "data", catalog=catalog, clock=_clock)
    yield s
    s.close()
