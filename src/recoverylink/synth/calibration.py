"""The published methods, run on a synthetic folder with its true identities.

Journeys, cohorts and outcome groups follow the definitions in
``shared/reference/PUBLISHED_FIGURES.md`` and the reconviction and long-term
outcome studies; ``docs/synthetic-england.md`` states each choice. The
measured values are compared with the published ones by ``check.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recoverylink.spec.codes import DISCHARGE_REASON_CLASS, OPIATES
from recoverylink.synth.readback import SynthFolder

OPEN_END = np.int64(2**40)
PRISON_EXITS = ("retained_in_custody", "transferred_in_custody")
DIP_SOURCES = ("dip", "arrest_referral")
TWO_YEARS, SIX_MONTHS, FOUR_YEARS = 730, 182, 1461
NEW_PRESENTATION_GAP = 182  # not in treatment in the 6 months before the start


def _days(col: pd.Series) -> np.ndarray:
    """ISO dates to day numbers; empty -> OPEN_END."""
    d = pd.to_datetime(col.replace("", None), format="%Y-%m-%d")
    out = (d - pd.Timestamp("1970-01-01")).dt.days.to_numpy(dtype="float64")
    return np.where(np.isnan(out), OPEN_END, out).astype(np.int64)


def fy_start(fy: int) -> int:
    return int((pd.Timestamp(f"{fy}-04-01") - pd.Timestamp("1970-01-01")).days)


def substance_group(s1: pd.Series, s2: pd.Series, s3: pd.Series) -> np.ndarray:
    """NDTMS substance groups: opiate, non_opiate, non_opiate_and_alcohol, alcohol ('' unknown)."""
    opiate = s1.isin(OPIATES)
    alcohol_any = (s2 == "alcohol") | (s3 == "alcohol")
    return np.select(
        [s1 == "", opiate, s1 == "alcohol", alcohol_any],
        ["", "opiate", "alcohol", "non_opiate_and_alcohol"],
        "non_opiate",
    )


def build_journeys(sf: SynthFolder) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Episodes with true person ids, and the treatment journeys they form."""
    truth = sf.truth[sf.truth["source"] == "treatment"].set_index("key")["person"]
    ep = sf.episodes.copy()
    ep["person"] = (ep["provider_code"] + "|" + ep["episode_ref"]).map(truth)
    ep["triage"] = _days(ep["triage_date"])
    ep["referral"] = _days(ep["referral_date"])
    ep["discharge"] = _days(ep["discharge_date"])
    ep["cls"] = ep["discharge_reason"].map(DISCHARGE_REASON_CLASS).fillna("")
    heroin_crack = (
        ep[["substance_1", "substance_2", "substance_3"]].isin(["heroin", "crack"]).any(axis=1)
    )
    occasional = (ep["discharge_reason"] == "completed_occasional_user") & heroin_crack
    ep.loc[occasional, "cls"] = "other"
    ep["group"] = substance_group(ep["substance_1"], ep["substance_2"], ep["substance_3"])
    ep["heroin_crack"] = ep["group"].eq("opiate") | heroin_crack
    ep = ep.sort_values(["person", "triage", "discharge"], kind="stable").reset_index(drop=True)
    run_max = ep.groupby("person")["discharge"].cummax()
    prev_max = run_max.groupby(ep["person"]).shift(1)
    new = prev_max.isna() | (ep["triage"] > prev_max + 21)
    ep["journey"] = new.cumsum() - 1
    g = ep.groupby("journey", sort=True)
    j = pd.DataFrame(
        {
            "person": g["person"].first(),
            "start": g["triage"].min(),
            "end": g["discharge"].max(),
            "consent": g["consent"].first(),
            "group": g["group"].first(),
            "heroin_crack": g["heroin_crack"].first(),
            "referral_source": g["referral_source"].first(),
            "accommodation": g["accommodation"].first(),
            "parental_status": g["parental_status"].first(),
        }
    )
    last = (
        ep.sort_values(["journey", "discharge", "triage"], kind="stable").groupby("journey").tail(1)
    )
    last = last.set_index("journey")
    j["exit_reason"] = last["discharge_reason"]
    j["exit_class"] = np.where(j["end"] >= OPEN_END, "open", last["cls"])
    # the person's substance group where the journey's first episode does not say (no consent)
    person_group = ep[ep["group"] != ""].groupby("person")["group"].first()
    j["person_group"] = j["person"].map(person_group).fillna("")
    j["prev_end"] = j.groupby("person")["end"].shift(1).fillna(-(10**9)).astype(np.int64)
    j["next_start"] = j.groupby("person")["start"].shift(-1).fillna(OPEN_END).astype(np.int64)
    # last LA of the journey, for area figures
    j["la"] = g["local_authority"].last()
    return ep, j


