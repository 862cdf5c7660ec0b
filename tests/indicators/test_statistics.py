"""Indicator definitions and statistics: values, limits, England comparison,
trend and funnels, against numbers worked out by hand (arithmetic in the
comments) or from first principles, never from the code's own output."""

from __future__ import annotations

import datetime as dt
import math
from itertools import product
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sp

from recoverylink.errors import InputError
from recoverylink.indicators import statistics as ist
from recoverylink.indicators.definitions import (
    BY_ID,
    INDICATORS,
    LEVELS,
    SUBSTANCE_GROUPS,
    Indicator,
)
from recoverylink.stats import exact_lower, exact_upper, proportion_significance, wilson_lower

Z95 = 1.959964
Z998 = 3.090232
ENGLAND = "E92000001"


def _row(
    indicator_id: str,
    numerator: int,
    denominator: float,
    area_code: str = "E06000001",
    level: str = "local_authority",
    year: int = 2010,
    period_type: str = "financial_year",
    substance_group: str = "all",
) -> dict[str, Any]:
    """One counts row; ``year`` is the financial year's first calendar year
    (or, for rolling periods, the year of the period's end, in March)."""
    if period_type == "financial_year":
        period = f"{year}-{(year + 1) % 100:02d}"
        start, end = dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
    else:
        period = f"{year}-03"
        start, end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
    if area_code == ENGLAND:
        level = "england"
    return {
        "indicator_id": indicator_id,
        "period_type": period_type,
        "period": period,
        "period_start": start,
        "period_end": end,
        "level": level,
        "area_code": area_code,
        "area_name": f"Area {area_code}",
        "region_code": "E12000001" if level == "local_authority" else None,
        "substance_group": substance_group,
        "numerator": numerator,
        "denominator": denominator,
    }


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def _one(values: pd.DataFrame, **where: Any) -> pd.Series:
    mask = np.ones(len(values), dtype=bool)
    for col, val in where.items():
        mask &= (values[col] == val).to_numpy()
    assert mask.sum() == 1, where
    return values.loc[mask].iloc[0]


# -- definitions ---------------------------------------------------------------------


def test_eight_indicators_in_order_with_unique_ids() -> None:
    ids = [ind.id for ind in INDICATORS]
    assert ids == [
        "in_treatment",
        "new_presentations",
        "successful_completions",
        "successful_completions_not_representing",
        "representations",
        "effective_treatment",
        "waiting_under_3_weeks",
        "deaths_in_treatment",
    ]
    assert len(set(ids)) == len(ids)
    assert list(BY_ID) == ids
    assert all(BY_ID[i].id == i for i in ids)


@pytest.mark.parametrize("ind", INDICATORS, ids=lambda i: i.id)
def test_every_definition_is_filled(ind: Indicator) -> None:
    for text in (ind.id, ind.title, ind.numerator, ind.denominator, ind.method_note):
        assert isinstance(text, str) and text.strip()
    assert ind.kind in ("proportion", "rate")
    assert ind.polarity in ("high_is_good", "low_is_good", None)
    assert ind.unit in ("persons", "journeys")
    assert ind.multiplier in (100.0, 1000.0, 100000.0)
    assert ind.breakdowns == tuple(product(LEVELS, SUBSTANCE_GROUPS))
    # 2 to 4 sentences (each ends with ". " or the final ".").
    sentences = [s for s in ind.method_note.split(". ") if s.strip()]
    assert 2 <= len(sentences) <= 4, ind.method_note
    assert ind.method_note.endswith(".")


