"""Benchmark: ``recoverylink ingest`` of a whole synthetic England: rows a second and peak memory.

    .venv/bin/python bench/ingest_bench.py [FOLDER] [--scale 0.1] [--data-dir DIR] [--again]

With no FOLDER, a synthetic England of ``--scale`` (default 0.1) is generated
into bench/output/synth-<scale>/ unless one is already there. The stores go to
a fresh ``--data-dir`` (default bench/output/ingest-data, removed first). Rows
are every record of every submission file (counted here from the files, not
taken from the command); the rate is rows over the wall time of the whole
command, start-up included, and the command's own figure (validation and load
only) is shown beside it. Peak memory is the proportional set size of the
process tree, sampled every quarter second (bench/measure.py); CPU seconds are
the command's user and system time; the load average before the run says how
busy the (shared) machine was. ``--again`` also
times a second ingest of the same folder (every file unchanged).

Target (issue: Ingest): at least 200,000 rows a second through validation and
load on 2 cores. Results are printed as a markdown row for docs/benchmarks.md
and written to bench/output/ingest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from measure import measure

BIN = Path(sys.executable).parent / "recoverylink"
OUT = Path("bench/output")


def count_rows(folder: Path) -> tuple[int, int]:
    """(files, records) of every submission under the folder (truth/ and manifest.json left out)."""
    files = records = 0
    for path in folder.rglob("*"):
        if not path.is_file() or "truth" in path.relative_to(folder).parts:
            continue
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    records += max(archive.read(name).count(b"\n") - 1, 0)
        elif path.suffix == ".csv":
            records += max(path.read_bytes().count(b"\n") - 1, 0)
        else:
            continue
        files += 1
    return files, records


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ingest(folder: Path, data_dir: Path) -> tuple[dict[str, object], str]:
    env = {"CI": "1", "COLUMNS": "200"}
    log = OUT / "ingest-bench.log"
    # the shell execs the command, so the process measured is the command itself
    command = ["sh", "-c", 'exec "$0" "$@" > "$LOG" 2>&1', str(BIN), "ingest", str(folder),
               "--data-dir", str(data_dir)]  # fmt: skip
    load_before = os.getloadavg()[0]
    cpu_before = _children_cpu()
    result = measure(command, env={**env, "LOG": str(log)})
    cpu = _children_cpu() - cpu_before
    text = log.read_text()
    own = re.search(r"([\d,]+) rows checked in ([\d.]+) s", text)
    row: dict[str, object] = {
        "seconds": round(result.seconds, 1),
        "peak_pss_gib": round(result.peak_rss_gib, 2),
        "exit_code": result.returncode,
        "command_rows": int(own[1].replace(",", "")) if own else None,
        "command_seconds": float(own[2]) if own else None,
        "cpu_seconds": round(cpu, 1),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }
    return row, text


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("folder", type=Path, nargs="?", help="a synthetic England to load")
    ap.add_argument("--scale", type=float, default=0.1, help="scale to generate if no FOLDER")
    ap.add_argument("--seed", type=int, default=2006)
    ap.add_argument("--data-dir", type=Path, default=OUT / "ingest-data")
    ap.add_argument("--again", action="store_true", help="also time a second, no-op ingest")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    folder = args.folder
    if folder is None:
        folder = OUT / f"synth-{args.scale:g}"
        if not (folder / "manifest.json").exists():
            command = [str(BIN), "synth", "--scale", str(args.scale), "--seed", str(args.seed),
                       "--out", str(folder), "--force"]  # fmt: skip
            subprocess.run(command, check=True, env={**os.environ, "CI": "1"})
    files, rows = count_rows(folder)
    if args.data_dir.exists():
        shutil.rmtree(args.data_dir)
    first, text = ingest(folder, args.data_dir)
    print(text[-3000:])
    result: dict[str, object] = {
        "folder": str(folder),
        "files": files,
        "rows": rows,
        **first,
        "rows_per_second": round(rows / float(first["seconds"])),  # type: ignore[arg-type]
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    if args.again:
        again, _ = ingest(folder, args.data_dir)
        result["again_seconds"] = again["seconds"]
        result["again_peak_pss_gib"] = again["peak_pss_gib"]
    (OUT / "ingest.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    manifest = folder / "manifest.json"
    scale = json.loads(manifest.read_text())["scale"] if manifest.exists() else "?"
    own = (
        f"{result['command_rows'] / result['command_seconds']:,.0f}"  # type: ignore[operator]
        if result["command_seconds"]
        else "?"
    )
    print(
        f"| {scale} | {files:,} | {rows:,} | {result['seconds']} s | "
        f"{result['rows_per_second']:,} | {own} | {result['cpu_seconds']} s | "
        f"{result['peak_pss_gib']} GiB | {result['load_average_before']} |"
    )
    return 0 if first["exit_code"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
