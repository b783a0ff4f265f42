"""Payer profiles: which timed-unit rule a payer uses and whether it caps timed units.

A profile is plain data so the user can keep their own (stored through ``to_dict`` /
``from_dict``). Two are built in: Medicare (CMS 8-minute rule) and a commercial payer that
follows the AMA/CPT midpoint rule (PT-CODING-FACTS.md section 3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

UnitRule = Literal["cms", "midpoint"]

UNIT_RULES: Final[tuple[UnitRule, ...]] = ("cms", "midpoint")

UNIT_RULE_LABELS: Final[dict[str, str]] = {
    "cms": "CMS 8-minute rule (minutes of all timed codes added up)",
    "midpoint": "AMA/CPT midpoint rule (each code on its own)",
}

#: A day has 1,440 minutes, i.e. at most 96 fifteen-minute units; anything above is a typo.
MAX_DAILY_CAP: Final = 96
MAX_NAME_LENGTH: Final = 80

_KEYS: Final = ("name", "unit_rule", "daily_timed_unit_cap", "medicare", "mac", "articles")


@dataclass(frozen=True)
class PayerProfile:
    """How one payer counts timed units.

    ``daily_timed_unit_cap`` is the number of timed units the payer pays a day for the
    discipline (``None``: no cap). ``medicare`` turns on the Medicare-only checks
    (bundled 97010, G0283 instead of 97014, codes Medicare does not accept).
    A profile's Medicare payment locality (for fee estimates) is a setting kept beside the
    profiles, ``userdata.fee_localities``, which the clinic folder also publishes: one
    source of truth, not a field here (a stored ``locality`` key is ignored).
    ``mac``: the Medicare contractor (five-digit number) whose coverage articles apply, when
    chosen by name; None: the first five digits of the profile's locality
    (``domain.articles.profile_mac``). ``articles``: a commercial profile that applies the
    MAC's articles too (Medicare profiles always do).
    """

    name: str
    unit_rule: UnitRule = "cms"
    daily_timed_unit_cap: int | None = None
    medicare: bool = False
    mac: str | None = None
    articles: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("payer profile: 'name' must be a non-empty text")
        if len(self.name) > MAX_NAME_LENGTH:
            raise ValueError(f"payer profile: 'name' is longer than {MAX_NAME_LENGTH} characters")
        if self.unit_rule not in UNIT_RULES:
            raise ValueError(
                f"payer profile {self.name!r}: 'unit_rule' must be 'cms' or 'midpoint', "
                f"not {self.unit_rule!r}"
            )
        cap = self.daily_timed_unit_cap
        if cap is not None and (
            isinstance(cap, bool) or not isinstance(cap, int) or not 1 <= cap <= MAX_DAILY_CAP
        ):
            raise ValueError(
                f"payer profile {self.name!r}: 'daily_timed_unit_cap' must be empty (no cap) "
                f"or a whole number from 1 to {MAX_DAILY_CAP}, not {cap!r}"
            )
        if not isinstance(self.medicare, bool):
            raise ValueError(
                f"payer profile {self.name!r}: 'medicare' must be true or false, "
                f"not {self.medicare!r}"
            )
        if self.mac is not None and (
            not isinstance(self.mac, str) or len(self.mac) != 5 or not self.mac.isdigit()
        ):
            raise ValueError(
                f"payer profile {self.name!r}: 'mac' must be a five-digit contractor number "
                f"(e.g. 13202) or empty, not {self.mac!r}"
            )
        if not isinstance(self.articles, bool):
            raise ValueError(f"payer profile {self.name!r}: 'articles' must be true or false")

    @property
    def uses_articles(self) -> bool:
        """Whether the MAC's coverage articles are checked on this profile's visits."""
        return self.medicare or self.articles

    @property
    def unit_rule_label(self) -> str:
        return UNIT_RULE_LABELS[self.unit_rule]

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready data; ``from_dict(p.to_dict()) == p``. ``mac``/``articles`` only
        when set (the user store keeps them beside the profiles: ``userdata.profile_macs``)."""
        out: dict[str, object] = {
            "name": self.name,
            "unit_rule": self.unit_rule,
            "daily_timed_unit_cap": self.daily_timed_unit_cap,
            "medicare": self.medicare,
        }
        if self.mac is not None:
            out["mac"] = self.mac
        if self.articles:
            out["articles"] = True
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> PayerProfile:
        """Build a profile from stored data.

        ``name`` and ``unit_rule`` are required; ``daily_timed_unit_cap`` defaults to no cap
        and ``medicare`` to false. Keys this version does not know are ignored (a newer
        version may have written them). Anything malformed raises ``ValueError``.
        """
        if not isinstance(data, Mapping):
            raise ValueError(
                f"payer profile: expected a mapping of {', '.join(_KEYS)}, "
                f"got {type(data).__name__}"
            )
        missing = [key for key in ("name", "unit_rule") if key not in data]
        if missing:
            raise ValueError(f"payer profile: missing {', '.join(repr(k) for k in missing)}")
        name = data["name"]
        if not isinstance(name, str):
            raise ValueError("payer profile: 'name' must be a non-empty text")
        unit_rule = data["unit_rule"]
        if unit_rule not in UNIT_RULES:
            raise ValueError(
                f"payer profile {name!r}: 'unit_rule' must be 'cms' or 'midpoint', "
                f"not {unit_rule!r}"
            )
        cap = data.get("daily_timed_unit_cap")
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int)):
            raise ValueError(
                f"payer profile {name!r}: 'daily_timed_unit_cap' must be empty (no cap) "
                f"or a whole number, not {cap!r}"
            )
        medicare = data.get("medicare", False)
        if not isinstance(medicare, bool):
            raise ValueError(
                f"payer profile {name!r}: 'medicare' must be true or false, not {medicare!r}"
            )
        mac = data.get("mac")
        articles = data.get("articles", False)
        return cls(
            name=name,
            unit_rule=unit_rule,
            daily_timed_unit_cap=cap,
            medicare=medicare,
            mac=mac if mac != "" else None,  # type: ignore[arg-type]  # checked in __post_init__
            articles=articles,  # type: ignore[arg-type]
        )


MEDICARE: Final = PayerProfile(
    name="Medicare", unit_rule="cms", daily_timed_unit_cap=None, medicare=True
)
COMMERCIAL_MIDPOINT: Final = PayerProfile(
    name="Commercial (midpoint rule)",
    unit_rule="midpoint",
    daily_timed_unit_cap=None,
    medicare=False,
)

#: Built-in profiles by name. A user profile with one of these names should not replace them.
BUILTIN_PROFILES: Final[dict[str, PayerProfile]] = {
    profile.name: profile for profile in (MEDICARE, COMMERCIAL_MIDPOINT)
}
