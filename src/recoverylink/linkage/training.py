"""Training and scoring one job's Splink model.

Training, per job: u probabilities from random sampling of record pairs (with
a fixed seed), the prior (how likely two random records are the same person)
from deterministic rules and their assumed recall, then expectation
maximisation over each of the job's EM blocking rules, capped at
``em_max_pairs`` pairs a pass. Term-frequency adjustments apply to exact
agreement on initials, names, dates of birth and postcode districts, so that a
shared 1 January birthday or a shared initial J counts for less than a rare one.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
from splink.internals.exceptions import EMTrainingException, SplinkException

from recoverylink.linkage import fallbacks, models
from recoverylink.linkage.engines import Engine
from recoverylink.linkage.fallbacks import ParameterSource
from recoverylink.linkage.jobs import Job

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingPlan:
    """How hard to train: pair budgets for u sampling and for each EM pass."""

    u_max_pairs: float = 5e6
    em_max_pairs: float = 2e6
    seed: int = 2006

    def as_dict(self) -> dict[str, Any]:
        return {"u_max_pairs": self.u_max_pairs, "em_max_pairs": self.em_max_pairs,
                "seed": self.seed}


@dataclass
class JobResult:
    job: Job
    model: dict[str, Any]
    """Splink's model dict (trained, or as loaded)."""
    predictions: pd.DataFrame
    """unique_id_l, unique_id_r, match_weight, match_probability, and the gamma columns."""
    em_sessions: int
    sources: list[ParameterSource] = field(default_factory=list)
    """Where each parameter came from (empty when the model was loaded, not trained)."""
    notes: list[str] = field(default_factory=list)
    """What training could not do on this data, in words (skipped passes, fallbacks)."""
    skipped: str = ""
    """Why the job was not run at all (an empty source), or empty."""


def _register(engine: Engine, job: Job, tables: dict[str, pa.Table]) -> list[Any]:
    """``job``'s input tables registered with the engine, once per job."""
    return [engine.register(tables[source], f"{job.name}_{source}") for source in job.sources]


def _linker(frames: list[Any], settings: Any) -> Any:
    from splink import Linker

    # Splink's own warnings (a level not observed, a rule with no pairs) are handled
    # here and said in the linkage report, in words, per job
    return Linker(frames if len(frames) > 1 else frames[0], settings, log_level=logging.ERROR)


def run_job(
    engine: Engine,
    job: Job,
    tables: dict[str, pa.Table],
    plan: TrainingPlan,
    trained: dict[str, Any] | None,
    keep_above: float,
    chunks_left: int = 1,
    chunks_right: int = 1,
    phase_seconds: dict[str, float] | None = None,
) -> JobResult:
    """Train ``job``'s model (unless ``trained`` is given) and score its blocked pairs.

    Pairs with a match probability below ``keep_above`` are dropped. With
    ``phase_seconds``, the seconds of each phase are recorded in it: ``prior``,
    ``u``, ``em1``... (when training) and ``predict`` (bench/link_job_bench.py).
    """
    phases = phase_seconds if phase_seconds is not None else {}
    clock = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[phase] = now - clock
        clock = now

    sources: list[ParameterSource] = []
    notes: list[str] = []
    sessions = 0
    frames = _register(engine, job, tables)
    if trained is None:
        model, sources, notes, sessions = train(frames, job, tables, plan, lap)
    else:
        model = trained
    clock = time.perf_counter()
    linker = _linker(frames, model)
    predictions = linker.inference.predict(
        threshold_match_probability=keep_above,
        num_chunks_left=chunks_left,
        num_chunks_right=chunks_right,
        warning_mode="never",
    )
    frame = engine.to_pandas(predictions)
    lap("predict")
    keep = ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
    gammas = [col for col in frame.columns if col.startswith("gamma_")]
    frame = frame[keep + gammas].copy()
    left = frame["unique_id_l"].to_numpy(dtype="int64")
    right = frame["unique_id_r"].to_numpy(dtype="int64")
    frame["unique_id_l"] = np.minimum(left, right)
    frame["unique_id_r"] = np.maximum(left, right)
    frame = frame.sort_values(["unique_id_l", "unique_id_r"], kind="stable").reset_index(drop=True)
    return JobResult(job, model, frame, sessions, sources, notes)


def train(
    frames: list[Any],
    job: Job,
    tables: dict[str, pa.Table],
    plan: TrainingPlan,
    lap: Callable[[str], None] = lambda phase: None,
) -> tuple[dict[str, Any], list[ParameterSource], list[str], int]:
    """Train ``job``'s model on ``tables``, falling back where the data cannot tell.

    Returns the model (every m and u present, none 0 or 1), where each parameter
    came from, notes in words, and how many EM passes ran. Training that fails
    for any other reason leaves the whole job on the reference model, said in
    the notes: a job never stops the run.
    """
    reference = fallbacks.reference_model(job)
    rows = {s: tables[s].num_rows for s in job.sources}
    try:
        return _train(frames, job, tables, plan, reference, rows, lap)
    except (SplinkException, ValueError, ArithmeticError, duckdb.Error) as err:
        cause = " ".join(str(err).split())[:300]
        _log.warning("linkage job %s: training failed (%s); using the reference model",
                     job.name, cause)
        prior = fallbacks.fallback_prior(job, reference, rows)
        model = {**models.splink_settings(reference), "probability_two_random_records_match": prior}
        model, sources = fallbacks.sanitise(
            job, model, reference, {}, (fallbacks.REFERENCE, "training failed"))
        return model, sources, [
            f"training failed on this data ({type(err).__name__}: {cause}); every parameter "
            "is the reference model's"
        ], 0


