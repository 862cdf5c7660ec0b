"""Calibration at a small scale: the published methods on true identities land near the figures.

The check loads the folder with the real ingest, builds ``truth_mart`` and runs
the studies on it (one implementation of every method); the tests below also
show that its figures are the studies' own headlines.

The tolerances are the ``small`` profile's (see docs/synthetic-england.md): wide
enough for the sampling noise of a twentieth of England, narrow enough that a
broken behaviour model fails.

At scale 1 every figure is within the normal profile's tolerances
(docs/synthetic-england.md, "The scale-1 check"); NOISY_AT_SMALL_SCALE names
the one figure whose group is too small at this scale.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from recoverylink.config import load_config
from recoverylink.studies.base import StudyContext, StudyOptions
from recoverylink.studies.registry import study_function
from recoverylink.synth import generate
from recoverylink.synth.check import FIGURES, CheckReport, run_check
from recoverylink.synth.measure import STUDY_FIGURES


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CheckReport]:
    where = tmp_path_factory.mktemp("calibration")
    generate(where / "synth", 0.05, 2006, workers=2)
    return where / "data", run_check(where / "synth", data_dir=where / "data")


@pytest.fixture(scope="module")
def report(checked: tuple[Path, CheckReport]) -> CheckReport:
    return checked[1]


def test_every_published_figure_is_reported(report) -> None:
    assert report.profile == "small"
    assert len(report.rows) == len(FIGURES)
    assert [r.figure for r in report.rows] == [f.figure for f in FIGURES]


# Too few people for the small profile at a twentieth of England: the cohort's
# completers number a few dozen offenders (those who did not return about 30,
# all completers about 45), so their changes in convictions move by more than
# 15 points between seeds. bench/calibrate_proxy.py at scale 0.05 over twelve
# seeds gave all completers -47.5% on average, standard deviation 6.1, with a
# long tail: seed 2006 gives -22% (the check here -28%), from a few people
# among those who came back (one went from 2 convictions before to 11 after).
# Both are measured and reported here, and checked at scale 1
# (docs/synthetic-england.md, "The scale-1 check": -49.5% and -63.8% against
# -48% and -61%, standard errors about 2 points).
NOISY_AT_SMALL_SCALE = {"change_completed_not_returned", "change_completed"}


def test_small_england_passes_its_calibration_check(report) -> None:
    failing = [
        (r.key, r.published, r.measured, r.tolerance)
        for r in report.rows
        if not r.passed and r.key not in NOISY_AT_SMALL_SCALE
    ]
    assert not failing


def test_noisy_figures_are_still_measured(report) -> None:
    rows = {r.key: r for r in report.rows}
    for key in NOISY_AT_SMALL_SCALE:
        assert rows[key].measured == rows[key].measured  # not NaN: it was measured
        assert -100.0 <= rows[key].measured < 0.0  # a fall, as published


def test_counts_scale_with_the_size(report) -> None:
    cohort = next(r for r in report.rows if r.figure.startswith("Reconviction cohort"))
    assert cohort.published == pytest.approx(53_851 * 0.05)
    assert cohort.tolerance == pytest.approx(0.25 * 53_851 * 0.05)


def test_area_figures_are_not_measured_at_small_scale(report) -> None:
    rows = [r for r in report.rows if "area completion rate" in r.figure]
    assert len(rows) == 2
    assert all(r.passed and "not measured" in r.note for r in rows)


def test_check_refuses_a_folder_without_truth(tmp_path: Path) -> None:
    from recoverylink.errors import InputError

    with pytest.raises(InputError, match="truth"):
        run_check(tmp_path)


def test_the_study_figures_are_the_studies_own_headlines(
    checked: tuple[Path, CheckReport],
) -> None:
    """One implementation: the check's study figures are what `recoverylink study
    NAME --truth` reports on the truth mart the check built and kept."""
    data_dir, report = checked
    rows = {r.key: r for r in report.rows}
    config = load_config()
    for study, year in (("reconviction", "2006-07"), ("long_term", "2005-06")):
        options = StudyOptions(data_dir=data_dir, duckdb=config.duckdb, truth=True, year=year)
        context = StudyContext.open(options)
        try:
            headlines = {h.id: h.value for h in study_function(study)(context).headlines}
        finally:
            context.close()
        for key, (name, headline, divisor) in STUDY_FIGURES.items():
            if name == study:
                assert rows[key].measured == pytest.approx(headlines[headline] / divisor), key


def test_the_kept_data_dir_holds_the_loaded_folder_and_its_truth_mart(
    checked: tuple[Path, CheckReport],
) -> None:
    import duckdb

    data_dir, report = checked
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        source = con.execute("SELECT person_source FROM truth_mart.build_info").fetchall()[0][0]
        starts = con.execute(
            "SELECT count(*) FROM truth_mart.journeys "
            "WHERE start_date BETWEEN DATE '2006-04-01' AND DATE '2007-03-31'"
        ).fetchall()[0][0]
    assert source.startswith("truth:")
    cohort = next(r for r in report.rows if r.key == "cohort_size")
    # the cohort is new drug journeys started in 2006-07: some of all journeys started then
    assert 0 < cohort.measured < starts
