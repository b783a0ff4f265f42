"""CMS list of Medicare telehealth services (yearly, with mid-year updates).

As ``.xlsx``, ``.csv`` or a text export: a title line (``CY 2026 Final List of Medicare
Telehealth Services``), then a header ``HCPCS<TAB>Short Descriptor<TAB>...`` whose other
columns vary by year ("Status", "Proposed Action", "Audio-only"...). Only the codes and the
audio-only flag are kept: the short descriptors are AMA text and are never read into the
store. Rows whose action or status says the code is removed are left out.
"""

from __future__ import annotations

import re

from ptcodes_gui.releases.cells import code_cell, header_key, joined_head
from ptcodes_gui.releases.files import (
    ImportFileError,
    InputFile,
    guess_delimiter,
    head_rows,
    rows_of,
)
from ptcodes_gui.releases.registry import Reader, Release, Sink, Table, register

TELEHEALTH_TABLE = Table(
    "telehealth",
    ("code TEXT NOT NULL", "audio_only INTEGER NOT NULL DEFAULT 0",
     "status TEXT NOT NULL DEFAULT ''"),
    key=("code",),
)
_YEAR_RE = re.compile(r"\bCY\s*(20\d\d)\b|\b(20\d\d)\b", re.IGNORECASE)
_YES = {"yes", "y", "x", "true", "1", "audio-only", "audio only", "audio_only"}
_MAX_HEADER_ROW = 8


def _header(rows: list[tuple[int, list[str]]]) -> tuple[int, list[str]] | None:
    for i, (_, cells) in enumerate(rows[:_MAX_HEADER_ROW]):
        keys = [header_key(c) for c in cells]
        if keys and keys[0] in ("hcpcs", "hcpcs_code", "code", "cpt_hcpcs", "hcpcs_cpt_code") \
                and any("descriptor" in k for k in keys):
            return i, keys
    return None


class TelehealthReader(Reader):
    name = "telehealth"
    title = "CMS list of Medicare telehealth services"
    tables = (TELEHEALTH_TABLE,)
    noun = "codes"

    def _delim(self, file: InputFile) -> str | None:
        return None if file.format == "xlsx" else guess_delimiter(file.head_text(), "\t,")

    def recognise(self, file: InputFile) -> Release | None:
        head = head_rows(file, _MAX_HEADER_ROW, self._delim(file))
        found = _header(head)
        if found is None or "telehealth" not in (joined_head(head) + file.name.lower()):
            return None
        text = " ".join(" ".join(c) for _, c in head[: found[0]]) + " " + file.name
        match = _YEAR_RE.search(text)
        if match is None:
            return Release(version=file.name, label=f"CMS Medicare telehealth list ({file.name})")
        year = int(match.group(1) or match.group(2))
        return Release(version=f"CY{year}", label=f"CMS Medicare telehealth list CY{year}",
                       effective=f"{year}-01-01", order=(year,))

    def read(self, file: InputFile, release: Release, sink: Sink) -> None:
        keys: list[str] | None = None
        audio = status = -1
        data = skipped = removed = 0
        for line, cells in rows_of(file, sink.progress, delimiter=self._delim(file),
                                   limits=sink.limits):
            if keys is None:
                found = _header([(line, cells)])
                if found is not None:
                    keys = found[1]
                    audio = next((i for i, k in enumerate(keys) if "audio" in k), -1)
                    status = next((i for i, k in enumerate(keys)
                                   if "status" in k or "action" in k), -1)
                continue
            data += 1
            code = code_cell(cells[0])
            if not re.fullmatch(r"[A-Z0-9]{5}", code):
                sink.reject(line, f"{code!r} is not a procedure code")
                continue
            state = cells[status].strip().lower() if 0 <= status < len(cells) else ""
            if "remov" in state or "delet" in state:
                removed += 1
                continue
            if code not in sink.known_codes:
                skipped += 1
                continue
            flag = cells[audio].strip().lower() if 0 <= audio < len(cells) else ""
            # column 2 (the AMA short descriptor) is never read
            sink.add("telehealth", line, (code, int(flag in _YES), state[:40]))
        if not data:
            raise ImportFileError(f"{file.display} has no codes after its header; nothing "
                                  "was imported.")
        sink.skip("codes not in this catalog", skipped)
        sink.skip("removed from the list", removed)


TELEHEALTH = register(TelehealthReader())
