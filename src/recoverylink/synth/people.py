"""The synthetic people: who they are, where they live, what they use, whether they offend.

Three kinds of people are made: drug and alcohol treatment clients (their first
journey in the data starts before or during 2003-04 to 2011-12), offenders who
are never in treatment (the bulk of the Police National Computer, so that chance
matches on initials and date of birth happen at a realistic rate), and twins of
treatment clients. A person's identity (names, date of birth) is the truth; what
each source records of it, with its errors, is made in ``identities.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recoverylink.synth import names
from recoverylink.synth.dates import day, fy_start
from recoverylink.synth.geography import Geography, random_district
from recoverylink.synth.params import SynthParams

KIND_DRUG, KIND_ALCOHOL, KIND_PNC_ONLY, KIND_TWIN = 0, 1, 2, 3
GROUP_OPIATE, GROUP_NON_OPIATE, GROUP_ALCOHOL, GROUP_NONE = 0, 1, 2, -1


@dataclass
class People:
    """One array per attribute, one element per person (index = person id)."""

    kind: np.ndarray
    male: np.ndarray
    dob: np.ndarray
    la: np.ndarray
    district: np.ndarray
    forename: np.ndarray  # index into the sex's forename pool
    middle: np.ndarray  # index into the sex's forename pool, -1 = none
    surname: np.ndarray  # index into the surname pool
    new_surname: np.ndarray  # after a change, -1 = none
    surname_change_day: np.ndarray
    nickname: np.ndarray  # object, '' = none
    uses_nickname: np.ndarray  # gives the nickname to treatment services
    group: np.ndarray  # substance group
    crack: np.ndarray
    injects: np.ndarray
    offender: np.ndarray
    rate: np.ndarray  # proven trigger offences a year before treatment
    soliciting: np.ndarray  # soliciting is a main offence
    hard_core: np.ndarray
    first_start: np.ndarray  # first journey start in the data (treatment clients)
    in_stock: np.ndarray  # already in treatment on 1 April 2003
    never_consents: np.ndarray
    prior_treatment: np.ndarray
    career_start: np.ndarray  # PNC-only offenders: active offending window
    career_end: np.ndarray

    def __len__(self) -> int:
        return len(self.kind)


def _ages_to_dob(rng: np.random.Generator, on: np.ndarray, age: np.ndarray) -> np.ndarray:
    return (on - (age * 365.25).astype(np.int64) - rng.integers(0, 365, len(on))).astype(np.int32)


def _la_by_population(rng: np.random.Generator, geo: Geography, n: int) -> np.ndarray:
    w = geo.las["population_mid2006"].to_numpy(dtype=float)
    cum = np.cumsum(w / w.sum())
    cum[-1] = 1.0
    return np.searchsorted(cum, rng.random(n), side="right").astype(np.int32)


def _names(rng: np.random.Generator, male: np.ndarray) -> tuple[np.ndarray, ...]:
    n = len(male)
    fore = np.empty(n, dtype=np.int32)
    middle = np.full(n, -1, dtype=np.int32)
    has_middle = rng.random(n) < 0.55
    for sex, mask in (("male", male), ("female", ~male)):
        pool = names.forenames(sex)
        k = int(mask.sum())
        fore[mask] = pool.draw(rng, k)
        mid = pool.draw(rng, k)
        middle[mask] = np.where(has_middle[mask] & (mid != fore[mask]), mid, -1)
    sur = names.surnames().draw(rng, n)
    return fore, middle, sur


def _entry_dates(rng: np.random.Generator, counts: list[int], first_fy: int) -> np.ndarray:
    out = []
    for i, c in enumerate(counts):
        start = fy_start(first_fy + i)
        length = fy_start(first_fy + i + 1) - start
        out.append(start + rng.integers(0, length, c))
    return np.concatenate(out).astype(np.int32) if out else np.zeros(0, np.int32)


def make_people(rng: np.random.Generator, p: SynthParams, scale: float, geo: Geography) -> People:
    n_years = p.last_fy - p.first_fy + 1
    first = [p.scaled(p.first_entrants_per_year[i], scale) for i in range(n_years)]
    alcohol = [p.scaled(p.alcohol_entrants_per_year, scale) for _ in range(n_years)]
    n_stock = p.scaled(p.initial_stock, scale)
    n_drug = n_stock + sum(first)
    n_alc = sum(alcohol)
    n_pnc = p.scaled(p.pnc_only_people, scale)
    n_twin = round(n_drug * p.twins)
    n = n_drug + n_alc + n_pnc + n_twin

    kind = np.concatenate(
        [
            np.full(n_drug, KIND_DRUG),
            np.full(n_alc, KIND_ALCOHOL),
            np.full(n_pnc, KIND_PNC_ONLY),
            np.full(n_twin, KIND_TWIN),
        ]
    ).astype(np.int8)
    treated = kind <= KIND_ALCOHOL

    # --- when each treatment client first starts -----------------------------
    start0 = fy_start(p.first_fy)
    first_start = np.full(n, np.iinfo(np.int32).max, dtype=np.int32)
    in_stock = np.zeros(n, dtype=bool)
    in_stock[:n_stock] = True
    # the stock started long journeys up to six years before April 2003
    first_start[:n_stock] = start0 - 1 - rng.exponential(900.0, n_stock).clip(0, 2190).astype(int)
    first_start[n_stock:n_drug] = _entry_dates(rng, first, p.first_fy)
    first_start[n_drug : n_drug + n_alc] = _entry_dates(rng, alcohol, p.first_fy)

    # --- demographics ----------------------------------------------------------
    male = rng.random(n) >= p.share_female
    male[kind == KIND_PNC_ONLY] = rng.random(int((kind == KIND_PNC_ONLY).sum())) < 0.80
    ref_day = np.where(treated, first_start, day("2006-01-01"))
    age = np.where(
        treated,
        rng.normal(p.age_at_entry_mean, p.age_at_entry_sd, n),
        rng.normal(29.0, 10.0, n),
    )
    age[kind == KIND_ALCOHOL] = rng.normal(42.0, 10.0, int((kind == KIND_ALCOHOL).sum()))
    age = np.clip(age, 18.5, 80.0)
    dob = _ages_to_dob(rng, ref_day, age)
    la = _la_by_population(rng, geo, n)
    district = random_district(rng, geo, la)
    fore, middle, sur = _names(rng, male)

    # twins: same date of birth, surname, area and sex as a drug client; another forename
    twin_idx = np.flatnonzero(kind == KIND_TWIN)
    sib = rng.choice(n_drug, n_twin, replace=False) if n_twin else np.zeros(0, np.int64)
    dob[twin_idx] = dob[sib]
    sur[twin_idx] = sur[sib]
    la[twin_idx] = la[sib]
    district[twin_idx] = district[sib]
    male[twin_idx] = male[sib]
    clash = fore[twin_idx] == fore[sib]
    fore[twin_idx[clash]] = (fore[twin_idx[clash]] + 1) % 150

    nickname = names.pick_nicknames(rng, male, fore)
    # about 60% of forenames have a nickname, so the rate among those is raised to keep
    # nickname_in_treatment the share of all clients
    uses_nickname = treated & (nickname != "") & (rng.random(n) < p.nickname_in_treatment / 0.6)

    new_surname = np.full(n, -1, dtype=np.int32)
    change = (~male) & (rng.random(n) < p.surname_change_women)
    new_surname[change] = names.surnames().draw(rng, int(change.sum()))
    surname_change_day = np.where(
        change, rng.integers(day("2001-01-01"), day("2013-06-30"), n), np.iinfo(np.int32).max
    ).astype(np.int32)

    # --- substances ---------------------------------------------------------
    group = np.full(n, GROUP_NONE, dtype=np.int8)
    drug = kind == KIND_DRUG
    group[drug] = np.where(
        rng.random(int(drug.sum())) < p.share_opiate, GROUP_OPIATE, GROUP_NON_OPIATE
    )
    group[kind == KIND_ALCOHOL] = GROUP_ALCOHOL
    crack = (group == GROUP_OPIATE) & (rng.random(n) < p.share_crack_with_opiate)
    injects = (group == GROUP_OPIATE) & (rng.random(n) < p.share_injecting_opiate)

    # --- offending ------------------------------------------------------------
    offender = np.zeros(n, dtype=bool)
    rate = np.zeros(n)
    is_op = group == GROUP_OPIATE
    is_other = (group == GROUP_NON_OPIATE) | (group == GROUP_ALCOHOL)
    offender[is_op] = rng.random(int(is_op.sum())) < p.share_offender_opiate
    offender[is_other] = rng.random(int(is_other.sum())) < p.share_offender_other
    shape = p.trigger_rate_shape
    rate[is_op] = rng.gamma(shape, p.trigger_rate_mean_opiate / shape, int(is_op.sum()))
    rate[is_other] = rng.gamma(shape, p.trigger_rate_mean_other / shape, int(is_other.sum()))
    alc = kind == KIND_ALCOHOL
    rate[alc] *= 0.5
    pnc = (kind == KIND_PNC_ONLY) | (kind == KIND_TWIN)
    offender[pnc] = True
    rate[pnc] = rng.gamma(0.7, p.pnc_only_rate_mean / 0.7, int(pnc.sum()))
    rate[~offender] = 0.0
    soliciting = offender & (~male) & is_op & (rng.random(n) < p.share_soliciting_female_opiate)
    hard_core = np.zeros(n, dtype=bool)  # set from entry routes in careers.py

    # PNC-only careers: an active window inside the PNC history
    history_from, history_to = day(p.offending_from), day(p.pnc_extract_date)
    c0 = rng.integers(history_from - 1500, history_to, n)
    length = rng.exponential(2200.0, n)
    career_start = np.clip(c0, history_from, history_to).astype(np.int32)
    career_end = np.clip(c0 + length, history_from, history_to).astype(np.int32)

    never_consents = rng.random(n) < p.share_consent_no
    prior = treated & (rng.random(n) < p.share_prior_treatment_before_data)
    prior[:n_stock] = rng.random(n_stock) < 0.6

    return People(
        kind=kind,
        male=male,
        dob=dob,
        la=la,
        district=district,
        forename=fore,
        middle=middle,
        surname=sur,
        new_surname=new_surname,
        surname_change_day=surname_change_day,
        nickname=nickname,
        uses_nickname=uses_nickname,
        group=group,
        crack=crack,
        injects=injects,
        offender=offender,
        rate=rate,
        soliciting=soliciting,
        hard_core=hard_core,
        first_start=first_start,
        in_stock=in_stock,
        never_consents=never_consents,
        prior_treatment=prior,
        career_start=career_start,
        career_end=career_end,
    )
