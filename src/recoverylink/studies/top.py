"""Change from the Treatment Outcomes Profile at start to the latest review.

For each treatment journey, its first episode with a TOP at the start of
treatment is compared with that episode's latest review (or exit) TOP:
abstinence from the main drug among those using it at the start, days of use,
injecting, crime days, acute housing problems, paid work days and the three
health scores (psychological, physical, quality of life); for England, by
substance group and by local authority, with 95% intervals (Wilson for
shares, Student's t for mean paired changes; :mod:`recoverylink.stats`).

The unit, the main drug and the window are SQL (``studies/sql/top.sql``, whose
header states every rule); this module computes the measures and builds the
report. docs/study-top.md is the study's page.

Window: by default every start TOP in the data; with ``--year YYYY-YY`` the
journeys whose start TOP falls in that financial year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from recoverylink.spec.reference import local_authorities
from recoverylink.stats import mean, wilson_lower, wilson_upper
from recoverylink.studies.base import (
    Chart,
    Headline,
    StudyContext,
    StudyNotApplicableError,
    StudyResult,
    Table,
    financial_year,
)
from recoverylink.studies.charts import bar_chart

STUDY = "top"
ENGLAND = "England"
NOT_KNOWN = "not known"
DRUGS = ("opiates", "crack", "cocaine", "amphetamines", "cannabis", "alcohol")
GROUP_ORDER = ("opiate", "non_opiate", "non_opiate_and_alcohol", "alcohol", NOT_KNOWN)

ABSTINENT = "% abstinent at review"
MEAN_CHANGE = "mean change"
PP_CHANGE = "change in percentage points"


@dataclass(frozen=True)
class Measure:
    id: str
    label: str
    statistic: str
    """ABSTINENT, MEAN_CHANGE or PP_CHANGE: what ``value`` is."""
    start: str
    review: str
    among: str
    """Who is counted: 'users' (using the drug at start) or 'all' (reviewed units)."""
    unit: str
    """The headline's unit."""


MEASURES = (
    Measure("main_drug_abstinent", "Abstinent from the main drug at review "
            "(of those using it at start)", ABSTINENT, "start_days_main",
            "review_days_main", "users", "%"),
    Measure("main_drug_days", "Days using the main drug in 28 (of those using it at start)",
            MEAN_CHANGE, "start_days_main", "review_days_main", "users", "days"),
    Measure("injecting", "Injecting (any day in 28)", PP_CHANGE, "start_injecting",
            "review_injecting", "all", "percentage points"),
    Measure("crime_days", "Days of shoplifting, drug selling or other theft in 28",
            MEAN_CHANGE, "start_crime_days", "review_crime_days", "all", "days"),
    Measure("housing_problem", "Acute housing problem", PP_CHANGE, "start_housing_problem",
            "review_housing_problem", "all", "percentage points"),
    Measure("paid_work_days", "Days of paid work in 28", MEAN_CHANGE, "start_paid_work_days",
            "review_paid_work_days", "all", "days"),
    Measure("psychological_health", "Psychological health score (0-20)", MEAN_CHANGE,
            "start_psychological_health", "review_psychological_health", "all", "points"),
    Measure("physical_health", "Physical health score (0-20)", MEAN_CHANGE,
            "start_physical_health", "review_physical_health", "all", "points"),
    Measure("quality_of_life", "Quality of life score (0-20)", MEAN_CHANGE,
            "start_quality_of_life", "review_quality_of_life", "all", "points"),
)

COLUMNS = ["measure", "label", "statistic", "n", "at_start", "at_review", "value", "lower",
           "upper"]


def study_window(ctx: StudyContext) -> tuple[date, date]:
    if ctx.options.year is None:
        return date(1900, 1, 1), ctx.data_end
    return financial_year(ctx.options.year)


