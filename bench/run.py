"""Run every benchmark at one scale, in pipeline order (``make bench``; on demand, not in CI).

    .venv/bin/python bench/run.py              # scale 0.1: about 15 minutes on 2 cores
    .venv/bin/python bench/run.py --scale 1    # England: about 2 hours (docs/benchmarks.md)

Each script prints its own figures and writes JSON under bench/output/; copy
the figures into docs/benchmarks.md with the date and the machine's load.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "output"


def steps(scale: float) -> list[list[str]]:
    s = f"{scale:g}"
    synth, data = OUT / f"synth-{s}", OUT / f"data-{s}"
    return [
        # generate (timed, kept for the steps below), then its calibration check
        ["synth_bench.py", "--scales", s, "--check", "--keep"],
        # generate if missing, load and link (timed), scores against the truth
        ["link_bench.py", "--scales", s],
        # load the same folder again into a fresh data directory (rows a second)
        ["ingest_bench.py", str(synth), "--data-dir", str(OUT / f"ingest-data-{s}")],
        # the mart and the indicators on the linked data, and from the truth
        ["indicators_bench.py", "--data-dir", str(data), "--synth", str(synth),
         "--json", str(OUT / f"indicators-{s}.json")],
        # the website under 100 concurrent clients (a small England of its own)
        ["web_bench.py", "--scale", "0.01"],
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=0.1)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    # the synthetic England is generated afresh: a data directory loaded from an older one
    # would not match its truth
    shutil.rmtree(OUT / f"data-{args.scale:g}", ignore_errors=True)
    for step in steps(args.scale):
        print(f"==> bench/{' '.join(step)}", flush=True)
        code = subprocess.call([sys.executable, str(HERE / step[0]), *step[1:]])
        if code:
            print(f"bench/{step[0]} failed (exit {code})", file=sys.stderr)
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
