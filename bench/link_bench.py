"""Benchmark the whole linkage: time, peak memory and scores against the truth.

For each scale: generates a synthetic England (``recoverylink synth``) unless
it is already there, loads it (``recoverylink ingest``) unless the data
directory is already loaded, then times ``recoverylink link --truth`` and
prints the scores per source pair, Splink beside the deterministic baseline.
Writes ``bench/output/link.json``.

    .venv/bin/python bench/link_bench.py --scales 0.1
    .venv/bin/python bench/link_bench.py --scales 1      # target: < 20 min, < 16 GiB

Peak memory is the proportional set size of the whole process tree (see
``measure.py``). A pseudonymisation key is made up for the run when
RECOVERYLINK_PSEUDONYM_KEY is not set. The DuckDB memory limit is the
``[duckdb]`` setting (RECOVERYLINK_DUCKDB_MEMORY_LIMIT) unless --memory-limit
is given.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import measure

CLI = str(Path(sys.executable).with_name("recoverylink"))


def _scale_name(scale: float) -> str:
    return f"{scale:g}"


def _run(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    print("$", " ".join(cmd), flush=True)
    m = measure(cmd, env=env)
    if m.returncode != 0:
        raise SystemExit(f"failed with exit code {m.returncode}: {' '.join(cmd)}")
    return {"seconds": round(m.seconds, 1), "peak_gib": round(m.peak_rss_gib, 2)}


def bench_scale(scale: float, seed: int, out: Path, env: dict[str, str],
                extra: list[str]) -> dict[str, object]:
    name = _scale_name(scale)
    synth = out / f"synth-{name}"
    data = out / f"data-{name}"
    result: dict[str, object] = {"scale": scale, "seed": seed}
    if not (synth / "manifest.json").exists():
        result["synth"] = _run(
            [CLI, "synth", "--scale", str(scale), "--seed", str(seed), "--out", str(synth)], env
        )
    if not (data / "warehouse.duckdb").exists():
        result["ingest"] = _run([CLI, "ingest", str(synth), "--data-dir", str(data)], env)
    result["link"] = _run(
        [CLI, "link", "--data-dir", str(data), "--truth", str(synth / "truth"), *extra], env
    )
    scores_file = data / "linkage" / "report" / "scores.csv"
    with scores_file.open(newline="", encoding="utf-8") as handle:
        scores = list(csv.DictReader(handle))
    result["scores"] = [
        {k: row[k] for k in ("method", "source_a", "source_b", "scope", "precision", "recall",
                             "f1", "cluster_precision", "cluster_recall")}
        for row in scores
    ]
    return result


def print_scores(result: dict[str, object]) -> None:
    rows = result["scores"]
    assert isinstance(rows, list)
    by_pair: dict[tuple[str, str, str], dict[str, dict[str, str]]] = {}
    for row in rows:
        by_pair.setdefault((row["source_a"], row["source_b"], row["scope"]), {})[
            row["method"]
        ] = row
    print(f"\nscale {result['scale']}: link {result['link']}")
    print("| sources | pairs | Splink P | Splink R | Splink F1 | baseline P | baseline R "
          "| baseline F1 |")
    print("|---|---|---|---|---|---|---|---|")
    for (a, b, scope), methods in by_pair.items():
        s, d = methods.get("splink", {}), methods.get("baseline", {})
        cells = [f"{float(m[k]):.4f}" if m else "" for m in (s, d)
                 for k in ("precision", "recall", "f1")]
        print(f"| {a} - {b} | {scope} | " + " | ".join(cells) + " |")


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--scales", type=float, nargs="+", default=[0.1])
    ap.add_argument("--seed", type=int, default=2006)
    ap.add_argument("--out", type=Path, default=Path("bench/output"))
    ap.add_argument("--memory-limit", help="DuckDB memory limit for the run, e.g. 12GB")
    ap.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    args = ap.parse_args()
    env = {}
    if not os.environ.get("RECOVERYLINK_PSEUDONYM_KEY"):
        env["RECOVERYLINK_PSEUDONYM_KEY"] = "benchmark-only-key-" + "0" * 32
    if args.memory_limit:
        env["RECOVERYLINK_DUCKDB_MEMORY_LIMIT"] = args.memory_limit
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for scale in args.scales:
        result = bench_scale(scale, args.seed, args.out, env, ["--engine", args.engine])
        print_scores(result)
        results.append(result)
    (args.out / "link.json").write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
