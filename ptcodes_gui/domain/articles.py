"""Medicare coverage articles (the MCD's Billing and Coding Articles) as the rules see them.

A MAC (Medicare Administrative Contractor, named by its five-digit contractor number such
as ``13202``) publishes articles; each pairs groups of CPT/HCPCS codes with the ICD-10-CM
groups that support them (covered) and lists diagnoses that never do (non-covered). The
rules ask an abstract ``ArticleLookup`` (an imported MCD download provides one:
``releases``' MCD reader and its overlay) for the coverage of one code under one MAC.

Which MAC a payer profile uses: the one chosen by name in the profile, else the first five
digits of its Medicare locality (``13202-01`` → ``13202``; CMS's GPCI file names localities
by contractor number and locality number).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Protocol

_TAG_RE: Final = re.compile(r"<[^>]*>")
_SPACE_RE: Final = re.compile(r"\s+")
_MAC_RE: Final = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class ArticleRef:
    """Which article: ``A57703`` version 12, its title and the date of that version."""

    id: str
    version: int
    title: str
    date: str  # ISO date the version took effect ("" when the download gives none)

    @property
    def label(self) -> str:
        when = f", {self.date}" if self.date else ""
        return f"{self.id} v{self.version} \u201c{self.title}\u201d{when}"


@dataclass(frozen=True)
class CodeCoverage:
    """What one article says about one code: the ICD-10 groups supporting it."""

    article: ArticleRef
    code_group: int  # the article's CPT/HCPCS group the code is in
    groups: tuple[int, ...]  # the covered ICD-10 groups that apply to it
    paragraph: str  # those groups' paragraph(s), HTML stripped
    covered: frozenset[str]  # undotted ICD-10-CM codes
    noncovered: frozenset[str]
    noncovered_paragraph: str = ""


@dataclass(frozen=True)
class ArticleView:
    """A detail pane's part: under the MAC, the articles listing a code (``coverage``), or
    the codes a diagnosis supports (``supported``)."""

    mac_label: str
    coverage: tuple[CodeCoverage, ...]
    supported: tuple[tuple[str, ArticleRef], ...]


class ArticleLookup(Protocol):
    """What the necessity rules need from an imported MCD download."""

    def contractor_name(self, mac: str) -> str | None:
        """The MAC's business name (and jurisdiction), None when no article names it."""
        ...

    def code_coverage(self, code: str, mac: str) -> list[CodeCoverage]:
        """The articles of ``mac`` that list ``code``, with the diagnoses supporting it."""
        ...

    def codes_supported(self, diagnosis: str, mac: str) -> list[tuple[str, ArticleRef]]:
        """(code, article) pairs whose covered groups include ``diagnosis``."""
        ...


@dataclass(frozen=True)
class Necessity:
    """The coverage articles of one MAC, as a visit is checked against them."""

    lookup: ArticleLookup
    mac: str
    name: str = ""
    #: the clinic chose to check this (commercial) profile against the articles too
    opted_in: bool = False

    @property
    def label(self) -> str:
        return f"MAC {self.mac}" + (f" ({self.name})" if self.name else "")


def undotted(code: str) -> str:
    return code.replace(".", "").strip().upper()


def strip_html(text: str) -> str:
    """A paragraph of the MCD (HTML fragments, entities) as one line of plain text."""
    return _SPACE_RE.sub(" ", html.unescape(_TAG_RE.sub(" ", text or ""))).strip()


def mac_from_locality(locality_id: str | None) -> str | None:
    """``"13202-01"`` → ``"13202"``; None when there is no locality (or not that shape)."""
    if not locality_id:
        return None
    head = locality_id.strip()[:5]
    return head if _MAC_RE.match(head) else None


def normalize_mac(text: str) -> str:
    """A contractor number as typed (``" 13202 "``); ValueError (a sentence) otherwise."""
    raw = text.strip()
    if not _MAC_RE.match(raw):
        raise ValueError(
            f"{text!r} is not a MAC contractor number (five digits, e.g. 13202 for NGS "
            "Upstate New York; the first five digits of your Medicare locality)"
        )
    return raw


def profile_mac(chosen: str | None, locality_id: str | None) -> str | None:
    """The MAC a profile uses: the one chosen by name, else its locality's."""
    return chosen or mac_from_locality(locality_id)


def in_groups(diagnoses: Iterable[str], codes: frozenset[str]) -> list[str]:
    return [d for d in diagnoses if undotted(d) in codes]
