"""Long-term outcomes of people leaving treatment (NTA 2010).

People who left treatment in a financial year (2005-06 by default) for a
reason other than prison are followed for four years in the treatment
records, drug tests on arrest and convictions for trigger offences, and put
in one of four outcomes: sustained recovery, returned directly to treatment,
returned through the criminal justice system, drug-related offending without
a return. The cohort, the windows and the outcomes are SQL
(``studies/sql/long_term.sql``, whose header states every rule); this module
adds the Wilson intervals, the Kaplan-Meier curves of time to return
(statsmodels) and the report. docs/study-long-term.md is the study's page.

Options (``--set KEY=VALUE``):

- ``cjs_days`` (default 90): a drug-related offence this many days or fewer
  before a return makes it a return through the criminal justice system;
- ``allow_incomplete_follow_up`` (default no): run a year whose four years
  run past the end of the data, censoring at the end of the data, instead of
  refusing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.duration.survfunc import SurvfuncRight

from recoverylink.stats import proportion
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
from recoverylink.studies.charts import bar_chart, step_chart
from recoverylink.studies.coverage import (
    DataCoverage,
    Windows,
    YearChoice,
    add_years,
    choose_year,
    data_coverage,
)

STUDY = "long_term"
DEFAULT_YEAR = "2005-06"
FOLLOW_UP_YEARS = 4
DEFAULT_CJS_DAYS = 90
CJ_ROUTES = ("arrest_referral", "dip", "probation", "prison", "court_order")
PRISON_EXITS = ("retained_in_custody", "transferred_in_custody")

OUTCOMES = (
    "sustained_recovery",
    "returned_directly",
    "returned_via_cjs",
    "offending_without_return",
)
OUTCOME_LABELS = {
    "sustained_recovery": "Sustained recovery",
    "returned_directly": "Returned directly to treatment",
    "returned_via_cjs": "Returned through the criminal justice system",
    "offending_without_return": "Drug-related offending, no return",
}
EXCLUSION_LABELS = {
    "no_consent": "submitted without consent (a person of one episode, cannot be followed)",
    "prison": "left for prison (retained_in_custody, transferred_in_custody)",
    "died": "exit reason died",
    "alcohol_only": "alcohol only (the published cohort was of drug users)",
    "back_in_year": "back in treatment before the end of the year",
}
KM_DAYS = (365, 730, 1096, 1461)
"""Where the Kaplan-Meier table reads the curves: 1 to 4 years (365.25 days each)."""

OPTIONS = ("cjs_days", "allow_incomplete_follow_up")

PUBLISHED_COHORT = "41,475 (all England)"


def _cjs_days(extra: Mapping[str, Any]) -> int:
    raw = extra.get("cjs_days", DEFAULT_CJS_DAYS)
    try:
        days = int(raw)
    except (TypeError, ValueError):
        raise StudyError(f"cjs_days must be a whole number of days, not {raw!r}") from None
    if days < 0:
        raise StudyError(f"cjs_days must not be negative, not {days}")
    return days


def _flag(extra: Mapping[str, Any], key: str) -> bool:
    raw = str(extra.get(key, "no")).strip().lower()
    if raw in ("yes", "y", "true", "1"):
        return True
    if raw in ("no", "n", "false", "0", ""):
        return False
    raise StudyError(f"{key} is yes or no, not {raw!r}")


def _check_options(extra: Mapping[str, Any]) -> None:
    unknown = sorted(set(extra) - set(OPTIONS))
    if unknown:
        raise StudyError(
            f"long_term does not know {', '.join(unknown)}; its options are "
            + ", ".join(OPTIONS)
        )


def _pct(x: float, n: float) -> tuple[float, float, float]:
    """x / n as a percentage with its 95% Wilson limits (NaN when n is 0)."""
    if n == 0:
        return (float("nan"),) * 3
    est = proportion(x, n, 100.0)
    return float(est.value), float(est.lower95), float(est.upper95)


# ---------------------------------------------------------------- tables


def outcome_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per outcome: people, share of the cohort and of the rest (the
    people not in sustained recovery), with 95% Wilson limits, and how many
    of them returned within a year and died in the follow-up."""
    n = len(rows)
    rest = int((rows["outcome"] != "sustained_recovery").sum())
    out = []
    for outcome in (*OUTCOMES, "all"):
        sub = rows if outcome == "all" else rows[rows["outcome"] == outcome]
        k = len(sub)
        pct, lo, up = _pct(k, n)
        if outcome in ("sustained_recovery", "all"):
            rpct = rlo = rup = float("nan")
        else:
            rpct, rlo, rup = _pct(k, rest)
        out.append({
            "outcome": outcome,
            "label": OUTCOME_LABELS.get(outcome, "Everyone in the cohort"),
            "people": k,
            "pct_of_cohort": pct, "lower_95": lo, "upper_95": up,
            "pct_of_rest": rpct, "rest_lower_95": rlo, "rest_upper_95": rup,
            "offended": int(sub["offended"].sum()),
            "returned_within_year": int(sub["returned_within_year"].sum()),
            "died_in_follow_up": int(sub["date_of_death"].notna().sum()),
        })
    return pd.DataFrame(out)


