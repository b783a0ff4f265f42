"""The payer bar: payer profile (saved per clinic), telehealth and KX (per visit)."""

from __future__ import annotations

import contextlib
from typing import Final

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QToolButton, QWidget

from ptcodes_gui.domain.profiles import BUILTIN_PROFILES, MEDICARE, PayerProfile
from ptcodes_gui.domain.visit import Provider, Visit
from ptcodes_gui.ui import dialogs
from ptcodes_gui.userdata.store import UserDataError, UserStore

SETTING_PROFILE: Final = "visit.profile"
SETTING_PROVIDER: Final = "visit.provider"
PROVIDER_CHOICES: Final[tuple[tuple[str, Provider], ...]] = (("PT", "pt"), ("PTA", "pta"))
TELEHEALTH_CHOICES: Final[tuple[tuple[str, str | None], ...]] = (
    ("In person", None),
    ("95 video", "95"),
    ("93 audio", "93"),
)


def profile_tip(profile: PayerProfile) -> str:
    cap = (
        f"at most {profile.daily_timed_unit_cap} timed units a day"
        if profile.daily_timed_unit_cap
        else "no daily cap"
    )
    medicare = "Medicare checks on" if profile.medicare else "not Medicare"
    return f"{profile.name}: {profile.unit_rule_label}; {cap}; {medicare}"


