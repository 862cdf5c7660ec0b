"""Killing ``recoverylink ingest`` at exact checkpoints, and what later steps then read.

The ingest code calls ``recoverylink.ingest.testhook.checkpoint`` at every
moment a crash matters (before and after each commit, between statements,
after each archive copy). A run with ``RECOVERYLINK_TEST_CHECKPOINTS=FILE``
lists them; one with ``RECOVERYLINK_TEST_KILL_AT=N`` sends itself SIGKILL at
the Nth. :func:`kill_at_each` runs one killed ingest per checkpoint asked
for: a driver process imports the package once and forks a child per kill
point (the child is the ingest that dies), which saves a second and a half of
start-up per point.

:func:`link_inputs` is what ``recoverylink link`` reads from a data directory,
opened as link opens it (read-only, no recovery).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

from recoverylink.ingest.testhook import CHECKPOINTS
from recoverylink.linkage.inputs import load_inputs

DRIVER = """
import json, os, shutil, sys
from recoverylink.cli.main import main

from recoverylink.ingest.testhook import KILL_AT

base, out, points, paths = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4:]
codes = {}
for n in points:
    data = os.path.join(out, f"kill-{n}")
    shutil.copytree(base, data)
    pid = os.fork()
    if pid == 0:
        os.environ[KILL_AT] = str(n)
        quiet = os.open(os.devnull, os.O_WRONLY)
        err = os.open(data + ".err", os.O_WRONLY | os.O_CREAT)
        os.dup2(quiet, 1)
        os.dup2(err, 2)
        try:
            os._exit(main(["ingest", *paths, "--data-dir", data]))
        except BaseException:
            import traceback
            traceback.print_exc()
            os._exit(70)
    _, status = os.waitpid(pid, 0)
    codes[n] = os.waitstatus_to_exitcode(status)
print(json.dumps(codes))
"""

INPUT_TABLES = ("records", "link_nodes", "rule_edges", "timeline", "demographics")


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECOVERYLINK_")}
    env["CI"] = "1"
    return env | extra


def ingest_listing(paths: Sequence[Path], data: Path, listing: Path) -> int:
    """An uninterrupted ingest that lists its checkpoints in ``listing``; its exit code."""
    command = [sys.executable, "-m", "recoverylink.cli.main", "ingest", *map(str, paths),
               "--data-dir", str(data)]  # fmt: skip
    proc = subprocess.run(command, env=environment(**{CHECKPOINTS: str(listing)}),
                          capture_output=True, timeout=300)  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return proc.returncode


def checkpoints(listing: Path) -> list[str]:
    """The names of the checkpoints listed, in order (checkpoint N is item N-1)."""
    lines = listing.read_text("utf-8").splitlines()
    assert [int(line.split("\t")[0]) for line in lines] == list(range(1, len(lines) + 1))
    return [line.split("\t", 1)[1] for line in lines]


def spread(names: list[str], count: int, always: Sequence[str]) -> list[int]:
    """About ``count`` checkpoint numbers spread evenly over the run, plus every one whose
    name starts with one of ``always``."""
    total = len(names)
    chosen = {1 + round(i * (total - 1) / (count - 1)) for i in range(count)}
    chosen |= {i for i, name in enumerate(names, start=1) if name.startswith(tuple(always))}
    return sorted(chosen)


def kill_at_each(
    base: Path, paths: Sequence[Path], out: Path, points: list[int]
) -> dict[int, Path]:
    """Copy ``base`` once per point and ingest ``paths`` into the copy, killed at that
    checkpoint; returns each point's data directory. Every run must have been killed."""
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-c", DRIVER, str(base), str(out), json.dumps(points),
               *map(str, paths)]  # fmt: skip
    proc = subprocess.run(command, env=environment(), capture_output=True, timeout=600)
    assert proc.returncode == 0, proc.stderr.decode()
    codes = {int(n): code for n, code in json.loads(proc.stdout.decode().splitlines()[-1]).items()}
    dirs = {n: out / f"kill-{n}" for n in points}
    for n in points:
        err = (out / f"kill-{n}.err").read_text("utf-8", errors="replace")
        assert codes[n] == -9, f"checkpoint {n}: exit {codes[n]}, not killed\n{err}"
    return dirs


def committed_loads(data: Path) -> int:
    """Rows in the ledger, read without recovery (the warehouse commits atomically)."""
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        ((count,),) = con.execute("SELECT count(*) FROM ingest.loads").fetchall()
    return int(count)


def link_inputs(data: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table ``recoverylink link`` builds from the stores before it links, sorted."""
    with duckdb.connect() as con:
        load_inputs(con, data)
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in INPUT_TABLES}
