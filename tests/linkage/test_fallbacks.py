"""Fallback parameters (``linkage.fallbacks``), on hand-made models worked out by hand."""

from __future__ import annotations

import math

import pytest

from recoverylink.linkage import fallbacks
from recoverylink.linkage.fallbacks import REFERENCE, degenerate, fallback_prior, sanitise
from recoverylink.linkage.jobs import JOBS, Job, job_named


def _level(label: str, m: float | None = None, u: float | None = None) -> dict:
    level: dict = {"sql_condition": label, "label_for_charts": label}
    if m is not None:
        level["m_probability"] = m
    if u is not None:
        level["u_probability"] = u
    return level


def _model(levels: list[dict], prior: float = 0.001) -> dict:
    null = {"sql_condition": "x_l IS NULL", "label_for_charts": "missing", "is_null_level": True}
    return {
        "probability_two_random_records_match": prior,
        "comparisons": [{"output_column_name": "sex", "comparison_levels": [null, *levels]}],
    }


REFERENCE_MODEL = _model([_level("exact", m=0.95, u=0.5), _level("else", m=0.05, u=0.5)])
JOB = job_named("treatment_dedupe")


def test_degenerate_values() -> None:
    assert degenerate(None)
    assert degenerate("level not observed in training dataset")
    assert degenerate(0.0)
    assert degenerate(1.0)
    assert degenerate(1e-12)
    assert degenerate(1 - 1e-12)
    assert degenerate(float("nan"))
    assert not degenerate(1e-8)
    assert not degenerate(0.5)


def test_an_m_of_zero_falls_back_and_the_estimate_is_rescaled() -> None:
    # true matches never disagreed on sex: EM drove m(else) to 0 and m(exact) to 1
    model = _model([_level("exact", m=1.0, u=0.52), _level("else", m=0.0, u=0.48)])
    estimated = {("sex", "exact"): {"m": True, "u": True}, ("sex", "else"): {"m": True, "u": True}}
    out, sources = sanitise(JOB, model, REFERENCE_MODEL, estimated, ("estimated", ""))
    exact, other = out["comparisons"][0]["comparison_levels"][1:]
    # both m values are degenerate (1 and 0): both from the reference
    assert exact["m_probability"] == 0.95
    assert other["m_probability"] == 0.05
    # u was estimated and is kept as it was
    assert exact["u_probability"] == 0.52
    assert other["u_probability"] == 0.48
    by = {(s.level, s.parameter): s for s in sources}
    assert by[("exact", "m")].source == REFERENCE
    assert "0 or 1" in by[("else", "m")].reason
    assert by[("exact", "u")].source == "estimated"
    assert by[("two random records match", "prior")].source == "estimated"


def test_one_unobserved_level_falls_back_and_the_others_make_room() -> None:
    reference = _model([_level("exact", m=0.9, u=0.4), _level("near", m=0.06, u=0.1),
                        _level("else", m=0.04, u=0.5)])
    # "near" never observed: Splink leaves its m out; exact and else were estimated
    model = _model([_level("exact", m=0.8, u=0.45), _level("near", u=0.05),
                    _level("else", m=0.2, u=0.5)])
    estimated = {("sex", "exact"): {"m": True, "u": True},
                 ("sex", "near"): {"m": False, "u": True},
                 ("sex", "else"): {"m": True, "u": True}}
    out, sources = sanitise(JOB, model, reference, estimated, ("estimated", ""))
    exact, near, other = out["comparisons"][0]["comparison_levels"][1:]
    assert near["m_probability"] == 0.06
    # the estimated 0.8 and 0.2 share what is left, 0.94, in their own proportion
    assert exact["m_probability"] == pytest.approx(0.8 * 0.94)
    assert other["m_probability"] == pytest.approx(0.2 * 0.94)
    assert math.isclose(exact["m_probability"] + near["m_probability"] + other["m_probability"], 1)
    rescaled = next(s for s in sources if s.level == "exact" and s.parameter == "m")
    assert rescaled.source == "estimated" and "0.94" in rescaled.reason
    # u of every level was estimated and untouched
    assert [lv["u_probability"] for lv in (exact, near, other)] == [0.45, 0.05, 0.5]


