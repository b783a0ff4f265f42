"""Composition root: resolves paths, opens the stores, builds the window.

(Placeholder window until the main-window work lands; the --smoke-test contract is final.)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ptcodes-gui")
    parser.add_argument("--smoke-test", action="store_true")
    args = parser.parse_args(argv)
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    win = QMainWindow()
    win.setWindowTitle("PT Codes")
    win.setCentralWidget(QLabel("PT Codes"))
    win.show()
    if args.smoke_test:
        app.clipboard().setText("97110")
        return 0
    return app.exec()
