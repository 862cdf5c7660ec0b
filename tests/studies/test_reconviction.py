"""The reconviction study on the hand-made linked dataset of reconviction_cases.py.

Every expected value was worked out by hand from the story in that module's
docstring; the comments show the working. Intervals are worked out from
their formulas (written out here), not taken from the code.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from reconviction_cases import SETTINGS, build_stores, person

from recoverylink.cli.main import main
from recoverylink.studies import reconviction as R
from recoverylink.studies.base import (
    Headline,
    StudyContext,
    StudyError,
    StudyNotApplicableError,
    StudyOptions,
    StudyResult,
)
from recoverylink.warehouse.build import BuildOptions, build

Z = 1.959963984540054


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("reconviction")
    build_stores(d)
    build(BuildOptions(d, SETTINGS))
    return d


def _run(data_dir: Path, **kw: object) -> StudyResult:
    ctx = StudyContext.open(StudyOptions(data_dir, SETTINGS, **kw))  # type: ignore[arg-type]
    try:
        return R.run(ctx)
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def result(data_dir: Path) -> StudyResult:
    return _run(data_dir)


@pytest.fixture()
def ctx(data_dir: Path) -> Iterator[StudyContext]:
    c = StudyContext.open(StudyOptions(data_dir, SETTINGS))
    yield c
    c.close()


def _table(result: StudyResult, name: str) -> pd.DataFrame:
    return next(t.frame for t in result.tables if t.name == name)


def _headline(result: StudyResult, id_: str) -> Headline:
    return next(h for h in result.headlines if h.id == id_)


def _wilson(x: int, n: int) -> tuple[float, float]:
    # (2x + z^2 -+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))
    root = math.sqrt(Z * Z + 4 * x * (1 - x / n))
    return ((2 * x + Z * Z - Z * root) / (2 * (n + Z * Z)),
            (2 * x + Z * Z + Z * root) / (2 * (n + Z * Z)))


def _blocks(ctx: StudyContext, cut: float = 0.9, by_offence_date: bool = True) -> None:
    ctx.sql(R.STUDY, "starts", {"fy_start": "2006-04-01", "fy_end": "2007-03-31"})
    ctx.sql(R.STUDY, "cohort")
    ctx.sql(R.STUDY, "link_strength")
    ctx.sql(R.STUDY, "convictions", {"by_offence_date": by_offence_date})
    ctx.sql(R.STUDY, "status", {"cut": cut, "doubt": 0.5})


def test_cohort_flow(result: StudyResult) -> None:
    # Starting a journey in 2006-07: A-M and O, P, R, S, T, U = 19 people (N starts
    # in 2007-08; M is a person of its own). Left out: M (no consent), L (alcohol
    # only), J (previous journey ended on start - 6 months). O's first journey in
    # the year is alcohol only but the second is new, so O is in: 16. Then P, R, S
    # are neither reliably matched nor absent at 0.9: 13 (A-G, I, U matched = 9;
    # H, K, O, T absent = 4). Offenders A B C D E F G U = 8. H died in the window.
    text = "\n".join(result.cohort)
    for line in (
        "19 people started a treatment journey in 2006-07",
        "1 left out: submitted without consent",
        "1 left out: alcohol only",
        "1 left out: not a new presentation",
        "16 started a new drug treatment journey",
        "3 left out: neither reliably matched",
        "13 in the cohort: 9 matched to the police records, 4 absent from them.",
        "8 with at least one conviction",
        "1 of the cohort (0 offenders) died",
    ):
        assert line in text
    assert _headline(result, "cohort").value == 13


def test_windows_and_edges(ctx: StudyContext) -> None:
    _blocks(ctx)
    rows = ctx.con.execute(
        "SELECT person_id, period, count(*) FROM rc_convictions WHERE via = 'own' "
        "GROUP BY ALL"
    ).fetchall()
    got = {(p, w): n for p, w, n in rows}
    # A: 2004-05-31 early; 2004-06-01 (start - 2y) and 2006-05-31 before; 2006-06-01
    # (start) and 2008-05-31 after; 2008-06-01 (horizon) in none; the caution and
    # the violence conviction are not counted.
    a = person("A")
    assert (got[(a, "early")], got[(a, "before")], got[(a, "after")]) == (1, 2, 2)
    # D: 2002-06-01 (start - 4y) is early, 2002-05-31 is not.
    assert got[(person("D"), "early")] == 1
    # C by offence date: before 4 (2 fraud, 2 soliciting), after 2.
    assert (got[(person("C"), "before")], got[(person("C"), "after")]) == (4, 2)
    ctx.sql(R.STUDY, "convictions", {"by_offence_date": False})
    c_rows = dict(ctx.con.execute(
        "SELECT period, count(*) FROM rc_convictions WHERE person_id = ? GROUP BY ALL",
        [person("C")],
    ).fetchall())
    # by conviction date the soliciting offence of 2006-05-20, proven 2006-07-01, is after
    assert (c_rows["before"], c_rows["after"]) == (3, 3)


def test_outcome_groups_and_returns(ctx: StudyContext) -> None:
    _blocks(ctx)
    got = {
        r[0]: r[1:] for r in ctx.con.execute(
            "SELECT person_id, outcome, returned, start_date::VARCHAR FROM rc_cohort"
        ).fetchall()
    }
    assert got[person("A")][:2] == ("retained", False)  # open
    assert got[person("B")][0] == "retained"  # ended 2008-07-01, after the horizon
    assert got[person("C")][:2] == ("completed", False)
    assert got[person("D")][:2] == ("completed", True)  # ended on start + 6 months
    assert got[person("E")][0] == "other"  # a day short of 6 months
    assert got[person("F")][:2] == ("dropped_out", False)
    assert got[person("G")][:2] == ("dropped_out", True)  # the drop-out who returns
    assert got[person("H")][0] == "other"  # transfer
    assert got[person("T")][0] == "dropped_out"
    assert got[person("O")] == ("retained", False, "2007-02-01")  # the second journey
    assert person("K") in got and person("J") not in got and person("L") not in got
    assert person("N") not in got and person("M") not in got


def test_link_status(ctx: StudyContext) -> None:
    _blocks(ctx)
    link = {r[0]: r[1:] for r in ctx.con.execute(
        "SELECT person_id, own_p, cand_p, cand_person, doubt_p FROM rc_link").fetchall()}
    # A: least(link 0.99, nominal 1.0); P: least(0.85, 1.0); U: nominal 0.95, no link row
    assert link[person("A")][0] == pytest.approx(0.99)
    assert link[person("P")][0] == pytest.approx(0.85)
    assert link[person("U")][0] == pytest.approx(0.95)
    assert link[person("B")][0] == pytest.approx(1.0)
    # R takes Rpol (0.75, Rpol's strongest); S's 0.72 to Rpol is not Rpol's strongest
    assert link[person("R")][1:] == (pytest.approx(0.75), "person-Rpol", pytest.approx(0.75))
    assert link[person("S")][1:] == (None, None, pytest.approx(0.72))
    assert link[person("T")][1:3] == (pytest.approx(0.3), "person-Tpol")
    status = dict(ctx.con.execute("SELECT person_id, status FROM rc_status").fetchall())
    assert {p for p, s in status.items() if s == "doubtful"} == {
        person("P"), person("R"), person("S")}
    assert status[person("T")] == "absent"  # candidate 0.3 is under the doubt floor


def test_outcome_table(result: StudyResult) -> None:
    t = _table(result, "outcome_groups").set_index("group")
    # offenders (before, after): A (2,2) B (1,3) U (1,0) retained; C (4,2) D (2,2)
    # completed; F (2,4) G (3,3) dropped out; E (1,0) other.
    expected = {
        # group: (people, offenders, before, after, change %)
        "all": (13, 8, 16, 16, 0.0),
        "retained": (6, 3, 4, 5, 25.0),  # A B U I K O
        "completed": (2, 2, 6, 4, -100 / 3),  # C D
        "completed_not_returned": (1, 1, 4, 2, -50.0),  # C
        "completed_returned": (1, 1, 2, 2, 0.0),  # D
        "dropped_out": (3, 2, 5, 7, 40.0),  # F G T
        "dropped_out_returned": (1, 1, 3, 3, 0.0),  # G
    }
    for group, (people, offenders, before, after, change) in expected.items():
        row = t.loc[group]
        assert (row["people"], row["offenders"], row["convictions_before"],
                row["convictions_after"]) == (people, offenders, before, after), group
        assert row["change_pct"] == pytest.approx(change), group
    # other: E and H; E's 1 -> 0 has no ratio (nothing after)
    assert (t.loc["other", "people"], t.loc["other", "offenders"]) == (2, 1)
    assert math.isnan(float(t.loc["other", "change_pct"]))  # type: ignore[arg-type]
    # one person's convictions give no interval
    assert math.isnan(float(t.loc["completed_not_returned", "lower95"]))  # type: ignore[arg-type]
    # retained: A = 5 after, B = 4 before; influences a_i/5 - b_i/4:
    # A 2/5 - 2/4 = -0.1, B 3/5 - 1/4 = 0.35, U 0 - 1/4 = -0.25;
    # var = 3/2 * (0.01 + 0.1225 + 0.0625) = 0.2925; log RR = log 1.25
    se = math.sqrt(0.2925)
    assert t.loc["retained", "lower95"] == pytest.approx(
        100 * (math.exp(math.log(1.25) - Z * se) - 1))
    assert t.loc["retained", "upper95"] == pytest.approx(
        100 * (math.exp(math.log(1.25) + Z * se) - 1))
    assert t.loc["retained", "lower95"] == pytest.approx(-56.69, abs=0.01)


def test_offence_groups(result: StudyResult) -> None:
    t = _table(result, "offence_groups").set_index("offence_group")
    # theft before: A2 D2 E1 F2 G3 U1 = 11; after: A2 B1 D2 F4 G3 = 12
    assert tuple(t.loc["theft", ["convictions_before", "convictions_after"]]) == (11, 12)
    assert t.loc["theft", "change_pct"] == pytest.approx(100 / 11)
    # burglary (B) 1 -> 2; fraud (C) 2 -> 1; soliciting (C) 2 -> 1
    assert t.loc["burglary", "change_pct"] == pytest.approx(100.0)
    assert t.loc["fraud_forgery", "change_pct"] == pytest.approx(-50.0)
    assert t.loc["soliciting", "change_pct"] == pytest.approx(-50.0)
    assert "violence" not in t.index  # not a trigger offence, not counted
    assert _headline(result, "change_soliciting").published_text == "-59%"


def test_substance_groups(result: StudyResult) -> None:
    t = _table(result, "substance_groups").set_index("substance")
    # opiate/crack: A C D(crack) F G I K O U = 9, with a conviction before A C D F G U = 6;
    # others: B (cocaine) E (cannabis) H (amphetamine) T (cannabis) = 4, with B E = 2
    assert tuple(t.loc["opiate_crack", ["people", "with_conviction_before"]]) == (9, 6)
    assert tuple(t.loc["other_drugs", ["people", "with_conviction_before"]]) == (4, 2)
    # offenders' change: opiate/crack 14 -> 13, others 2 -> 3
    assert t.loc["opiate_crack", "offenders_change_pct"] == pytest.approx(-100 / 14)
    assert t.loc["other_drugs", "offenders_change_pct"] == pytest.approx(50.0)
    h = _headline(result, "prior_ratio")
    # (6/9) / (2/4) = 4/3; Katz: var = (1 - 2/3)/6 + (1 - 1/2)/2 = 0.305556
    se = math.sqrt((1 - 2 / 3) / 6 + 0.5 / 2)
    assert h.value == pytest.approx(4 / 3)
    assert h.lower == pytest.approx(4 / 3 * math.exp(-Z * se))
    assert h.upper == pytest.approx(4 / 3 * math.exp(Z * se))
    assert h.published == 2.0


def test_prior_share_dropouts_and_hard_core(result: StudyResult) -> None:
    h = _headline(result, "pct_prior")  # 8 of 13
    lo, hi = _wilson(8, 13)
    assert (h.value, h.lower, h.upper) == pytest.approx((800 / 13, 100 * lo, 100 * hi))
    assert h.lower == pytest.approx(35.52, abs=0.01)
    assert _headline(result, "dropped_out_share").value == pytest.approx(25.0)  # F, G of 8
    share = _headline(result, "dropout_share_after")
    # drop-outs' after (F 4 + G 3) over all offenders' after (16) = 7/16;
    # influences a_i (d_i - 7/16) / 16: A, C, D (2 each) -0.0546875, B (3) -0.08203125,
    # F 0.140625, G 0.10546875; var = 8/7 * sum of squares = 0.0532575
    psi = [-0.0546875] * 3 + [-0.08203125, 0.140625, 0.10546875]
    se = math.sqrt(8 / 7 * sum(x * x for x in psi))
    assert share.value == pytest.approx(43.75)
    assert share.lower == 0.0  # 0.4375 - 1.96 se is below 0: cut at 0
    assert share.upper == pytest.approx(100 * (0.4375 + Z * se))
    hc = _table(result, "hard_core")
    dip = hc[hc["offenders"].str.startswith("DIP")].set_index("definition")["with_increase"]
    # DIP offenders: B (1 -> 3), F (2 -> 4), G (3 -> 3): doubled B F; doubled and +2:
    # B (+2) F (+2); tripled: B; any increase: B F
    assert list(dip) == [2, 2, 1, 2]
    assert _headline(result, "dip_sharp_increase").value == pytest.approx(200 / 3)
    other = hc[hc["offenders"] == "other offenders"]
    assert set(other["people"]) == {5} and set(other["with_increase"]) == {0}


def test_regression_to_the_mean(result: StudyResult) -> None:
    t = _table(result, "regression_to_the_mean").set_index("group")
    # whole cohort (not selected on convictions): all 16 -> 17 (I's conviction after);
    # retained 4 -> 6
    assert t.loc["all", "whole_cohort_change_pct"] == pytest.approx(6.25)
    assert t.loc["retained", "whole_cohort_change_pct"] == pytest.approx(50.0)
    # pre-period: people with an early conviction A (1 -> 2), D (1 -> 2), G (2 -> 3):
    # 7/4 = 1.75; adjusted: (16/16) / 1.75
    assert t.loc["all", "pre_period_offenders"] == 3
    assert t.loc["all", "pre_period_change_pct"] == pytest.approx(75.0)
    assert t.loc["all", "pre_period_adjusted_pct"] == pytest.approx(100 * (1 / 1.75 - 1))
    # difference in differences: retained 5/4 over drop-outs 7/5
    assert t.loc["retained", "vs_dropped_out_pct"] == pytest.approx(100 * (1.25 / 1.4 - 1))
    assert t.loc["completed", "vs_dropped_out_pct"] == pytest.approx(100 * ((4 / 6) / 1.4 - 1))
    h = _headline(result, "retained_vs_dropped_out")
    # var = retained's 0.2925 + drop-outs': after 7, before 5; F 4/7 - 2/5, G 3/7 - 3/5;
    # 2/1 * (0.171429^2 + 0.171429^2)
    v_drop = 2 * ((4 / 7 - 2 / 5) ** 2 + (3 / 7 - 3 / 5) ** 2)
    se = math.sqrt(0.2925 + v_drop)
    assert h.lower == pytest.approx(100 * (1.25 / 1.4 * math.exp(-Z * se) - 1))


def test_sensitivity(result: StudyResult) -> None:
    t = _table(result, "sensitivity").set_index("figure")
    cols = list(t.columns)
    assert cols == ["loose 0.7", "linkage run's threshold 0.8",
                    "reliability cut 0.9 (this report)", "strict 0.99",
                    "cut 0.9, windows by conviction date"]
    cohort = t.loc[R.SENSITIVITY_ROWS["cohort"]]
    # 0.7: + P (matched) + R (through Rpol) = 15; 0.8: + P = 14; 0.9: 13; 0.99: - U = 12
    assert list(cohort) == [15, 14, 13, 12, 13]
    assert list(t.loc[R.SENSITIVITY_ROWS["matched_looser"]]) == [1, 0, 0, 0, 0]
    retained = t.loc[R.SENSITIVITY_ROWS["change_retained"]]
    # 0.7: A (2,2) B (1,3) U (1,0) P (1,0) R (1,1) = 6 -> 6; 0.8: without R 5 -> 5;
    # 0.9: 4 -> 5; 0.99: A B 3 -> 5
    assert list(retained[:4]) == pytest.approx([0.0, 0.0, 25.0, 200 / 3])
    # by conviction date C is 3 -> 3: all offenders 15 -> 17, soliciting 1 -> 2,
    # drop-outs' share 7/17
    assert t.loc[R.SENSITIVITY_ROWS["change_all"], cols[-1]] == pytest.approx(100 * 2 / 15)
    assert t.loc[R.SENSITIVITY_ROWS["change_soliciting"], cols[-1]] == pytest.approx(100.0)
    assert t.loc[R.SENSITIVITY_ROWS["dropout_share_after"], cols[-1]] == pytest.approx(
        700 / 17)
    # % with a conviction before: 0.7: 10 of 15 (P, R added); 0.99: 7 of 12
    prior = t.loc[R.SENSITIVITY_ROWS["pct_prior"]]
    assert prior.iloc[0] == pytest.approx(200 / 3) and prior.iloc[3] == pytest.approx(700 / 12)


def test_min_link_probability_is_the_cut(data_dir: Path) -> None:
    stricter = _run(data_dir, min_link_probability=0.99)
    # U (0.95) is left out too: 12 people, 7 offenders (A B C D E F G)
    assert _headline(stricter, "cohort").value == 12
    assert _headline(stricter, "pct_prior").value == pytest.approx(700 / 12)
    assert stricter.parameters["reliability_cut"] == 0.99


def test_options_refused(data_dir: Path) -> None:
    with pytest.raises(StudyError, match="no option"):
        _run(data_dir, extra={"nonsense": "1"})
    with pytest.raises(StudyError, match="above the doubt floor"):
        _run(data_dir, extra={"doubt": "0.95"})
    with pytest.raises(StudyError, match="window_date"):
        _run(data_dir, extra={"window_date": "arrest"})
    # 2008-09: the 2 years after need treatment data to 2011-03-30; they end 2010-03-31
    with pytest.raises(StudyNotApplicableError,
                       match=r"2008-09 needs data from 2006-04-01 to 2011-03-30 .* the data "
                       r"span 2004-04-01 to 2010-03-31"):
        _run(data_dir, year="2008-09")


def test_command_writes_the_report(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert main(["study", "reconviction", "--data-dir", str(data_dir), "--out", str(out)]) == 0
    assert (out / "report.html").is_file()
    for name in ("outcome_groups", "offence_groups", "sensitivity", "regression_to_the_mean",
                 "headlines"):
        assert (out / f"{name}.csv").is_file()
