"""The long-term outcomes study on the hand-made dataset of long_term_cases.py.

Every expected value was worked out by hand from the table in that module's
docstring; the comments show the working. The cohort of 2005-06 is 13 people:
A B C D E F G H O S T U V.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from long_term_cases import SETTINGS, build_stores, pid

from recoverylink.cli.main import main
from recoverylink.studies import long_term
from recoverylink.studies.base import (
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
    path = tmp_path_factory.mktemp("long_term")
    build_stores(path)
    build(BuildOptions(path, SETTINGS))
    return path


def _run(data_dir: Path, **kw: Any) -> StudyResult:
    ctx = StudyContext.open(StudyOptions(data_dir=data_dir, duckdb=SETTINGS, **kw))
    try:
        return long_term.run(ctx)
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def result(data_dir: Path) -> StudyResult:
    return _run(data_dir)


def _rows(data_dir: Path, **kw: Any) -> pd.DataFrame:
    """The per-person outcome rows the study classified (lt_outcomes)."""
    ctx = StudyContext.open(StudyOptions(data_dir=data_dir, duckdb=SETTINGS, **kw))
    try:
        long_term.run(ctx)
        return ctx.frame("long_term", "outcome_rows").set_index("person_id")
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def rows(data_dir: Path) -> pd.DataFrame:
    return _rows(data_dir)


def _table(result: StudyResult, name: str) -> pd.DataFrame:
    return next(t.frame for t in result.tables if t.name == name)


def _headline(result: StudyResult, hid: str) -> Any:
    return next(h for h in result.headlines if h.id == hid)


def _wilson(x: int, n: int) -> tuple[float, float]:
    """The Wilson score interval written out here, independently of recoverylink.stats."""
    p = x / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return 100 * (centre - half), 100 * (centre + half)


EXPECTED_OUTCOME = {
    "A": "sustained_recovery",        # nothing in the four years
    "B": "returned_directly",         # self-referred return; its test came after the return
    "C": "returned_via_cjs",          # return referred by dip
    "D": "returned_via_cjs",          # trigger offence 31 days before a self-referred return
    "E": "returned_via_cjs",          # positive test exactly 90 days before the return
    "F": "offending_without_return",  # positive test on exit + 4 years: inside
    "G": "sustained_recovery",        # test and return on exit + 4 years + 1 day: outside
    "H": "returned_directly",         # return on exit + 4 years: inside
    "O": "offending_without_return",  # trigger conviction; caution, violence, negative test ignored
    "S": "returned_via_cjs",          # return referred by probation
    "T": "offending_without_return",  # trigger conviction (a 0.6 link)
    "U": "returned_directly",         # positive test 91 days before the return: not via the CJS
    "V": "sustained_recovery",        # died in the follow-up
}


def test_cohort_and_exclusions(result: StudyResult, rows: pd.DataFrame) -> None:
    assert sorted(rows.index) == sorted(pid(p) for p in EXPECTED_OUTCOME)
    # O's last journey ending in the year (O2) is the exit
    assert rows.loc[pid("O"), "end_date"].date().isoformat() == "2006-02-28"
    assert rows.loc[pid("O"), "journeys_ended_in_year"] == 2
    # 20 leavers: the 13 in the cohort, I J P for prison (P's last exit), K died,
    # L alcohol only, M without consent, N back by the end of the year; Q and R
    # left in other years.
    exclusions = _table(result, "exclusions").set_index("reason")["people"].to_dict()
    assert exclusions == {
        "no_consent": 1, "prison": 3, "died": 1, "alcohol_only": 1, "back_in_year": 1,
        "in_cohort": 13, "all": 20,
    }
    # the data run from 2004-04-01 to 2010-03-31: they hold 2005-06 and the 4 years after
    assert result.cohort[0].startswith("Cohort year 2005-06, the published study's year")
    assert result.cohort[1].startswith("20 people left treatment in 2005-06")
    assert _headline(result, "cohort").value == 13


def test_each_person_s_outcome(rows: pd.DataFrame) -> None:
    assert rows["outcome"].to_dict() == {pid(p): o for p, o in EXPECTED_OUTCOME.items()}
    assert rows["cjs_route"].dropna().to_dict() == {
        pid("C"): "cj_referral", pid("D"): "offence_before_return",
        pid("E"): "offence_before_return", pid("S"): "cj_referral",
    }
    # offended in the follow-up: B C D E F O T U (G's test is a day too late)
    assert sorted(rows.index[rows["offended"]]) == sorted(pid(p) for p in "BCDEFOTU")
    assert rows.loc[pid("V"), "date_of_death"].date().isoformat() == "2007-05-01"


def test_days_on_the_window_edge(rows: pd.DataFrame) -> None:
    # B: 2005-05-31 -> 2006-04-20: 304 days to 2006-03-31, then 20: 324
    # S: 2005-11-15 -> 2006-05-01: 30 + 31 + 31 + 28 + 31 + 16 = 167
    # H: 2005-08-31 -> 2009-08-31: 4 x 365 + 1 (29 February 2008) = 1461
    days = rows["days_to_return"].dropna().astype(int).to_dict()
    assert days[pid("B")] == 324 and days[pid("S")] == 167 and days[pid("H")] == 1461
    assert pid("G") not in days  # G's return is on day 1462
    # F's test on 2009-12-31 is day 1461; O's offence, 2006-02-28 -> 2006-06-01: 93
    assert rows.loc[pid("F"), "days_to_offence"] == 1461
    assert rows.loc[pid("O"), "days_to_offence"] == 93
    # every window holds 29 February 2008: 1461 days, all complete
    assert set(rows["follow_up_days"]) == {1461}
    assert rows["follow_up_complete"].all()


def test_outcome_table(result: StudyResult) -> None:
    t = _table(result, "outcomes").set_index("outcome")
    # sustained A G V = 3, directly B H U = 3, via the CJS C D E S = 4,
    # offending without return F O T = 3; 13 in all, 10 "the rest"
    assert t["people"].to_dict() == {
        "sustained_recovery": 3, "returned_directly": 3, "returned_via_cjs": 4,
        "offending_without_return": 3, "all": 13,
    }
    assert t.loc["sustained_recovery", "pct_of_cohort"] == pytest.approx(100 * 3 / 13)
    assert t.loc["returned_directly", "pct_of_rest"] == pytest.approx(30.0)
    assert t.loc["returned_via_cjs", "pct_of_rest"] == pytest.approx(40.0)
    assert t.loc["offending_without_return", "pct_of_rest"] == pytest.approx(30.0)
    assert math.isnan(t.loc["sustained_recovery", "pct_of_rest"])
    lower, upper = _wilson(3, 13)
    assert t.loc["sustained_recovery", "lower_95"] == pytest.approx(lower)
    assert t.loc["sustained_recovery", "upper_95"] == pytest.approx(upper)
    # within a year of the exit: B (324 days) among the direct returns, E (321)
    # and S (167) among those via the CJS; V died (sustained)
    assert t["returned_within_year"].to_dict() == {
        "sustained_recovery": 0, "returned_directly": 1, "returned_via_cjs": 2,
        "offending_without_return": 0, "all": 3,
    }
    assert t.loc["sustained_recovery", "died_in_follow_up"] == 1
    # offended: direct B U, via the CJS C D E, without return F O T
    assert t["offended"].to_dict() == {
        "sustained_recovery": 0, "returned_directly": 2, "returned_via_cjs": 3,
        "offending_without_return": 3, "all": 8,
    }


def test_headlines(result: StudyResult) -> None:
    h = {x.id: x for x in result.headlines}
    assert h["sustained_recovery"].value == pytest.approx(100 * 3 / 13)
    assert h["sustained_recovery"].published == 46.0
    assert h["returned_directly"].value == pytest.approx(30.0)
    assert h["returned_via_cjs"].value == pytest.approx(40.0)
    # of the direct returns B H U, only B within a year
    assert h["returned_within_year"].value == pytest.approx(100 / 3)
    # re-offenders B C D E F O T U: B C D E U returned, 5 of 8
    assert h["offenders_returned"].value == pytest.approx(62.5)
    assert h["offenders_returned"].published == 65.0
    assert h["cohort"].published is None and h["cohort"].published_text.startswith("41,475")


def test_reoffenders_and_routes(result: StudyResult) -> None:
    r = _table(result, "reoffenders").set_index("re_offenders")["people"].to_dict()
    # of 8 re-offenders 5 returned: C D E U after their first offence, B before
    # (B's test is 2008-01-01, the return 2006-04-20); F O T did not return
    assert r == {
        "returned to treatment": 5, "returned on or after the first offence": 4,
        "returned before the first offence": 1, "did not return": 3,
    }
    routes = _table(result, "cjs_routes")
    assert routes.set_index("label")["people"].to_dict() == {
        "referred by a criminal-justice route": 2,  # C (dip), S (probation)
        "not so referred; a drug-related offence just before": 2,  # D, E
        "dip": 1, "probation": 1, "self": 2,
    }


def test_group_tables(result: StudyResult) -> None:
    by_exit = _table(result, "by_exit_reason").set_index("exit_reason")
    # completed_drug_free: A C D F O T V; dropped_out: B E G U;
    # withdrawn_by_provider: H; transferred_not_in_custody: S
    assert by_exit["people"].to_dict() == {
        "completed_drug_free": 7, "dropped_out": 4, "transferred_not_in_custody": 1,
        "withdrawn_by_provider": 1,
    }
    cdf = by_exit.loc["completed_drug_free"]
    # A V sustained; C D via the CJS; F O T offending; re-offenders C D F O T, C D returned
    assert [cdf[o] for o in long_term.OUTCOMES] == [2, 0, 2, 3]
    assert (cdf["offended"], cdf["offended_returned"]) == (5, 2)
    assert cdf["pct_offenders_returned"] == pytest.approx(40.0)
    dropped = by_exit.loc["dropped_out"]
    # G sustained; B U directly; E via the CJS; re-offenders B E U all returned
    assert [dropped[o] for o in long_term.OUTCOMES] == [1, 2, 1, 0]
    assert dropped["pct_offenders_returned"] == pytest.approx(100.0)
    by_group = _table(result, "by_substance_group").set_index("substance_group")
    # opiate: A B D E G H O T U V; non_opiate: C (crack) S (cannabis);
    # non_opiate_and_alcohol: F (cocaine + alcohol)
    assert by_group["people"].to_dict() == {
        "non_opiate": 2, "non_opiate_and_alcohol": 1, "opiate": 10,
    }
    assert [by_group.loc["opiate", o] for o in long_term.OUTCOMES] == [3, 3, 2, 2]
    assert by_group.loc["opiate", "pct_sustained"] == pytest.approx(30.0)


def test_kaplan_meier(result: StudyResult) -> None:
    km = _table(result, "time_to_return").set_index(["group_by", "group"])
    everyone = km.loc[("all", "all")]
    # returns on days 167 (S), 321 (E), 324 (B), 489 (C), 517 (U), 944 (D),
    # 1461 (H); V died on day 516 without returning: censored there; the other
    # 5 censored on day 1461 (events before censorings on a tie). By hand:
    # S(489) = 9/13; at 517, 8 at risk (V gone): S = 9/13 * 7/8 = 63/104;
    # at 944, 7 at risk: S = 63/104 * 6/7 = 54/104; at 1461, 6 at risk:
    # S = 54/104 * 5/6 = 45/104. 1 - S: 3/13 by a year, 41/104 by two,
    # 50/104 by three, 59/104 by four.
    assert everyone["people"] == 13 and everyone["returns"] == 7
    for years, share in ((1, 3 / 13), (2, 41 / 104), (3, 50 / 104), (4, 59 / 104)):
        assert everyone[f"returned_{years}y"] == pytest.approx(100 * share)
        assert everyone[f"lower_95_{years}y"] < everyone[f"returned_{years}y"]
        assert everyone[f"upper_95_{years}y"] > everyone[f"returned_{years}y"]
    # dropped_out: E 321, B 324, U 517, G censored at 1461: 2/4 by a year, 3/4 after
    dropped = km.loc[("exit_reason", "dropped_out")]
    assert dropped["returned_1y"] == pytest.approx(50.0)
    assert dropped["returned_2y"] == pytest.approx(75.0)
    assert dropped["returned_4y"] == pytest.approx(75.0)
    # non_opiate: S 167, C 489: 1/2 by a year, 2/2 by two
    non_opiate = km.loc[("substance_group", "non_opiate")]
    assert (non_opiate["returned_1y"], non_opiate["returned_2y"]) == pytest.approx((50, 100))
    assert {c.name for c in result.charts} == {
        "outcome_chart", "km_exit_reason", "km_substance_group",
    }


def test_min_link_probability(data_dir: Path) -> None:
    # T's conviction is on a nominal linked at 0.6: at 0.9 it is dropped and T is
    # in sustained recovery (A G T V = 4 of 13). Every other link is 0.99 or 1.
    rows = _rows(data_dir, min_link_probability=0.9)
    assert rows.loc[pid("T"), "outcome"] == "sustained_recovery"
    assert (rows["outcome"] == "sustained_recovery").sum() == 4
    result = _run(data_dir, min_link_probability=0.9)
    h = {x.id: x for x in result.headlines}
    assert h["sustained_recovery"].value == pytest.approx(100 * 4 / 13)
    # the rest is 9: directly B H U 3/9, via the CJS 4/9, offending F O 2/9
    assert h["returned_directly"].value == pytest.approx(100 / 3)
    assert h["returned_via_cjs"].value == pytest.approx(400 / 9)
    # re-offenders B C D E F O U: 5 of 7 returned
    assert h["offenders_returned"].value == pytest.approx(500 / 7)
    # at 0.5 nothing is dropped
    assert _rows(data_dir, min_link_probability=0.5)["outcome"].to_dict() == {
        pid(p): o for p, o in EXPECTED_OUTCOME.items()
    }


def test_cjs_days(data_dir: Path) -> None:
    # E's test is exactly 90 days before the return, D's offence 31 days: with
    # 89 days E returned directly, D still via the CJS; with 120 U (91 days) joins
    rows89 = _rows(data_dir, extra={"cjs_days": "89"})
    assert rows89.loc[pid("E"), "outcome"] == "returned_directly"
    assert rows89.loc[pid("D"), "outcome"] == "returned_via_cjs"
    rows120 = _rows(data_dir, extra={"cjs_days": "120"})
    assert rows120.loc[pid("U"), "outcome"] == "returned_via_cjs"
    # B's test comes after the return: never via the CJS
    assert rows120.loc[pid("B"), "outcome"] == "returned_directly"


def test_incomplete_follow_up_is_refused_or_flagged(data_dir: Path) -> None:
    # 2006-07 exits need data to 2011-03-31; the data end on 2010-03-31
    with pytest.raises(StudyError, match="allow_incomplete_follow_up"):
        _run(data_dir, year="2006-07")
    result = _run(data_dir, year="2006-07", extra={"allow_incomplete_follow_up": "yes"})
    # R (exit 2006-04-01) is the one leaver: window to 2010-04-01, cut at 2010-03-31
    # (1460 days), no return: sustained, so far
    assert result.parameters["follow_up_complete"] is False
    assert result.caveats[0].startswith("Follow-up is INCOMPLETE")
    rows = _rows(data_dir, year="2006-07", extra={"allow_incomplete_follow_up": "yes"})
    assert list(rows.index) == [pid("R")]
    assert rows.loc[pid("R"), "follow_up_days"] == 1460
    assert not rows.loc[pid("R"), "follow_up_complete"]


def test_bad_options(data_dir: Path) -> None:
    with pytest.raises(StudyError, match="does not know"):
        _run(data_dir, extra={"nonsense": "1"})
    with pytest.raises(StudyError, match="cjs_days"):
        _run(data_dir, extra={"cjs_days": "soon"})
    with pytest.raises(StudyError, match="yes or no"):
        _run(data_dir, extra={"allow_incomplete_follow_up": "perhaps"})
    # 2003-04 is before the data (the first submission is for 2004-05)
    with pytest.raises(StudyNotApplicableError,
                       match="2003-04 needs data from 2003-04-01 to 2008-03-31 .*the data "
                       r"span 2004-04-01 to 2010-03-31$"):
        _run(data_dir, year="2003-04")
    # 2009-10 (followed to the end of the data): no journey ends in it, so no cohort
    with pytest.raises(StudyNotApplicableError, match="no one left treatment in 2009-10"):
        _run(data_dir, year="2009-10", extra={"allow_incomplete_follow_up": "yes"})


def test_command_writes_the_report(data_dir: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report"
    assert main(["study", "long_term", "--data-dir", str(data_dir), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Sustained recovery" in printed and "46%" in printed
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tables"]["outcomes"] == 5
    assert (out / "report.html").read_text().count("<svg") == 3
    headlines = pd.read_csv(out / "headlines.csv").set_index("id")
    assert headlines.loc["sustained_recovery", "value"] == pytest.approx(100 * 3 / 13)
