"""Calibration at a small scale: the published methods on true identities land near the figures.

The tolerances are the ``small`` profile's (see docs/synthetic-england.md): wide
enough for the sampling noise of a twentieth of England, narrow enough that a
broken behaviour model fails.

KNOWN_MISSES are figures the fitted model does not yet reach even at scale 1
(docs/synthetic-england.md, "Known misses"); they are still measured and
reported, and the test fails once one of them is reached so that the list is
kept honest.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from recoverylink.synth import generate
from recoverylink.synth.check import FIGURES, run_check


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("calibration") / "synth"
    generate(out, 0.05, 2006, workers=2)
    return run_check(out)


def test_every_published_figure_is_reported(report) -> None:
    assert report.profile == "small"
    assert len(report.rows) == len(FIGURES)
    assert [r.figure for r in report.rows] == [f.figure for f in FIGURES]


KNOWN_MISSES = {"share_dip_sharp_increase"}


def test_small_england_passes_its_calibration_check(report) -> None:
    failing = [
        (r.key, r.published, r.measured, r.tolerance)
        for r in report.rows
        if not r.passed and r.key not in KNOWN_MISSES
    ]
    assert not failing


def test_known_misses_are_measured_and_still_missed(report) -> None:
    rows = {r.key: r for r in report.rows}
    for key in KNOWN_MISSES:
        assert rows[key].measured == rows[key].measured  # not NaN: it was measured
        assert not rows[key].passed, f"{key} is now within tolerance: drop it from KNOWN_MISSES"
    assert not report.passed


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
