"""Print the markdown table of synth parameters for docs/synthetic-england.md.

    .venv/bin/python scripts/synth_params_table.py

The descriptions are the comments beside each field in
``src/recoverylink/synth/params.py``; tests check the table matches the code.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from recoverylink.synth.params import SynthParams

SOURCE = Path(__file__).resolve().parents[1] / "src" / "recoverylink" / "synth" / "params.py"


def format_default(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def comments() -> dict[str, str]:
    out: dict[str, str] = {}
    section = ""
    pending: list[str] = []
    for line in SOURCE.read_text().splitlines():
        s = line.strip()
        if s.startswith("# ---"):
            section = s.strip("# -")
            pending = []
            continue
        if s.startswith("#"):
            pending.append(s.lstrip("# "))
            continue
        m = re.match(r"(\w+): [^=]+=[^#]*(#\s*(.*))?$", s)
        if m and m.group(1) in {f.name for f in dataclasses.fields(SynthParams)}:
            text = "; ".join(t for t in (" ".join(pending), m.group(3) or "") if t.strip())
            out[m.group(1)] = f"{section}: {text}" if text else section
            pending = []
        elif not s.startswith(("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ")")):
            pending = []
    return out


def table() -> str:
    notes = comments()
    rows = ["| parameter | default | meaning |", "|---|---|---|"]
    for f in dataclasses.fields(SynthParams):
        if f.name == "extra":
            continue
        value = getattr(SynthParams(), f.name)
        rows.append(f"| `{f.name}` | {format_default(value)} | {notes.get(f.name, '')} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
