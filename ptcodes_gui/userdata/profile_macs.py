"""Each payer profile's MAC chosen by name, and whether a commercial profile applies the
MAC's coverage articles (a user setting).

Kept as one setting, ``{profile name: {"mac": "13202", "articles": true}}``, beside the
profiles (like ``fee_localities``), so profiles stored by earlier versions read unchanged.
Without a chosen MAC a profile uses its Medicare locality's (``domain.articles``).
"""

from __future__ import annotations

from typing import Any

from ptcodes_gui.domain.articles import normalize_mac
from ptcodes_gui.userdata.fee_localities import Settings

MAC_SETTING = "profile_macs"


def _all(store: Settings) -> dict[str, dict[str, Any]]:
    value = store.get_setting(MAC_SETTING, {})
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, dict)}


def chosen_mac(store: Settings, profile: str) -> str | None:
    """The MAC chosen for ``profile``; None: use its locality's (or a malformed value)."""
    raw = _all(store).get(profile, {}).get("mac")
    try:
        return normalize_mac(str(raw)) if raw else None
    except ValueError:
        return None


def applies_articles(store: Settings, profile: str) -> bool:
    """Whether the clinic chose to check ``profile`` (commercial) against the articles."""
    return _all(store).get(profile, {}).get("articles") is True


def set_choice(store: Settings, profile: str, *, mac: str | None, articles: bool) -> None:
    """Store ``profile``'s choice (None MAC: from its locality); ValueError on a bad MAC."""
    saved = _all(store)
    entry = {"mac": normalize_mac(mac) if mac else None, "articles": bool(articles)}
    if entry == {"mac": None, "articles": False}:
        saved.pop(profile, None)
    else:
        saved[profile] = entry
    store.set_setting(MAC_SETTING, saved)
