"""Where one linkage job's time goes: the prior, u sampling, each EM pass, prediction.

Runs one job of ``recoverylink link`` (default ``treatment_pnc``) on an
already loaded data directory, exactly as the pipeline runs it (the same
inputs, engine, training plan and candidate floor), and prints the seconds of
each phase (timed by ``run_job`` itself), the pairs kept and the peak resident
memory of this process. ``--chunks`` overrides the prediction chunking
(``auto`` is the pipeline's own choice), to compare settings on the same data:

    .venv/bin/python bench/link_job_bench.py bench/output/data-1 --job treatment_pnc
    .venv/bin/python bench/link_job_bench.py bench/output/data-1 --chunks 1x6 \\
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
from recoverylink.linkage.training import TrainingPlan, run_job


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
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="link-job-") as tmp:
        con = duckdb.connect(str(Path(tmp) / "work.duckdb"), config={
            "memory_limit": settings.memory_limit, "threads": settings.threads,
            "temp_directory": str(Path(tmp) / "spill"),
        })
        clock = time.perf_counter()
        load_inputs(con, args.data_dir)
        tables = {s: nodes_of(con, s) for s in job.sources}
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
            result = run_job(engine, job, tables, TrainingPlan(), trained, CANDIDATE_FLOOR,
                             left, right, phase_seconds=times)
            pairs = len(result.predictions)
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