def test_definitions_as_specified() -> None:
    expected = {
        "in_treatment": ("rate", 100000, None, "persons"),
        "new_presentations": ("rate", 100000, None, "persons"),
        "successful_completions": ("proportion", 100, "high_is_good", "persons"),
        "successful_completions_not_representing": (
            "proportion",
            100,
            "high_is_good",
            "persons",
        ),
        "representations": ("proportion", 100, "low_is_good", "persons"),
        "effective_treatment": ("proportion", 100, "high_is_good", "persons"),
        "waiting_under_3_weeks": ("proportion", 100, "high_is_good", "journeys"),
        "deaths_in_treatment": ("rate", 1000, "low_is_good", "persons"),
    }
    for ind_id, (kind, mult, pol, unit) in expected.items():
        ind = BY_ID[ind_id]
        assert (ind.kind, ind.multiplier, ind.polarity, ind.unit) == (kind, mult, pol, unit)
    assert BY_ID["successful_completions_not_representing"].follow_up_months == 6
    assert BY_ID["representations"].follow_up_months == 6
    assert "6 months" in BY_ID["representations"].method_note
    assert "84" in BY_ID["effective_treatment"].method_note
    assert "21 days" in BY_ID["waiting_under_3_weeks"].method_note
    assert SUBSTANCE_GROUPS == ("all", "opiate", "non_opiate", "alcohol", "non_opiate_and_alcohol")
    assert LEVELS == ("england", "region", "local_authority")


# -- values and limits -----------------------------------------------------------------


def _wilson(x: float, n: float, z: float) -> tuple[float, float]:
    # (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))
    root = math.sqrt(z * z + 4 * x * (1 - x / n))
    return (2 * x + z * z - z * root) / (2 * (n + z * z)), (2 * x + z * z + z * root) / (
        2 * (n + z * z)
    )


def test_wilson_limits_for_30_of_120() -> None:
    values = ist.indicator_values(_frame([_row("successful_completions", 30, 120, ENGLAND)]))
    row = values.iloc[0]
    # 95%: z^2 = 3.841459; sqrt(3.841459 + 4*30*0.75) = sqrt(93.841459) = 9.687180;
    # (60 + 3.841459 -/+ 1.959964 * 9.687180) / (2 * 123.841459) = 0.181098, 0.334411
    lo95, up95 = _wilson(30, 120, Z95)
    assert lo95 == pytest.approx(0.181098, abs=1e-6)
    assert up95 == pytest.approx(0.334411, abs=1e-6)
    lo998, up998 = _wilson(30, 120, Z998)
    assert row["value"] == pytest.approx(25.0)
    assert row["lower_95"] == pytest.approx(100 * lo95, rel=1e-6)
    assert row["upper_95"] == pytest.approx(100 * up95, rel=1e-6)
    assert row["lower_99_8"] == pytest.approx(100 * lo998, rel=1e-6)
    assert row["upper_99_8"] == pytest.approx(100 * up998, rel=1e-6)
    assert row["ci_method"] == "Wilson"


def test_rate_limits_byar_from_10_and_exact_below() -> None:
    counts = _frame(
        [
            _row("in_treatment", 50, 20000, ENGLAND),  # 250 per 100,000
            _row("deaths_in_treatment", 4, 800, ENGLAND),  # 5 per 1,000
        ]
    )
    values = ist.indicator_values(counts)
    byar = _one(values, indicator_id="in_treatment")
    # Byar: lower = x (1 - 1/(9x) - z/(3 sqrt x))^3,
    #       upper = (x+1) (1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3
    for z, lo_col, up_col in ((Z95, "lower_95", "upper_95"), (Z998, "lower_99_8", "upper_99_8")):
        lo = 50 * (1 - 1 / 450 - z / (3 * math.sqrt(50))) ** 3
        up = 51 * (1 - 1 / 459 + z / (3 * math.sqrt(51))) ** 3
        assert byar[lo_col] == pytest.approx(lo * 100000 / 20000, rel=1e-6)
        assert byar[up_col] == pytest.approx(up * 100000 / 20000, rel=1e-6)
    # 95%: lower 50 * (1 - 0.002222 - 0.092394)^3 = 37.1081 -> 185.54 per 100,000
    assert byar["lower_95"] == pytest.approx(185.54, abs=0.01)
    assert byar["value"] == pytest.approx(250.0)
    assert byar["ci_method"] == "Byars"

    exact = _one(values, indicator_id="deaths_in_treatment")
    # Exact (Garwood): chi2.ppf(0.025, 8) / 2 and chi2.ppf(0.975, 10) / 2 events
    assert exact["value"] == pytest.approx(5.0)
    assert exact["lower_95"] == pytest.approx(sp.chi2.ppf(0.025, 8) / 2 * 1000 / 800, rel=1e-9)
    assert exact["upper_95"] == pytest.approx(sp.chi2.ppf(0.975, 10) / 2 * 1000 / 800, rel=1e-9)
    assert exact["upper_99_8"] == pytest.approx(sp.chi2.ppf(0.999, 10) / 2 * 1000 / 800, rel=1e-9)
    # the 95% exact interval for 4 events is 1.0899 to 10.2416 (standard tables)
    assert exact["lower_95"] == pytest.approx(1.0899 * 1.25, abs=1e-3)
    assert exact["upper_95"] == pytest.approx(10.2416 * 1.25, abs=1e-3)
    assert exact["ci_method"] == "Exact"


