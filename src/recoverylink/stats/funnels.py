"""Funnel plot control limits and significance labels.

Three families, each as PHE Fingertips and PHEindicatormethods compute them
(``calculate_funnel_limits``, ``assign_funnel_significance``):

* proportions: the limit at population ``N`` around the average ``a`` is the
  proportion whose Wilson score interval just reaches ``a`` (solved in closed
  form; :func:`proportion_limit`); 95% limits use ``z = Phi^-1(0.975)``, 99.8%
  limits ``Phi^-1(0.999)``.
* ratios (observed / expected) and rates: a point is significant when the
  Poisson interval of its count (exact below 10, Byar's from 10) excludes the
  target (1 for ratios, the weighted average rate for rates); the funnel lines
  come from :func:`poisson_funnel`, which searches for the expected count
  whose Poisson tail probability is 0.025 or 0.001.

Plus FunnelPlotR's unadjusted Poisson limits for standardised ratios
(:func:`sr_poisson_limits`).

Labels are PHE's, exactly: "High (0.001)", "High (0.025)", "Low (0.001)",
"Low (0.025)", "Not significant", and for DSRs of fewer than 10 events
"Not applicable for events less than 10 for dsrs".
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats as _sp

from recoverylink.stats.estimate import FloatArray
from recoverylink.stats.inputs import (
    StatsInputError,
    as_floats,
    check_finite_or_nan,
    check_multiplier,
    check_non_negative,
    check_not_above,
    safe_divide,
    scalar_or_array,
)
from recoverylink.stats.rates import poisson_limits

HIGH_001 = "High (0.001)"
HIGH_025 = "High (0.025)"
LOW_001 = "Low (0.001)"
LOW_025 = "Low (0.025)"
NOT_SIGNIFICANT = "Not significant"
NOT_APPLICABLE_DSR = "Not applicable for events less than 10 for dsrs"

#: One-sided tail probabilities of the two funnel lines (95% and 99.8% two-sided).
TAIL_95 = 0.025
TAIL_998 = 0.001

Side = Literal["low", "high"]
RateType = Literal["dsr", "crude"]


def _side(side: str) -> Side:
    if side not in ("low", "high"):
        raise StatsInputError(f"side must be 'low' or 'high'; got {side!r}")
    return side  # type: ignore[return-value]


# -- proportions ----------------------------------------------------------------------


def proportion_limit(
    population: ArrayLike, average: ArrayLike, p: float, side: str, multiplier: float = 1.0
) -> FloatArray:
    """The funnel limit for a proportion at ``population`` around ``average``.

    ``p`` is the one-sided normal probability (0.975 for the 95% lines, 0.999
    for the 99.8% lines). This is the value ``y`` whose Wilson interval at
    ``p`` has a bound equal to ``average``; solving that quadratic gives
    (PHEindicatormethods ``sigma_adjustment``, Fingertips technical guidance)::

        z = Phi^-1(p), N = population, a = average
        b  = a (N/z^2 + 1)
        d  = sqrt(64 a^2 (N/z^2 + 1)^2
                  - 64 (1/z^2 + 1/N) a (N (a (N/z^2 + 2) - 1) + z^2 (a - 1)))
        y  = (b -/+ d/8) / (1/z^2 + 1/N) / N * multiplier
    """
    n = as_floats("population", population)
    a = as_floats("average", average)
    check_non_negative("population", n)
    if not 0.5 < float(p) < 1.0:
        raise StatsInputError(f"p must be a one-sided probability in (0.5, 1); got {p!r}")
    sign = -1.0 if _side(side) == "low" else 1.0
    z2 = float(_sp.norm.ppf(p)) ** 2
    inv_n = safe_divide(1.0, n)
    first = a * (n / z2 + 1.0)
    with np.errstate(invalid="ignore"):
        adj = np.sqrt(
            (-8.0 * a * (n / z2 + 1.0)) ** 2
            - 64.0 * (1.0 / z2 + inv_n) * a * (n * (a * (n / z2 + 2.0) - 1.0) + z2 * (a - 1.0))
        )
    last = 1.0 / z2 + inv_n
    out = (first + sign * adj / 8.0) / last * inv_n * check_multiplier(multiplier)
    return scalar_or_array(np.asarray(out, dtype=np.float64))


def proportion_limits(
    population: ArrayLike, average: float, multiplier: float = 100.0
) -> dict[str, FloatArray]:
    """The four funnel lines at each population, clipped to [0, multiplier]:
    keys ``lower95, upper95, lower998, upper998``.

    PHE clips at 0 and a literal 100 (right for percentages, its default); we
    clip at the multiplier so that proportions on other scales stay in range.
    """
    m = check_multiplier(multiplier)
    out: dict[str, FloatArray] = {}
    for key, p in (("95", 0.975), ("998", 0.999)):
        lo = proportion_limit(population, average, p, "low", m)
        hi = proportion_limit(population, average, p, "high", m)
        out[f"lower{key}"] = np.maximum(0.0, lo)
        out[f"upper{key}"] = np.minimum(m, hi)
    return out


def proportion_significance(
    numerator: ArrayLike, denominator: ArrayLike, average: float | None = None
) -> NDArray[np.object_]:
    """PHE funnel significance of each proportion against ``average`` (by
    default the pooled ``sum(numerator) / sum(denominator)``).

    Raises on negative numerators, denominators <= 0, or numerator >
    denominator (as PHE). Missing values give "Not significant" (as PHE's
    ``case_when``)."""
    x = as_floats("numerator", numerator)
    n = as_floats("denominator", denominator)
    check_finite_or_nan("numerator", x)
    check_non_negative("numerator", x)
    if np.any(n <= 0):
        raise StatsInputError("denominators must be greater than zero")
    check_not_above("numerator", x, "denominator", n)
    x, n = np.broadcast_arrays(x, n)
    avg = float(np.nansum(x) / np.nansum(n)) if average is None else float(average)
    y = x / n
    out = np.full(x.shape, NOT_SIGNIFICANT, dtype=object)
    # Assign from the weakest to the strongest so the strongest label wins,
    # reproducing PHE's first-match order (low 0.001, low 0.025, high 0.001,
    # high 0.025) where one value could meet several conditions.
    out[y > proportion_limit(n, avg, 0.975, "high")] = HIGH_025
    out[y > proportion_limit(n, avg, 0.999, "high")] = HIGH_001
    out[y < proportion_limit(n, avg, 0.975, "low")] = LOW_025
    out[y < proportion_limit(n, avg, 0.999, "low")] = LOW_001
    return out


# -- ratios and rates ---------------------------------------------------------------


def _label_by_interval(
    observed: FloatArray, scale: FloatArray, target: FloatArray | float
) -> NDArray[np.object_]:
    """Labels from the Poisson interval of ``observed`` (times ``scale``)
    against ``target``: High when the lower limit is above it, Low when the
    upper limit is below it, at 99.8% before 95%."""
    out = np.full(observed.shape, NOT_SIGNIFICANT, dtype=object)
    lo95, up95, _ = poisson_limits(observed, 0.95)
    lo998, up998, _ = poisson_limits(observed, 0.998)
    with np.errstate(invalid="ignore"):
        # PHE case_when order: high 0.001, high 0.025, low 0.001, low 0.025.
        out[up95 * scale < target] = LOW_025
        out[up998 * scale < target] = LOW_001
        out[lo95 * scale > target] = HIGH_025
        out[lo998 * scale > target] = HIGH_001
    return out


def ratio_significance(observed: ArrayLike, expected: ArrayLike) -> NDArray[np.object_]:
    """PHE funnel significance of observed / expected against 1."""
    o = as_floats("observed", observed)
    e = as_floats("expected", expected)
    check_finite_or_nan("observed", o)
    check_non_negative("observed", o)
    if np.any(e <= 0):
        raise StatsInputError("expected counts (denominators) must be greater than zero")
    o, e = np.broadcast_arrays(o, e)
    return _label_by_interval(o, 1.0 / e, 1.0)


def rate_derived_denominator(
    numerator: ArrayLike,
    rate: ArrayLike,
    multiplier: float,
    rate_type: RateType,
    denominator: ArrayLike | None = None,
) -> FloatArray:
    """The population implied by a rate: ``numerator / rate * multiplier``.

    Where the numerator is 0 the rate says nothing about the population: for
    DSRs the result is NaN; for crude rates it is ``denominator`` (required
    then)."""
    x = as_floats("numerator", numerator)
    r = as_floats("rate", rate)
    check_non_negative("numerator", x)
    m = check_multiplier(multiplier)
    if rate_type not in ("dsr", "crude"):
        raise StatsInputError(f"rate_type must be 'dsr' or 'crude'; got {rate_type!r}")
    derived = safe_divide(x, r) * m
    zero = x == 0
    if rate_type == "dsr":
        return np.asarray(np.where(zero, np.nan, derived), dtype=np.float64)
    if np.any(zero):
        if denominator is None:
            raise StatsInputError(
                "for rates with 0 events, the denominator must be given for those rows"
            )
        d = np.broadcast_to(as_floats("denominator", denominator), x.shape)
        return np.asarray(np.where(zero, d, derived), dtype=np.float64)
    return derived


def rate_significance(
    numerator: ArrayLike,
    rate: ArrayLike,
    multiplier: float,
    rate_type: RateType,
    denominator: ArrayLike | None = None,
) -> NDArray[np.object_]:
    """PHE funnel significance of rates (DSR or crude) against the weighted
    average ``sum(numerator) / sum(derived denominator)``.

    DSRs from fewer than 10 events are labelled "Not applicable for events
    less than 10 for dsrs"."""
    x = as_floats("numerator", numerator)
    check_finite_or_nan("numerator", x)
    derived = rate_derived_denominator(x, rate, multiplier, rate_type, denominator)
    x, derived = np.broadcast_arrays(x, derived)
    average = float(np.nansum(x) / np.nansum(derived))
    out = _label_by_interval(x, safe_divide(1.0, derived), average)
    if rate_type == "dsr":
        out[~(x >= 10)] = NOT_APPLICABLE_DSR
    return out