def _train(
    frames: list[Any],
    job: Job,
    tables: dict[str, pa.Table],
    plan: TrainingPlan,
    reference: dict[str, Any],
    rows: dict[str, int],
    lap: Callable[[str], None],
) -> tuple[dict[str, Any], list[ParameterSource], list[str], int]:
    notes: list[str] = []
    settings = fallbacks.with_reference_u(job.settings(), reference)
    linker = _linker(frames, settings)
    prior_source = (fallbacks.ESTIMATED, "")
    problem = ""
    try:
        linker.training.estimate_probability_two_random_records_match(
            list(job.prior_rules), recall=job.prior_recall
        )
        prior = linker.misc.save_model_to_json()["probability_two_random_records_match"]
        if fallbacks.degenerate(prior):
            problem = f"the deterministic rules gave a prior of {prior:g}"
    except ValueError as err:
        problem = "the deterministic rules found more matches than their recall allows"
        _log.debug("prior for %s: %s", job.name, err)
    if problem:
        settings["probability_two_random_records_match"] = fallbacks.fallback_prior(
            job, reference, rows)
        linker = _linker(frames, settings)
        prior_source = (fallbacks.REFERENCE, problem)
        notes.append(f"prior from the reference model: {problem}")
    lap("prior")

    pairs = fallbacks.possible_pairs(job, rows)
    if pairs >= fallbacks.MIN_U_PAIRS:
        linker.training.estimate_u_using_random_sampling(max_pairs=plan.u_max_pairs,
                                                         seed=plan.seed)
    else:
        notes.append(f"u from the reference model: {pairs:,} possible pairs, fewer than "
                     f"{fallbacks.MIN_U_PAIRS:,}")
    lap("u")

    sessions = 0
    for number, rule in enumerate(job.em_rules, start=1):
        ran = _em_pass(linker, job, tables, rule, number, plan, notes)
        sessions += ran
        lap(f"em{number}")
    estimated = _estimated(linker)
    if pairs < fallbacks.MIN_U_PAIRS:
        estimated = {k: {**v, "u": False} for k, v in estimated.items()}
    model, sources = fallbacks.sanitise(
        job, linker.misc.save_model_to_json(), reference, estimated, prior_source)
    return model, sources, notes, sessions


def _em_pass(
    linker: Any,
    job: Job,
    tables: dict[str, pa.Table],
    rule: str,
    number: int,
    plan: TrainingPlan,
    notes: list[str],
) -> int:
    """One EM pass on ``rule``; 1 if it ran, 0 if it was skipped (said in ``notes``).

    Splink refuses an m that underflows below 1e-300 (true matches that never
    fall in a level make its m shrink at every iteration); the pass is then run
    again with half the iterations, and the level's m falls back afterwards.

    Splink 5's EM session changes the linker's model as it starts (it drops the
    comparisons its rule blocks on and adjusts the prior for the rule) and puts
    it back only when the pass ends well, so after a failed pass the model is
    restored from a copy taken before it.
    """
    label = f"EM pass {number} (blocked on {rule})"
    found = count_pairs(job, tables, rule, fallbacks.MIN_EM_PAIRS)
    if found is not None and found < fallbacks.MIN_EM_PAIRS:
        notes.append(f"{label} skipped: {found:,} pairs, fewer than {fallbacks.MIN_EM_PAIRS:,}")
        return 0
    owner = linker._settings_obj  # Splink 5's Settings: the model and the training settings
    original = owner.training_settings
    before = owner.core_model_settings.copy()
    iterations = original.max_iterations
    try:
        while True:
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    rule, max_pairs=plan.em_max_pairs)
                return 1
            except EMTrainingException:
                owner.core_model_settings = before
                notes.append(f"{label} skipped: its blocking rule gives no pairs")
                return 0
            except ValueError as err:
                owner.core_model_settings = before.copy()
                if "below the minimum allowed" not in str(err) or iterations <= 1:
                    raise
                iterations //= 2
                owner.training_settings = dataclasses.replace(original, max_iterations=iterations)
                notes.append(f"{label}: an m probability fell below 1e-300; run again with "
                             f"{iterations} iterations")
    finally:
        owner.training_settings = original


def _estimated(linker: Any) -> dict[tuple[str, str], dict[str, bool]]:
    """Per ``(comparison, level label)``, whether this run estimated its m and its u.

    Reads Splink 5's record of the values each training step produced (a level
    never observed gets none), the one place that reaches into Splink's settings.
    """
    out: dict[tuple[str, str], dict[str, bool]] = {}
    for comparison in linker._settings_obj.comparisons:
        for level in comparison._comparison_levels_excluding_null:
            out[(comparison.output_column_name, level.label_for_charts)] = {
                "m": bool(level._has_estimated_m_values),
                "u": bool(level._has_estimated_u_values),
            }
    return out


SMALL_INPUT = 50_000
"""Below this many records a side, an EM pass's pairs are counted before it runs."""


def count_pairs(job: Job, tables: dict[str, pa.Table], rule: str, at_least: int) -> int | None:
    """Pairs ``rule`` gives on ``job``'s inputs, counted up to ``at_least``; None for a
    large input (more records than ``SMALL_INPUT`` a side), where it is not counted."""
    left = tables[job.left]
    right = tables[job.right] if job.right is not None else left
    if max(left.num_rows, right.num_rows) > SMALL_INPUT:
        return None
    condition = rule if job.right is not None else f"({rule}) AND l.unique_id < r.unique_id"
    con = duckdb.connect()
    try:
        con.register("left_side", left)
        con.register("right_side", right)
        query = (f"SELECT count(*) FROM (SELECT 1 FROM left_side AS l JOIN right_side AS r "
                 f"ON {condition} LIMIT {int(at_least)})")
        row = con.execute(query).fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()