def test_zero_denominator_gives_nan_and_not_compared() -> None:
    counts = _frame(
        [
            _row("successful_completions", 300, 1000, ENGLAND),
            _row("successful_completions", 0, 0, "E06000001"),
            _row("deaths_in_treatment", 10, 1000, ENGLAND),
            _row("deaths_in_treatment", 0, 0, "E06000001"),
        ]
    )
    values = ist.indicator_values(counts)
    for ind_id in ("successful_completions", "deaths_in_treatment"):
        row = _one(values, indicator_id=ind_id, area_code="E06000001")
        for col in ("value", "lower_95", "upper_95", "lower_99_8", "upper_99_8"):
            assert math.isnan(row[col])
        assert row["compared_95"] == "not compared"
        assert row["compared_99_8"] == "not compared"
        assert row["trend"] == "could not be calculated"
    points = ist.funnel_points(values)
    assert set(points["position"]) == {"not compared"}


# -- comparison with England -------------------------------------------------------------


def test_comparison_with_england() -> None:
    counts = _frame(
        [
            # England 30%; A 80/100 (interval about 71-87%) is far above it,
            # B 5/100 (about 2-11%) far below, C 31/100 (about 23-41%) contains it.
            _row("successful_completions", 3000, 10000, ENGLAND),
            _row("successful_completions", 80, 100, "A"),
            _row("successful_completions", 5, 100, "B"),
            _row("successful_completions", 31, 100, "C"),
            # the same counts for re-presentations, where low is good
            _row("representations", 3000, 10000, ENGLAND),
            _row("representations", 80, 100, "A"),
            _row("representations", 5, 100, "B"),
            # in treatment: England 1,000 per 100,000; A 5,000, B 100, no polarity
            _row("in_treatment", 1000, 100000, ENGLAND),
            _row("in_treatment", 500, 10000, "A"),
            _row("in_treatment", 10, 10000, "B"),
            # a region is compared with England too
            _row("in_treatment", 900, 10000, "E12000001", level="region"),
        ]
    )
    values = ist.indicator_values(counts)

    def labels(ind_id: str, area: str) -> tuple[str, str]:
        row = _one(values, indicator_id=ind_id, area_code=area)
        return row["compared_95"], row["compared_99_8"]

    assert labels("successful_completions", "A") == ("better", "better")
    assert labels("successful_completions", "B") == ("worse", "worse")
    assert labels("successful_completions", "C") == ("similar", "similar")
    assert labels("successful_completions", ENGLAND) == ("not compared", "not compared")
    assert labels("representations", "A") == ("worse", "worse")
    assert labels("representations", "B") == ("better", "better")
    assert labels("in_treatment", "A") == ("higher", "higher")
    assert labels("in_treatment", "B") == ("lower", "lower")
    assert labels("in_treatment", "E12000001") == ("higher", "higher")
    assert _one(values, indicator_id="in_treatment", area_code="A")["england_value"] == 1000.0
    assert _one(values, indicator_id="representations", area_code="B")["england_value"] == 30.0


