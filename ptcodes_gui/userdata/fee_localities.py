"""Each payer profile's Medicare locality, for fee estimates (a user setting).

Kept as one setting, ``{profile name: "13202-01"}``, beside the profiles rather than in their
table, so profiles stored by earlier versions read unchanged.
"""

from __future__ import annotations

from typing import Any, Protocol

from ptcodes_gui.domain.fees import parse_locality_id

LOCALITY_SETTING = "fee_localities"


class Settings(Protocol):
    def get_setting(self, key: str, default: Any = None) -> Any: ...

    def set_setting(self, key: str, value: Any) -> None: ...


def localities(store: Settings) -> dict[str, str]:
    value = store.get_setting(LOCALITY_SETTING, {})
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def locality_for(store: Settings, profile: str) -> str | None:
    """This user's choice, else the clinic folder's (a profile shared with its locality)."""
    own = localities(store).get(profile)
    if own is not None:
        return own
    clinic = getattr(store, "clinic_defaults", None)
    shared = getattr(clinic, "localities", {}) if clinic is not None else {}
    return shared.get(profile) if isinstance(shared, dict) else None


def set_locality(store: Settings, profile: str, locality: str | None) -> None:
    """Store (or with None, forget) a profile's locality; ValueError if it is malformed."""
    saved = localities(store)
    if locality is None:
        saved.pop(profile, None)
    else:
        saved[profile] = parse_locality_id(locality)
    store.set_setting(LOCALITY_SETTING, saved)
