"""Case-mix adjusted comparison of areas' successful completion rates.

The expected values here are worked out independently of the code under
test: from the simulation's true coefficients, from hand counts written out in
the comments, or from the published formulas computed in the test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sp

from recoverylink.errors import InputError
from recoverylink.indicators.casemix import (
    AREA_COLUMNS,
    COVARIATES,
    CaseMixError,
    CaseMixModel,
    area_comparison,
    assign_comparator_groups,
    c_statistic,
    fill_not_known,
    fit_case_mix,
    funnel_lines,
)

# -- a simulated England with known coefficients ------------------------------------

INTERCEPT = -0.4
# covariate -> [(level, share, true log-odds against the first level)]; the
# first level is the most common one, which the model takes as reference.
# ``None`` is a missing value, which the model must fit as "not_known".
DESIGN: dict[str, list[tuple[str | None, float, float]]] = {
    "age_band": [("25-34", 0.40, 0.0), ("18-24", 0.15, -0.3), ("35-49", 0.30, 0.2),
                 ("50+", 0.15, 0.4)],
    "sex": [("male", 0.65, 0.0), ("female", 0.35, 0.25)],
    "substance_group": [("opiate", 0.50, 0.0), ("non_opiate", 0.30, 0.6),
                        ("alcohol_non_opiate", 0.20, 0.4)],
    "injecting_status": [("never", 0.60, 0.0), ("previous", 0.30, -0.2),
                         ("current", 0.10, -0.7)],
    "accommodation": [("settled", 0.70, 0.0), ("housing_problem", 0.20, -0.5),
                      (None, 0.10, -0.3)],
    "employment": [("unemployed", 0.60, 0.0), ("employed", 0.25, 0.5),
                   ("economically_inactive", 0.15, 0.1)],
    "referral_source": [("self", 0.50, 0.0), ("criminal_justice", 0.30, -0.4),
                        ("health", 0.20, 0.0)],
    "previously_treated": [("no", 0.55, 0.0), ("yes", 0.45, -0.35)],
}  # fmt: skip


def simulate(n: int, seed: int, areas: int = 10, boost: dict[str, float] | None = None):
    """Persons with covariates drawn from DESIGN and ``completed`` drawn from
    the true logistic model (plus ``boost`` log-odds for the named areas)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"person_id": np.arange(n)})
    area_codes = [f"E{i:03d}" for i in range(areas)]
    frame["area_code"] = rng.choice(area_codes, size=n)
    frame["region_code"] = np.where(frame["area_code"] < "E005", "R1", "R2")
    eta = np.full(n, INTERCEPT)
    for cov, levels in DESIGN.items():
        idx = rng.choice(len(levels), size=n, p=[share for _, share, _ in levels])
        frame[cov] = pd.Series([levels[i][0] for i in idx], dtype=object)
        eta += np.array([beta for _, _, beta in levels])[idx]
    for area, extra in (boost or {}).items():
        eta += np.where(frame["area_code"] == area, extra, 0.0)
    frame["completed"] = rng.binomial(1, 1.0 / (1.0 + np.exp(-eta)))
    return frame


@pytest.fixture(scope="module")
def england() -> pd.DataFrame:
    frame = simulate(20_000, seed=20240401)
    # 15 persons released from prison: a rare level (< 20) pooled into "other",
    # which, rare itself, is folded into the reference level "self". Their
    # true effect is 0 against "self", so the pooling leaves the truth as is.
    frame.loc[frame.index[:15], "referral_source"] = "prison_release"
    return frame


@pytest.fixture(scope="module")
def england_model(england: pd.DataFrame) -> CaseMixModel:
    return fit_case_mix(england)


def test_covariates_are_the_eight_named() -> None:
    assert COVARIATES == (
        "age_band", "sex", "substance_group", "injecting_status", "accommodation",
        "employment", "referral_source", "previously_treated",
    )  # fmt: skip


