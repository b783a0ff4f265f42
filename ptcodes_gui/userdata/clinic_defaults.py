"""The clinic folder's shared set-up: payer profiles, templates and a favorites set.

Read from the published bundle (``defaults.json``) and handed to the user store, which
lists them after the user's own: a local item with the same name wins, so what a user
saved stays theirs, and each item's origin (``local`` or ``clinic``) can be shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ptcodes_gui.userdata.profiles import PayerProfile
from ptcodes_gui.userdata.templates import Template

#: Origin labels shown in the window.
LOCAL = "local"
CLINIC = "clinic"


@dataclass(frozen=True)
class ClinicDefaults:
    """The clinic's shared set-up (never written into the user's own data)."""

    templates: tuple[Template, ...] = ()
    profiles: tuple[PayerProfile, ...] = ()
    favorites: tuple[str, ...] = ()
    #: each shared profile's Medicare locality for fee estimates, {profile name: "13202-01"}
    localities: dict[str, str] = field(default_factory=dict)
    label: str = ""  # "clinic folder release 7 of 2026-12-01 08:15 (FRONTDESK)"

    def template(self, name: str) -> Template | None:
        key = name.casefold()
        return next((t for t in self.templates if t.name.casefold() == key), None)

    def has_template(self, name: str) -> bool:
        return self.template(name) is not None

    def has_profile(self, name: str) -> bool:
        key = name.casefold()
        return any(p["name"].casefold() == key for p in self.profiles)


NO_DEFAULTS = ClinicDefaults()
