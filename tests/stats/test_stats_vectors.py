"""Every row of every reference vector file, reproduced.

The vectors (tests/stats/vectors, copied from ../shared/reference/stats_vectors)
come from the test data of PHEindicatormethods and FunnelPlotR. Each file has
one check below; each check walks the file row by row and compares every
number (to 1e-6 relative) and every label (exactly)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from stats_vector_io import VECTORS, RowChecker, read

from recoverylink import stats

LIMIT_COLS = ("lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl")


def _estimate_cells(chk: RowChecker, where: str, est_row: pd.Series, row: pd.Series) -> None:
    for col in ("value", *LIMIT_COLS):
        if col in row.index:
            chk.number(f"{where} {col}", est_row[col], row[col])


def check_byars_wilson_limits(chk: RowChecker) -> None:
    frame = read("byars_wilson_limits.csv")
    for i, row in chk.rows_of(frame):
        conf = float(row["confidence"])
        if row["method"] == "Byars":
            lo = stats.byars_lower(row["x"], conf)
            up = stats.byars_upper(row["x"], conf)
        else:
            assert row["method"] == "Wilson"
            lo = stats.wilson_lower(row["x"], row["n"], conf)
            up = stats.wilson_upper(row["x"], row["n"], conf)
        chk.number(f"row {i} lowercl", lo, row["lowercl"])
        chk.number(f"row {i} uppercl", up, row["uppercl"])
    chk.done(len(frame))


def check_proportion_wilson(chk: RowChecker) -> None:
    frame = read("proportion_wilson.csv")
    for i, row in chk.rows_of(frame):
        est = stats.proportion(row["numerator"], row["denominator"], row["multiplier"])
        _estimate_cells(chk, f"row {i}", est.to_frame().iloc[0], row)
    chk.done(len(frame))


def check_rate_byars_exact(chk: RowChecker) -> None:
    frame = read("rate_byars_exact.csv")
    # all rows at once, to exercise the vectorised path
    est = stats.rate(frame["numerator"], frame["denominator"], 1.0)
    out = est.to_frame()
    for i, row in chk.rows_of(frame):
        single = stats.rate(row["numerator"], row["denominator"], row["multiplier"]).to_frame()
        _estimate_cells(chk, f"row {i}", single.iloc[0], row)
        chk.label(f"row {i} method", out.loc[i, "method"], row["method"])
        chk.number(
            f"row {i} vectorised upper95",
            out.loc[i, "upper95_0cl"] * row["multiplier"],
            row["upper95_0cl"],
        )
    chk.done(len(frame))


def check_mean_t_expected(chk: RowChecker) -> None:
    inputs = read("mean_t_inputs.csv")
    frame = read("mean_t_expected.csv")
    by_area = stats.mean(inputs["values"], inputs["area"]).to_frame().set_index("group")
    overall = stats.mean(inputs["values"]).to_frame().iloc[0]
    for i, row in chk.rows_of(frame):
        got = overall if row["area"] == "No grouping" else by_area.loc[row["area"]]
        for col in ("value_sum", "value_count", "stdev"):
            chk.number(f"row {i} {col}", got[col], row[col])
        _estimate_cells(chk, f"row {i}", got, row)
    chk.done(len(frame))


def _dsr_results(multiplier: float) -> pd.DataFrame:
    inputs = read("dsr_inputs.csv")
    parts = [
        stats.dsr_table(group, ["area"], "count", "pop", "stdpop", multiplier)
        for _, group in inputs.groupby("standard", sort=False)  # 19 or 18 age bands
    ]
    return pd.concat(parts).set_index("area")


def check_dsr_expected(chk: RowChecker) -> None:
    frame = read("dsr_expected.csv")
    results = {m: _dsr_results(m) for m in frame["multiplier"].unique()}
    for i, row in chk.rows_of(frame):
        got = results[row["multiplier"]].loc[row["area"]]
        where = f"row {i} ({row['area']}, x{row['multiplier']})"
        chk.number(f"{where} total_count", got["total_count"], row["total_count"])
        chk.number(f"{where} total_pop", got["total_pop"], row["total_pop"])
        chk.label(f"{where} statistic", got["statistic"], row["statistic"])
        chk.number(f"{where} value", got["value"], row["value"])
        chk.number(f"{where} lower95_0cl", got["lower95_0cl"], row["lower95_0cl"])
        chk.number(f"{where} upper95_0cl", got["upper95_0cl"], row["upper95_0cl"])
        if row["area"] == "testdata_1976":
            # The README: these two cells are blank on purpose (the upstream
            # file has them mis-scaled by 10). With no reference number, check
            # them against the 95% reference limits instead: Dobson's limits
            # are value + k (Byar(O) - O) with one k for both levels, so k
            # from the 95% upper limit predicts the 99.8% limits.
            assert np.isnan(row["lower99_8cl"]) and np.isnan(row["upper99_8cl"])
            o = row["total_count"]
            k = (row["upper95_0cl"] - row["value"]) / (stats.byars_upper(o, 0.95) - o)
            chk.number(
                f"{where} lower99_8cl (from 95% k)",
                got["lower99_8cl"],
                row["value"] + k * (stats.byars_lower(o, 0.998) - o),
            )
            chk.number(
                f"{where} upper99_8cl (from 95% k)",
                got["upper99_8cl"],
                row["value"] + k * (stats.byars_upper(o, 0.998) - o),
            )
        else:
            chk.number(f"{where} lower99_8cl", got["lower99_8cl"], row["lower99_8cl"])
            chk.number(f"{where} upper99_8cl", got["upper99_8cl"], row["upper99_8cl"])
    chk.done(len(frame))


def check_dsr_nonindependent_expected(chk: RowChecker) -> None:
    inputs = read("dsr_nonindependent_inputs.csv")
    frame = read("dsr_nonindependent_expected.csv")
    got_all = stats.dsr_nonindependent_table(
        inputs, ["area"], "ageband", "eventfreq", "individuals", "pop", "stdpop", 100000
    ).set_index("area")
    for i, row in chk.rows_of(frame):
        got = got_all.loc[row["area"]]
        where = f"row {i} ({row['area']})"
        chk.number(f"{where} total_count", got["total_count"], row["total_count"])
        chk.number(f"{where} total_pop", got["total_pop"], row["total_pop"])
        chk.label(f"{where} statistic", got["statistic"], row["statistic"])
        _estimate_cells(chk, where, got, row)
    chk.done(len(frame))


def check_isr_expected(chk: RowChecker) -> None:
    inputs = read("isr_inputs.csv")
    frame = read("isr_expected.csv")
    for i, row in chk.rows_of(frame):
        found = re.fullmatch(r"indirectly standardised (rate per|ratio x) (\d+)", row["statistic"])
        assert found, row["statistic"]
        kind, multiplier = found.group(1), float(found.group(2))
        table = stats.isr_table(
            inputs, ["area"], "count", "pop", "refcount", "refpop", multiplier, kind == "ratio x"
        ).set_index("area")
        got = table.loc[row["area"]]
        where = f"row {i} ({row['area']}, {row['statistic']})"
        chk.number(f"{where} observed", got["observed"], row["observed"])
        chk.number(f"{where} expected", got["expected"], row["expected"])
        if kind == "rate per":
            chk.number(f"{where} ref_rate", got["ref_rate"], row["ref_rate"])
        chk.label(f"{where} statistic", got["statistic"], row["statistic"])
        chk.label(f"{where} method", got["method"], row["method"])
        _estimate_cells(chk, where, got, row)
    chk.done(len(frame))


def check_funnel_proportion_limits(chk: RowChecker) -> None:
    data = read("funnel_proportion_significance.csv")
    frame = read("funnel_proportion_limits.csv")
    got = stats.proportion_table(data["numerator"], data["denominator"], multiplier=100)
    assert len(got) == len(frame)
    names = {
        "Population": "Population",
        "Lower2s0025limit": "lower_2s_limit",
        "Upper2s0025limit": "upper_2s_limit",
        "Lower3s0001limit": "lower_3s_limit",
        "Upper3s0001limit": "upper_3s_limit",
        "Baseline": "baseline",
    }
    for i, row in chk.rows_of(frame):
        for theirs, ours in names.items():
            # the file rounds to 6 decimals, so a 0.0 cell is compared absolutely
            tol = 1e-6 if row[theirs] != 0 else 0.0
            chk.number(f"row {i} {theirs}", got.loc[i, ours], row[theirs], rel=tol)
    chk.done(len(frame))


def check_funnel_proportion_significance(chk: RowChecker) -> None:
    frame = read("funnel_proportion_significance.csv")
    got = stats.proportion_significance(frame["numerator"], frame["denominator"])
    for i, row in chk.rows_of(frame):
        chk.label(f"row {i} ({row['Area']})", got[i], row["significance"])
    chk.done(len(frame))


def check_funnel_ratio_significance(chk: RowChecker) -> None:
    frame = read("funnel_ratio_significance.csv")
    got = stats.ratio_significance(frame["obs"], frame["expected"])
    for i, row in chk.rows_of(frame):
        chk.label(f"row {i}", got[i], row["significance"])
    chk.done(len(frame))


def check_funnel_ratio_limits(chk: RowChecker) -> None:
    data = read("funnel_ratio_significance.csv")
    frame = read("funnel_ratio_limits.csv")
    counts = stats.ratio_table(data["obs"], data["expected"], "count")
    isrs = stats.ratio_table(data["obs"], data["expected"], "isr")
    assert len(counts) == len(frame)
    for i, row in chk.rows_of(frame):
        chk.number(f"row {i} Observed_events", counts.loc[i, "Observed_events"], row.iloc[0])
        for line in ("lower_2s", "upper_2s", "lower_3s", "upper_3s"):
            chk.number(
                f"row {i} {line}_exp_events",
                counts.loc[i, f"{line}_exp_events"],
                row[f"{line}_exp_events"],
            )
            chk.number(
                f"row {i} {line}_count", counts.loc[i, f"{line}_limit"], row[f"{line}_count"]
            )
            chk.number(f"row {i} {line}_isr", isrs.loc[i, f"{line}_limit"], row[f"{line}_isr"])
    chk.done(len(frame))


def check_funnel_rate_limits_dsr(chk: RowChecker) -> None:
    data = read("funnel_rate_limits_inputs.csv")
    frame = read("funnel_rate_limits_dsr.csv")
    got = stats.rate_table(data["ev"], data["rate"], 1e5, "dsr", years_of_data=3)
    assert len(got) == len(frame)
    for i, row in chk.rows_of(frame):
        for col in frame.columns:
            if col in ("statistic", "method"):
                chk.label(f"row {i} {col}", got.loc[i, col], row[col])
            else:
                chk.number(f"row {i} {col}", got.loc[i, col], row[col])
    chk.done(len(frame))


def check_funnel_rate_limits_inputs(chk: RowChecker) -> None:
    """The derived columns of the rate funnel input file are the expected
    outputs of PHE's calculate_funnel_points, in three set-ups (upstream
    testFunnels.R): DSR over 3 years with the largest count set to 5; crude
    over 3 years; crude over 5 years with the largest count set to 0 and the
    population given."""
    frame = read("funnel_rate_limits_inputs.csv")
    biggest = frame["ev"] == frame["ev"].max()
    dsr_chart, dsr_den = stats.rate_points(
        frame["ev"].where(~biggest, 5), frame["rate"], 1e5, "dsr", 3
    )
    crude_chart, crude_den = stats.rate_points(frame["ev"], frame["rate"], 1e5, "crude", 3)
    denom_chart, denom_den = stats.rate_points(
        frame["ev"].where(~biggest, 0), frame["rate"], 1e5, "crude", 5, denominator=frame["pop"]
    )
    for i, row in chk.rows_of(frame):
        chk.number(f"row {i} rate_chart", dsr_chart[i], row["rate_chart"])
        chk.number(f"row {i} denominator_derived", dsr_den[i], row["denominator_derived"])
        chk.number(f"row {i} rate_chart_crude", crude_chart[i], row["rate_chart_crude"])
        chk.number(
            f"row {i} denominator_derived_crude", crude_den[i], row["denominator_derived_crude"]
        )
        chk.number(
            f"row {i} rate_chart_crude_with_denom",
            denom_chart[i],
            row["rate_chart_crude_with_denom"],
        )
        chk.number(
            f"row {i} denominator_derived_crude_with_denom",
            denom_den[i],
            row["denominator_derived_crude_with_denom"],
        )
    chk.done(len(frame))


def check_funnel_rate_significance(chk: RowChecker) -> None:
    """Eight label columns: DSR or crude rate, per 100,000 or per 100, with
    or without the one area of 0 events. As upstream, the "without_0"
    columns are computed on the data without that area, so their cell on the
    0-event row is a placeholder and is not compared (39 of 40 rows each)."""
    frame = read("funnel_rate_significance.csv")
    nonzero = frame["count"] != 0
    setups = {
        # column: (rate column, multiplier, rate type)
        "dsr_per_100000": ("rate_dsr", 1e5, "dsr"),
        "dsr_per_100": ("rate_dsr", 100.0, "dsr"),
        "crude_per_100000": ("rate_crude_per_100000", 1e5, "crude"),
        "crude_per_100": ("rate_crude_per_100", 100.0, "crude"),
    }
    got: dict[str, np.ndarray] = {}
    for stem, (rate_col, mult, kind) in setups.items():
        got[f"{stem}_with_0"] = stats.rate_significance(
            frame["count"], frame[rate_col], mult, kind, denominator=frame["pop"]
        )
        part = frame[nonzero]
        labels = np.full(len(frame), None, dtype=object)
        labels[nonzero.to_numpy()] = stats.rate_significance(
            part["count"], part[rate_col], mult, kind, denominator=part["pop"]
        )
        got[f"{stem}_without_0"] = labels
    for i, row in chk.rows_of(frame):
        for col, labels in got.items():
            if col.endswith("without_0") and row["count"] == 0:
                continue
            chk.label(f"row {i} {col}", labels[i], row[col])
    chk.done(len(frame))


def check_funnelplotr_sr_poisson_limits(chk: RowChecker) -> None:
    frame = read("funnelplotr_sr_poisson_limits.csv")
    for i, row in chk.rows_of(frame):
        got = stats.sr_poisson_limits(row["expected"], target=row["target"])
        for col in ("ll95", "ul95", "ll998", "ul998"):
            # FunnelPlotR's test rounds to 6 or 7 decimals; 1e-6 relative holds
            chk.number(f"row {i} {col}", got[col], row[col])
    chk.done(len(frame))


CHECKS: dict[str, Callable[[RowChecker], None]] = {
    "byars_wilson_limits.csv": check_byars_wilson_limits,
    "dsr_expected.csv": check_dsr_expected,
    "dsr_nonindependent_expected.csv": check_dsr_nonindependent_expected,
    "funnel_proportion_limits.csv": check_funnel_proportion_limits,
    "funnel_proportion_significance.csv": check_funnel_proportion_significance,
    "funnel_rate_limits_dsr.csv": check_funnel_rate_limits_dsr,
    "funnel_rate_limits_inputs.csv": check_funnel_rate_limits_inputs,
    "funnel_rate_significance.csv": check_funnel_rate_significance,
    "funnel_ratio_limits.csv": check_funnel_ratio_limits,
    "funnel_ratio_significance.csv": check_funnel_ratio_significance,
    "funnelplotr_sr_poisson_limits.csv": check_funnelplotr_sr_poisson_limits,
    "isr_expected.csv": check_isr_expected,
    "mean_t_expected.csv": check_mean_t_expected,
    "proportion_wilson.csv": check_proportion_wilson,
    "rate_byars_exact.csv": check_rate_byars_exact,
}

#: Files that are only inputs to the checks above (every row is read there).
INPUT_ONLY = {
    "dsr_inputs.csv",
    "dsr_nonindependent_inputs.csv",
    "isr_inputs.csv",
    "mean_t_inputs.csv",
}


def test_every_vector_file_has_a_check() -> None:
    on_disk = {p.name for p in VECTORS.glob("*.csv")}
    assert on_disk == set(CHECKS) | INPUT_ONLY


def test_copies_are_the_shared_vectors_as_copied() -> None:
    """SHA256SUMS was written from ../shared/reference/stats_vectors when the copy was made
    (after checking the two folders were identical); a changed copy fails here."""
    sums = dict(
        reversed(line.split("  ", 1)) for line in (VECTORS / "SHA256SUMS").read_text().splitlines()
    )
    assert set(sums) == {p.name for p in VECTORS.glob("*.csv")}
    for name, digest in sums.items():
        assert hashlib.sha256((VECTORS / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_vector_file(name: str) -> None:
    CHECKS[name](RowChecker(name))