def test_estimates_recover_the_true_coefficients(england_model: CaseMixModel) -> None:
    m = england_model
    assert m.converged
    assert m.n == 20_000
    assert m.dropped_covariates == ()
    assert m.covariates == COVARIATES
    coef = m.coefficients.set_index("term")
    # the intercept: a person at every reference level
    row = coef.loc["Intercept"]
    assert abs(row["estimate"] - INTERCEPT) < 4 * row["std_error"]
    checked = 0
    for cov, levels in DESIGN.items():
        ref = levels[0][0]
        assert m.reference_levels[cov] == ref
        assert coef.loc[f"{cov}[{ref}]", "is_reference"]
        assert coef.loc[f"{cov}[{ref}]", "estimate"] == 0.0
        assert coef.loc[f"{cov}[{ref}]", "odds_ratio"] == 1.0
        for level, _, beta in levels[1:]:
            name = "not_known" if level is None else level
            row = coef.loc[f"{cov}[{name}]"]
            assert not row["is_reference"]
            assert abs(row["estimate"] - beta) < 4 * row["std_error"], (cov, name)
            # a sample of 20,000 gives standard errors of a few hundredths
            assert 0.01 < row["std_error"] < 0.1
            assert row["odds_ratio"] == pytest.approx(math.exp(row["estimate"]))
            assert row["or_lower_95"] == pytest.approx(
                math.exp(row["estimate"] - 1.959963984540054 * row["std_error"])
            )
            assert row["or_lower_95"] < row["odds_ratio"] < row["or_upper_95"]
            assert 0.0 <= row["p_value"] <= 1.0
            checked += 1
    assert checked == 15  # 3 + 1 + 2 + 2 + 2 + 2 + 2 + 1 non-reference levels
    # a true effect of 0.6 on 6,000 persons is unmistakable
    assert coef.loc["substance_group[non_opiate]", "p_value"] < 1e-10
    assert not coef["aliased"].any()
    assert m.aliased_terms == ()


def test_rare_level_pooled_then_folded_into_reference(england_model: CaseMixModel) -> None:
    m = england_model
    assert m.pooled_levels == {"referral_source": ("prison_release",)}
    assert m.recoding["referral_source"]["prison_release"] == "self"
    assert "referral_source[prison_release]" not in set(m.coefficients["term"])
    assert "referral_source[other]" not in set(m.coefficients["term"])


def test_fit_diagnostics(england: pd.DataFrame, england_model: CaseMixModel) -> None:
    m = england_model
    assert m.events == int(england["completed"].sum())
    assert m.expected.index.equals(england.index)
    assert ((m.expected > 0) & (m.expected < 1)).all()
    # McFadden's pseudo R^2 = 1 - llf / llnull
    assert m.pseudo_r2 == pytest.approx(1 - m.log_likelihood / m.null_log_likelihood)
    assert 0.0 < m.pseudo_r2 < 1.0
    # the true model has real effects: discrimination well above chance
    assert 0.6 < m.c_statistic < 0.8
    # predicting on the same persons gives the fitted probabilities
    again = m.predict(england)
    assert np.allclose(again.to_numpy(), m.expected.to_numpy(), atol=1e-12)


def test_expected_sums_to_observed(england: pd.DataFrame, england_model: CaseMixModel) -> None:
    # The logistic likelihood equations with an intercept say sum(y - p) = 0,
    # and likewise within each level of each covariate (its dummy's score).
    y = england["completed"]
    assert abs(england_model.expected.sum() - y.sum()) < 1e-6
    sub = england["age_band"] == "50+"
    assert abs(england_model.expected[sub].sum() - y[sub].sum()) < 1e-6
    areas = area_comparison(england, england_model)
    assert abs(areas["expected"].sum() - y.sum()) < 1e-6
    assert areas["observed"].sum() == y.sum()
    assert areas["n"].sum() == len(england)


# -- c statistic --------------------------------------------------------------------


def test_c_statistic_by_hand() -> None:
    # completers' scores 0.9, 0.8, 0.6, 0.4; non-completers' 0.7, 0.4, 0.3, 0.1.
    # Of the 16 (completer, non-completer) pairs the completer scores higher in:
    #   0.9: all 4                               -> 4
    #   0.8: all 4                               -> 4
    #   0.6: 0.4, 0.3, 0.1 (not 0.7)             -> 3
    #   0.4: 0.3, 0.1, and a tie with 0.4 (1/2)  -> 2.5
    # c = 13.5 / 16 = 0.84375
    outcome = [1, 1, 1, 1, 0, 0, 0, 0]
    score = [0.9, 0.8, 0.6, 0.4, 0.7, 0.4, 0.3, 0.1]
    assert c_statistic(outcome, score) == pytest.approx(13.5 / 16, abs=1e-12)
    # order does not matter
    assert c_statistic(outcome[::-1], score[::-1]) == pytest.approx(0.84375, abs=1e-12)


