"""Interventions (modalities) within episodes, and Treatment Outcomes Profile reviews."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recoverylink.synth.people import GROUP_ALCOHOL, GROUP_OPIATE, People

END_OPEN = np.iinfo(np.int32).max


def build_interventions(rng: np.random.Generator, ep: pd.DataFrame, people: People) -> pd.DataFrame:
    """One row per intervention: episode row index, type, setting, dates, exit status."""
    m = len(ep)
    grp = people.group[ep["person"].to_numpy()]
    first = ep["first_intervention"].to_numpy()
    end = ep["end"].to_numpy()
    discharged = ep["discharged"].to_numpy()
    reason = ep["reason"].to_numpy()
    triage = ep["triage"].to_numpy()
    referral = ep["referral"].to_numpy()
    first = np.maximum(first, triage)
    idx = np.arange(m)
    parts = []

    def add(
        mask: np.ndarray,
        itype: str,
        setting: np.ndarray | str,
        s: np.ndarray,
        e: np.ndarray,
        ref: np.ndarray,
    ) -> None:
        sel = np.flatnonzero(mask & (s <= e))
        parts.append(
            pd.DataFrame(
                {
                    "ep": idx[sel],
                    "intervention_type": itype,
                    "setting": setting if isinstance(setting, str) else setting[sel],
                    "referred": ref[sel],
                    "start": s[sel],
                    "end": e[sel],
                }
            )
        )

    u = rng.random((m, 6))
    op = grp == GROUP_OPIATE
    pharm_setting = np.where(
        u[:, 0] < 0.65, "community", np.where(u[:, 0] < 0.95, "primary_care", "prison")
    )
    psy_setting = np.where(u[:, 1] < 0.88, "community", "primary_care")
    # the main intervention runs from the first intervention to the discharge
    add(
        op | ((grp == GROUP_ALCOHOL) & (u[:, 2] < 0.15)),
        "pharmacological",
        pharm_setting,
        first,
        end,
        referral,
    )
    add(~op, "psychosocial", psy_setting, first, end, referral)
    later = first + (rng.random(m) * 60).astype(np.int32)
    add(
        op & (u[:, 3] < 0.55),
        "psychosocial",
        psy_setting,
        later,
        end,
        later - rng.integers(0, 14, m),
    )
    detox_start = first + (rng.random(m) * np.maximum(end - first - 28, 0)).astype(np.int32)
    add(
        (u[:, 4] < 0.05) & (end - first > 45),
        "inpatient_detox",
        "inpatient",
        detox_start,
        np.minimum(detox_start + 14 + rng.integers(0, 15, m), end),
        detox_start - rng.integers(0, 21, m),
    )
    rehab_start = first + ((end - first) * 0.3).astype(np.int32)
    add(
        (u[:, 4] > 0.97) & (end - first > 150),
        "residential_rehab",
        "residential",
        rehab_start,
        np.minimum(rehab_start + 60 + rng.integers(0, 90, m), end),
        rehab_start - rng.integers(0, 28, m),
    )
    succ = np.isin(
        reason, ["completed_drug_free", "completed_alcohol_free", "completed_occasional_user"]
    )
    rs_start = np.maximum(end - 60 - rng.integers(0, 60, m), first)
    add(
        succ & (u[:, 5] < 0.35),
        "recovery_support",
        "community",
        rs_start,
        end,
        rs_start - rng.integers(0, 10, m),
    )

    iv = pd.concat(parts, ignore_index=True)
    iv["referred"] = np.maximum(np.minimum(iv["referred"], iv["start"]), 0)
    ep_discharged = discharged[iv["ep"].to_numpy()]
    ep_end = end[iv["ep"].to_numpy()]
    closes = iv["end"].to_numpy() < ep_end
    # an intervention of an episode still open at the end of the data stays open
    # unless it ended earlier
    iv["closed"] = ep_discharged | closes
    ep_reason = reason[iv["ep"].to_numpy()]
    status = np.where(
        np.isin(ep_reason, ["dropped_out", "declined_treatment", "retained_in_custody"]),
        "unplanned",
        np.where(ep_reason == "withdrawn_by_provider", "withdrawn", "planned"),
    ).astype(object)
    status[closes] = "planned"
    iv["exit_status"] = status
    return iv.sort_values(["ep", "start", "intervention_type"], kind="stable").reset_index(
        drop=True
    )


def build_top(
    rng: np.random.Generator,
    ep: pd.DataFrame,
    people: People,
    data_end: int,
    abstinence: float = 0.6,
) -> pd.DataFrame:
    """TOP rows: a start review, six-monthly reviews, and an exit review for most planned exits.

    ``abstinence``: the chance that a client has stopped using altogether at a full
    year's progress (see ``_top_values``).
    """
    consent = ep["consent"].to_numpy()
    start = np.maximum(ep["first_intervention"].to_numpy(), ep["triage"].to_numpy())
    end = ep["end"].to_numpy()
    limit = np.minimum(end, data_end)
    reason = ep["reason"].to_numpy()
    rows_ep, rows_day, rows_stage = [], [], []
    ok = consent & (start <= limit) & (ep["role"].to_numpy() != 3)
    k = 0
    while True:
        d = start + 182 * k
        sel = ok & (d < limit) if k else ok & (d <= limit)
        if not sel.any():
            break
        idx = np.flatnonzero(sel)
        rows_ep.append(idx)
        rows_day.append(d[idx])
        rows_stage.append(np.full(len(idx), "start" if k == 0 else "review", dtype=object))
        k += 1
    succ = np.isin(
        reason, ["completed_drug_free", "completed_alcohol_free", "completed_occasional_user"]
    )
    exit_p = np.where(succ, 0.75, 0.25)
    has_exit = (
        ok & ep["discharged"].to_numpy() & (end - start >= 28) & (rng.random(len(ep)) < exit_p)
    )
    idx = np.flatnonzero(has_exit)
    rows_ep.append(idx)
    rows_day.append(end[idx])
    rows_stage.append(np.full(len(idx), "exit", dtype=object))
    top = pd.DataFrame(
        {
            "ep": np.concatenate(rows_ep),
            "top_date": np.concatenate(rows_day),
            "stage": np.concatenate(rows_stage),
        }
    )
    top = top.sort_values(["ep", "top_date", "stage"], kind="stable").reset_index(drop=True)
    return _top_values(rng, top, ep, people, abstinence)


def _top_values(
    rng: np.random.Generator,
    top: pd.DataFrame,
    ep: pd.DataFrame,
    people: People,
    abstinence: float,
) -> pd.DataFrame:
    """Each TOP row's answers. Progress ``r`` grows with time since the first
    intervention (full after a year), more for those who go on to complete. Some
    clients stop using altogether (chance ``abstinence * r``: 0 days of every drug
    and of injecting); the others use on fewer days as ``r`` grows."""
    e = top["ep"].to_numpy()
    person = ep["person"].to_numpy()[e]
    grp = people.group[person]
    crack = people.crack[person]
    inj = people.injects[person]
    offender = people.offender[person]
    reason = ep["reason"].to_numpy()[e]
    elapsed = (top["top_date"].to_numpy() - ep["first_intervention"].to_numpy()[e]).clip(0)
    gain = np.where(
        np.isin(
            reason, ["completed_drug_free", "completed_alcohol_free", "completed_occasional_user"]
        ),
        0.85,
        np.where(reason == "", 0.55, 0.2),
    )
    r = np.minimum(1.0, elapsed / 365.0) * gain
    n = len(top)
    stopped = rng.random(n) < abstinence * r

    def days(p0: np.ndarray | float) -> np.ndarray:
        return rng.binomial(28, np.clip(np.asarray(p0) * (1 - r), 0, 1), n)

    def use_days(p0: np.ndarray | float) -> np.ndarray:
        return np.where(stopped, 0, days(p0))

    def score(p0: float) -> np.ndarray:
        return rng.binomial(20, np.clip(p0 + (0.85 - p0) * r, 0, 1), n)

    s1 = ep["substance_1"].to_numpy()[e] if "substance_1" in ep else np.full(n, "")
    top["days_opiates"] = use_days(np.where(grp == GROUP_OPIATE, 0.75, 0.01))
    top["days_crack"] = use_days(np.where(crack | (s1 == "crack"), 0.35, 0.01))
    top["days_cocaine"] = use_days(np.where(s1 == "cocaine", 0.3, 0.02))
    top["days_amphetamines"] = use_days(np.where(s1 == "amphetamine", 0.4, 0.01))
    top["days_cannabis"] = use_days(np.where(s1 == "cannabis", 0.75, 0.12))
    top["days_alcohol"] = use_days(np.where(grp == GROUP_ALCOHOL, 0.7, 0.15))
    top["days_injected"] = use_days(np.where(inj, 0.55, 0.0))
    top["shoplifting_days"] = days(np.where(offender, 0.12, 0.005))
    top["drug_selling_days"] = days(np.where(offender, 0.03, 0.001))
    top["other_theft_days"] = days(np.where(offender, 0.03, 0.001))
    top["assault"] = np.where(rng.random(n) < 0.08 * (1 - r), "y", "n")
    top["psychological_health"] = score(0.45)
    top["physical_health"] = score(0.5)
    top["quality_of_life"] = score(0.4)
    acc = ep["accommodation"].to_numpy()[e] if "accommodation" in ep else np.full(n, "settled")
    top["acute_housing_problem"] = np.where(
        (acc == "no_fixed_abode") & (rng.random(n) > r), "y", "n"
    )
    top["housing_risk"] = np.where((acc == "housing_problem") & (rng.random(n) > r), "y", "n")
    emp = ep["employment"].to_numpy()[e] if "employment" in ep else np.full(n, "")
    top["paid_work_days"] = np.where(
        emp == "employed",
        rng.binomial(28, 0.7, n),
        rng.binomial(28, 0.02 + 0.2 * r, n) * (rng.random(n) < 0.3),
    )
    top["education_days"] = np.where(rng.random(n) < 0.05, rng.binomial(28, 0.3, n), 0)
    return top
