"""Means with Student's t confidence intervals (PHEindicatormethods ``phe_mean``).

For ``k`` values with mean ``m`` and sample standard deviation ``s``
(``ddof = 1``)::

    limits = m -/+ t(1 - (1 - c)/2, k - 1) * s / sqrt(k)

The t quantile comes from :func:`scipy.stats.t.ppf`. Fewer than two values give
NaN limits (the standard deviation is undefined); no values give NaN.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats as _sp

from recoverylink.stats.estimate import Estimate, FloatArray
from recoverylink.stats.inputs import (
    StatsInputError,
    as_floats,
    check_confidence,
    check_non_negative,
    labels,
    safe_divide,
)


def _half_width(sd: FloatArray, count: FloatArray, confidence: float) -> FloatArray:
    c = check_confidence(confidence)
    df = np.where(count >= 2, count - 1.0, np.nan)
    with np.errstate(invalid="ignore"):
        t = _sp.t.ppf(0.5 + c / 2.0, df)
        return np.asarray(t * sd / np.sqrt(count), dtype=np.float64)


def mean_from_summary(total: ArrayLike, count: ArrayLike, sd: ArrayLike) -> Estimate:
    """The mean ``total / count`` with 95% and 99.8% t limits, from each
    group's sum, count and sample standard deviation (vectorised)."""
    tot = as_floats("total", total)
    cnt = as_floats("count", count)
    sda = as_floats("sd", sd)
    check_non_negative("count", cnt)
    check_non_negative("sd", sda)
    tot, cnt, sda = np.broadcast_arrays(tot, cnt, sda)
    value = safe_divide(tot, cnt)
    h95 = _half_width(sda, cnt, 0.95)
    h998 = _half_width(sda, cnt, 0.998)
    return Estimate(
        value=value,
        lower95=value - h95,
        upper95=value + h95,
        lower998=value - h998,
        upper998=value + h998,
        method=labels(value.shape, "Student's t"),
        statistic=labels(value.shape, "mean"),
        extra={"value_sum": tot, "value_count": cnt, "stdev": sda},
    )


def mean(values: ArrayLike, groups: ArrayLike | None = None) -> Estimate:
    """Means of ``values`` (missing values dropped), one per group of ``groups``
    (in order of first appearance) or one overall when ``groups`` is None."""
    vals = as_floats("values", values).ravel()
    if groups is None:
        keys = np.zeros(vals.shape, dtype=np.int64)
    else:
        keys = np.asarray(groups).ravel()
        if keys.shape != vals.shape:
            raise StatsInputError("values and groups must have the same length")
    frame = pd.DataFrame({"g": keys, "v": vals}).dropna(subset=["v"])
    agg = frame.groupby("g", sort=False)["v"].agg(["sum", "count", "std"])
    est = mean_from_summary(
        agg["sum"].to_numpy(float), agg["count"].to_numpy(float), agg["std"].to_numpy(float)
    )
    if groups is not None:
        est = replace(est, extra={"group": agg.index.to_numpy(), **est.extra})
    return est
