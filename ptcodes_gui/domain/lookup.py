"""What the billing rules need from the catalog (``CodeLookup``) and an in-memory one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ptcodes_gui.domain.models import Code, Mue, NcciPair, TelehealthList


class CodeLookup(Protocol):
    """What the rules need from the catalog (the catalog repository implements it)."""

    def get(self, code: str) -> Code | None:
        """The code (procedure, modifier or diagnosis), or None when unknown."""
        ...

    def ncci_pairs(self, codes: Iterable[str]) -> list[NcciPair]:
        """The NCCI pairs whose two codes are both among ``codes``."""
        ...

    def children(self, code: str) -> list[tuple[str, str]]:
        """Billable (code, title) below an ICD-10-CM header code."""
        ...

    def mue(self, code: str) -> Mue | None:
        """The code's MUE from an imported CMS MUE table; None without one."""
        ...

    def telehealth_list(self) -> TelehealthList | None:
        """An imported Medicare telehealth list; None: the rules use the shipped one."""
        ...


class MappingLookup:
    """An in-memory ``CodeLookup`` (tests, the CLI on a handful of codes)."""

    def __init__(
        self,
        codes: Iterable[Code],
        pairs: Iterable[NcciPair] = (),
        *,
        mues: Iterable[Mue] = (),
        telehealth: TelehealthList | None = None,
    ) -> None:
        self._codes = {code.code.upper(): code for code in codes}
        self._mues = {m.code.upper(): m for m in mues}
        self._telehealth = telehealth
        all_pairs = [*pairs, *(p for c in self._codes.values() for p in c.ncci)]
        self._pairs = list(dict.fromkeys(all_pairs))

    def get(self, code: str) -> Code | None:
        return self._codes.get(code.strip().upper())

    def ncci_pairs(self, codes: Iterable[str]) -> list[NcciPair]:
        wanted = set(codes)
        return [p for p in self._pairs if p.column1 in wanted and p.column2 in wanted]

    def mue(self, code: str) -> Mue | None:
        return self._mues.get(code.strip().upper())

    def telehealth_list(self) -> TelehealthList | None:
        return self._telehealth

    def children(self, code: str) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        parent = self.get(code)
        queue = list(parent.children) if parent else []
        while queue:
            child, title = queue.pop(0)
            known = self.get(child)
            if known is not None and not known.billable:
                queue.extend(known.children)
            else:
                found.append((child, title))
        return found

