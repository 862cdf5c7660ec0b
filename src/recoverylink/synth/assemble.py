"""Turning the internal tables into the spec's columns (strings, in the spec's order)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recoverylink.spec.codes import NON_CONSENT_ALLOWED_COLUMNS
from recoverylink.synth.dates import age_on, iso

EPISODE_COLUMNS = [
    "provider_code",
    "client_ref",
    "episode_ref",
    "consent",
    "first_initial",
    "last_initial",
    "date_of_birth",
    "sex",
    "postcode_district",
    "local_authority",
    "ethnicity",
    "referral_date",
    "referral_source",
    "triage_date",
    "substance_1",
    "substance_2",
    "substance_3",
    "injecting_status",
    "accommodation",
    "employment",
    "parental_status",
    "previously_treated",
    "discharge_date",
    "discharge_reason",
]
INTERVENTION_COLUMNS = [
    "provider_code",
    "episode_ref",
    "intervention_ref",
    "intervention_type",
    "setting",
    "referred_date",
    "start_date",
    "end_date",
    "exit_status",
]
TOP_COLUMNS = [
    "provider_code",
    "episode_ref",
    "top_date",
    "stage",
    "days_opiates",
    "days_crack",
    "days_cocaine",
    "days_amphetamines",
    "days_cannabis",
    "days_alcohol",
    "days_injected",
    "shoplifting_days",
    "drug_selling_days",
    "other_theft_days",
    "assault",
    "psychological_health",
    "physical_health",
    "quality_of_life",
    "acute_housing_problem",
    "housing_risk",
    "paid_work_days",
    "education_days",
]


def sequential_refs(
    prefix: str, group: np.ndarray, order_key: np.ndarray, width: int
) -> np.ndarray:
    """References numbered 1.. within each group, in ``order_key`` order."""
    order = np.lexsort((order_key, group))
    g = group[order]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    counts = np.diff(np.r_[starts, len(g)])
    seq = np.arange(len(g)) - np.repeat(starts, counts) + 1
    out = np.empty(len(g), dtype=object)
    out[order] = [f"{prefix}{s:0{width}d}" for s in seq]
    return out


def episode_frame(
    ep: pd.DataFrame, provider_codes: np.ndarray, la_codes: np.ndarray, true_dob: np.ndarray
) -> pd.DataFrame:
    """Episodes in the spec's columns; ``ep`` holds internal and content columns."""
    prov = ep["provider"].to_numpy()
    referral = ep["referral"].to_numpy()
    dob = ep["dob"].to_numpy().copy()
    age = age_on(dob, referral)
    bad = (dob >= referral) | (age < 18) | (age > 100)
    dob[bad] = true_dob[bad]
    client_first = ep.groupby("client")["triage"].transform("min").to_numpy()
    client_ref = sequential_refs("C", prov, client_first * 10_000_000 + ep["client"].to_numpy(), 7)
    # one ref per client: number the clients, not the episodes
    firsts = ~pd.Series(ep["client"].to_numpy()).duplicated().to_numpy()
    ref_of_client = pd.Series(client_ref[firsts], index=ep["client"].to_numpy()[firsts])
    client_ref = ref_of_client.reindex(ep["client"].to_numpy()).to_numpy()
    f = pd.DataFrame(
        {
            "provider_code": provider_codes[prov],
            "client_ref": client_ref,
            "episode_ref": ep["episode_ref"].to_numpy(),
            "consent": np.where(ep["consent"], "y", "n"),
            "first_initial": ep["first_initial"].to_numpy(),
            "last_initial": ep["last_initial"].to_numpy(),
            "date_of_birth": iso(dob),
            "sex": ep["sex"].to_numpy(),
            "postcode_district": np.where(
                ep["accommodation"] == "no_fixed_abode", "", ep["postcode_district"]
            ),
            "local_authority": la_codes[ep["la"].to_numpy()],
            "ethnicity": ep["ethnicity"].to_numpy(),
            "referral_date": iso(referral),
            "referral_source": ep["referral_source"].to_numpy(),
            "triage_date": iso(ep["triage"].to_numpy()),
            "substance_1": ep["substance_1"].to_numpy(),
            "substance_2": ep["substance_2"].to_numpy(),
            "substance_3": ep["substance_3"].to_numpy(),
            "injecting_status": ep["injecting_status"].to_numpy(),
            "accommodation": ep["accommodation"].to_numpy(),
            "employment": ep["employment"].to_numpy(),
            "parental_status": ep["parental_status"].to_numpy(),
            "previously_treated": ep["previously_treated"].to_numpy(),
            "discharge_date": np.where(
                ep["discharged"], iso(ep["end"].to_numpy().clip(max=2**31 - 2)), ""
            ),
            "discharge_reason": np.where(ep["discharged"], ep["reason"], ""),
        }
    )
    no = ~ep["consent"].to_numpy()
    for col in EPISODE_COLUMNS:
        if col not in NON_CONSENT_ALLOWED_COLUMNS:
            f.loc[no, col] = ""
    return f


def open_form(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        out[c] = ""
    return out


def intervention_frame(iv: pd.DataFrame, ep_frame: pd.DataFrame) -> pd.DataFrame:
    e = iv["ep"].to_numpy()
    refs = sequential_refs("I", np.zeros(len(iv), dtype=np.int64), np.arange(len(iv)), 9)
    return pd.DataFrame(
        {
            "provider_code": ep_frame["provider_code"].to_numpy()[e],
            "episode_ref": ep_frame["episode_ref"].to_numpy()[e],
            "intervention_ref": refs,
            "intervention_type": iv["intervention_type"].to_numpy(),
            "setting": iv["setting"].to_numpy(),
            "referred_date": iso(iv["referred"].to_numpy()),
            "start_date": iso(iv["start"].to_numpy()),
            "end_date": np.where(iv["closed"], iso(iv["end"].to_numpy()), ""),
            "exit_status": np.where(iv["closed"], iv["exit_status"], ""),
        }
    )


def top_frame(top: pd.DataFrame, ep_frame: pd.DataFrame) -> pd.DataFrame:
    e = top["ep"].to_numpy()
    f = pd.DataFrame(
        {
            "provider_code": ep_frame["provider_code"].to_numpy()[e],
            "episode_ref": ep_frame["episode_ref"].to_numpy()[e],
            "top_date": iso(top["top_date"].to_numpy()),
        }
    )
    for c in TOP_COLUMNS[3:]:
        f[c] = top[c].to_numpy()
    return f[TOP_COLUMNS]


def dated(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with the given day-number columns as ISO dates (internal ``_`` columns dropped)."""
    out = frame[[c for c in frame.columns if not c.startswith("_")]].copy()
    for c in columns:
        out[c] = iso(out[c].to_numpy())
    return out
