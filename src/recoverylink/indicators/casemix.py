"""Case-mix adjusted comparison of local areas' successful completion rates.

Two steps, as the observed / expected comparisons of NDTMS and PHE Fingertips:

1. :func:`fit_case_mix` fits a person-level logistic regression of
   ``completed`` (0/1) on the categorical case-mix covariates
   (:data:`COVARIATES`) over everyone in treatment in the period (England),
   giving each person's expected probability of completing.
2. :func:`area_comparison` sums, per local area, the observed completions
   ``O`` and the expected ``E`` (the sum of its persons' probabilities) and
   reports the indirectly standardised ratio ``O / E`` with the Poisson limits
   of ``O`` divided by ``E`` (exact below 10 completions, Byar's from 10:
   :func:`recoverylink.stats.standardised_ratio`), the adjusted rate
   ``O / E x`` the overall rate, the position against the ratio funnel
   (:func:`recoverylink.stats.ratio_significance`), and comparator groups of
   areas with a similar case mix.

Choices (see ``docs/statistics.md``):

* **Missing values** (NaN, None, empty or blank strings) of a covariate are a
  level of their own, ``"not_known"``; no person is dropped.
* **Rare and separating levels.** Before fitting, a level with fewer than
  ``min_level_size`` persons (default 20), or with no completions or no
  non-completions (which would make its maximum-likelihood estimate
  infinite), is pooled into ``"other"`` (``"not_known"`` too, when it is
  rare). If the pooled ``"other"`` is itself rare or separating, it is folded
  into the reference level. A covariate left with one level is dropped.
* **Separation by a combination of levels** (e.g. every unemployed woman
  completed) cannot be pooled away level by level: the fit still runs and its
  expected values are the maximum-likelihood ones, but ``separation`` is set
  and ``fit_warnings`` says so, and the estimates involved are very large
  with huge standard errors (odds ratios may be inf).
* **Reference level** of each covariate: its most common level after pooling
  (ties broken alphabetically), so the intercept is the log-odds of a typical
  person. Treatment (dummy) coding; terms are named ``covariate[level]``.
* **Aliased terms** (a dummy that is a linear combination of the others, e.g.
  two covariates whose ``"not_known"`` levels hold the same persons) are left
  out of the fit, as R reports them ``NA``; the coefficient table shows them
  with NaN estimates and ``aliased`` True.
* **Fit**: ``statsmodels`` GLM, binomial family, logit link, IRLS. Wald 95%
  limits and p-values. The c statistic is the area under the ROC curve of the
  fitted probabilities, from the Mann-Whitney U statistic (average ranks, so
  ties count one half).
* **Comparator groups**: areas sorted by expected rate (ties by area code),
  the ``i``-th of ``N`` (from 0) in group ``floor(i k / N) + 1`` of ``k``
  (``k = min(comparator_groups, N)``): ``k`` groups of equal size give or take
  one, the larger ones first; group 1 has the lowest expected rates. The top
  quartile threshold is the 75th percentile of the group's observed rates by
  numpy's default (linear interpolation, R's type 7).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from numpy.typing import ArrayLike
from scipy import special
from scipy import stats as _sp

from recoverylink.errors import InputError
from recoverylink.stats import ratio_significance, ratio_table, standardised_ratio
from recoverylink.stats.funnels import HIGH_001, HIGH_025, LOW_001, LOW_025

COVARIATES: tuple[str, ...] = (
    "age_band",
    "sex",
    "substance_group",
    "injecting_status",
    "accommodation",
    "employment",
    "referral_source",
    "previously_treated",
)

NOT_KNOWN = "not_known"
OTHER = "other"
INTERCEPT = "Intercept"
#: Levels with fewer persons than this are pooled before fitting.
MIN_LEVEL_SIZE = 20
#: A fitted probability this close to 0 or 1 flags (quasi-)separation.
SEPARATION_EPS = 1e-8

ABOVE = "above"
WITHIN = "within"
BELOW = "below"

#: ``ratio_significance`` label -> (position at 95%, position at 99.8%).
_FUNNEL_POSITION: dict[str, tuple[str, str]] = {
    HIGH_001: (ABOVE, ABOVE),
    HIGH_025: (ABOVE, WITHIN),
    LOW_001: (BELOW, BELOW),
    LOW_025: (BELOW, WITHIN),
}

COEFFICIENT_COLUMNS = [
    "term",
    "covariate",
    "level",
    "n_persons",
    "is_reference",
    "aliased",
    "estimate",
    "std_error",
    "odds_ratio",
    "or_lower_95",
    "or_upper_95",
    "p_value",
]

AREA_COLUMNS = [
    "area_code",
    "region_code",
    "n",
    "observed",
    "expected",
    "observed_rate",
    "expected_rate",
    "ratio",
    "ratio_lower_95",
    "ratio_upper_95",
    "ratio_lower_99_8",
    "ratio_upper_99_8",
    "ci_method",
    "adjusted_rate",
    "adjusted_rate_lower_95",
    "adjusted_rate_upper_95",
    "adjusted_rate_lower_99_8",
    "adjusted_rate_upper_99_8",
    "significance",
    "funnel_95",
    "funnel_99_8",
    "comparator_group",
    "group_top_quartile",
    "in_top_quartile",
    "gap_to_top_quartile",
]


class CaseMixError(InputError):
    """Input the case-mix model cannot use (a missing column, an outcome that
    is not 0/1, an outcome with no completions or no non-completions)."""


@dataclass(frozen=True)
class CaseMixModel:
    """A fitted case-mix model.

    ``coefficients`` has one row per level of each covariate kept (reference
    levels with estimate 0 and odds ratio 1) plus the intercept: columns
    :data:`COEFFICIENT_COLUMNS`. ``expected`` is each person's fitted
    probability of completing, indexed like the input. ``recoding`` maps, per
    covariate kept, each level seen (after missing -> ``"not_known"``) to the
    level it was fitted as; ``reference_levels`` names each covariate's
    reference; ``pooled_levels`` lists the levels pooled into another.
    """

    coefficients: pd.DataFrame
    c_statistic: float
    n: int
    events: int
    expected: pd.Series
    covariates: tuple[str, ...]
    dropped_covariates: tuple[str, ...]
    reference_levels: dict[str, str]
    recoding: dict[str, dict[str, str]]
    pooled_levels: dict[str, tuple[str, ...]]
    aliased_terms: tuple[str, ...]
    params: pd.Series
    converged: bool
    iterations: int
    log_likelihood: float
    null_log_likelihood: float
    pseudo_r2: float
    aic: float
    separation: bool = False
    fit_warnings: tuple[str, ...] = field(default=())

    def predict(self, persons: pd.DataFrame) -> pd.Series:
        """Each person's modelled probability of completing, for the persons
        of any frame with the covariate columns. A level the model has not
        seen is scored as ``"other"`` when the model has that level, else as
        the reference level."""
        _check_columns(persons, self.covariates)
        codes = fill_not_known(persons, self.covariates)
        for cov in self.covariates:
            mapping = self.recoding[cov]
            fitted = set(mapping.values())
            unseen = OTHER if OTHER in fitted else self.reference_levels[cov]
            codes[cov] = codes[cov].map(lambda v, m=mapping, u=unseen: m.get(v, u))
        terms = [t for t in self.params.index if t != INTERCEPT]
        x = _dummies(codes, terms)
        eta = self.params[INTERCEPT] + x.to_numpy() @ self.params[terms].to_numpy(float)
        return pd.Series(special.expit(eta), index=persons.index, name="expected")


# -- helpers ------------------------------------------------------------------------


def _check_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CaseMixError(f"persons has no column(s) {missing}")


def _outcome(persons: pd.DataFrame) -> pd.Series:
    _check_columns(persons, ["completed"])
    y = pd.to_numeric(persons["completed"], errors="coerce")
    bad = ~y.isin([0, 1])
    if bad.any():
        raise CaseMixError(
            f"completed must be 0 or 1 for every person; got {persons['completed'][bad].iloc[0]!r}"
        )
    return y.astype(np.int64)


def fill_not_known(persons: pd.DataFrame, covariates: Sequence[str] = COVARIATES) -> pd.DataFrame:
    """The covariate columns as stripped strings, with missing values (NaN,
    None, empty or blank strings) as the level ``"not_known"``."""
    _check_columns(persons, covariates)
    out = pd.DataFrame(index=persons.index)
    for cov in covariates:
        col = persons[cov]
        # clean each distinct value once (a year's persons hold a few hundred
        # thousand rows but only a handful of levels)
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        levels = np.array(
            [str(u).strip() or NOT_KNOWN for u in uniques] + [NOT_KNOWN], dtype=object
        )
        out[cov] = levels[codes]  # code -1 (missing) takes the last entry
    return out


def c_statistic(outcome: ArrayLike, score: ArrayLike) -> float:
    """The c statistic (area under the ROC curve): the share of
    (completer, non-completer) pairs in which the completer has the higher
    score, ties counting one half. From the Mann-Whitney U statistic,
    ``(R1 - n1 (n1 + 1) / 2) / (n1 n0)`` with ``R1`` the sum of the
    completers' average ranks. NaN without both outcomes."""
    y = np.asarray(outcome, dtype=np.float64).ravel()
    s = np.asarray(score, dtype=np.float64).ravel()
    if y.shape != s.shape:
        raise CaseMixError("outcome and score must have the same length")
    if not np.all(np.isin(y, (0.0, 1.0))):
        raise CaseMixError("outcome must be 0 or 1")
    n1 = float(y.sum())
    n0 = float(y.size) - n1
    if n1 == 0 or n0 == 0:
        return math.nan
    ranks = _sp.rankdata(s)  # average ranks for ties
    r1 = float(ranks[y == 1].sum())
    return (r1 - n1 * (n1 + 1.0) / 2.0) / (n1 * n0)


