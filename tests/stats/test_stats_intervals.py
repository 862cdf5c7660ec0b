"""Intervals, standardisation and funnels beyond the vectors: values worked
by hand (arithmetic in the comments), agreement with statsmodels/scipy where
they have the same method, input errors, zero denominators and arrays."""

from __future__ import annotations

import doctest
import math
import time

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sp
from stats_vector_io import VECTORS
from statsmodels.stats.proportion import proportion_confint

from recoverylink import stats
from recoverylink.errors import InputError
from recoverylink.stats import (
    compare,
    estimate,
    funnel_tables,
    funnels,
    inputs,
    means,
    proportions,
    rates,
    standardised,
    trend,
)


@pytest.mark.parametrize(
    "module",
    [
        compare,
        estimate,
        funnel_tables,
        funnels,
        inputs,
        means,
        proportions,
        rates,
        standardised,
        trend,
    ],
)
def test_doctests(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.failed == 0


# -- Wilson ---------------------------------------------------------------------------


def test_wilson_zero_cases_by_hand() -> None:
    # x = 0: lower = (0 + z^2 - z*sqrt(z^2)) / ... = 0 exactly;
    # upper = 2 z^2 / (2 (n + z^2)) = z^2 / (n + z^2); z = 1.959964, z^2 = 3.841459
    # n = 10: 3.841459 / 13.841459 = 0.277533
    assert stats.wilson_lower(0, 10) == 0.0
    assert stats.wilson_upper(0, 10) == pytest.approx(0.277533, abs=1e-6)
    # x = n: the mirror image, lower = n / (n + z^2) = 10 / 13.841459 = 0.722467
    assert stats.wilson_lower(10, 10) == pytest.approx(0.722467, abs=1e-6)
    assert stats.wilson_upper(10, 10) == pytest.approx(1.0)


def test_wilson_agrees_with_statsmodels() -> None:
    x = np.array([0, 1, 5, 20, 65, 99, 100, 1045])
    n = np.array([100, 100, 100, 100, 100, 100, 100, 5000])
    for conf in (0.95, 0.998):
        lo_sm, up_sm = proportion_confint(x, n, alpha=1 - conf, method="wilson")
        np.testing.assert_allclose(stats.wilson_lower(x, n, conf), lo_sm, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(stats.wilson_upper(x, n, conf), up_sm, rtol=1e-10)


def test_proportion_zero_denominator_is_nan() -> None:
    est = stats.proportion([5, 0], [10, 0], multiplier=100)
    assert est.value[0] == 50.0
    for arr in (est.value, est.lower95, est.upper95, est.lower998, est.upper998):
        assert np.isnan(arr[1])


@pytest.mark.parametrize(
    ("x", "n", "message"),
    [
        (11, 10, "must not exceed"),
        (-1, 10, "zero or more"),
        (1, -10, "zero or more"),
        (1, np.inf, "finite"),
        ("a", 10, "numeric"),
    ],
)
def test_proportion_impossible_inputs(x: object, n: object, message: str) -> None:
    with pytest.raises(stats.StatsInputError, match=message) as info:
        stats.proportion(x, n)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError) and isinstance(info.value, InputError)


@pytest.mark.parametrize("confidence", [95, 0, 1, -0.5, "high"])
def test_confidence_must_be_a_fraction(confidence: object) -> None:
    with pytest.raises(stats.StatsInputError, match="confidence"):
        stats.wilson_lower(1, 10, confidence)  # type: ignore[arg-type]


def test_missing_values_propagate_as_nan() -> None:
    est = stats.proportion([np.nan, 3], [10, np.nan])
    assert np.isnan(est.value).all() and np.isnan(est.lower95).all()
    assert np.isnan(stats.rate(np.nan, 100).value)


# -- Poisson ----------------------------------------------------------------------------


def test_exact_poisson_closed_forms() -> None:
    # For x = 0 and x = 1 the chi-square quantiles have closed forms (shape-1 gamma):
    # upper(0) = -ln((1 - c)/2): c = 0.95 -> -ln(0.025) = 3.688879
    # lower(1) = -ln(1 - (1 - c)/2): c = 0.95 -> -ln(0.975) = 0.025318
    assert stats.exact_lower(0) == 0.0
    assert stats.exact_upper(0) == pytest.approx(-math.log(0.025), rel=1e-12)
    assert stats.exact_lower(1) == pytest.approx(-math.log(0.975), rel=1e-12)
    assert stats.exact_upper(0, 0.998) == pytest.approx(-math.log(0.001), rel=1e-12)


def test_exact_poisson_inverts_the_poisson_tails() -> None:
    # the exact limits are the means at which P(X >= x) and P(X <= x) are each 2.5%
    x = np.array([1.0, 3.0, 9.0])
    lo, up = stats.exact_lower(x), stats.exact_upper(x)
    np.testing.assert_allclose(sp.poisson.sf(x - 1, lo), 0.025, rtol=1e-9)
    np.testing.assert_allclose(sp.poisson.cdf(x, up), 0.025, rtol=1e-9)


def test_byars_by_hand_and_its_gaps() -> None:
    # x = 100, z = 1.959964: lower = 100 (1 - 1/900 - 1.959964/30)^3
    #   = 100 * (1 - 0.001111 - 0.065332)^3 = 100 * 0.933557^3 = 81.3616
    assert stats.byars_lower(100) == pytest.approx(81.3616, abs=1e-3)
    # x = 0 is undefined and a negative lower limit is not returned
    assert np.isnan(stats.byars_lower(0))
    assert np.isnan(stats.byars_lower(1, 0.998))


def test_rate_switches_method_at_ten() -> None:
    est = stats.rate([9, 10], [1000, 1000], 1000)
    assert est.method.tolist() == ["Exact", "Byars"]
    assert est.value.tolist() == [9.0, 10.0]
    assert est.lower95[0] == pytest.approx(stats.exact_lower(9))
    assert est.lower95[1] == pytest.approx(stats.byars_lower(10))


def test_rate_zero_denominator_and_errors() -> None:
    assert np.isnan(stats.rate(3, 0).upper95)
    with pytest.raises(stats.StatsInputError):
        stats.rate(-3, 10)
    with pytest.raises(stats.StatsInputError):
        stats.rate(3, -10)
    with pytest.raises(stats.StatsInputError, match="multiplier"):
        stats.rate(3, 10, multiplier=0)


# -- means ------------------------------------------------------------------------------


def test_mean_by_hand() -> None:
    # values 2, 4, 6: mean 4, sd = sqrt(((-2)^2 + 0 + 2^2) / 2) = 2, se = 2 / sqrt(3)
    # t(0.975, 2) = 4.302653 -> half width 4.302653 * 1.154701 = 4.968275
    est = stats.mean([2.0, 4.0, 6.0])
    assert est.value[0] == 4.0
    assert est.lower95[0] == pytest.approx(4 - 4.968275, abs=1e-6)
    assert est.upper95[0] == pytest.approx(4 + 4.968275, abs=1e-6)


def test_mean_of_one_value_has_no_limits() -> None:
    est = stats.mean([5.0, 1.0, 2.0], groups=["a", "b", "b"])
    frame = est.to_frame().set_index("group")
    assert frame.loc["a", "value"] == 5.0 and np.isnan(frame.loc["a", "lower95_0cl"])
    assert frame.loc["b", "value"] == 1.5


# -- standardisation ---------------------------------------------------------------------


def test_dsr_by_hand() -> None:
    # strata: x = (10, 20), n = (1000, 2000), standard weights (1, 3)
    # value = (1 * 10/1000 + 3 * 20/2000) / 4 * 1e5 = (0.01 + 0.03) / 4 * 1e5 = 1000
    # var   = (10 (1/1000)^2 + 20 (3/2000)^2) / 4^2 = (1e-5 + 4.5e-5) / 16 = 3.4375e-6
    # limits = 1000 + sqrt(var / 30) * (Byar(30) - 30) * 1e5
    est = stats.dsr([10, 20], [1000, 2000], [1, 3])
    assert est.value == pytest.approx(1000.0)
    k = math.sqrt(3.4375e-6 / 30) * 1e5
    assert est.lower95 == pytest.approx(1000 + k * (stats.byars_lower(30) - 30))
    assert est.upper998 == pytest.approx(1000 + k * (stats.byars_upper(30, 0.998) - 30))
    assert est.extra["total_count"] == 30 and est.extra["total_pop"] == 3000


def test_dsr_small_counts_and_zero_populations() -> None:
    est = stats.dsr([[4, 5], [10, 20], [10, 20]], [[100, 100], [100, 0], [100, 100]], [1, 1])
    assert np.isnan(est.value[0]) and est.statistic[0] == "dsr NA for total count < 10"
    assert np.isnan(est.value[1]) and np.isnan(est.upper95[1])  # a zero population
    assert not np.isnan(est.value[2])


def test_dsr_arrays_equal_the_table_version() -> None:
    frame = pd.read_csv(VECTORS / "dsr_inputs.csv")
    esp = frame[frame["standard"] == "esp2013"]
    table = stats.dsr_table(esp, ["area"], "count", "pop", "stdpop")
    count = esp["count"].to_numpy(float).reshape(3, 19)
    pop = esp["pop"].to_numpy(float).reshape(3, 19)
    est = stats.dsr(count, pop, esp["stdpop"].to_numpy(float)[:19])
    np.testing.assert_allclose(est.value, table["value"], equal_nan=True)
    np.testing.assert_allclose(est.lower998, table["lower99_8cl"], equal_nan=True)


def test_nonindependent_dsr_arrays_equal_the_table_version() -> None:
    frame = pd.read_csv(VECTORS / "dsr_nonindependent_inputs.csv")
    table = stats.dsr_nonindependent_table(
        frame, ["area"], "ageband", "eventfreq", "individuals", "pop", "stdpop"
    ).set_index("area")
    big = frame[frame["area"] == "testdata_nonind_big"]
    x = big["individuals"].to_numpy(float).reshape(4, 19)
    est = stats.dsr_nonindependent(
        x, [1, 2, 3, 4], big["pop"].to_numpy(float)[:19], big["stdpop"].to_numpy(float)[:19]
    )
    assert est.value == pytest.approx(table.loc["testdata_nonind_big", "value"])
    assert est.upper95 == pytest.approx(table.loc["testdata_nonind_big", "upper95_0cl"])


def test_nonindependent_with_single_events_is_the_ordinary_dsr() -> None:
    # everyone with exactly one event: the events are independent
    x = np.array([[12.0, 30.0, 7.0]])
    est = stats.dsr_nonindependent(x, [1], [500, 800, 300], [2, 3, 1])
    plain = stats.dsr(x[0], [500, 800, 300], [2, 3, 1])
    assert est.value == pytest.approx(plain.value)
    assert est.lower95 == pytest.approx(plain.lower95)


def test_standardised_ratio_by_hand() -> None:
    # O = 20, E = 16: ratio 1.25; 95% limits = Byar(20) / 16
    est = stats.standardised_ratio(20, 16, multiplier=100)
    assert est.value == pytest.approx(125.0)
    assert est.lower95 == pytest.approx(stats.byars_lower(20) / 16 * 100)
    assert est.method == "Byars"
    assert np.isnan(stats.standardised_ratio(3, 0).value)


def test_expected_events_and_reference_rate_by_hand() -> None:
    # pop (100, 200), reference rates 10/1000 and 30/1000: E = 1 + 6 = 7;
    # reference rate = 40 / 2000 = 0.02
    assert stats.expected_events([100, 200], [10, 30], [1000, 1000]) == pytest.approx(7.0)
    assert stats.reference_rate([10, 30], [1000, 1000]) == pytest.approx(0.02)
    est = stats.indirectly_standardised_rate(14, 7, 0.02, 1000)
    assert est.value == pytest.approx(40.0)  # 14 / 7 * 0.02 * 1000
    assert est.extra["ref_rate"] == pytest.approx(20.0)


def test_table_functions_reject_ragged_groups() -> None:
    frame = pd.DataFrame(
        {"area": ["a", "a", "b"], "x": [1, 2, 3], "n": [10, 10, 10], "w": [1, 1, 1]}
    )
    with pytest.raises(stats.StatsInputError, match="same number"):
        stats.dsr_table(frame, ["area"], "x", "n", "w")
    with pytest.raises(stats.StatsInputError, match="no column"):
        stats.dsr_table(frame, ["area"], "count", "n", "w")


# -- funnels ----------------------------------------------------------------------------


def test_proportion_funnel_line_is_where_wilson_meets_the_average() -> None:
    # A proportion y on the upper 95% line at population N has its Wilson 95%
    # lower limit exactly at the average (that is what the closed form solves).
    n = np.array([20.0, 150.0, 4000.0])
    avg = 0.3
    upper = stats.proportion_limit(n, avg, 0.975, "high")
    lower = stats.proportion_limit(n, avg, 0.975, "low")
    np.testing.assert_allclose(stats.wilson_lower(upper * n, n, 0.95), avg, rtol=1e-9)
    np.testing.assert_allclose(stats.wilson_upper(lower * n, n, 0.95), avg, rtol=1e-9)
    upper998 = stats.proportion_limit(n, avg, 0.999, "high")
    np.testing.assert_allclose(stats.wilson_lower(upper998 * n, n, 0.998), avg, rtol=1e-9)


def test_poisson_funnel_is_close_to_the_exact_root() -> None:
    # The macro's bisection stops at 1e-7 on v = mu / (1 + x + mu); the exact
    # root is the chi-square quantile. They agree to ~1e-4 relative.
    x = np.array([5.0, 50.0, 500.0])
    np.testing.assert_allclose(
        stats.poisson_funnel(x, 0.025, "high"), sp.chi2.ppf(0.975, 2 * x + 2) / 2, rtol=1e-4
    )
    np.testing.assert_allclose(
        stats.poisson_funnel(x, 0.025, "low"), sp.chi2.ppf(0.025, 2 * x) / 2, rtol=1e-4
    )


def test_funnel_significance_inputs() -> None:
    with pytest.raises(stats.StatsInputError, match="greater than zero"):
        stats.proportion_significance([1, 2], [10, 0])
    with pytest.raises(stats.StatsInputError, match="exceed"):
        stats.proportion_significance([11, 2], [10, 10])
    with pytest.raises(stats.StatsInputError, match="denominator"):
        stats.rate_significance([0, 5], [0, 10], 1000, "crude")
    with pytest.raises(stats.StatsInputError, match="side"):
        stats.poisson_funnel(3, 0.025, "middle")


def test_r_nchar_matches_r_as_character() -> None:
    # R: nchar(as.character(c(100000, 123456, 30000, 1e7, 1200000, 9))) -> 5 6 5 5 7 1
    assert [funnel_tables.r_nchar(v) for v in (1e5, 123456, 3e4, 1e7, 1.2e6, 9)] == [
        5, 6, 5, 5, 7, 1,
    ]  # fmt: skip


# -- arrays -----------------------------------------------------------------------------


def test_arrays_in_arrays_out_and_fast() -> None:
    rng = np.random.default_rng(2006)
    shape = (150, 10, 20)  # areas x years x breakdowns
    n = rng.integers(0, 5000, size=shape).astype(float)
    x = np.floor(n * rng.uniform(0, 1, size=shape))
    start = time.perf_counter()
    est = stats.proportion(x, n, 100)
    rt = stats.rate(x, n + 1)
    elapsed = time.perf_counter() - start
    assert est.value.shape == shape and rt.upper998.shape == shape
    assert elapsed < 2.0
    i = (3, 4, 5)
    single = stats.proportion(x[i], n[i], 100)
    assert est.lower95[i] == pytest.approx(single.lower95, nan_ok=True)
    assert stats.rate(x[i], n[i] + 1).method == rt.method[i]
    # DSR over 19 age bands for 150 areas x 10 years at once
    counts = rng.integers(0, 50, size=(150, 10, 19)).astype(float)
    pops = rng.integers(100, 5000, size=(150, 10, 19)).astype(float)
    d = stats.dsr(counts, pops, np.arange(1, 20))
    assert d.value.shape == (150, 10)
    one = stats.dsr(counts[7, 2], pops[7, 2], np.arange(1, 20))
    assert d.upper95[7, 2] == pytest.approx(one.upper95)


def test_scalars_in_scalars_out() -> None:
    assert np.ndim(stats.wilson_lower(3, 10)) == 0
    assert np.ndim(stats.byars_upper(30)) == 0
    assert float(stats.proportion(3, 10).value) == pytest.approx(0.3)
