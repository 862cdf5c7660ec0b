"""Indicator statistics: values with confidence limits, comparison with
England, the recent trend and funnel plots, from a table of counts.

The input, a *counts* table, has one row per indicator x period x area x
substance group (:data:`COUNT_COLUMNS`). Everything here is vectorised over
the whole table with :mod:`recoverylink.stats` (numpy arrays in, arrays out);
nothing loops over rows, so several hundred thousand rows take seconds.

Choices (see each function's docstring for the detail):

* England's own rows are not compared with England: ``compared_95`` and
  ``compared_99_8`` read "not compared" there, as they do wherever a value or
  England's value is missing (a zero denominator, no England row).
* The recent trend is the chi-square test for trend over the five financial
  years ending with the row's year, significant at 99.8% (Fingertips'
  rule). Rates are tested as proportions of their denominator (every rate
  here counts people out of the people in its denominator).
* Funnel limits for rates are the exact Poisson ones, the same lines that
  :func:`recoverylink.stats.rate_table` draws; for proportions they are
  :func:`recoverylink.stats.proportion_limit`'s Wilson-based lines. Both are
  drawn around England's value, not the average of the areas plotted.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special as _special

from recoverylink.errors import InputError
from recoverylink.indicators.definitions import (
    BY_ID,
    ENGLAND_CODE,
    INDICATORS,
    LEVELS,
    SUBSTANCE_GROUPS,
    Indicator,
    Polarity,
)
from recoverylink.stats import (
    chi_square_trend,
    compare_with_benchmark,
    proportion,
    proportion_limit,
    proportion_table,
    rate,
    rate_table,
    recent_trend,
)
from recoverylink.stats.compare import NOT_COMPARED
from recoverylink.stats.funnels import (
    HIGH_001,
    HIGH_025,
    LOW_001,
    LOW_025,
    NOT_SIGNIFICANT,
    TAIL_95,
    TAIL_998,
)
from recoverylink.stats.trend import NOT_CALCULATED

FloatArray = NDArray[np.float64]

#: The columns a counts table must have.
COUNT_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "period_type",
    "period",
    "period_start",
    "period_end",
    "level",
    "area_code",
    "area_name",
    "region_code",
    "substance_group",
    "numerator",
    "denominator",
)

#: The columns :func:`indicator_values` adds, in order.
VALUE_COLUMNS: tuple[str, ...] = (
    "value",
    "lower_95",
    "upper_95",
    "lower_99_8",
    "upper_99_8",
    "ci_method",
    "england_value",
    "compared_95",
    "compared_99_8",
    "trend",
    "trend_p_value",
)

#: The columns of :func:`funnel_points`, in order.
FUNNEL_POINT_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "period_type",
    "period",
    "period_start",
    "period_end",
    "substance_group",
    "level",
    "area_code",
    "area_name",
    "region_code",
    "numerator",
    "denominator",
    "value",
    "england_value",
    "funnel_lower_95",
    "funnel_upper_95",
    "funnel_lower_99_8",
    "funnel_upper_99_8",
    "position",
)

#: The columns of :func:`funnel_lines`, in order.
FUNNEL_LINE_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "period_type",
    "period",
    "substance_group",
    "line",
    "point",
    "denominator",
    "value",
    "england_value",
)

POLARITIES: tuple[Polarity, ...] = (None, "high_is_good", "low_is_good")
PERIOD_TYPES: tuple[str, ...] = ("financial_year", "rolling_12_months")
FINANCIAL_YEAR = "financial_year"

#: The one row per ... key of a counts table.
ROW_KEY: tuple[str, ...] = ("indicator_id", "period_type", "period", "area_code", "substance_group")
#: The rows that share one England benchmark (and one funnel plot).
GROUP_KEY: tuple[str, ...] = ("indicator_id", "period_type", "period", "substance_group")
#: One area's time series.
SERIES_KEY: tuple[str, ...] = ("indicator_id", "level", "area_code", "substance_group")

#: Financial years in the recent trend, and its significance level (Fingertips').
TREND_YEARS = 5
TREND_CONFIDENCE = 0.998

#: The funnel lines, in order: name, one-sided tail probability, side.
FUNNEL_LINES: tuple[tuple[str, float, str], ...] = (
    ("lower_95", TAIL_95, "low"),
    ("upper_95", TAIL_95, "high"),
    ("lower_99_8", TAIL_998, "low"),
    ("upper_99_8", TAIL_998, "high"),
)

# Names of funnel_tables' columns for each of our lines.
_TABLE_LINE = {"lower_95": "lower_2s", "upper_95": "upper_2s", "lower_99_8": "lower_3s",
               "upper_99_8": "upper_3s"}  # fmt: skip


# -- checks ---------------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{what} lacks the columns {', '.join(missing)}")


def _check_codes(frame: pd.DataFrame, column: str, allowed: Iterable[str]) -> None:
    allowed = tuple(allowed)
    bad = ~frame[column].isin(allowed)
    if bad.any():
        found = sorted({str(v) for v in frame.loc[bad, column].unique()})[:5]
        raise InputError(f"unknown {column} {', '.join(found)}; expected one of {allowed}")


def _check_counts(counts: pd.DataFrame) -> None:
    _require(counts, COUNT_COLUMNS, "the counts table")
    _check_codes(counts, "indicator_id", BY_ID)
    _check_codes(counts, "period_type", PERIOD_TYPES)
    _check_codes(counts, "level", LEVELS)
    _check_codes(counts, "substance_group", SUBSTANCE_GROUPS)
    england = counts["level"] == "england"
    if (counts.loc[england, "area_code"] != ENGLAND_CODE).any():
        raise InputError(f"rows at level 'england' must have area_code {ENGLAND_CODE}")
    dup = counts.duplicated(list(ROW_KEY))
    if dup.any():
        first = counts.loc[dup, list(ROW_KEY)].iloc[0].tolist()
        raise InputError(f"the counts table has more than one row for {first}")


def _column(frame: pd.DataFrame, name: str) -> FloatArray:
    try:
        numbers = pd.to_numeric(frame[name])
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numeric: {exc}") from exc
    return np.asarray(numbers.to_numpy(dtype=np.float64, na_value=np.nan))


def _polarity_key(ind: Indicator) -> str:
    return ind.polarity or "none"


# -- values ---------------------------------------------------------------------------


def indicator_values(counts: pd.DataFrame) -> pd.DataFrame:
    """Each count's value, confidence limits, comparison with England and trend.

    Returns the counts table (same rows, same order, a fresh index) with
    :data:`VALUE_COLUMNS` added:

    * ``value``: ``numerator / denominator * multiplier`` (the indicator's).
    * ``lower_95, upper_95, lower_99_8, upper_99_8``: Wilson score limits for
      proportions (:func:`recoverylink.stats.proportion`); for rates the exact
      Poisson limits below 10 events and Byar's from 10
      (:func:`recoverylink.stats.rate`, as PHEindicatormethods' ``phe_rate``).
    * ``ci_method``: "Wilson", "Exact" or "Byars".
    * ``england_value``: the value of the England row with the same indicator,
      period type, period and substance group (NaN when there is none).
    * ``compared_95``, ``compared_99_8``: the area's interval against England's
      value (:func:`recoverylink.stats.compare_with_benchmark`, the Fingertips
      rule), with the indicator's polarity: "better" / "similar" / "worse",
      or "higher" / "similar" / "lower" for indicators without one. England's
      own rows, and rows with no value or no England value, read
      "not compared".
    * ``trend``, ``trend_p_value`` (financial years only): the chi-square test
      for trend (:func:`recoverylink.stats.recent_trend`, significant at
      99.8%) over the five financial years ending with the row's, for the
      same indicator, area and substance group. "could not be calculated"
      (with a NaN p-value) when any of the five years is missing, has a zero
      denominator or a numerator above its denominator, or when the pooled
      proportion is 0 or 1. Years are told apart by ``period_start``'s
      calendar year. Rates are tested as proportions of their denominator.
      Rolling 12-month rows have ``None`` and NaN.

    A zero denominator gives NaN value and limits and "not compared", never
    an error; a negative count, a non-numeric one or (for proportions) a
    numerator above its denominator raises :class:`recoverylink.errors.InputError`,
    as do unknown codes, missing columns and duplicate rows.
    """
    _check_counts(counts)
    out = counts.reset_index(drop=True).copy()
    n = len(out)
    x = _column(out, "numerator")
    d = _column(out, "denominator")
    ids = out["indicator_id"].to_numpy(dtype=object)

    value = np.full(n, np.nan)
    limits = {name: np.full(n, np.nan) for name in ("lo95", "up95", "lo998", "up998")}
    method = np.full(n, None, dtype=object)
    polarity = np.full(n, "none", dtype=object)
    for ind in INDICATORS:
        rows = ids == ind.id
        if not rows.any():
            continue
        if ind.kind == "proportion":
            est = proportion(x[rows], d[rows], ind.multiplier)
        else:
            est = rate(x[rows], d[rows], ind.multiplier)
        value[rows] = est.value
        limits["lo95"][rows], limits["up95"][rows] = est.lower95, est.upper95
        limits["lo998"][rows], limits["up998"][rows] = est.lower998, est.upper998
        method[rows] = est.method
        polarity[rows] = _polarity_key(ind)
    out["value"] = value
    out["lower_95"] = limits["lo95"]
    out["upper_95"] = limits["up95"]
    out["lower_99_8"] = limits["lo998"]
    out["upper_99_8"] = limits["up998"]
    out["ci_method"] = method

    england_value = _england_values(out)
    out["england_value"] = england_value
    is_england = (out["level"] == "england").to_numpy()
    for column, lo, up in (
        ("compared_95", limits["lo95"], limits["up95"]),
        ("compared_99_8", limits["lo998"], limits["up998"]),
    ):
        labels = np.full(n, NOT_COMPARED, dtype=object)
        for pol in POLARITIES:
            rows = (polarity == (pol or "none")) & ~is_england
            if rows.any():
                labels[rows] = compare_with_benchmark(lo[rows], up[rows], england_value[rows], pol)
        out[column] = labels

    trend, p_value = _trends(out, x, d)
    out["trend"] = trend
    out["trend_p_value"] = p_value
    return out


def _england_values(values: pd.DataFrame) -> FloatArray:
    """England's value for each row's indicator, period and substance group."""
    key = list(GROUP_KEY)
    england = values.loc[values["level"] == "england", [*key, "value"]]
    england = england.rename(columns={"value": "_england_value"})
    merged = values[key].merge(england, on=key, how="left", validate="many_to_one")
    return np.asarray(merged["_england_value"].to_numpy(dtype=np.float64, na_value=np.nan))


def _trends(
    values: pd.DataFrame, x: FloatArray, d: FloatArray
) -> tuple[NDArray[np.object_], FloatArray]:
    """The recent trend label and p-value of every financial-year row.

    Each area's series is laid out as a (series x years) array, padded with
    four missing years in front; each row's window is then the five columns
    ending at its own year, taken for all rows at once by fancy indexing.
    """
    n = len(values)
    trend = np.full(n, None, dtype=object)
    p_value = np.full(n, np.nan)
    fy = (values["period_type"] == FINANCIAL_YEAR).to_numpy()
    if not fy.any():
        return trend, p_value
    fy_rows = values.loc[fy, list(SERIES_KEY)]
    series = fy_rows.groupby(list(SERIES_KEY), sort=False, dropna=False).ngroup().to_numpy()
    years = pd.to_datetime(values.loc[fy, "period_start"]).dt.year.to_numpy(dtype=np.int64)
    first = int(years.min())
    col = years - first + (TREND_YEARS - 1)
    width = int(col.max()) + 1
    if pd.DataFrame({"s": series, "c": col}).duplicated().any():
        raise InputError(
            "two financial-year rows of one indicator, area and substance group start in "
            "the same year"
        )
    num = np.full((int(series.max()) + 1, width), np.nan)
    den = np.full_like(num, np.nan)
    fx, fd = x[fy], d[fy]
    usable = ~(fx > fd)  # a rate above its denominator cannot be tested as a proportion
    num[series, col] = np.where(usable, fx, np.nan)
    den[series, col] = np.where(usable, fd, np.nan)
    window = col[:, None] + np.arange(-(TREND_YEARS - 1), 1)
    win_num = num[series[:, None], window]
    win_den = den[series[:, None], window]

    fy_ids = values.loc[fy, "indicator_id"].to_numpy(dtype=object)
    fy_trend = np.full(len(fy_ids), NOT_CALCULATED, dtype=object)
    fy_p = np.full(len(fy_ids), np.nan)
    for ind in INDICATORS:
        rows = fy_ids == ind.id
        if not rows.any():
            continue
        fy_trend[rows] = recent_trend(
            win_num[rows], win_den[rows], ind.polarity, TREND_CONFIDENCE, TREND_YEARS
        )
        fy_p[rows] = chi_square_trend(win_num[rows], win_den[rows]).p_value
    trend[fy] = fy_trend
    p_value[fy] = fy_p
    return trend, p_value


# -- funnels --------------------------------------------------------------------------


def _kind_and_multiplier(ids: NDArray[np.object_]) -> tuple[NDArray[np.bool_], FloatArray]:
    is_rate = np.zeros(len(ids), dtype=bool)
    mult = np.full(len(ids), np.nan)
    for ind in INDICATORS:
        rows = ids == ind.id
        is_rate[rows] = ind.kind == "rate"
        mult[rows] = ind.multiplier
    return is_rate, mult


def _rate_count_limit(expected: FloatArray, tail: float, side: str) -> FloatArray:
    """The count at which an area with ``expected`` events sits on an exact
    Poisson funnel line: upper line, the count whose exact lower limit
    (:func:`recoverylink.stats.exact_lower`, ``chi2.ppf(tail, 2x) / 2``) equals
    ``expected``; lower line, the count whose exact upper limit
    (``chi2.ppf(1 - tail, 2x + 2) / 2``) equals it. Both are found with
    scipy's inverse of the chi-square CDF in its degrees of freedom
    (``chdtriv``). The lower line is clipped at 0 counts."""
    e = np.where(expected > 0, expected, np.nan)
    with np.errstate(invalid="ignore"):
        if side == "high":
            out = _special.chdtriv(tail, 2.0 * e) / 2.0
        else:
            out = np.maximum(_special.chdtriv(1.0 - tail, 2.0 * e) / 2.0 - 1.0, 0.0)
    return np.asarray(out, dtype=np.float64)


def funnel_points(values: pd.DataFrame, level: str = "local_authority") -> pd.DataFrame:
    """Each area's point on its funnel plot, with the funnel limits at its
    denominator and its position.

    One row per row of ``values`` (:func:`indicator_values`' output) at
    ``level`` (local authorities by default), for every indicator, period
    and substance group; columns :data:`FUNNEL_POINT_COLUMNS`. The limits are
    drawn around England's value (``england_value``), at the area's
    denominator, on the indicator's scale:

    * proportions: :func:`recoverylink.stats.proportion_limit` (PHE's
      Wilson-based lines, as in ``proportion_limits``, clipped to
      ``[0, multiplier]``);
    * rates: the exact Poisson lines at the expected count
      ``E = england_value * denominator / multiplier`` (see
      :func:`_rate_count_limit`), which are the lines
      :func:`recoverylink.stats.rate_table` draws: a point lies above the
      upper line exactly when its exact lower limit is above ``E``.

    ``position`` uses PHE's labels (:mod:`recoverylink.stats.funnels`):
    "High (0.001)" above the upper 99.8% line, else "High (0.025)" above the
    upper 95% line, "Low (0.001)" / "Low (0.025)" below the lower lines, else
    "Not significant"; "not compared" where there is no value or no England
    value. For proportions this is exactly
    :func:`recoverylink.stats.proportion_significance` with England's
    proportion as the average; for rates it is PHE's
    ``rate_significance`` rule with England's rate as the target, except that
    the exact interval is used at every count (PHE switches to Byar's
    approximation from 10 events, which can differ only for a point within a
    hair of a line).
    """
    _require(values, [*COUNT_COLUMNS, "value", "england_value"], "the values table")
    pts = values.loc[values["level"] == level].reset_index(drop=True)
    ids = pts["indicator_id"].to_numpy(dtype=object)
    is_rate, mult = _kind_and_multiplier(ids)
    x = _column(pts, "numerator")
    d = _column(pts, "denominator")
    eng = _column(pts, "england_value")
    ok = (d > 0) & np.isfinite(eng) & np.isfinite(x)

    # Everything is compared on the count scale for rates and the proportion
    # scale (0-1) for proportions, then reported on the indicator's scale.
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = np.where(is_rate, x, x / d)
        expected = eng * d / mult
        to_scale = np.where(is_rate, mult / d, mult)
    lines: dict[str, FloatArray] = {}
    prop = ok & ~is_rate
    rte = ok & is_rate
    for name, tail, side in FUNNEL_LINES:
        line = np.full(len(pts), np.nan)
        if prop.any():
            limit = proportion_limit(d[prop], eng[prop] / mult[prop], 1.0 - tail, side)
            line[prop] = np.clip(limit, 0.0, 1.0)
        if rte.any():
            line[rte] = _rate_count_limit(expected[rte], tail, side)
        lines[name] = line

    position = np.full(len(pts), NOT_COMPARED, dtype=object)
    judged = ok & np.isfinite(lines["lower_95"]) & np.isfinite(lines["upper_95"])
    position[judged] = NOT_SIGNIFICANT
    # Weakest first, so that the strongest label wins (PHE's order).
    with np.errstate(invalid="ignore"):
        position[judged & (observed > lines["upper_95"])] = HIGH_025
        position[judged & (observed > lines["upper_99_8"])] = HIGH_001
        position[judged & (observed < lines["lower_95"])] = LOW_025
        position[judged & (observed < lines["lower_99_8"])] = LOW_001

    out = pts[[c for c in FUNNEL_POINT_COLUMNS if c in pts.columns]].copy()
    for name, _, _ in FUNNEL_LINES:
        out[f"funnel_{name}"] = lines[name] * to_scale
    out["position"] = position
    return out[list(FUNNEL_POINT_COLUMNS)]


def funnel_lines(
    values: pd.DataFrame,
    period_types: Iterable[str] = (FINANCIAL_YEAR,),
    level: str = "local_authority",
    periods: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The funnel lines to draw behind :func:`funnel_points`, in long form.

    For each indicator x period x substance group, the four lines around
    England's value over the range of the ``level`` areas' denominators, as
    PHEindicatormethods' ``calculate_funnel_limits`` builds them: 100 points
    per line from :func:`recoverylink.stats.proportion_table` (proportions)
    or :func:`recoverylink.stats.rate_table` (crude rates, one year of data).
    Those functions centre the lines on the pooled average of the areas they
    are given; to centre them on England instead, they are given each area's
    denominator with the count England's value would give it
    (``england_value * denominator / multiplier``), which leaves the x axis
    the areas' own.

    Columns :data:`FUNNEL_LINE_COLUMNS`: the group's keys, ``line``
    ("lower_95", "upper_95", "lower_99_8", "upper_99_8"), ``point`` (0-99
    along the line), ``denominator`` (x: the population, people or journeys)
    and ``value`` (y, on the indicator's scale), and ``england_value``.

    Only financial years by default (``period_types``), and optionally only
    the ``periods`` named (labels such as "2010-11"): each rate table is a
    numerical search (PHE's Fingertips bisection, about 0.1-0.25 s per
    indicator x period x substance group, so some 20-40 s for the financial
    years of the three rate indicators over ten years), and the rolling
    12-month periods are twelve times as many. Groups with no area of
    positive denominator, or no England value (or, for rates, an England rate
    of 0), have no lines.
    """
    _require(values, [*COUNT_COLUMNS, "value", "england_value"], "the values table")
    wanted = tuple(period_types)
    _check_codes(pd.DataFrame({"period_type": list(wanted)}), "period_type", PERIOD_TYPES)
    chosen = values["period_type"].isin(wanted)
    if periods is not None:
        chosen &= values["period"].isin(list(periods))
    rows = values.loc[
        (values["level"] == level)
        & chosen
        & (pd.to_numeric(values["denominator"]) > 0)
        & values["england_value"].notna(),
        [*GROUP_KEY, "denominator", "england_value"],
    ]
    frames: list[pd.DataFrame] = []
    for key, group in rows.groupby(list(GROUP_KEY), sort=False):
        ind = BY_ID[str(key[0])]
        eng = float(group["england_value"].iloc[0])
        den = group["denominator"].to_numpy(dtype=np.float64)
        count = eng * den / ind.multiplier
        if ind.kind == "proportion":
            table = proportion_table(count, den, ind.multiplier)
            xs = {name: table["Population"].to_numpy() for name, _, _ in FUNNEL_LINES}
        else:
            if not eng > 0:
                continue
            table = rate_table(count, np.full(len(den), eng), ind.multiplier, "crude", 1.0, den)
            xs = {
                name: table[f"{_TABLE_LINE[name]}_population_1_year"].to_numpy()
                for name, _, _ in FUNNEL_LINES
            }
        for name, _, _ in FUNNEL_LINES:
            y = table[f"{_TABLE_LINE[name]}_limit"].to_numpy()
            frames.append(
                pd.DataFrame(
                    {
                        "indicator_id": key[0],
                        "period_type": key[1],
                        "period": key[2],
                        "substance_group": key[3],
                        "line": name,
                        "point": np.arange(len(y)),
                        "denominator": xs[name],
                        "value": y,
                        "england_value": eng,
                    }
                )
            )
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in FUNNEL_LINE_COLUMNS})
    return pd.concat(frames, ignore_index=True)[list(FUNNEL_LINE_COLUMNS)]