def _pool_levels(
    level: pd.Series, y: pd.Series, min_level_size: int
) -> tuple[dict[str, str], tuple[str, ...]]:
    """The recoding of one covariate's levels (see the module docstring)."""
    table = pd.DataFrame({"level": level.to_numpy(), "y": y.to_numpy()})
    stats = table.groupby("level")["y"].agg(["size", "sum"])

    def weak(size: float, events: float) -> bool:
        return size < min_level_size or events == 0 or events == size

    pooled = [
        str(lev)
        for lev, row in stats.iterrows()
        if weak(float(row["size"]), float(row["sum"])) and lev != OTHER
    ]
    mapping = {str(lev): str(lev) for lev in stats.index}
    for lev in pooled:
        mapping[lev] = OTHER
    recoded = level.map(mapping)
    stats2 = (
        pd.DataFrame({"level": recoded.to_numpy(), "y": y.to_numpy()})
        .groupby("level")["y"]
        .agg(["size", "sum"])
    )
    if OTHER in stats2.index and len(stats2) > 1:
        other_size = stats2["size"].astype(np.float64).to_dict()[OTHER]
        other_events = stats2["sum"].astype(np.float64).to_dict()[OTHER]
        if weak(other_size, other_events):
            target = _most_common(stats2.drop(index=OTHER)["size"])
            for lev, to in list(mapping.items()):
                if to == OTHER:
                    mapping[lev] = target
    return mapping, tuple(sorted(pooled))


