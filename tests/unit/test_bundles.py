"""Bundles (export/import of favorites, templates, profiles): hostile files are refused
quickly with a one-line message naming the file; export never writes through a planted
file; 50,000 favorites import in one batch."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from ptcodes_gui.userdata import bundles
from ptcodes_gui.userdata.store import BundleError, TemplateLine, UserStore

NOW = datetime(2025, 3, 10, 9, 0)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[UserStore]:
    s, _ = UserStore.open(tmp_path / "data", clock=lambda: NOW)
    yield s
    s.close()


def _refused(store: UserStore, path: Path, *words: str) -> str:
    before = (store.favorites(), store.templates(), store.profiles())
    with pytest.raises(BundleError) as caught:
        store.import_bundle(path)
    text = str(caught.value)
    assert "\n" not in text and path.name in text
    for word in words:
        assert word in text
    assert (store.favorites(), store.templates(), store.profiles()) == before
    return text


def test_ten_million_nested_brackets_are_refused(store: UserStore, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(b"[" * 10_000_000 + b"]" * 10_000_000)
    _refused(store, path, "nested too deeply")


def test_moderately_deep_nesting_is_refused_too(store: UserStore, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    inner = "[" * 50 + "]" * 50
    path.write_text(json.dumps({"format": bundles.BUNDLE_FORMAT, "version": 1})[:-1]
                    + f', "favorites": {inner}}}', encoding="utf-8")
    _refused(store, path, "nested too deeply")


def test_a_5000_digit_integer_is_refused(store: UserStore, tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text('{"format": "ptcodes-userdata-bundle", "version": ' + "9" * 5000 + "}",
                    encoding="utf-8")
    _refused(store, path, "more than 15 digits")


def test_nan_is_refused(store: UserStore, tmp_path: Path) -> None:
    path = tmp_path / "nan.json"
    path.write_text('{"format": "ptcodes-userdata-bundle", "version": NaN}', encoding="utf-8")
    _refused(store, path, "NaN")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_symlink_to_dev_zero_is_refused_without_reading(
    store: UserStore, tmp_path: Path
) -> None:
    path = tmp_path / "zero.json"
    path.symlink_to("/dev/zero")
    _refused(store, path, "device")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_hanging(store: UserStore, tmp_path: Path) -> None:
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    _refused(store, path, "pipe")


def test_a_folder_and_a_missing_file_are_refused(store: UserStore, tmp_path: Path) -> None:
    folder = tmp_path / "folder.json"
    folder.mkdir()
    _refused(store, folder, "folder")
    _refused(store, tmp_path / "gone.json", "could not be read")


def test_an_oversized_file_is_refused_by_its_size(store: UserStore, tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:
        handle.truncate(bundles.MAX_BUNDLE_BYTES + 1)  # sparse: nothing to read
    _refused(store, path, "larger than 20 MB")


def test_fifty_thousand_favorites_import_in_one_batch(store: UserStore, tmp_path: Path) -> None:
    codes = [f"A{n:05d}" for n in range(50_000)]
    path = tmp_path / "many.json"
    path.write_text(json.dumps({"format": bundles.BUNDLE_FORMAT, "version": 1,
                                "favorites": codes}), encoding="utf-8")
    started = time.perf_counter()
    summary = store.import_bundle(path)
    elapsed = time.perf_counter() - started
    print(f"\n50,000-favorite bundle imported in {elapsed:.3f} s")  # measured, not asserted
    assert summary.favorites_added == 50_000
    assert store.favorites() == codes
    again = store.import_bundle(path)
    assert again.favorites_added == 0


def test_preview_lists_replacements_before_anything_changes(
    store: UserStore, tmp_path: Path
) -> None:
    store.save_template("Knee", [TemplateLine("97110")])
    path = tmp_path / "b.json"
    path.write_text(json.dumps({
        "format": bundles.BUNDLE_FORMAT, "version": 1, "favorites": ["97140"],
        "templates": [{"name": "KNEE", "lines": [{"code": "97530"}]},
                      {"name": "Hip", "lines": [{"code": "97116"}]}],
    }), encoding="utf-8")
    preview = store.preview_bundle(bundles.read_bundle(path, NOW))
    assert preview.summary.templates_replaced == ("KNEE",)
    assert preview.summary.templates_added == ("Hip",)
    assert preview.summary.favorites_added == 1
    assert "REPLACED" in preview.text() and "KNEE" in preview.text()
    assert store.get_template("Knee").lines == (TemplateLine("97110"),)  # type: ignore[union-attr]
    assert store.favorites() == []


def test_export_never_writes_through_a_planted_symlink(store: UserStore, tmp_path: Path) -> None:
    store.add_favorite("97110")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    out = tmp_path / "export.json"
    (tmp_path / ".export.json.tmp").symlink_to(victim)  # the old fixed temp name
    store.export_bundle(out)
    assert victim.read_text(encoding="utf-8") == "precious"
    assert json.loads(out.read_text(encoding="utf-8"))["favorites"] == ["97110"]
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == [".export.json.tmp"]  # ours is gone, the planted one untouched


def test_export_replaces_a_symlink_at_the_target_not_its_target(
    store: UserStore, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    out = tmp_path / "export.json"
    out.symlink_to(victim)
    store.export_bundle(out)
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not out.is_symlink()