def _person_la(ep: pd.DataFrame, fy: int) -> pd.Series:
    y0, y1 = fy_start(fy), fy_start(fy + 1) - 1
    open_in = ep[(ep["triage"] <= y1) & (ep["discharge"] >= y0) & (ep["local_authority"] != "")]
    return open_in.groupby("person")["local_authority"].last()


def convictions(sf: SynthFolder) -> pd.DataFrame:
    """Convictions for trigger offences or soliciting, with person and offence group."""
    pnc_person = sf.truth[sf.truth["source"] == "pnc"].set_index("key")["person"]
    oc = sf.offence_codes.set_index("offence_code")
    d = sf.disposals[sf.disposals["disposal_type"] == "conviction"].copy()
    d["group"] = d["offence_code"].map(oc["offence_group"])
    d["trigger"] = d["offence_code"].map(oc["is_trigger_offence"]) == "y"
    d = d[d["trigger"] | (d["group"] == "soliciting")]
    d["person"] = d["pnc_id"].map(pnc_person)
    d["day"] = _days(d["offence_date"])
    return d[["person", "day", "group", "trigger"]]


def _window_counts(cohort: pd.DataFrame, conv: pd.DataFrame, lo: int, hi: int) -> pd.DataFrame:
    """Per cohort row and offence group, convictions with offence day in [start+lo, start+hi)."""
    m = conv.merge(cohort[["person", "start"]].reset_index(), on="person")
    rel = m["day"] - m["start"]
    m = m[(rel >= lo) & (rel < hi)]
    return m.groupby(["journey", "group"]).size().unstack(fill_value=0)


def reconviction(
    ep: pd.DataFrame, j: pd.DataFrame, conv: pd.DataFrame, fy: int = 2006
) -> dict[str, float]:
    y0, y1 = fy_start(fy), fy_start(fy + 1) - 1
    cohort = j[(j["start"] >= y0) & (j["start"] <= y1) & (j["consent"] == "y")]
    cohort = cohort[(cohort["group"] != "alcohol") & (cohort["group"] != "")]
    cohort = cohort[cohort["prev_end"] < cohort["start"] - NEW_PRESENTATION_GAP]
    cohort = cohort.drop_duplicates("person")
    before = _window_counts(cohort, conv, -TWO_YEARS, 0).reindex(cohort.index, fill_value=0)
    after = _window_counts(cohort, conv, 0, TWO_YEARS).reindex(cohort.index, fill_value=0)
    groups = sorted(set(before.columns) | set(after.columns))
    before = before.reindex(columns=groups, fill_value=0)
    after = after.reindex(columns=groups, fill_value=0)
    b, a = before.sum(axis=1), after.sum(axis=1)
    offenders = b > 0
    c = cohort.assign(b=b, a=a)
    horizon = c["start"] + TWO_YEARS
    dur = c["end"] - c["start"]
    completed = (c["exit_class"] == "successful") & (dur >= SIX_MONTHS) & (c["end"] < horizon)
    returned = c["next_start"] < horizon
    retained = c["end"] >= horizon
    dropped = (c["exit_class"] == "unsuccessful") & (c["end"] < horizon)
    o = c[offenders]

    def change(mask: pd.Series) -> float:
        sub = o[mask[offenders]]
        return float(sub["a"].sum() / sub["b"].sum() - 1.0) if sub["b"].sum() else float("nan")

    def group_change(name: str) -> float:
        if name not in before.columns:
            return float("nan")
        bb, aa = before.loc[offenders, name].sum(), after.loc[offenders, name].sum()
        return float(aa / bb - 1.0) if bb else float("nan")

    hc = c["heroin_crack"]
    share_hc = (b[hc] > 0).mean()
    share_other = (b[~hc] > 0).mean()
    dip = o[o["referral_source"].isin(DIP_SOURCES)]
    sharp = dip["a"] >= 2 * dip["b"]  # at least doubled (every cohort offender has b >= 1)
    return {
        "cohort_size": float(len(c)),
        "share_with_prior_convictions": float(offenders.mean()),
        "change_retained": change(retained),
        "change_completed": change(completed),
        "change_completed_not_returned": change(completed & ~returned),
        "change_dropped_out": change(dropped),
        "change_theft": group_change("theft"),
        "change_fraud_forgery": group_change("fraud_forgery"),
        "change_soliciting": group_change("soliciting"),
        "share_dropped_out": float(dropped[offenders].mean()),
        "dropout_share_of_after": float(
            o.loc[dropped[offenders], "a"].sum() / max(o["a"].sum(), 1)
        ),
        "ratio_prior_heroin_crack": float(share_hc / share_other) if share_other else float("nan"),
        "share_dip_sharp_increase": float(sharp.mean()) if len(dip) else float("nan"),
    }


