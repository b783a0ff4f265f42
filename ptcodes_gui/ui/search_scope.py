"""What the kept filters do to a search: name them, and never let them hide an exact code.

A filter chosen in an earlier session (Recent, Favorites, a category, Common only) stays
chosen; a code typed whole is shown even when the filter leaves it out, and the note says
which filter that was. Text with nothing searchable in it (``*``, Arabic or Hebrew words:
the catalog is English) lists nothing rather than the whole default list.
"""

from __future__ import annotations

from collections.abc import Sequence

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.catalog import query as q
from ptcodes_gui.domain.models import Code, Hit
from ptcodes_gui.ui.search_filters import Filters


def filter_names(filters: Filters) -> list[str]:
    """The filters in force, as their labels ([] when everything is searched)."""
    names: list[str] = []
    if filters.system_combo.currentData() is not None:
        names.append(filters.system_combo.currentText())
    if filters.category_combo.currentData() is not None:
        names.append(filters.category_combo.currentText())
    if filters.common_check.isChecked():
        names.append("Common only")
    return names


def nothing_to_search(text: str) -> bool:
    """Typed text with no letter or digit the catalog can match (``*``, ``؟``, Hebrew)."""
    return bool(text.strip()) and not q.tokens(text)


def exact_code(catalog: Catalog, text: str, hits: Sequence[Hit]) -> Code | None:
    """The code ``text`` names exactly (one word: ``97164``, ``m54.50``) when ``hits``
    (what the filters let through) do not have it."""
    words = text.split()
    if len(words) != 1 or not any(ch.isdigit() for ch in words[0]):
        return None
    found = catalog.get(words[0])
    if found is None or any(h.code == found.code for h in hits):
        return None
    return found


def hidden_note(code: str, names: list[str]) -> str:
    return f"{code} is outside the filter {' + '.join(names)}: shown first anyway."


def empty_note(text: str, names: list[str]) -> str:
    """Why the list is empty: nothing searchable typed, or a filter (named) in the way."""
    if nothing_to_search(text):
        return "Nothing to search in what was typed: use a code or English words."
    if names:
        return f"Filter {' + '.join(names)} in force: choose All codes to search everything."
    return ""
