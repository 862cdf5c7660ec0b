"""The chi-square test for trend and the comparison with a benchmark."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import Table

from recoverylink import stats
from recoverylink.stats import trend


def test_trend_by_hand() -> None:
    # r = (2, 4, 6) out of n = (10, 10, 10), scores 1, 2, 3.
    # N = 30, R = 12, p = 12/30 = 0.4; s_bar = (10*1 + 10*2 + 10*3) / 30 = 2
    # T = 2*(1-2) + 4*(2-2) + 6*(3-2) = -2 + 0 + 6 = 4
    # V = 0.4 * 0.6 * (10*1 + 10*0 + 10*1) = 0.24 * 20 = 4.8
    # X2 = 4^2 / 4.8 = 10/3 = 3.3333; on 1 df, p = erfc(sqrt(X2 / 2)) = erfc(1.290994) = 0.0679
    result = stats.chi_square_trend([2, 4, 6], [10, 10, 10])
    assert result.statistic == pytest.approx(10 / 3, rel=1e-12)
    assert result.p_value == pytest.approx(math.erfc(math.sqrt(5 / 3)), rel=1e-10)
    assert result.p_value == pytest.approx(0.0679, abs=1e-4)
    assert result.direction == 1


def test_trend_matches_r_prop_trend_test() -> None:
    # R's ?prop.trend.test example: smokers out of patients;
    # R prints X-squared = 8.2249, df = 1, p-value = 0.004132
    result = stats.chi_square_trend([83, 90, 129, 70], [86, 93, 136, 82])
    assert result.statistic == pytest.approx(8.2249, abs=5e-5)
    assert result.p_value == pytest.approx(0.004132, abs=5e-7)
    assert result.direction == -1
    # with R's other example scores, c(0, 0, 0, 1), by hand: N = 397, R = 372,
    # s_bar = 82/397, T = 70 - 372*82/397 = (27790 - 30504)/397 = -2714/397,
    # V = (372*25/397^2) * (82 - 82^2/397) = 372*25*82*315/397^3, so
    # X2 = 2714^2 * 397 / (372*25*82*315) = 2924221012 / 240219000 = 12.17315
    scored = stats.chi_square_trend([83, 90, 129, 70], [86, 93, 136, 82], [0, 0, 0, 1])
    assert scored.statistic == pytest.approx(2924221012 / 240219000, rel=1e-12)


@pytest.mark.parametrize(
    ("events", "trials"),
    [
        ([83, 90, 129, 70], [86, 93, 136, 82]),
        ([120, 131, 150, 149, 170], [400, 410, 405, 398, 402]),
        ([3, 9, 4, 12, 15], [40, 52, 38, 61, 55]),
    ],
)
def test_trend_against_statsmodels_linear_by_linear(events: list[int], trials: list[int]) -> None:
    # statsmodels' test_ordinal_association uses the permutation (hypergeometric)
    # variance, N/(N - 1) times the Armitage variance: X2 = z^2 * N / (N - 1).
    r = np.array(events)
    n = np.array(trials)
    scores = np.arange(1, len(r) + 1)
    sm = Table(np.column_stack([r, n - r])).test_ordinal_association(
        row_scores=scores, col_scores=np.array([0, 1])
    )
    big_n = n.sum()
    ours = stats.chi_square_trend(r, n)
    assert ours.statistic == pytest.approx(sm.zscore**2 * big_n / (big_n - 1), rel=1e-9)
    # the linear-by-linear z has the opposite sign convention for "success" in column 2
    assert ours.direction == -np.sign(sm.zscore)


def test_trend_vectorised_over_areas() -> None:
    r = np.array([[2, 4, 6], [6, 4, 2], [5, 5, 5]])
    n = np.full((3, 3), 10)
    result = stats.chi_square_trend(r, n)
    np.testing.assert_allclose(result.statistic, [10 / 3, 10 / 3, 0.0])
    assert result.direction.tolist() == [1, -1, 0]


def test_trend_degenerate_series() -> None:
    # all or none: no variance; a zero denominator: not calculable
    result = stats.chi_square_trend(
        [[0, 0, 0], [10, 10, 10], [1, 0, 3]], [[10] * 3, [10] * 3, [10, 0, 10]]
    )
    assert np.isnan(result.statistic).all()
    assert result.direction.tolist() == [0, 0, 0]
    with pytest.raises(stats.StatsInputError, match="two periods"):
        stats.chi_square_trend([1], [10])
    with pytest.raises(stats.StatsInputError, match="exceed"):
        stats.chi_square_trend([1, 20], [10, 10])


def test_recent_trend_labels() -> None:
    # rising strongly over the last five years (earlier years ignored)
    rising = [900, 100, 200, 300, 400, 500]
    flat = [500, 300, 300, 300, 300, 300]
    n = [1000] * 6
    r = np.array([rising, flat])
    d = np.array([n, n])
    assert stats.recent_trend(r, d, "high_is_good").tolist() == [
        trend.INCREASING_BETTER,
        trend.NO_CHANGE,
    ]
    assert stats.recent_trend(r, d, "low_is_good")[0] == trend.INCREASING_WORSE
    assert stats.recent_trend(r, d, None)[0] == trend.INCREASING
    falling = np.array([100, 500, 400, 300, 200, 100])
    assert stats.recent_trend(falling, np.array(n), "high_is_good") == trend.DECREASING_WORSE
    # fewer than five periods
    assert stats.recent_trend([1, 2, 3, 4], [10] * 4, None) == trend.NOT_CALCULATED
    assert stats.recent_trend([0, 0, 0, 0, 0], [10] * 5, None) == trend.NOT_CALCULATED


def test_recent_trend_uses_99_8_percent() -> None:
    # a series with 0.002 < p < 0.05 is significant at 95% but not at 99.8%
    r, n = [20, 24, 28, 32, 36], [100] * 5
    p = float(stats.chi_square_trend(r, n).p_value)
    assert 0.002 < p < 0.05
    assert stats.recent_trend(r, n, None) == trend.NO_CHANGE
    assert stats.recent_trend(r, n, None, confidence=0.95) == trend.INCREASING


def test_compare_with_a_benchmark_value() -> None:
    lo = np.array([0.50, 0.10, 0.20, 0.40, np.nan])
    up = np.array([0.70, 0.30, 0.60, 0.50, 0.5])
    assert stats.compare_with_benchmark(lo, up, 0.4, "high_is_good").tolist() == [
        "better", "worse", "similar", "similar", "not compared",
    ]  # fmt: skip
    assert stats.compare_with_benchmark(lo, up, 0.4, "low_is_good").tolist()[:2] == [
        "worse",
        "better",
    ]
    assert stats.compare_with_benchmark(lo, up, 0.4, None).tolist()[:3] == [
        "higher",
        "lower",
        "similar",
    ]


def test_compare_by_interval_overlap() -> None:
    # benchmark interval (0.38, 0.42): [0.41, 0.6] overlaps it -> similar even
    # though its lower limit is above the benchmark value 0.40
    lo, up = np.array([0.41, 0.43, 0.1]), np.array([0.6, 0.6, 0.37])
    assert stats.compare_with_benchmark(lo, up, 0.4, None).tolist() == [
        "higher", "higher", "lower",
    ]  # fmt: skip
    assert stats.compare_with_benchmark(lo, up, 0.4, None, 0.38, 0.42).tolist() == [
        "similar", "higher", "lower",
    ]  # fmt: skip


def test_compare_inputs() -> None:
    with pytest.raises(stats.StatsInputError, match="polarity"):
        stats.compare_with_benchmark(0.1, 0.2, 0.3, "up")  # type: ignore[arg-type]
    with pytest.raises(stats.StatsInputError, match="both"):
        stats.compare_with_benchmark(0.1, 0.2, 0.3, None, benchmark_lower=0.2)
    with pytest.raises(stats.StatsInputError, match="above"):
        stats.compare_with_benchmark(0.3, 0.2, 0.3, None)


def test_compare_estimate_at_both_levels() -> None:
    # 60/100 against England's 0.45: the 95% Wilson interval (0.502, 0.691)
    # clears 0.45, the 99.8% interval (0.446, 0.737) does not
    area = stats.proportion([60], [100])
    at95, at998 = stats.compare_estimate(area, 0.45, "high_is_good")
    assert at95.tolist() == ["better"] and at998.tolist() == ["similar"]
    england = stats.proportion([4500], [10000])
    at95, _ = stats.compare_estimate(area, 0.45, "high_is_good", england)
    assert at95.tolist() == ["better"]
