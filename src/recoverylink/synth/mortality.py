"""When people die: England's death rates by sex, age and year, raised for drug users.

All-cause death rates come from the ONS life tables in the reference data; drug
and alcohol clients and offenders carry a standardised mortality ratio on top,
plus a drug-poisoning hazard for drug users. Deaths are drawn year by year from
2003 to 2013 (or from a client's first treatment start, since a client who
enters treatment in the data was alive then).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recoverylink.spec import reference
from recoverylink.synth.dates import day, year_of
from recoverylink.synth.params import SynthParams
from recoverylink.synth.people import (
    GROUP_ALCOHOL,
    GROUP_NON_OPIATE,
    GROUP_OPIATE,
    KIND_ALCOHOL,
    KIND_DRUG,
    People,
)

ALIVE = np.iinfo(np.int32).max


@dataclass
class Deaths:
    day: np.ndarray  # ALIVE where the person outlives the period
    drug_poisoning: np.ndarray


def _rate_table() -> tuple[np.ndarray, dict[int, int]]:
    """deaths per person-year indexed [mid_year_row, sex (0 male), age_band (0 = 15-19)]."""
    rates = reference.england_mortality_rates()
    years = sorted(rates["period_mid_year"].unique())
    index = {int(y): i for i, y in enumerate(years)}
    table = np.zeros((len(years), 2, 15))
    band = (rates["age_from"].to_numpy(dtype=int) - 15) // 5
    year = np.array([index[int(y)] for y in rates["period_mid_year"]])
    sex = np.where(rates["sex"].to_numpy() == "male", 0, 1)
    per_person = rates["deaths_per_100k"].to_numpy(dtype=float) / 100_000.0
    ok = (band >= 0) & (band < 15)
    table[year[ok], sex[ok], band[ok]] = per_person[ok]
    return table, index


def draw_deaths(rng: np.random.Generator, people: People, p: SynthParams) -> Deaths:
    table, index = _rate_table()
    n = len(people)
    smr = np.full(n, p.smr_offender, dtype=np.float32)
    smr[people.group == GROUP_OPIATE] = p.smr_opiate
    smr[(people.group == GROUP_NON_OPIATE) | (people.group == GROUP_ALCOHOL)] = p.smr_other_drug
    poison = np.zeros(n, dtype=np.float32)
    poison[people.group == GROUP_OPIATE] = p.drug_poisoning_rate_in_treatment * 1.6
    poison[people.group == GROUP_NON_OPIATE] = p.drug_poisoning_rate_in_treatment * 0.4
    poison[people.group == GROUP_ALCOHOL] = p.drug_poisoning_rate_in_treatment * 0.15
    poison[people.group < 0] = p.drug_poisoning_rate_never_treated_user * 0.1

    treated = (people.kind == KIND_DRUG) | (people.kind == KIND_ALCOHOL)
    death = np.full(n, ALIVE, dtype=np.int32)
    dp = np.zeros(n, dtype=bool)
    alive = np.ones(n, dtype=bool)
    birth_year = year_of(people.dob)
    first_year = np.where(treated, year_of(np.minimum(people.first_start, day("2013-12-31"))), 0)
    sex = np.where(people.male, 0, 1)
    for year in range(p.deaths_from_year, p.deaths_to_year + 1):
        row = index.get(year, index[max(index)])
        band = np.clip((year - birth_year - 15) // 5, 0, 14)
        base = table[row, sex, band]
        at_risk = alive & (first_year <= year)
        jan1 = day(f"{year}-01-01")
        # exposure in the first year of a client's treatment starts at the start
        from_day = np.where(treated & (first_year == year), people.first_start, jan1)
        exposure = (day(f"{year + 1}-01-01") - from_day) / 365.25
        hazard = base * smr + poison
        q = 1.0 - np.exp(-hazard * exposure)
        dies = at_risk & (rng.random(n) < q)
        idx = np.flatnonzero(dies)
        span = (day(f"{year + 1}-01-01") - from_day[idx]).clip(1)
        death[idx] = from_day[idx] + (rng.random(len(idx)) * span).astype(np.int32)
        share_poison = poison[idx] / hazard[idx]
        dp[idx] = rng.random(len(idx)) < share_poison
        alive &= ~dies
    return Deaths(day=death, drug_poisoning=dp)