def _most_common(sizes: pd.Series) -> str:
    """The level with the most persons; ties go to the first alphabetically."""
    frame = pd.DataFrame({"level": sizes.index.astype(str), "size": sizes.to_numpy()})
    frame = frame.sort_values(["size", "level"], ascending=[False, True])
    return str(frame["level"].iloc[0])


def _exp(value: float) -> float:
    """``exp`` that gives inf rather than raising on overflow, NaN for NaN."""
    with np.errstate(over="ignore"):
        return float(np.exp(value))


def _term(cov: str, level: str) -> str:
    return f"{cov}[{level}]"


def _dummies(codes: pd.DataFrame, terms: Sequence[str]) -> pd.DataFrame:
    cols: dict[str, Any] = {}
    for term in terms:
        cov, level = term[:-1].split("[", 1)
        cols[term] = (codes[cov] == level).to_numpy(np.float64)
    return pd.DataFrame(cols, index=codes.index, columns=list(terms), dtype=np.float64)


def _aliased(x: pd.DataFrame) -> list[str]:
    """Columns that are linear combinations of earlier ones (kept greedily
    left to right, as R's pivoting), found on the cross-product matrix."""
    gram = x.to_numpy().T @ x.to_numpy()
    kept: list[int] = []
    aliased: list[str] = []
    for j, name in enumerate(x.columns):
        idx = [*kept, j]
        sub = gram[np.ix_(idx, idx)]
        if np.linalg.matrix_rank(sub, tol=1e-9 * max(1.0, float(np.abs(sub).max()))) == len(idx):
            kept.append(j)
        else:
            aliased.append(str(name))
    return aliased


