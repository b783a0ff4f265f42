"""The liability modifiers as a decision: which of GA, GZ, GX, GY a line needs, and why.

Two questions decide it (CMS-R-131 form instructions; Pub. 100-04 ch. 30 §40.3.6, §50):

* Medicare would cover the service but is expected to deny it here as not reasonable and
  necessary (no diagnosis the MAC's article accepts, a frequency past its limit): a
  mandatory ABN. **GA** when the patient signed it (the patient may be billed if denied);
  **GZ** when no ABN was signed (the clinic bears the loss; the line is denied at once).
* Medicare never covers it (statutorily excluded, not a Medicare benefit, e.g. dry
  needling by a PT): no ABN is required. **GY** says so and gets a fast denial (for a
  secondary payer); **GX** adds that a voluntary ABN was given.
"""

from __future__ import annotations

from typing import Final

#: One sentence each, shown beside the offer and in the warning's details.
LIABILITY_MODIFIERS: Final[dict[str, str]] = {
    "GA": "GA: the patient signed an ABN before the service, so the patient pays if "
          "Medicare denies it.",
    "GZ": "GZ: no signed ABN; the line is denied at once and the clinic may not bill the "
          "patient.",
    "GY": "GY: Medicare never covers this (statutory exclusion or not a benefit); the "
          "denial comes fast and a secondary payer can act on it.",
    "GX": "GX: with GY, a voluntary ABN was given for a service Medicare never covers.",
}
EXPECTED_DENIAL: Final = ("GA", "GZ")
NEVER_COVERED: Final = ("GY", "GX")


def liability_details(modifiers: tuple[str, ...]) -> str:
    """The sentences of ``modifiers`` as one paragraph (a warning's details)."""
    return " ".join(LIABILITY_MODIFIERS[m] for m in modifiers if m in LIABILITY_MODIFIERS)
