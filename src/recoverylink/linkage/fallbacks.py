"""Fallback parameters: what a model uses where this data cannot estimate a parameter.

EM and random sampling estimate each comparison level's m and u probabilities
from the data being linked. On data of another shape than synthetic England
some cannot be estimated: a level that never occurs among the pairs (no death
registration carries a postcode, no clerk ever swaps a day and a month), a
deterministic prior rule that finds no pairs, a level whose m falls towards 0
because true matches never disagree on it, or an input so small that every
estimate is noise. Then the parameter falls back to the **reference model**
shipped in ``reference_models/`` (trained by ``bench/reference_models.py`` on
synthetic England at scale 0.1, seed 2006), and the linkage report says which
parameters were estimated from this data and which were fallbacks.

The rules, per job (docs/linkage.md, "Fallbacks"):

- a level's m or u is *degenerate* when it is missing (never observed), or
  outside [``FLOOR``, 1 - ``FLOOR``] (0 or 1 to within float precision);
- a degenerate level takes the reference model's value, and the comparison's
  estimated levels are rescaled so that its m (or u) probabilities still sum
  to 1;
- u is taken wholly from the reference when the job has fewer than
  ``MIN_U_PAIRS`` possible pairs, and an EM pass is skipped when its blocking
  rule gives fewer than ``MIN_EM_PAIRS`` pairs (too few to estimate from);
- the prior (the probability that two random records match) falls back to the
  reference model's matches per record, scaled to this input's size, when the
  deterministic rules give 0, 1, or more matches than their recall allows.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any

from recoverylink.errors import RecoveryLinkError
from recoverylink.linkage.jobs import Job

FLOOR = 1e-9
"""An m or u below this (or above 1 minus this) counts as 0 (or 1): no level may
claim certainty from never having been seen."""
MIN_U_PAIRS = 10_000
"""Fewer possible pairs than this and u comes from the reference model: random
pairs of a tiny input are too few, and too often true matches, to estimate u."""
MIN_EM_PAIRS = 500
"""An EM pass on fewer pairs than this is skipped (Splink's guidance: a few hundred
at the very least)."""
PRIOR_BOUNDS = (1e-12, 0.5)
BOOTSTRAP_VALUE = 1e-6
"""Only while a new job's first reference model is trained (it has none yet): the
value of a parameter that needs a fallback, Splink's own for a level never seen."""
"""A fallback prior is kept within these bounds."""

ESTIMATED = "estimated"
REFERENCE = "reference"


class ReferenceModelError(RecoveryLinkError):
    """The shipped reference model is missing or does not fit a job's comparisons."""


