"""The root command: help, version, one-line errors, --debug and exit codes."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from recoverylink import __version__
from recoverylink.errors import ConfigError, RecoveryLinkError, SynthArgumentError


def test_console_script_points_at_main() -> None:
    (script,) = [ep for ep in entry_points(group="console_scripts") if ep.name == "recoverylink"]
    assert script.value == "recoverylink.cli.main:main"


def test_root_help_lists_options_and_commands(run) -> None:
    result = run("--help")
    assert result.code == 0
    for text in ("--debug", "--config", "--version", "synth"):
        assert text in result.out


def test_no_arguments_shows_help(run) -> None:
    result = run()
    assert "Usage: recoverylink" in result.out + result.err
    assert "synth" in result.out


def test_version(run) -> None:
    result = run("--version")
    assert (result.code, result.out) == (0, f"recoverylink {__version__}\n")


def test_unknown_command_is_a_usage_error(run) -> None:
    result = run("no-such-command")
    assert result.code == 2
    assert "no-such-command" in result.err


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (SynthArgumentError("output folder /x is not empty; use --force to overwrite"), 2),
        (ConfigError("bad setting"), 2),
        (RecoveryLinkError("the warehouse is locked"), 1),
    ],
)
def test_library_errors_are_one_line_with_their_exit_code(
    run, fake_generate, error: Exception, code: int
) -> None:
    fake_generate.error = error
    result = run("synth", "--out", "x")
    assert result.code == code
    assert result.err == f"error: {error}\n"
    assert "Traceback" not in result.out + result.err


def test_unexpected_error_is_one_line_with_a_hint(run, fake_generate) -> None:
    fake_generate.error = RuntimeError("boom\nsecond line")
    result = run("synth", "--out", "x")
    assert result.code == 1
    assert result.err == (
        "error: unexpected RuntimeError: boom second line (run with --debug to see the traceback)\n"
    )


def test_debug_shows_the_traceback_then_the_line(run, fake_generate) -> None:
    fake_generate.error = SynthArgumentError("scale is silly")
    result = run("--debug", "synth", "--out", "x")
    assert result.code == 2
    assert result.err.startswith("Traceback (most recent call last):")
    assert "in __call__\n    raise self.error" in result.err
    assert result.err.splitlines()[-1] == "error: scale is silly"


def test_debug_from_the_environment(run, fake_generate, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECOVERYLINK_DEBUG", "1")
    fake_generate.error = RuntimeError("boom")
    result = run("synth", "--out", "x")
    assert "Traceback" in result.err
    assert result.err.splitlines()[-1] == "error: unexpected RuntimeError: boom"


def test_missing_config_file_is_a_usage_error(run) -> None:
    result = run("--config", "nowhere.toml", "synth", "--help")
    assert result.code == 2
    assert "nowhere.toml" in result.err


def test_broken_config_does_not_block_help(run, tmp_path: Path) -> None:
    (tmp_path / "recoverylink.toml").write_text("[paths]\nnonsense = 1\n")
    assert run("synth", "--help").code == 0


def test_real_process_reports_a_config_error_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "mine.toml"
    config.write_text("[duckdb]\nthreds = 4\n")
    process = subprocess.run(
        [sys.executable, "-m", "recoverylink.cli.main", "--config", str(config), "synth"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert process.returncode == 2
    assert process.stderr.count("\n") == 1
    assert process.stderr.startswith("error: unknown setting 'duckdb.threds' in ")
    assert str(config) in process.stderr


def test_real_process_help() -> None:
    process = subprocess.run(
        [sys.executable, "-m", "recoverylink.cli.main", "synth", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0
    assert "--tolerance-profile" in process.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["synth", "--scale", "-1"], "error: Invalid value for '--scale': must be more than 0"),
        (["synth", "--bogus"], "error: No such option: --bogus"),
        (["no-such-command"], "error: No such command 'no-such-command'"),
    ],
)
def test_real_process_usage_errors_are_one_line(args: list[str], expected: str) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "recoverylink.cli.main", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 2
    assert process.stderr.count("\n") == 1
    assert process.stderr.startswith(expected)
    assert "--help" in process.stderr
