"""Help → About → Licences: where the data comes from, and the third-party notices.

Both texts are package data: ``data/DATA-NOTICES.txt`` (checked in) and
``data/THIRD-PARTY-NOTICES.txt``, which ``packaging/notices.py`` writes into every bundle from
what the bundle contains. A development install has no bundle, so it says how to make one.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ptcodes_gui import APP_NAME
from ptcodes_gui.ui.accessibility import describe_dialog

NOTICES_NAME = "THIRD-PARTY-NOTICES.txt"
DATA_NOTICES_NAME = "DATA-NOTICES.txt"
#: Shown instead of the notices when running from a source checkout (no bundle was built).
NOT_BUILT = (
    f"This copy of {APP_NAME} runs from a development install, which has no third-party "
    "notices file: it is generated when the program is built (packaging/build.sh runs "
    "packaging/notices.py) and ships in every installer.\n\n"
    "To see what it would contain:  python packaging/notices.py --environment"
)


def package_data(name: str) -> Path:
    return Path(str(resources.files("ptcodes_gui") / "data" / name))


def read_text(path: Path, missing: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return missing


class LicencesDialog(QDialog):
    """Two read-only tabs: "Data and trademarks" and "Third-party software"."""

    def __init__(self, parent: QWidget | None = None, *, notices: Path | None = None,
                 data_notices: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME}: licences")
        self.resize(760, 560)
        self.tabs = QTabWidget(self)
        data_path = data_notices or package_data(DATA_NOTICES_NAME)
        self.data_view = self._text_view(read_text(
            data_path, f"{data_path} is missing from this installation."))
        self.notices_view = self._text_view(read_text(
            notices or package_data(NOTICES_NAME), NOT_BUILT))
        self.tabs.addTab(self.data_view, "Data and trademarks")
        self.tabs.addTab(self.notices_view, "Third-party software")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        describe_dialog(self)

    def _text_view(self, text: str) -> QPlainTextEdit:
        view = QPlainTextEdit(self)
        view.setReadOnly(True)
        # The notices are laid out in fixed columns and carry licence texts wrapped at 80.
        view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        view.setPlainText(text)
        return view


def show_licences(parent: QWidget | None = None) -> None:
    LicencesDialog(parent).exec()
