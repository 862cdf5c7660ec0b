"""The reconviction study's figures and tables, from the per-person counts.

:mod:`recoverylink.studies.reconviction` runs the SQL and calls these on what
it gives: one row per cohort member (``person_id``, ``outcome``, ``returned``,
``before``, ``after``, ``early``, ``opiate_crack``, ``dip``, ``died_in_window``)
and one per person and offence group. The rules are stated in
docs/study-reconviction.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from recoverylink.stats.clustered import (
    NAN_RATIO,
    Ratio,
    percent,
    placebo_adjusted,
    rate_ratio,
    ratio_of_proportions,
    ratio_of_rate_ratios,
    share_of_sum,
)

OUTCOME_LABELS = {
    "all": "All offenders",
    "retained": "Retained for the 2 years",
    "completed": "Completed after at least 6 months",
    "completed_not_returned": "Completed and did not return in the 2 years",
    "completed_returned": "Completed and returned in the 2 years",
    "dropped_out": "Dropped out",
    "dropped_out_returned": "Dropped out and returned in the 2 years",
    "other": "Other (transfer, died, moved away, completed within 6 months)",
}
PUBLISHED_CHANGE = {
    "retained": (-47.0, "-47%"),
    "completed": (-48.0, "-48%"),
    "completed_not_returned": (-61.0, "-61%"),
    "dropped_out": (-15.0, "-15%"),
    "soliciting": (-59.0, "-59%"),
    "fraud_forgery": (-57.0, "-57%"),
    "theft": (-24.0, "-24%"),
}
OFFENCE_LABELS = {
    "theft": "Theft",
    "burglary": "Burglary",
    "fraud_forgery": "Fraud and forgery",
    "robbery": "Robbery",
    "drug_possession": "Drug possession",
    "drug_supply": "Drug supply",
    "soliciting": "Soliciting",
    "other": "Other trigger offences",
}

@dataclass
class Frames:
    """What one pass of the SQL gives at one cut and window date."""

    persons: pd.DataFrame
    groups: pd.DataFrame
    statuses: dict[str, int]



def _masks(p: pd.DataFrame) -> dict[str, pd.Series]:
    return {
        "all": pd.Series(True, index=p.index),
        "retained": p["outcome"] == "retained",
        "completed": p["outcome"] == "completed",
        "completed_not_returned": (p["outcome"] == "completed") & ~p["returned"],
        "completed_returned": (p["outcome"] == "completed") & p["returned"],
        "dropped_out": p["outcome"] == "dropped_out",
        "dropped_out_returned": (p["outcome"] == "dropped_out") & p["returned"],
        "other": p["outcome"] == "other",
    }


def outcome_table(p: pd.DataFrame) -> pd.DataFrame:
    offenders = p["before"] > 0
    rows = []
    for key, mask in _masks(p).items():
        o = p[mask & offenders]
        change = rate_ratio(o["after"], o["before"]).change()
        published = PUBLISHED_CHANGE.get(key, (math.nan, ""))
        rows.append({
            "group": key,
            "label": OUTCOME_LABELS[key],
            "people": int(mask.sum()),
            "offenders": len(o),
            "convictions_before": int(o["before"].sum()),
            "convictions_after": int(o["after"].sum()),
            "change_pct": change[0],
            "lower95": change[1],
            "upper95": change[2],
            "published_change_pct": published[0],
        })
    return pd.DataFrame(rows)


def offence_table(p: pd.DataFrame, g: pd.DataFrame) -> pd.DataFrame:
    offenders = p.loc[p["before"] > 0, ["person_id"]]
    rows = []
    groups = [x for x in OFFENCE_LABELS if x in set(g["offence_group"])]
    groups += sorted(set(g["offence_group"]) - set(groups))
    for group in groups:
        mine = g[g["offence_group"] == group][["person_id", "before", "after"]]
        o = offenders.merge(mine, on="person_id", how="left").fillna({"before": 0, "after": 0})
        change = rate_ratio(o["after"], o["before"]).change()
        published = PUBLISHED_CHANGE.get(group, (math.nan, ""))
        rows.append({
            "offence_group": group,
            "label": OFFENCE_LABELS.get(group, group),
            "offenders_with_one_before": int((o["before"] > 0).sum()),
            "convictions_before": int(o["before"].sum()),
            "convictions_after": int(o["after"].sum()),
            "change_pct": change[0],
            "lower95": change[1],
            "upper95": change[2],
            "published_change_pct": published[0],
        })
    return pd.DataFrame(rows)


def substance_table(p: pd.DataFrame) -> tuple[pd.DataFrame, Ratio]:
    rows = []
    counts = {}
    for key, label, mask in (
        ("opiate_crack", "Heroin (or other opiate) or crack users", p["opiate_crack"]),
        ("other_drugs", "Other drug users", ~p["opiate_crack"]),
    ):
        people = p[mask]
        k = int((people["before"] > 0).sum())
        counts[key] = (k, len(people))
        pct = percent(k, len(people))
        o = people[people["before"] > 0]
        change = rate_ratio(o["after"], o["before"]).change()
        rows.append({
            "substance": key, "label": label, "people": len(people),
            "with_conviction_before": k, "pct_with_conviction_before": pct[0],
            "pct_lower95": pct[1], "pct_upper95": pct[2],
            "offenders_change_pct": change[0], "change_lower95": change[1],
            "change_upper95": change[2],
        })
    ratio = ratio_of_proportions(*counts["opiate_crack"], *counts["other_drugs"])
    return pd.DataFrame(rows), ratio


def hard_core_table(p: pd.DataFrame, sharp_ratio: float) -> pd.DataFrame:
    offenders = p[p["before"] > 0]
    rules = (
        (f"at least {sharp_ratio:g} times as many after as before (the headline)",
         lambda o: o["after"] >= sharp_ratio * o["before"]),
        (f"at least {sharp_ratio:g} times as many and at least 2 more",
         lambda o: (o["after"] >= sharp_ratio * o["before"]) & (o["after"] - o["before"] >= 2)),
        ("at least 3 times as many after as before",
         lambda o: o["after"] >= 3 * o["before"]),
        ("any increase", lambda o: o["after"] > o["before"]),
    )
    rows = []
    for who, people in (
        ("DIP entrants (referral dip or arrest_referral)", offenders[offenders["dip"]]),
        ("other offenders", offenders[~offenders["dip"]]),
    ):
        for rule, test in rules:
            k = int(test(people).sum()) if len(people) else 0
            pct = percent(k, len(people))
            rows.append({"offenders": who, "definition": rule, "people": len(people),
                         "with_increase": k, "pct": pct[0], "lower95": pct[1],
                         "upper95": pct[2]})
    return pd.DataFrame(rows)


def rtm_table(p: pd.DataFrame) -> pd.DataFrame:
    """Beyond the published study: how much of each fall regression to the mean
    could explain."""
    masks = _masks(p)
    offenders = p["before"] > 0
    early_offenders = p["early"] > 0
    drop = p[masks["dropped_out"] & offenders]
    rows = []
    for key in ("all", "retained", "completed", "completed_not_returned", "dropped_out",
                "other"):
        m = masks[key]
        o = p[m & offenders]
        everyone = p[m]
        actual, placebo, adjusted = placebo_adjusted(
            (m & offenders).to_numpy(), p["after"], p["before"],
            (m & early_offenders).to_numpy(), p["early"],
        )
        unselected = rate_ratio(everyone["after"], everyone["before"])
        did = (
            ratio_of_rate_ratios(o["after"], o["before"], drop["after"], drop["before"])
            if key not in ("dropped_out", "all") else NAN_RATIO
        )
        row: dict[str, Any] = {"group": key, "label": OUTCOME_LABELS[key]}
        for name, r in (("offenders_change", actual), ("whole_cohort_change", unselected),
                        ("pre_period_change", placebo), ("pre_period_adjusted", adjusted),
                        ("vs_dropped_out", did)):
            c = r.change()
            row[f"{name}_pct"], row[f"{name}_lower95"], row[f"{name}_upper95"] = c
        row["pre_period_offenders"] = int((m & early_offenders).sum())
        rows.append(row)
    return pd.DataFrame(rows)


def rows_by(frame: pd.DataFrame, key: str) -> dict[str, dict[str, Any]]:
    """Each row of ``frame`` as a dict, by its ``key`` column."""
    return {str(row[key]): {str(k): v for k, v in row.items()}
            for row in frame.to_dict("records")}


def headline_figures(frames: Frames) -> dict[str, float]:
    """The figures the sensitivity table sets side by side."""
    p = frames.persons
    offenders = p[p["before"] > 0]
    out = rows_by(outcome_table(p), "group")
    off = rows_by(offence_table(p, frames.groups), "offence_group")
    figures: dict[str, float] = {
        "cohort": float(len(p)),
        "left_out_doubtful": float(frames.statuses.get("doubtful", 0)),
        "matched": float(frames.statuses.get("matched", 0)),
        "matched_looser": float(frames.statuses.get("matched_looser", 0)),
        "pct_prior": percent(len(offenders), len(p))[0],
    }
    for key in ("all", "retained", "completed", "completed_not_returned", "dropped_out"):
        figures[f"change_{key}"] = float(out[key]["change_pct"])
    for key in ("theft", "fraud_forgery", "soliciting"):
        figures[f"change_{key}"] = (
            float(off[key]["change_pct"]) if key in off else math.nan
        )
    figures["dropout_share_after"] = share_of_sum(
        offenders["after"], offenders["outcome"] == "dropped_out"
    )[0]
    return figures


SENSITIVITY_ROWS = {
    "cohort": "Cohort (matched or reliably absent)",
    "left_out_doubtful": "Left out: neither reliably matched nor absent",
    "matched": "Matched to the PNC",
    "matched_looser": "Matched only through a candidate below the run's threshold",
    "pct_prior": "% with a conviction in the 2 years before",
    "change_all": "Change in convictions, all offenders (%)",
    "change_retained": "Change, retained (%)",
    "change_completed": "Change, completed after at least 6 months (%)",
    "change_completed_not_returned": "Change, completed and did not return (%)",
    "change_dropped_out": "Change, dropped out (%)",
    "change_theft": "Change, theft (%)",
    "change_fraud_forgery": "Change, fraud and forgery (%)",
    "change_soliciting": "Change, soliciting (%)",
    "dropout_share_after": "Drop-outs' share of convictions after (%)",
}

