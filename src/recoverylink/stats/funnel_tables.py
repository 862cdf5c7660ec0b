"""The 100-point tables that draw funnel plots, as PHEindicatormethods'
``calculate_funnel_limits`` builds them, and the chart points for rates
(``calculate_funnel_points``).

The x axis runs from a rounded-down minimum to a rounded-up maximum of the
denominators (0 when they span more than a factor of 2), in 100 steps that
grow geometrically so that small populations get more points. The rounding
reproduces R exactly, including one quirk: the number of digits of a whole
number is taken from R's ``as.character``, which writes round numbers such as
100000 as "1e+05" (5 characters, not 6). See :func:`r_nchar`.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from recoverylink.stats.estimate import FloatArray
from recoverylink.stats.funnels import (
    TAIL_95,
    TAIL_998,
    RateType,
    poisson_funnel,
    proportion_limits,
    rate_derived_denominator,
)
from recoverylink.stats.inputs import (
    StatsInputError,
    as_floats,
    check_multiplier,
    check_non_negative,
    format_multiplier,
    safe_divide,
)

POINTS = 100


def r_nchar(value: float) -> int:
    """Characters in R's ``as.character(value)`` for a whole number >= 0.

    R writes a double in fixed notation unless scientific notation is
    shorter: ``123456`` -> 6, ``100000`` ("1e+05") -> 5, ``30000`` -> 5.

    >>> r_nchar(100000), r_nchar(123456), r_nchar(1200000), r_nchar(0)
    (5, 6, 7, 1)
    """
    v = int(value)
    if v < 0:
        raise StatsInputError("r_nchar takes whole numbers >= 0")
    fixed = str(v)
    if v == 0:
        return 1
    digits = fixed.rstrip("0")
    exponent = len(fixed) - 1
    mantissa = 1 if len(digits) == 1 else len(digits) + 1  # "d" or "d.ddd"
    sci = mantissa + 2 + max(2, len(str(exponent)))  # "e+" and at least two digits
    return sci if len(fixed) > sci else len(fixed)


def _signif_floor(x: float, down: float = 0.95) -> float:
    if x == 0:
        return 0.0
    n = r_nchar(math.floor(x * down)) - 1
    return math.floor(x * down / 10**n) * 10**n


def _signif_ceiling(x: float, up: float = 1.05) -> float:
    if x == 0:
        return 0.0
    n = r_nchar(math.ceil(x * up)) - 2
    return math.ceil(x * up / 10.0**n) * 10.0**n


def axis_points(axis_minimum: float, axis_maximum: float, offset: int = 0) -> FloatArray:
    """The 100 x-axis points from ``max(1, axis_minimum)`` towards
    ``axis_maximum``: each point is ``round((max / prev)^(1 / (101 - j +
    offset)) * prev)`` and at least ``prev + 1`` (PHE uses ``offset = 1`` for
    ratios). Rounding is half-to-even, as R's ``round``."""
    pts = [max(1.0, float(axis_minimum))]
    for j in range(2, POINTS + 1):
        prev = pts[-1]
        step = float(np.round((axis_maximum / prev) ** (1.0 / (101 - j + offset)) * prev))
        pts.append(max(step, prev + 1.0))
    return np.asarray(pts)


def _axis(denominators: FloatArray, years: float = 1.0) -> tuple[float, float]:
    d = denominators[~np.isnan(denominators)]
    if d.size == 0:
        raise StatsInputError("funnel tables need at least one denominator")
    lo, hi = float(d.min()), float(d.max())
    axis_min = 0.0 if hi > 2 * lo else _signif_floor(lo / years) * years
    axis_max = _signif_ceiling(hi / years) * years
    return axis_min, axis_max


def proportion_table(
    numerator: ArrayLike, denominator: ArrayLike, multiplier: float = 100.0
) -> pd.DataFrame:
    """Funnel lines for proportions: columns ``Population, lower_2s_limit,
    upper_2s_limit, lower_3s_limit, upper_3s_limit, baseline``."""
    x = as_floats("numerator", numerator)
    n = as_floats("denominator", denominator)
    check_non_negative("numerator", x)
    check_non_negative("denominator", n)
    m = check_multiplier(multiplier)
    average = float(np.nansum(x) / np.nansum(n))
    pop = axis_points(*_axis(n))
    lim = proportion_limits(pop, average, m)
    return pd.DataFrame(
        {
            "Population": pop,
            "lower_2s_limit": lim["lower95"],
            "upper_2s_limit": lim["upper95"],
            "lower_3s_limit": lim["lower998"],
            "upper_3s_limit": lim["upper998"],
            "baseline": average * m,
        }
    )


