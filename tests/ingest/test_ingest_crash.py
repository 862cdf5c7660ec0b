"""Crash safety: ``recoverylink ingest`` killed with SIGKILL at random moments and at each commit.

After every kill the stores, opened through recovery, must hold exactly the rows
of the files the ledger calls current (worked out from the files themselves),
the archive exactly the files the ledger names, and the ledger must be the start
of an uninterrupted run's. Running the ingest again must then end exactly where
the uninterrupted run ends.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import crashdata
import pytest
import storeview

from recoverylink.ingest.landing import JOURNAL

KILLS = 5
SEED = 20061

# Runs recoverylink ingest, killing itself with SIGKILL right after the Nth commit.
INJECT = """
import os, signal, sys
from recoverylink.ingest import stores
from recoverylink.cli.main import main

after = int(sys.argv[1])
commits = 0
original = stores.Stores.transaction

class Killing:
    def __init__(self, inner):
        self.inner = inner
    def __enter__(self):
        return self.inner.__enter__()
    def __exit__(self, *exc):
        done = self.inner.__exit__(*exc)
        global commits
        commits += 1
        if commits == after:
            os.kill(os.getpid(), signal.SIGKILL)
        return done

stores.Stores.transaction = lambda self: Killing(original(self))
sys.exit(main(sys.argv[2:]))
"""


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECOVERYLINK_")}
    env["CI"] = "1"
    return env


def ingest(*args: str | Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "recoverylink.cli.main", "ingest", *map(str, args)]
    return subprocess.Popen(command, env=environment(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)  # fmt: skip


def finished(proc: subprocess.Popen[bytes]) -> int:
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 1), err.decode()
    return proc.returncode


def ledger(data: Path) -> list[tuple[object, ...]]:
    with storeview.Stores.open(data, storeview.SETTINGS) as stores:
        return stores.con.execute(
            "SELECT load_id, file_name, status, replaces, replaced_by, first_record_id, "
            "next_record_id, row_count, problem_count, sha256, landing_path "
            "FROM ingest.loads ORDER BY load_id"
        ).fetchall()


def without_times(tables: dict[str, list[tuple[object, ...]]]) -> dict[str, list[object]]:
    """Every table, with the time each file was received left out of the ledger."""
    out: dict[str, list[object]] = {}
    for name, rows in tables.items():
        if name == "warehouse.ingest.loads":
            out[name] = sorted(str(r[:9] + r[10:]) for r in rows)  # received_at is column 9
        else:
            out[name] = sorted(map(str, rows))
    return out


def check_consistent(
    data: Path, files: dict[str, Path], reference: list[tuple[object, ...]]
) -> int:
    """The stores hold exactly what the ledger says; returns how many loads are in it."""
    rows = ledger(data)  # opening runs recovery
    # The ledger is the start of the uninterrupted run's (load ids and record ids included),
    # each load superseded exactly when the load that replaced it is committed too.
    last = rows[-1][0]
    for row, ref in zip(rows, reference, strict=False):
        status, replaced_by = ref[2], ref[4]
        if replaced_by is not None and replaced_by > last:
            status, replaced_by = "current", None
        assert row == (*ref[:2], status, ref[3], replaced_by, *ref[5:])
    current = [files[r[1]] for r in rows if r[2] == "current" and r[1] in files
               and not r[1].startswith("providers")]  # fmt: skip
    assert storeview.store_rows(data) == storeview.file_rows(current)
    assert set(storeview.broken_links(data).values()) == {0}
    archived = {str(p.relative_to(data)) for p in (data / "landing").rglob("*") if p.is_file()}
    assert archived == {str(r[10]) for r in rows}
    assert not (data / "landing" / JOURNAL).exists()
    return len(rows)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Path]]:
    base, more = crashdata.build(tmp_path_factory.mktemp("crash"))
    files = {p.name: p for p in [*base.rglob("*"), *more.rglob("*")] if p.is_file()}
    return base, more, files


@pytest.fixture(scope="module")
def base_loaded(
    folders: tuple[Path, Path, dict[str, Path]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A data directory with the base folder loaded (tests copy it)."""
    data = tmp_path_factory.mktemp("base") / "data"
    assert finished(ingest(folders[0], "--data-dir", data)) == 0
    return data


@pytest.fixture(scope="module")
def reference(
    folders: tuple[Path, Path, dict[str, Path]],
    base_loaded: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[list[tuple[object, ...]], dict[str, list[object]], float]:
    """The uninterrupted run: its ledger, its tables (times left out) and how long it took."""
    data = tmp_path_factory.mktemp("reference") / "data"
    shutil.copytree(base_loaded, data)
    start = time.monotonic()
    assert finished(ingest(folders[1], "--data-dir", data)) == 1  # one rejected, one refused
    took = time.monotonic() - start
    rows = ledger(data)
    assert {r[2] for r in rows} == {"current", "superseded", "rejected", "refused"}
    return rows, without_times(storeview.all_tables(data)), took


def test_killed_at_random_moments_the_stores_hold_the_last_commit(
    folders: tuple[Path, Path, dict[str, Path]],
    base_loaded: Path,
    reference: tuple[list[tuple[object, ...]], dict[str, list[object]], float],
    tmp_path: Path,
) -> None:
    _, more, files = folders
    rows, expected, took = reference
    data = tmp_path / "data"
    shutil.copytree(base_loaded, data)
    before = storeview.all_tables(data)
    loads_before = len(ledger(data))
    rng = random.Random(SEED)
    seen = []
    for _ in range(KILLS):
        proc = ingest(more, "--data-dir", data)
        time.sleep(rng.uniform(0.0, took))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        seen.append(check_consistent(data, files, rows))
        if seen[-1] == loads_before:  # killed before its first commit: as it was
            assert storeview.all_tables(data) == before
    assert min(seen) < len(rows), "every kill came after the run had finished"

    finished(ingest(more, "--data-dir", data))
    assert without_times(storeview.all_tables(data)) == expected


@pytest.mark.parametrize("after", [2, 3, 4, 8, 9])
def test_killed_right_after_a_commit_the_stores_hold_that_commit(
    folders: tuple[Path, Path, dict[str, Path]],
    base_loaded: Path,
    reference: tuple[list[tuple[object, ...]], dict[str, list[object]], float],
    tmp_path: Path,
    after: int,
) -> None:
    """The killed run commits: 1 recovery, then per commit group identity, warehouse and
    (when it replaced loads of the base) the identity clean-up: 2-4 the first treatment
    year, 5-6 the second, 7-9 the PNC extract."""
    _, more, files = folders
    rows, expected, _ = reference
    data = tmp_path / "data"
    shutil.copytree(base_loaded, data)
    loads_before = len(ledger(data))

    script = [
        sys.executable,
        "-c",
        INJECT,
        str(after),
        "ingest",
        str(more),
        "--data-dir",
        str(data),
    ]
    proc = subprocess.run(script, env=environment(), capture_output=True, timeout=120)

    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    loads = check_consistent(data, files, rows)
    assert (loads > loads_before) == (after not in (2, 5, 7))  # only a warehouse commit counts
    finished(ingest(more, "--data-dir", data))
    assert without_times(storeview.all_tables(data)) == expected
