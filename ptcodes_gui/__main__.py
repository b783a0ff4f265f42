"""``python -m ptcodes_gui`` opens the window."""

from __future__ import annotations

import sys

from ptcodes_gui.app import main

if __name__ == "__main__":
    sys.exit(main())
