"""The real `recoverylink synth` command, end to end (no fakes): build, then check."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "recoverylink.cli.main", *args],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "CI": "true"},
    )


def test_synth_then_check(tmp_path: Path) -> None:
    out = tmp_path / "england"
    built = _run("synth", "--scale", "0.001", "--seed", "3", "--out", str(out))
    assert built.returncode == 0, built.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scale"] == 0.001 and manifest["seed"] == 3
    assert str(out) in built.stdout
    checked = _run("synth", "--check", str(out))
    # at a thousandth of England some figures may miss even the small tolerances;
    # either way every figure is printed and the exit code says which
    assert checked.returncode in (0, 1), checked.stderr
    assert "Reconviction" in checked.stdout  # the table wraps long figure names
    assert "figures checked are within tolerance" in checked.stdout
    # at this size some groups are too small for their tolerance (deaths: 1.6 expected)
    assert "had too few people to check" in checked.stdout


def test_synth_refuses_a_non_empty_folder_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("keep me")
    result = _run("synth", "--scale", "0.001", "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "not empty" in result.stderr and "--force" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]