# -- the model ----------------------------------------------------------------------


def fit_case_mix(
    persons: pd.DataFrame,
    covariates: Sequence[str] = COVARIATES,
    min_level_size: int = MIN_LEVEL_SIZE,
) -> CaseMixModel:
    """Fit the person-level logistic regression of ``completed`` on
    ``covariates`` (categorical, treatment-coded against each covariate's most
    common level). See the module docstring for missing values, pooling of
    rare levels, dropped covariates and aliased terms."""
    covs = tuple(covariates)
    y = _outcome(persons)
    n = len(y)
    events = int(y.sum())
    if events == 0 or events == n:
        raise CaseMixError(
            f"the case-mix model needs both completions and non-completions; got {events} of {n}"
        )
    codes = fill_not_known(persons, covs)

    kept: list[str] = []
    dropped: list[str] = []
    references: dict[str, str] = {}
    recoding: dict[str, dict[str, str]] = {}
    pooled: dict[str, tuple[str, ...]] = {}
    levels: dict[str, list[str]] = {}
    sizes: dict[str, pd.Series] = {}
    for cov in covs:
        mapping, merged = _pool_levels(codes[cov], y, min_level_size)
        codes[cov] = codes[cov].map(mapping)
        counts = codes[cov].value_counts()
        if len(counts) < 2:
            dropped.append(cov)
            continue
        kept.append(cov)
        recoding[cov] = mapping
        if merged:
            pooled[cov] = merged
        ref = _most_common(counts)
        references[cov] = ref
        levels[cov] = sorted(str(v) for v in counts.index if v != ref)
        sizes[cov] = counts

    terms = [_term(cov, lev) for cov in kept for lev in levels[cov]]
    x = _dummies(codes, terms)
    x.insert(0, INTERCEPT, 1.0)
    aliased = _aliased(x)
    x_fit = x.drop(columns=aliased)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = sm.GLM(y.to_numpy(np.float64), x_fit, family=sm.families.Binomial())
        res = model.fit(tol=1e-10, maxiter=100)
    kept_warnings = []
    for w in caught:
        if issubclass(w.category, DeprecationWarning | FutureWarning):
            warnings.warn(w.message, w.category, stacklevel=2)  # not ours to keep
        else:
            kept_warnings.append(f"{w.category.__name__}: {w.message}")
    fitted = np.asarray(res.fittedvalues, dtype=np.float64)
    separation = bool(np.any((fitted < SEPARATION_EPS) | (fitted > 1.0 - SEPARATION_EPS)))
    if separation:
        kept_warnings.append(
            "separation: fitted probabilities numerically 0 or 1 (a combination of levels "
            "in which everyone or no one completed); the estimates of the terms involved "
            "are not finite"
        )
    fit_warnings = tuple(dict.fromkeys(kept_warnings))

    params = pd.Series(res.params, index=x_fit.columns, dtype=np.float64)
    bse = pd.Series(res.bse, index=x_fit.columns, dtype=np.float64)
    pvalues = pd.Series(res.pvalues, index=x_fit.columns, dtype=np.float64)
    z = float(_sp.norm.ppf(0.975))

    rows: list[dict[str, Any]] = []

    def row(term: str, cov: str, level: str, size: int, is_ref: bool) -> dict[str, Any]:
        if is_ref:
            est, se, p = 0.0, math.nan, math.nan
        else:
            est = float(params.get(term, math.nan))
            se = float(bse.get(term, math.nan))
            p = float(pvalues.get(term, math.nan))
        return {
            "term": term,
            "covariate": cov,
            "level": level,
            "n_persons": size,
            "is_reference": is_ref,
            "aliased": term in aliased,
            "estimate": est,
            "std_error": se,
            "odds_ratio": _exp(est),
            "or_lower_95": _exp(est - z * se),
            "or_upper_95": _exp(est + z * se),
            "p_value": p,
        }

    rows.append(row(INTERCEPT, INTERCEPT, "", n, False))
    for cov in kept:
        ref = references[cov]
        rows.append(row(_term(cov, ref), cov, ref, int(sizes[cov][ref]), True))
        for lev in levels[cov]:
            rows.append(row(_term(cov, lev), cov, lev, int(sizes[cov][lev]), False))
    coefficients = pd.DataFrame(rows, columns=COEFFICIENT_COLUMNS)

    expected = pd.Series(fitted, index=persons.index, name="expected")
    all_params = params.reindex(x.columns).fillna(0.0)  # aliased terms contribute nothing
    return CaseMixModel(
        coefficients=coefficients,
        c_statistic=c_statistic(y.to_numpy(), expected.to_numpy()),
        n=n,
        events=events,
        expected=expected,
        covariates=tuple(kept),
        dropped_covariates=tuple(dropped),
        reference_levels=references,
        recoding=recoding,
        pooled_levels=pooled,
        aliased_terms=tuple(aliased),
        params=all_params,
        converged=bool(getattr(res, "converged", True)),
        iterations=int(res.fit_history.get("iteration", 0)),
        log_likelihood=float(res.llf),
        null_log_likelihood=float(res.llnull),
        pseudo_r2=float(res.pseudo_rsquared(kind="mcf")),
        aic=float(res.aic),
        separation=separation,
        fit_warnings=fit_warnings,
    )