class PayerBar(QWidget):
    """Signals: ``profile_chosen(PayerProfile)``, ``provider_chosen(str)`` ("pt"/"pta"),
    ``telehealth_chosen(object)`` (None, "95" or "93"), ``kx_toggled(bool)``,
    ``message(str)``. Profile and provider are per-clinic choices, remembered in the store;
    telehealth and KX belong to one visit."""

    profile_chosen = Signal(object)
    provider_chosen = Signal(str)
    telehealth_chosen = Signal(object)
    kx_toggled = Signal(bool)
    message = Signal(str)

    def __init__(self, store: UserStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._profiles: dict[str, PayerProfile] = {}
        self.profile_label = QLabel("&Payer")
        self.profile_combo = QComboBox()
        self.profile_combo.setAccessibleName("Payer profile")
        self.profile_combo.view().setAccessibleName("Payer profiles")
        self.profile_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.profile_combo.setMinimumContentsLength(6)
        self.profile_label.setBuddy(self.profile_combo)
        self.new_profile_button = QToolButton()
        self.new_profile_button.setText("New…")
        self.new_profile_button.setAccessibleName("New payer profile")
        self.new_profile_button.setToolTip("Add a payer profile: name, unit rule, daily cap")
        self.provider_combo = QComboBox()
        self.provider_combo.setAccessibleName("Provider of new lines")
        self.provider_combo.view().setAccessibleName("Providers")
        self.provider_combo.setToolTip(
            "Who treats: PT, or a PT assistant (adds CQ on Medicare). New lines take it; "
            "the lines of this visit follow when you change it."
        )
        for label, value in PROVIDER_CHOICES:
            self.provider_combo.addItem(label, value)
        self.telehealth_combo = QComboBox()
        self.telehealth_combo.setAccessibleName("Telehealth modifier")
        self.telehealth_combo.view().setAccessibleName("Telehealth choices")
        self.telehealth_combo.setToolTip(
            "Telehealth: 95 (synchronous video) or 93 (audio only) on every line"
        )
        for label, telehealth in TELEHEALTH_CHOICES:
            self.telehealth_combo.addItem(label, telehealth)
        for combo, chars in ((self.provider_combo, 3), (self.telehealth_combo, 7)):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(chars)
        self.kx_check = QCheckBox("&KX")
        self.kx_check.setAccessibleName("KX modifier on every line")
        self.kx_check.setToolTip(
            "KX: therapy above the yearly threshold, medically necessary (every line)"
        )
        self.provider_label = QLabel("B&y")
        self.provider_label.setBuddy(self.provider_combo)
        # Two rows: the whole bar fits beside the search at 1024 px and at 200 % scaling.
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setVerticalSpacing(2)
        layout.addWidget(self.profile_label, 0, 0)
        layout.addWidget(self.profile_combo, 0, 1, 1, 3)
        layout.addWidget(self.new_profile_button, 0, 4)
        layout.addWidget(self.provider_label, 1, 0)
        layout.addWidget(self.provider_combo, 1, 1)
        layout.addWidget(self.telehealth_combo, 1, 2)
        layout.addWidget(self.kx_check, 1, 3)
        layout.setColumnStretch(2, 1)

        self.profile_combo.activated.connect(self._on_profile_activated)
        self.new_profile_button.clicked.connect(self._on_new_profile_clicked)
        self.provider_combo.activated.connect(self._on_provider_activated)
        self.telehealth_combo.activated.connect(self._on_telehealth_activated)
        self.kx_check.toggled.connect(self.kx_toggled)
        self.reload_profiles()

    # ------------------------------------------------------------------ profiles

    def initial_profile(self) -> PayerProfile:
        """The profile chosen last time (a per-clinic setting), else Medicare."""
        name = self._store.get_setting(SETTING_PROFILE)
        if isinstance(name, str):
            if name in BUILTIN_PROFILES:
                return BUILTIN_PROFILES[name]
            for stored in self._store.profiles():
                if stored["name"] == name:
                    try:
                        return PayerProfile.from_dict(dict(stored))
                    except ValueError:
                        break
        return MEDICARE

    def initial_provider(self) -> Provider:
        stored = self._store.get_setting(SETTING_PROVIDER)
        return "pta" if stored == "pta" else "pt"

    def profile(self, name: str) -> PayerProfile | None:
        return self._profiles.get(name)

    def reload_profiles(self) -> None:
        profiles: dict[str, PayerProfile] = dict(BUILTIN_PROFILES)
        for stored in self._store.profiles():
            if stored["name"] in profiles:
                continue
            try:
                profiles[stored["name"]] = PayerProfile.from_dict(dict(stored))
            except ValueError:
                continue
        self._profiles = profiles
        with QSignalBlocker(self.profile_combo):
            current = self.profile_combo.currentData()
            self.profile_combo.clear()
            for name, profile in profiles.items():
                self.profile_combo.addItem(name, name)
                shared = (name not in BUILTIN_PROFILES
                          and self._store.origin_of_profile(name) == "clinic")
                self.profile_combo.setItemData(
                    self.profile_combo.count() - 1,
                    ("From the clinic folder. " if shared else "") + profile_tip(profile),
                    Qt.ItemDataRole.ToolTipRole,
                )
            at = self.profile_combo.findData(current)
            self.profile_combo.setCurrentIndex(max(at, 0))

    def add_profile(self, profile: PayerProfile) -> bool:
        """Save a payer profile in the user store and choose it."""
        if self._store.read_only:
            self.message.emit(f"The profile cannot be saved: {self._store.read_only_reason}.")
            return False
        if profile.name.casefold() in {name.casefold() for name in BUILTIN_PROFILES}:
            self.message.emit(f"{profile.name!r} is a built-in profile: give yours another name.")
            return False
        try:
            self._store.save_profile(profile.to_dict())
        except UserDataError as exc:
            self.message.emit(f"The profile was not saved: {exc}")
            return False
        self.reload_profiles()
        self.choose(profile)
        self.message.emit(f"Payer profile {profile.name!r} saved.")
        return True

    def choose(self, profile: PayerProfile) -> None:
        self.profile_chosen.emit(profile)
        self.remember(profile)

    def remember(self, profile: PayerProfile) -> None:
        self._remember(SETTING_PROFILE, profile.name)

    def _remember(self, key: str, value: str) -> None:
        if self._store.read_only:
            return
        with contextlib.suppress(UserDataError):  # a preference only: the visit is unaffected
            self._store.set_setting(key, value)

    # ------------------------------------------------------------------ showing

    def show_visit(self, visit: Visit, provider: Provider) -> None:
        with QSignalBlocker(self.profile_combo):
            at = self.profile_combo.findData(visit.profile.name)
            if at < 0:
                self._profiles[visit.profile.name] = visit.profile
                self.profile_combo.addItem(visit.profile.name, visit.profile.name)
                at = self.profile_combo.count() - 1
            self.profile_combo.setCurrentIndex(at)
        self.profile_combo.setToolTip(profile_tip(visit.profile))
        with QSignalBlocker(self.telehealth_combo):
            self.telehealth_combo.setCurrentIndex(
                max(0, self.telehealth_combo.findData(visit.telehealth))
            )
        with QSignalBlocker(self.provider_combo):
            self.provider_combo.setCurrentIndex(max(0, self.provider_combo.findData(provider)))
        medicare = visit.profile.medicare
        with QSignalBlocker(self.kx_check):
            self.kx_check.setChecked(visit.kx and medicare)
        # KX (and CQ) are Medicare modifiers: a commercial profile leaves them off.
        self.kx_check.setEnabled(medicare)
        self.kx_check.setToolTip(
            "KX: therapy above the yearly threshold, medically necessary (every line)"
            if medicare
            else f"KX is a Medicare modifier: {visit.profile.name} does not use it"
        )

    # ------------------------------------------------------------------ slots

    def _on_profile_activated(self, index: int) -> None:
        name = self.profile_combo.itemData(index)
        profile = self._profiles.get(name) if isinstance(name, str) else None
        if profile is not None:
            self.choose(profile)

    def _on_new_profile_clicked(self) -> None:
        if self._store.read_only:
            self.message.emit(f"Profiles cannot be saved: {self._store.read_only_reason}.")
            return
        profile = dialogs.ask_profile(self, list(self._profiles))
        if profile is not None:
            self.add_profile(profile)

    def _on_provider_activated(self, index: int) -> None:
        value = self.provider_combo.itemData(index)
        if value in ("pt", "pta"):
            self._remember(SETTING_PROVIDER, value)
            self.provider_chosen.emit(value)

    def _on_telehealth_activated(self, index: int) -> None:
        self.telehealth_chosen.emit(self.telehealth_combo.itemData(index))
