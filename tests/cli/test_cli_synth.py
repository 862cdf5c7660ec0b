"""``recoverylink synth``: arguments reach the library, results are shown, exit codes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from recoverylink.cli.progress import RichProgress
from recoverylink.errors import SynthArgumentError


def test_synth_help_names_every_option(run) -> None:
    result = run("synth", "--help")
    assert result.code == 0
    for option in (
        "--scale",
        "--seed",
        "--out",
        "--force",
        "--param",
        "--check",
        "--tolerance-profile",
    ):
        assert option in result.out


def test_build_passes_arguments_through(run, fake_generate, tmp_path: Path) -> None:
    result = run(
        "synth",
        "--scale",
        "0.5",
        "--seed",
        "7",
        "--out",
        "england",
        "--force",
        "--param",
        "treatment_rate=0.25",
        "--param",
        "region=london",
    )
    assert result.code == 0, result.err
    (call,) = fake_generate.calls
    assert call["out_dir"] == Path("england")
    assert (call["scale"], call["seed"], call["force"]) == (0.5, 7, True)
    assert call["params"] == {"treatment_rate": 0.25, "region": "london"}
    assert isinstance(call["progress"], RichProgress)
    assert call["progress"].stages == ["people"]


def test_build_prints_the_summary_and_where_things_are(run, fake_generate) -> None:
    fake_generate.summary = {"episodes": 1234, "pnc": {"nominals": 56789}}
    result = run("synth", "--out", "england")
    assert result.code == 0
    assert "episodes" in result.out and "1,234" in result.out
    assert "pnc / nominals" in result.out and "56,789" in result.out
    assert "Files written to england" in result.out
    assert f"in {Path('england') / 'truth'}" in result.out


def test_build_defaults_come_from_the_settings(run, fake_generate, tmp_path: Path) -> None:
    (tmp_path / "recoverylink.toml").write_text(
        '[paths]\ndata_dir = "store"\n[synth]\ndefault_seed = 11\ndefault_scale = 0.002\n'
    )
    assert run("synth").code == 0
    (call,) = fake_generate.calls
    assert call["out_dir"] == tmp_path / "store" / "synth"
    assert (call["scale"], call["seed"], call["force"], call["params"]) == (0.002, 11, False, None)


def test_build_defaults_from_a_named_config_file(run, fake_generate, tmp_path: Path) -> None:
    (tmp_path / "other.toml").write_text("[synth]\ndefault_seed = 99\n")
    assert run("--config", "other.toml", "synth", "--out", "x").code == 0
    assert fake_generate.calls[0]["seed"] == 99


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scale", "0"], "must be more than 0"),
        (["--scale", "-1"], "must be more than 0"),
        (["--scale", "big"], "Invalid value for '--scale'"),
        (["--seed", "-3"], "Invalid value for '--seed'"),
        (["--param", "oops"], "'oops' is not NAME=VALUE"),
        (["--param", "a=1", "--param", "a=2"], "a is given more than once"),
        (["--tolerance-profile", "small"], "only applies with --check"),
        (["--data-dir", "d"], "only applies with --check"),
    ],
)
def test_nonsense_arguments_exit_2_before_the_library_runs(
    run, fake_generate, args: list[str], message: str
) -> None:
    result = run("synth", "--out", "x", *args)
    assert result.code == 2
    assert message in " ".join(result.err.split())
    assert fake_generate.calls == []


def test_library_refusal_is_one_line_exit_2(run, fake_generate) -> None:
    fake_generate.error = SynthArgumentError("output folder x is not empty; use --force")
    result = run("synth", "--out", "x")
    assert (result.code, result.err) == (2, "error: output folder x is not empty; use --force\n")


def test_check_passing(run, fake_check, tmp_path: Path) -> None:
    result = run("synth", "--check", str(tmp_path))
    assert result.code == 0, result.err
    (call,) = fake_check.calls
    assert (call["directory"], call["profile"]) == (tmp_path, "auto")
    assert isinstance(call["progress"], RichProgress)
    # The share 0.55 is shown as a percentage, its tolerance 0.02 in percentage points.
    assert "55.0%" in result.out and "54.8%" in result.out and "±2.0 pp" in result.out
    assert "290,000" in result.out and "288,500" in result.out and "±5,000" in result.out
    assert "2 of 2 figures checked are within tolerance (profile auto)" in result.out
    assert "Calibration check passed" in result.out
    assert "FAIL" not in result.out and "too few" not in result.out


def test_check_failing_exits_1(run, fake_check, tmp_path: Path) -> None:
    row = fake_check.report.rows[1]
    fake_check.report.rows[1] = dataclasses.replace(
        row, measured=0.61, passed=False, note="too many opiate users"
    )
    fake_check.report.passed = False
    result = run("synth", "--check", str(tmp_path), "--tolerance-profile", "small")
    assert result.code == 1
    assert fake_check.calls[0]["profile"] == "small"
    assert "61.0%" in result.out and "FAIL" in result.out
    assert "too many opiate users" in result.out
    assert "1 of 2 figures checked are within tolerance (profile small)" in result.out
    assert "Calibration check FAILED: 1 figure checked is outside tolerance" in result.out
    assert result.err == ""


def test_a_figure_with_too_few_people_neither_passes_nor_fails(
    run, fake_check, tmp_path: Path
) -> None:
    row = fake_check.report.rows[1]
    note = "too few people to check (12 people: its standard error 14.1 pp is more than ...)"
    fake_check.report.rows[1] = dataclasses.replace(
        row, measured=0.20, passed=True, checked=False, note=note
    )
    result = run("synth", "--check", str(tmp_path))
    assert result.code == 0, result.err
    assert "too few" in result.out and "12 people" in result.out and "FAIL" not in result.out
    assert "1 of 1 figures checked are within tolerance" in result.out
    assert "1 had too few people to check" in result.out
    assert "Calibration check passed" in result.out


def test_check_keeps_its_data_in_a_new_data_dir(run, fake_check, tmp_path: Path) -> None:
    result = run("synth", "--check", str(tmp_path), "--data-dir", str(tmp_path / "kept"))
    assert result.code == 0, result.err
    assert fake_check.calls[0]["data_dir"] == tmp_path / "kept"
    # without --data-dir the library chooses (a temporary folder)
    assert run("synth", "--check", str(tmp_path)).code == 0
    assert fake_check.calls[1]["data_dir"] is None


def test_check_refuses_a_data_dir_that_is_not_empty(run, fake_check, tmp_path: Path) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "warehouse.duckdb").write_text("x")
    result = run("synth", "--check", str(tmp_path), "--data-dir", str(tmp_path / "used"))
    assert result.code == 2
    assert "is not empty" in " ".join(result.err.split())
    assert fake_check.calls == []


def test_check_refuses_build_options(run, fake_check, tmp_path: Path) -> None:
    result = run("synth", "--check", str(tmp_path), "--seed", "3", "--force")
    assert result.code == 2
    assert "cannot be combined with --seed, --force" in result.err
    assert fake_check.calls == []


def test_check_of_a_missing_folder_exits_2(run, fake_check) -> None:
    result = run("synth", "--check", "no-such-folder")
    assert result.code == 2
    assert "no-such-folder" in result.err
    assert fake_check.calls == []


def test_unknown_tolerance_profile_exits_2(run, fake_check, tmp_path: Path) -> None:
    result = run("synth", "--check", str(tmp_path), "--tolerance-profile", "huge")
    assert result.code == 2
    assert "huge" in result.err


def test_a_figure_not_measured_at_this_scale_is_counted_apart(
    run, fake_check, tmp_path: Path
) -> None:
    row = fake_check.report.rows[1]
    fake_check.report.rows[1] = dataclasses.replace(
        row, measured=float("nan"), checked=False,
        note="not measured at this scale (too few people per area)",
    )
    result = run("synth", "--check", str(tmp_path))
    assert result.code == 0, result.err
    assert "not measured" in result.out and "had too few" not in result.out
    assert "1 not measured at this scale" in result.out
