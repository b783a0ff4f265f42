"""``ptcodes clinic publish|status``: the clinic data folder from a terminal (Qt-free).

``publish [DIR]`` puts this workstation's imports, ICD-10-CM release and set-up (profiles,
templates, favorites) into the clinic folder as a new release; ``status`` says which
release this workstation uses and whether it is working from its cache.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ptcodes_gui.catalog import Catalog

EXIT_OK, EXIT_REFUSED = 0, 1
HOW_TO_SET = (
    "No clinic folder is set: give one (ptcodes clinic publish DIR), set PTCODES_CLINIC_DIR, "
    "choose one in the window (File → Preferences), or ask IT to set it in the machine config."
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("clinic", help="the clinic data folder shared by the clinic's PCs")
    verbs = p.add_subparsers(dest="clinic_command", required=True)
    pub = verbs.add_parser("publish", help="publish this PC's imports and set-up")
    pub.add_argument("folder", nargs="?", type=Path, default=None,
                     help="the clinic folder (default: the one configured)")
    pub.set_defaults(func=_cmd_publish)
    st = verbs.add_parser("status", help="which clinic release this PC uses")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=_cmd_status)


def _cmd_publish(args: argparse.Namespace, catalog: Catalog) -> int:
    from ptcodes_gui.clinic.folder import ClinicFolderError
    from ptcodes_gui.clinic.link import clinic_dir_for, publish_clinic
    from ptcodes_gui.userdata.config import clinic_folder_setting

    session = args.session
    folder = args.folder
    if folder is None:
        folder, _problems = clinic_dir_for(session)
    if folder is None:
        sys.stderr.write(HOW_TO_SET + "\n")
        return EXIT_REFUSED
    if not clinic_folder_setting().publish_allowed:
        sys.stderr.write("Publishing is turned off on this PC by its machine config "
                         "(clinic.publish = no).\n")
        return EXIT_REFUSED
    try:
        release = publish_clinic(session, folder)
    except ClinicFolderError as exc:
        sys.stderr.write(f"Nothing was published: {exc}\n")
        return EXIT_REFUSED
    sys.stdout.write(f"Published release {release.seq} to {folder}: "
                     f"{', '.join(sorted(release.files))}.\n")
    return EXIT_OK


def _cmd_status(args: argparse.Namespace, catalog: Catalog) -> int:
    link = args.session.clinic
    if args.json:
        data = link.status.as_json() if link is not None else {
            "folder": None, "release": None, "offline": False, "message": HOW_TO_SET}
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write((link.describe() if link is not None else HOW_TO_SET) + "\n")
    return EXIT_OK
