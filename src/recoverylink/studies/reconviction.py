"""Convictions in the 2 years before and after starting treatment (NTA 2012).

People starting a new drug treatment journey in a financial year (2006-07 by
default) who are absent from, or reliably matched to, the police records;
among those with a conviction for a trigger offence or soliciting in the 2
years before, convictions in the 2 years after against the 2 years before, by
how the journey went (retained, completed, dropped out), by offence group and
by substance. The cohort, the windows, the outcome groups and the linkage
cuts are SQL (``studies/sql/reconviction.sql``, whose header states every
rule); this module adds the models (rate ratios with person-clustered
intervals), the regression-to-the-mean comparison, the linkage sensitivity
and the report. docs/study-reconviction.md is the study's page.

Options (``--set KEY=VALUE``):

- ``reliable`` (0.9): a PNC link at or above it makes a person reliably
  matched (``--min-link-probability P`` replaces it);
- ``doubt`` (0.5): a PNC link or candidate at or above it, but below the
  reliability cut, makes a person neither reliably matched nor reliably
  absent: left out;
- ``strict`` (0.99) and ``loose`` (0.7): the cuts of the sensitivity table;
- ``window_date`` (``offence``): date the windows by ``offence`` date or by
  ``conviction`` (disposal) date;
- ``sharp_ratio`` (2): a "sharp increase" is at least this many times as many
  convictions after as before.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from recoverylink.stats.clustered import percent, share_of_sum
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
from recoverylink.studies.coverage import Windows, choose_year, data_coverage
from recoverylink.studies.reconviction_tables import (
    PUBLISHED_CHANGE,
    SENSITIVITY_ROWS,
    Frames,
    hard_core_table,
    headline_figures,
    offence_table,
    outcome_table,
    rows_by,
    rtm_table,
    substance_table,
)

STUDY = "reconviction"
DEFAULT_YEAR = "2006-07"

DEFAULTS: dict[str, Any] = {
    "reliable": 0.9,
    "doubt": 0.5,
    "strict": 0.99,
    "loose": 0.7,
    "window_date": "offence",
    "sharp_ratio": 2.0,
}
OPTIONS = tuple(DEFAULTS)

LEFT_OUT_LABELS = {
    "no_consent": "submitted without consent (a person of one episode, never linked)",
    "alcohol_only": "alcohol only, or no substance (the published cohort was of drug users)",
    "not_new": "not a new presentation: the previous journey ended less than 6 months before",
}
PUBLISHED_COHORT = "53,851 (all England)"
WINDOWS = Windows(before_years=2, after_years=2, after_exclusive=True,
                  what="the 2 years before and the 2 years after it")
"""Convictions in the 2 years before and after each start in the year (the early
pre-period window, 4 years back, is a caveat when the data miss it)."""


# --- options ----------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    cut: float
    doubt: float
    strict: float
    loose: float
    by_offence_date: bool
    sharp_ratio: float


def _probability(extra: Mapping[str, Any], key: str) -> float:
    raw = extra.get(key, DEFAULTS[key])
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise StudyError(f"--set {key}= takes a probability, not {raw!r}") from None
    if not 0.0 < value <= 1.0:
        raise StudyError(f"--set {key}= takes a probability above 0 and at most 1, not {raw!r}")
    return value


def settings(extra: Mapping[str, Any], min_link_probability: float | None) -> Settings:
    unknown = sorted(set(extra) - set(OPTIONS))
    if unknown:
        raise StudyError(
            f"the reconviction study has no option {', '.join(unknown)}; its options are "
            f"{', '.join(OPTIONS)}"
        )
    cut = (
        min_link_probability if min_link_probability is not None
        else _probability(extra, "reliable")
    )
    doubt = _probability(extra, "doubt")
    strict, loose = _probability(extra, "strict"), _probability(extra, "loose")
    for name, value in (("the reliability cut", cut), ("strict", strict), ("loose", loose)):
        if value <= doubt:
            raise StudyError(f"{name} ({value:g}) must be above the doubt floor ({doubt:g})")
    window = str(extra.get("window_date", DEFAULTS["window_date"])).strip().lower()
    if window not in ("offence", "conviction"):
        raise StudyError(f"--set window_date= takes offence or conviction, not {window!r}")
    try:
        sharp = float(extra.get("sharp_ratio", DEFAULTS["sharp_ratio"]))
    except (TypeError, ValueError):
        raise StudyError("--set sharp_ratio= takes a number above 1") from None
    if not sharp > 1.0:
        raise StudyError("--set sharp_ratio= takes a number above 1")
    return Settings(cut, doubt, strict, loose, window == "offence", sharp)


# --- running the SQL ----------------------------------------------------------


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _day(value: Any) -> date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _pass(ctx: StudyContext, cut: float, doubt: float, by_offence_date: bool,
          redo_convictions: bool) -> Frames:
    if redo_convictions:
        ctx.sql(STUDY, "convictions", {"by_offence_date": by_offence_date})
    ctx.sql(STUDY, "status", {"cut": cut, "doubt": doubt})
    statuses = ctx.frame(STUDY, "status_counts")
    return Frames(
        ctx.frame(STUDY, "person_counts"),
        ctx.frame(STUDY, "group_counts"),
        {str(k): int(v) for k, v in zip(statuses["status"], statuses["people"], strict=True)},
    )


# --- the study ----------------------------------------------------------------


def run(ctx: StudyContext) -> StudyResult:
    options = ctx.options
    s = settings(options.extra, options.min_link_probability)
    data = data_coverage(ctx)
    if not data.pnc:
        raise StudyNotApplicableError(
            f"study {STUDY}: needs the police records (a PNC extract) to count convictions, "
            "and none has been loaded"
        )
    chosen = choose_year(STUDY, options.year, DEFAULT_YEAR, WINDOWS, data, police=True)
    year = chosen.year
    fy = financial_year(year)
    ctx.sql(STUDY, "starts", {"fy_start": fy[0], "fy_end": fy[1]})
    coverage = ctx.frame(STUDY, "coverage").iloc[0]
    last_horizon = _years_later(fy[1], 2)
    if not bool(coverage["has_link_probability"]):
        raise StudyError(
            f"{ctx.schema} has no link_probability on offences: rebuild it with "
            "`recoverylink build`"
        )
    pnc_end = _day(coverage["pnc_end"]) or last_horizon
    left_out = ctx.frame(STUDY, "left_out")
    ctx.sql(STUDY, "cohort")
    ctx.sql(STUDY, "link_strength")

    truth = options.truth
    run_threshold = coverage["run_threshold"]
    run_threshold = None if pd.isna(run_threshold) else float(run_threshold)
    main = _pass(ctx, s.cut, s.doubt, s.by_offence_date, redo_convictions=True)
    p = main.persons
    if p.empty:
        raise StudyNotApplicableError(
            f"study {STUDY}: no one in the cohort for {year} (no new drug treatment journey "
            "with consent started in it, or none reliably matched to or absent from the "
            "police records)"
        )
    offenders = p[p["before"] > 0]
    if offenders.empty:
        raise StudyNotApplicableError(
            f"study {STUDY}: no one in the {year} cohort had a conviction in the 2 years "
            "before, so there are no convictions to compare"
        )

    # sensitivity: the same figures at other cuts and with the other window date
    columns: list[tuple[str, Frames]] = []
    if not truth:
        cuts = [(f"loose {s.loose:g}", s.loose)]
        if run_threshold is not None:
            cuts.append((f"linkage run's threshold {run_threshold:g}", run_threshold))
        cuts += [(f"reliability cut {s.cut:g} (this report)", s.cut),
                 (f"strict {s.strict:g}", s.strict)]
        for label, cut in sorted(cuts, key=lambda c: c[1]):
            if cut <= s.doubt:
                continue
            frames = main if cut == s.cut else _pass(ctx, cut, s.doubt, s.by_offence_date, False)
            columns.append((label, frames))
    else:
        columns.append(("truth (this report)", main))
    other_date = "conviction" if s.by_offence_date else "offence"
    columns.append((
        f"{'truth' if truth else f'cut {s.cut:g}'}, windows by {other_date} date",
        _pass(ctx, s.cut, s.doubt, not s.by_offence_date, redo_convictions=True),
    ))
    sensitivity = pd.DataFrame({"figure": list(SENSITIVITY_ROWS.values())})
    for label, frames in columns:
        figures = headline_figures(frames)
        sensitivity[label] = [figures[k] for k in SENSITIVITY_ROWS]

    outcomes = outcome_table(p)
    offences = offence_table(p, main.groups)
    substances, prior_ratio = substance_table(p)
    hard_core = hard_core_table(p, s.sharp_ratio)
    rtm = rtm_table(p)
    by_group = rows_by(outcomes, "group")
    by_offence = rows_by(offences, "offence_group")
    by_rtm = rows_by(rtm, "group")

    n = len(p)
    pct_prior = percent(len(offenders), n)
    dropped = offenders["outcome"] == "dropped_out"
    dropped_share = percent(int(dropped.sum()), len(offenders))
    dropout_after = share_of_sum(offenders["after"], dropped)
    dip = offenders[offenders["dip"]]
    sharp = percent(int((dip["after"] >= s.sharp_ratio * dip["before"]).sum()), len(dip))

    def change(id_: str, label: str, row: Mapping[str, Any], published_key: str | None = None,
               note: str = "") -> Headline:
        pub = PUBLISHED_CHANGE.get(published_key or "", (None, ""))
        return Headline(id_, label, float(row["change_pct"]), "%", float(row["lower95"]),
                        float(row["upper95"]), published=pub[0], published_text=pub[1],
                        note=note)

    def offence_change(key: str, label: str) -> Headline:
        if key in by_offence:
            return change(f"change_{key}", label, by_offence[key], key)
        pub = PUBLISHED_CHANGE[key]
        return Headline(f"change_{key}", label, math.nan, "%", published=pub[0],
                        published_text=pub[1], note="no such conviction in the windows")

    fall_ratio = math.nan
    r_ret = float(by_group["retained"]["change_pct"])
    r_drop = float(by_group["dropped_out"]["change_pct"])
    if r_drop < 0 and r_ret < 0:
        fall_ratio = r_ret / r_drop
    adjusted_all = by_rtm["all"]
    vs_drop = by_rtm["retained"]
    headlines = [
        Headline("cohort", f"People starting a new drug treatment journey in {year}, absent "
                 "from or reliably matched to the police records", float(n), "people",
                 published=53851.0, published_text=PUBLISHED_COHORT,
                 note="the published count is all England; a synthetic England at scale s has "
                 "about s times as many"),
        Headline("pct_prior", "With a conviction (trigger offence or soliciting) in the 2 "
                 "years before", pct_prior[0], "%", pct_prior[1], pct_prior[2],
                 published=36.0, published_text="36%"),
        change("change_all", "Change in convictions, all offenders (2 years after vs before)",
               by_group["all"], note="not published"),
        change("change_retained", "Change, retained in treatment for the 2 years",
               by_group["retained"], "retained"),
        change("change_completed", "Change, completed after at least 6 months",
               by_group["completed"], "completed"),
        change("change_completed_not_returned", "Change, completed and did not return",
               by_group["completed_not_returned"], "completed_not_returned"),
        change("change_dropped_out", "Change, dropped out", by_group["dropped_out"],
               "dropped_out"),
        Headline("fall_ratio", "Fall among the retained over the fall among drop-outs",
                 fall_ratio, "ratio", published=3.0, published_text="three times",
                 note="no interval; NaN unless both fell"),
        offence_change("soliciting", "Change in convictions for soliciting"),
        offence_change("fraud_forgery", "Change in convictions for fraud or forgery"),
        offence_change("theft", "Change in convictions for theft"),
        Headline("prior_ratio", "Heroin or crack users vs other drug users: ratio of the "
                 "shares with a conviction before", prior_ratio.value, "ratio",
                 prior_ratio.lower, prior_ratio.upper, published=2.0, published_text="twice"),
        Headline("dropped_out_share", "Offenders who dropped out within the 2 years",
                 dropped_share[0], "%", dropped_share[1], dropped_share[2],
                 published_text="just over half"),
        Headline("dropout_share_after", "Drop-outs' share of the offenders' convictions after "
                 "the start", dropout_after[0], "%", dropout_after[1], dropout_after[2],
                 published=75.0, published_text="three-quarters"),
        Headline("dip_sharp_increase", "DIP entrants among the offenders with a sharp increase "
                 f"(at least {s.sharp_ratio:g} times as many convictions after as before)",
                 sharp[0], "%", sharp[1], sharp[2], published_text="over a quarter",
                 note=f"{len(dip):,} DIP entrants with a conviction before"),
        Headline("pre_period_adjusted_all", "Beyond the published study: change, all "
                 "offenders, net of the pre-period change (regression to the mean)",
                 float(adjusted_all["pre_period_adjusted_pct"]), "%",
                 float(adjusted_all["pre_period_adjusted_lower95"]),
                 float(adjusted_all["pre_period_adjusted_upper95"]),
                 note="not a published figure; see the regression-to-the-mean table"),
        Headline("retained_vs_dropped_out", "Beyond the published study: retained vs dropped "
                 "out, ratio of rate ratios - 1 (difference in differences)",
                 float(vs_drop["vs_dropped_out_pct"]), "%",
                 float(vs_drop["vs_dropped_out_lower95"]),
                 float(vs_drop["vs_dropped_out_upper95"]),
                 note="not a published figure; see the regression-to-the-mean table"),
    ]

    reasons = dict(zip(left_out["reason"], left_out["people"], strict=True))
    started = int(sum(reasons.values()))
    st = main.statuses
    cohort = [
        f"Cohort year {chosen.reason}",
        f"{started:,} people started a treatment journey in {year} ({fy[0]} to {fy[1]}).",
    ]
    for reason, label in LEFT_OUT_LABELS.items():
        cohort.append(f"{int(reasons.get(reason, 0)):,} left out: {label}.")
    in_cohort = int(reasons.get("in_cohort", 0))
    cohort.append(f"{in_cohort:,} started a new drug treatment journey (their first in the "
                  "year is their start).")
    if truth:
        cohort.append("With true identities everyone is absent from or matched to the police "
                      "records: no one is left out for the linkage.")
    else:
        cohort.append(
            f"{st.get('doubtful', 0):,} left out: neither reliably matched (a PNC link at or "
            f"above {s.cut:g}) nor reliably absent (no link or candidate at or above "
            f"{s.doubt:g})."
        )
    cohort.append(
        f"{n:,} in the cohort: {st.get('matched', 0) + st.get('matched_looser', 0):,} matched "
        f"to the police records, {st.get('absent', 0):,} absent from them."
    )
    cohort.append(
        f"{len(offenders):,} with at least one conviction for a trigger offence or soliciting "
        "in the 2 years before the start: the offenders whose convictions are compared."
    )
    cohort.append(
        f"{int(p['died_in_window'].sum()):,} of the cohort "
        f"({int(offenders['died_in_window'].sum()):,} offenders) died in the 2 years after "
        "the start; they are kept, as in the published study."
    )

    date_word = "offence" if s.by_offence_date else "conviction (disposal)"
    methods = [
        f"Cohort: people starting a treatment journey in {year} that is a new presentation "
        "(no journey of theirs ended in the 6 calendar months before), for drugs (not alcohol "
        "only), with consent to share their records; a person's first such journey in the "
        "year is their start. The SQL in studies/sql/reconviction.sql states every rule.",
        f"Windows, by the {date_word} date: before = [start - 2 years, start), after = "
        "[start, start + 2 years). A conviction on the start day is after; one on the day "
        "2 years before the start is before; one on the day 2 years after is in neither. "
        "Convictions are PNC disposals of type conviction (not cautions) for a trigger "
        "offence or soliciting, one per disposal.",
        "Outcome groups, from the starting journey, with horizon = start + 2 years: retained "
        "(still open at the horizon, or ended on or after it); completed (a successful exit "
        "before the horizon, at least 6 calendar months after the start); dropped out (an "
        "unsuccessful exit before the horizon: dropped out, withdrawn by the provider, "
        "retained in custody, declined); other (transfers, deaths, moves, completions within "
        "6 months). These four are exclusive. 'Completed and did not return' is the "
        "completed whose next journey did not start before the horizon, a subset of "
        "completed; the published groups overlap the same way. A drop-out who returns is "
        "still a drop-out.",
        "Changes: among the offenders of a group, (convictions after / convictions before) "
        "- 1. The ratio is the rate ratio of a Poisson model of the two window counts of "
        "each person with a window indicator (2 years of exposure each); its 95% interval is "
        "cluster-robust with people as clusters (sandwich variance with the G/(G-1) factor), "
        "so over-dispersion and the pairing of each person's two counts are allowed for.",
        "Shares have 95% Wilson intervals; the drop-outs' share of convictions after has a "
        "person-clustered delta-method interval; the ratio of the shares with a conviction "
        "before (heroin or crack users over other drug users) a log (Katz) interval. Heroin "
        "or crack users: any episode of the starting journey cites heroin, methadone, another "
        "opiate or crack.",
        f"Hard core: offenders (a conviction before) referred by dip or arrest_referral whose "
        f"convictions after were at least {s.sharp_ratio:g} times those before (sharp_ratio); "
        "other definitions are in the hard-core table.",
        f"Linkage: a person is reliably matched when their PNC records hang on their "
        f"treatment records by links of probability at least {s.cut:g} (the strongest "
        "accepted treatment-PNC link, and each nominal's own link), reliably absent when no "
        f"PNC link or candidate pair reaches {s.doubt:g}, and left out otherwise. The "
        "sensitivity table re-runs the figures at other cuts: below the linkage run's "
        "threshold, a cohort member without a PNC record takes the convictions of the "
        "police-only person of their strongest candidate pair at or above the cut (when that "
        "is the police person's strongest treatment candidate).",
        "Beyond the published study (which did not claim cause), the regression-to-the-mean "
        "table separates three things: the change in the whole cohort, not selected on "
        "convictions before (no regression to the mean from selection); a pre-period "
        "'placebo', the change from [start - 4 years, start - 2 years) to the 2 years before "
        "among people with a conviction in the earlier window (the change selection alone "
        "produces, with no treatment in between), and the offenders' change divided by it; "
        "and each group's rate ratio over the drop-outs' (a difference in differences on the "
        "log scale, taking the drop-outs' trajectory as what the others' would have been).",
    ]

    caveats = [
        "Selecting people on a conviction in the 2 years before guarantees a fall on average "
        "(regression to the mean): the published changes are not effects of treatment. See "
        "the regression-to-the-mean table, which is an addition to the published study and "
        "itself rests on assumptions (the pre-period change is taken as what selection alone "
        "does; drop-outs are taken as a comparison group though they differ).",
        "Time in custody is not known: someone in prison for part of the 2 years after had "
        "less time to offend, which makes the fall look larger, most for those retained in "
        "custody (counted as drop-outs).",
        "Deaths in the 2 years after are kept, as in the published study.",
        "A conviction is one disposal: several offences sentenced together count separately.",
        "Dating by offence date needs time for offences to be proven: the police records run "
        f"to {pnc_end}, so an offence in the last days of the last window (to "
        f"{last_horizon - timedelta(days=1)}) had {(pnc_end - last_horizon).days + 1:,} days "
        "to be proven.",
    ]
    first_offence = _day(coverage["first_offence"])
    early_start = _years_later(fy[0], -4)
    if first_offence is not None and first_offence > early_start:
        caveats.append(
            f"The police records start on {first_offence}, after the earliest pre-period "
            f"window opens ({early_start}): the pre-period comparison undercounts the earliest "
            "window."
        )
    if truth:
        caveats.append("truth_mart: links are known, so the linkage sensitivity does not apply.")

    tables = [
        Table("outcome_groups", "Convictions before and after by outcome group (offenders)",
              outcomes, note="people: cohort members in the group; offenders: those with a "
              "conviction before. Completed and did not return / returned are subsets of "
              "completed, dropped out and returned of dropped out."),
        Table("offence_groups", "Convictions before and after by offence group (offenders)",
              offences, note="trigger offences and soliciting, by the offence codes' group; "
              "all offenders are the denominator people of each group's interval"),
        Table("substance_groups", "Heroin or crack users and other drug users", substances,
              note=f"ratio of the shares with a conviction before: {prior_ratio.value:.2f} "
              f"({prior_ratio.lower:.2f} to {prior_ratio.upper:.2f})"),
        Table("dropouts", "Drop-outs and the convictions after", pd.DataFrame([
            {"figure": "offenders who dropped out (%)", "value": dropped_share[0],
             "lower95": dropped_share[1], "upper95": dropped_share[2]},
            {"figure": "drop-outs' share of the offenders' convictions after (%)",
             "value": dropout_after[0], "lower95": dropout_after[1],
             "upper95": dropout_after[2]},
            {"figure": "drop-outs' convictions after", "value": float(
                offenders.loc[dropped, "after"].sum()), "lower95": math.nan,
             "upper95": math.nan},
            {"figure": "all offenders' convictions after",
             "value": float(offenders["after"].sum()), "lower95": math.nan,
             "upper95": math.nan},
        ])),
        Table("hard_core", "Sharp increases after the start", hard_core,
              note="offenders only (a conviction before), so 'at least twice' means at least "
              "2 after for 1 before"),
        Table("regression_to_the_mean", "Beyond the published study: treatment or regression "
              "to the mean?", rtm,
              note="changes in %, with 95% intervals. offenders: the published method; "
              "whole_cohort: everyone in the group, selected on treatment only; pre_period: "
              "[start-4y, start-2y) to [start-2y, start) among those with a conviction in the "
              "first; pre_period_adjusted: offenders' ratio over the pre-period ratio; "
              "vs_dropped_out: the group's ratio over the drop-outs' ratio"),
        Table("sensitivity", "Headline figures at other linkage cuts and window dates",
              sensitivity, note="each column re-runs the cohort, the links and the counts; "
              "the run's threshold is that of the last linkage run"),
    ]

    shown = outcomes[outcomes["group"].isin(
        ["all", "retained", "completed", "completed_not_returned", "dropped_out", "other"]
    )].dropna(subset=["change_pct", "lower95"])
    charts = []
    if not shown.empty:
        charts.append(Chart(
            "change_by_outcome", "Change in convictions by outcome group",
            bar_chart(list(shown["group"]), list(shown["change_pct"]), "change (%)",
                      list(shown["lower95"]), list(shown["upper95"])),
            note="2 years after vs 2 years before, offenders; 95% person-clustered intervals",
        ))
    off_shown = offences.dropna(subset=["change_pct", "lower95"])
    if not off_shown.empty:
        charts.append(Chart(
            "change_by_offence", "Change in convictions by offence group",
            bar_chart(list(off_shown["offence_group"]), list(off_shown["change_pct"]),
                      "change (%)", list(off_shown["lower95"]), list(off_shown["upper95"])),
        ))

    parameters: dict[str, Any] = {
        "year": year, "year_chosen": chosen.reason, "reliability_cut": s.cut,
        "doubt": s.doubt, "strict": s.strict,
        "loose": s.loose, "window_date": "offence" if s.by_offence_date else "conviction",
        "sharp_ratio": s.sharp_ratio, "run_threshold": run_threshold,
        "min_link_probability": options.min_link_probability,
    }
    return StudyResult(
        study=STUDY,
        title=f"Convictions before and after starting treatment in {year}",
        schema=ctx.schema,
        parameters=parameters,
        cohort=cohort,
        methods=methods,
        caveats=caveats,
        headlines=headlines,
        tables=tables,
        charts=charts,
    )

