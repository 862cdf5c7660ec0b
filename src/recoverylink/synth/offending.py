"""Offending: arrests, proven offences (convictions and cautions) and drug tests on arrest.

Each offender offends as a Poisson process whose rate changes with treatment.
Before their first treatment start a client offends at their own rate; from a
journey start the rate is multiplied by a factor that depends on how that
journey goes (the reconviction study's outcome groups), and after a successful
exit it falls further. A minority who enter through the criminal justice route
(the "hard core") offend more after starting. Clients who come back through the
criminal justice system are arrested shortly before they start. Offenders who
are never in treatment offend during a career window at their own rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recoverylink.spec import reference
from recoverylink.synth.careers import (
    G_COMPLETED_NOT_RETURNED,
    G_COMPLETED_RETURNED,
    G_DROPPED_OUT,
    G_OTHER,
    G_RETAINED,
    SUCCESSFUL,
    TWO_YEARS,
    Journeys,
)
from recoverylink.synth.dates import day
from recoverylink.synth.mortality import Deaths
from recoverylink.synth.params import SynthParams
from recoverylink.synth.people import GROUP_NONE, GROUP_OPIATE, People

TRIGGER_GROUPS = np.array(
    [
        "theft",
        "burglary",
        "robbery",
        "fraud_forgery",
        "drug_possession",
        "drug_supply",
        "soliciting",
    ],
    dtype=object,
)
# typical mix of proven trigger offences (plus soliciting) of drug-using offenders
TRIGGER_MIX = np.array([0.58, 0.12, 0.04, 0.08, 0.12, 0.06, 0.0])
SOLICITING_MIX = np.array([0.30, 0.04, 0.01, 0.05, 0.08, 0.02, 0.50])
PNC_ONLY_TRIGGER_MIX = np.array([0.50, 0.18, 0.06, 0.10, 0.10, 0.06, 0.0])
OTHER_GROUPS = np.array(
    ["violence", "criminal_damage", "public_order", "other", "drug_possession"], dtype=object
)
OTHER_MIX = np.array([0.35, 0.20, 0.25, 0.12, 0.08])
NON_TRIGGER_RATIO = 0.6  # non-trigger proven offences per trigger offence, drug-using offenders

PHASE_NEVER, PHASE_PRE, PHASE_IN, PHASE_AFTER_SUCCESS, PHASE_AFTER_OTHER = range(5)


@dataclass
class Events:
    """Arrests of offenders; ``proven`` ones are on the PNC as disposals."""

    person: np.ndarray
    day: np.ndarray
    group: np.ndarray  # offence group (object)
    trigger: np.ndarray
    proven: np.ndarray
    tested: np.ndarray
    phase: np.ndarray


def journey_multipliers(j: Journeys, people: People, p: SynthParams) -> np.ndarray:
    """The offending rate factor from a journey's start, by its intended outcome group.

    The hard core's rate is multiplied by ``hard_core_multiplier`` and lifted to
    at least ``hard_core_rate_floor`` a year: those who offended least before
    escalate the most.
    """
    change = np.select(
        [
            j.group == G_RETAINED,
            j.group == G_COMPLETED_NOT_RETURNED,
            j.group == G_COMPLETED_RETURNED,
            j.group == G_DROPPED_OUT,
            j.group == G_OTHER,
        ],
        [
            p.change_retained,
            p.change_completed_not_returned,
            p.change_completed_returned,
            p.change_dropped_out,
            p.change_other,
        ],
    )
    m = 1.0 + change
    rate = np.maximum(people.rate[j.person], 1e-9)
    hard = np.maximum(p.hard_core_multiplier, p.hard_core_rate_floor / rate)
    return np.where(j.hard_core, hard, m)


def _segments(people: People, j: Journeys, deaths: Deaths, p: SynthParams) -> dict[str, np.ndarray]:
    """Piecewise-constant offending periods of treatment clients who offend."""
    hist0, hist1 = day(p.offending_from), day(p.pnc_extract_date)
    keep = people.offender[j.person]
    person = j.person[keep]
    start, end, nxt = j.start[keep], j.end[keep], j.next_start[keep]
    m = journey_multipliers(j, people, p)[keep]
    success = j.outcome[keep] == SUCCESSFUL
    first = np.r_[True, person[1:] != person[:-1]]
    window = np.minimum(start + TWO_YEARS, nxt)  # the reconviction study's 2 years after a start
    after = np.where(success, PHASE_AFTER_SUCCESS, PHASE_AFTER_OTHER)
    post = np.where(success, p.post_exit_factor_success, p.post_exit_factor_other)
    late = np.maximum(end, window)
    seg = [
        # before the first journey
        (
            person[first],
            np.full(int(first.sum()), hist0),
            start[first],
            np.ones(int(first.sum())),
            np.full(int(first.sum()), PHASE_PRE),
        ),
        # in treatment, until the next journey starts
        (person, start, np.minimum(end, nxt), m, np.full(len(person), PHASE_IN)),
        # out of treatment within the 2 years from the start: the journey's rate holds
        (person, end, window, m, after),
        # out of treatment afterwards: a lasting change, until the next journey starts
        (person, late, np.minimum(nxt, hist1), m * post, after),
    ]
    out = {
        "person": np.concatenate([s[0] for s in seg]).astype(np.int64),
        "t0": np.concatenate([s[1] for s in seg]).astype(np.int64),
        "t1": np.concatenate([s[2] for s in seg]).astype(np.int64),
        "mult": np.concatenate([s[3] for s in seg]),
        "phase": np.concatenate([s[4] for s in seg]),
    }
    death = deaths.day[out["person"]].astype(np.int64)
    out["t0"] = np.clip(out["t0"], hist0, hist1)
    out["t1"] = np.clip(np.minimum(out["t1"], death), hist0, hist1)
    return out


def _poisson_events(
    rng: np.random.Generator, person: np.ndarray, t0: np.ndarray, t1: np.ndarray, rate: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    span = np.maximum(t1 - t0, 0)
    counts = rng.poisson(rate * span / 365.25)
    seg = np.repeat(np.arange(len(person)), counts)
    when = t0[seg] + (rng.random(len(seg)) * span[seg]).astype(np.int64)
    return person[seg], when, seg


def _draw_groups(
    rng: np.random.Generator, mixes: np.ndarray, which: np.ndarray, labels: np.ndarray
) -> np.ndarray:
    cum = np.cumsum(mixes / mixes.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(which))
    k = (u[:, None] > cum[which]).sum(axis=1)
    return labels[np.minimum(k, len(labels) - 1)]


def draw_events(
    rng: np.random.Generator, people: People, j: Journeys, deaths: Deaths, p: SynthParams
) -> Events:
    factors = np.ones(len(TRIGGER_GROUPS))
    factors[TRIGGER_GROUPS == "theft"] = p.factor_theft
    factors[TRIGGER_GROUPS == "soliciting"] = p.factor_soliciting
    factors[TRIGGER_GROUPS == "fraud_forgery"] = p.factor_fraud
    u_arrest = p.unproven_arrest_rate_factor
    parts = []

    # --- treatment clients ---------------------------------------------------
    seg = _segments(people, j, deaths, p)
    post = seg["phase"] != PHASE_PRE
    sol = people.soliciting[seg["person"]]
    base_mix = np.where(sol[:, None], SOLICITING_MIX, TRIGGER_MIX)
    total_factor = np.where(post, (base_mix * factors).sum(axis=1), 1.0)
    rate = people.rate[seg["person"]] * seg["mult"] * total_factor * (1 + u_arrest)
    who, when, s = _poisson_events(rng, seg["person"], seg["t0"], seg["t1"], rate)
    mixes = np.vstack(
        [TRIGGER_MIX, SOLICITING_MIX, TRIGGER_MIX * factors, SOLICITING_MIX * factors]
    )
    which = people.soliciting[who].astype(int) + 2 * post[s].astype(int)
    parts.append(
        (who, when, _draw_groups(rng, mixes, which, TRIGGER_GROUPS), True, seg["phase"][s])
    )
    # non-trigger offending alongside
    rate_nt = people.rate[seg["person"]] * seg["mult"] * NON_TRIGGER_RATIO
    who, when, s = _poisson_events(rng, seg["person"], seg["t0"], seg["t1"], rate_nt)
    parts.append(
        (
            who,
            when,
            _draw_groups(rng, OTHER_MIX[None, :], np.zeros(len(who), int), OTHER_GROUPS),
            False,
            seg["phase"][s],
        )
    )
    # the arrest that brings a client in through the criminal justice route
    cj = j.cjs_route & people.offender[j.person]
    who = j.person[cj].astype(np.int64)
    when = (j.start[cj] - rng.integers(1, 46, int(cj.sum()))).astype(np.int64)
    entry_part = len(parts)
    parts.append(
        (
            who,
            when,
            _draw_groups(rng, TRIGGER_MIX[None, :], np.zeros(len(who), int), TRIGGER_GROUPS),
            True,
            np.full(len(who), PHASE_PRE),
        )
    )

    # --- offenders never in treatment ---------------------------------------
    never = np.flatnonzero(people.group == GROUP_NONE)
    t0 = people.career_start[never].astype(np.int64)
    t1 = np.minimum(people.career_end[never], deaths.day[never]).astype(np.int64)
    share = p.pnc_only_share_trigger
    rate_t = people.rate[never] * share * (1 + u_arrest)
    who, when, _ = _poisson_events(rng, never.astype(np.int64), t0, t1, rate_t)
    parts.append(
        (
            who,
            when,
            _draw_groups(
                rng, PNC_ONLY_TRIGGER_MIX[None, :], np.zeros(len(who), int), TRIGGER_GROUPS
            ),
            True,
            np.full(len(who), PHASE_NEVER),
        )
    )
    who, when, _ = _poisson_events(
        rng, never.astype(np.int64), t0, t1, people.rate[never] * (1 - share)
    )
    parts.append(
        (
            who,
            when,
            _draw_groups(rng, OTHER_MIX[None, :], np.zeros(len(who), int), OTHER_GROUPS),
            False,
            np.full(len(who), PHASE_NEVER),
        )
    )

    person = np.concatenate([x[0] for x in parts])
    when = np.concatenate([x[1] for x in parts])
    group = np.concatenate([x[2] for x in parts])
    trig = np.concatenate([np.full(len(x[0]), x[3]) for x in parts])
    phase = np.concatenate([x[4] for x in parts])
    entry = np.concatenate([np.full(len(x[0]), i == entry_part) for i, x in enumerate(parts)])
    alive = when < deaths.day[person]
    in_history = (when >= day(p.offending_from)) & (when <= day(p.pnc_extract_date))
    keep = alive & in_history
    person, when, group, trig, phase, entry = (
        person[keep],
        when[keep],
        group[keep],
        trig[keep],
        phase[keep],
        entry[keep],
    )
    # a share of trigger arrests come to nothing; the rest are proven (convicted or cautioned)
    proven = np.where(trig, rng.random(len(person)) < 1.0 / (1 + u_arrest), True)
    tested = trig & (when >= day(p.drug_tests_from)) & (when <= day(p.drug_tests_to))
    test_prob = np.where(entry, p.test_prob_cjs_entry_arrest, p.test_prob_trigger_arrest)
    tested &= rng.random(len(person)) < test_prob
    order = np.lexsort((when, person))
    return Events(
        person=person[order].astype(np.int32),
        day=when[order].astype(np.int32),
        group=group[order],
        trigger=trig[order],
        proven=proven[order],
        tested=tested[order],
        phase=phase[order].astype(np.int8),
    )


def offence_codes_by_group() -> dict[tuple[str, bool], np.ndarray]:
    """Offence codes for each (offence group, is trigger offence)."""
    oc = reference.offence_codes()
    out: dict[tuple[str, bool], np.ndarray] = {}
    for (grp, trig), sub in oc.groupby(["offence_group", "is_trigger_offence"]):
        out[(str(grp), trig == "y")] = sub["offence_code"].to_numpy(dtype=object)
    return out


def assign_offence_codes(rng: np.random.Generator, ev: Events) -> np.ndarray:
    table = offence_codes_by_group()
    codes = np.empty(len(ev.person), dtype=object)
    u = rng.random(len(codes))
    for grp in np.unique(ev.group):
        for trig in (True, False):
            sel = (ev.group == grp) & (ev.trigger == trig)
            if not sel.any():
                continue
            pool = table.get((str(grp), trig))
            if pool is None:
                # soliciting is not a trigger offence but is counted with them
                pool = table.get((str(grp), not trig))
            assert pool is not None, f"no offence code for {grp}"
            codes[sel] = pool[(u[sel] * len(pool)).astype(int)]
    return codes


def test_results(
    rng: np.random.Generator, people: People, ev: Events
) -> tuple[np.ndarray, np.ndarray]:
    """Opiate and cocaine results of each tested arrest."""
    person = ev.person
    op = people.group[person] == GROUP_OPIATE
    crack = people.crack[person]
    p_op = np.select(
        [
            ev.phase == PHASE_PRE,
            ev.phase == PHASE_IN,
            ev.phase == PHASE_AFTER_SUCCESS,
            ev.phase == PHASE_AFTER_OTHER,
        ],
        [0.88, 0.55, 0.30, 0.78],
        0.10,
    )
    p_op = np.where(op, p_op, np.where(ev.phase == PHASE_NEVER, 0.10, 0.04))
    p_coc = np.where(crack, 0.75, np.where(ev.phase == PHASE_NEVER, 0.20, 0.35))
    p_coc = np.where(ev.phase == PHASE_AFTER_SUCCESS, p_coc * 0.4, p_coc)
    n = len(person)
    return rng.random(n) < p_op, rng.random(n) < p_coc
