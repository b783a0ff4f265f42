"""Help → About → Licences (ui/licences_dialog.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from ptcodes_gui import __version__
from ptcodes_gui.ui import licences_dialog
from ptcodes_gui.ui.licences_dialog import NOT_BUILT, LicencesDialog
from ptcodes_gui.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


def _generate(out: Path) -> None:
    spec = importlib.util.spec_from_file_location("ptcodes_notices_gui",
                                                  ROOT / "packaging" / "notices.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.write_notices(out, ["sqlite_utils", "PySide6.QtCore"], ["libicuuc.so.73"])


def test_licences_show_the_bundles_notices_and_the_data_sources(qtbot: QtBot,
                                                                 tmp_path: Path) -> None:
    notices = tmp_path / "THIRD-PARTY-NOTICES.txt"
    _generate(notices)
    dialog = LicencesDialog(notices=notices)
    qtbot.addWidget(dialog)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "Data and trademarks", "Third-party software"]
    data = " ".join(dialog.data_view.toPlainText().split())
    assert "CPT is a registered trademark of the American Medical Association" in data
    assert "(NCHS)" in data and "Centers for Medicare & Medicaid Services" in data
    text = dialog.notices_view.toPlainText()
    assert "sqlite-utils==" in text and "PySide6_Essentials==" in text
    assert "Replacing the Qt libraries" in text
    assert dialog.notices_view.isReadOnly()


def test_a_development_install_says_where_the_notices_come_from(qtbot: QtBot,
                                                                tmp_path: Path) -> None:
    dialog = LicencesDialog(notices=tmp_path / "absent.txt")
    qtbot.addWidget(dialog)
    assert dialog.notices_view.toPlainText() == NOT_BUILT


# The offscreen platform warns when a real modal box is shown; harmless (tests/packaged too).
@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
def test_about_shows_both_versions_and_opens_the_licences(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = window.catalog.info()
    text = window.about_text()
    assert f"App version {__version__}" in text
    assert f"content version {info.catalog_version}" in text
    opened: list[object] = []
    monkeypatch.setattr(licences_dialog, "show_licences", lambda parent=None: opened.append(parent))

    tries = [0]

    def click_licences() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            tries[0] += 1
            if tries[0] < 200:
                QTimer.singleShot(10, click_licences)  # the box is not up yet
            return
        buttons = [b for b in box.buttons() if b.text().startswith("Licences")]
        if buttons:
            buttons[0].click()
        else:
            box.close()  # no Licences button: let the assertion below say so

    QTimer.singleShot(0, click_licences)
    window.show_about()
    assert opened == [window]
