"""The payer bar: payer profile (saved per clinic), the date of service, telehealth and KX
(per visit), and the profile's Medicare locality for fee estimates
(``userdata.fee_localities``, chosen from the imported GPCI list)."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Final

from PySide6.QtCore import QDate, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)

from ptcodes_gui.domain.fees import FeeSchedule
from ptcodes_gui.domain.profiles import BUILTIN_PROFILES, MEDICARE, PayerProfile
from ptcodes_gui.domain.visit import Provider, Visit
from ptcodes_gui.ui import dialogs
from ptcodes_gui.ui.visit.coverage_parts import MacCombo, YtdField
from ptcodes_gui.ui.visit.date_edit import DateEdit
from ptcodes_gui.userdata import fee_localities, profile_macs
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
    ``locality_chosen()`` (stored: evaluate again; also after the MAC was chosen),
    ``ytd_changed(object)`` (a Decimal or None), ``date_chosen(date)``, ``message(str)``.
    Profile, provider, locality and MAC are per-clinic choices, remembered in the store;
    the date of service, telehealth, KX and the year-to-date amount belong to one visit."""

    profile_chosen = Signal(object)
    provider_chosen = Signal(str)
    telehealth_chosen = Signal(object)
    kx_toggled = Signal(bool)
    locality_chosen = Signal()
    ytd_changed = Signal(object)
    date_chosen = Signal(object)
    message = Signal(str)

    def __init__(self, store: UserStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._profiles: dict[str, PayerProfile] = {}
        self._schedule: FeeSchedule | None = None
        self._profile: PayerProfile = MEDICARE  # the shown visit's
        self._locality_usable = False  # a fee schedule imported and a Medicare profile
        self._build_payer_parts()
        self._build_setting_parts()
        self._build_date()
        self._lay_out()
        self.profile_combo.activated.connect(self._on_profile_activated)
        self.new_profile_button.clicked.connect(self._on_new_profile_clicked)
        self.provider_combo.activated.connect(self._on_provider_activated)
        self.telehealth_combo.activated.connect(self._on_telehealth_activated)
        self.kx_check.toggled.connect(self.kx_toggled)
        self.locality_combo.activated.connect(self._on_locality_activated)
        self.mac_combo.activated.connect(self._on_mac_activated)
        self.ytd_field.amount_changed.connect(self.ytd_changed)
        self.ytd_field.invalid.connect(self.message)
        self.date_edit.dateChanged.connect(self._on_date_changed)
        self.reload_profiles()
        self.set_fee_schedule(None)

    @staticmethod
    def _combo(name: str, items_name: str, chars: int) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.view().setAccessibleName(items_name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(chars)
        return combo

    def _build_payer_parts(self) -> None:
        self.profile_label = QLabel("&Payer")
        self.profile_combo = self._combo("Payer profile", "Payer profiles", 6)
        self.profile_label.setBuddy(self.profile_combo)
        self.new_profile_button = QToolButton()
        self.new_profile_button.setText("New…")
        self.new_profile_button.setAccessibleName("New payer profile")
        self.new_profile_button.setToolTip("Add a payer profile: name, unit rule, daily cap")
        self.locality_combo = self._combo(
            "Medicare locality for fee estimates", "Medicare localities", 10)
        self.mac_combo = MacCombo()
        self.ytd_field = YtdField()

    def _build_setting_parts(self) -> None:
        self.provider_combo = self._combo("Provider of new lines", "Providers", 3)
        self.provider_combo.setToolTip(
            "Who treats: PT, or a PT assistant (adds CQ on Medicare). New lines take it; "
            "the lines of this visit follow when you change it."
        )
        for label, value in PROVIDER_CHOICES:
            self.provider_combo.addItem(label, value)
        self.provider_label = QLabel("B&y")
        self.provider_label.setBuddy(self.provider_combo)
        self.telehealth_combo = self._combo("Telehealth modifier", "Telehealth choices", 9)
        self.telehealth_combo.setToolTip(
            "Telehealth: 95 (synchronous video) or 93 (audio only) on every line"
        )
        for label, telehealth in TELEHEALTH_CHOICES:
            self.telehealth_combo.addItem(label, telehealth)
        self.kx_check = QCheckBox("&KX")
        self.kx_check.setAccessibleName("KX modifier on every line")
        self.kx_check.setToolTip(
            "KX: therapy above the yearly threshold, medically necessary (every line)"
        )

    def _build_date(self) -> None:
        self.date_label = QLabel("DO&S")  # date of service, as billers write it
        self.date_edit = DateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setAccessibleName("Date of service")
        self.date_edit.lineEdit().setAccessibleName("Date of service")
        self.date_edit.setToolTip(
            "DOS, the date of service: the NCCI edits and the ICD-10-CM release in force that day "
            "apply. Up/Down change the part under the cursor; New visit sets it to today."
        )
        self.date_label.setBuddy(self.date_edit)
        self.date_label.setToolTip("Date of service (Alt+S)")
        self.date_edit.setMinimumWidth(self.date_edit.sizeHint().width())  # never a cut date

    def _lay_out(self) -> None:
        # Two rows: the whole bar fits beside the search at 1024 px and at 200 % scaling.
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setVerticalSpacing(2)
        # Each row its own box (a grid's shared columns cut the date at 1024 px).
        first, second = QHBoxLayout(), QHBoxLayout()
        first.addWidget(self.profile_combo, 1)
        first.addWidget(self.new_profile_button)
        first.addWidget(self.locality_combo)
        first.addWidget(self.mac_combo)
        for widget in (self.provider_combo, self.telehealth_combo, self.kx_check,
                       self.ytd_field):
            second.addWidget(widget)
        second.addStretch(1)
        second.addWidget(self.date_label)
        second.addWidget(self.date_edit)
        layout.addWidget(self.profile_label, 0, 0)
        layout.addLayout(first, 0, 1)
        layout.addWidget(self.provider_label, 1, 0)
        layout.addLayout(second, 1, 1)

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
        self._profile = visit.profile
        self.ytd_field.show_amount(visit.ytd_allowed)
        self.ytd_field.setEnabled(medicare)
        self._show_locality()

    # ------------------------------------------------------------------ date of service

    def show_date(self, on: date, note: str = "") -> None:
        shown = QDate(on.year, on.month, on.day)
        if self.date_edit.date() != shown:  # never under the cursor of a date being typed
            with QSignalBlocker(self.date_edit):
                self.date_edit.setDate(shown)
        self.date_edit.setStatusTip(note)
        self.date_edit.setToolTip(note)

    def _on_date_changed(self, value: QDate) -> None:
        if value.isValid():
            self.date_chosen.emit(date(value.year(), value.month(), value.day()))

    # ------------------------------------------------------------------ locality

    def set_fee_schedule(self, schedule: FeeSchedule | None) -> None:
        """List the localities of the imported GPCI file (none: the chooser is off)."""
        self._schedule = schedule if schedule is not None and schedule.localities else None
        with QSignalBlocker(self.locality_combo):
            self.locality_combo.clear()
            self.locality_combo.addItem("Locality…", None)
            self.locality_combo.setItemData(
                0, "No locality: the visit shows no amounts", Qt.ItemDataRole.ToolTipRole
            )
            if self._schedule is not None:
                options = sorted(self._schedule.localities.values(),
                                 key=lambda loc: (loc.name.casefold(), loc.state, loc.id))
                for loc in options:
                    self.locality_combo.addItem(loc.choice, loc.id)
        self._show_locality()

    def locality(self) -> str | None:
        """The shown profile's stored locality, if the imported GPCI list has it."""
        value = self.locality_combo.currentData()
        return value if isinstance(value, str) else None

    def _show_locality(self) -> None:
        name = self._profile.name
        stored = fee_localities.locality_for(self._store, name)
        with QSignalBlocker(self.locality_combo):
            at = self.locality_combo.findData(stored) if stored else -1
            self.locality_combo.setCurrentIndex(max(at, 0))
        medicare = self._profile.medicare
        if self._schedule is None:
            tip = ("Medicare locality for fee estimates: import the Medicare fee schedule "
                   "first (File → Import: the RVU zip as downloaded from cms.gov)")
        elif not medicare:
            tip = f"Fee estimates are Medicare's: {name} has no locality"
        else:
            chosen = self.locality_combo.currentText() if at > 0 else "none chosen"
            tip = (f"Medicare locality of {name!r} for fee estimates: {chosen} "
                   f"(GPCI file of {self._schedule.release})")
        # Never disabled: the keyboard (and a screen reader) reaches it and its hint; picking
        # from it when there is nothing to pick says why in the status bar.
        self._locality_usable = self._schedule is not None and medicare
        self.locality_combo.setToolTip(tip)
        self.locality_combo.setAccessibleDescription(tip)
        self.locality_combo.setStatusTip(tip)
        self.mac_combo.show_choice(
            profile_macs.chosen_mac(self._store, name), stored, medicare=medicare,
            applies=profile_macs.applies_articles(self._store, name))

    def _on_mac_activated(self, _index: int) -> None:
        name = self._profile.name
        mac, applies = self.mac_combo.choice()
        try:
            if self._store.read_only:
                raise UserDataError(self._store.read_only_reason or "read-only")
            profile_macs.set_choice(self._store, name, mac=mac,
                                    articles=applies and not self._profile.medicare)
        except (UserDataError, ValueError) as exc:
            self.message.emit(f"The MAC was not saved: {exc}")
            self._show_locality()
            return
        self.message.emit(f"Coverage articles for {name!r}: "
                          + (f"MAC {self.mac_combo.currentText()}." if mac
                             else "the MAC of its Medicare locality." if applies
                             else "not checked."))
        self.locality_chosen.emit()

    def _on_locality_activated(self, index: int) -> None:
        if not self._locality_usable:
            self._show_locality()  # nothing to choose: back to "Locality…"
            self.message.emit(self.locality_combo.toolTip())
            return
        value = self.locality_combo.itemData(index)
        chosen = value if isinstance(value, str) else None
        name = self._profile.name
        if self._store.read_only:
            self.message.emit(f"The locality cannot be saved: {self._store.read_only_reason}.")
            self._show_locality()
            return
        try:
            fee_localities.set_locality(self._store, name, chosen)
        except (UserDataError, ValueError) as exc:
            self.message.emit(f"The locality was not saved: {exc}")
            self._show_locality()
            return
        self.message.emit(
            f"Medicare locality of {name!r}: {self.locality_combo.itemText(index)}."
            if chosen else f"No Medicare locality for {name!r}: the visit shows no amounts."
        )
        self.locality_chosen.emit()

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