def ratio_table(
    observed: ArrayLike, expected: ArrayLike, ratio_type: Literal["count", "isr"] = "isr"
) -> pd.DataFrame:
    """Funnel lines for observed / expected ratios.

    Columns ``Observed_events`` and, per line, the expected events at which
    that many observed events sit on it (``*_exp_events``) and the ratio
    there (``*_limit``): ``ratio - 1`` for ``ratio_type="count"``,
    ``ratio * 100`` for ``"isr"`` (PHE's two scales)."""
    if ratio_type not in ("count", "isr"):
        raise StatsInputError(f"ratio_type must be 'count' or 'isr'; got {ratio_type!r}")
    o = as_floats("observed", observed)
    e = as_floats("expected", expected)
    check_non_negative("observed", o)
    check_non_negative("expected", e)
    events = axis_points(*_axis(e), offset=1)
    cols: dict[str, FloatArray] = {"Observed_events": events}
    for name, tail, side in (
        ("lower_2s", TAIL_95, "high"),
        ("upper_2s", TAIL_95, "low"),
        ("lower_3s", TAIL_998, "high"),
        ("upper_3s", TAIL_998, "low"),
    ):
        exp_events = np.asarray(poisson_funnel(events, tail, side))
        ratio = events / exp_events
        cols[f"{name}_exp_events"] = exp_events
        cols[f"{name}_limit"] = ratio - 1.0 if ratio_type == "count" else ratio * 100.0
    return pd.DataFrame(cols)


def rate_table(
    numerator: ArrayLike,
    rate: ArrayLike,
    multiplier: float,
    rate_type: RateType,
    years_of_data: float,
    denominator: ArrayLike | None = None,
) -> pd.DataFrame:
    """Funnel lines for rates (DSR or crude) over ``years_of_data`` years.

    Columns ``Events`` and, per line, the one-year population at which that
    many events sit on it (``*_population_1_year``) and the rate there
    (``*_limit``), plus ``baseline``, ``statistic`` and ``method``."""
    x = as_floats("numerator", numerator)
    m = check_multiplier(multiplier)
    years = float(years_of_data)
    if not years > 0:
        raise StatsInputError("years_of_data must be greater than zero")
    derived = rate_derived_denominator(x, rate, m, rate_type, denominator)
    average = float(np.nansum(x) / np.nansum(derived))
    axis_min, axis_max = _axis(derived, years)
    events = axis_points(math.floor(axis_min * average), math.ceil(axis_max * average))
    cols: dict[str, object] = {"Events": events}
    for name, tail, side in (
        ("lower_2s", TAIL_95, "high"),
        ("upper_2s", TAIL_95, "low"),
        ("lower_3s", TAIL_998, "high"),
        ("upper_3s", TAIL_998, "low"),
    ):
        population = np.asarray(poisson_funnel(events, tail, side)) / average
        cols[f"{name}_population_1_year"] = population / years
        cols[f"{name}_limit"] = events / population * m
    cols["baseline"] = average * m
    cols["statistic"] = f"rate ({rate_type} per {format_multiplier(m, ',')})"
    cols["method"] = "Poisson"
    return pd.DataFrame(cols)


def rate_points(
    numerator: ArrayLike,
    rate: ArrayLike,
    multiplier: float,
    rate_type: RateType,
    years_of_data: float,
    denominator: ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Where each area's rate goes on a rate funnel: ``(rate_chart,
    denominator_derived)``, the latter per year. DSRs of fewer than 10 events
    are left off (NaN); crude rates with 0 events use ``denominator``."""
    x = as_floats("numerator", numerator)
    r = as_floats("rate", rate)
    m = check_multiplier(multiplier)
    years = float(years_of_data)
    x, r = np.broadcast_arrays(x, r)
    per_year = safe_divide(x, r) * m / years
    if rate_type == "dsr":
        small = ~(x >= 10)
        return (
            np.asarray(np.where(small, np.nan, r), dtype=np.float64),
            np.asarray(np.where(small, np.nan, per_year), dtype=np.float64),
        )
    if rate_type != "crude":
        raise StatsInputError(f"rate_type must be 'dsr' or 'crude'; got {rate_type!r}")
    if denominator is None:
        if np.any(x == 0):
            raise StatsInputError("crude rates with 0 events need the denominator")
        return r.astype(np.float64), per_year
    d = np.broadcast_to(as_floats("denominator", denominator), x.shape)
    return r.astype(np.float64), np.asarray(np.where(x == 0, d / years, per_year))
