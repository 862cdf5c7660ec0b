"""Treatment careers: journeys of treatment, how each ends, and returns to treatment.

A journey is a continuous spell of treatment (one or more episodes, possibly at
several providers). Each client's first journey in the data starts at
``People.first_start``; when a journey ends the client may come back after a gap
(re-presentation), directly or through an arrest (the criminal justice route).
Journeys are drawn generation by generation, all clients at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recoverylink.synth.dates import fy_of, fy_start
from recoverylink.synth.geography import Geography
from recoverylink.synth.mortality import ALIVE, Deaths
from recoverylink.synth.params import SynthParams
from recoverylink.synth.people import (
    GROUP_ALCOHOL,
    GROUP_NON_OPIATE,
    KIND_ALCOHOL,
    KIND_DRUG,
    People,
)

# journey outcome classes (the spec's discharge classes) plus "open" at the end of the data
SUCCESSFUL, TRANSFER, UNSUCCESSFUL, OTHER, OPEN = 0, 1, 2, 3, 4
# TRANSFER here is a journey that ends referred on to a service outside the system
# the reconviction study's outcome groups, as the generator intends them
G_RETAINED, G_COMPLETED_NOT_RETURNED, G_COMPLETED_RETURNED, G_DROPPED_OUT, G_OTHER = range(5)
TWO_YEARS = 730
SIX_MONTHS = 182


@dataclass
class Journeys:
    person: np.ndarray
    seq: np.ndarray  # 0 for the first journey of the person in the data
    start: np.ndarray
    end: np.ndarray  # the last discharge (or the day the person died); beyond data end = open
    outcome: np.ndarray
    died: np.ndarray
    cjs_route: np.ndarray  # entered through the criminal justice system
    la: np.ndarray  # local authority of residence during the journey
    next_start: np.ndarray  # start of the person's next journey, ALIVE if none
    group: np.ndarray  # reconviction-study outcome group
    hard_core: np.ndarray
    dip: np.ndarray  # criminal-justice route through a DIP team or an arrest referral scheme

    def __len__(self) -> int:
        return len(self.person)


def _logit(x: np.ndarray) -> np.ndarray:
    return np.log(x / (1.0 - x))


def area_effects(rng: np.random.Generator, geo: Geography, p: SynthParams) -> np.ndarray:
    """Log-odds shift of a successful exit in each local authority."""
    eff = rng.normal(0.0, p.area_log_odds_sd, len(geo.las))
    codes = geo.las["la_code"].to_numpy()
    south = geo.las["region_name"].isin(["London", "South East"]).to_numpy()
    eff = eff + np.where(south, p.london_south_east_log_odds, 0.0)
    eff[codes == p.best_area] = p.best_area_log_odds
    eff[codes == p.worst_area] = p.worst_area_log_odds
    return eff


def _durations(rng: np.random.Generator, short: np.ndarray, p: SynthParams) -> np.ndarray:
    n = len(short)
    s = 7 + rng.exponential(p.short_journey_mean_days - 7, n)
    long_ = p.long_journey_min_days + rng.exponential(
        p.long_journey_mean_days - p.long_journey_min_days, n
    )
    return np.where(short, s, long_).astype(np.int32)


def _success_prob(
    people: People,
    person: np.ndarray,
    end: np.ndarray,
    dur: np.ndarray,
    la: np.ndarray,
    area: np.ndarray,
    p: SynthParams,
) -> np.ndarray:
    years = np.clip(fy_of(end) - p.first_fy, 0, len(p.success_at_exit_by_year) - 1)
    base = np.asarray(p.success_at_exit_by_year)[years]
    logit = _logit(base) + area[la]
    logit += np.where(dur < 84, np.log(p.short_journey_success_factor), 0.0)
    logit += np.where((dur >= 84) & (dur < 182), np.log(p.short_journey_success_factor) / 2, 0.0)
    grp = people.group[person]
    logit += np.where(grp == GROUP_ALCOHOL, 0.7, np.where(grp == GROUP_NON_OPIATE, 0.55, -0.2))
    logit += np.where(people.offender[person], p.offender_success_log_odds, 0.0)
    logit += p.prolific_success_log_odds * prolific_level(people, person)
    return 1.0 / (1.0 + np.exp(-logit))


def draw_journeys(
    rng: np.random.Generator,
    people: People,
    deaths: Deaths,
    geo: Geography,
    p: SynthParams,
) -> Journeys:
    data_end = fy_start(p.last_fy + 1) - 1
    area = area_effects(rng, geo, p)
    region = geo.las["region_code"].to_numpy()
    treated = np.flatnonzero((people.kind == KIND_DRUG) | (people.kind == KIND_ALCOHOL))
    start0 = fy_start(p.first_fy)

    cycler = rng.random(len(people)) < p.share_cyclers

    def short_journey(who: np.ndarray) -> np.ndarray:
        share = np.where(cycler[who], p.cycler_short_journey, p.share_short_journey)
        share = share + np.where(people.offender[who], p.offender_short_journey_extra, 0.0)
        share = share + p.prolific_short_journey_extra * prolific_level(people, who)
        return rng.random(len(who)) < share

    person = treated.astype(np.int32)
    start = people.first_start[person].copy()
    short = short_journey(person) & ~people.in_stock[person]
    cjs_p = np.where(people.group[person] == GROUP_ALCOHOL, 0.10, p.cjs_route_first_journey)
    cjs = people.offender[person] & (rng.random(len(person)) < cjs_p)
    la = people.la[person].copy()
    seq = np.zeros(len(person), dtype=np.int32)
    parts: list[dict[str, np.ndarray]] = []
    while len(person):
        dur = _durations(rng, short, p)
        # the stock: a journey under way on 1 April 2003 ends after it
        stock = people.in_stock[person] & (seq == 0)
        dur = np.where(
            stock,
            (start0 - start)
            + rng.exponential(p.long_journey_mean_days, len(person)).astype(np.int32),
            dur,
        )
        end = start + dur
        death = deaths.day[person]
        died = death <= end
        end = np.where(died, death, end)
        outcome = np.full(len(person), UNSUCCESSFUL, dtype=np.int8)
        ps = _success_prob(people, person, end, end - start, la, area, p)
        years = np.clip(fy_of(end) - p.first_fy, 0, len(p.referred_on_by_year) - 1)
        p_ref = np.asarray(p.referred_on_by_year)[years]
        p_ref = np.where(people.offender[person], p_ref * p.offender_referred_on_factor, p_ref)
        u = rng.random(len(person))
        p_other = p.share_other_exit
        outcome[u < p_other] = OTHER
        outcome[(u >= p_other) & (u < p_other + p_ref)] = TRANSFER
        rest = 1.0 - p_other - p_ref
        outcome[(u >= p_other + p_ref) & (u < p_other + p_ref + rest * ps)] = SUCCESSFUL
        outcome[died] = OTHER
        outcome[(end > data_end) & ~died] = OPEN
        parts.append(
            {
                "person": person,
                "seq": seq,
                "start": start,
                "end": end,
                "outcome": outcome,
                "died": died,
                "cjs": cjs,
                "la": la,
            }
        )
        # who comes back, and when
        p_ret = np.select(
            [outcome == SUCCESSFUL, outcome == UNSUCCESSFUL],
            [p.return_prob_after_success, p.return_prob_after_dropout],
            p.return_prob_after_other,
        )
        p_ret = np.where(cycler[person], p.cycler_return_prob, p_ret)
        back = (outcome != OPEN) & ~died & (rng.random(len(person)) < p_ret)
        gap_mean = np.where(cycler[person], p.cycler_gap_mean_days, p.return_gap_mean_days)
        gap = 22 + rng.exponential(gap_mean - 22).astype(np.int32)
        nxt = end + gap
        back &= (nxt <= data_end) & (nxt < death)
        idx = np.flatnonzero(back)
        person = person[idx]
        start = nxt[idx].astype(np.int32)
        seq = seq[idx] + 1
        short = short_journey(person)
        cjs = people.offender[person] & (rng.random(len(person)) < p.share_returns_via_cjs)
        # some clients have moved to another area of the same region
        la = parts[-1]["la"][idx].copy()
        moves = np.flatnonzero(rng.random(len(person)) < 0.08)
        for i in moves:
            options = np.flatnonzero(region == region[la[i]])
            la[i] = options[int(rng.random() * len(options))]

    cat = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
    order = np.lexsort((cat["start"], cat["person"]))
    cat = {k: v[order] for k, v in cat.items()}
    same_next = np.r_[cat["person"][1:] == cat["person"][:-1], False]
    next_start = np.where(same_next, np.r_[cat["start"][1:], 0], ALIVE).astype(np.int32)
    j = Journeys(
        person=cat["person"].astype(np.int32),
        seq=cat["seq"],
        start=cat["start"].astype(np.int32),
        end=cat["end"].astype(np.int32),
        outcome=cat["outcome"],
        died=cat["died"],
        cjs_route=cat["cjs"],
        la=cat["la"].astype(np.int32),
        next_start=next_start,
        group=np.zeros(len(order), dtype=np.int8),
        hard_core=np.zeros(len(order), dtype=bool),
        dip=np.zeros(len(order), dtype=bool),
    )
    j.group = study_groups(j)
    # the hard core: offenders entering through the criminal justice route whose offending
    # escalates and who drop out; escalating careers start from all but the highest rates
    offender = people.offender[j.person]
    rates = people.rate[people.offender & (people.group >= 0)]
    limit = np.quantile(rates, p.hard_core_rate_quantile) if len(rates) else 0.0
    modest = people.rate[j.person] < limit
    dropped = j.group == G_DROPPED_OUT
    j.hard_core = (
        offender & j.cjs_route & modest & dropped & (rng.random(len(j)) < p.share_hard_core_dip)
    )
    # which criminal-justice entrants came through DIP (the rest: probation, courts, prison):
    # the whole hard core, and a share of the others
    j.dip = j.cjs_route & (j.hard_core | (rng.random(len(j)) < p.share_dip_cjs))
    return j


def prolific_level(people: People, who: np.ndarray) -> np.ndarray:
    """0 for most clients, 1 above the median offending rate of clients who offend, 1.6 above
    the 75th percentile: the more prolific, the likelier to drop out."""
    rates = people.rate[people.offender & (people.group >= 0)]
    if len(rates) == 0:
        return np.zeros(len(who))
    median, upper = np.quantile(rates, [0.5, 0.75])
    r = people.rate[who]
    return np.where(r > upper, 1.6, np.where(r > median, 1.0, 0.0))


def study_groups(j: Journeys) -> np.ndarray:
    """The reconviction study's outcome group of each journey, 2 years from its start."""
    horizon = j.start + TWO_YEARS
    dur = j.end - j.start
    retained = (j.end >= horizon) | ((j.outcome == OPEN) & (j.end >= horizon))
    completed = (j.outcome == SUCCESSFUL) & (dur >= SIX_MONTHS) & (j.end < horizon)
    returned = j.next_start < horizon
    dropped = (j.outcome == UNSUCCESSFUL) & (j.end < horizon)
    return np.select(
        [retained, completed & ~returned, completed & returned, dropped],
        [G_RETAINED, G_COMPLETED_NOT_RETURNED, G_COMPLETED_RETURNED, G_DROPPED_OUT],
        G_OTHER,
    ).astype(np.int8)
