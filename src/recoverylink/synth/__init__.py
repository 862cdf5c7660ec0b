"""Synthetic England: a calibrated synthetic population with ground truth.

``generate`` writes treatment submissions, the PNC extract, drug tests on arrest,
death registrations and reference data exactly in the formats of the data
specification, plus a ``truth/`` folder the pipeline never reads.
"""

from __future__ import annotations

from pathlib import Path

from recoverylink.progress import NULL_PROGRESS, Progress
from recoverylink.synth.output import check_arguments, generate_into

__all__ = ["generate"]


def generate(
    out_dir: Path,
    scale: float,
    seed: int,
    force: bool = False,
    progress: Progress = NULL_PROGRESS,
    params: dict[str, object] | None = None,
    workers: int = 2,
) -> dict[str, int]:
    """Generate synthetic England into ``out_dir``; returns counts of what was written.

    Raises ``SynthArgumentError`` before writing anything when the arguments are
    nonsense (scale not positive, negative seed, an unwritable folder, or an
    existing non-empty folder without ``force``).
    """
    from recoverylink.synth.params import make_params

    p = make_params(params)
    out = check_arguments(Path(out_dir), scale, seed, force)
    return generate_into(out, scale, seed, p, progress, workers)
