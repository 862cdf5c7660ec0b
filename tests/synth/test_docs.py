"""docs/synthetic-england.md lists every behaviour parameter with its current default."""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

from recoverylink.synth.params import SynthParams

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from synth_params_table import format_default  # noqa: E402


def test_every_parameter_is_documented_with_its_default() -> None:
    text = (ROOT / "docs" / "synthetic-england.md").read_text()
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]*) \|", text, flags=re.M))
    defaults = SynthParams()
    names = [f.name for f in dataclasses.fields(SynthParams)]
    assert sorted(rows) == sorted(names)
    for name in names:
        assert rows[name].strip() == format_default(getattr(defaults, name)), name


def test_every_parameter_has_a_meaning() -> None:
    text = (ROOT / "docs" / "synthetic-england.md").read_text()
    for name, meaning in re.findall(r"^\| `(\w+)` \| [^|]* \| ([^|]*) \|", text, flags=re.M):
        assert meaning.strip(), f"{name} has no explanation"