def test_nothing_estimated_means_the_reference_model_whole() -> None:
    model = _model([_level("exact"), _level("else")], prior=0.25)
    out, sources = sanitise(JOB, model, REFERENCE_MODEL, {}, (REFERENCE, "no pairs"))
    levels = out["comparisons"][0]["comparison_levels"][1:]
    assert [(lv["m_probability"], lv["u_probability"]) for lv in levels] == [
        (0.95, 0.5), (0.05, 0.5)]
    assert all(s.source == REFERENCE for s in sources)
    assert sources[0].parameter == "prior" and sources[0].reason == "no pairs"


def test_a_level_the_reference_lacks_is_a_clear_error() -> None:
    model = _model([_level("exact", m=0.9, u=0.5), _level("new level", m=0.1, u=0.5)])
    with pytest.raises(fallbacks.ReferenceModelError, match="no level 'new level'"):
        sanitise(JOB, model, REFERENCE_MODEL, {}, ("estimated", ""))


def test_fallback_prior_keeps_the_reference_matches_per_record() -> None:
    job = job_named("treatment_pnc")
    # reference: 1,000 treatment and 4,000 PNC records, prior 1e-4:
    # 1e-4 x 4,000,000 pairs = 400 matches, 0.4 per record of the smaller side
    reference = {"probability_two_random_records_match": 1e-4,
                 "recoverylink": {"records": {"treatment": 1000, "pnc": 4000}}}
    # here 50 treatment and 20 PNC records: 0.4 x 20 = 8 matches in 1,000 pairs
    assert fallback_prior(job, reference, {"treatment": 50, "pnc": 20}) == pytest.approx(0.008)
    # dedupe: 100 records, 4,950 pairs; reference 200 records, 19,900 pairs, prior 0.001
    # (19.9 matches, 0.0995 per record): 9.95 matches in 4,950 pairs
    dedupe = {"probability_two_random_records_match": 0.001,
              "recoverylink": {"records": {"treatment": 200}}}
    assert fallback_prior(JOB, dedupe, {"treatment": 100}) == pytest.approx(9.95 / 4950)
    # two records: one pair, 0.2 expected matches, within the bounds
    assert fallback_prior(JOB, dedupe, {"treatment": 2}) == pytest.approx(0.199)
    # never above 0.5
    assert fallback_prior(job, {"probability_two_random_records_match": 0.9,
                                "recoverylink": {"records": {"treatment": 10, "pnc": 10}}},
                          {"treatment": 3, "pnc": 3}) == 0.5


@pytest.mark.parametrize("job", JOBS, ids=[j.name for j in JOBS])
def test_the_shipped_reference_model_covers_every_level(job: Job) -> None:
    reference = fallbacks.reference_model(job)
    values = fallbacks.reference_values(reference)
    wanted = {
        (comp["output_column_name"], level["label_for_charts"])
        for comp in job.settings()["comparisons"]
        for level in comp["comparison_levels"]
        if not level.get("is_null_level")
    }
    assert wanted == set(values)
    for key, pair in values.items():
        assert not degenerate(pair["m"]), key
        assert not degenerate(pair["u"]), key
    assert not degenerate(reference["probability_two_random_records_match"])
    assert reference["recoverylink"]["job"] == job.name
    assert all(reference["recoverylink"]["records"][s] > 1000 for s in job.sources)


def test_training_that_fails_leaves_the_job_on_the_reference_model(monkeypatch) -> None:
    import pyarrow as pa

    from recoverylink.linkage import training

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("something inside Splink")

    monkeypatch.setattr(training, "_train", broken)
    job = job_named("treatment_pnc")
    tables = {"treatment": pa.table({"unique_id": list(range(50))}),
              "pnc": pa.table({"unique_id": list(range(20))})}
    model, sources, notes, sessions = training.train([], job, tables, training.TrainingPlan())
    reference = fallbacks.reference_model(job)
    assert sessions == 0
    assert "training failed on this data (ValueError: something inside Splink)" in notes[0]
    assert all(s.source == REFERENCE for s in sources)
    # every level's m and u are the reference model's, the prior scaled to 50 x 20 records
    assert fallbacks.reference_values(model) == fallbacks.reference_values(reference)
    assert model["probability_two_random_records_match"] == pytest.approx(
        fallback_prior(job, reference, {"treatment": 50, "pnc": 20}))
