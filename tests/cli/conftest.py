"""Fixtures for CLI tests: a clean environment, a runner, and fakes of the synth library."""

from __future__ import annotations

import functools
import os
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import recoverylink.synth
from recoverylink.cli.main import main
from recoverylink.synth.check import CheckRow

# the repository's root, so that `tests.independent.generator` (the tests' own
# generator of source files) can be imported here
REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No settings leak in from the machine: empty working folder, no RECOVERYLINK_* or CI."""
    for name in list(os.environ):
        if name.startswith("RECOVERYLINK_") or name == "CI":
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``recoverylink ARGS...`` in-process; return exit code, stdout and stderr."""

    def _run(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code=int(code), out=captured.out, err=captured.err)

    return _run


@dataclass
class FakeGenerate:
    """Stands in for ``recoverylink.synth.generate``; records its calls."""

    summary: dict[str, Any] = field(default_factory=lambda: {"episodes": 1234, "deaths": 56})
    error: BaseException | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(
        self,
        out_dir: Path,
        scale: float,
        seed: int,
        force: bool = False,
        progress: Any = None,
        params: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        self.calls.append(
            {
                "out_dir": out_dir,
                "scale": scale,
                "seed": seed,
                "force": force,
                "progress": progress,
                "params": params,
            }
        )
        if self.error is not None:
            raise self.error
        progress.stage("people", total=2)
        progress.advance()
        progress.advance()
        (out_dir / "truth").mkdir(parents=True)
        return self.summary


@pytest.fixture
def fake_generate(monkeypatch: pytest.MonkeyPatch) -> FakeGenerate:
    fake = FakeGenerate()
    monkeypatch.setattr(recoverylink.synth, "generate", fake, raising=False)
    return fake


# the real row type of the calibration check, with a placeholder key
Row = functools.partial(CheckRow, "figure_key")


@dataclass
class Report:
    rows: list[CheckRow]
    passed: bool


@dataclass
class FakeCheck:
    """Stands in for ``recoverylink.synth.check.run_check``; records its calls."""

    report: Report
    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(
        self,
        directory: Path,
        profile: str = "auto",
        progress: Any = None,
        config: Any = None,
        data_dir: Path | None = None,
    ) -> Report:
        self.calls.append(
            {"directory": directory, "profile": profile, "progress": progress, "data_dir": data_dir}
        )
        return self.report


@pytest.fixture
def fake_check(monkeypatch: pytest.MonkeyPatch) -> FakeCheck:
    """A passing report by default; tests replace ``fake_check.report`` as needed."""
    fake = FakeCheck(
        Report(
            rows=[
                Row("people in treatment", 290_000, 288_500, 5_000, "count", True),
                Row("heroin or crack users", 0.55, 0.548, 0.02, "share", True),
            ],
            passed=True,
        )
    )
    module = types.ModuleType("recoverylink.synth.check")
    module.run_check = fake  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "recoverylink.synth.check", module)
    monkeypatch.setattr(recoverylink.synth, "check", module, raising=False)
    return fake
