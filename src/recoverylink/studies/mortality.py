"""Mortality in treatment and in the year after leaving: crude rates and SMRs.

Deaths of people in drug treatment (a treatment journey from its start to its
end) and in the year after they leave, all-cause and drug-poisoning (the ONS
drug-misuse flag of the death registration), from death registrations linked
to the treatment records. Crude rates per 1,000 person-years with exact
Poisson limits, and standardised mortality ratios (SMRs) against England's
population death rates by sex and five-year age band
(``recoverylink.spec.reference.england_mortality_rates``), overall and by sex,
age band and substance group.

The periods at risk, the edges and the ageing are SQL
(``studies/sql/mortality.sql``, whose header states every rule); this module
chooses the window, applies the reference rates, computes the intervals
(:mod:`recoverylink.stats`) and builds the report. docs/study-mortality.md is
the study's page.

Window: by default the whole span of the treatment data, from the first day of
the first treatment submission's financial year to the end of the data; with
``--year YYYY-YY`` that financial year (clipped to the data). Only time at
risk and deaths inside the window count. ``--min-link-probability P`` drops
linked death registrations whose link is weaker than P.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from recoverylink.indicators.counts import data_span
from recoverylink.spec.reference import england_mortality_rates
from recoverylink.sqlfiles import package_sql_blocks
from recoverylink.stats import exact_lower, exact_upper
from recoverylink.stats.inputs import safe_divide
from recoverylink.studies.base import (
    Chart,
    Headline,
    StudyContext,
    StudyError,
    StudyNotApplicableError,
    StudyResult,
    Table,
    financial_year,
)
from recoverylink.studies.charts import bar_chart
from recoverylink.studies.coverage import data_coverage

STUDY = "mortality"
DAYS_PER_YEAR = 365.25
PER = 1000.0
"""Rates per 1,000 person-years."""
RATE_UNIT = "per 1,000 person-years"

PERIODS = ("in_treatment", "after_leaving", "both")
PERIOD_LABELS = {
    "in_treatment": "In treatment",
    "after_leaving": "Year after leaving",
    "both": "In treatment or the year after",
}
BREAKDOWNS = ("sex", "age_band", "substance_group")
NOT_KNOWN = {"sex": "not stated", "age_band": "not known", "substance_group": "not known"}

PUBLISHED_TEXT = "1,620 in 2008-09 (drug-related deaths among problem drug users, England)"


def _sql_params(block: str, values: dict[str, object]) -> dict[str, object]:
    """The named parameters block ``block`` of mortality.sql uses (DuckDB refuses others)."""
    text = package_sql_blocks("recoverylink.studies", STUDY)[block]
    return {key: value for key, value in values.items() if f"${key}" in text}


def study_window(ctx: StudyContext) -> tuple[date, date]:
    """The window: the data's span, or the financial year ``--year`` within it."""
    data_start, data_end = data_span(ctx.con, ctx.schema)
    if ctx.options.year is None:
        return data_start, data_end
    start, end = financial_year(ctx.options.year)
    if end < data_start or start > data_end:
        raise StudyNotApplicableError(
            f"study {STUDY}: {ctx.options.year} is outside the data ({data_start} to "
            f"{data_end})"
        )
    return max(start, data_start), min(end, data_end)


