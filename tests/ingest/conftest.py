"""Fixtures for ingest tests: the command line in-process, and one synthetic England, loaded.

The England (scale 0.01) and its loading are shared by every test process of a
run: the first process to need them builds them under a file lock, saves what
the tests compare, and the others read that.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import storeview

from recoverylink.cli.main import main

ENGLAND_SCALE = 0.01
ENGLAND_SEED = 2006


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No settings from the machine; a wide terminal; an empty working folder."""
    for name in list(os.environ):
        if name.startswith("RECOVERYLINK_") or name == "CI":
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "250")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def cli(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``recoverylink ARGS...`` in-process; exit code, stdout and stderr."""

    def run(*args: str | Path) -> Result:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(int(code), captured.out, captured.err)

    return run


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run_cli(*args: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    env = {k: v for k, v in os.environ.items() if k.startswith("RECOVERYLINK_") or k == "CI"}
    for name in env:
        del os.environ[name]
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "250"
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.environ.update(env)
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return Result(int(code), out.getvalue(), err.getvalue())


@dataclass
class LoadedEngland:
    """A synthetic England loaded twice into one data directory, and what each run said."""

    folder: Path
    data_dir: Path
    first: Result
    second: Result
    status: Result
    tables_after_first: Path
    """Pickled ``storeview.fingerprints`` after the first run (and ``_second`` after the second)."""

    def tables(self, which: str) -> dict[str, tuple[int, int]]:
        path = self.tables_after_first.with_name(f"tables_{which}.pickle")
        return pickle.loads(path.read_bytes())


def _build(root: Path) -> dict[str, object]:
    from recoverylink.synth import generate

    folder = root / "england"
    generate(folder, ENGLAND_SCALE, ENGLAND_SEED)
    data_dir = root / "data"
    first = _run_cli("ingest", str(folder), "--data-dir", str(data_dir))
    (root / "tables_first.pickle").write_bytes(pickle.dumps(storeview.fingerprints(data_dir)))
    second = _run_cli("ingest", str(folder), "--data-dir", str(data_dir))
    (root / "tables_second.pickle").write_bytes(pickle.dumps(storeview.fingerprints(data_dir)))
    status = _run_cli("status", "--data-dir", str(data_dir), "--limit", "0")
    return {
        "folder": str(folder),
        "data_dir": str(data_dir),
        "first": first.__dict__,
        "second": second.__dict__,
        "status": status.__dict__,
    }


@pytest.fixture(scope="session")
def loaded_england(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> LoadedEngland:
    """Synthetic England (scale 0.01) ingested into a fresh data directory, then again."""
    if worker_id == "master":
        root = tmp_path_factory.mktemp("loaded_england")
        saved = _build(root)
    else:
        root = tmp_path_factory.getbasetemp().parent / "loaded_england"
        root.mkdir(exist_ok=True)
        with _locked(root.with_suffix(".lock")):
            done = root / "result.json"
            if done.exists():
                saved = json.loads(done.read_text())
            else:
                saved = _build(root)
                done.write_text(json.dumps(saved))
    return LoadedEngland(
        folder=Path(str(saved["folder"])),
        data_dir=Path(str(saved["data_dir"])),
        first=Result(**saved["first"]),  # type: ignore[arg-type]
        second=Result(**saved["second"]),  # type: ignore[arg-type]
        status=Result(**saved["status"]),  # type: ignore[arg-type]
        tables_after_first=root / "tables_first.pickle",
    )
