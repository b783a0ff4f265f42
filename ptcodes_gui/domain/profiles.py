"""Payer profiles: which timed-unit rule a payer uses and whether it caps timed units.

A profile is plain data so the user can keep their own (stored through ``to_dict`` /
``from_dict``). Two are built in: Medicare (CMS 8-minute rule) and a commercial payer that
follows the AMA/CPT midpoint rule (PT-CODING-FACTS.md section 3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from ptcodes_gui.domain.fees import parse_locality_id

UnitRule = Literal["cms", "midpoint"]

UNIT_RULES: Final[tuple[UnitRule, ...]] = ("cms", "midpoint")

UNIT_RULE_LABELS: Final[dict[str, str]] = {
    "cms": "CMS 8-minute rule (minutes of all timed codes added up)",
    "midpoint": "AMA/CPT midpoint rule (each code on its own)",
}

#: A day has 1,440 minutes, i.e. at most 96 fifteen-minute units; anything above is a typo.
MAX_DAILY_CAP: Final = 96
MAX_NAME_LENGTH: Final = 80

_KEYS: Final = ("name", "unit_rule", "daily_timed_unit_cap", "medicare", "locality")


@dataclass(frozen=True)
class PayerProfile:
    """How one payer counts timed units.

    ``daily_timed_unit_cap`` is the number of timed units the payer pays a day for the
    discipline (``None``: no cap). ``medicare`` turns on the Medicare-only checks
    (bundled 97010, G0283 instead of 97014, codes Medicare does not accept).
    ``locality`` is the clinic's Medicare payment locality, ``"13202-01"`` (MAC number and
    locality number, as in the GPCI file): with an imported fee schedule, visits show
    their estimated Medicare amount for it (``None``: no amounts).
    """

    name: str
    unit_rule: UnitRule = "cms"
    daily_timed_unit_cap: int | None = None
    medicare: bool = False
    locality: str | None = None

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
        if self.locality is not None:
            try:
                object.__setattr__(self, "locality", parse_locality_id(self.locality))
            except ValueError as exc:
                raise ValueError(f"payer profile {self.name!r}: {exc}") from None

    @property
    def unit_rule_label(self) -> str:
        return UNIT_RULE_LABELS[self.unit_rule]

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready data; ``from_dict(p.to_dict()) == p``. ``locality`` only when
        set, so stores that predate it read the data unchanged."""
        data: dict[str, object] = {
            "name": self.name,
            "unit_rule": self.unit_rule,
            "daily_timed_unit_cap": self.daily_timed_unit_cap,
            "medicare": self.medicare,
        }
        if self.locality is not None:
            data["locality"] = self.locality
        return data

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
        locality = data.get("locality")
        if locality is not None and not isinstance(locality, str):
            raise ValueError(
                f"payer profile {name!r}: 'locality' must be text such as 13202-01, "
                f"not {locality!r}"
            )
        return cls(
            name=name,
            unit_rule=unit_rule,
            daily_timed_unit_cap=cap,
            medicare=medicare,
            locality=locality,
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
