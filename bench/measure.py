"""Run a command and measure its wall time and peak memory (the whole process tree)."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_rss_gib: float
    returncode: int


def _tree_rss(root: int) -> int:
    """Proportional set size (PSS) of ``root`` and all its descendants, in bytes.

    PSS splits pages shared between processes (a forked worker shares its parent's
    memory) among them, so the sum is the memory the tree really holds; summing
    RSS would count shared pages once per process.
    """
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            rollup = (entry / "smaps_rollup").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                rss[int(entry.name)] = int(line.split()[1]) * 1024
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def measure(
    cmd: list[str], interval: float = 0.25, env: dict[str, str] | None = None
) -> Measurement:
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})})
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(interval)
    return Measurement(time.monotonic() - start, peak / 2**30, proc.returncode)
