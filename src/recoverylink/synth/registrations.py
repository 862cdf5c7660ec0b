"""Death registrations (ONS): the people who died, and decoy deaths of people outside the model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recoverylink.synth import names, recording
from recoverylink.synth.dates import day
from recoverylink.synth.geography import Geography, full_postcode, random_district
from recoverylink.synth.mortality import ALIVE, Deaths
from recoverylink.synth.params import SynthParams
from recoverylink.synth.people import People
from recoverylink.synth.police import forenames_of, surname_on

POISONING_CAUSES = np.array(["X42", "X44", "X62", "Y12", "F11.2", "X41", "F19.1"], dtype=object)
POISONING_WEIGHTS = np.array([0.50, 0.15, 0.10, 0.05, 0.10, 0.05, 0.05])
OTHER_CAUSES = np.array(
    [
        "I21.9",
        "I25.1",
        "C34.9",
        "J44.9",
        "K70.3",
        "J18.9",
        "X59",
        "V89.2",
        "X70",
        "B20",
        "B18.2",
        "I64",
    ],
    dtype=object,
)
OTHER_WEIGHTS = np.array([0.12, 0.12, 0.10, 0.08, 0.10, 0.08, 0.06, 0.05, 0.07, 0.03, 0.07, 0.12])


def _pick(rng: np.random.Generator, values: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    cum = np.cumsum(weights / weights.sum())
    cum[-1] = 1.0
    return values[np.searchsorted(cum, rng.random(n), side="right")]


def build_deaths(
    rng: np.random.Generator,
    people: People,
    deaths: Deaths,
    geo: Geography,
    p: SynthParams,
    scale: float,
) -> pd.DataFrame:
    last = day(f"{p.deaths_to_year}-12-31")
    who = np.flatnonzero(deaths.day != ALIVE)
    dp = deaths.drug_poisoning[who]
    n = len(who)
    when = deaths.day[who]
    # drug-poisoning deaths wait for an inquest before they are registered
    delay = np.where(dp, 30 + rng.gamma(2.0, 60.0, n), rng.gamma(2.0, 3.0, n)).astype(np.int32)
    frame = pd.DataFrame(
        {
            "surname": surname_on(people, who, when),
            "forenames": forenames_of(people, who, rng.random(n) < 0.8),
            "date_of_birth": recording.garble_dob(
                rng, people.dob[who], p.death_dob_error, p.death_dob_error * 0.5, 0.0
            ),
            "sex": np.where(people.male[who], "male", "female"),
            "postcode": np.where(
                rng.random(n) < 0.9, full_postcode(rng, geo.district_code[people.district[who]]), ""
            ),
            "date_of_death": when,
            "date_registered": when + delay,
            "underlying_cause": np.where(
                dp,
                _pick(rng, POISONING_CAUSES, POISONING_WEIGHTS, n),
                _pick(rng, OTHER_CAUSES, OTHER_WEIGHTS, n),
            ),
            "drug_poisoning": np.where(dp, "y", "n"),
            "_person": who,
        }
    )
    decoys = _decoys(rng, geo, p, scale, start_person=len(people))
    frame = pd.concat([frame, decoys], ignore_index=True)
    frame = frame[frame["date_registered"] <= last]
    frame = frame.sort_values(["date_registered", "_person"], kind="stable").reset_index(drop=True)
    frame.insert(0, "death_id", [f"R{i:09d}" for i in range(1, len(frame) + 1)])
    return frame


def _decoys(
    rng: np.random.Generator, geo: Geography, p: SynthParams, scale: float, start_person: int
) -> pd.DataFrame:
    years = p.deaths_to_year - p.deaths_from_year + 1
    n = round(p.background_deaths_per_year * scale * years)
    male = rng.random(n) < 0.5
    when = rng.integers(day(f"{p.deaths_from_year}-01-01"), day(f"{p.deaths_to_year}-12-31"), n)
    age = np.clip(rng.normal(76, 12, n), 18.2, 104)
    dob = (when - (age * 365.25).astype(np.int64)).astype(np.int32)
    forename = np.empty(n, dtype=object)
    for sex, mask in (("male", male), ("female", ~male)):
        pool = names.forenames(sex)
        forename[mask] = pool.names[pool.draw(rng, int(mask.sum()))]
    sur = names.surnames().names[names.surnames().draw(rng, n)]
    w = geo.las["population"].to_numpy(dtype=float)
    cum = np.cumsum(w / w.sum())
    cum[-1] = 1.0
    la = np.searchsorted(cum, rng.random(n), side="right")
    district = geo.district_code[random_district(rng, geo, la)]
    return pd.DataFrame(
        {
            "surname": sur,
            "forenames": forename,
            "date_of_birth": dob,
            "sex": np.where(male, "male", "female"),
            "postcode": np.where(rng.random(n) < 0.95, full_postcode(rng, district), ""),
            "date_of_death": when.astype(np.int32),
            "date_registered": (when + rng.gamma(2.0, 3.0, n)).astype(np.int32),
            "underlying_cause": _pick(rng, OTHER_CAUSES, OTHER_WEIGHTS, n),
            "drug_poisoning": "n",
            "_person": np.arange(start_person, start_person + n),
        }
    )
