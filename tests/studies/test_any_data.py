"""The studies on data of other shapes than synthetic England's: the cohort year
follows the data, and a study the data cannot support says so in one line.

Three datasets from the tests' independent generator, built once each:

- ``three``: 2008-04-01 to 2011-03-31 (first_year 2008, 3 years), every source,
  one local authority. Reconviction needs a cohort year with the 2 years before
  and the 2 years after it, 5 financial years; long-term outcomes a year and the
  4 after it, 5 too: neither fits in 3.
- ``six``: 2006-04-01 to 2012-03-31 (first_year 2006, 6 years), no deaths, every
  episode at the first provider without consent. Reconviction: a year Y-(Y+1)
  fits when 1 April Y - 2 years >= 2006-04-01 (Y >= 2008) and 31 March (Y+1)
  + 2 years - 1 day <= 2012-03-31 (Y + 3 <= 2012): 2008-09 and 2009-10, the
  latest 2009-10 (the published 2006-07 would need data from 2004-04-01).
  Long-term: 1 April Y >= 2006-04-01 and 31 March (Y+1) + 4 years <=
  2012-03-31 (Y <= 2007): the latest 2007-08 (the published 2005-06 begins
  before the data).
- ``tiny``: 20 people, one provider and one local authority, treatment and drug
  tests only (no PNC, no deaths), 2004-04-01 to 2010-03-31.
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import date
from pathlib import Path

import pytest
from any_data import Scenario, linked_data

from recoverylink.cli.main import main
from recoverylink.config import load_config
from recoverylink.studies.base import (
    StudyContext,
    StudyNotApplicableError,
    StudyOptions,
    StudyResult,
)
from recoverylink.studies.coverage import data_coverage
from recoverylink.studies.job import NOT_APPLICABLE, run_study
from recoverylink.studies.registry import study_function

THREE = Scenario(people=300, seed=21, providers=2, local_authorities=1, first_year=2008,
                 years=3)
SIX = Scenario(people=400, seed=22, providers=2, local_authorities=2, first_year=2006, years=6,
               sources=frozenset({"treatment", "pnc", "drug_tests"}), no_consent_provider=True)
TINY = Scenario(people=20, seed=3, providers=1, local_authorities=1, first_year=2004, years=6,
                sources=frozenset({"treatment", "drug_tests"}))
STUDIES = ("reconviction", "long_term", "mortality", "top")


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return linked_data(tmp_path_factory.mktemp("three"), THREE)


@pytest.fixture(scope="module")
def six(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return linked_data(tmp_path_factory.mktemp("six"), SIX)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return linked_data(tmp_path_factory.mktemp("tiny"), TINY)


def _options(data_dir: Path, **kw: object) -> StudyOptions:
    return StudyOptions(data_dir, load_config().duckdb, **kw)  # type: ignore[arg-type]


def _run(name: str, data_dir: Path, **kw: object) -> StudyResult:
    ctx = StudyContext.open(_options(data_dir, **kw))
    try:
        return study_function(name)(ctx)
    finally:
        ctx.close()


def test_the_span_is_the_treatment_submissions_and_the_extracts(three: Path) -> None:
    ctx = StudyContext.open(_options(three))
    try:
        coverage = data_coverage(ctx)
    finally:
        ctx.close()
    # year-end extracts for 2008-09 .. 2010-11; the PNC extract dated a month after
    assert coverage.treatment_start == date(2008, 4, 1)
    assert coverage.treatment_end == date(2011, 3, 31)
    assert coverage.pnc_end == date(2011, 4, 30)
    assert coverage.span(police=True) == (date(2008, 4, 1), date(2011, 3, 31))
    assert coverage.deaths and coverage.drug_tests


def test_three_years_are_too_few_for_reconviction_and_long_term(three: Path) -> None:
    with pytest.raises(StudyNotApplicableError) as err:
        _run("reconviction", three)
    assert str(err.value) == (
        "study reconviction: needs 5 years of data (a cohort year with the 2 years before "
        "and the 2 years after it); the data span 2008-04-01 to 2011-03-31"
    )
    with pytest.raises(StudyNotApplicableError, match=r"^study long_term: needs 5 years of data "
                       r"\(a cohort year with the 4 years after it\); the data span 2008-04-01 "
                       "to 2011-03-31; to run it anyway, --set allow_incomplete_follow_up=yes"):
        _run("long_term", three)


def test_an_explicit_year_outside_the_data_says_what_it_needs(three: Path) -> None:
    # 2006-07: starts from 2006-04-01 to 2007-03-31, 2 years either side
    with pytest.raises(StudyNotApplicableError, match=r"^study reconviction: 2006-07 needs "
                       r"data from 2004-04-01 to 2009-03-30 .*the data span 2008-04-01 to "
                       "2011-03-31$"):
        _run("reconviction", three, year="2006-07")


def test_long_term_followed_to_the_end_of_the_data_takes_the_earliest_year(three: Path) -> None:
    result = _run("long_term", three, extra={"allow_incomplete_follow_up": "yes"})
    # no year has 4 years after it; 2008-09, the first in the data, has the most
    assert result.parameters["year"] == "2008-09"
    assert result.parameters["follow_up_complete"] is False
    assert result.cohort[0].startswith("Cohort year 2008-09: no year has the 4 years after it")


def test_mortality_and_top_run_on_one_local_authority(three: Path) -> None:
    mortality = _run("mortality", three)
    assert mortality.parameters["window"] == "2008-04-01 to 2011-03-31"  # the data's span
    top = _run("top", three)
    assert top.headlines


def test_the_command_says_it_in_one_line_and_replaces_an_old_report(
    three: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reconviction"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"tables": {"outcome_groups": 3}}))
    for name in ("report.html", "headlines.csv", "outcome_groups.csv", "mine.txt"):
        (out / name).write_text("from another run")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["study", "reconviction", "--data-dir", str(three), "--out", str(out)])
    assert code == 2
    lines = err.getvalue().strip().splitlines()
    assert lines == ["error: study reconviction: needs 5 years of data (a cohort year with the 2 "
                     "years before and the 2 years after it); the data span 2008-04-01 to "
                     "2011-03-31"]
    assert sorted(p.name for p in out.iterdir()) == ["mine.txt", NOT_APPLICABLE]
    record = json.loads((out / NOT_APPLICABLE).read_text())
    assert record["study"] == "reconviction"
    assert record["reason"] == lines[0].removeprefix("error: ")


def test_the_latest_year_that_fits_when_the_published_one_does_not(six: Path) -> None:
    result = _run("reconviction", six)
    assert result.parameters["year"] == "2009-10"
    assert result.cohort[0] == (
        "Cohort year 2009-10: the published year 2006-07 is outside the data, 2006-04-01 to "
        "2012-03-31; 2009-10 is the latest year with the 2 years before and the 2 years after "
        "it in the data."
    )
    long_term = _run("long_term", six)
    assert long_term.parameters["year"] == "2007-08"
    assert long_term.parameters["follow_up_complete"] is True
    assert "2007-08 is the latest year with the 4 years after it" in long_term.cohort[0]


def test_an_explicit_year_inside_the_data_is_used(six: Path) -> None:
    result = _run("reconviction", six, year="2008-09")
    assert result.parameters["year"] == "2008-09"
    assert result.cohort[0].startswith("Cohort year 2008-09, chosen with --year")


def test_no_deaths_loaded_no_mortality(six: Path) -> None:
    with pytest.raises(StudyNotApplicableError, match=r"^study mortality: needs death "
                       r"registrations, and none have been loaded$"):
        _run("mortality", six)


def test_no_police_records_no_reconviction(tiny: Path) -> None:
    with pytest.raises(StudyNotApplicableError, match="^study reconviction: needs the police "
                       r"records \(a PNC extract\)"):
        _run("reconviction", tiny)


@pytest.mark.parametrize("name", STUDIES)
def test_twenty_people_give_a_report_or_one_line(tiny: Path, tmp_path: Path, name: str) -> None:
    try:
        result, report = run_study(name, _options(tiny, out_dir=tmp_path / name))
    except StudyNotApplicableError as exc:
        assert str(exc).startswith(f"study {name}: ")
        assert "\n" not in str(exc)
        assert (tmp_path / name / NOT_APPLICABLE).is_file()
        assert name != "long_term" or "no one left treatment" in str(exc)
    else:
        assert name in ("long_term", "top")  # reconviction and mortality lack a source
        assert report.is_file()
        assert result.headlines
