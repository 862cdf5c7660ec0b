"""Benchmark: generating synthetic England (time and peak memory), then its calibration check.

    .venv/bin/python bench/synth_bench.py --scales 0.1 1 [--check]

Targets (issue: Synthetic England): scale 1 in under 10 minutes and under 8 GiB
on a 2-core, 24 GiB machine. Results are printed as markdown rows for
docs/benchmarks.md and written to bench/output/synth.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from measure import measure

BIN = Path(sys.executable).parent / "recoverylink"


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--scales", type=float, nargs="+", default=[0.1, 1.0])
    ap.add_argument("--seed", type=int, default=2006)
    ap.add_argument("--out", type=Path, default=Path("bench/output"))
    ap.add_argument("--check", action="store_true", help="also time the calibration check")
    ap.add_argument("--keep", action="store_true", help="keep the generated folders")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for scale in args.scales:
        folder = args.out / f"synth-{scale:g}"
        if folder.exists():
            shutil.rmtree(folder)
        gen = measure(
            [
                str(BIN),
                "synth",
                "--scale",
                str(scale),
                "--seed",
                str(args.seed),
                "--out",
                str(folder),
            ]
        )
        row = {
            "scale": scale,
            "generate_s": round(gen.seconds, 1),
            "generate_peak_gib": round(gen.peak_rss_gib, 2),
            "ok": gen.returncode == 0,
        }
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        row["output_gib"] = round(size / 2**30, 2)
        row["files"] = sum(1 for p in folder.rglob("*") if p.is_file())
        if args.check:
            chk = measure([str(BIN), "synth", "--check", str(folder)])
            row.update(
                {
                    "check_s": round(chk.seconds, 1),
                    "check_peak_gib": round(chk.peak_rss_gib, 2),
                    "check_passed": chk.returncode == 0,
                }
            )
        results.append(row)
        print(json.dumps(row), flush=True)
        if not args.keep:
            shutil.rmtree(folder)
    meta = {
        "machine": platform.machine(),
        "cpus": __import__("os").cpu_count(),
        "python": platform.python_version(),
    }
    (args.out / "synth.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2) + "\n"
    )
    print("| scale | generate | peak memory | output | files |")
    print("|---|---|---|---|---|")
    for r in results:
        cells = [
            f"{r['scale']:g}",
            f"{r['generate_s']:.0f} s",
            f"{r['generate_peak_gib']:.1f} GiB",
            f"{r['output_gib']:.1f} GiB",
            f"{r['files']:,}",
        ]
        print("| " + " | ".join(cells) + " |")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
