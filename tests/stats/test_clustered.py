"""recoverylink.stats.clustered: ratios of summed counts with person-clustered intervals.

Each figure is checked against an independent route to it: statsmodels' GLM
with cluster-robust covariances for the rate ratio, and hand-worked sums for
the shares and ratios.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm

from recoverylink.stats.clustered import (
    Z,
    percent,
    placebo_adjusted,
    rate_ratio,
    ratio_of_proportions,
    ratio_of_rate_ratios,
    share_of_sum,
)


def test_rate_ratio_is_the_clustered_poisson_model() -> None:
    rng = np.random.default_rng(7)
    g = 30
    before, after = rng.poisson(2.0, g), rng.poisson(1.2, g)
    y = np.concatenate([before, after])
    x = sm.add_constant(np.concatenate([np.zeros(g), np.ones(g)]))
    groups = np.concatenate([np.arange(g), np.arange(g)])
    fit = sm.GLM(y, x, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False})
    ours = rate_ratio(after, before)
    assert ours.value == pytest.approx(math.exp(fit.params[1]))
    se = math.sqrt(fit.cov_params()[1, 1] * g / (g - 1))
    assert ours.lower == pytest.approx(math.exp(fit.params[1] - Z * se))
    assert ours.upper == pytest.approx(math.exp(fit.params[1] + Z * se))


def test_rate_ratio_by_hand_and_its_edges() -> None:
    # two people: after 1 + 3 = 4, before 2 + 2 = 4 -> ratio 1;
    # influences a/A - b/B: 1/4 - 2/4 = -1/4 and 3/4 - 2/4 = 1/4;
    # var = 2/1 * (1/16 + 1/16) = 1/4, se 1/2
    r = rate_ratio([1, 3], [2, 2])
    assert r.value == pytest.approx(1.0)
    assert r.lower == pytest.approx(math.exp(-Z / 2))
    assert r.upper == pytest.approx(math.exp(Z / 2))
    assert r.change()[0] == pytest.approx(0.0)
    # nothing after: no ratio; one person with all the convictions: no interval
    assert math.isnan(rate_ratio([0, 0], [1, 2]).value)
    lone = rate_ratio([3, 0], [1, 0])
    assert lone.value == pytest.approx(3.0) and math.isnan(lone.lower)


def test_ratio_of_rate_ratios_adds_the_log_variances() -> None:
    group, ref = rate_ratio([1, 3], [2, 2]), rate_ratio([1, 1], [2, 2])
    both = ratio_of_rate_ratios([1, 3], [2, 2], [1, 1], [2, 2])
    assert both.value == pytest.approx(group.value / ref.value)  # 1 / 0.5 = 2
    assert both.value == pytest.approx(2.0)
    # the reference's influences: 1/2 - 1/2 = 0 each, so its variance is 0
    assert both.lower == pytest.approx(2.0 * math.exp(-Z / 2))


def test_placebo_adjusted_is_actual_over_pre_period() -> None:
    everyone = [True, True]
    actual, placebo, adjusted = placebo_adjusted(everyone, [1, 3], [2, 2], everyone, [4, 4])
    assert actual.value == pytest.approx(1.0)  # 4 / 4
    assert placebo.value == pytest.approx(0.5)  # before 4 / early 8
    assert adjusted.value == pytest.approx(2.0)


def test_shares_and_proportions_by_hand() -> None:
    # 6 of 10 convictions in the group; influences v (g - s) / V:
    # 2 * 0.4 / 10 = 0.08, 4 * 0.4 / 10 = 0.16, 4 * -0.6 / 10 = -0.24
    share, lower, upper = share_of_sum([2, 4, 4], [1, 1, 0])
    assert share == pytest.approx(60.0)
    # se = sqrt(3/2 * (0.08^2 + 0.16^2 + 0.24^2)) = 0.367: 0.6 -/+ 0.72 is cut to 0..1
    assert (lower, upper) == (0.0, 100.0)
    # ten times the people (each of the three repeated): se shrinks by about sqrt(10)
    share, lower, upper = share_of_sum([2, 4, 4] * 10, [1, 1, 0] * 10)
    se = math.sqrt(30 / 29 * 10 * (0.008**2 + 0.016**2 + 0.024**2))
    assert share == pytest.approx(60.0)
    assert (lower, upper) == pytest.approx((100 * (0.6 - Z * se), 100 * (0.6 + Z * se)))
    assert percent(1, 4)[0] == pytest.approx(25.0)
    assert all(math.isnan(v) for v in percent(0, 0))
    ratio = ratio_of_proportions(20, 50, 10, 50)  # 0.4 / 0.2
    assert ratio.value == pytest.approx(2.0)
    se_katz = math.sqrt(0.6 / 20 + 0.8 / 10)
    assert ratio.lower == pytest.approx(2.0 * math.exp(-Z * se_katz))
