"""Poisson counts and rates: Byar's approximation and the exact interval.

For an observed count ``x`` and the two-sided normal quantile ``z``, Byar's
method (Breslow and Day 1987) gives::

    lower = x (1 - 1/(9x) - z/(3 sqrt(x)))^3
    upper = (x + 1) (1 - 1/(9(x + 1)) + z/(3 sqrt(x + 1)))^3

and the exact interval (Garwood 1936), via the chi-square distribution::

    lower = chi2.ppf((1 - c)/2, 2x) / 2      (0 when x = 0)
    upper = chi2.ppf((1 + c)/2, 2x + 2) / 2

PHEindicatormethods (``phe_rate``, ``calculate_ISRate``, ``calculate_ISRatio``)
uses the exact interval when ``x < 10`` and Byar's when ``x >= 10``; so does
:func:`poisson_limits` here. Byar's formula is the published approximation
itself, so it is written out; the exact limits use :mod:`scipy.stats`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats as _sp

from recoverylink.stats.estimate import Estimate, FloatArray
from recoverylink.stats.inputs import (
    as_floats,
    check_confidence,
    check_finite_or_nan,
    check_multiplier,
    check_non_negative,
    format_multiplier,
    safe_divide,
    scalar_or_array,
    z_for,
)

#: Counts below this use the exact interval; at or above it, Byar's.
EXACT_BELOW = 10

BYARS = "Byars"
EXACT = "Exact"


def _counts(x: ArrayLike, name: str = "count") -> FloatArray:
    xa = as_floats(name, x)
    check_finite_or_nan(name, xa)
    check_non_negative(name, xa)
    return xa


def _byars_lower(x: FloatArray, z: float) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * (1.0 - 1.0 / (9.0 * x) - z / (3.0 * np.sqrt(x))) ** 3
    out = np.where(x == 0, np.nan, out)
    # Byar's lower limit can fall below zero for tiny counts or very high
    # confidence; PHE returns NA there, and so do we.
    return np.asarray(np.where(out < 0, np.nan, out), dtype=np.float64)


def _byars_upper(x: FloatArray, z: float) -> FloatArray:
    x1 = x + 1.0
    return np.asarray(x1 * (1.0 - 1.0 / (9.0 * x1) + z / (3.0 * np.sqrt(x1))) ** 3)


def byars_lower(x: ArrayLike, confidence: float = 0.95) -> FloatArray:
    """Byar's lower limit for a Poisson count; NaN where it would be negative
    (and at x = 0, where the formula is undefined).

    >>> round(float(byars_lower(65)), 6)
    50.163188
    """
    return scalar_or_array(_byars_lower(_counts(x), z_for(confidence)))


def byars_upper(x: ArrayLike, confidence: float = 0.95) -> FloatArray:
    """Byar's upper limit for a Poisson count.

    >>> round(float(byars_upper(65)), 6)
    82.849139
    """
    return scalar_or_array(_byars_upper(_counts(x), z_for(confidence)))


def _exact_lower(x: FloatArray, c: float) -> FloatArray:
    with np.errstate(invalid="ignore"):
        out = _sp.chi2.ppf((1.0 - c) / 2.0, 2.0 * np.where(x == 0, 1.0, x)) / 2.0
    return np.asarray(np.where(x == 0, 0.0, out), dtype=np.float64)


def _exact_upper(x: FloatArray, c: float) -> FloatArray:
    return np.asarray(_sp.chi2.ppf((1.0 + c) / 2.0, 2.0 * x + 2.0) / 2.0, dtype=np.float64)


def exact_lower(x: ArrayLike, confidence: float = 0.95) -> FloatArray:
    """Exact (chi-square) lower limit for a Poisson count; 0 at x = 0.

    >>> round(float(exact_lower(1)), 8)
    0.02531781
    """
    return scalar_or_array(_exact_lower(_counts(x), check_confidence(confidence)))


def exact_upper(x: ArrayLike, confidence: float = 0.95) -> FloatArray:
    """Exact (chi-square) upper limit for a Poisson count.

    >>> round(float(exact_upper(1)), 6)
    5.571643
    """
    return scalar_or_array(_exact_upper(_counts(x), check_confidence(confidence)))


def poisson_limits(
    x: ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray, NDArray[np.object_]]:
    """Limits for a Poisson count: exact below 10, Byar's from 10 up.

    Returns ``(lower, upper, method)`` with ``method`` "Exact" or "Byars" per
    element (NaN counts give NaN limits and method "Exact").
    """
    xa = _counts(x)
    c = check_confidence(confidence)
    z = z_for(c)
    byars = xa >= EXACT_BELOW
    lower = np.where(byars, _byars_lower(xa, z), _exact_lower(xa, c))
    upper = np.where(byars, _byars_upper(xa, z), _exact_upper(xa, c))
    method = np.where(byars, BYARS, EXACT).astype(object)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64), method


def rate(x: ArrayLike, n: ArrayLike, multiplier: float = 100000.0) -> Estimate:
    """``x / n * multiplier`` with 95% and 99.8% limits (exact below 10 events,
    Byar's from 10), as PHEindicatormethods' ``phe_rate``.

    ``x`` may exceed ``n`` (a rate, not a proportion). A zero denominator gives
    NaN value and limits; negative counts or denominators raise.
    """
    xa = _counts(x, "numerator")
    na = as_floats("denominator", n)
    check_finite_or_nan("denominator", na)
    check_non_negative("denominator", na)
    xa, na = np.broadcast_arrays(xa, na)
    m = check_multiplier(multiplier)
    scale = safe_divide(m, na)
    lo95, up95, method = poisson_limits(xa, 0.95)
    lo998, up998, _ = poisson_limits(xa, 0.998)
    return Estimate(
        value=xa * scale,
        lower95=lo95 * scale,
        upper95=up95 * scale,
        lower998=lo998 * scale,
        upper998=up998 * scale,
        method=method,
        statistic=np.full(xa.shape, f"rate per {format_multiplier(m)}", dtype=object),
        extra={"numerator": xa, "denominator": na},
    )
