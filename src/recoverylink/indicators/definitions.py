"""The eight treatment indicators: what each counts, over what, and how it is
reported.

Each :class:`Indicator` is reported for England, each region and each local
authority (:data:`LEVELS`), for all people and for each substance group
(:data:`SUBSTANCE_GROUPS`), over financial years and rolling 12-month periods.
The counts behind them come from the linked treatment journeys; the
statistics (value, confidence limits, comparison with England, trend,
funnels) are in :mod:`recoverylink.indicators.statistics`.

Definitions follow the official ones (``../shared/reference/PUBLISHED_FIGURES.md``,
"Official indicator definitions"): a treatment journey joins one person's
episodes where no more than 21 days pass between a discharge and the next
start, or where they overlap; re-presentation is a new triage date ``T``
after a successful discharge on ``D`` with ``D <= T < D + 6 months``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Literal

Kind = Literal["proportion", "rate"]
Polarity = Literal["high_is_good", "low_is_good"] | None
Unit = Literal["persons", "journeys"]

#: The geographies every indicator is reported for, largest first.
LEVELS: tuple[str, ...] = ("england", "region", "local_authority")

#: The substance groups (NDTMS's): everyone, then four groups that do not overlap.
SUBSTANCE_GROUPS: tuple[str, ...] = (
    "all",
    "opiate",
    "non_opiate",
    "alcohol",
    "non_opiate_and_alcohol",
)

#: What each substance group holds.
SUBSTANCE_GROUP_TITLES: dict[str, str] = {
    "all": "All people in treatment",
    "opiate": "Opiate users (any opiate, with or without other drugs or alcohol)",
    "non_opiate": "Non-opiate only (non-opiate drugs, no opiates, no alcohol)",
    "alcohol": "Alcohol only (alcohol, no drugs)",
    "non_opiate_and_alcohol": "Non-opiate and alcohol (non-opiate drugs and alcohol, no opiates)",
}

#: England's area code (the benchmark every other area is compared with).
ENGLAND_CODE = "E92000001"

#: Every (level, substance group) pair: the breakdowns of each indicator.
ALL_BREAKDOWNS: tuple[tuple[str, str], ...] = tuple(product(LEVELS, SUBSTANCE_GROUPS))


@dataclass(frozen=True)
class Indicator:
    """One indicator's definition.

    ``value = numerator / denominator * multiplier``. ``kind`` says which
    confidence interval applies (Wilson for proportions, exact/Byar's Poisson
    for rates); ``polarity`` says whether a higher value is better
    (``"high_is_good"``), worse (``"low_is_good"``) or neither (``None``),
    which turns "higher/lower" into "better/worse" in comparisons and trends.
    ``unit`` is what the numerator counts. ``follow_up_months`` is the
    follow-up after the period's end that the numerator needs (6 for the
    re-presentation indicators, 0 otherwise): the indicator can only be
    reported for periods ending at least that long before the end of the data.
    """

    id: str
    title: str
    numerator: str
    denominator: str
    kind: Kind
    multiplier: float
    polarity: Polarity
    breakdowns: tuple[tuple[str, str], ...]
    method_note: str
    unit: Unit
    follow_up_months: int = 0


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="in_treatment",
        title="People in treatment per 100,000 population",
        numerator="People with a treatment journey open at any time in the period",
        denominator="Resident population of the area (mid-year estimate)",
        kind="rate",
        multiplier=100000.0,
        polarity=None,
        breakdowns=ALL_BREAKDOWNS,
        method_note=(
            "A person is in treatment in the period when any of their treatment journeys "
            "is open on at least one day of it (started on or before the period end and not "
            "discharged before the period start); each person counts once per area and "
            "substance group. The rate is per 100,000 resident population, with exact "
            "Poisson limits below 10 people and Byar's from 10. More people in treatment "
            "is neither better nor worse, so the indicator has no polarity."
        ),
        unit="persons",
    ),
    Indicator(
        id="new_presentations",
        title="New presentations to treatment per 100,000 population",
        numerator="People starting a new treatment journey in the period",
        denominator="Resident population of the area (mid-year estimate)",
        kind="rate",
        multiplier=100000.0,
        polarity=None,
        breakdowns=ALL_BREAKDOWNS,
        method_note=(
            "A new presentation is a person whose treatment journey starts (first triage of "
            "the journey) in the period; episodes joined into an earlier journey (a gap of "
            "21 days or less, or an overlap) are not new. A person starting two journeys in "
            "the period counts once. The rate is per 100,000 resident population and has "
            "no polarity."
        ),
        unit="persons",
    ),
    Indicator(
        id="successful_completions",
        title="Successful completions as a percentage of people in treatment",
        numerator="People whose treatment journey ended with a successful discharge in the period",
        denominator="People in treatment in the period",
        kind="proportion",
        multiplier=100.0,
        polarity="high_is_good",
        breakdowns=ALL_BREAKDOWNS,
        method_note=(
            "The numerator counts people whose journey ended in the period with a discharge "
            "reason classed as successful (completed drug free, completed alcohol free, or "
            "completed as an occasional user except for heroin and crack users); the "
            "denominator is everyone in treatment in the period (in_treatment's numerator). "
            "The percentage has Wilson score limits."
        ),
        unit="persons",
    ),
    Indicator(
        id="successful_completions_not_representing",
        title=(
            "Successful completions that did not re-present within 6 months, as a "
            "percentage of people in treatment (PHOF)"
        ),
        numerator=(
            "People who left treatment successfully in the period and did not re-present "
            "within 6 months"
        ),
        denominator="People in treatment in the period",
        kind="proportion",
        multiplier=100.0,
        polarity="high_is_good",
        breakdowns=ALL_BREAKDOWNS,
        method_note=(
            "The Public Health Outcomes Framework indicator: people whose journey ended "
            "successfully on a date D in the period (the last such exit, if several) and who "
            "had no new triage T with D <= T < D + 6 months, as a percentage of everyone in "
            "treatment in the period. "
            "Only periods whose 6-month follow-up lies within the data are reported (period "
            "end + 6 months on or before the last date of the treatment extract). The "
            "percentage has Wilson score limits."
        ),
        unit="persons",
        follow_up_months=6,
    ),
    Indicator(
        id="representations",
        title="Re-presentations within 6 months of a successful completion",
        numerator=(
            "People who completed successfully in the period and re-presented within 6 months"
        ),
        denominator="People who completed treatment successfully in the period",
        kind="proportion",
        multiplier=100.0,
        polarity="low_is_good",
        breakdowns=ALL_BREAKDOWNS,
        method_note=(
            "Of the people whose journey ended successfully on a date D in the period, the "
            "percentage with a new triage T where D <= T < D + 6 months (a person with "
            "several successful exits counts once, judged by the last in the period). Only "
            "periods whose 6-month follow-up lies within the data are reported. The "
            "percentage has Wilson score limits; fewer re-presentations is better."
        ),
        unit="persons",
        follow_up_months=6,
    ),
    Indicator(
        id="effective_treatment",
        title="People in effective treatment",
        numerator=(
            "People in treatment retained for 12 weeks (84 days) or more, or discharged "
            "successfully before 12 weeks"
        ),
        denominator="People in treatment in the period whose 12-week status is known by its end",
        kind="proportion",
        multiplier=100.0,
        polarity="high_is_good",
        breakdowns=ALL_BREAKDOWNS,
        method_note=(
            "A person is in effective treatment when a journey open in the period had lasted "
            "84 days or more by the period end (or by its discharge), or ended with a "
            "successful discharge in under 84 days. People whose journey started in the "
            "last 84 days of the period and is still open at its end cannot yet be judged "
            "and are left out of both numerator and denominator. The percentage has Wilson "
            "score limits."
        ),
        unit="persons",
    ),
    Indicator(
        id="waiting_under_3_weeks",
        title="Waits under 3 weeks from referral to first intervention",
        numerator=(
            "Journeys whose first intervention started in the period after a wait under 21 days"
        ),
        denominator="Journeys whose first intervention started in the period",
        kind="proportion",
        multiplier=100.0,
        polarity="high_is_good",
        breakdowns=ALL_BREAKDOWNS,
        method_note=(
            "Counts treatment journeys (not people) whose first intervention started in the "
            "period; the wait is the number of days from that intervention's referral date "
            "to its start date, and a wait under 21 days (0 to 20) counts as under 3 weeks. The "
            "percentage "
            "has Wilson score limits."
        ),
        unit="journeys",
    ),
    Indicator(
        id="deaths_in_treatment",
        title="Deaths in treatment per 1,000 people in treatment",
        numerator="People who died while in treatment in the period",
        denominator="People in treatment in the period",
        kind="rate",
        multiplier=1000.0,
        polarity="low_is_good",
        breakdowns=ALL_BREAKDOWNS,
        method_note=(
            "A person died in treatment when a linked death registration is dated in the "
            "period within one of their open journeys (from its start to its discharge "
            "date inclusive), or when a journey ended in the period with the discharge "
            "reason 'died'; each person counts once. The rate is per 1,000 people in "
            "treatment, with exact Poisson limits below 10 deaths and Byar's from 10."
        ),
        unit="persons",
    ),
)

#: The indicators by id.
BY_ID: dict[str, Indicator] = {ind.id: ind for ind in INDICATORS}
