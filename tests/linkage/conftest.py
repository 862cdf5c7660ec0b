"""One small synthetic England with the hand-made cases, loaded and linked once per run.

The first test process to need it builds it under a file lock (generate at
scale 0.004, add ``cases.write_cases``, ingest, link with the truth) and the
others reuse the folder. Tests that change the stores copy the data directory.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from recoverylink.testing.cli import run_cli as shared_run_cli

ENGLAND_SCALE = 0.004
ENGLAND_SEED = 2006
KEY = "linkage-tests-key-" + "x" * 30


@dataclass
class Result:
    code: int
    out: str
    err: str


@dataclass(frozen=True)
class Linked:
    root: Path
    england: Path
    cases: Path
    data_dir: Path
    map_file: Path
    link_result: Result

    def person_of(self) -> dict[tuple[str, str], str]:
        with self.map_file.open(newline="", encoding="utf-8") as handle:
            return {(r["source"], r["key"]): r["person_id"] for r in csv.DictReader(handle)}


def run_cli(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    """``recoverylink ARGS...`` in-process with only the given RECOVERYLINK_ settings."""
    settings = env if env is not None else {"RECOVERYLINK_PSEUDONYM_KEY": KEY}
    run = shared_run_cli(list(args), settings)
    return Result(run.code, run.out, run.err)


@pytest.fixture
def cli() -> Callable[..., Result]:
    return run_cli


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build(root: Path) -> Linked:
    from linkage_cases import write_cases

    from recoverylink.synth import generate

    england = root / "england"
    cases = root / "cases"
    data_dir = root / "data"
    map_file = root / "person_map.csv"
    done = root / "done"
    if not done.exists():
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        generate(england, ENGLAND_SCALE, ENGLAND_SEED, workers=1)
        write_cases(england, cases)
        loaded = run_cli("ingest", england, cases, "--data-dir", data_dir)
        assert loaded.code == 0, loaded.out + loaded.err
        linked = run_cli("link", "--data-dir", data_dir, "--truth", england / "truth")
        assert linked.code == 0, linked.out + linked.err
        (root / "link.out").write_text(linked.out, "utf-8")
        exported = run_cli("link", "export-map", "--data-dir", data_dir, "--out", map_file)
        assert exported.code == 0, exported.out + exported.err
        done.write_text("ok", "utf-8")
    out = (root / "link.out").read_text("utf-8")
    return Linked(root, england, cases, data_dir, map_file, Result(0, out, ""))


@pytest.fixture(scope="session")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Linked:
    """The small England and the cases, linked; shared by every test process of the run."""
    base = tmp_path_factory.getbasetemp()
    # under xdist each worker has its own folder inside the run's: share the run's
    run = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    shared = run / "linkage-england"
    shared.parent.mkdir(parents=True, exist_ok=True)
    with _locked(shared.parent / "linkage-england.lock"):
        return _build(shared)


@pytest.fixture
def data_copy(linked: Linked, tmp_path: Path) -> Path:
    """A private copy of the linked data directory, for tests that change it."""
    copy = tmp_path / "data"
    shutil.copytree(linked.data_dir, copy, ignore=shutil.ignore_patterns("landing"))
    return copy
