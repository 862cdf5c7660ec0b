"""How each study table is protected: which columns count people, which derive from them.

A study writes its tables as CSV (``outputs/studies/NAME/``); they are small,
national tables of one cohort. For each table published, :data:`SPECS` says:

- ``counts``: columns that count people (or journeys, deaths, convictions):
  each from 1 to 4 is suppressed;
- ``shares``: percentage columns (0 to 100) of a count column, ``share:
  denominator``: the count they imply (``share / 100 x denominator``) is a
  count like any other, so a share that implies 1 to 4 people, or all but 1
  to 4, is suppressed;
- ``columns``: counts that add up across the table's rows to a total the
  study also publishes (a cohort and its breakdown): in each such column no
  suppressed cell may be left alone, so a second is suppressed;
- ``parts``: within a row, counts that add up to another count of the row
  (``whole: [parts]``).

Every other numeric column of a row (rates, intervals, changes, ratios) is
derived from the row's counts and is suppressed whenever any count or share
of the row is. Tables not listed are not published (the sensitivity
analysis, the SMR working by age band: analysts' tables).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TableSpec:
    counts: tuple[str, ...]
    shares: dict[str, str] = field(default_factory=dict)
    columns: tuple[str, ...] = ()
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    labels: tuple[str, ...] = ()
    """Text columns that say what a row is (never suppressed)."""
    share_when: tuple[str, tuple[str, ...]] | None = None
    """``(column, values)``: the shares are percentages only in rows whose
    ``column`` is one of ``values`` (elsewhere they are means)."""


TOP_PERCENT_STATISTICS = ("% abstinent at review", "change in percentage points")

_LT_OUTCOMES = ("sustained_recovery", "returned_directly", "returned_via_cjs",
                "offending_without_return")

SPECS: dict[str, dict[str, TableSpec]] = {
    "reconviction": {
        "outcome_groups": TableSpec(
            counts=("people", "offenders", "convictions_before", "convictions_after"),
            labels=("group", "label"),
        ),
        "offence_groups": TableSpec(
            counts=("offenders_with_one_before", "convictions_before", "convictions_after"),
            labels=("offence_group", "label"),
        ),
        "substance_groups": TableSpec(
            counts=("people", "with_conviction_before"),
            columns=("people", "with_conviction_before"),
            labels=("substance", "label"),
        ),
        "hard_core": TableSpec(
            counts=("people", "with_increase"), labels=("offenders", "definition"),
        ),
        "regression_to_the_mean": TableSpec(
            counts=("pre_period_offenders",), labels=("group", "label"),
        ),
    },
    "long_term": {
        "outcomes": TableSpec(
            counts=("people", "offended", "returned_within_year", "died_in_follow_up"),
            columns=("people",),
            labels=("outcome", "label"),
        ),
        "by_exit_reason": TableSpec(
            counts=("people", *_LT_OUTCOMES, "offended", "offended_returned"),
            columns=("people", *_LT_OUTCOMES),
            parts={"people": _LT_OUTCOMES},
            labels=("exit_reason",),
        ),
        "by_substance_group": TableSpec(
            counts=("people", *_LT_OUTCOMES, "offended", "offended_returned"),
            columns=("people", *_LT_OUTCOMES),
            parts={"people": _LT_OUTCOMES},
            labels=("substance_group",),
        ),
        "cjs_routes": TableSpec(counts=("people",), labels=("route", "label")),
        "exclusions": TableSpec(counts=("people",), labels=("reason", "label")),
        "reoffenders": TableSpec(counts=("people", "of"), labels=("re_offenders",)),
        "time_to_return": TableSpec(counts=("people", "returns"), labels=("group_by", "group")),
    },
    "mortality": {
        "rates": TableSpec(
            counts=("people", "journeys", "deaths", "drug_poisoning_deaths", "observed"),
            labels=("period",),
        ),
        "rates_by_group": TableSpec(
            counts=("people", "journeys", "deaths", "drug_poisoning_deaths", "observed"),
            labels=("breakdown", "group", "period"),
        ),
    },
    "top": {
        name: TableSpec(
            counts=("n",),
            shares={"at_start": "n", "at_review": "n"},
            labels=labels,
            share_when=("statistic", TOP_PERCENT_STATISTICS),
        )
        for name, labels in (
            ("top_england", ("measure", "label", "statistic")),
            ("top_by_substance_group", ("substance_group", "measure", "label", "statistic")),
            ("top_by_drug", ("drug", "measure", "label", "statistic")),
            ("top_by_area", ("local_authority", "la_name", "measure", "label", "statistic")),
        )
    },
}
"""The published study tables and how each is protected."""

HEADLINE_COUNT_UNITS = ("people",)
"""Headlines in these units are counts: suppressed from 1 to 4."""