# -- areas --------------------------------------------------------------------------


def assign_comparator_groups(areas: pd.DataFrame, groups: int = 5) -> pd.DataFrame:
    """Add ``comparator_group``, ``group_top_quartile``, ``in_top_quartile``
    and ``gap_to_top_quartile`` to a frame of areas with ``area_code``,
    ``expected_rate`` and ``observed_rate`` (rows keep their order).

    Areas sorted by expected rate (ties by area code); the ``i``-th of ``N``
    (from 0) goes in group ``floor(i k / N) + 1`` with ``k = min(groups, N)``.
    The threshold is the 75th percentile of the group's observed rates,
    numpy's default linear interpolation; an area is in the top quartile when
    its observed rate is at least that, and its gap is the threshold minus its
    rate (0 when in it)."""
    _check_columns(areas, ["area_code", "expected_rate", "observed_rate"])
    if int(groups) < 1:
        raise CaseMixError(f"comparator_groups must be at least 1; got {groups!r}")
    out = areas.copy()
    count = len(out)
    k = min(int(groups), count)
    order = np.lexsort(
        (out["area_code"].astype(str).to_numpy(), out["expected_rate"].to_numpy(np.float64))
    )
    group = np.empty(count, dtype=np.int64)
    group[order] = np.arange(count) * k // max(count, 1) + 1
    out["comparator_group"] = group
    rates = out["observed_rate"].astype(np.float64)
    top = rates.groupby(out["comparator_group"]).transform(lambda r: float(np.quantile(r, 0.75)))
    out["group_top_quartile"] = top
    out["in_top_quartile"] = rates >= top
    out["gap_to_top_quartile"] = (top - rates).clip(lower=0.0)
    return out