def test_c_statistic_edges() -> None:
    assert c_statistic([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == 1.0  # every pair right
    assert c_statistic([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4]) == 0.0  # every pair wrong
    assert c_statistic([0, 1, 0, 1], [0.5] * 4) == 0.5  # all ties: 4 halves of 4 pairs
    assert math.isnan(c_statistic([1, 1], [0.2, 0.3]))  # no non-completers
    with pytest.raises(CaseMixError):
        c_statistic([0, 2], [0.1, 0.2])


# -- covariate preparation ----------------------------------------------------------


def test_missing_values_become_not_known() -> None:
    frame = pd.DataFrame({"sex": ["male", None, np.nan, "", "  ", " female "]})
    out = fill_not_known(frame, ["sex"])
    assert out["sex"].tolist() == [
        "male", "not_known", "not_known", "not_known", "not_known", "female",
    ]  # fmt: skip


def _small(n_levels: dict[str, int], seed: int = 7) -> pd.DataFrame:
    """Persons with one covariate, ``employment``, at the given level sizes and
    completions alternating 0/1 (so no level separates)."""
    levels = [lev for lev, k in n_levels.items() for _ in range(k)]
    n = len(levels)
    return pd.DataFrame(
        {
            "person_id": range(n),
            "area_code": "E1",
            "region_code": "R1",
            "completed": np.arange(n) % 2,
            "employment": levels,
        }
    )


def test_rare_and_separating_levels_are_pooled_into_other() -> None:
    frame = _small({"a": 120, "b": 50, "c": 15, "d": 15, "e": 26})
    # "e" would be perfectly separated: everyone in it completed
    is_e = frame["employment"] == "e"
    frame.loc[is_e, "completed"] = 1
    m = fit_case_mix(frame, covariates=["employment"])
    # c (15) and d (15) are rare; e separates; pooled they make "other" (56)
    assert m.pooled_levels == {"employment": ("c", "d", "e")}
    assert {m.recoding["employment"][k] for k in "cde"} == {"other"}
    assert m.reference_levels == {"employment": "a"}
    terms = m.coefficients["term"].tolist()
    assert terms == ["Intercept", "employment[a]", "employment[b]", "employment[other]"]
    other = m.coefficients.set_index("term").loc["employment[other]"]
    assert other["n_persons"] == 56
    assert np.isfinite(other["estimate"])
    assert m.converged


def test_rare_other_is_folded_into_reference() -> None:
    m = fit_case_mix(_small({"a": 150, "b": 40, "c": 10}), covariates=["employment"])
    assert m.recoding["employment"] == {"a": "a", "b": "b", "c": "a"}
    assert m.coefficients["term"].tolist() == ["Intercept", "employment[a]", "employment[b]"]
    assert m.coefficients.set_index("term").loc["employment[a]", "n_persons"] == 160


def test_missing_level_is_fitted_and_single_level_covariate_dropped() -> None:
    frame = _small({"a": 100, "b": 60})
    frame.loc[frame.index[:30], "employment"] = None  # 30 persons: not rare
    frame["sex"] = "female"  # one level only
    frame["accommodation"] = np.nan  # all missing: one level, "not_known"
    m = fit_case_mix(frame, covariates=["employment", "sex", "accommodation"])
    assert m.dropped_covariates == ("sex", "accommodation")
    assert m.covariates == ("employment",)
    assert "employment[not_known]" in set(m.coefficients["term"])
    assert not any(t.startswith(("sex", "accommodation")) for t in m.coefficients["term"])
    assert abs(m.expected.sum() - frame["completed"].sum()) < 1e-6


def test_aliased_not_known_levels_are_left_out() -> None:
    # the same 30 persons are missing both covariates: the second dummy is the
    # first, so it cannot be estimated (R would report NA)
    frame = _small({"a": 100, "b": 60})
    frame["referral_source"] = np.where(np.arange(160) % 3 == 0, "self", "health")
    frame.loc[frame.index[:30], ["employment", "referral_source"]] = None
    m = fit_case_mix(frame, covariates=["employment", "referral_source"])
    assert m.aliased_terms == ("referral_source[not_known]",)
    row = m.coefficients.set_index("term").loc["referral_source[not_known]"]
    assert row["aliased"] and math.isnan(row["estimate"])
    assert m.converged
    assert abs(m.expected.sum() - frame["completed"].sum()) < 1e-6


def test_separation_by_a_combination_is_flagged_not_fatal() -> None:
    # every level has both outcomes, but no "m"+"a" person completes and every
    # "f"+"b" person does: quasi-separation that level pooling cannot see
    sex = np.tile(["m", "m", "f", "f"], 50)
    emp = np.tile(["a", "b", "a", "b"], 50)
    completed = np.where(sex == "m", np.where(emp == "a", 0, np.arange(200) % 8 < 4), 1)
    completed = np.where((sex == "f") & (emp == "a"), np.arange(200) % 8 < 4, completed)
    frame = pd.DataFrame({"sex": sex, "employment": emp, "completed": completed.astype(int)})
    m = fit_case_mix(frame, covariates=["sex", "employment"])
    assert m.separation
    assert any("separation" in w for w in m.fit_warnings)
    assert abs(m.expected.sum() - frame["completed"].sum()) < 1e-6
    assert m.expected[(frame["sex"] == "m") & (frame["employment"] == "a")].max() < 1e-8
    assert not fit_case_mix(_small({"a": 100, "b": 60}), ["employment"]).separation


def test_unseen_level_predicted_as_reference() -> None:
    frame = _small({"a": 100, "b": 60})
    m = fit_case_mix(frame, covariates=["employment"])
    new = pd.DataFrame({"employment": ["a", "zzz"]}, index=[10, 11])
    p = m.predict(new)
    assert p.index.tolist() == [10, 11]
    assert p.iloc[0] == pytest.approx(p.iloc[1])


def test_bad_outcome_raises() -> None:
    frame = _small({"a": 30, "b": 30})
    frame["completed"] = frame["completed"].astype(float)
    frame.loc[0, "completed"] = np.nan
    with pytest.raises(CaseMixError):
        fit_case_mix(frame, covariates=["employment"])
    frame.loc[0, "completed"] = 2
    with pytest.raises(InputError):
        fit_case_mix(frame, covariates=["employment"])
    frame["completed"] = 1
    with pytest.raises(CaseMixError, match="both completions and non-completions"):
        fit_case_mix(frame, covariates=["employment"])
    frame["completed"] = np.arange(len(frame)) % 2
    with pytest.raises(CaseMixError, match="no column"):
        fit_case_mix(frame.drop(columns="employment"), covariates=["employment"])


# -- areas --------------------------------------------------------------------------


def test_outlying_area_is_above_the_funnel() -> None:
    # 12 areas of ~830 persons; area E011 completes with 1.2 more log-odds
    # than its case mix predicts (odds x 3.3), the others as predicted.
    frame = simulate(10_000, seed=99, areas=12, boost={"E011": 1.2})
    model = fit_case_mix(frame)
    areas = area_comparison(frame, model).set_index("area_code")
    high = areas.loc["E011"]
    assert high["ratio"] > 1.4
    assert high["ratio_lower_95"] > 1.0 and high["ratio_lower_99_8"] > 1.0
    assert high["funnel_99_8"] == "above" and high["funnel_95"] == "above"
    assert high["significance"] == "High (0.001)"
    typical = areas.loc["E003"]
    assert typical["ratio_lower_95"] < 1.0 < typical["ratio_upper_95"]
    assert typical["funnel_95"] == "within" and typical["funnel_99_8"] == "within"
    assert typical["significance"] == "Not significant"
    # region: the most common region of the area's persons
    assert areas.loc["E001", "region_code"] == "R1"
    assert areas.loc["E011", "region_code"] == "R2"


def _two_areas() -> tuple[pd.DataFrame, pd.Series]:
    """Area A: 100 persons, 30 completed, each expected 0.2 (E = 20).
    Area B: 20 persons, 5 completed, each expected 0.2 (E = 4)."""
    completed = [1] * 30 + [0] * 70 + [1] * 5 + [0] * 15
    frame = pd.DataFrame(
        {
            "person_id": range(120),
            "area_code": ["A"] * 100 + ["B"] * 20,
            "region_code": ["R1"] * 100 + ["R2"] * 20,
            "completed": completed,
        },
        index=pd.RangeIndex(1000, 1120),
    )
    return frame, pd.Series(0.2, index=frame.index)


def test_byar_and_exact_ratio_limits_by_hand() -> None:
    frame, expected = _two_areas()
    areas = area_comparison(frame, expected).set_index("area_code")
    assert list(areas.reset_index().columns) == AREA_COLUMNS
    a = areas.loc["A"]
    assert (a["n"], a["observed"]) == (100, 30)
    assert a["expected"] == pytest.approx(20.0)
    assert a["ratio"] == pytest.approx(1.5)
    assert a["ci_method"] == "Byars"  # 30 >= 10 events
    # Byar: lower = O (1 - 1/(9 O) - z / (3 sqrt O))^3,
    #       upper = (O + 1) (1 - 1/(9 (O + 1)) + z / (3 sqrt(O + 1)))^3, over E = 20
    for z, lo_col, up_col in (
        (1.959963984540054, "ratio_lower_95", "ratio_upper_95"),
        (3.090232306167813, "ratio_lower_99_8", "ratio_upper_99_8"),
    ):
        lower = 30 * (1 - 1 / 270 - z / (3 * math.sqrt(30))) ** 3 / 20
        upper = 31 * (1 - 1 / 279 + z / (3 * math.sqrt(31))) ** 3 / 20
        assert a[lo_col] == pytest.approx(lower, rel=1e-12)
        assert a[up_col] == pytest.approx(upper, rel=1e-12)
    # numerically: 95% (1.0118, 2.1414); 99.8% (0.7919, 2.5559)
    assert a["ratio_lower_95"] == pytest.approx(1.0118, abs=1e-4)
    assert a["ratio_upper_95"] == pytest.approx(2.1414, abs=1e-4)
    assert a["ratio_lower_99_8"] == pytest.approx(0.7919, abs=1e-4)
    assert a["ratio_upper_99_8"] == pytest.approx(2.5559, abs=1e-4)
    # so A is above the 95% funnel but within the 99.8% one
    assert (a["funnel_95"], a["funnel_99_8"]) == ("above", "within")
    assert a["significance"] == "High (0.025)"
    # England's rate = 35 / 120; adjusted rate = ratio x that
    assert a["adjusted_rate"] == pytest.approx(1.5 * 35 / 120)
    assert a["adjusted_rate_lower_95"] == pytest.approx(a["ratio_lower_95"] * 35 / 120)
    assert a["observed_rate"] == pytest.approx(0.3)
    assert a["expected_rate"] == pytest.approx(0.2)

    b = areas.loc["B"]
    assert b["ci_method"] == "Exact"  # 5 < 10 events
    # exact (Garwood): chi2(0.025; 2 O) / 2 and chi2(0.975; 2 O + 2) / 2, over E = 4
    assert b["ratio_lower_95"] == pytest.approx(sp.chi2.ppf(0.025, 10) / 2 / 4, rel=1e-12)
    assert b["ratio_upper_95"] == pytest.approx(sp.chi2.ppf(0.975, 12) / 2 / 4, rel=1e-12)
    assert b["ratio_lower_99_8"] == pytest.approx(sp.chi2.ppf(0.001, 10) / 2 / 4, rel=1e-12)
    # Poisson tables: 5 events, 95% (1.6235, 11.6683)
    assert b["ratio_lower_95"] * 4 == pytest.approx(1.6235, abs=1e-4)
    assert b["ratio_upper_95"] * 4 == pytest.approx(11.6683, abs=1e-4)
    assert (b["funnel_95"], b["funnel_99_8"]) == ("within", "within")
    assert b["region_code"] == "R2"

    # a given reference rate replaces England's
    other = area_comparison(frame, expected, reference_rate=0.5).set_index("area_code")
    assert other.loc["A", "adjusted_rate"] == pytest.approx(0.75)


def test_comparator_groups_by_hand() -> None:
    # Ten areas (given in no particular order). Sorted by expected rate:
    #   J .05, B .10, H .15, E .20, C .25, A .30, G .35, I .40, D .45, F .50
    # With k = 3 groups the i-th (from 0) goes to floor(3 i / 10) + 1:
    #   i = 0..3 -> 1 (J B H E), i = 4..6 -> 2 (C A G), i = 7..9 -> 3 (I D F).
    # 75th percentile, numpy's linear interpolation (position 0.75 (m - 1)):
    #   group 1 observed .10 .20 .30 .40: position 2.25 -> .30 + .25 x .10 = .325
    #   group 2 observed .20 .30 .50:     position 1.5  -> .30 + .5  x .20 = .40
    #   group 3 observed .35 .45 .55:     position 1.5  -> .45 + .5  x .10 = .50
    areas = pd.DataFrame(
        {
            "area_code": list("ABCDEFGHIJ"),
            "expected_rate": [0.30, 0.10, 0.25, 0.45, 0.20, 0.50, 0.35, 0.15, 0.40, 0.05],
            "observed_rate": [0.20, 0.20, 0.50, 0.55, 0.40, 0.35, 0.30, 0.30, 0.45, 0.10],
        }
    )
    out = assign_comparator_groups(areas, 3).set_index("area_code")
    groups = {1: "JBHE", 2: "CAG", 3: "IDF"}
    for g, members in groups.items():
        assert sorted(out.index[out["comparator_group"] == g]) == sorted(members)
    top = {1: 0.325, 2: 0.40, 3: 0.50}
    for code in out.index:
        assert out.loc[code, "group_top_quartile"] == pytest.approx(
            top[int(out.loc[code, "comparator_group"])], abs=1e-12
        )
    # in the top quartile: E (.40 >= .325), C (.50 >= .40), D (.55 >= .50)
    assert sorted(out.index[out["in_top_quartile"]]) == ["C", "D", "E"]
    gaps = {"J": 0.225, "B": 0.125, "H": 0.025, "E": 0.0, "C": 0.0, "A": 0.20,
            "G": 0.10, "I": 0.05, "D": 0.0, "F": 0.15}  # fmt: skip
    for code, gap in gaps.items():
        assert out.loc[code, "gap_to_top_quartile"] == pytest.approx(gap, abs=1e-12)
    # rows keep their order
    assert list(out.index) == list("ABCDEFGHIJ")


def test_fewer_areas_than_groups() -> None:
    frame, expected = _two_areas()
    areas = area_comparison(frame, expected, comparator_groups=5)
    # both areas have expected rate 0.2: ties go by area code, A then B
    assert areas["comparator_group"].tolist() == [1, 2]
    # one area per group: its own rate is its group's 75th percentile
    assert areas["in_top_quartile"].all()
    assert (areas["gap_to_top_quartile"] == 0).all()
    assert areas["group_top_quartile"].tolist() == pytest.approx([0.30, 0.25])


def test_funnel_lines() -> None:
    frame = simulate(4_000, seed=3, areas=8)
    model = fit_case_mix(frame)
    areas = area_comparison(frame, model)
    lines = funnel_lines(areas)
    assert len(lines) == 100
    assert list(lines.columns) == [
        "observed_events",
        "lower_95_expected", "lower_95_ratio", "upper_95_expected", "upper_95_ratio",
        "lower_99_8_expected", "lower_99_8_ratio", "upper_99_8_expected", "upper_99_8_ratio",
        "target",
    ]  # fmt: skip
    for line in ("lower_95", "upper_95", "lower_99_8", "upper_99_8"):
        assert np.allclose(
            lines[f"{line}_ratio"], lines["observed_events"] / lines[f"{line}_expected"]
        )
    assert (lines["lower_99_8_ratio"] < lines["lower_95_ratio"]).all()
    assert (lines["lower_95_ratio"] < 1).all() and (lines["upper_95_ratio"] > 1).all()
    assert (lines["upper_95_ratio"] < lines["upper_99_8_ratio"]).all()
    # the upper 95% line at O events: the mean mu with P(X >= O | mu) = 0.025,
    # i.e. chi2(0.025; 2 O) / 2 (exact root; PHE's search agrees to ~1e-4)
    o = lines["observed_events"].to_numpy()
    assert np.allclose(lines["upper_95_expected"], sp.chi2.ppf(0.025, 2 * o) / 2, rtol=1e-4)
