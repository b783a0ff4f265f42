"""Where the application icon lives inside the package (works frozen and from source)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def app_icon_path() -> Path | None:
    base = Path(str(resources.files("ptcodes_gui") / "data" / "icons"))
    for name in ("ptcodes-gui.svg", "ptcodes-gui-256.png", "ptcodes-gui.png"):
        candidate = base / name
        if candidate.is_file():
            return candidate
    return None
