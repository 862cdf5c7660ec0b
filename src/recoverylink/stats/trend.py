"""The chi-square test for trend in proportions (Armitage 1955; Cochran 1954),
used by PHE Fingertips for the "recent trend" of proportion indicators.

For periods ``i`` with score ``s_i`` (1, 2, 3, ... by default), ``r_i``
events out of ``n_i``, ``N = sum(n_i)``, ``R = sum(r_i)``, ``p = R / N`` and
``s_bar = sum(n_i s_i) / N``::

    T  = sum(r_i (s_i - s_bar))
    V  = p (1 - p) sum(n_i (s_i - s_bar)^2)
    X2 = T^2 / V            on 1 degree of freedom

This is R's ``prop.trend.test`` and Altman (1991, pp 261-265). The linear-by-
linear association test of statsmodels (``Table.test_ordinal_association``)
uses the permutation variance, which is ``N / (N - 1)`` times larger; the
tests check that identity. The sign of ``T`` gives the direction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats as _sp

from recoverylink.stats.estimate import FloatArray
from recoverylink.stats.inputs import (
    StatsInputError,
    as_floats,
    check_confidence,
    check_finite_or_nan,
    check_non_negative,
    check_not_above,
    safe_divide,
)

Polarity = Literal["high_is_good", "low_is_good"] | None

INCREASING_BETTER = "increasing and getting better"
INCREASING_WORSE = "increasing and getting worse"
DECREASING_BETTER = "decreasing and getting better"
DECREASING_WORSE = "decreasing and getting worse"
INCREASING = "increasing"
DECREASING = "decreasing"
NO_CHANGE = "no significant change"
NOT_CALCULATED = "could not be calculated"


@dataclass(frozen=True)
class TrendTest:
    """The test's statistic, p-value and direction (+1 rising, -1 falling, 0
    flat), each with the inputs' leading shape."""

    statistic: FloatArray
    p_value: FloatArray
    direction: NDArray[np.int64]


def chi_square_trend(
    numerator: ArrayLike, denominator: ArrayLike, scores: ArrayLike | None = None
) -> TrendTest:
    """The chi-square test for trend along the last axis (periods).

    Leading axes are independent series (areas x breakdowns). A series with
    a zero or missing denominator, or with an overall proportion of 0 or 1
    (no variance), gives NaN statistic and p-value and direction 0.
    """
    r = as_floats("numerator", numerator)
    n = as_floats("denominator", denominator)
    for name, arr in (("numerator", r), ("denominator", n)):
        check_finite_or_nan(name, arr)
        check_non_negative(name, arr)
    check_not_above("numerator", r, "denominator", n)
    r, n = np.broadcast_arrays(r, n)
    if r.ndim == 0 or r.shape[-1] < 2:
        raise StatsInputError("the test for trend needs at least two periods (on the last axis)")
    s = np.arange(1.0, r.shape[-1] + 1.0) if scores is None else as_floats("scores", scores)
    s = np.broadcast_to(s, r.shape)
    bad = np.any(~(n > 0), axis=-1)
    big_n = n.sum(axis=-1)
    p = safe_divide(r.sum(axis=-1), big_n)
    s_bar = safe_divide((n * s).sum(axis=-1), big_n)
    dev = s - s_bar[..., None]
    t = (r * dev).sum(axis=-1)
    v = p * (1.0 - p) * (n * dev**2).sum(axis=-1)
    stat = safe_divide(t**2, v)
    stat = np.where(bad, np.nan, stat)
    p_value = np.asarray(_sp.chi2.sf(stat, 1), dtype=np.float64)
    direction = np.where(np.isnan(stat), 0, np.sign(np.nan_to_num(t))).astype(np.int64)
    return TrendTest(np.asarray(stat, dtype=np.float64), p_value, direction)


def recent_trend(
    numerator: ArrayLike,
    denominator: ArrayLike,
    polarity: Polarity,
    confidence: float = 0.998,
    points: int = 5,
) -> NDArray[np.object_]:
    """Fingertips-style recent trend labels from the last ``points`` periods.

    Significant at ``confidence`` (two-sided; 0.998 by default, as the
    indicators require): "increasing/decreasing and getting better/worse"
    with a polarity, "increasing"/"decreasing" without; otherwise "no
    significant change". Fewer than ``points`` periods, or a series the test
    cannot use (see :func:`chi_square_trend`), gives "could not be
    calculated".
    """
    c = check_confidence(confidence)
    if polarity not in ("high_is_good", "low_is_good", None):
        raise StatsInputError(
            f"polarity must be 'high_is_good', 'low_is_good' or None: {polarity!r}"
        )
    r = as_floats("numerator", numerator)
    n = as_floats("denominator", denominator)
    r, n = np.broadcast_arrays(r, n)
    if r.ndim == 0 or r.shape[-1] < points:
        shape = r.shape[:-1] if r.ndim else ()
        return np.full(shape, NOT_CALCULATED, dtype=object)
    test = chi_square_trend(r[..., -points:], n[..., -points:])
    significant = test.p_value < 1.0 - c
    up = significant & (test.direction > 0)
    down = significant & (test.direction < 0)
    out = np.full(test.statistic.shape, NO_CHANGE, dtype=object)
    if polarity is None:
        out[up], out[down] = INCREASING, DECREASING
    elif polarity == "high_is_good":
        out[up], out[down] = INCREASING_BETTER, DECREASING_WORSE
    else:
        out[up], out[down] = INCREASING_WORSE, DECREASING_BETTER
    out[np.isnan(test.statistic)] = NOT_CALCULATED
    return out
