"""Fit the generator's behaviour parameters to the published figures (run on demand).

    .venv/bin/python bench/calibrate.py --scale 0.2 --iterations 6 --out bench/output/calibration

Each iteration generates synthetic England, runs the calibration check (the
published methods on true identities) and moves each parameter towards its
figure with a damped multiplicative step. The fitted values are printed as
``--param`` overrides and written to ``calibrated.json``; the defaults in
``src/recoverylink/synth/params.py`` were set from such a run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from recoverylink.config import load_config
from recoverylink.synth import generate
from recoverylink.synth.check import FIGURES, measure
from recoverylink.synth.params import make_params

DAMP = 0.7
TARGET = {f.key: f.published for f in FIGURES}


def step(value: float, target: float, measured: float, power: float = DAMP) -> float:
    if not (measured > 0 and target > 0) or math.isnan(measured):
        return value
    return value * (target / measured) ** power


def logit(x: float) -> float:
    return math.log(x / (1 - x))


def update(p: dict, m: dict, scale: float) -> dict:
    q = dict(p)
    # offending multipliers by outcome group (1 + change), and offence-group factors
    for key, param in (
        ("change_retained", "change_retained"),
        ("change_completed_not_returned", "change_completed_not_returned"),
        ("change_dropped_out", "change_dropped_out"),
        ("change_completed", "change_completed_returned"),
    ):
        mult = 1 + p[param]
        q[param] = step(mult, 1 + TARGET[key] / 100, 1 + m[key] / 100) - 1
    for key, param in (
        ("change_theft", "factor_theft"),
        ("change_soliciting", "factor_soliciting"),
        ("change_fraud_forgery", "factor_fraud"),
    ):
        q[param] = step(p[param], 1 + TARGET[key] / 100, 1 + m[key] / 100)
    # the drop-outs' share of convictions after the start: the other outcomes offend less
    t, mm = TARGET["dropout_share_of_after"], m["dropout_share_of_after"]
    odds = ((1 - t) / t) / ((1 - mm) / mm)
    q["change_other"] = (1 + p["change_other"]) * odds**DAMP - 1
    q["share_hard_core_dip"] = min(
        1.0,
        step(
            p["share_hard_core_dip"],
            TARGET["share_dip_sharp_increase"],
            m["share_dip_sharp_increase"],
            1.5,
        ),
    )
    # who offends
    r = (TARGET["ratio_prior_heroin_crack"] / m["ratio_prior_heroin_crack"]) ** 0.5
    s = TARGET["share_with_prior_convictions"] / m["share_with_prior_convictions"]
    q["share_offender_opiate"] = min(0.95, p["share_offender_opiate"] * (s * r) ** DAMP)
    q["share_offender_other"] = min(0.95, p["share_offender_other"] * (s / r) ** DAMP)
    # completions by year: odds of a successful exit
    base = list(p["success_at_exit_by_year"])
    ratios = {
        0: TARGET["completions_2005"] * scale / m["completions_2005"],
        6: TARGET["completions_2009"] * scale / m["completions_2009"],
        7: TARGET["completions_2010"] * scale / m["completions_2010"],
        8: TARGET["completions_2011"] * scale / m["completions_2011"],
    }
    by_index = np.interp(
        range(9), [0, 2, 6, 7, 8], [ratios[0], ratios[0], ratios[6], ratios[7], ratios[8]]
    )
    q["success_at_exit_by_year"] = [
        min(0.95, b * rr**DAMP) for b, rr in zip(base, by_index, strict=True)
    ]
    # the old definition's share in 2007-08 comes from referrals on
    ref = list(p["referred_on_by_year"])
    gap = TARGET["exits_successful_or_transfer_2007"] - m["exits_successful_or_transfer_2007"]
    for i, w in ((3, 0.5), (4, 1.0), (5, 0.5)):
        ref[i] = float(np.clip(ref[i] + DAMP * gap * w, 0.0, 0.6))
    q["referred_on_by_year"] = ref
    # long-term outcomes: offending after leaving, returns and their route
    rest = 1 - m["sustained_recovery"]
    offend_only = rest * (1 - m["rest_returned_directly"] - m["rest_returned_via_cjs"])
    t_rest = 1 - TARGET["sustained_recovery"]
    t_offend_only = t_rest * (
        1 - TARGET["rest_returned_directly"] - TARGET["rest_returned_via_cjs"]
    )
    for param in ("post_exit_factor_other", "post_exit_factor_success"):
        q[param] = step(p[param], t_offend_only, offend_only)
    t_ret = t_rest * (TARGET["rest_returned_directly"] + TARGET["rest_returned_via_cjs"])
    ret = rest * (m["rest_returned_directly"] + m["rest_returned_via_cjs"])
    for param in (
        "return_prob_after_success",
        "return_prob_after_dropout",
        "return_prob_after_other",
    ):
        q[param] = min(0.95, step(p[param], t_ret, ret))
    t_cjs = TARGET["rest_returned_via_cjs"] / (
        TARGET["rest_returned_directly"] + TARGET["rest_returned_via_cjs"]
    )
    cjs = m["rest_returned_via_cjs"] / (m["rest_returned_directly"] + m["rest_returned_via_cjs"])
    q["share_returns_via_cjs"] = min(0.95, step(p["share_returns_via_cjs"], t_cjs, cjs))
    # the named best and worst areas: a successful exit moves an area's completion rate only
    # for clients who leave in the year, so the log-odds move twice the gap in logits
    for param, key in (
        ("best_area_log_odds", "completion_rate_max_2010"),
        ("worst_area_log_odds", "completion_rate_min_2010"),
    ):
        if 0 < m[key] < 1:
            q[param] = p[param] + DAMP * 2 * (logit(TARGET[key]) - logit(m[key]))
    # flows, deaths and the DIP route
    q["drug_poisoning_rate_in_treatment"] = step(
        p["drug_poisoning_rate_in_treatment"],
        TARGET["drug_poisoning_deaths_clients_2008"] * scale,
        m["drug_poisoning_deaths_clients_2008"],
    )
    q["cjs_route_first_journey"] = min(
        0.95,
        step(
            p["cjs_route_first_journey"],
            TARGET["dip_entrants_per_month_2008"] * scale,
            m["dip_entrants_per_month_2008"],
        ),
    )
    return q


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--scale", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--iterations", type=int, default=6)
    ap.add_argument("--out", type=Path, default=Path("bench/output/calibration"))
    args = ap.parse_args()
    keys = [
        "change_retained",
        "change_completed_not_returned",
        "change_dropped_out",
        "change_completed_returned",
        "change_other",
        "factor_theft",
        "factor_soliciting",
        "factor_fraud",
        "share_hard_core_dip",
        "share_offender_opiate",
        "share_offender_other",
        "success_at_exit_by_year",
        "referred_on_by_year",
        "post_exit_factor_other",
        "post_exit_factor_success",
        "return_prob_after_success",
        "return_prob_after_dropout",
        "return_prob_after_other",
        "share_returns_via_cjs",
        "drug_poisoning_rate_in_treatment",
        "cjs_route_first_journey",
        "best_area_log_odds",
        "worst_area_log_odds",
    ]
    defaults = dataclasses.asdict(make_params())
    params = {k: defaults[k] for k in keys}
    args.out.mkdir(parents=True, exist_ok=True)
    for it in range(args.iterations):
        folder = args.out / "data"
        if folder.exists():
            shutil.rmtree(folder)
        t0 = time.time()
        generate(
            folder,
            args.scale,
            args.seed + it,
            params={k: (list(v) if isinstance(v, tuple | list) else v) for k, v in params.items()},
        )
        m = measure(folder, load_config())
        worst = []
        for f in FIGURES:
            pub = f.published * (args.scale if f.scales_with_size else 1)
            worst.append(f"{f.key}={m.get(f.key, float('nan')):.3f}/{pub:.3f}")
        print(f"iteration {it}: {time.time() - t0:.0f}s", *worst, sep="\n  ", flush=True)
        params = update(params, m, args.scale)
        (args.out / "calibrated.json").write_text(json.dumps(params, indent=2) + "\n")
    print(json.dumps(params, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
