"""The TOP study on the hand-made TOPs of top_cases.py.

Every expected value was worked out by hand from the table in that module's
docstring; the comments show the working. z = 1.959964 (z^2 = 3.841459);
Student's t 0.975 quantiles: 12.706205 (1 df), 3.182446 (3 df), 2.570582 (5 df).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from top_cases import SETTINGS, build_stores

from recoverylink.cli.main import main
from recoverylink.studies import top
from recoverylink.studies.base import StudyContext, StudyError, StudyOptions, StudyResult
from recoverylink.warehouse.build import BuildOptions, build


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("top")
    build_stores(path)
    build(BuildOptions(path, SETTINGS))
    return path


def _run(data_dir: Path, year: str | None = None) -> StudyResult:
    ctx = StudyContext.open(StudyOptions(data_dir=data_dir, duckdb=SETTINGS, year=year))
    try:
        return top.run(ctx)
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def result(data_dir: Path) -> StudyResult:
    return _run(data_dir)


def _table(result: StudyResult, name: str) -> pd.DataFrame:
    return next(t.frame for t in result.tables if t.name == name)


def _by(frame: pd.DataFrame, *keys: str) -> dict[tuple[object, ...], dict[str, object]]:
    return {tuple(r[k] for k in keys): r for r in frame.to_dict("records")}


def test_cohort(result: StudyResult) -> None:
    text = "\n".join(result.cohort)
    # start TOPs: A B C D E F G H1 H2 K; journeys: H1 and H2 are one
    assert "10 episodes with a start TOP" in text
    assert "9 journeys" in text
    assert "6 of them with a review" in text  # A B C D E F
    assert "2 left out: no review" in text  # G; H (its unit is H1, which has none)
    assert "1 left out: the latest review is not after" in text  # K, same day
    assert "1 reviewed units whose main drug has no TOP column" in text  # F


def test_main_drug(result: StudyResult) -> None:
    england = _by(_table(result, "top_england"), "measure")
    # users of the main drug at start: A (opiates 20 -> 0), B (28 -> 14), C (crack
    # 12 -> 0), D (alcohol 25 -> 5); E used no cannabis at start, F's benzodiazepines
    # are not scored. 2 of 4 abstinent: 50%.
    r = england[("main_drug_abstinent",)]
    assert (r["n"], r["value"]) == (4, 50.0)
    # Wilson, x = 2, n = 4: (4 + 3.841459 -/+ 1.959964 sqrt(3.841459 + 4)) / (2 x 7.841459)
    # = (7.841459 -/+ 5.488411) / 15.682918 = 0.150038, 0.849962
    assert r["lower"] == pytest.approx(15.0038, abs=1e-3)
    assert r["upper"] == pytest.approx(84.9962, abs=1e-3)
    # days: changes -20, -14, -12, -20: mean -16.5; start 85/4 = 21.25, review 19/4 = 4.75;
    # sd sqrt((3.5^2 + 2.5^2 + 4.5^2 + 3.5^2) / 3) = sqrt(17) = 4.123106, se 2.061553,
    # half-width 3.182446 x 2.061553 = 6.364892 + 0.195889 = 6.560781
    r = england[("main_drug_days",)]
    assert (r["n"], r["at_start"], r["at_review"], r["value"]) == (4, 21.25, 4.75, -16.5)
    assert r["lower"] == pytest.approx(-16.5 - 6.560781, abs=1e-5)
    assert r["upper"] == pytest.approx(-16.5 + 6.560781, abs=1e-5)


def test_other_measures(result: StudyResult) -> None:
    england = _by(_table(result, "top_england"), "measure")
    # injecting: only A at start (10 days), nobody at review: 16.67% -> 0%;
    # changes -1, 0 x 5: mean -1/6, sd sqrt((25/36 + 5/36) / 5) = 0.408248,
    # se 0.166667, half-width 2.570582 x 0.166667 = 0.428430 -> 42.843 points
    r = england[("injecting",)]
    assert r["n"] == 6
    assert r["at_start"] == pytest.approx(100 / 6)
    assert r["at_review"] == 0
    assert r["value"] == pytest.approx(-100 / 6)
    assert r["upper"] == pytest.approx(-100 / 6 + 42.8430, abs=1e-3)
    # crime: A 4 -> 0, B 0 -> 2, C 6 -> 0, others 0: mean change -8/6
    r = england[("crime_days",)]
    assert r["at_start"] == pytest.approx(10 / 6)
    assert r["value"] == pytest.approx(-8 / 6)
    # housing: A y -> n, C n -> y: 16.67% at both, change 0; sd sqrt(2/5) = 0.632456,
    # se 0.258199, half-width 0.663721 -> 66.3721 points
    r = england[("housing_problem",)]
    assert r["at_start"] == pytest.approx(100 / 6) and r["at_review"] == pytest.approx(100 / 6)
    assert r["value"] == 0
    assert r["lower"] == pytest.approx(-66.3721, abs=1e-3)
    # paid work: A +5, B +10, D +4: 19/6
    assert england[("paid_work_days",)]["value"] == pytest.approx(19 / 6)
    # psychological health: +6 +2 +5 +4 0 +5 = 22/6 = 3.666667; sum of squared
    # deviations 25.333333, sd sqrt(25.333333/5) = 2.250926, se 0.918937,
    # half-width 2.570582 x 0.918937 = 2.362203
    r = england[("psychological_health",)]
    assert r["value"] == pytest.approx(22 / 6)
    assert r["lower"] == pytest.approx(22 / 6 - 2.362203, abs=1e-5)
    assert r["upper"] == pytest.approx(22 / 6 + 2.362203, abs=1e-5)
    # physical: +3 -1 +2 +4 0 0 = 8/6; quality of life: +6 +1 +4 +4 0 0 = 15/6
    assert england[("physical_health",)]["value"] == pytest.approx(8 / 6)
    assert england[("quality_of_life",)]["value"] == pytest.approx(2.5)
    heads = {h.id: h for h in result.headlines}
    assert heads["main_drug_abstinent"].value == 50.0
    assert heads["quality_of_life"].value == pytest.approx(2.5)


def test_by_substance_group_and_area(result: StudyResult) -> None:
    groups = _by(_table(result, "top_by_substance_group"), "substance_group", "measure")
    # opiate: A abstinent, B not: 1 of 2
    assert groups[("opiate", "main_drug_abstinent")]["value"] == 50.0
    # non_opiate (C crack, E cannabis, F benzodiazepine): only C used its main drug,
    # and stopped: 1 of 1; Wilson lower (2 + 3.841459 - 3.841459) / 9.682918 = 0.206549
    r = groups[("non_opiate", "main_drug_abstinent")]
    assert (r["n"], r["value"]) == (1, 100.0)
    assert r["lower"] == pytest.approx(20.6549, abs=1e-3)
    assert r["upper"] == pytest.approx(100.0)
    # alcohol: D, 0 of 1; Wilson upper (3.841459 x 2) / 9.682918 = 0.793451
    r = groups[("alcohol", "main_drug_abstinent")]
    assert (r["n"], r["value"]) == (1, 0.0)
    assert r["upper"] == pytest.approx(79.3451, abs=1e-3)
    assert groups[("non_opiate", "psychological_health")]["n"] == 3  # C E F

    areas = _by(_table(result, "top_by_area"), "local_authority", "measure")
    # area A (P1): A +6, B +2, E 0, F +5 = 13/4; area B (P2): C +5, D +4 = 4.5,
    # sd 0.707107, se 0.5, half-width 12.706205 x 0.5 = 6.353102
    a = areas[("E06000001", "psychological_health")]
    assert (a["la_name"], a["n"], a["value"]) == ("Hartlepool", 4, 3.25)
    b = areas[("E09000007", "psychological_health")]
    assert (b["la_name"], b["n"], b["value"]) == ("Camden", 2, 4.5)
    assert b["lower"] == pytest.approx(4.5 - 6.353102, abs=1e-5)


def test_by_drug(result: StudyResult) -> None:
    drugs = _by(_table(result, "top_by_drug"), "drug", "measure")
    # opiates at start: A (20 -> 0) and B (28 -> 14): 1 of 2 abstinent, change -17
    assert drugs[("opiates", "abstinent")]["value"] == 50.0
    assert drugs[("opiates", "days")]["value"] == -17.0
    # crack at start: A (4, a second drug) and C (12), both 0 at review
    assert (drugs[("crack", "abstinent")]["n"], drugs[("crack", "abstinent")]["value"]) == (
        2, 100.0)
    # nobody used cannabis (E: 0 days), cocaine or amphetamines at start
    assert not any(key[0] in ("cannabis", "cocaine", "amphetamines") for key in drugs)


def test_a_financial_year(data_dir: Path) -> None:
    # 2010-11: only D's start TOP (2010-05-01) is in the year; alcohol 25 -> 5
    year = _run(data_dir, "2010-11")
    england = _by(_table(year, "top_england"), "measure")
    assert (england[("main_drug_abstinent",)]["n"],
            england[("main_drug_abstinent",)]["value"]) == (1, 0.0)
    assert england[("psychological_health",)]["value"] == 4.0  # 9 -> 13
    assert pd.isna(england[("psychological_health",)]["lower"])  # one value: no interval
    # 2009-10: A B C E F reviewed (D starts later; G H K not reviewed)
    assert _by(_table(_run(data_dir, "2009-10"), "top_england"),
               "measure")[("quality_of_life",)]["n"] == 5
    with pytest.raises(StudyError, match="no journey with a start TOP in 2015-16"):
        _run(data_dir, "2015-16")


def test_command_writes_the_report(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert main(["study", "top", "--data-dir", str(data_dir), "--out", str(out)]) == 0
    html = (out / "report.html").read_text()
    assert "<svg" in html
    assert len(pd.read_csv(out / "top_england.csv")) == 9