def area_comparison(
    persons: pd.DataFrame,
    model: CaseMixModel | pd.Series,
    comparator_groups: int = 5,
    reference_rate: float | None = None,
) -> pd.DataFrame:
    """One row per area (columns :data:`AREA_COLUMNS`, sorted by area code):
    observed and expected completions, the ratio ``O / E`` with its 95% and
    99.8% limits (Poisson limits of ``O``, exact below 10 and Byar's from 10,
    divided by ``E``; ``ci_method`` says which), the adjusted rate (ratio x
    ``reference_rate``, by default the overall rate of ``persons``: England's
    when they are all of England) with its limits, the PHE funnel label
    (``significance``) and the position at each level (``funnel_95``,
    ``funnel_99_8``: "above", "within", "below" the funnel around ratio 1),
    and the comparator groups (:func:`assign_comparator_groups`).

    ``model`` is a fitted :class:`CaseMixModel` (its ``expected`` is used
    when it is indexed like ``persons``, else it predicts) or a Series of
    each person's expected probability indexed like ``persons``."""
    _check_columns(persons, ["area_code", "region_code", "completed"])
    y = _outcome(persons)
    if isinstance(model, CaseMixModel):
        if persons.index.equals(model.expected.index):
            expected = model.expected
        else:
            expected = model.predict(persons)
    else:
        expected = pd.Series(model, dtype=np.float64).reindex(persons.index)
    if expected.isna().any() or (expected < 0).any() or (expected > 1).any():
        raise CaseMixError("expected probabilities must be given for every person, in [0, 1]")
    if persons["area_code"].isna().any():
        raise CaseMixError("every person needs an area_code")

    work = pd.DataFrame(
        {
            "area_code": persons["area_code"].astype(str).to_numpy(),
            "region_code": persons["region_code"].to_numpy(),
            "y": y.to_numpy(np.float64),
            "e": expected.to_numpy(np.float64),
        }
    )
    g = work.groupby("area_code", sort=True)
    areas = pd.DataFrame(
        {
            "n": g.size(),
            "observed": g["y"].sum(),
            "expected": g["e"].sum(),
            "region_code": g["region_code"].agg(_mode),
        }
    ).reset_index()
    areas["observed"] = areas["observed"].astype(np.int64)
    areas["observed_rate"] = areas["observed"] / areas["n"]
    areas["expected_rate"] = areas["expected"] / areas["n"]

    o = areas["observed"].to_numpy(np.float64)
    e = areas["expected"].to_numpy(np.float64)
    est = standardised_ratio(o, e)
    areas["ratio"] = est.value
    areas["ratio_lower_95"] = est.lower95
    areas["ratio_upper_95"] = est.upper95
    areas["ratio_lower_99_8"] = est.lower998
    areas["ratio_upper_99_8"] = est.upper998
    areas["ci_method"] = est.method

    overall = float(y.sum()) / len(y) if reference_rate is None else float(reference_rate)
    for src, dst in (
        ("ratio", "adjusted_rate"),
        ("ratio_lower_95", "adjusted_rate_lower_95"),
        ("ratio_upper_95", "adjusted_rate_upper_95"),
        ("ratio_lower_99_8", "adjusted_rate_lower_99_8"),
        ("ratio_upper_99_8", "adjusted_rate_upper_99_8"),
    ):
        areas[dst] = areas[src] * overall

    labels = np.asarray(ratio_significance(o, e), dtype=object).ravel()
    areas["significance"] = labels
    areas["funnel_95"] = [_FUNNEL_POSITION.get(lab, (WITHIN, WITHIN))[0] for lab in labels]
    areas["funnel_99_8"] = [_FUNNEL_POSITION.get(lab, (WITHIN, WITHIN))[1] for lab in labels]

    areas = assign_comparator_groups(areas, comparator_groups)
    return areas[AREA_COLUMNS]


def _mode(values: pd.Series) -> Any:
    """The most common non-missing value (the first alphabetically on ties)."""
    counts = values.dropna().astype(str).value_counts()
    if counts.empty:
        return None
    return _most_common(counts)


def funnel_lines(areas: pd.DataFrame) -> pd.DataFrame:
    """The funnel around ratio 1 for :func:`area_comparison`'s areas, as
    PHE's 100-point ratio table (:func:`recoverylink.stats.ratio_table`): for
    each number of observed events, the expected events at which it sits on
    each line and the ratio there. Columns ``observed_events``, then
    ``{line}_expected`` and ``{line}_ratio`` for the lines ``lower_95``,
    ``upper_95``, ``lower_99_8``, ``upper_99_8``, and ``target`` (1)."""
    _check_columns(areas, ["observed", "expected"])
    table = ratio_table(
        areas["observed"].to_numpy(np.float64),
        areas["expected"].to_numpy(np.float64),
        ratio_type="count",
    )
    out = pd.DataFrame({"observed_events": table["Observed_events"]})
    for ours, phe in (
        ("lower_95", "lower_2s"),
        ("upper_95", "upper_2s"),
        ("lower_99_8", "lower_3s"),
        ("upper_99_8", "upper_3s"),
    ):
        out[f"{ours}_expected"] = table[f"{phe}_exp_events"]
        out[f"{ours}_ratio"] = table[f"{phe}_limit"] + 1.0
    out["target"] = 1.0
    return out
