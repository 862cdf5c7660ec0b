"""A store held open by another process: one line saying so, not an unexpected error."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb

from recoverylink.cli.errors import error_line
from recoverylink.cli.main import main


def test_a_store_another_process_writes_is_reported_as_busy(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    for name in ("warehouse.duckdb", "identity.duckdb"):
        duckdb.connect(str(tmp_path / name)).close()
    ready = tmp_path / "ready"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, pathlib, sys, time\n"
         f"con = duckdb.connect({str(tmp_path / 'identity.duckdb')!r})\n"
         f"pathlib.Path({str(ready)!r}).write_text('x')\n"
         "time.sleep(60)\n"],
    )
    try:
        for _ in range(200):
            if ready.exists():
                break
            time.sleep(0.05)
        monkeypatch.setenv("RECOVERYLINK_PSEUDONYM_KEY", "busy-test-key-" + "7" * 40)
        code = main(["link", "--data-dir", str(tmp_path)])
        err = capsys.readouterr().err.strip().splitlines()
    finally:
        holder.kill()
        holder.wait()
    assert code == 1
    assert err == [
        f"error: {tmp_path / 'identity.duckdb'} is in use by another process "
        f"(PID {holder.pid}), most likely another recoverylink command: wait for it to "
        "finish, then run this again"
    ]


def test_other_errors_are_unchanged() -> None:
    assert error_line(OSError("disk on fire")) == (
        "error: unexpected OSError: disk on fire (run with --debug to see the traceback)"
    )