def long_term(sf: SynthFolder, j: pd.DataFrame, fy: int = 2005) -> dict[str, float]:
    y0, y1 = fy_start(fy), fy_start(fy + 1) - 1
    leavers = j[(j["end"] >= y0) & (j["end"] <= y1) & (j["person_group"] != "alcohol")]
    leavers = leavers[
        ~leavers["exit_reason"].isin(PRISON_EXITS) & (leavers["exit_reason"] != "died")
    ]
    leavers = leavers.sort_values("end").drop_duplicates("person", keep="last")
    # leavers: not in treatment at the end of the year (a return within the year is no leaving)
    leavers = leavers[leavers["next_start"] > y1]
    test_person = sf.truth[sf.truth["source"] == "drug_tests"].set_index("key")["person"]
    t = sf.drug_tests
    pos = t[(t["opiates"] == "positive") | (t["cocaine"] == "positive")]
    # drug-related offending as the study found it: a positive drug test on arrest
    events = pd.DataFrame(
        {"person": pos["test_id"].map(test_person), "day": _days(pos["test_date"])}
    )
    m = events.merge(leavers[["person", "end"]].reset_index(), on="person")
    m = m[(m["day"] > m["end"]) & (m["day"] <= m["end"] + FOUR_YEARS)]
    first_offence = m.groupby("journey")["day"].min().reindex(leavers.index)
    ret = leavers["next_start"].where(leavers["next_start"] <= leavers["end"] + FOUR_YEARS)
    returned = ret.notna()
    offended = first_offence.notna()
    via_cjs = returned & offended & (first_offence < ret)
    direct = returned & ~via_cjs
    sustained = ~returned & ~offended
    rest = ~sustained
    return {
        "leavers": float(len(leavers)),
        "sustained_recovery": float(sustained.mean()),
        "rest_returned_directly": float(direct[rest].mean()),
        "rest_returned_via_cjs": float(via_cjs[rest].mean()),
        "reoffenders_returned": float(returned[offended].mean()),
    }