def test_comparison_between_levels_95_and_99_8() -> None:
    # England 50% of 100,000. 60/100: 95% Wilson lower limit (z = 1.959964)
    # = (120 + 3.8415 - 1.96 * sqrt(3.8415 + 96)) / (2 * 103.8415) = 0.5020 > 0.5 -> better,
    # 99.8% lower limit (z = 3.090232) = (120 + 9.5495 - 3.0902 * sqrt(9.5495 + 96)) / 226.0991
    # = 0.4425 < 0.5 -> similar
    lo95, _ = _wilson(60, 100, Z95)
    lo998, _ = _wilson(60, 100, Z998)
    assert lo95 > 0.5 > lo998
    counts = _frame(
        [
            _row("effective_treatment", 50000, 100000, ENGLAND),
            _row("effective_treatment", 60, 100, "A"),
        ]
    )
    row = _one(ist.indicator_values(counts), area_code="A")
    assert (row["compared_95"], row["compared_99_8"]) == ("better", "similar")


def test_missing_england_row_is_not_compared() -> None:
    row = ist.indicator_values(_frame([_row("successful_completions", 80, 100, "A")])).iloc[0]
    assert math.isnan(row["england_value"])
    assert row["compared_95"] == "not compared"


# -- trend -----------------------------------------------------------------------------


def _series(ind_id: str, area: str, numerators: list[int], denominator: float) -> list[dict]:
    return [_row(ind_id, x, denominator, area, year=2006 + i) for i, x in enumerate(numerators)]


def test_trend_rising_flat_and_short() -> None:
    rows = [
        # rising 10% to 30% of 1,000 a year: by hand (scores 1..5, s_bar = 3, N = 5,000,
        # p = 1,000 / 5,000 = 0.2): T = 100(-2) + 150(-1) + 0 + 250(1) + 300(2) = 500,
        # V = 0.2 * 0.8 * 1000 * (4 + 1 + 0 + 1 + 4) = 1,600, X2 = 500^2 / 1600 = 156.25,
        # p = erfc(sqrt(156.25 / 2)) = 7.47e-36
        *_series("successful_completions", "UP", [100, 150, 200, 250, 300], 1000),
        # flat: T = 0, X2 = 0, p = 1
        *_series("successful_completions", "FLAT", [200, 200, 200, 200, 200], 1000),
        # the same rise where low is good, and without a polarity
        *_series("representations", "UP", [100, 150, 200, 250, 300], 1000),
        *_series("in_treatment", "UP", [100, 150, 200, 250, 300], 1000),
        *_series("in_treatment", "DOWN", [300, 250, 200, 150, 100], 1000),
    ]
    rows.append(_row("successful_completions", 300, 1000, "UP", period_type="rolling_12_months"))
    values = ist.indicator_values(_frame(rows))

    def trend(ind_id: str, area: str, year: int = 2010) -> pd.Series:
        return _one(
            values,
            indicator_id=ind_id,
            area_code=area,
            period=f"{year}-{(year + 1) % 100:02d}",
        )

    up = trend("successful_completions", "UP")
    assert up["trend"] == "increasing and getting better"
    assert up["trend_p_value"] == pytest.approx(math.erfc(math.sqrt(78.125)), rel=1e-6)
    assert up["trend_p_value"] == pytest.approx(7.465e-36, rel=1e-3)
    flat = trend("successful_completions", "FLAT")
    assert flat["trend"] == "no significant change"
    assert flat["trend_p_value"] == pytest.approx(1.0)
    assert trend("representations", "UP")["trend"] == "increasing and getting worse"
    assert trend("in_treatment", "UP")["trend"] == "increasing"
    assert trend("in_treatment", "DOWN")["trend"] == "decreasing"
    # the first four years have fewer than five years of data
    for year in range(2006, 2010):
        early = trend("successful_completions", "UP", year)
        assert early["trend"] == "could not be calculated"
        assert math.isnan(early["trend_p_value"])
    rolling = _one(values, period_type="rolling_12_months")
    assert pd.isna(rolling["trend"])
    assert math.isnan(rolling["trend_p_value"])


def test_trend_needs_five_consecutive_years() -> None:
    # 2006-07 .. 2009-10 and 2011-12: 2010-11 is missing, so the five years
    # ending 2011-12 are not all there.
    rows = [
        _row("successful_completions", x, 1000, "A", year=y)
        for x, y in ((100, 2006), (150, 2007), (200, 2008), (250, 2009), (350, 2011))
    ]
    values = ist.indicator_values(_frame(rows))
    assert set(values["trend"]) == {"could not be calculated"}


