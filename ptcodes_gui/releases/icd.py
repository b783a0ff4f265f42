"""Imported ICD-10-CM releases in the user's data folder: which one is in use, and when.

Composition code (like ``session.py``): it joins ``releases.icd_build`` (reading and
writing a release database) with the user's data folder. Each imported release is one
database, ``<data dir>/icd10cm/FY2027.sqlite`` (``FY2026-april.sqlite`` for an April update),
kept after a newer one arrives, so a visit dated before a release's effective date can be
checked against the release then in force. ``active.json`` names the one in use; without it
the shipped set is used. Nothing here writes to the shipped catalog.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ptcodes_gui.catalog.repository import Catalog
from ptcodes_gui.releases import icd_build as rel
from ptcodes_gui.userdata.backup import remove_stale_temps

RELEASE_DIR = "icd10cm"
ACTIVE_FILE = "active.json"
HOW_TO_UPDATE = (
    "download the next release's \"Code Descriptions in Tabular Order\" and \"Code Tables, "
    "Tabular and Index\" zips from cms.gov (ICD-10 → ICD-10-CM) and run "
    "ptcodes import icd10cm ZIP... --apply (or File → Import in the window)"
)


class IcdImportError(ValueError):
    """One line naming the file (and line); nothing was changed."""


@dataclass(frozen=True)
class IcdImportPreview:
    release: rel.IcdRelease
    diff: rel.IcdDiff
    current: rel.IcdReleaseInfo | None  # the release in use (None: unknown)
    older: bool  # the new release is older than the one in use
    today: date | None = None  # when previewed: a release superseded by then says so

    def text(self) -> str:
        info = self.release.info
        lines = [
            f"Release: {info.label}",
            f"Effective: {info.effective}   superseded on: {info.superseded}",
            f"Files: {', '.join(info.files)}",
            f"Entries: {info.rows:,} ({info.billable:,} billable codes); Index search "
            f"phrases: {info.index_terms:,}",
        ]
        if self.current is not None:
            lines.append(f"Compared with the release in use: {self.current.label}")
        lines += self.diff.lines()
        lines += self.release.notes
        if self.today is not None and info.superseded_by_date(self.today):
            lines.append(
                f"This release was superseded on {info.superseded} (ICD-10-CM "
                f"FY{info.fiscal_year + 1} took effect): visits dated from then are checked "
                f"against it only until a newer release is imported. To be current: "
                f"{HOW_TO_UPDATE}."
            )
        if self.older and self.current is not None:
            lines.append(
                f"This release is OLDER than {self.current.label} in use: importing it goes "
                "back (--allow-older in the CLI)."
            )
        return "\n".join(lines)


def release_dir(data_dir: Path) -> Path:
    return data_dir / RELEASE_DIR


def _file_name(info: rel.IcdReleaseInfo) -> str:
    month = date.fromisoformat(info.effective).month
    return f"FY{info.fiscal_year}{ {4: '-april', 1: '-january'}.get(month, '')}.sqlite"


def imported_releases(data_dir: Path) -> list[tuple[Path, rel.IcdReleaseInfo]]:
    """Every imported release database with its info, oldest effective first."""
    folder = release_dir(data_dir)
    found: list[tuple[Path, rel.IcdReleaseInfo]] = []
    if folder.is_dir():
        for path in sorted(folder.glob("FY*.sqlite")):
            try:
                found.append((path, rel.release_info(path)))
            except rel.IcdReleaseError:
                continue  # a damaged file is not offered; the shipped set still works
    return sorted(found, key=lambda item: item[1].effective)


def active_path(data_dir: Path) -> Path | None:
    """The imported release in use, or None for the shipped one."""
    marker = release_dir(data_dir) / ACTIVE_FILE
    try:
        name = json.loads(marker.read_text(encoding="utf-8"))["file"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    path = release_dir(data_dir) / str(name)
    return path if path.is_file() else None


def _set_active(data_dir: Path, path: Path | None) -> None:
    marker = release_dir(data_dir) / ACTIVE_FILE
    if path is None:
        marker.unlink(missing_ok=True)
        return
    tmp = marker.with_suffix(".tmp")
    tmp.write_text(json.dumps({"file": path.name}), encoding="utf-8")
    os.replace(tmp, marker)


def _shipped_meta(catalog: Catalog, key: str) -> str | None:
    conn = sqlite3.connect(catalog.path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    finally:
        conn.close()
    return str(row[0]) if row else None


def shipped_info(catalog: Catalog) -> rel.IcdReleaseInfo | None:
    """The shipped catalog's release with its dates (from its label)."""
    label = _shipped_meta(catalog, "icd_release")
    return rel.info_from_label(label) if label else None


def shipped_aliases(catalog: Catalog) -> dict[str, Sequence[str]]:
    """The PT shorthand of the shipped catalog (its codes are ranked first in a release)."""
    try:
        data = json.loads(_shipped_meta(catalog, "icd_aliases") or "{}")
    except ValueError:
        return {}
    return {str(k): [str(c) for c in v] for k, v in data.items() if isinstance(v, list)}


def current_info(catalog: Catalog, data_dir: Path) -> rel.IcdReleaseInfo | None:
    path = active_path(data_dir)
    if path is not None:
        try:
            return rel.release_info(path)
        except rel.IcdReleaseError:
            pass
    return shipped_info(catalog)