def _series_end(mu: FloatArray) -> FloatArray:
    """Where the Fingertips macro stops summing Poisson terms: the first
    ``k > mu`` whose term ``P(X = k)`` is at most 1e-10 of the sum so far,
    ``P(X <= k - 1)``. The ratio falls with ``k`` beyond ``mu``, so a
    bisection over whole numbers finds it."""
    lo = np.floor(mu)  # the macro always sums every k <= mu
    hi = lo + 1.0 + np.ceil(10.0 * np.sqrt(mu) + 60.0)  # far enough that it has stopped
    while np.any(hi - lo > 1.0):
        mid = np.floor((lo + hi) / 2.0)
        stop = _sp.poisson.pmf(mid, mu) <= 1e-10 * _sp.poisson.cdf(mid - 1.0, mu)
        active = hi - lo > 1.0
        hi = np.where(active & stop, mid, hi)
        lo = np.where(active & ~stop, mid, lo)
    return np.asarray(hi, dtype=np.float64)


def _macro_probability(mu: FloatArray, obs: FloatArray, side: Side) -> FloatArray:
    """``P(X >= obs)`` (low side) or ``P(X <= obs)`` (high side) as the
    Fingertips macro computes it: summing the Poisson series only up to
    :func:`_series_end` and dividing by that partial sum. Each partial sum is
    taken from :mod:`scipy.stats.poisson`; only the stopping point is the
    macro's. The truncation moves the probability by ~1e-10, which is enough
    to flip the last bisection step of :func:`poisson_funnel` now and then."""
    end = _series_end(mu) - 1.0  # last term summed
    total = _sp.poisson.cdf(end, mu)
    if side == "low":
        part = _sp.poisson.sf(obs - 1.0, mu) - _sp.poisson.sf(end, mu)
        part = np.where(obs <= end, part, 0.0)
    else:
        part = _sp.poisson.cdf(np.minimum(obs, end), mu)
    return np.asarray(part / total, dtype=np.float64)