def group_table(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """Outcomes by ``by`` (exit_reason, substance_group): people in each
    outcome, the share in sustained recovery with its limits, and the share
    of the group's re-offenders who returned."""
    out = []
    keys = rows[by].fillna("not recorded")
    for value in sorted(keys.unique()):
        sub = rows[keys == value]
        n = len(sub)
        row: dict[str, Any] = {by: value, "people": n}
        for outcome in OUTCOMES:
            row[outcome] = int((sub["outcome"] == outcome).sum())
        pct, lo, up = _pct(row["sustained_recovery"], n)
        row.update(pct_sustained=pct, sustained_lower_95=lo, sustained_upper_95=up)
        offended = sub[sub["offended"]]
        row["offended"] = len(offended)
        row["offended_returned"] = int(offended["returned"].sum())
        row["pct_offenders_returned"] = _pct(row["offended_returned"], len(offended))[0]
        out.append(row)
    return pd.DataFrame(out)


def reoffending_table(rows: pd.DataFrame) -> pd.DataFrame:
    """People with drug-related offending in the follow-up, and how many of
    them returned to treatment (before or after the first offence)."""
    offended = rows[rows["offended"]]
    returned = offended[offended["returned"]]
    after = returned[returned["return_date"] >= returned["first_offence_date"]]
    n = len(offended)
    out = []
    for what, k in (
        ("returned to treatment", len(returned)),
        ("returned on or after the first offence", len(after)),
        ("returned before the first offence", len(returned) - len(after)),
        ("did not return", n - len(returned)),
    ):
        pct, lo, up = _pct(k, n)
        out.append({"re_offenders": what, "people": k, "of": n, "pct": pct,
                    "lower_95": lo, "upper_95": up})
    return pd.DataFrame(out)


def route_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Returns through the criminal justice system by the rule that made them so."""
    cjs = rows[rows["outcome"] == "returned_via_cjs"]
    out = []
    for route, label in (
        ("cj_referral", "referred by a criminal-justice route"),
        ("offence_before_return", "not so referred; a drug-related offence just before"),
    ):
        sub = cjs[cjs["cjs_route"] == route]
        out.append({"route": route, "label": label, "people": len(sub)})
    by_source = (
        cjs.groupby(cjs["return_referral_source"].fillna("not recorded"))
        .size().rename("people").reset_index()
    )
    for _, r in by_source.iterrows():
        out.append({"route": "referral_source", "label": r["return_referral_source"],
                    "people": int(r["people"])})
    return pd.DataFrame(out)


def exclusion_table(counts: Mapping[str, int]) -> pd.DataFrame:
    """Every leaver once: left out (by the first reason that applies) or in the cohort."""
    out = [{"reason": r, "label": label, "people": int(counts.get(r, 0))}
           for r, label in EXCLUSION_LABELS.items()]
    out.append({"reason": "in_cohort", "label": "in the cohort",
                "people": int(counts.get("in_cohort", 0))})
    out.append({"reason": "all", "label": "left treatment in the year",
                "people": int(sum(counts.values()))})
    return pd.DataFrame(out)


# ---------------------------------------------------------------- Kaplan-Meier


def _km_inputs(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Days to return (event), or to death or the end of follow-up (censored).

    Someone who dies without returning can no longer return: they are censored
    on the day they died, so the curve estimates returns among the living.
    """
    died = rows["days_to_death"].notna().to_numpy(dtype=bool)
    censored_at = np.where(died, rows["days_to_death"].fillna(0), rows["follow_up_days"])
    durations = np.where(rows["returned"], rows["days_to_return"], censored_at)
    return durations.astype(float), rows["returned"].to_numpy(dtype=bool)


def kaplan_meier(rows: pd.DataFrame) -> pd.DataFrame:
    """The Kaplan-Meier estimate of staying out of treatment, S(t), with 95% limits.

    statsmodels' ``SurvfuncRight`` gives S(t) at each event time and its
    Greenwood standard error; the limits are those of the log(-log)
    transform (the "exponential Greenwood" interval, as lifelines gives), which
    stay within 0 and 1. Indexed by day, from day 0 (S = 1).
    """
    durations, events = _km_inputs(rows)
    fit = SurvfuncRight(durations, events.astype(float))
    times = np.asarray(fit.surv_times, dtype=float)
    surv = np.asarray(fit.surv_prob, dtype=float)
    se = np.asarray(fit.surv_prob_se, dtype=float)
    z = 1.959963984540054
    with np.errstate(divide="ignore", invalid="ignore"):
        theta_se = (se / surv) / np.abs(np.log(surv))
        lower = np.where(surv >= 1.0, 1.0, surv ** np.exp(z * theta_se))
        upper = np.where(surv >= 1.0, 1.0, surv ** np.exp(-z * theta_se))
    lower = np.where(surv <= 0.0, 0.0, lower)
    upper = np.where(surv <= 0.0, 0.0, upper)
    return pd.DataFrame(
        {"survival": np.r_[1.0, surv], "lower": np.r_[1.0, lower], "upper": np.r_[1.0, upper]},
        index=np.r_[0.0, times],
    )


def km_groups(rows: pd.DataFrame, by: str | None) -> dict[str, pd.DataFrame]:
    if by is None:
        return {"all": rows}
    keys = rows[by].fillna("not recorded")
    return {str(value): rows[keys == value] for value in sorted(keys.unique())}


def km_table(rows: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Cumulative % returned to treatment (1 - S(t), Kaplan-Meier, with the
    95% log(-log) limits) at 1 to 4 years, overall or by ``by``."""
    out = []
    for value, sub in km_groups(rows, by).items():
        km = kaplan_meier(sub)
        row: dict[str, Any] = {"group_by": by or "all", "group": value, "people": len(sub),
                               "returns": int(sub["returned"].sum())}
        for years, days in enumerate(KM_DAYS, start=1):
            at = km[km.index <= days].iloc[-1]
            row[f"returned_{years}y"] = 100.0 * (1.0 - float(at["survival"]))
            row[f"lower_95_{years}y"] = 100.0 * (1.0 - float(at["upper"]))
            row[f"upper_95_{years}y"] = 100.0 * (1.0 - float(at["lower"]))
        out.append(row)
    return pd.DataFrame(out)


def km_chart(rows: pd.DataFrame, by: str) -> str:
    series = {}
    for value, sub in km_groups(rows, by).items():
        km = kaplan_meier(sub)
        x = (km.index.to_numpy(dtype=float) / 365.25).tolist()
        y = (100.0 * (1.0 - km["survival"].to_numpy())).tolist()
        series[f"{value} ({len(sub):,})"] = (x, y)
    return step_chart(series, "years since leaving treatment",
                      "returned to treatment (cumulative %)")


# ---------------------------------------------------------------- the study


def _has_link_probability(ctx: StudyContext) -> bool:
    found = ctx.con.execute(
        "SELECT count(DISTINCT table_name) FROM duckdb_columns() WHERE schema_name = ? "
        "AND table_name IN ('offences', 'drug_tests') AND column_name = 'link_probability'",
        [ctx.schema],
    ).fetchall()[0][0]
    return bool(found == 2)


WINDOWS = Windows(before_years=0, after_years=FOLLOW_UP_YEARS, after_exclusive=False,
                  what=f"the {FOLLOW_UP_YEARS} years after it")
"""Exits in the year, each followed for 4 years: (exit, exit + 4 years]."""
INCOMPLETE_HINT = ("to run it anyway, --set allow_incomplete_follow_up=yes censors the follow-up "
                   "at the end of the data")


def _choose_year(requested: str | None, data: DataCoverage, allow_incomplete: bool
                 ) -> YearChoice:
    """The cohort year (studies.coverage); with ``allow_incomplete``, a year with less
    than 4 years after it in the data when none has them: the one asked for, or else
    the earliest year in the data (the longest follow-up)."""
    hint = "" if allow_incomplete else INCOMPLETE_HINT
    try:
        return choose_year(STUDY, requested, DEFAULT_YEAR, WINDOWS, data, data.pnc, hint)
    except StudyNotApplicableError:
        if not allow_incomplete:
            raise
    start, end = data.span(police=data.pnc)
    text = data.span_text(police=data.pnc)
    if requested is not None:
        fy_start = financial_year(requested)[0]
        if not start <= fy_start <= end:
            raise StudyNotApplicableError(
                f"study {STUDY}: {requested} is outside the data, which span {text}"
            ) from None
        return YearChoice(requested, f"{requested}, chosen with --year, followed to the end "
                                     f"of the data (the data span {text}).")
    earliest = f"{start.year}-{(start.year + 1) % 100:02d}"
    return YearChoice(earliest, f"{earliest}: no year has the {FOLLOW_UP_YEARS} years after "
                                f"it in the data, {text}; {earliest}, the earliest, has the "
                                "longest follow-up (allow_incomplete_follow_up).")


def run(ctx: StudyContext) -> StudyResult:
    options = ctx.options
    _check_options(options.extra)
    cjs_days = _cjs_days(options.extra)
    allow_incomplete = _flag(options.extra, "allow_incomplete_follow_up")
    data = data_coverage(ctx)
    if not data.pnc and not data.drug_tests:
        raise StudyNotApplicableError(
            f"study {STUDY}: needs the police records or drug tests on arrest to tell "
            "sustained recovery from drug-related offending, and neither has been loaded"
        )
    chosen = _choose_year(options.year, data, allow_incomplete)
    year = chosen.year
    fy = financial_year(year)
    last_day = add_years(fy[1], FOLLOW_UP_YEARS)
    span_end = data.span(police=data.pnc)[1]
    complete = last_day <= span_end

    p = options.min_link_probability
    if p is not None:
        if not _has_link_probability(ctx):
            raise StudyError(
                f"{ctx.schema} has no link_probability on offences and drug tests: rebuild it "
                "with `recoverylink build` to use --min-link-probability"
            )
        ctx.sql(STUDY, "events_min_probability", {"min_link_probability": p})
    else:
        ctx.sql(STUDY, "events")
    ctx.sql(STUDY, "leavers", {"fy_start": fy[0], "fy_end": fy[1]})
    exclusions = ctx.frame(STUDY, "exclusions")
    ctx.sql(STUDY, "outcomes", {"data_end": ctx.data_end, "cjs_days": cjs_days})
    rows = ctx.frame(STUDY, "outcome_rows")
    if rows.empty:
        raise StudyNotApplicableError(
            f"study {STUDY}: no one left treatment in {year} (after the exclusions)"
        )
    span = ctx.frame(STUDY, "event_span").iloc[0]

    counts = {str(r): int(k) for r, k in zip(exclusions["reason"], exclusions["people"],
                                             strict=True)}
    leavers = int(sum(counts.values()))
    n = len(rows)
    outcomes = outcome_table(rows)
    people = {str(o): int(k) for o, k in zip(outcomes["outcome"], outcomes["people"], strict=True)}
    rest = n - people["sustained_recovery"]
    offended = rows[rows["offended"]]
    direct = rows[rows["outcome"] == "returned_directly"]

    def share(outcome: str, of_rest: bool) -> tuple[float, float, float]:
        return _pct(people[outcome], rest if of_rest else n)

    sustained = share("sustained_recovery", False)
    direct_rest = share("returned_directly", True)
    cjs_rest = share("returned_via_cjs", True)
    offending_rest = share("offending_without_return", True)
    direct_year = _pct(int(direct["returned_within_year"].sum()), len(direct))
    offenders_returned = _pct(int(offended["returned"].sum()), len(offended))
    incomplete_note = "" if complete else "follow-up cut at the end of the data"

    def pct(id_: str, label: str, triple: tuple[float, float, float], **kw: Any) -> Headline:
        value, lower, upper = triple
        return Headline(id_, label, value, "%", lower, upper, **kw)

    headlines = [
        Headline("cohort", f"People leaving treatment in {year} (the cohort)", float(n),
                 "people", published_text=PUBLISHED_COHORT,
                 note="the published count is all England; the synthetic England's scale "
                 "is not known to the study"),
        pct("sustained_recovery", "Sustained recovery (no return, no drug-related "
                 "offending in 4 years)", sustained, published=46.0, published_text="46%",
                 note=incomplete_note),
        pct("returned_directly", "Of the rest: came straight back into treatment",
                 direct_rest, published=50.0, published_text="about half"),
        pct("returned_within_year", "Of those coming straight back: within a year",
                 direct_year, published_text="mostly"),
        pct("returned_via_cjs", "Of the rest: came back through the criminal justice "
                 "system", cjs_rest, published=100.0 / 3.0, published_text="a further third"),
        pct("offending_without_return", "Of the rest: drug-related offending, no return",
                 offending_rest, note="not published (the remainder)"),
        pct("offenders_returned", "Of those who re-offended using drugs: went back into "
                 "treatment", offenders_returned, published=65.0, published_text="65%"),
    ]

    cohort = [
        f"Cohort year {chosen.reason}",
        f"{leavers:,} people left treatment in {year} ({fy[0]} to {fy[1]}): a treatment "
        "journey of theirs ended in the year; the last such journey is their exit "
        f"({int((rows['journeys_ended_in_year'] > 1).sum()):,} of the cohort ended more "
        "than one).",
    ]
    for reason, label in EXCLUSION_LABELS.items():
        cohort.append(f"{int(counts.get(reason, 0)):,} left out: {label}.")
    cohort.append(f"{n:,} in the cohort, each followed for {FOLLOW_UP_YEARS} years from the "
                  f"exit{'' if complete else ' or to the end of the data'}.")

    methods = [
        f"Cohort: people whose last treatment journey ending in {year} ended for a reason "
        "other than prison (retained_in_custody, transferred_in_custody) or death, who were "
        "drug users (not alcohol only), consented to their records being shared, and had "
        "not started another journey by the end of the year. One row per person.",
        f"Follow-up: from the day after the exit to the same day {FOLLOW_UP_YEARS} years "
        "later, both included (an event on that day counts, one a day later does not)"
        + ("" if complete else ", cut at the end of the data") + ".",
        "Return to treatment: the person's next treatment journey starting in the follow-up "
        "(a triage within 21 days of the exit would have been the same journey). Drug-related "
        "offending: a positive drug test on arrest (opiates or cocaine) or a conviction (not "
        "a caution) for a trigger offence, dated by the test or the offence, in the "
        "follow-up.",
        "Returned through the criminal justice system: the return journey's first episode "
        f"was referred by {', '.join(CJ_ROUTES)}, or a drug-related offence fell in the "
        f"{cjs_days} days up to and including the return's start (cjs_days).",
        "The four outcomes are exclusive, decided in order: a return through the criminal "
        "justice system, any other return (directly), drug-related offending without a "
        "return, and otherwise sustained recovery. Re-offenders (anyone with drug-related "
        "offending in the follow-up) cut across them: their share who returned counts "
        "returns before or after the offence.",
        "Shares have 95% Wilson score intervals (recoverylink.stats.proportion). Time to "
        "return: Kaplan-Meier (statsmodels), censored at death or at the end of the follow-up; "
        "the curves show the cumulative percentage returned, 1 - S(t), with 95% log(-log) limits "
        "(exponential Greenwood) in the tables.",
    ]
    if p is not None:
        methods.append(
            f"Linkage threshold: drug tests and convictions linked with a probability below "
            f"{p:g} are dropped, as a stricter linkage would not have made those links."
        )

    caveats = [
        "The published study also matched Drug Interventions Programme records, which are "
        "not in the data: returns through the criminal justice system are found from the "
        "referral source and from drug tests and trigger-offence convictions just before "
        "the return.",
        "Deaths in the follow-up are not censored in the outcome categories (as published): "
        "someone who died without returning or offending counts as sustained recovery; the "
        "Kaplan-Meier curves do censor at death "
        f"({int(rows['date_of_death'].notna().sum()):,} "
        "of the cohort died in the follow-up; see the outcomes table).",
        "Time in prison after the exit is not known, so people in custody for part of the "
        "follow-up had less time to return or to be tested on arrest.",
        "A missed link splits a person in two (a return or an offence not seen, inflating "
        "sustained recovery); a false link adds someone else's. Compare with --truth on a "
        "synthetic England.",
        "Small counts are not suppressed.",
    ]
    if p is not None:
        caveats.append("The threshold applies to drug tests and convictions only; returns to "
                       "treatment are as the mart's journeys join them.")
    first_test = span["first_drug_test"]
    if pd.notna(first_test) and pd.Timestamp(first_test).date() > fy[0]:
        caveats.append(f"The drug tests in the data begin on {first_test}, after the "
                       "cohort's year begins: early offending may be missed.")
    if not data.pnc:
        caveats.insert(0, "No police records have been loaded: drug-related offending is "
                       "positive drug tests on arrest only, so sustained recovery is "
                       "overstated.")
    if not data.drug_tests:
        caveats.insert(0, "No drug tests on arrest have been loaded: drug-related offending "
                       "is convictions for trigger offences only.")
    if not complete:
        caveats.insert(0, f"Follow-up is INCOMPLETE: the data end on {span_end}, before "
                       f"the last exit's {FOLLOW_UP_YEARS} years are over ({last_day}). "
                       "Outcomes are so far, not final.")

    tables = [
        Table("outcomes", "Four-year outcomes", outcomes,
              "Percentages of the cohort and of the rest (everyone not in sustained "
              "recovery), with 95% Wilson limits."),
        Table("reoffenders", "Re-offenders and return to treatment", reoffending_table(rows)),
        Table("cjs_routes", "Returns through the criminal justice system, by route",
              route_table(rows),
              "A CJ referral is counted first; the rows by referral source add up to the "
              "same people."),
        Table("by_exit_reason", "Outcomes by exit reason", group_table(rows, "exit_reason")),
        Table("by_substance_group", "Outcomes by substance group",
              group_table(rows, "substance_group")),
        Table("time_to_return", "Cumulative % returned to treatment (Kaplan-Meier)",
              pd.concat([km_table(rows, None), km_table(rows, "exit_reason"),
                         km_table(rows, "substance_group")], ignore_index=True),
              "1 - S(t) at 1, 2, 3 and 4 years (365, 730, 1,096 and 1,461 days)."),
        Table("exclusions", "Leavers and exclusions", exclusion_table(counts),
              "Each leaver once, by the first reason that applies to their last exit."),
    ]
    shares = outcomes[outcomes["outcome"] != "all"]
    charts = [
        Chart("outcome_chart", "Four-year outcomes",
              bar_chart([OUTCOME_LABELS[o] for o in shares["outcome"]],
                        shares["pct_of_cohort"].tolist(), "% of the cohort",
                        shares["lower_95"].tolist(), shares["upper_95"].tolist())),
        Chart("km_exit_reason", "Time to return to treatment, by exit reason",
              km_chart(rows, "exit_reason"), "Kaplan-Meier; people in brackets."),
        Chart("km_substance_group", "Time to return to treatment, by substance group",
              km_chart(rows, "substance_group"), "Kaplan-Meier; people in brackets."),
    ]

    parameters: dict[str, Any] = {
        "year": year,
        "year_chosen": chosen.reason,
        "follow_up_years": FOLLOW_UP_YEARS,
        "cjs_days": cjs_days,
        "min_link_probability": p,
        "data_end": ctx.data_end.isoformat(),
        "follow_up_complete": complete,
    }
    return StudyResult(
        study=STUDY,
        title=f"Long-term outcomes of people leaving treatment in {year}",
        schema=ctx.schema,
        parameters=parameters,
        cohort=cohort,
        methods=methods,
        caveats=caveats,
        headlines=headlines,
        tables=tables,
        charts=charts,
    )