def apply_active(catalog: Catalog, data_dir: Path) -> None:
    """Point the catalog at the release in use (at start, in the CLI and the window);
    the temp files of an import that was killed are removed (after ``STALE_TEMP_SECONDS``:
    a younger one may be another copy's import in progress)."""
    remove_stale_temps(release_dir(data_dir), ".icd-release-")
    path = active_path(data_dir)
    try:
        catalog.use_icd_release(path)
    except Exception:  # a damaged release must never stop the app: the shipped set works
        catalog.use_icd_release(None)


def preview_icd_import(
    paths: Sequence[Path], catalog: Catalog, data_dir: Path, *, today: date | None = None
) -> IcdImportPreview:
    """Read and compare; writes nothing. Raises :class:`IcdImportError`."""
    shipped = sqlite3.connect(catalog.path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True)
    active = active_path(data_dir)
    try:
        release = rel.read_release(list(paths), skeleton=rel.skeleton_rows(shipped))
        if active is not None:
            current_db = sqlite3.connect(active.resolve().as_uri() + "?mode=ro", uri=True)
            try:
                diff = rel.diff_release(release, current_db)
            finally:
                current_db.close()
        else:
            diff = rel.diff_release(release, shipped)
    except rel.IcdReleaseError as exc:
        raise IcdImportError(f"{exc}. Nothing was imported.") from exc
    finally:
        shipped.close()
    current = current_info(catalog, data_dir)
    older = current is not None and release.info.effective < current.effective
    return IcdImportPreview(release, diff, current, older, today or date.today())


def apply_icd_import(
    preview: IcdImportPreview,
    catalog: Catalog,
    data_dir: Path,
    aliases: dict[str, Sequence[str]] | None = None,
    *,
    allow_older: bool = False,
) -> Path:
    """Write the release database, make it the one in use, point the catalog at it."""
    if preview.older and not allow_older:
        current = preview.current.label if preview.current else "the release in use"
        raise IcdImportError(
            f"{preview.release.info.label} is older than {current}; going back needs "
            "--allow-older (the window asks). Nothing was imported."
        )
    out = release_dir(data_dir) / _file_name(preview.release.info)
    if catalog.icd_release_path is not None and catalog.icd_release_path.resolve() == out.resolve():
        catalog.use_icd_release(None)  # Windows cannot replace a file that is open
    try:
        rel.write_release_db(
            preview.release, out, shipped_aliases(catalog) if aliases is None else aliases)
    except (OSError, sqlite3.Error) as exc:
        apply_active(catalog, data_dir)  # nothing changed: back to the release in use
        raise IcdImportError(f"The release could not be saved in {out.parent}: {exc}") from exc
    _set_active(data_dir, out)
    catalog.use_icd_release(out)
    return out


def remove_icd_import(catalog: Catalog, data_dir: Path, path: Path | None = None) -> bool:
    """Remove an imported release (default: the one in use). When it was in use, the
    shipped set is used again (an older import stays on disk for dated visits)."""
    target = path or active_path(data_dir)
    if target is None or not target.is_file():
        return False
    if active_path(data_dir) == target:
        _set_active(data_dir, None)
        catalog.use_icd_release(None)
    target.unlink()
    return True


def release_for(on: date, catalog: Catalog, data_dir: Path) -> tuple[Path | None, str] | None:
    """The release in force on ``on``: (database, label); None: no loaded release covers it.

    ``Path`` None means the shipped set."""
    candidates: list[tuple[str, Path | None, str]] = []
    shipped = shipped_info(catalog)
    if shipped is not None:
        candidates.append((shipped.effective, None, shipped.label))
    candidates += [(i.effective, p, i.label) for p, i in imported_releases(data_dir)]
    in_force = [c for c in candidates if c[0] <= on.isoformat()]
    if not in_force:
        return None
    _effective, path, label = max(in_force, key=lambda c: c[0])
    return path, label


def superseded_notice(catalog: Catalog, data_dir: Path, today: date) -> str | None:
    """The status bar's line when the release in use has been superseded, else None."""
    info = current_info(catalog, data_dir)
    if info is None or not info.superseded_by_date(today):
        return None
    return (
        f"{info.label} was superseded on {info.superseded} by ICD-10-CM "
        f"FY{info.fiscal_year + 1}. To update: {HOW_TO_UPDATE}."
    )


def diagnoses_on(
    on: date, catalog: Catalog, data_dir: Path
) -> tuple[Catalog | None, str]:
    """A catalog whose diagnoses are the release in force on ``on``, and a sentence.

    (None, "") when the release in use is the one in force (use ``catalog`` itself);
    (other catalog, note) when another loaded release is (the caller closes it);
    (None, warning) when no loaded release was in force that day."""
    found = release_for(on, catalog, data_dir)
    if found is None:
        oldest = shipped_info(catalog)
        since = f" (the oldest loaded release takes effect {oldest.effective})" if oldest else ""
        return None, (
            f"No ICD-10-CM release loaded here was in force on {on.isoformat()}{since}: the "
            f"diagnoses are checked against {catalog.info().icd_release} instead."
        )
    path, label = found
    if path == catalog.icd_release_path:
        return None, ""
    other = Catalog(catalog.path)
    other.use_icd_release(path)
    return other, f"Diagnoses checked against {label}, in force on {on.isoformat()}."