def poisson_funnel(observed: ArrayLike, p: float, side: str) -> FloatArray:
    """The expected count at which ``observed`` sits on a Poisson funnel line.

    ``side="low"``: the mean ``mu`` with ``P(X >= observed | mu) = p`` (the
    upper funnel line's expected count); ``side="high"``: the mean with
    ``P(X <= observed | mu) = p``. Found as PHE's Fingertips macro and
    PHEindicatormethods' ``poisson_funnel`` do, by bisection on
    ``v = mu / (1 + observed + mu)`` from 0.5 in steps halving down to
    1e-7 (23 steps), with the macro's truncated Poisson sums
    (:func:`_macro_probability`), so that the lines agree with Fingertips to
    the digit. The exact root (``chi2.ppf``) differs from Fingertips' lines
    by up to ~5e-5 relative at the smallest counts, which is why the
    bisection is kept here.
    """
    obs = as_floats("observed", observed)
    check_non_negative("observed", obs)
    sd = _side(side)
    if not 0.0 < float(p) < 1.0:
        raise StatsInputError(f"p must be a probability in (0, 1); got {p!r}")
    v = np.full(obs.shape, 0.5)
    dv = 0.5
    while dv > 1e-7:
        dv /= 2.0
        prob = _macro_probability((1.0 + obs) * v / (1.0 - v), obs, sd)
        if sd == "low":
            v = np.where(prob > p, v - dv, v + dv)
        else:
            v = np.where(prob < p, v - dv, v + dv)
    return scalar_or_array((1.0 + obs) * v / (1.0 - v))


def sr_poisson_limits(
    expected: ArrayLike, target: float = 1.0, multiplier: float = 1.0
) -> dict[str, FloatArray]:
    """FunnelPlotR's unadjusted Poisson limits for a standardised ratio at
    ``expected`` events around ``target`` (keys ``ll95, ul95, ll998, ul998``)::

        ll = multiplier * target * chi2.ppf(q_low, 2E) / 2 / E
        ul = multiplier * target * chi2.ppf(q_high, 2(E + 1)) / 2 / E

    with ``(q_low, q_high) = (0.025, 0.975)`` and ``(0.001, 0.999)``."""
    e = as_floats("expected", expected)
    if np.any(e <= 0):
        raise StatsInputError("expected must be greater than zero")
    k = check_multiplier(multiplier) * float(target)
    out = {}
    for key, q in (("95", 0.025), ("998", 0.001)):
        out[f"ll{key}"] = k * _sp.chi2.ppf(q, 2.0 * e) / 2.0 / e
        out[f"ul{key}"] = k * _sp.chi2.ppf(1.0 - q, 2.0 * (e + 1.0)) / 2.0 / e
    return out
