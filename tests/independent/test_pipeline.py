"""The whole pipeline, raw files to the publication, on data ``recoverylink synth`` did not make.

Every scenario is drawn by the tests' own generator (``independent.generator``)
and taken through ``recoverylink run``: ingest, link, build, indicators, the
four studies, publish. Named scenarios cover what real deployments send (no
drug tests and no postcodes on deaths, one provider in one area that withholds
consent, no police data, tiny inputs); Hypothesis varies everything at once.
Where the data is clean enough to link, the pairwise F1 against the
generator's truth (counted in ``pipeline.py``, not by the linkage's scoring)
must stay above a floor.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings

from independent.generator import Scenario, generate
from independent.pipeline import (
    PipelineRun,
    cli,
    deaths_any,
    pairwise,
    person_map,
    run_pipeline,
    truth_map,
)
from independent.strategies import scenarios

ALL = frozenset({"treatment", "pnc", "drug_tests", "deaths"})


def _published_tables(path: Path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables")
                .fetchall()}


NAMED = {
    # the first independent dataset that crashed linkage: no drug tests at all, and
    # no postcode on any death registration
    "no drug tests, no death postcodes": Scenario(
        people=500, seed=101, sources=frozenset({"treatment", "pnc", "deaths"}),
        death_postcode_fill=0.0),
    # clerks who never slip: levels such as "day and month swapped" never occur
    "no clerical errors": Scenario(people=400, seed=102, dob_error_rate=0.0,
                                   initial_error_rate=0.0),
    # a single provider in a single local authority, withholding consent throughout
    "one provider, one area, no consent": Scenario(
        people=200, seed=103, providers=1, local_authorities=1, no_consent_provider=True),
    "no police data": Scenario(people=300, seed=104,
                               sources=frozenset({"treatment", "deaths"})),
    "twenty people": Scenario(people=20, seed=105),
}


_RUNS: dict[str, PipelineRun] = {}


def _named_run(name: str, factory: pytest.TempPathFactory) -> PipelineRun:
    """Each named scenario taken through ``recoverylink run`` once per test process."""
    if name not in _RUNS:
        _RUNS[name] = run_pipeline(NAMED[name], factory.mktemp("named"))
    return _RUNS[name]


@pytest.mark.parametrize("name", list(NAMED))
def test_raw_files_to_the_publication(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    scenario = NAMED[name]
    run = _named_run(name, tmp_path_factory)
    assert run.run.code == 0, f"{name}: {run.run.err}"
    assert "unexpected" not in run.run.err
    assert run.published.is_file()
    assert {"indicator_values", "indicators", "areas"} <= _published_tables(run.published)
    report = (run.data_dir / "linkage" / "report" / "linkage-report.html").read_text("utf-8")
    for source in ALL - scenario.sources:
        # the jobs of an absent source are skipped and said, the others ran
        assert f"no {source} records to link" in report, source
    if scenario.no_consent_provider and scenario.providers == 1:
        assert "no treatment records to link" in report


def test_no_death_postcodes_still_links_deaths(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The deaths-treatment prior rule asks for the same postcode district: with none,
    it finds nothing, the prior falls back, and deaths still link."""
    run = _named_run("no drug tests, no death postcodes", tmp_path_factory)
    assert run.run.code == 0, run.run.err
    parameters = (run.data_dir / "linkage" / "report" / "parameters.csv").read_text("utf-8")
    prior_row = next(line for line in parameters.splitlines()
                     if line.startswith("deaths_treatment,prior,"))
    assert ",reference," in prior_row
    linked = person_map(run.data_dir, tmp_path_factory.mktemp("map") / "map.csv")
    deaths = deaths_any(linked, truth_map(run.data))
    assert deaths.actual >= 10  # enough true pairs for the score to mean something
    assert deaths.f1 >= 0.9, deaths


# clean enough to link: few slips, most postcodes, enough people to train on
def _clean(s: Scenario) -> bool:
    return (s.dob_error_rate <= 0.05 and s.initial_error_rate <= 0.05 and s.people >= 100
            and s.postcode_fill >= 0.5)


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(scenario=scenarios(min_people=20, max_people=160, max_years=2))
def test_any_scenario_runs_to_the_publication(scenario: Scenario, tmp_path_factory:
                                              pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("scenario")
    run = run_pipeline(scenario, root)
    assert run.run.code == 0, f"{scenario}: {run.run.err}"
    assert run.published.is_file()
    if _clean(scenario):
        linked = person_map(run.data_dir, root / "map.csv")
        truth = truth_map(run.data)
        score = pairwise(linked, truth, "treatment", "treatment")
        if score.actual >= 20:
            assert score.f1 >= 0.9, (scenario, score)


def test_linkage_quality_at_four_thousand_people(tmp_path: Path) -> None:
    """All four sources, about 4,000 people, the generator's default error rates.

    The floors are the issue's targets where they are met (treatment-PNC 0.97)
    and a regression floor below them where this generator's data cannot reach
    them with initials alone: twins at one address who differ only in their
    first initial, people who moved between providers' areas, and strangers
    with the same initials and date of birth (docs/linkage.md, "Scores on
    independent data").
    """
    data = generate(Scenario(people=4000, seed=11), tmp_path / "in")
    data_dir = tmp_path / "data"
    assert cli("ingest", tmp_path / "in", "--data-dir", data_dir).code == 0
    linked = cli("link", "--data-dir", data_dir)
    assert linked.code == 0, linked.err
    found = person_map(data_dir, tmp_path / "map.csv")
    truth = truth_map(data)
    dedupe = pairwise(found, truth, "treatment", "treatment")
    treatment_pnc = pairwise(found, truth, "treatment", "pnc")
    tests_pnc = pairwise(found, truth, "drug_tests", "pnc")
    deaths = deaths_any(found, truth)
    assert min(dedupe.actual, treatment_pnc.actual, tests_pnc.actual) > 500
    assert deaths.actual > 100
    assert treatment_pnc.f1 >= 0.97, treatment_pnc
    assert dedupe.f1 >= 0.975, dedupe
    assert tests_pnc.f1 >= 0.97, tests_pnc
    assert deaths.f1 >= 0.96, deaths
