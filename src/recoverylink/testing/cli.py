"""Running ``recoverylink`` in the test process, with exactly the settings a test gives.

Every ``RECOVERYLINK_`` variable of the test process (and ``CI``) is set aside
for the call and put back after it, the terminal is wide so that tables do not
wrap, and standard output and error are captured.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CliRun:
    code: int
    out: str
    err: str


def run_cli(args: list[str | Path], env: Mapping[str, str], columns: int = 250) -> CliRun:
    """``recoverylink ARGS`` in-process with only ``env``'s RECOVERYLINK_ settings."""
    from recoverylink.cli.main import main

    saved = {k: v for k, v in os.environ.items() if k.startswith("RECOVERYLINK_") or k == "CI"}
    for name in saved:
        del os.environ[name]
    os.environ.update(env)
    width = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(columns)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(a) for a in args])
    finally:
        for name in [k for k in os.environ if k.startswith("RECOVERYLINK_")]:
            del os.environ[name]
        os.environ.update(saved)
        if width is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = width
    return CliRun(int(code), out.getvalue(), err.getvalue())
