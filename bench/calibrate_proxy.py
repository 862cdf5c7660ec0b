"""A fast stand-in for the reconviction figures of the check, for fitting parameters.

    .venv/bin/python bench/calibrate_proxy.py --scale 1 --seeds 2006,7,8,9 \\
        --param hard_core_rate_floor=3.0 --param factor_theft=1.1

Runs only the generator's behaviour model (people, journeys, offending: about
25 s at scale 1, against about 18 minutes to write, load and check a scale-1
England) and computes approximations of the reconviction study's figures from
its internal arrays: journeys starting in 2006-07 (the first per person), the
intended outcome group, proven trigger offences and soliciting by offence
date in the 2 years before and after, DIP entrants as the journeys referred
by DIP or arrest referral. It is not the study (no mart, no "new journey"
rule, no deaths or status filter): its levels differ from the check's by a
point or two, but the change a parameter makes is close to the check's.
Use it to choose parameters, averaged over several seeds, then verify with
``recoverylink synth --check`` at scale 1: the check is the authority.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from recoverylink.synth import mortality, offending
from recoverylink.synth.careers import (
    G_COMPLETED_NOT_RETURNED,
    G_COMPLETED_RETURNED,
    G_DROPPED_OUT,
    G_OTHER,
    G_RETAINED,
    draw_journeys,
)
from recoverylink.synth.dates import day
from recoverylink.synth.geography import build_geography
from recoverylink.synth.params import make_params
from recoverylink.synth.people import make_people

GROUPS = {
    "retained": [G_RETAINED],
    "completed": [G_COMPLETED_NOT_RETURNED, G_COMPLETED_RETURNED],
    "completed_not_returned": [G_COMPLETED_NOT_RETURNED],
    "dropped_out": [G_DROPPED_OUT],
    "other": [G_OTHER],
}
OFFENCES = ("theft", "fraud_forgery", "soliciting")


def _change(after: np.ndarray, before: np.ndarray) -> float:
    return round(100.0 * (after.sum() / before.sum() - 1.0), 1)


def _window_counts(
    person: np.ndarray, when: np.ndarray, who: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Events of each ``who`` in the 730 days before and from ``start``."""
    order = np.lexsort((when, person))
    key = person[order].astype(np.int64) * 100_000 + when[order]
    base = who.astype(np.int64) * 100_000 + start

    def count(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        return np.searchsorted(key, base + hi) - np.searchsorted(key, base + lo)

    zero, span = np.zeros_like(start), np.full_like(start, 730)
    return count(-span, zero), count(zero, span)


def figures(scale: float, seed: int, overrides: dict[str, object]) -> dict[str, float]:
    p = make_params(overrides)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(12)]
    geo = build_geography(scale, p.population_per_provider)
    people = make_people(streams[0], p, scale, geo)
    deaths = mortality.draw_deaths(streams[1], people, p)
    j = draw_journeys(streams[2], people, deaths, geo, p)
    ev = offending.draw_events(streams[8], people, j, deaths, p)

    in_year = np.flatnonzero((j.start >= day("2006-04-01")) & (j.start <= day("2007-03-31")))
    _, first = np.unique(j.person[in_year], return_index=True)
    idx = in_year[first]
    who, start = j.person[idx].astype(np.int64), j.start[idx].astype(np.int64)
    counted = ev.proven & ev.trigger
    before, after = _window_counts(ev.person[counted], ev.day[counted], who, start)
    offenders = before > 0
    out: dict[str, float] = {"cohort": float(len(idx))}
    for name, groups in GROUPS.items():
        m = offenders & np.isin(j.group[idx], groups)
        out[f"change_{name}"] = _change(after[m], before[m])
    dip = offenders & j.dip[idx]
    out["share_dip_sharp_increase"] = round(100.0 * (after[dip] >= 2 * before[dip]).mean(), 1)
    dropped = offenders & (j.group[idx] == G_DROPPED_OUT)
    out["dropout_share_of_after"] = round(100.0 * after[dropped].sum() / after[offenders].sum(), 1)
    for offence in OFFENCES:
        k = counted & (ev.group == offence)
        b, a = _window_counts(ev.person[k], ev.day[k], who, start)
        out[f"change_{offence}"] = _change(a[offenders], b[offenders])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seeds", default="2006")
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args()
    overrides = dict(item.split("=", 1) for item in args.param)
    runs = []
    for seed in (int(s) for s in args.seeds.split(",")):
        clock = time.perf_counter()
        runs.append(figures(args.scale, seed, dict(overrides)))
        print(json.dumps({"seed": seed, **runs[-1],
                          "seconds": round(time.perf_counter() - clock)}), flush=True)
    if len(runs) > 1:
        mean = {k: round(float(np.mean([r[k] for r in runs])), 2) for k in runs[0]}
        print(json.dumps({"seed": "mean", **mean}))


if __name__ == "__main__":
    main()
