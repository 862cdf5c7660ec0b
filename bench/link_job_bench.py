"""Where one linkage job's time goes: the prior, u sampling, each EM pass, prediction.

Runs one job of ``recoverylink link`` (default ``treatment_pnc``) on an
already loaded data directory, exactly as the pipeline runs it (the same
inputs, engine, training plan and candidate floor), and prints the seconds of
each phase, the pairs kept and the peak resident memory of this process.
``--chunks`` overrides the prediction chunking (``auto`` is the pipeline's
own choice), to compare settings on the same data:

    .venv/bin/python bench/link_job_bench.py bench/output/data-1 --job treatment_pnc
    .venv/bin/python bench/link_job_bench.py bench/output/data-1 --chunks 1x6 --no-train \\
        --models bench/output/data-1/linkage/models/current

Appends one JSON line per run to ``bench/output/link_jobs.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from recoverylink.config import load_config
from recoverylink.linkage import models
from recoverylink.linkage.engines import open_engine
from recoverylink.linkage.inputs import load_inputs, nodes_of
from recoverylink.linkage.jobs import JOBS
from recoverylink.linkage.pipeline import CANDIDATE_FLOOR, prediction_chunks
from recoverylink.linkage.training import TrainingPlan, _linker


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--job", default="treatment_pnc", choices=[j.name for j in JOBS])
    parser.add_argument("--chunks", default="auto", help="LEFTxRIGHT, or auto")
    parser.add_argument("--models", type=Path, help="use this saved model instead of training")
    args = parser.parse_args(argv)

    settings = load_config().duckdb
    job = next(j for j in JOBS if j.name == args.job)
    plan = TrainingPlan()
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="link-job-") as tmp:
        con = duckdb.connect(str(Path(tmp) / "work.duckdb"), config={
            "memory_limit": settings.memory_limit, "threads": settings.threads,
            "temp_directory": str(Path(tmp) / "spill"),
        })
        clock = time.perf_counter()
        load_inputs(con, args.data_dir)
        tables = {s: nodes_of(con, s, probabilistic_only=True) for s in job.sources}
        times["read"] = time.perf_counter() - clock
        rows = {s: tables[s].num_rows for s in job.sources}
        if args.chunks == "auto":
            left, right = prediction_chunks(job, rows)
        else:
            left, right = (int(n) for n in args.chunks.lower().split("x"))
        engine = open_engine("duckdb", settings, Path(tmp))
        try:
            trained = (
                models.splink_settings(models.load_model(args.models, job))
                if args.models is not None else None
            )
            linker = _linker(engine, job, tables, trained or job.settings())
            if trained is None:
                training = linker.training
                clock = time.perf_counter()
                training.estimate_probability_two_random_records_match(
                    list(job.prior_rules), recall=job.prior_recall)
                times["prior"] = time.perf_counter() - clock
                clock = time.perf_counter()
                training.estimate_u_using_random_sampling(
                    max_pairs=plan.u_max_pairs, seed=plan.seed)
                times["u"] = time.perf_counter() - clock
                for n, rule in enumerate(job.em_rules, 1):
                    clock = time.perf_counter()
                    training.estimate_parameters_using_expectation_maximisation(
                        rule, max_pairs=plan.em_max_pairs)
                    times[f"em{n}"] = time.perf_counter() - clock
            clock = time.perf_counter()
            predictions = linker.inference.predict(
                threshold_match_probability=CANDIDATE_FLOOR,
                num_chunks_left=left, num_chunks_right=right, warning_mode="never")
            pairs = len(engine.to_pandas(predictions))
            times["predict"] = time.perf_counter() - clock
        finally:
            engine.close()
            con.close()
    record = {
        "data_dir": str(args.data_dir), "job": job.name, "records": rows,
        "chunks": f"{left}x{right}", "trained": args.models is None, "pairs": pairs,
        "seconds": {k: round(v, 1) for k, v in times.items()},
        "total_seconds": round(sum(times.values()), 1), "peak_gib": round(_peak_gib(), 2),
    }
    print(json.dumps(record, indent=1))
    out = Path(__file__).resolve().parent / "output" / "link_jobs.jsonl"
    out.parent.mkdir(exist_ok=True)
    with out.open("a") as f:
        f.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main())