@dataclass(frozen=True)
class ParameterSource:
    """Where one parameter of one job's model came from."""

    job: str
    comparison: str
    """A comparison's output column, or ``prior``."""
    level: str
    parameter: str
    """``m``, ``u`` or ``prior``."""
    value: float
    source: str
    """``estimated`` (from this data) or ``reference`` (the shipped fallback)."""
    reason: str = ""
    """Why a fallback was used; for an estimate rescaled to make room for one, by how much."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def reference_model(job: Job) -> dict[str, Any]:
    """The shipped reference model of ``job`` (Splink's model dict with our block).

    A job without one (only while a new job's first reference model is being
    trained by ``bench/reference_models.py``) gets an empty model: training
    then runs as it would, and stops with :class:`ReferenceModelError` only if
    it needs a fallback.
    """
    name = f"{job.name}.json"
    try:
        text = resources.files("recoverylink.linkage").joinpath(
            "reference_models", name).read_text("utf-8")
    except (FileNotFoundError, OSError):
        return {"comparisons": [], "recoverylink": {"job": job.name, "missing": name}}
    document: dict[str, Any] = json.loads(text)
    return document


def _level_key(comparison: dict[str, Any], level: dict[str, Any]) -> tuple[str, str]:
    return comparison["output_column_name"], level.get("label_for_charts", level["sql_condition"])


def reference_values(reference: dict[str, Any]) -> dict[tuple[str, str], dict[str, float]]:
    """``(comparison, level label)`` -> ``{"m": ..., "u": ...}`` of a reference model."""
    values: dict[tuple[str, str], dict[str, float]] = {}
    for comparison in reference.get("comparisons", []):
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            values[_level_key(comparison, level)] = {
                "m": float(level["m_probability"]), "u": float(level["u_probability"])}
    return values


def degenerate(value: Any) -> bool:
    """True for a missing probability, or one that is 0 or 1 to within ``FLOOR``."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return True
    return not (math.isfinite(value) and FLOOR <= value <= 1 - FLOOR)


def possible_pairs(job: Job, rows: dict[str, int]) -> int:
    """How many pairs of records ``job`` could compare, blocking aside."""
    left = rows[job.left]
    if job.right is None:
        return left * (left - 1) // 2
    return left * rows[job.right]


def fallback_prior(job: Job, reference: dict[str, Any], rows: dict[str, int]) -> float:
    """The prior implied by the reference model's matches per record, at these sizes.

    The reference model's prior times its possible pairs is the number of
    matching pairs it expected; divided by its smaller side, the matches per
    record. The same rate on this input's smaller side, over its possible pairs.
    """
    about = reference.get("recoverylink", {})
    if "missing" in about:
        raise ReferenceModelError(
            f"linkage job {job.name} needs a fallback prior and RecoveryLink has no reference "
            f"model for it ({about['missing']}): reinstall RecoveryLink")
    ref_rows = {k: int(v) for k, v in about.get("records", {}).items()}
    ref_pairs = possible_pairs(job, ref_rows)
    ref_side = min(ref_rows[s] for s in job.sources)
    per_record = float(reference["probability_two_random_records_match"]) * ref_pairs / ref_side
    pairs = possible_pairs(job, rows)
    side = min(rows[s] for s in job.sources)
    prior = per_record * side / pairs if pairs else PRIOR_BOUNDS[1]
    return min(max(prior, PRIOR_BOUNDS[0]), PRIOR_BOUNDS[1])


def sanitise(
    job: Job,
    model: dict[str, Any],
    reference: dict[str, Any],
    estimated: dict[tuple[str, str], dict[str, bool]],
    prior_source: tuple[str, str],
) -> tuple[dict[str, Any], list[ParameterSource]]:
    """``model`` with every degenerate or unestimated m and u replaced from ``reference``.

    ``estimated`` says, per ``(comparison, level)``, whether this run estimated
    its ``m`` and its ``u`` from the data (a level missing from it was not
    estimated at all). ``prior_source`` is the prior's (source, reason).
    Returns the new model and where each parameter came from.
    """
    ref = reference_values(reference)
    out = json.loads(json.dumps(model))
    sources = [ParameterSource(job.name, "prior", "two random records match", "prior",
                               float(out["probability_two_random_records_match"]),
                               prior_source[0], prior_source[1])]
    for comparison in out["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for parameter in ("m", "u"):
            sources.extend(_fill_comparison(job, comparison, levels, parameter, ref, estimated,
                                            "missing" in reference.get("recoverylink", {})))
    return out, sources


def _fill_comparison(
    job: Job,
    comparison: dict[str, Any],
    levels: list[dict[str, Any]],
    parameter: str,
    ref: dict[tuple[str, str], dict[str, float]],
    estimated: dict[tuple[str, str], dict[str, bool]],
    bootstrap: bool = False,
) -> list[ParameterSource]:
    column = f"{parameter}_probability"
    reasons: dict[int, str] = {}
    for i, level in enumerate(levels):
        key = _level_key(comparison, level)
        if key not in ref and bootstrap:
            ref[key] = {"m": BOOTSTRAP_VALUE, "u": BOOTSTRAP_VALUE}
        if key not in ref:
            raise ReferenceModelError(
                f"the reference model of linkage job {job.name} has no level {key[1]!r} of "
                f"comparison {key[0]}: retrain it with bench/reference_models.py"
            )
        value = level.get(column)
        if not estimated.get(key, {}).get(parameter, False):
            reasons[i] = "not estimated from this data"
        elif degenerate(value):
            reasons[i] = f"estimate {value!r} is 0 or 1"
    fallback_total = sum(ref[_level_key(comparison, levels[i])][parameter] for i in reasons)
    kept = [i for i in range(len(levels)) if i not in reasons]
    kept_total = sum(float(levels[i][column]) for i in kept)
    scale = (1 - fallback_total) / kept_total if kept and kept_total > 0 else 1.0
    if kept and (scale <= 0 or not math.isfinite(scale)):
        # the fallbacks alone fill the distribution: take the whole comparison from the reference
        for i in kept:
            reasons[i] = "rescaling the estimates around fallbacks left no room"
        kept, scale = [], 1.0
    out = []
    for i, level in enumerate(levels):
        key = _level_key(comparison, level)
        if i in reasons:
            level[column] = ref[key][parameter]
            out.append(ParameterSource(job.name, key[0], key[1], parameter, level[column],
                                       REFERENCE, reasons[i]))
        else:
            level[column] = float(level[column]) * (scale if reasons else 1.0)
            note = f"rescaled by {scale:.4g} around the fallbacks" if reasons else ""
            out.append(ParameterSource(job.name, key[0], key[1], parameter, level[column],
                                       ESTIMATED, note))
    return out


def with_reference_u(settings: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    """``settings`` with each level's u set to the reference model's, as a starting value.

    Random sampling replaces it wherever it observes the level; a level it never
    observes (or a job too small to sample) keeps the reference value, so EM
    always has a u to work with.
    """
    ref = reference_values(reference)
    out = json.loads(json.dumps(settings))
    for comparison in out["comparisons"]:
        for level in comparison["comparison_levels"]:
            key = _level_key(comparison, level)
            if not level.get("is_null_level") and key in ref:
                level["u_probability"] = ref[key]["u"]
    return out
