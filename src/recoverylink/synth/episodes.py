"""Episodes: what each provider records of a journey.

A journey becomes one episode at a provider in the client's area, or two when
the client transfers to another provider within 21 days, plus now and then a
concurrent episode at a second provider (the same client counted twice). The
provider's record carries the client's attributors as the provider typed them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recoverylink.synth import names, recording
from recoverylink.synth.careers import OPEN, OTHER, SUCCESSFUL, TRANSFER, UNSUCCESSFUL, Journeys
from recoverylink.synth.dates import fy_start
from recoverylink.synth.geography import Geography, random_district
from recoverylink.synth.params import SynthParams
from recoverylink.synth.people import GROUP_ALCOHOL, GROUP_NON_OPIATE, GROUP_OPIATE, People


@dataclass
class Episodes:
    """Internal episode table (one row per episode, in journey order)."""

    frame: pd.DataFrame  # the columns below
    # person, journey, provider (index), triage, end, discharged, reason, consent,
    # client_key, wait_first_intervention


PERSON_SPAN = 1_000_000_000  # above any person id, to pack (provider, person) in one int64
DIP_SOURCES = np.array(["arrest_referral", "dip"], dtype=object)
DIP_WEIGHTS = np.array([0.40, 0.42])
CJS_SOURCES = np.array(["probation", "court_order", "prison"], dtype=object)
CJS_WEIGHTS = np.array([0.10, 0.05, 0.03])
OTHER_SOURCES = np.array(["self", "gp", "hospital", "social_services", "other"], dtype=object)
OTHER_WEIGHTS = np.array([0.47, 0.28, 0.06, 0.05, 0.14])


def _choice(
    rng: np.random.Generator, values: np.ndarray, weights: np.ndarray, n: int
) -> np.ndarray:
    cum = np.cumsum(weights / weights.sum())
    cum[-1] = 1.0
    return values[np.searchsorted(cum, rng.random(n), side="right")]


def _providers_in(geo: Geography) -> tuple[np.ndarray, np.ndarray]:
    prov_la = geo.providers["la_index"].to_numpy()
    order = np.argsort(prov_la, kind="stable")
    starts = np.searchsorted(prov_la[order], np.arange(len(geo.las)))
    counts = np.bincount(prov_la, minlength=len(geo.las))
    return starts, counts


def _pick_provider(
    rng: np.random.Generator, geo: Geography, la: np.ndarray, avoid: np.ndarray | None = None
) -> np.ndarray:
    starts, counts = _providers_in(geo)
    prov_la = geo.providers["la_index"].to_numpy()
    order = np.argsort(prov_la, kind="stable")
    k = (rng.random(len(la)) * counts[la]).astype(int)
    chosen = order[starts[la] + k]
    if avoid is not None:
        clash = (chosen == avoid) & (counts[la] > 1)
        chosen[clash] = order[starts[la[clash]] + (k[clash] + 1) % counts[la[clash]]]
        # a single-provider area: transfer to a provider elsewhere in the region
        alone = chosen == avoid
        if alone.any():
            region = geo.las["region_code"].to_numpy()
            for i in np.flatnonzero(alone):
                options = np.flatnonzero(
                    (region[prov_la] == region[la[i]]) & (np.arange(len(prov_la)) != avoid[i])
                )
                if len(options):
                    chosen[i] = options[int(rng.random() * len(options))]
    return chosen.astype(np.int32)


def build_episodes(
    rng: np.random.Generator, j: Journeys, people: People, geo: Geography, p: SynthParams
) -> pd.DataFrame:
    data_end = fy_start(p.last_fy + 1) - 1
    n = len(j)
    jid = np.arange(n)
    dur = j.end - j.start
    main_provider = _pick_provider(rng, geo, j.la)
    # transfers: split the journey between two providers with a gap of at most 21 days
    transfer = (rng.random(n) < p.share_journey_with_transfer) & (dur > 60)
    split = j.start + (dur * rng.uniform(0.2, 0.8, n)).astype(np.int32)
    gap = rng.integers(0, 22, n)
    transfer &= (split + gap < j.end) & (split <= data_end)
    second_provider = _pick_provider(rng, geo, j.la, avoid=main_provider)
    transfer &= second_provider != main_provider
    # concurrent: a second provider sees the client for part of the journey
    conc = (rng.random(n) < p.share_concurrent_second_provider) & (dur > 90) & ~transfer
    conc &= second_provider != main_provider
    c_start = j.start + rng.integers(0, 30, n)
    c_end = c_start + ((j.end - c_start - 1) * rng.uniform(0.2, 0.9, n)).astype(np.int32)

    rows = {
        "journey": np.concatenate([jid, jid[transfer], jid[conc]]),
        "provider": np.concatenate(
            [main_provider, second_provider[transfer], second_provider[conc]]
        ),
        "triage": np.concatenate([j.start, (split + gap)[transfer], c_start[conc]]),
        "end": np.concatenate([np.where(transfer, split, j.end), j.end[transfer], c_end[conc]]),
        "role": np.concatenate(
            [np.where(transfer, 1, 0), np.full(int(transfer.sum()), 2), np.full(int(conc.sum()), 3)]
        ),
    }
    ep = pd.DataFrame(rows)
    ep["person"] = j.person[ep["journey"]]
    ep["la"] = j.la[ep["journey"]]
    ep["outcome"] = j.outcome[ep["journey"]]
    ep["died"] = j.died[ep["journey"]]
    ep["cjs"] = j.cjs_route[ep["journey"]]
    ep["dip"] = j.dip[ep["journey"]]
    ep["seq"] = j.seq[ep["journey"]]
    ep = ep.sort_values(["person", "triage", "role"], kind="stable").reset_index(drop=True)
    m = len(ep)
    ep["discharged"] = ep["end"] <= data_end
    ep["reason"] = _reasons(rng, ep, people)
    # waits: referral -> first intervention, triage in between
    long_wait = rng.random(m) < p.share_wait_over_3_weeks
    wait = np.where(long_wait, 21 + rng.exponential(25, m), rng.integers(0, 21, m)).astype(np.int32)
    triage_wait = (wait * rng.uniform(0.0, 0.6, m)).astype(np.int32)
    ep["referral"] = ep["triage"] - triage_wait
    ep["first_intervention"] = np.minimum(ep["referral"] + wait, ep["end"])
    ep["consent"] = ~(people.never_consents[ep["person"]] | (rng.random(m) < 0.01))
    return ep


def _reasons(rng: np.random.Generator, ep: pd.DataFrame, people: People) -> np.ndarray:
    m = len(ep)
    out = np.full(m, "", dtype=object)
    role = ep["role"].to_numpy()
    outcome = ep["outcome"].to_numpy()
    grp = people.group[ep["person"].to_numpy()]
    crack = people.crack[ep["person"].to_numpy()]
    last = (role == 0) | (role == 2)
    out[(role == 1) | (role == 3)] = "transferred_not_in_custody"
    succ = last & (outcome == SUCCESSFUL)
    occasional = (grp == GROUP_NON_OPIATE) & ~crack & (rng.random(m) < 0.2)
    out[succ] = np.where(
        grp[succ] == GROUP_ALCOHOL,
        "completed_alcohol_free",
        np.where(occasional[succ], "completed_occasional_user", "completed_drug_free"),
    )
    uns = last & (outcome == UNSUCCESSFUL)
    out[uns] = _choice(
        rng,
        np.array(
            ["dropped_out", "withdrawn_by_provider", "retained_in_custody", "declined_treatment"],
            dtype=object,
        ),
        np.array([0.72, 0.10, 0.12, 0.06]),
        int(uns.sum()),
    )
    out[last & (outcome == TRANSFER)] = "transferred_not_in_custody"
    oth = last & (outcome == OTHER)
    out[oth] = _choice(
        rng,
        np.array(["transferred_in_custody", "moved_away"], dtype=object),
        np.array([0.4, 0.6]),
        int(oth.sum()),
    )
    out[last & ep["died"].to_numpy() & (outcome == OTHER)] = "died"
    out[last & (outcome == OPEN)] = ""
    out[~ep["discharged"].to_numpy()] = ""
    return out


def episode_content(
    rng: np.random.Generator, ep: pd.DataFrame, people: People, p: SynthParams
) -> pd.DataFrame:
    """The clinical and social columns of each episode (before the identity columns)."""
    m = len(ep)
    person = ep["person"].to_numpy()
    grp = people.group[person]
    out = pd.DataFrame(index=ep.index)
    cjs = ep["cjs"].to_numpy()
    src = np.where(
        ep["dip"].to_numpy(),
        _choice(rng, DIP_SOURCES, DIP_WEIGHTS, m),
        np.where(
            cjs,
            _choice(rng, CJS_SOURCES, CJS_WEIGHTS, m),
            _choice(rng, OTHER_SOURCES, OTHER_WEIGHTS, m),
        ),
    )
    out["referral_source"] = src
    s1 = np.full(m, "", dtype=object)
    s2 = np.full(m, "", dtype=object)
    s3 = np.full(m, "", dtype=object)
    op = grp == GROUP_OPIATE
    s1[op] = _choice(
        rng,
        np.array(["heroin", "other_opiate", "methadone"], dtype=object),
        np.array([0.88, 0.07, 0.05]),
        int(op.sum()),
    )
    non = grp == GROUP_NON_OPIATE
    crack = people.crack[person]
    non_drugs = np.array(
        ["cocaine", "crack", "cannabis", "amphetamine", "benzodiazepine", "other"], dtype=object
    )
    s1[non] = _choice(
        rng, non_drugs, np.array([0.26, 0.16, 0.32, 0.15, 0.05, 0.06]), int(non.sum())
    )
    alc = grp == GROUP_ALCOHOL
    s1[alc] = "alcohol"
    s2[op & crack] = "crack"
    sec_alcohol = non & (rng.random(m) < p.share_secondary_alcohol)
    s2[sec_alcohol] = "alcohol"
    extra = (s2 == "") & (rng.random(m) < 0.3) & ~alc
    s2[extra] = _choice(
        rng,
        np.array(["cannabis", "benzodiazepine", "alcohol"], dtype=object),
        np.array([0.5, 0.3, 0.2]),
        int(extra.sum()),
    )
    s2[s2 == s1] = ""
    third = (s2 != "") & (rng.random(m) < 0.15)
    s3[third] = "cannabis"
    s3[(s3 == s1) | (s3 == s2)] = ""
    out["substance_1"], out["substance_2"], out["substance_3"] = s1, s2, s3
    inj = people.injects[person]
    statuses = np.array(["never", "previously", "declined"], dtype=object)
    out["injecting_status"] = np.where(
        inj,
        np.where(rng.random(m) < 0.6, "currently", "previously"),
        np.where(
            op,
            _choice(rng, statuses, np.array([0.70, 0.25, 0.05]), m),
            _choice(rng, statuses, np.array([0.90, 0.08, 0.02]), m),
        ),
    )
    u = rng.random(m)
    out["accommodation"] = np.where(
        u < p.share_no_fixed_abode,
        "no_fixed_abode",
        np.where(
            u < p.share_no_fixed_abode + p.share_housing_problem, "housing_problem", "settled"
        ),
    )
    out["employment"] = _choice(
        rng,
        np.array(
            ["unemployed", "economically_inactive", "employed", "student", "not_stated"],
            dtype=object,
        ),
        np.array([0.50, 0.25, 0.15, 0.02, 0.08]),
        m,
    )
    # parental status belongs to the person, not the episode
    pu = _person_uniform(person, 7)
    par = p.share_parental_responsibility
    out["parental_status"] = np.where(
        pu < par * 0.42,
        "lives_with_children",
        np.where(pu < par, "children_elsewhere", np.where(pu < 0.93, "no_children", "not_stated")),
    )
    out["previously_treated"] = np.where(
        (ep["seq"].to_numpy() > 0) | people.prior_treatment[person], "y", "n"
    )
    eu = _person_uniform(person, 11)
    out["ethnicity"] = np.select(
        [eu < 0.82, eu < 0.86, eu < 0.89, eu < 0.92, eu < 0.95, eu < 0.97],
        [
            "white_british",
            "white_other",
            "mixed_white_and_black_caribbean",
            "asian_pakistani",
            "black_caribbean",
            "not_stated",
        ],
        "white_irish",
    )
    return out


def _person_uniform(person: np.ndarray, salt: int) -> np.ndarray:
    """A fixed uniform number per person (same in every episode), without extra state."""
    x = (person.astype(np.uint64) + np.uint64(salt)) * np.uint64(0x9E3779B97F4A7C15)
    x ^= x >> np.uint64(31)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(29)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def identity_columns(
    rng: np.random.Generator, ep: pd.DataFrame, people: People, geo: Geography, p: SynthParams
) -> pd.DataFrame:
    """Attributors as each provider recorded them, with errors fixed per client record."""
    person = ep["person"].to_numpy()
    # a client record per provider and person; a few people are registered twice
    key = ep["provider"].to_numpy().astype(np.int64) * PERSON_SPAN + person
    # only a later episode at the same provider can be registered anew (about a third of
    # episodes), so the rate among those is three times the share of all episodes
    dup = (ep.groupby(key).cumcount().to_numpy() > 0) & (
        rng.random(len(ep)) < p.share_duplicate_client_ref * 3
    )  # a later episode registered under a second client ref
    client = pd.Series(key * 2 + dup.astype(np.int64))
    codes, uniq = pd.factorize(client, sort=True)
    nclients = len(uniq)
    cp = (uniq.to_numpy() // 2) % PERSON_SPAN
    male = people.male[cp]
    true_first = np.empty(nclients, dtype=object)
    for sex, mask in (("male", male), ("female", ~male)):
        true_first[mask] = names.forenames(sex).names[people.forename[cp[mask]]]
    nick = people.nickname[cp]
    use_nick = people.uses_nickname[cp] & (nick != "")
    first_name = np.where(use_nick, nick, true_first)
    first_initial = np.array([s[0] for s in first_name], dtype=object)
    sur_pool = names.surnames().names
    first_day = ep.groupby(codes)["triage"].min().to_numpy()
    changed = (people.new_surname[cp] >= 0) & (people.surname_change_day[cp] <= first_day)
    sur = np.where(
        changed, sur_pool[np.maximum(people.new_surname[cp], 0)], sur_pool[people.surname[cp]]
    )
    last_initial = np.array([s[0] for s in sur], dtype=object)
    first_initial = recording.garble_initial(rng, first_initial, p.initial_wrong, p.initial_missing)
    last_initial = recording.garble_initial(rng, last_initial, p.initial_wrong, p.initial_missing)
    dob = recording.garble_dob(
        rng, people.dob[cp], p.dob_digit_slip, p.dob_day_month_swap, p.dob_first_january
    )
    sex_code = np.where(male, "male", "female").astype(object)
    sex_code[rng.random(nclients) < 0.01] = "not_stated"
    out = pd.DataFrame(index=ep.index)
    out["client"] = codes
    out["first_initial"] = first_initial[codes]
    out["last_initial"] = last_initial[codes]
    out["dob"] = dob[codes]
    out["sex"] = sex_code[codes]
    la = ep["la"].to_numpy()
    district = np.where(
        la == people.la[person], people.district[person], random_district(rng, geo, la)
    )
    out["postcode_district"] = geo.district_code[district]
    return out
