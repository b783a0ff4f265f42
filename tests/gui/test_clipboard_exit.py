""""Copy and quit" leaves the visit on the clipboard after the program exited (issue 24).

The real app on Xvfb with the xcb platform, driven by the keyboard (xdotool), the clipboard
read with xclip: with no clipboard manager the program waits, without a window, until the
visit is pasted; with Parcellite (a history manager that polls) the text is still there
after the program exited. The offscreen part checks the bookkeeping behind it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ptcodes_gui.ui import clipboard

TOOLS = ("Xvfb", "xclip", "xdotool")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]
needs_x = pytest.mark.skipif(
    bool(MISSING) or sys.platform != "linux",
    reason=f"needs Linux with {', '.join(MISSING) or 'X tools'} "
    "(apt-get install xvfb xclip xdotool)",
)
VISIT = "97110 GP x2 (25 min)"


def test_a_copy_is_kept_until_read(qtbot: QtBot) -> None:
    clipboard.put_text("97110 GP x1")
    assert not clipboard.was_taken()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == "97110 GP x1"  # a paste reads it
    assert clipboard.was_taken()
    assert not clipboard.must_wait_at_exit()
    assert clipboard.keep(0.1) is False  # nothing to wait for


def _free_display() -> str:
    n = 81
    while Path(f"/tmp/.X{n}-lock").exists():
        n += 1
    return f":{n}"


@pytest.fixture
def xserver() -> Iterator[dict[str, str]]:
    display = _free_display()
    proc = subprocess.Popen(["Xvfb", display, "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    socket = Path(f"/tmp/.X11-unix/X{display[1:]}")
    for _ in range(100):
        if socket.exists():
            break
        time.sleep(0.05)
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    env.pop("WAYLAND_DISPLAY", None)
    yield env
    proc.terminate()
    proc.wait(10)


def _run(env: dict[str, str], *args: str, timeout: float = 10) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)
    return done.stdout


def _clip(env: dict[str, str]) -> str:
    return _run(env, "xclip", "-o", "-selection", "clipboard", timeout=5)


def _focus(env: dict[str, str], title: str) -> None:
    found = _run(env, "xdotool", "search", "--sync", "--onlyvisible", "--name", title,
                 timeout=30).split()
    assert found, f"no window {title!r}"
    _run(env, "xdotool", "windowfocus", "--sync", found[-1])
    time.sleep(0.4)


def _key(env: dict[str, str], *keys: str) -> None:
    _run(env, "xdotool", "key", "--clearmodifiers", "--delay", "80", *keys)
    time.sleep(0.4)


def _copy_and_quit(env: dict[str, str], data: Path) -> subprocess.Popen[bytes]:
    """Start the app, add 97110=25 keyboard only, Ctrl+Q, Enter on "Copy and quit"."""
    app = subprocess.Popen([sys.executable, "-m", "ptcodes_gui", "--data-dir", str(data)],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _focus(env, "^PT Codes$")
    time.sleep(1.0)
    _key(env, "ctrl+shift+a")
    _run(env, "xdotool", "type", "--delay", "40", "97110=25")
    _key(env, "Return", "Escape")
    _key(env, "ctrl+q")
    _focus(env, "^Visit not copied$")
    _key(env, "Return")
    return app


@needs_x
def test_copy_and_quit_without_a_clipboard_manager(xserver: dict[str, str],
                                                   tmp_path: Path) -> None:
    subprocess.run(["xclip", "-i", "-selection", "clipboard"], input=b"before",
                   env=xserver, check=True, timeout=5)
    app = _copy_and_quit(xserver, tmp_path / "data")
    try:
        time.sleep(1.5)
        assert app.poll() is None, "quit before the visit was pasted: it would be lost"
        assert _clip(xserver).startswith(VISIT)  # the paste, window closed
        app.wait(10)  # and then it goes
        assert app.returncode == 0
    finally:
        if app.poll() is None:
            app.kill()


@needs_x
@pytest.mark.skipif(shutil.which("parcellite") is None,
                    reason="needs the parcellite clipboard manager (apt-get install parcellite)")
def test_copy_and_quit_with_parcellite(xserver: dict[str, str], tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    subprocess.run(["xclip", "-i", "-selection", "clipboard"], input=b"before",
                   env=xserver, check=True, timeout=5)
    manager = subprocess.Popen(["parcellite", "-n"], env={**xserver, "HOME": str(home)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.5)
        app = _copy_and_quit(xserver, tmp_path / "data")
        app.wait(15)  # the manager reads it within a second; then the app goes
        assert app.returncode == 0
        time.sleep(1.0)
        assert _clip(xserver).startswith(VISIT)  # read after the program exited
    finally:
        manager.terminate()
        manager.wait(10)


_OWN_READ = """
import subprocess, time
from PySide6.QtWidgets import QApplication
app = QApplication([])
from ptcodes_gui.ui import clipboard
clipboard.put_text("97110 GP x1")
app.processEvents()
assert QApplication.clipboard().text() == "97110 GP x1"  # e.g. a context menu's Paste check
assert not clipboard.was_taken(), "our own read is no paste"
reader = subprocess.Popen(["xclip", "-o", "-selection", "clipboard"], stdout=subprocess.PIPE)
end = time.time() + 5
while reader.poll() is None and time.time() < end:
    app.processEvents()
assert reader.stdout.read() == b"97110 GP x1"
assert clipboard.was_taken()
print("ok")
"""


@needs_x
def test_only_another_programs_read_counts(xserver: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-c", _OWN_READ], env=xserver, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.stdout.strip() == "ok", done.stderr
