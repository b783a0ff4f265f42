"""``settle_heap`` (run by the app a second after start): what was alive then leaves the
collector's walks, and garbage made later is still collected (no leak while typing)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from ptcodes_gui.app import settle_heap


@pytest.fixture
def settled() -> Iterator[None]:
    settle_heap()
    yield
    gc.unfreeze()


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


def test_later_garbage_is_still_collected(settled: None) -> None:
    assert gc.get_freeze_count() > 0  # start-up objects are out of the walks
    node = _Node()
    gone = weakref.ref(node)
    del node
    gc.collect()
    assert gone() is None


def test_start_up_garbage_is_freed_before_the_freeze() -> None:
    gc.unfreeze()
    node = _Node()
    gone = weakref.ref(node)
    del node
    settle_heap()
    try:
        assert gone() is None  # collected, not frozen for the life of the program
    finally:
        gc.unfreeze()