def prepare(units: pd.DataFrame) -> pd.DataFrame:
    """The reviewed units with the derived columns the measures read."""
    out = units.copy()
    for stage in ("start", "review"):
        days = pd.to_numeric(out[f"{stage}_days_injected"], errors="coerce")
        out[f"{stage}_injecting"] = np.where(days.isna(), np.nan, (days > 0).astype(float))
        housing = out[f"{stage}_housing_problem"]
        out[f"{stage}_housing_problem"] = np.where(
            housing.isna(), np.nan, housing.astype("boolean").astype(float)
        )
    out["substance_group"] = out["substance_group"].fillna(NOT_KNOWN)
    out["local_authority"] = out["local_authority"].fillna(NOT_KNOWN)
    return out


def _pairs(units: pd.DataFrame, m: Measure, key: str) -> pd.DataFrame:
    pairs = pd.DataFrame({
        "group": units[key].to_numpy(),
        "start": pd.to_numeric(units[m.start], errors="coerce").to_numpy(float),
        "review": pd.to_numeric(units[m.review], errors="coerce").to_numpy(float),
    }).dropna(subset=["start", "review"])
    if m.among == "users":
        pairs = pairs[pairs["start"] > 0]
    return pairs


def measure_rows(units: pd.DataFrame, key: str, measures: tuple[Measure, ...] = MEASURES,
                 ) -> pd.DataFrame:
    """One row per group of ``key`` and measure: n, the mean (or %) at start and at
    review, and the estimate with its 95% interval.

    ``% abstinent``: of those using the drug at start (days > 0), the share using it
    on no day in the 28 before the review, with Wilson's interval. ``mean change``:
    the mean of review - start with Student's t interval (the paired t interval).
    ``change in percentage points``: the same for a yes/no item scored 1/0, x 100.
    """
    rows: list[pd.DataFrame] = []
    for m in measures:
        pairs = _pairs(units, m, key)
        if pairs.empty:
            continue
        grouped = pairs.groupby("group", sort=False)
        n = grouped.size()
        scale = 100.0 if m.statistic in (ABSTINENT, PP_CHANGE) else 1.0
        frame = pd.DataFrame({
            "group": n.index, "n": n.to_numpy(),
            "at_start": grouped["start"].mean().reindex(n.index).to_numpy() * scale,
            "at_review": grouped["review"].mean().reindex(n.index).to_numpy() * scale,
        })
        if m.statistic == ABSTINENT:
            x = pairs.assign(a=(pairs["review"] == 0).astype(float)).groupby(
                "group", sort=False)["a"].sum().reindex(n.index).to_numpy(float)
            total = n.to_numpy(float)
            frame["at_start"] = 0.0
            frame["at_review"] = x / total * 100.0
            frame["value"] = x / total * 100.0
            frame["lower"] = wilson_lower(x, total) * 100.0
            frame["upper"] = wilson_upper(x, total) * 100.0
        else:
            est = mean((pairs["review"] - pairs["start"]).to_numpy(float),
                       pairs["group"].to_numpy())
            by_group = pd.DataFrame({
                "value": np.ravel(est.value), "lower": np.ravel(est.lower95),
                "upper": np.ravel(est.upper95),
            }, index=est.extra["group"]).reindex(n.index)
            frame["value"] = by_group["value"].to_numpy() * scale
            frame["lower"] = by_group["lower"].to_numpy() * scale
            frame["upper"] = by_group["upper"].to_numpy() * scale
        frame.insert(1, "measure", m.id)
        frame.insert(2, "label", m.label)
        frame.insert(3, "statistic", m.statistic)
        rows.append(frame)
    if not rows:
        return pd.DataFrame(columns=["group", *COLUMNS])
    return pd.concat(rows, ignore_index=True)