def system(ep: pd.DataFrame, j: pd.DataFrame, sf: SynthFolder) -> dict[str, float]:
    out: dict[str, float] = {}
    drug_j = j[(j["person_group"] != "alcohol") & (j["person_group"] != "")]
    drug_people = set(drug_j["person"])
    ep_drug = ep[ep["person"].isin(drug_people)]
    for fy in range(2003, 2012):
        y0, y1 = fy_start(fy), fy_start(fy + 1) - 1
        succ = drug_j[
            (drug_j["end"] >= y0) & (drug_j["end"] <= y1) & (drug_j["exit_class"] == "successful")
        ]
        out[f"completions_{fy}"] = float(succ["person"].nunique())
        in_tx = ep_drug[(ep_drug["triage"] <= y1) & (ep_drug["discharge"] >= y0)][
            "person"
        ].nunique()
        out[f"in_treatment_{fy}"] = float(in_tx)
        starts = drug_j[(drug_j["start"] >= y0) & (drug_j["start"] <= y1)]
        exits = drug_j[(drug_j["end"] >= y0) & (drug_j["end"] <= y1)]
        out[f"exits_{fy}"] = float(len(exits))
        # entries into treatment are counted as journeys started, like discharges as journeys
        # ended; leavers are people (see docs/synthetic-england.md, "New entrants")
        out[f"entrants_{fy}"] = float(len(starts))
        out[f"leavers_{fy}"] = float(exits["person"].nunique())
        out[f"exits_successful_or_transfer_{fy}"] = (
            float(exits["exit_class"].isin(["successful", "transfer"]).mean())
            if len(exits)
            else float("nan")
        )
    y0, y1 = fy_start(2004), fy_start(2009) - 1
    out["treated_2004_2008"] = float(
        ep_drug[(ep_drug["triage"] <= y1) & (ep_drug["discharge"] >= y0)]["person"].nunique()
    )
    # starts of treatment in 2010-11: circumstances (consenting drug clients)
    y0, y1 = fy_start(2010), fy_start(2011) - 1
    s = drug_j[(drug_j["start"] >= y0) & (drug_j["start"] <= y1) & (drug_j["consent"] == "y")]
    out["share_no_fixed_abode_2010"] = float((s["accommodation"] == "no_fixed_abode").mean())
    out["share_housing_problem_2010"] = float((s["accommodation"] == "housing_problem").mean())
    out["share_parental_2010"] = float(
        s["parental_status"].isin(["lives_with_children", "children_elsewhere"]).mean()
    )
    # DIP entrants a month in 2008-09
    y0, y1 = fy_start(2008), fy_start(2009) - 1
    dip = ep_drug[
        (ep_drug["triage"] >= y0)
        & (ep_drug["triage"] <= y1)
        & ep_drug["referral_source"].isin(DIP_SOURCES)
    ]
    out["dip_entrants_per_month_2008"] = float(dip["person"].nunique() / 12.0)
    # completion rates by area, 2010-11
    fy = 2010
    y0, y1 = fy_start(fy), fy_start(fy + 1) - 1
    la_of = _person_la(ep_drug, fy)
    pop = la_of.value_counts()
    succ = drug_j[
        (drug_j["end"] >= y0) & (drug_j["end"] <= y1) & (drug_j["exit_class"] == "successful")
    ]
    done = la_of.reindex(succ["person"].unique()).value_counts()
    rate = (done.reindex(pop.index, fill_value=0) / pop).rename("rate")
    out["_area_rates"] = rate  # type: ignore[assignment]
    out["_area_population"] = pop  # type: ignore[assignment]
    region = sf.local_authorities.set_index("la_code")["region_name"]
    lse = pop.index.map(region.to_dict()).isin(["London", "South East"])
    out["completion_rate_london_south_east_2010"] = float(
        done.reindex(pop.index, fill_value=0)[lse].sum() / pop[lse].sum()
    )
    # drug-poisoning deaths of treatment clients in 2008-09
    death_person = sf.truth[sf.truth["source"] == "deaths"].set_index("key")["person"]
    d = sf.deaths
    dd = _days(d["date_of_death"])
    sel = (d["drug_poisoning"] == "y").to_numpy() & (dd >= fy_start(2008)) & (dd < fy_start(2009))
    ever = set(j["person"])
    out["drug_poisoning_deaths_clients_2008"] = float(
        d.loc[sel, "death_id"].map(death_person).isin(ever).sum()
    )
    return out