def test_trend_window_is_the_last_five_years() -> None:
    # a steep rise in 2004-05 .. 2005-06, flat afterwards: the five years to
    # 2010-11 are flat.
    xs = [10, 100, 200, 200, 200, 200, 200]
    rows = [_row("successful_completions", x, 1000, "A", year=2004 + i) for i, x in enumerate(xs)]
    values = ist.indicator_values(_frame(rows))
    assert _one(values, period="2010-11")["trend"] == "no significant change"
    assert _one(values, period="2008-09")["trend"] == "increasing and getting better"


# -- funnels ---------------------------------------------------------------------------


def _funnel_counts() -> pd.DataFrame:
    return _frame(
        [
            _row("successful_completions", 3000, 10000, ENGLAND),
            _row("successful_completions", 80, 100, "HIGH"),  # 80% of 100
            _row("successful_completions", 31, 100, "MID"),  # 31% of 100
            _row("successful_completions", 5, 100, "LOW"),  # 5% of 100
            _row("successful_completions", 400, 1000, "E12000001", level="region"),
            # England 1,000 per 100,000: at 10,000 people 100 are expected
            _row("in_treatment", 1000, 100000, ENGLAND),
            _row("in_treatment", 500, 10000, "HIGH"),
            _row("in_treatment", 101, 10000, "MID"),
            _row("in_treatment", 20, 10000, "LOW"),
        ]
    )


def test_funnel_positions_and_limits() -> None:
    values = ist.indicator_values(_funnel_counts())
    points = ist.funnel_points(values)
    assert list(points.columns) == list(ist.FUNNEL_POINT_COLUMNS)
    assert set(points["level"]) == {"local_authority"}
    assert len(points) == 6
    pos = {(r.indicator_id, r.area_code): r.position for r in points.itertuples()}
    assert pos[("successful_completions", "HIGH")] == "High (0.001)"
    assert pos[("successful_completions", "MID")] == "Not significant"
    assert pos[("successful_completions", "LOW")] == "Low (0.001)"
    assert pos[("in_treatment", "HIGH")] == "High (0.001)"
    assert pos[("in_treatment", "MID")] == "Not significant"
    assert pos[("in_treatment", "LOW")] == "Low (0.001)"

    # proportions: on the upper line the Wilson lower limit of the line's value
    # is England's 30%; on the lower line the upper limit is.
    prop = _one(points, indicator_id="successful_completions", area_code="MID")
    assert prop["england_value"] == pytest.approx(30.0)
    up95 = prop["funnel_upper_95"] / 100
    assert float(wilson_lower(up95 * 100, 100, 0.95)) == pytest.approx(0.3, abs=1e-9)
    assert float(wilson_lower(prop["funnel_upper_99_8"], 100, 0.998)) == pytest.approx(0.3)
    assert prop["funnel_lower_99_8"] < prop["funnel_lower_95"] < 30
    assert 30 < prop["funnel_upper_95"] < prop["funnel_upper_99_8"]

    # rates: at 10,000 people E = 100; the upper line's count has exact lower
    # limit 100, the lower line's count has exact upper limit 100.
    rte = _one(points, indicator_id="in_treatment", area_code="MID")
    count = {k: rte[f"funnel_{k}"] * 10000 / 100000 for k in ("upper_95", "lower_95")}
    assert float(exact_lower(count["upper_95"], 0.95)) == pytest.approx(100.0, rel=1e-9)
    assert float(exact_upper(count["lower_95"], 0.95)) == pytest.approx(100.0, rel=1e-9)
    # roughly 100 +/- 2 sqrt(100)
    assert 118 < count["upper_95"] < 122 and 80 < count["lower_95"] < 83


