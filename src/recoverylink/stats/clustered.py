"""Ratios of summed counts with person-clustered intervals (convictions before and after).

Each person contributes a count in two windows (or in a group and out of it);
the figures are ratios of sums over people, and their 95% intervals treat
each person as a cluster (sandwich / influence-function variances with the
G / (G - 1) small-sample factor), so that one prolific person cannot make an
interval look narrower than the data allow. Used by the reconviction study.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from recoverylink.stats.proportions import wilson_lower, wilson_upper

Z = 1.959963984540054
"""The two-sided 95% normal quantile."""


@dataclass(frozen=True)
class Ratio:
    """A ratio (of sums, of rate ratios, ...) with its 95% interval."""

    value: float
    lower: float
    upper: float

    def change(self) -> tuple[float, float, float]:
        """As a percentage change: (ratio - 1) x 100."""
        return (100.0 * (self.value - 1.0), 100.0 * (self.lower - 1.0),
                100.0 * (self.upper - 1.0))


NAN_RATIO = Ratio(math.nan, math.nan, math.nan)


def _from_log(log_value: float, variance: float) -> Ratio:
    if math.isnan(variance):
        return Ratio(math.exp(log_value), math.nan, math.nan)
    se = math.sqrt(variance)
    return Ratio(math.exp(log_value), math.exp(log_value - Z * se), math.exp(log_value + Z * se))


def _clusters_factor(g: int) -> float:
    return g / (g - 1) if g > 1 else math.nan


def _influence(after: np.ndarray, before: np.ndarray) -> tuple[float, np.ndarray, bool]:
    """log(sum after / sum before), each person's influence on it, and whether an
    interval can be given: at least two people with a conviction. (With all the
    convictions from one person the sandwich variance is 0, not small.)"""
    a_sum, b_sum = float(after.sum()), float(before.sum())
    if a_sum <= 0 or b_sum <= 0:
        return math.nan, np.full(len(after), math.nan), False
    contributing = int(((after + before) > 0).sum())
    return math.log(a_sum / b_sum), after / a_sum - before / b_sum, contributing >= 2


def _log_rate_ratio(after: Any, before: Any) -> tuple[float, float]:
    a, b = np.asarray(after, dtype=float), np.asarray(before, dtype=float)
    log_rr, psi, ok = _influence(a, b)
    if math.isnan(log_rr):
        return math.nan, math.nan
    variance = _clusters_factor(len(a)) * float((psi**2).sum()) if ok else math.nan
    return log_rr, variance


def rate_ratio(after: Any, before: Any) -> Ratio:
    """Convictions after over before, summed over people, with a person-clustered interval.

    It is the rate ratio exp(b) of a Poisson model of each person's two window
    counts with a window indicator (equal exposure: 2 years each), whose
    estimate is sum(after) / sum(before); its variance is the cluster-robust
    (sandwich) one, people as clusters, with the G / (G - 1) small-sample
    factor: var(log RR) = G / (G - 1) * sum_i (a_i / A - b_i / B)^2. NaN when
    either sum is 0; no interval unless two people or more have a conviction.
    """
    log_rr, variance = _log_rate_ratio(after, before)
    return NAN_RATIO if math.isnan(log_rr) else _from_log(log_rr, variance)


def ratio_of_rate_ratios(
    after: Any, before: Any, ref_after: Any, ref_before: Any
) -> Ratio:
    """(after/before) / (ref_after/ref_before) for two separate groups of people:
    the difference in differences on the log scale, variances added."""
    log1, v1 = _log_rate_ratio(after, before)
    log2, v2 = _log_rate_ratio(ref_after, ref_before)
    if math.isnan(log1) or math.isnan(log2):
        return NAN_RATIO
    return _from_log(log1 - log2, v1 + v2)


def placebo_adjusted(
    in_actual: Any, after: Any, before: Any, in_placebo: Any, early: Any
) -> tuple[Ratio, Ratio, Ratio]:
    """The actual rate ratio (after/before among ``in_actual``), the pre-period one
    (before/early among ``in_placebo``) and their ratio, whose interval takes
    the overlap of the two groups into account (stacked influence functions,
    people as clusters: var = G / (G - 1) * sum_i (psi1_i - psi0_i)^2 over the
    G people in either group)."""
    s1 = np.asarray(in_actual, dtype=bool)
    s0 = np.asarray(in_placebo, dtype=bool)
    a, b, e = (np.asarray(x, dtype=float) for x in (after, before, early))
    actual = rate_ratio(a[s1], b[s1])
    placebo = rate_ratio(b[s0], e[s0])
    log1, psi1, ok1 = _influence(a[s1], b[s1])
    log0, psi0, ok0 = _influence(b[s0], e[s0])
    if math.isnan(log1) or math.isnan(log0):
        return actual, placebo, NAN_RATIO
    either = s1 | s0
    psi = np.zeros(len(a))
    psi[s1] += psi1
    psi[s0] -= psi0
    variance = (
        _clusters_factor(int(either.sum())) * float((psi[either] ** 2).sum())
        if ok1 and ok0 else math.nan
    )
    return actual, placebo, _from_log(log1 - log0, variance)


def share_of_sum(values: Any, in_group: Any) -> tuple[float, float, float]:
    """sum(values in group) / sum(values), in %, with a person-clustered (delta
    method) interval: var = G / (G - 1) * sum_i (v_i (g_i - s) / V)^2."""
    v = np.asarray(values, dtype=float)
    g = np.asarray(in_group, dtype=float)
    total = float(v.sum())
    if total <= 0 or len(v) < 2:
        return math.nan, math.nan, math.nan
    share = float((v * g).sum()) / total
    if int((v > 0).sum()) < 2:
        return 100.0 * share, math.nan, math.nan
    psi = v * (g - share) / total
    se = math.sqrt(_clusters_factor(len(v)) * float((psi**2).sum()))
    return (100.0 * share, 100.0 * max(0.0, share - Z * se), 100.0 * min(1.0, share + Z * se))


def percent(k: int, n: int) -> tuple[float, float, float]:
    """k of n in %, with the 95% Wilson interval."""
    if n == 0:
        return math.nan, math.nan, math.nan
    return (100.0 * k / n, 100.0 * float(wilson_lower(k, n)), 100.0 * float(wilson_upper(k, n)))


def ratio_of_proportions(k1: int, n1: int, k0: int, n0: int) -> Ratio:
    """(k1/n1) / (k0/n0) with the log (Katz) interval."""
    if min(k1, n1, k0, n0) <= 0:
        return NAN_RATIO
    p1, p0 = k1 / n1, k0 / n0
    return _from_log(math.log(p1 / p0), (1 - p1) / k1 + (1 - p0) / k0)
