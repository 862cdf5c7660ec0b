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

import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from recoverylink.linkage.engines import Engine
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


def _linker(engine: Engine, job: Job, tables: dict[str, pa.Table], settings: Any) -> Any:
    from splink import Linker

    frames = [engine.register(tables[source], f"{job.name}_{source}") for source in job.sources]
    return Linker(frames if len(frames) > 1 else frames[0], settings, log_level=logging.WARNING)


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

    linker = _linker(engine, job, tables, trained if trained is not None else job.settings())
    sessions = 0
    if trained is None:
        training = linker.training
        clock = time.perf_counter()
        training.estimate_probability_two_random_records_match(
            list(job.prior_rules), recall=job.prior_recall
        )
        lap("prior")
        training.estimate_u_using_random_sampling(max_pairs=plan.u_max_pairs, seed=plan.seed)
        lap("u")
        for rule in job.em_rules:
            training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=plan.em_max_pairs
            )
            sessions += 1
            lap(f"em{sessions}")
    model = linker.misc.save_model_to_json()
    clock = time.perf_counter()
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
    return JobResult(job, model, frame, sessions)
