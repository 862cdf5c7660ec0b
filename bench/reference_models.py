"""Train the reference linkage models shipped in ``src/recoverylink/linkage/reference_models``.

The reference models supply every parameter a linkage run cannot estimate
from its own data (docs/linkage.md, "Fallbacks"). They are trained on
synthetic England at scale 0.1, seed 2006: generated, loaded and linked here
(or taken from a linkage run's ``models/current`` with ``--from-models``),
then smoothed and copied into the package:

- each comparison's m probabilities get a pseudo-count of ``M_SMOOTHING``
  per level and are renormalised, because synthetic England never makes some
  errors real clerks make (its deaths and PNC records never disagree on sex,
  so its m for that level is about 1e-15: a reference that says "never" would
  make real data's rare disagreement all but impossible to link);
- u probabilities are kept as sampled (every level is observed in 5 million
  random pairs at scale 0.1).

    .venv/bin/python bench/reference_models.py                 # about 5 minutes
    .venv/bin/python bench/reference_models.py --from-models DATA/linkage/models/current
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "recoverylink" / "linkage" / "reference_models"
CLI = str(Path(sys.executable).with_name("recoverylink"))
M_SMOOTHING = 1e-4


def smooth(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with each comparison's m probabilities smoothed by ``M_SMOOTHING``."""
    out = json.loads(json.dumps(document))
    for comparison in out["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        total = sum(float(lv["m_probability"]) for lv in levels) + M_SMOOTHING * len(levels)
        for level in levels:
            level["m_probability"] = (float(level["m_probability"]) + M_SMOOTHING) / total
    out["recoverylink"]["reference"] = (
        f"trained on synthetic England; m smoothed with a pseudo-count of {M_SMOOTHING} per level "
        "(bench/reference_models.py)")
    out["recoverylink"].pop("parameter_sources", None)
    out["recoverylink"].pop("notes", None)
    return out


def train(work: Path, scale: float, seed: int) -> Path:
    synth, data = work / "synth", work / "data"
    env = {**os.environ}
    env.setdefault("RECOVERYLINK_PSEUDONYM_KEY", secrets.token_hex(24))
    if not (synth / "manifest.json").exists():
        subprocess.run([CLI, "synth", "--scale", str(scale), "--seed", str(seed),
                        "--out", str(synth), "--force"], check=True, env=env)
    if not (data / "warehouse.duckdb").exists():
        subprocess.run([CLI, "ingest", str(synth), "--data-dir", str(data)], check=True, env=env)
    subprocess.run([CLI, "link", "--data-dir", str(data), "--truth", str(synth / "truth")],
                   check=True, env=env)
    return data / "linkage" / "models" / "current"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=2006)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "output" / "reference")
    parser.add_argument("--from-models", type=Path, default=None,
                        help="smooth and copy these trained models instead of training")
    args = parser.parse_args()
    models = args.from_models or train(args.work, args.scale, args.seed)
    TARGET.mkdir(parents=True, exist_ok=True)
    for path in sorted(models.glob("*.json")):
        document = smooth(json.loads(path.read_text("utf-8")))
        (TARGET / path.name).write_text(json.dumps(document, indent=2) + "\n", "utf-8")
        print(f"{path.name}: written to {TARGET / path.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
