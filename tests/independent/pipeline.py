"""Running RecoveryLink on the independent generator's data, and scoring what it linked.

``run_pipeline`` generates a scenario, then ``recoverylink run`` takes its folder
from raw files to the publication in-process; ``pairwise_f1`` scores the
person map (``recoverylink link export-map``) against the generator's own
truth, counted here from scratch (pairs of keys put in one person), not with
the linkage's scoring code.
"""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from independent.generator import GeneratedData, Scenario, generate
from recoverylink.testing.cli import CliRun, run_cli

KEY = "independent-pipeline-" + "9f" * 16


@dataclass(frozen=True)
class PipelineRun:
    data: GeneratedData
    data_dir: Path
    run: CliRun

    @property
    def published(self) -> Path:
        return self.data_dir / "publish" / "publication.duckdb"


def cli(*args: str | Path) -> CliRun:
    """``recoverylink ARGS`` in this process, with the test key."""
    return run_cli(list(args), {"RECOVERYLINK_PSEUDONYM_KEY": KEY})


def run_pipeline(scenario: Scenario, root: Path) -> PipelineRun:
    data = generate(scenario, root / "in")
    data_dir = root / "data"
    outcome = cli("run", root / "in", "--data-dir", data_dir, "--truth", data.truth_csv.parent)
    return PipelineRun(data, data_dir, outcome)


def person_map(data_dir: Path, out: Path) -> dict[tuple[str, str], str]:
    result = cli("link", "export-map", "--data-dir", data_dir, "--out", out)
    assert result.code == 0, result.err
    with out.open(newline="", encoding="utf-8") as handle:
        return {(r["source"], r["key"]): r["person_id"] for r in csv.DictReader(handle)}


def _pairs(groups: dict[str, list[tuple[str, str]]], a: str, b: str) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for members in groups.values():
        left = sorted(k for s, k in members if s == a)
        if a == b:
            pairs.update(itertools.combinations(left, 2))
        else:
            pairs.update(itertools.product(left, sorted(k for s, k in members if s == b)))
    return pairs


@dataclass(frozen=True)
class PairScore:
    predicted: int
    actual: int
    true_positive: int

    @property
    def f1(self) -> float:
        if not self.predicted and not self.actual:
            return 1.0
        return 2 * self.true_positive / (self.predicted + self.actual)


def pairwise(
    linked: dict[tuple[str, str], str], truth: dict[tuple[str, str], str], a: str, b: str
) -> PairScore:
    """Pairs of keys of sources ``a`` and ``b`` (one of each; two of ``a`` when ``b`` is
    ``a``) in one person as linked, and in one person in truth. Keys the run did not
    link at all (non-consenting episodes) are left out of both."""
    keys = [k for k in truth if k in linked and k[0] in (a, b)]
    as_linked: dict[str, list[tuple[str, str]]] = defaultdict(list)
    as_true: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in keys:
        as_linked[linked[key]].append(key)
        as_true[truth[key]].append(key)
    predicted, actual = _pairs(as_linked, a, b), _pairs(as_true, a, b)
    return PairScore(len(predicted), len(actual), len(predicted & actual))


def deaths_any(linked: dict[tuple[str, str], str], truth: dict[tuple[str, str], str]) -> PairScore:
    """A death with every record of another source: the pairs summed over the sources."""
    scores = [pairwise(linked, truth, "deaths", s) for s in ("treatment", "pnc", "drug_tests")]
    return PairScore(*(sum(getattr(s, f) for s in scores)
                       for f in ("predicted", "actual", "true_positive")))


def truth_map(data: GeneratedData) -> dict[tuple[str, str], str]:
    with data.truth_csv.open(newline="", encoding="utf-8") as handle:
        return {(r["source"], r["key"]): r["person"] for r in csv.DictReader(handle)}
