"""The mortality study on the hand-made dataset of mortality_cases.py.

Every expected value was worked out by hand from the table in that module's
docstring; the comments show the working. Person-years are days / 365.25.
Exact 95% Poisson limits (Garwood; any table of them): 1 event 0.02532 to
5.5716, 2 events 0.2422 to 7.2247, 3 events 0.6187 to 8.7673.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from mortality_cases import SETTINGS, build_stores

from recoverylink.cli.main import main
from recoverylink.studies import mortality
from recoverylink.studies.base import StudyContext, StudyError, StudyOptions, StudyResult
from recoverylink.warehouse.build import BuildOptions, build

Y = 365.25
EXACT = {1: (0.02532, 5.5716), 2: (0.2422, 7.2247), 3: (0.6187, 8.7673)}

# Expected deaths x 100,000 x 365.25 (days x rate per 100,000), 2009-2011 rates:
# in treatment: A 183 x 84.1 = 15390.3, B 304 x 107.8 = 32771.2, C 123 x 392.5 = 48277.5,
# D 364 x 64.9 = 23623.6, E 91 x 22.3 = 2029.3, H 365 x 84.1 = 30696.5 (at 34) and
# 365 x 123.1 = 44931.5 (at 35); I (sex not stated) none. Sum 197719.9.
EXPECTED_IN = 197719.9 / Y / 100_000
# after leaving: A 365 x 84.1 = 30696.5, C 365 x 392.5 = 143262.5, D 91 x 64.9 = 5905.9,
# E 244 x 22.3 = 5441.2. Sum 185306.1.
EXPECTED_AFTER = 185306.1 / Y / 100_000


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mortality")
    build_stores(path)
    build(BuildOptions(path, SETTINGS))
    return path


def _run(data_dir: Path, **kwargs: object) -> StudyResult:
    options = StudyOptions(data_dir=data_dir, duckdb=SETTINGS, **kwargs)  # type: ignore[arg-type]
    ctx = StudyContext.open(options)
    try:
        return mortality.run(ctx)
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def result(data_dir: Path) -> Iterator[StudyResult]:
    yield _run(data_dir)


def _table(result: StudyResult, name: str) -> pd.DataFrame:
    return next(t.frame for t in result.tables if t.name == name)


def _rows(result: StudyResult) -> dict[str, dict[str, object]]:
    return {str(r["period"]): r for r in _table(result, "rates").to_dict("records")}


def test_person_years_and_deaths(result: StudyResult) -> None:
    rows = _rows(result)
    # in treatment 1978 days; after leaving 1247; both 3225 (see mortality_cases)
    assert rows["in_treatment"]["person_years"] == pytest.approx(1978 / Y)
    assert rows["after_leaving"]["person_years"] == pytest.approx(1247 / Y)
    assert rows["both"]["person_years"] == pytest.approx(3225 / Y)
    # B died on her end date: in treatment. C died on end + 1 year: after leaving;
    # E died after leaving. A died one day after his year: nowhere. G's death is before
    # his journey: nowhere.
    assert (rows["in_treatment"]["deaths"], rows["in_treatment"]["drug_poisoning_deaths"]) == (
        1, 1)
    assert (rows["after_leaving"]["deaths"],
            rows["after_leaving"]["drug_poisoning_deaths"]) == (2, 1)
    assert (rows["both"]["deaths"], rows["both"]["drug_poisoning_deaths"]) == (3, 2)
    # people: A B C D E H I in treatment (G has no time); A C D E I after leaving.
    # journeys: D has two, so 8 in treatment.
    assert (rows["in_treatment"]["people"], rows["in_treatment"]["journeys"]) == (7, 8)
    assert (rows["after_leaving"]["people"], rows["after_leaving"]["journeys"]) == (5, 5)
    assert (rows["both"]["people"], rows["both"]["journeys"]) == (7, 8)


def test_crude_rates_with_exact_limits(result: StudyResult) -> None:
    rows = _rows(result)
    # in treatment: 1 death in 1978/365.25 = 5.4155 person-years: 184.66 per 1,000
    r = rows["in_treatment"]
    assert r["rate"] == pytest.approx(1 * 1000 * Y / 1978)
    assert r["rate"] == pytest.approx(184.66, abs=0.01)
    assert r["rate_lower"] == pytest.approx(EXACT[1][0] * 1000 * Y / 1978, rel=1e-3)
    assert r["rate_upper"] == pytest.approx(EXACT[1][1] * 1000 * Y / 1978, rel=1e-4)
    # after leaving: 2 deaths in 3.4141 person-years: 585.80 per 1,000; drug poisoning 1
    r = rows["after_leaving"]
    assert r["rate"] == pytest.approx(585.80, abs=0.01)
    assert r["rate_lower"] == pytest.approx(EXACT[2][0] * 1000 * Y / 1247, rel=1e-3)
    assert r["rate_upper"] == pytest.approx(EXACT[2][1] * 1000 * Y / 1247, rel=1e-4)
    assert r["drug_poisoning_rate"] == pytest.approx(292.90, abs=0.01)
    assert r["drug_poisoning_rate_upper"] == pytest.approx(EXACT[1][1] * 1000 * Y / 1247,
                                                           rel=1e-4)
    # both: 3 deaths in 8.8296 person-years: 339.77; 2 drug poisonings: 226.51
    r = rows["both"]
    assert r["rate"] == pytest.approx(339.77, abs=0.01)
    assert r["drug_poisoning_rate"] == pytest.approx(226.51, abs=0.01)
    assert r["rate_lower"] == pytest.approx(EXACT[3][0] * 1000 * Y / 3225, rel=1e-3)


def test_smrs(result: StudyResult) -> None:
    rows = _rows(result)
    # in treatment: B's death, 0.0054133 expected: SMR 184.73
    r = rows["in_treatment"]
    assert r["observed"] == 1
    assert r["expected"] == pytest.approx(EXPECTED_IN)
    assert r["smr"] == pytest.approx(1 / EXPECTED_IN)
    assert r["smr"] == pytest.approx(184.73, abs=0.01)
    assert r["smr_lower"] == pytest.approx(EXACT[1][0] / EXPECTED_IN, rel=1e-3)
    assert r["smr_upper"] == pytest.approx(EXACT[1][1] / EXPECTED_IN, rel=1e-4)
    # after leaving: C and E, 0.0050734 expected: SMR 394.21
    r = rows["after_leaving"]
    assert r["observed"] == 2
    assert r["smr"] == pytest.approx(2 / EXPECTED_AFTER)
    assert r["smr"] == pytest.approx(394.21, abs=0.01)
    # both: 3 / (0.0054133 + 0.0050734)
    assert rows["both"]["smr"] == pytest.approx(3 / (EXPECTED_IN + EXPECTED_AFTER))


def test_ageing_on_and_the_working_table(result: StudyResult) -> None:
    working = _table(result, "smr_working")
    got = {(r["period"], r["sex"], r["ref_age_band"]): (round(r["person_years"] * Y),
                                                        r["observed"])
           for r in working.to_dict("records")}
    assert got == {
        # A 183 + H's first year 365; H at 35 from 2010-04-01: 365 days at 35-39
        ("in_treatment", "male", "30-34"): (548, 0),
        ("in_treatment", "male", "35-39"): (365, 0),
        ("in_treatment", "male", "25-29"): (364, 0),  # D 90 + 274
        ("in_treatment", "male", "50-54"): (123, 0),  # C
        ("in_treatment", "female", "40-44"): (304, 1),  # B, died
        ("in_treatment", "female", "20-24"): (91, 0),  # E from the window's start
        ("after_leaving", "male", "30-34"): (365, 0),  # A, at 30 then 31
        ("after_leaving", "male", "50-54"): (365, 1),  # C, died on end + 1 year
        ("after_leaving", "male", "25-29"): (91, 0),  # D to the day before D#2
        ("after_leaving", "female", "20-24"): (244, 1),  # E to her death
    }
    rate = dict(zip(working["ref_age_band"] + working["sex"],
                    working["england_rate_per_100k"], strict=True))
    assert rate["35-39male"] == 123.1 and rate["20-24female"] == 22.3


def test_groups(result: StudyResult) -> None:
    groups = _table(result, "rates_by_group")
    by = {(r["breakdown"], r["group"], r["period"]): r for r in groups.to_dict("records")}
    # sex not stated: I only, 183 + 182 days, no death, no SMR
    r = by[("sex", "not stated", "both")]
    assert r["person_years"] == pytest.approx(365 / Y)
    assert r["deaths"] == 0 and pd.isna(r["smr"]) and r["rate_lower"] == 0
    # female in treatment: B 304 + E 91 days, B died: SMR 1 / (32771.2 + 2029.3) x ...
    r = by[("sex", "female", "in_treatment")]
    assert r["person_years"] == pytest.approx(395 / Y)
    assert r["smr"] == pytest.approx(1 / ((32771.2 + 2029.3) / Y / 100_000))
    # the journey's age band at its start: C (50) is 50-54, 123 + 365 days, 1 death
    r = by[("age_band", "50-54", "both")]
    assert (round(r["person_years"] * Y), r["deaths"]) == (488, 1)
    # substance groups: alcohol = C and I; cannabis (non_opiate) = D and E
    r = by[("substance_group", "alcohol", "both")]
    assert (round(r["person_years"] * Y), r["deaths"], r["people"]) == (123 + 365 + 365, 1, 2)
    r = by[("substance_group", "non_opiate", "both")]
    assert (round(r["person_years"] * Y), r["deaths"], r["journeys"]) == (
        90 + 91 + 274 + 91 + 244, 1, 3)


def test_headlines_and_cohort(result: StudyResult) -> None:
    heads = {h.id: h for h in result.headlines}
    assert heads["all_rate_in_treatment"].value == pytest.approx(184.66, abs=0.01)
    assert heads["drug_poisoning_deaths"].value == 2
    assert "1,620 in 2008-09" in heads["drug_poisoning_deaths"].published_text
    assert result.parameters["reference_period"] == "2009-2011"
    text = " ".join(result.cohort)
    assert "2009-04-01 to 2011-03-31" in text
    assert "8 treatment journeys of 7 consenting people" in text
    assert "1 journeys without consent" in text  # F
    assert "6 death registrations" in text and "3 deaths counted" in text
    assert "1 journeys start after the person's linked death" in text  # G


def test_min_link_probability_drops_weak_death_links(data_dir: Path) -> None:
    strict = _run(data_dir, min_link_probability=0.8)
    rows = _rows(strict)
    # E's death (probability 0.5) is dropped: her year after leaving runs in full,
    # 2009-07-01..2010-06-30 = 365 days instead of 244: 1247 - 244 + 365 = 1368.
    assert rows["after_leaving"]["person_years"] == pytest.approx(1368 / Y)
    assert (rows["after_leaving"]["deaths"],
            rows["after_leaving"]["drug_poisoning_deaths"]) == (1, 0)
    assert rows["in_treatment"]["deaths"] == 1  # B's link is 0.99
    # expected after leaving: E 365 x 22.3 = 8139.5 in place of 5441.2
    assert rows["after_leaving"]["expected"] == pytest.approx(
        (185306.1 - 5441.2 + 8139.5) / Y / 100_000)
    assert any("1 death registrations linked with probability below 0.8" in line
               for line in strict.cohort)


def test_a_financial_year_clips_the_periods(data_dir: Path) -> None:
    year = _run(data_dir, year="2010-11")
    rows = _rows(year)
    # 2010-04-01..2011-03-31. In treatment: D#2 274, H's second year 365, I 183 = 822
    # days, no death (B's was in 2009-10).
    assert rows["in_treatment"]["person_years"] == pytest.approx(822 / Y)
    assert rows["in_treatment"]["deaths"] == 0
    # After leaving: A 2010-04-01..11-30 = 244, C 2010-04-01..2011-01-31 = 306 (died),
    # D 91, I 182; E's year ended at her death on 2010-03-01, before the window: 823 days.
    assert rows["after_leaving"]["person_years"] == pytest.approx(823 / Y)
    assert (rows["after_leaving"]["deaths"],
            rows["after_leaving"]["drug_poisoning_deaths"]) == (1, 0)
    # the window's middle, 2010-04-01 + 182 days = 2010-09-30: still 2009-2011
    assert year.parameters["reference_period"] == "2009-2011"
    with pytest.raises(StudyError, match="outside the data"):
        _run(data_dir, year="2015-16")


def test_command_writes_the_report(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert main(["study", "mortality", "--data-dir", str(data_dir), "--out", str(out)]) == 0
    assert (out / "report.html").exists()
    rates = pd.read_csv(out / "rates.csv")
    assert rates["deaths"].tolist() == [1, 2, 3]


def test_the_report_says_what_linkage_error_did_where_it_was_measured(
    data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    assert main(["study", "mortality", "--data-dir", str(data_dir), "--out", str(out)]) == 0
    page = (out / "report.html").read_text("utf-8")
    # the scale-1 measurement of docs/studies.md: after leaving, 10.35 per 1,000 on the
    # true ids against 9.33 on the linked ones
    assert "Linkage error: on synthetic England at scale 1" in page
    assert "10.35" in page and "9.33" in page
