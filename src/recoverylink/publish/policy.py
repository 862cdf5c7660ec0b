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
"""Suppressed cells that are the parts of a published total, one of them from 1
to 4, must add up to at least this: else each is known to lie between 0 and a
small sum (the equation rule of :func:`recoverylink.publish.disclosure.fixpoint`)."""

RECOVERY_WIDTH = 1.0
"""Every suppressed cell must have, given everything published, a feasible range
(the attacker's linear programme, :mod:`recoverylink.publish.audit`) at least
this wide: it can never be worked out exactly. A count from 1 to 4 (suppressed,
or an unpublished remainder) must moreover have a range reaching outside 1 to
4 (to 0, or to 5 or more)."""

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
