"""PySide6 6.12.0 leaks references to None on CPython 3.11 and aborts the process
(`none_dealloc`) after a few thousand void calls. The pin in pyproject keeps us below it;
this test fails if a broken build slips in."""

from __future__ import annotations

import sys

import pytest


def test_void_calls_do_not_leak_none(qapp: object) -> None:
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    label.setText("warm up")
    before = sys.getrefcount(None)
    for i in range(2000):
        label.setText(str(i))
    after = sys.getrefcount(None)
    assert abs(after - before) < 50, f"None refcount drifted by {after - before}"


def test_pinned_below_612() -> None:
    import PySide6

    major, minor = (int(x) for x in PySide6.__version__.split(".")[:2])
    if (major, minor) >= (6, 12):
        pytest.fail(f"PySide6 {PySide6.__version__} is at or above the broken 6.12 line")