def _order(frame: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    measure_order = {m.id: i for i, m in enumerate(MEASURES)}
    group_order = {g: i for i, g in enumerate(groups)}
    return frame.assign(
        _g=frame["group"].map(group_order).fillna(len(groups)),
        _m=frame["measure"].map(measure_order).fillna(len(MEASURES)),
    ).sort_values(["_g", "group", "_m"]).drop(columns=["_g", "_m"]).reset_index(drop=True)


def england_table(units: pd.DataFrame) -> pd.DataFrame:
    rows = measure_rows(units.assign(england=ENGLAND), "england")
    return _order(rows, [ENGLAND])[COLUMNS]


def substance_table(units: pd.DataFrame) -> pd.DataFrame:
    rows = _order(measure_rows(units, "substance_group"), list(GROUP_ORDER))
    return rows.rename(columns={"group": "substance_group"})[["substance_group", *COLUMNS]]


def area_table(units: pd.DataFrame) -> pd.DataFrame:
    rows = _order(measure_rows(units, "local_authority"), [])
    names = dict(zip(*(local_authorities()[c].tolist() for c in ("la_code", "la_name")),
                     strict=True))
    rows.insert(1, "la_name", rows["group"].map(names).fillna(""))
    return rows.rename(columns={"group": "local_authority"})[
        ["local_authority", "la_name", *COLUMNS]]


def drug_table(units: pd.DataFrame) -> pd.DataFrame:
    """For each drug, of those using it at start (main drug or not): abstinence and days."""
    parts = []
    for drug in DRUGS:
        measures = (
            Measure("abstinent", "Abstinent at review", ABSTINENT, f"start_days_{drug}",
                    f"review_days_{drug}", "users", "%"),
            Measure("days", "Days of use in 28", MEAN_CHANGE, f"start_days_{drug}",
                    f"review_days_{drug}", "users", "days"),
        )
        rows = measure_rows(units.assign(england=ENGLAND), "england", measures)
        if len(rows):
            parts.append(rows.assign(drug=drug))
    if not parts:
        return pd.DataFrame(columns=["drug", *COLUMNS])
    table = pd.concat(parts, ignore_index=True)
    return table[["drug", *COLUMNS]]


def _headlines(england: pd.DataFrame) -> list[Headline]:
    by_id = {row["measure"]: row for row in england.to_dict("records")}
    out = []
    for m in MEASURES:
        row = by_id.get(m.id)
        if row is None:
            continue
        what = "" if m.statistic == ABSTINENT else (
            "Change: " if m.statistic == MEAN_CHANGE else "Change (percentage points): ")
        note = (f"{int(row['n']):,} journeys; " + (
            f"{row['at_start']:.1f} at start, {row['at_review']:.1f} at review"
            if m.statistic != ABSTINENT else "users of the main drug at start"))
        out.append(Headline(
            m.id, f"{what}{m.label}", float(row["value"]), m.unit, float(row["lower"]),
            float(row["upper"]), note=note,
        ))
    return out


def _charts(england: pd.DataFrame, groups: pd.DataFrame) -> list[Chart]:
    charts = []
    abstinent = groups[(groups["measure"] == "main_drug_abstinent")
                       & np.isfinite(groups["value"].astype(float))]
    if len(abstinent):
        charts.append(Chart(
            "abstinence_chart", "Abstinent from the main drug at review, by substance group",
            bar_chart(abstinent["substance_group"].tolist(),
                      abstinent["value"].astype(float).tolist(), "% abstinent",
                      abstinent["lower"].astype(float).tolist(),
                      abstinent["upper"].astype(float).tolist()),
            "Of those using their main drug at start; Wilson 95% intervals.",
        ))
    health = england[england["measure"].isin(
        ["psychological_health", "physical_health", "quality_of_life"])]
    health = health[np.isfinite(health["lower"].astype(float))]
    if len(health):
        charts.append(Chart(
            "health_chart", "Change in health scores, start to latest review (England)",
            bar_chart([lbl.split(" score")[0] for lbl in health["label"]],
                      health["value"].astype(float).tolist(), "mean change (points)",
                      health["lower"].astype(float).tolist(),
                      health["upper"].astype(float).tolist()),
            "Mean paired change with Student's t 95% intervals.",
        ))
    return charts


def run(ctx: StudyContext) -> StudyResult:
    options = ctx.options
    window = study_window(ctx)
    params: dict[str, object] = {"window_start": window[0], "window_end": window[1]}
    ctx.sql(STUDY, "units", params)
    cohort = ctx.frame(STUDY, "cohort", params).iloc[0]
    units = ctx.frame(STUDY, "reviewed")
    if units.empty:
        where = f" in {options.year}" if options.year else ""
        raise StudyNotApplicableError(
            f"study {STUDY}: no journey with a start TOP{where} and a later review, so "
            "there is no change to measure"
        )
    units = prepare(units)
    england = england_table(units)
    groups = substance_table(units)
    areas = area_table(units)
    drugs = drug_table(units)

    cohort_lines = [
        ("Start TOPs dated in " + (f"financial year {options.year}" if options.year
                                   else "the data (no year chosen)") + f": "
         f"{int(cohort['episodes_with_start_top']):,} episodes with a start TOP."),
        f"{int(cohort['journeys']):,} journeys: each journey's first episode with a start "
        "TOP (later episodes of the journey are not used).",
        f"{int(cohort['reviewed']):,} of them with a review or exit TOP after the start TOP: "
        "the study's units.",
        f"{int(cohort['no_review']):,} left out: no review or exit TOP.",
        f"{int(cohort['review_not_later']):,} left out: the latest review is not after the "
        "start TOP.",
        f"{int(cohort['reviewed_not_scored']):,} reviewed units whose main drug has no TOP "
        "column (benzodiazepines, other, not recorded): in every measure but the main drug's.",
    ]
    methods = [
        "Unit: one per treatment journey, its first episode (by triage date, then episode id) "
        "with a TOP at stage 'start'. That episode's earliest start TOP is compared with its "
        "latest TOP at stage 'review' or 'exit', if dated after the start TOP. The episode is "
        "chosen before looking at reviews, so journeys whose first start-TOP episode has no "
        "review are left out rather than replaced by a later episode that has one.",
        "Window: " + (f"start TOPs dated in financial year {options.year} "
                      f"({window[0]} to {window[1]})." if options.year else
                      "every start TOP in the data (--year takes one financial year)."),
        "Main drug: the episode's first substance, scored on the TOP's days of use in the "
        "past 28 days: heroin, methadone and other opiates on opiates, crack, cocaine, "
        "amphetamine, cannabis and alcohol on their own columns; other substances are not "
        "scored.",
        "Abstinence: of those using the main drug on at least one day in the 28 before the "
        "start TOP, the share using it on none in the 28 before the latest review, with "
        "Wilson's 95% interval. Days of use of the main drug: the mean change among the "
        "same people.",
        "Injecting (days injected > 0) and acute housing problem (yes/no): the share at "
        "start and at review, and the mean paired change in percentage points. Crime days "
        "(shoplifting, drug selling and other theft days added up), paid work days and the "
        "three health scores (0-20): the mean at start and at review, and the mean paired "
        "change. Every change has a Student's t 95% interval (the paired t interval, "
        "recoverylink.stats.mean on the differences). Each measure counts the units with "
        "the item at both TOPs.",
        "By substance group and local authority: the episode's (its substance group from "
        "its own substances; its local authority as recorded, else the provider's). The "
        "by-drug table counts everyone using that drug at start, whatever the main drug.",
    ]
    caveats = [
        "Only journeys with a review are counted; people who left early without one are "
        "not, and may have done worse.",
        "The latest review is at different times for different people (an exit TOP, or a "
        "review months later); no adjustment is made for the time between the TOPs.",
        "Changes are before-and-after differences with no comparison group: not the effect "
        "of treatment.",
        "Small counts are not suppressed; areas with few journeys have wide intervals.",
    ]
    parameters: dict[str, Any] = {
        "year": options.year or "all",
        "window": f"{window[0]} to {window[1]}" if options.year else f"to {window[1]}",
    }
    return StudyResult(
        study=STUDY,
        title="Treatment Outcomes Profile: change from start to the latest review",
        schema=ctx.schema,
        parameters=parameters,
        cohort=cohort_lines,
        methods=methods,
        caveats=caveats,
        headlines=_headlines(england),
        tables=[
            Table("top_england", "England", england,
                  "value: % abstinent (Wilson), or the mean change (review - start) with "
                  "Student's t interval; shares and their changes in % / percentage points."),
            Table("top_by_substance_group", "By substance group", groups),
            Table("top_by_area", "By local authority", areas),
            Table("top_by_drug", "By drug used at start (England)", drugs),
        ],
        charts=_charts(england, groups),
    )
