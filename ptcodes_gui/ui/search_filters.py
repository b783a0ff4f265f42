"""The search field and the filter row above the results (code set, category, common only)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLineEdit

from ptcodes_gui.domain.models import CATEGORIES

SYSTEM_CHOICES: tuple[tuple[str, str | None], ...] = (
    ("All codes", None),
    ("PT procedure codes", "pt"),
    ("Modifiers", "modifier"),
    ("Diagnoses (ICD-10-CM)", "icd10cm"),
    ("Favorites", "favorites"),
    ("Recent", "recent"),
)


def search_part(text: str) -> str:
    """What to search for: ``97140=15`` searches 97140 (the minutes are for the visit)."""
    head, sep, _tail = text.partition("=")
    return head if sep and head.strip() else text


def make_search_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName("searchEdit")
    edit.setPlaceholderText(
        "Search by code, words or shorthand (TherEx, NMR, HP/CP, LBP)…  Ctrl+K"
    )
    edit.setClearButtonEnabled(True)
    edit.setAccessibleName("Search codes")
    edit.setMaxLength(200)
    return edit


class Filters:
    """``system_combo``, ``category_combo`` and ``common_check``, side by side in ``layout``."""

    def __init__(self) -> None:
        self.system_combo = QComboBox()
        self.system_combo.setAccessibleName("Code set filter")
        # the whole label always shows ("Diagnoses (ICD-10-CM)"); the category list shrinks
        self.system_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for label, value in SYSTEM_CHOICES:
            self.system_combo.addItem(label, value)
        self.category_combo = QComboBox()
        self.category_combo.setAccessibleName("Category filter")
        self.category_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.category_combo.setMinimumContentsLength(10)
        self.category_combo.addItem("All categories", None)
        for key, label in CATEGORIES.items():
            self.category_combo.addItem(label, key)
        self.common_check = QCheckBox("&Common only")
        self.common_check.setAccessibleName("Show only commonly used codes")
        self.common_check.setToolTip("Codes the seed guide lists as commonly used by PTs")

        self.layout = QHBoxLayout()
        self.layout.addWidget(self.system_combo, 2)
        self.layout.addWidget(self.category_combo, 2)
        self.layout.addWidget(self.common_check)