def reference_rates(window: tuple[date, date]) -> tuple[pd.DataFrame, str]:
    """England's death rates per person-year by sex and age band (``age_from``), of the
    ONS three-year period centred on the window's middle year (the nearest period
    when the tables have none), and that period's label."""
    rates = england_mortality_rates()
    middle = window[0] + timedelta(days=(window[1] - window[0]).days // 2)
    years = rates["period_mid_year"].astype(int)
    mid = int(min(max(middle.year, int(years.min())), int(years.max())))
    chosen = rates[years == mid]
    out = pd.DataFrame({
        "sex": chosen["sex"].astype(str).to_numpy(),
        "ref_age_from": chosen["age_from"].astype(int).to_numpy(),
        "ref_age_band": chosen["age_band"].astype(str).to_numpy(),
        "england_rate_per_100k": chosen["deaths_per_100k"].astype(float).to_numpy(),
    })
    return out, str(chosen["period"].iloc[0])


def with_expected(strata: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """Person-years, and expected deaths where the sex is known, per stratum."""
    out = strata.copy()
    out["ref_age_from"] = pd.to_numeric(out["ref_age_from"]).astype("Int64")
    out = out.merge(
        rates.astype({"ref_age_from": "Int64"}), on=["sex", "ref_age_from"], how="left"
    )
    out["person_years"] = out["person_days"].astype(float) / DAYS_PER_YEAR
    out["expected"] = out["person_years"] * out["england_rate_per_100k"] / 100_000.0
    out["known"] = out["expected"].notna()
    return out


def summarise(strata: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rates and SMRs for each group of ``keys`` (strata from :func:`with_expected`).

    Crude rates: deaths / person-years x 1,000, exact Poisson limits. SMR:
    observed / expected over the strata whose sex is known, exact Poisson
    limits of the observed count divided by the expected.
    """
    work = strata.assign(
        observed=np.where(strata["known"], strata["deaths"], 0),
        known_years=np.where(strata["known"], strata["person_years"], 0.0),
        expected=strata["expected"].fillna(0.0),
    )
    grouped = work.groupby(keys, dropna=False, sort=False).agg(
        person_years=("person_years", "sum"),
        deaths=("deaths", "sum"),
        drug_poisoning_deaths=("drug_poisoning_deaths", "sum"),
        smr_person_years=("known_years", "sum"),
        observed=("observed", "sum"),
        expected=("expected", "sum"),
    ).reset_index()
    years = grouped["person_years"].to_numpy(float)
    scale = safe_divide(PER, years)
    for prefix, column in (("", "deaths"), ("drug_poisoning_", "drug_poisoning_deaths")):
        x = grouped[column].to_numpy(float)
        grouped[f"{prefix}rate"] = x * scale
        grouped[f"{prefix}rate_lower"] = exact_lower(x) * scale
        grouped[f"{prefix}rate_upper"] = exact_upper(x) * scale
    observed = grouped["observed"].to_numpy(float)
    expected = grouped["expected"].to_numpy(float)
    per_expected = safe_divide(1.0, np.where(expected > 0, expected, np.nan))
    grouped["smr"] = observed * per_expected
    grouped["smr_lower"] = exact_lower(observed) * per_expected
    grouped["smr_upper"] = exact_upper(observed) * per_expected
    return grouped


def _with_both(strata: pd.DataFrame) -> pd.DataFrame:
    """The strata twice: by period, and once more as period 'both'."""
    return pd.concat([strata, strata.assign(period="both")], ignore_index=True)


def _period_order(frame: pd.DataFrame) -> pd.DataFrame:
    order = {p: i for i, p in enumerate(PERIODS)}
    return frame.assign(_o=frame["period"].map(order)).sort_values(
        ["_o"], kind="stable"
    ).drop(columns="_o")


COLUMNS = [
    "people", "journeys", "person_years", "deaths", "rate", "rate_lower", "rate_upper",
    "drug_poisoning_deaths", "drug_poisoning_rate", "drug_poisoning_rate_lower",
    "drug_poisoning_rate_upper", "observed", "expected", "smr", "smr_lower", "smr_upper",
]


def england_table(strata: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    table = summarise(_with_both(strata), ["period"])
    table = table.merge(
        people[people["breakdown"] == "england"][["period", "people", "journeys"]],
        on="period", how="left",
    )
    return _period_order(table)[["period", *COLUMNS]].reset_index(drop=True)


def group_table(strata: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    both = _with_both(strata)
    parts = []
    for breakdown in BREAKDOWNS:
        keyed = both.assign(
            breakdown=breakdown, group=both[breakdown].fillna(NOT_KNOWN[breakdown])
        )
        parts.append(summarise(keyed, ["breakdown", "group", "period"]))
    table = pd.concat(parts, ignore_index=True).merge(
        people, on=["period", "breakdown", "group"], how="left"
    )
    order = {p: i for i, p in enumerate(PERIODS)}
    table = table.assign(
        _b=table["breakdown"].map({b: i for i, b in enumerate(BREAKDOWNS)}),
        _p=table["period"].map(order),
    ).sort_values(["_b", "group", "_p"]).drop(columns=["_b", "_p"])
    return table[["breakdown", "group", "period", *COLUMNS]].reset_index(drop=True)


def smr_working(strata: pd.DataFrame) -> pd.DataFrame:
    """Person-years, observed and expected deaths by period, sex and reference age band."""
    known = strata[strata["known"]]
    table = known.groupby(
        ["period", "sex", "ref_age_band", "england_rate_per_100k"], sort=False
    ).agg(person_years=("person_years", "sum"), observed=("deaths", "sum"),
          expected=("expected", "sum")).reset_index()
    table = table.assign(
        _p=table["period"].map({p: i for i, p in enumerate(PERIODS)})
    ).sort_values(["_p", "sex", "ref_age_band"]).drop(columns="_p")
    return table[["period", "sex", "ref_age_band", "person_years", "england_rate_per_100k",
                  "observed", "expected"]].reset_index(drop=True)


def _headlines(england: pd.DataFrame, window: tuple[date, date]) -> list[Headline]:
    rows = {row["period"]: row for row in england.to_dict("records")}
    out: list[Headline] = []
    for cause, prefix, label in (
        ("all", "", "All-cause deaths"),
        ("dp", "drug_poisoning_", "Drug-poisoning deaths"),
    ):
        for period in ("in_treatment", "after_leaving"):
            row = rows.get(period)
            if row is None:
                continue
            where = "in treatment" if period == "in_treatment" else "in the year after leaving"
            out.append(Headline(
                f"{cause}_rate_{period}", f"{label} {where}", float(row[f"{prefix}rate"]),
                RATE_UNIT, float(row[f"{prefix}rate_lower"]), float(row[f"{prefix}rate_upper"]),
                note=f"{int(row[f'{prefix}deaths'])} deaths in "
                     f"{row['person_years']:,.0f} person-years",
            ))
    for period in PERIODS:
        row = rows.get(period)
        if row is None:
            continue
        out.append(Headline(
            f"smr_{period}", f"SMR (all-cause), {PERIOD_LABELS[period].lower()}",
            float(row["smr"]), "ratio", float(row["smr_lower"]), float(row["smr_upper"]),
            note=f"{int(row['observed'])} observed, {row['expected']:.1f} expected "
                 "at England's rates",
        ))
    both = rows.get("both")
    if both is not None:
        out.append(Headline(
            "drug_poisoning_deaths", "Drug-poisoning deaths in treatment or the year after",
            float(both["drug_poisoning_deaths"]), "people",
            published_text=PUBLISHED_TEXT,
            note=f"{window[0]} to {window[1]}; the published count is of all problem drug "
                 "users in England in one year, in or out of treatment: context, "
                 "not a like-for-like figure",
        ))
    return out


def _charts(england: pd.DataFrame, groups: pd.DataFrame) -> list[Chart]:
    charts: list[Chart] = []
    rows = england[england["period"] != "both"]
    if len(rows):
        labels, values, lower, upper = [], [], [], []
        for prefix, cause in (("", "all-cause"), ("drug_poisoning_", "drug poisoning")):
            for row in rows.to_dict("records"):
                labels.append(f"{cause}, {PERIOD_LABELS[row['period']].lower()}")
                values.append(float(row[f"{prefix}rate"]))
                lower.append(float(row[f"{prefix}rate_lower"]))
                upper.append(float(row[f"{prefix}rate_upper"]))
        if all(np.isfinite(values)):
            charts.append(Chart(
                "rates_chart", "Deaths per 1,000 person-years",
                bar_chart(labels, values, RATE_UNIT, lower, upper),
                "Crude rates with exact 95% Poisson limits.",
            ))
    smr = groups[(groups["breakdown"] == "substance_group") & (groups["period"] == "both")
                 & np.isfinite(groups["smr"].astype(float))]
    if len(smr):
        charts.append(Chart(
            "smr_chart", "SMR by substance group (in treatment or the year after)",
            bar_chart(smr["group"].tolist(), smr["smr"].astype(float).tolist(), "SMR",
                      smr["smr_lower"].astype(float).tolist(),
                      smr["smr_upper"].astype(float).tolist()),
            "All-cause deaths observed / expected at England's rates; 1 = England.",
        ))
    return charts


def _has_column(ctx: StudyContext, table: str, column: str) -> bool:
    rows = ctx.con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
        "AND column_name = ?", [ctx.schema, table, column],
    ).fetchall()
    return bool(rows[0][0])


def _day(value: Any) -> str:
    return "-" if value is None or pd.isna(value) else str(pd.Timestamp(value).date())


def _years(rows: Mapping[Any, Mapping[Any, Any]], period: str) -> float:
    return float(rows[period]["person_years"]) if period in rows else 0.0


def run(ctx: StudyContext) -> StudyResult:
    options = ctx.options
    if not data_coverage(ctx).deaths:
        raise StudyNotApplicableError(
            f"study {STUDY}: needs death registrations, and none have been loaded"
        )
    window = study_window(ctx)
    caveats: list[str] = []
    if _has_column(ctx, "deaths", "link_probability"):
        ctx.sql(STUDY, "death_records")
    else:
        if options.min_link_probability is not None:
            raise StudyError(
                f"{ctx.schema}.deaths has no link_probability (built by an older version): "
                "run `recoverylink build` again to use --min-link-probability"
            )
        ctx.sql(STUDY, "death_records_without_probability")
        caveats.append(
            f"{ctx.schema} was built before link_probability was added; every linked "
            "death was used."
        )
    values: dict[str, object] = {
        "min_probability": options.min_link_probability,
        "window_start": window[0],
        "window_end": window[1],
        "data_end": ctx.data_end,
    }
    for block in ("deaths", "periods", "pieces"):
        ctx.sql(STUDY, block, _sql_params(block, values))
    strata_raw = ctx.frame(STUDY, "strata")
    people = ctx.frame(STUDY, "people")
    cohort = ctx.frame(STUDY, "cohort", _sql_params("cohort", values)).iloc[0]
    if strata_raw.empty:
        raise StudyNotApplicableError(
            f"study {STUDY}: no time at risk in {window[0]} to {window[1]}: no consenting "
            "journey in it"
        )
    rates, period_label = reference_rates(window)
    strata = with_expected(strata_raw, rates)
    england = england_table(strata, people)
    groups = group_table(strata, people)
    working = smr_working(strata)

    years = {r["period"]: r for r in england.to_dict("records")}
    unknown = strata[~strata["known"]]
    min_p = options.min_link_probability
    cohort_lines = [
        f"Window: {window[0]} to {window[1]} "
        + (f"(financial year {options.year})." if options.year else "(the whole data span)."),
        f"{int(cohort['journeys']):,} treatment journeys of {int(cohort['people']):,} consenting "
        "people with time at risk in the window.",
        f"{int(cohort['non_consenting_journeys']):,} journeys without consent left out (never "
        "linked, so a death could not be found).",
        f"Person-years: {_years(years, 'in_treatment'):,.1f} in treatment, "
        f"{_years(years, 'after_leaving'):,.1f} in the year after leaving.",
        f"{int(cohort['death_records']):,} death registrations (dates of death "
        f"{_day(cohort['first_death_date'])} to {_day(cohort['last_death_date'])}); "
        f"{int(cohort['deaths_counted']):,} deaths counted in a period at risk.",
        f"{int(cohort['people_with_several_deaths']):,} people with more than one linked death "
        "registration (the earliest is used).",
        f"{int(cohort['journeys_after_death']):,} journeys start after the person's linked "
        "death (no time at risk from the death on).",
        f"{int(cohort['died_exits_without_registration']):,} journeys left with discharge "
        "reason 'died' in the window without a linked death counted (not counted as deaths).",
        f"{unknown['person_years'].sum():,.1f} person-years and {int(unknown['deaths'].sum())} "
        "deaths with sex not stated (or no age): in the crude rates, not in the SMRs.",
    ]
    if min_p is not None:
        cohort_lines.append(
            f"{int(cohort['death_records_below_threshold']):,} death registrations linked "
            f"with probability below {min_p} left out."
        )
    methods = [
        "Unit: the treatment journey of a consenting person. Each journey gives two periods "
        "at risk, both ends included: in treatment, from the journey's start to its end (the "
        "end of the data while open), and the year after leaving, from the day after the end "
        "to the same date a year later (2010-06-30 -> 2011-06-30), cut short the day before "
        "the person's next journey starts or at the end of the data. A death on the end date "
        "is in treatment; a death on the end date + 1 year is in the year after leaving; a "
        "death a day later is in neither.",
        "Deaths: the person's earliest linked death registration"
        + (f" with link probability at least {min_p}" if min_p is not None else "")
        + "; drug poisoning is the registration's ONS drug-misuse flag. Time at risk stops on "
        "the day of death. Journeys ending with discharge reason 'died' but without a linked "
        "registration are not counted as deaths (the cause and date would come from a "
        "different source).",
        f"Window: only time at risk and deaths from {window[0]} to {window[1]} count. "
        "The default window is the whole span of the treatment data (from the first day of "
        "the first treatment submission's financial year to the end of the data); --year "
        "takes one financial year.",
        "Crude rates: deaths / person-years x 1,000, person-years = days at risk / 365.25, "
        "with exact (Garwood, chi-square) 95% Poisson limits.",
        f"SMR: observed / expected all-cause deaths. Expected deaths are England's all-cause "
        f"death rates (ONS national life tables, {period_label}, the three-year period "
        "centred on the window's middle year) by sex and five-year age band, times the "
        "person-years in each. Age is the journey's age at its start plus the completed years "
        "since its start (follow-up is cut at each anniversary of the start); ages under 15 "
        "take the 15-19 rate and 90 or over the 85-89 rate. Time with sex not stated (or no "
        "age) is left out of both observed and expected. Limits: exact Poisson limits of "
        "the observed count divided by the expected. No SMR is given for drug-poisoning "
        "deaths (the reference rates are all-cause).",
        "By sex, age band (NDTMS band at the journey's start) and substance group: the "
        "journey's, as recorded at its first episode (substance group: from every episode).",
    ]
    caveats += [
        "Deaths are found only through linkage: a missed link loses a death (rates too low), "
        "a false link adds one or moves it to the wrong person; compare --truth.",
        "Deaths registered after the death extract was taken are missing: rates at the end "
        "of the window may be too low.",
        "The year after leaving ends when the next journey starts, so a death soon after a "
        "return counts in treatment.",
        "Reference rates are for England's whole population; the SMR compares people in "
        "treatment with everyone of their sex and age, not with other drug users.",
        "Small counts are not suppressed.",
    ]
    parameters: dict[str, Any] = {
        "window": f"{window[0]} to {window[1]}",
        "year": options.year or "all",
        "min_link_probability": min_p,
        "reference_period": period_label,
    }
    return StudyResult(
        study=STUDY,
        title="Deaths in treatment and in the year after leaving",
        schema=ctx.schema,
        parameters=parameters,
        cohort=cohort_lines,
        methods=methods,
        caveats=caveats,
        headlines=_headlines(england, window),
        tables=[
            Table("rates", "Deaths, rates per 1,000 person-years and SMRs, England", england,
                  "rate*: all-cause; drug_poisoning_*: drug poisoning; smr: all-cause, "
                  "observed / expected (sex known)."),
            Table("rates_by_group", "By sex, age band and substance group", groups),
            Table("smr_working", "Expected deaths: person-years by sex and age band at "
                  "England's rates", working,
                  "Rates per 100,000 a year; expected = person_years x rate / 100,000."),
        ],
        charts=_charts(england, groups),
    )
