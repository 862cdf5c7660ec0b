"""Comparing each area with a benchmark (England) by confidence intervals.

With a benchmark value only (the Fingertips rule), an area is significantly
higher when its lower limit is above the benchmark value and lower when its
upper limit is below it. With the benchmark's own limits as well
(``benchmark_lower``/``benchmark_upper``), the two intervals must not
overlap: higher when the area's lower limit is above the benchmark's upper
limit, lower when the area's upper limit is below the benchmark's lower
limit. Touching limits count as overlapping (similar).

With a polarity, higher/lower become better/worse; without one
(``polarity=None``) the labels stay "higher"/"lower". Run once with the 95%
limits and once with the 99.8% limits for the two levels. Missing limits
give "not compared".
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from recoverylink.stats.estimate import Estimate
from recoverylink.stats.inputs import StatsInputError, as_floats

Polarity = Literal["high_is_good", "low_is_good"] | None

BETTER = "better"
SIMILAR = "similar"
WORSE = "worse"
HIGHER = "higher"
LOWER = "lower"
NOT_COMPARED = "not compared"


def compare_with_benchmark(
    lower: ArrayLike,
    upper: ArrayLike,
    benchmark: ArrayLike,
    polarity: Polarity,
    benchmark_lower: ArrayLike | None = None,
    benchmark_upper: ArrayLike | None = None,
) -> NDArray[np.object_]:
    """Label each interval ``[lower, upper]`` against the benchmark.

    >>> compare_with_benchmark([0.5, 0.1, 0.2], [0.7, 0.3, 0.6], 0.4, "high_is_good").tolist()
    ['better', 'worse', 'similar']
    """
    if polarity not in ("high_is_good", "low_is_good", None):
        raise StatsInputError(
            f"polarity must be 'high_is_good', 'low_is_good' or None; got {polarity!r}"
        )
    lo = as_floats("lower", lower)
    up = as_floats("upper", upper)
    b = as_floats("benchmark", benchmark)
    if (benchmark_lower is None) != (benchmark_upper is None):
        raise StatsInputError("give both benchmark_lower and benchmark_upper, or neither")
    if np.any(lo > up):
        raise StatsInputError("a lower limit is above its upper limit")
    if benchmark_lower is None or benchmark_upper is None:
        b_lo, b_up = b, b
    else:
        b_lo = as_floats("benchmark_lower", benchmark_lower)
        b_up = as_floats("benchmark_upper", benchmark_upper)
    lo, up, b, b_lo, b_up = np.broadcast_arrays(lo, up, b, b_lo, b_up)
    higher = lo > b_up
    lower_ = up < b_lo
    missing = np.isnan(lo) | np.isnan(up) | np.isnan(b_lo) | np.isnan(b_up)
    out = np.full(lo.shape, SIMILAR, dtype=object)
    hi_label, lo_label = {
        None: (HIGHER, LOWER),
        "high_is_good": (BETTER, WORSE),
        "low_is_good": (WORSE, BETTER),
    }[polarity]
    out[higher] = hi_label
    out[lower_] = lo_label
    out[missing] = NOT_COMPARED
    return out


def compare_estimate(
    estimate: Estimate,
    benchmark: ArrayLike,
    polarity: Polarity,
    benchmark_estimate: Estimate | None = None,
) -> tuple[NDArray[np.object_], NDArray[np.object_]]:
    """:func:`compare_with_benchmark` at both levels: ``(labels at 95%, labels
    at 99.8%)``. With ``benchmark_estimate`` the intervals must not overlap;
    otherwise each interval is compared with the ``benchmark`` value."""
    out = []
    for conf in (0.95, 0.998):
        lo, up = estimate.limits(conf)
        if benchmark_estimate is None:
            out.append(compare_with_benchmark(lo, up, benchmark, polarity))
        else:
            b_lo, b_up = benchmark_estimate.limits(conf)
            out.append(compare_with_benchmark(lo, up, benchmark, polarity, b_lo, b_up))
    return out[0], out[1]
