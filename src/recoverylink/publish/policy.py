"""The disclosure policy's constants: one policy, applied to everything published.

See docs/publication.md ("Disclosure control") for the policy in words.
"""

from __future__ import annotations

POLICY_VERSION = "1"
"""Changes whenever the policy does; written to ``build_info``."""

PRIMARY_MIN = 1
PRIMARY_MAX = 4
"""A count of people (or journeys) from 1 to 4 is suppressed (primary suppression)."""

PROTECTION_WIDTH = 5.0
"""Every count from 1 to 4 that is suppressed or unpublished must have, given
everything published, a feasible range at least this wide (upper minus lower
bound of the attacker's linear programme): as wide as the range 0 to 4 that
primary suppression hides, so that no suppressed pair or group adds to a
small, disclosive total."""

RECOVERY_WIDTH = 1.0
"""Every other suppressed cell must have a feasible range at least this wide:
it can never be worked out exactly."""

SUPPRESSED = "c"
NOT_AVAILABLE = "x"
PUBLISHED = ""

SHORTHAND = {
    SUPPRESSED: "[c]",
    NOT_AVAILABLE: "[x]",
}
"""How a suppressed or unavailable cell is written in CSV and spreadsheets."""

SHORTHAND_NOTES = {
    "[c]": "Confidential: suppressed so that no one can be identified (a count from 1 to 4, "
    "or a figure from which one could be worked out).",
    "[x]": "Not available or not applicable (for example, a rate whose denominator is zero).",
}


def is_primary(value: float) -> bool:
    """A count that primary suppression hides."""
    return PRIMARY_MIN <= value <= PRIMARY_MAX
