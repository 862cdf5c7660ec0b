"""Directly and indirectly standardised rates and ratios.

Directly standardised rate (DSR), for strata ``i`` (age bands) with observed
events ``x_i``, population ``n_i`` and standard population ``w_i``::

    DSR   = sum(w_i x_i / n_i) / sum(w_i) * multiplier
    var   = sum(x_i (w_i / n_i)^2) / sum(w_i)^2
    O     = sum(x_i)
    limit = DSR + sqrt(var / O) * (Byar(O) - O) * multiplier

(Dobson A et al. 1991, Stat Med 10:457-62, with Byar's limits for the total
count O; PHEindicatormethods ``calculate_dsr``.) DSRs of fewer than 10 events
are not published: value and limits are NaN and the statistic says
"dsr NA for total count < 10".

For non-independent events (one person may have several), the data give, per
stratum and event frequency ``f``, the number of people ``x_fi`` with exactly
``f`` events. The events are ``sum_f f x_fi``; the variance is replaced by
``sum_f f^2 var_f`` where ``var_f`` is the Dobson variance of the people with
frequency ``f`` (PHEindicatormethods ``calculate_dsr(independent_events =
FALSE)``).

Indirect standardisation: expected events ``E = sum(n_i R_i / N_i)`` from the
reference counts ``R_i`` and populations ``N_i``; the ratio ``O / E`` and the
rate ``O / E * reference rate`` take their limits from the Poisson limits of O
(exact below 10, Byar's from 10) divided by E (PHEindicatormethods
``calculate_ISRatio`` and ``calculate_ISRate``). The same ratio serves the
case-mix adjusted observed/expected comparison, where E is the sum of each
person's modelled probability.

Array functions take strata on the last axis and any number of leading axes
(areas x years x breakdowns); the ``*_table`` functions take long data frames.
Missing event counts count as 0 (as PHE's ``na.zero``); a zero or missing
population in any stratum makes that group's results NaN (PHE raises instead).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from recoverylink.stats.estimate import Estimate, FloatArray
from recoverylink.stats.inputs import (
    StatsInputError,
    as_floats,
    check_finite_or_nan,
    check_multiplier,
    check_non_negative,
    format_multiplier,
    safe_divide,
    z_for,
)
from recoverylink.stats.rates import _byars_lower, _byars_upper, poisson_limits

#: Below this many events a DSR is not calculated.
DSR_MIN_COUNT = 10


def _events(name: str, value: ArrayLike) -> FloatArray:
    arr = as_floats(name, value)
    check_finite_or_nan(name, arr)
    check_non_negative(name, arr)
    return np.nan_to_num(arr, nan=0.0)


def _populations(name: str, value: ArrayLike) -> FloatArray:
    arr = as_floats(name, value)
    check_finite_or_nan(name, arr)
    check_non_negative(name, arr)
    return arr


def _dobson(
    total_count: FloatArray,
    total_pop: FloatArray,
    value: FloatArray,
    var: FloatArray,
    multiplier: float,
) -> Estimate:
    """Dobson limits around ``value`` from the total count and the variance."""
    o = np.asarray(total_count, dtype=np.float64)
    scale = np.sqrt(safe_divide(var, o)) * multiplier
    limits = {}
    for conf in (0.95, 0.998):
        z = z_for(conf)
        limits[conf] = (
            value + scale * (_byars_lower(o, z) - o),
            value + scale * (_byars_upper(o, z) - o),
        )
    small = ~(o >= DSR_MIN_COUNT)

    def hide(a: FloatArray) -> FloatArray:
        return np.asarray(np.where(small, np.nan, a), dtype=np.float64)

    statistic = np.where(
        small, "dsr NA for total count < 10", f"dsr per {format_multiplier(multiplier)}"
    ).astype(object)
    return Estimate(
        value=hide(value),
        lower95=hide(limits[0.95][0]),
        upper95=hide(limits[0.95][1]),
        lower998=hide(limits[0.998][0]),
        upper998=hide(limits[0.998][1]),
        method=np.full(o.shape, "Dobson", dtype=object),
        statistic=statistic,
        extra={"total_count": o, "total_pop": np.asarray(total_pop, dtype=np.float64)},
    )


def dsr(
    count: ArrayLike, pop: ArrayLike, stdpop: ArrayLike, multiplier: float = 100000.0
) -> Estimate:
    """Directly standardised rates with Dobson limits, strata on the last axis.

    ``count`` and ``pop`` have shape (..., strata); ``stdpop`` broadcasts to
    them (usually one row of standard population weights such as ESP 2013).
    """
    x = _events("count", count)
    n = _populations("pop", pop)
    w = _populations("stdpop", stdpop)
    m = check_multiplier(multiplier)
    x, n, w = np.broadcast_arrays(x, n, w)
    if x.ndim == 0:
        raise StatsInputError("dsr needs at least one stratum (an array, strata on the last axis)")
    ratio = safe_divide(w, np.where(n > 0, n, 0.0))  # NaN where a population is 0
    sum_w = w.sum(axis=-1)
    value = safe_divide((x * ratio).sum(axis=-1), sum_w) * m
    var = safe_divide((x * ratio**2).sum(axis=-1), sum_w**2)
    return _dobson(x.sum(axis=-1), n.sum(axis=-1), value, var, m)


def dsr_nonindependent(
    individuals: ArrayLike,
    eventfreq: ArrayLike,
    pop: ArrayLike,
    stdpop: ArrayLike,
    multiplier: float = 100000.0,
) -> Estimate:
    """DSRs for non-independent events (PHE ``independent_events = FALSE``).

    ``individuals`` has shape (..., frequencies, strata): the number of people
    in each stratum with exactly ``eventfreq[f]`` events; ``eventfreq``
    broadcasts to (..., frequencies); ``pop`` and ``stdpop`` to (..., strata).
    """
    x = _events("individuals", individuals)
    f = _events("eventfreq", eventfreq)
    n = _populations("pop", pop)
    w = _populations("stdpop", stdpop)
    m = check_multiplier(multiplier)
    if x.ndim < 2:
        raise StatsInputError("individuals must have shape (..., frequencies, strata)")
    n, w = np.broadcast_arrays(n, w)
    ratio = safe_divide(w, np.where(n > 0, n, 0.0))  # (..., strata)
    sum_w = w.sum(axis=-1)  # (...)
    f = np.broadcast_to(f, x.shape[:-1])  # (..., frequencies)
    events = (f[..., None] * x).sum(axis=-2)  # (..., strata)
    var_f = safe_divide((x * ratio[..., None, :] ** 2).sum(axis=-1), (sum_w**2)[..., None])
    var = (f**2 * var_f).sum(axis=-1)
    value = safe_divide((events * ratio).sum(axis=-1), sum_w) * m
    return _dobson(events.sum(axis=-1), n.sum(axis=-1), value, var, m)


def expected_events(pop: ArrayLike, ref_count: ArrayLike, ref_pop: ArrayLike) -> FloatArray:
    """Expected events ``sum(pop_i * ref_count_i / ref_pop_i)`` over the last axis
    (NaN where a reference population is 0)."""
    n = _populations("pop", pop)
    rc = _events("ref_count", ref_count)
    rn = _populations("ref_pop", ref_pop)
    return np.asarray((n * safe_divide(rc, rn)).sum(axis=-1), dtype=np.float64)


def reference_rate(ref_count: ArrayLike, ref_pop: ArrayLike) -> FloatArray:
    """The crude reference rate ``sum(ref_count) / sum(ref_pop)`` over the last axis."""
    rc = _events("ref_count", ref_count)
    rn = _populations("ref_pop", ref_pop)
    return safe_divide(rc.sum(axis=-1), rn.sum(axis=-1))


def _indirect(
    observed: FloatArray, expected: FloatArray, factor: FloatArray, statistic: str
) -> Estimate:
    o, e, k = np.broadcast_arrays(observed, expected, factor)
    scale = safe_divide(k, e)
    lo95, up95, method = poisson_limits(o, 0.95)
    lo998, up998, _ = poisson_limits(o, 0.998)
    return Estimate(
        value=o * scale,
        lower95=lo95 * scale,
        upper95=up95 * scale,
        lower998=lo998 * scale,
        upper998=up998 * scale,
        method=method,
        statistic=np.full(o.shape, statistic, dtype=object),
        extra={"observed": o, "expected": e},
    )


def standardised_ratio(
    observed: ArrayLike, expected: ArrayLike, multiplier: float = 1.0
) -> Estimate:
    """Observed / expected x ``multiplier`` (indirectly standardised ratio, SMR,
    case-mix O/E) with Poisson limits on the observed count."""
    o = _events("observed", observed)
    e = _populations("expected", expected)
    m = check_multiplier(multiplier)
    return _indirect(o, e, np.asarray(m), f"indirectly standardised ratio x {format_multiplier(m)}")


def indirectly_standardised_rate(
    observed: ArrayLike,
    expected: ArrayLike,
    ref_rate: ArrayLike,
    multiplier: float = 100000.0,
) -> Estimate:
    """Observed / expected x the reference rate (events per person) x
    ``multiplier``, with Poisson limits on the observed count."""
    o = _events("observed", observed)
    e = _populations("expected", expected)
    r = _populations("ref_rate", ref_rate)
    m = check_multiplier(multiplier)
    est = _indirect(o, e, r * m, f"indirectly standardised rate per {format_multiplier(m)}")
    est.extra["ref_rate"] = np.broadcast_to(r * m, est.value.shape)
    return est


# -- long data frames -----------------------------------------------------------------


def _check_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise StatsInputError(f"data has no column(s) {missing}")


def _check_same_rows(frame: pd.DataFrame, by: list[str]) -> None:
    sizes = frame.groupby(by, sort=False, dropna=False).size()
    if sizes.nunique() > 1:
        raise StatsInputError(
            "every group must have the same number of strata rows; "
            f"found {sorted(sizes.unique().tolist())}"
        )


def dsr_table(
    frame: pd.DataFrame,
    by: Sequence[str],
    count: str,
    pop: str,
    stdpop: str,
    multiplier: float = 100000.0,
) -> pd.DataFrame:
    """:func:`dsr` for a long frame with one row per group and stratum; one
    output row per group (``by`` columns first, then PHE's column names)."""
    keys = list(by)
    _check_columns(frame, [*keys, count, pop, stdpop])
    _check_same_rows(frame, keys)
    x = _events(count, frame[count].to_numpy(float))
    n = _populations(pop, frame[pop].to_numpy(float))
    w = _populations(stdpop, frame[stdpop].to_numpy(float))
    ratio = safe_divide(w, np.where(n > 0, n, 0.0))
    work = pd.DataFrame(
        {"x": x, "n": n, "w": w, "wt": x * ratio, "sq": x * ratio**2, "bad": ~(n > 0)}
    )
    for k in keys:
        work[k] = frame[k].to_numpy()
    g = work.groupby(keys, sort=False, dropna=False).agg(
        x=("x", "sum"), n=("n", "sum"), w=("w", "sum"), wt=("wt", "sum"),
        sq=("sq", "sum"), bad=("bad", "max"),
    )  # fmt: skip
    m = check_multiplier(multiplier)
    bad = g["bad"].to_numpy(bool)
    value = np.where(bad, np.nan, safe_divide(g["wt"], g["w"]) * m)
    var = np.where(bad, np.nan, safe_divide(g["sq"], g["w"].to_numpy(float) ** 2))
    est = _dobson(g["x"].to_numpy(float), g["n"].to_numpy(float), value, var, m)
    return pd.concat([g.index.to_frame(index=False), est.to_frame()], axis=1)


def dsr_nonindependent_table(
    frame: pd.DataFrame,
    by: Sequence[str],
    stratum: str,
    eventfreq: str,
    individuals: str,
    pop: str,
    stdpop: str,
    multiplier: float = 100000.0,
) -> pd.DataFrame:
    """:func:`dsr_nonindependent` for a long frame with one row per group,
    stratum and event frequency (every frequency listing every stratum)."""
    keys = list(by)
    _check_columns(frame, [*keys, stratum, eventfreq, individuals, pop, stdpop])
    _check_same_rows(frame, [*keys, eventfreq])
    per_stratum = frame.groupby([*keys, stratum], sort=False, dropna=False)
    if (per_stratum[pop].nunique(dropna=False) > 1).any() or (
        per_stratum[stdpop].nunique(dropna=False) > 1
    ).any():
        raise StatsInputError(
            "rows of one group and stratum must share one population and standard population"
        )
    x = _events(individuals, frame[individuals].to_numpy(float))
    f = _events(eventfreq, frame[eventfreq].to_numpy(float))
    n = _populations(pop, frame[pop].to_numpy(float))
    w = _populations(stdpop, frame[stdpop].to_numpy(float))
    ratio = safe_divide(w, np.where(n > 0, n, 0.0))
    work = pd.DataFrame({"sq": x * ratio**2, "w": w, "f": f, "ev": f * x, "bad": ~(n > 0)})
    work["evwt"] = work["ev"] * ratio
    for k in [*keys, stratum]:
        work[k] = frame[k].to_numpy()
    work["_f"] = f
    per_freq = work.groupby([*keys, "_f"], sort=False, dropna=False).agg(
        sq=("sq", "sum"), w=("w", "sum")
    )
    f_of = per_freq.index.get_level_values("_f").to_numpy(float)
    per_freq["v"] = f_of**2 * safe_divide(per_freq["sq"], per_freq["w"].to_numpy(float) ** 2)
    var = per_freq.groupby(level=list(range(len(keys))), sort=False)["v"].sum()
    strata = work.groupby([*keys, stratum], sort=False, dropna=False).agg(
        ev=("ev", "sum"), evwt=("evwt", "sum"), bad=("bad", "max")
    )
    strata["n"] = per_stratum[pop].first().to_numpy(float)
    strata["w"] = per_stratum[stdpop].first().to_numpy(float)
    g = strata.groupby(level=list(range(len(keys))), sort=False).agg(
        x=("ev", "sum"), evwt=("evwt", "sum"), n=("n", "sum"), w=("w", "sum"), bad=("bad", "max")
    )
    m = check_multiplier(multiplier)
    bad = g["bad"].to_numpy(bool)
    value = np.where(bad, np.nan, safe_divide(g["evwt"], g["w"]) * m)
    var_arr = np.where(bad, np.nan, var.reindex(g.index).to_numpy(float))
    est = _dobson(g["x"].to_numpy(float), g["n"].to_numpy(float), value, var_arr, m)
    return pd.concat([g.index.to_frame(index=False), est.to_frame()], axis=1)


def isr_table(
    frame: pd.DataFrame,
    by: Sequence[str],
    count: str,
    pop: str,
    ref_count: str,
    ref_pop: str,
    multiplier: float = 100000.0,
    ratio: bool = False,
) -> pd.DataFrame:
    """Indirectly standardised rates (or, with ``ratio=True``, ratios) for a
    long frame with one row per group and stratum."""
    keys = list(by)
    _check_columns(frame, [*keys, count, pop, ref_count, ref_pop])
    x = _events(count, frame[count].to_numpy(float))
    n = _populations(pop, frame[pop].to_numpy(float))
    rc = _events(ref_count, frame[ref_count].to_numpy(float))
    rn = _populations(ref_pop, frame[ref_pop].to_numpy(float))
    e_row = n * safe_divide(rc, rn)
    work = pd.DataFrame({"x": x, "e": e_row, "rc": rc, "rn": rn, "bad": np.isnan(e_row)})
    for k in keys:
        work[k] = frame[k].to_numpy()
    g = work.groupby(keys, sort=False, dropna=False).agg(
        x=("x", "sum"), e=("e", "sum"), rc=("rc", "sum"), rn=("rn", "sum"), bad=("bad", "max")
    )
    o = g["x"].to_numpy(float)
    e = np.where(g["bad"].to_numpy(bool), np.nan, g["e"].to_numpy(float))
    if ratio:
        est = standardised_ratio(o, e, multiplier)
    else:
        est = indirectly_standardised_rate(o, e, safe_divide(g["rc"], g["rn"]), multiplier)
    return pd.concat([g.index.to_frame(index=False), est.to_frame()], axis=1)