def test_funnel_positions_agree_with_phe_significance() -> None:
    # Proportions: the same labels as proportion_significance with England's
    # proportion as the average.
    rng = np.random.default_rng(3)
    n = rng.integers(20, 2000, 200)
    x = rng.binomial(n, rng.uniform(0.15, 0.45, 200))
    rows = [_row("successful_completions", 25000, 100000, ENGLAND)]
    rows += [
        _row("successful_completions", int(a), float(b), f"LA{i}")
        for i, (a, b) in enumerate(zip(x, n, strict=True))
    ]
    points = ist.funnel_points(ist.indicator_values(_frame(rows)))
    expected = proportion_significance(x, n, average=0.25)
    assert points["position"].tolist() == expected.tolist()


def test_funnel_lines() -> None:
    values = ist.indicator_values(_funnel_counts())
    lines = ist.funnel_lines(values)
    assert list(lines.columns) == list(ist.FUNNEL_LINE_COLUMNS)
    assert set(lines["indicator_id"]) == {"successful_completions", "in_treatment"}
    for _key, group in lines.groupby(["indicator_id", "line"]):
        assert group["point"].tolist() == list(range(100))
    assert set(lines["line"]) == {"lower_95", "upper_95", "lower_99_8", "upper_99_8"}

    prop = lines[lines["indicator_id"] == "successful_completions"]
    assert np.allclose(prop["england_value"], 30.0)
    wide = prop.pivot(index="point", columns="line", values="value")
    assert (wide["lower_99_8"] <= wide["lower_95"]).all()
    assert (wide["lower_95"] <= 30 + 1e-9).all() and (wide["upper_95"] >= 30 - 1e-9).all()
    assert (wide["upper_95"] <= wide["upper_99_8"]).all()

    # rate lines: each point of the upper 95% line is a count whose exact
    # lower limit is England's expected count at that population
    up = lines[(lines["indicator_id"] == "in_treatment") & (lines["line"] == "upper_95")]
    pop = up["denominator"].to_numpy()
    events = up["value"].to_numpy() * pop / 100000
    expected = 1000 / 100000 * pop
    assert np.allclose(exact_lower(events, 0.95), expected, rtol=1e-4)
    # and the points' limits lie on those lines: at HIGH's and LOW's
    # populations (10,000) the point limit matches the line there
    points = ist.funnel_points(values)
    lim = _one(points, indicator_id="in_treatment", area_code="MID")["funnel_upper_95"]
    assert float(exact_lower(lim * 10000 / 100000, 0.95)) == pytest.approx(100.0)

    # rolling periods only when asked for
    assert ist.funnel_lines(values, period_types=("rolling_12_months",)).empty
    assert ist.funnel_lines(values, periods=["2009-10"]).empty
    assert len(ist.funnel_lines(values, periods=["2010-11"])) == len(lines)


# -- input checks ----------------------------------------------------------------------


def test_bad_input_raises() -> None:
    with pytest.raises(InputError, match="indicator_id"):
        ist.indicator_values(_frame([_row("no_such_indicator", 1, 10)]))
    with pytest.raises(InputError, match="more than one row"):
        ist.indicator_values(_frame([_row("in_treatment", 1, 10), _row("in_treatment", 2, 10)]))
    with pytest.raises(InputError, match="columns"):
        ist.indicator_values(_frame([_row("in_treatment", 1, 10)]).drop(columns="numerator"))
    with pytest.raises(InputError, match="numeric"):
        ist.indicator_values(_frame([_row("in_treatment", "many", 10)]))  # type: ignore[arg-type]
    with pytest.raises(InputError):  # a proportion above 100%
        ist.indicator_values(_frame([_row("successful_completions", 11, 10)]))


def test_output_keeps_rows_and_adds_columns() -> None:
    counts = _funnel_counts()
    counts.index = range(100, 100 + len(counts))
    values = ist.indicator_values(counts)
    assert list(values.columns) == [*counts.columns, *ist.VALUE_COLUMNS]
    assert values["area_code"].tolist() == counts["area_code"].tolist()
    assert values.index.tolist() == list(range(len(counts)))
    empty = ist.indicator_values(counts.iloc[:0])
    assert list(empty.columns) == [*counts.columns, *ist.VALUE_COLUMNS]
