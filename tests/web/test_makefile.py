"""`make demo` runs the whole pipeline, then serves the site; the setup installs its needs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def dry_run(*args: str) -> str:
    return subprocess.run(
        ["make", "-n", "-C", str(REPO), *args], capture_output=True, text=True, check=True
    ).stdout


def test_demo_generates_checks_runs_every_step_then_serves() -> None:
    text = dry_run("demo", "DEMO_DIR=/tmp/rl-demo-dry-run")
    text = text[text.index("==> [1/5]"):]  # the demo's own steps, after the setup
    build, serving = text.split("\nif ", 1)
    commands = re.findall(r"\.venv/bin/recoverylink (\w+)", build)
    assert commands == ["synth", "synth", "run"]
    assert "recoverylink synth --scale 0.01 --seed 2006 --out /tmp/rl-demo-dry-run/synth" in build
    assert "recoverylink synth --check /tmp/rl-demo-dry-run/synth" in build
    # one command from the raw files to the publication, with the truth and the scale
    start = build.index(".venv/bin/recoverylink run")
    run = " ".join(build[start:].split("\\\n")).split("\n")[0].removeprefix(".venv/bin/")
    assert re.fullmatch(r"recoverylink run /tmp/rl-demo-dry-run/synth --data-dir "
                        r"/tmp/rl-demo-dry-run/data\s+--truth /tmp/rl-demo-dry-run/synth/truth "
                        r"--population-scale 0\.01", run.strip()), run
    # with a throwaway key unless one is set
    assert 'RECOVERYLINK_PSEUDONYM_KEY="${RECOVERYLINK_PSEUDONYM_KEY:-demo-' in build
    assert serving.startswith('[ -n "" ]')  # NO_SERVE not set: the else branch serves
    else_branch = serving.split("else", 1)[1]
    assert re.search(r"^\s*\.venv/bin/recoverylink serve --data-dir /tmp/rl-demo-dry-run/data "
                     r"--host 127\.0\.0\.1 --port 8000", else_branch, re.M)


def test_no_serve_stops_after_building() -> None:
    text = dry_run("demo", "NO_SERVE=1")
    serving = text[text.index("==> [1/5]"):].split("\nif ", 1)[1]
    condition, then_branch = serving.split("; then", 1)
    assert condition == '[ -n "1" ] && [ "1" != "0" ]'
    then_branch = then_branch.split("else", 1)[0]
    # with NO_SERVE set the shell only says how to serve it: nothing is run
    commands = [line.strip() for line in then_branch.splitlines() if line.strip(" \t\\")]
    assert commands and all(c.startswith("echo ") for c in commands), commands


def test_setup_installs_chromium_and_npm_packages() -> None:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "apt-get update" in text and "apt-get install -y" in text
    assert "[ -x $(CHROMIUM) ] || missing=\"$$missing chromium\"" in text
    assert re.search(r"^\$\(NPM_STAMP\): package\.json package-lock\.json \| system$", text, re.M)
    assert "npm ci" in text
    assert re.search(r"^venv: \$\(STAMP\) \$\(NPM_STAMP\) system$", text, re.M)
    assert re.search(r"^test: venv$", text, re.M) and re.search(r"^demo: venv$", text, re.M)
