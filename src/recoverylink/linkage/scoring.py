"""Scoring a linkage against ground truth (``truth/records.csv``), per pair of sources.

The SQL is in ``sql/scoring.sql``; this module loads the truth, runs it for
each source pair and method, and turns counts into precision, recall and F1.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pandas as pd

from recoverylink.errors import InputError
from recoverylink.linkage.sqlfiles import sql_block

SOURCE_PAIRS: tuple[tuple[str, str], ...] = (
    ("treatment", "treatment"),
    ("treatment", "pnc"),
    ("drug_tests", "pnc"),
    ("drug_tests", "treatment"),
    ("deaths", "treatment"),
    ("deaths", "pnc"),
    ("deaths", "drug_tests"),
    ("deaths", "*"),
)
"""Pairs of sources scored; ``*`` stands for every other source together."""
TRUTH_COLUMNS = ("source", "key", "person")


class TruthError(InputError):
    """A truth folder without a readable ``records.csv`` of the expected columns."""


@dataclass(frozen=True)
class Score:
    method: str
    source_a: str
    source_b: str
    scope: str
    """``all`` pairs, or ``across providers`` (treatment pairs at two providers)."""
    predicted: int
    actual: int
    true_positive: int
    clusters: int | None
    persons: int | None
    exact_clusters: int | None

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.actual if self.actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def cluster_precision(self) -> float | None:
        if self.clusters is None or self.exact_clusters is None:
            return None
        return self.exact_clusters / self.clusters if self.clusters else 1.0

    @property
    def cluster_recall(self) -> float | None:
        if self.persons is None or self.exact_clusters is None:
            return None
        return self.exact_clusters / self.persons if self.persons else 1.0

    def as_row(self) -> dict[str, object]:
        row: dict[str, object] = asdict(self)
        row.update(
            precision=self.precision,
            recall=self.recall,
            f1=self.f1,
            cluster_precision=self.cluster_precision,
            cluster_recall=self.cluster_recall,
        )
        return row


def truth_file(truth_dir: Path) -> Path:
    """``records.csv`` in ``truth_dir`` (or in its ``truth/`` folder)."""
    for path in (truth_dir / "records.csv", truth_dir / "truth" / "records.csv"):
        if path.is_file():
            return path
    raise TruthError(f"no records.csv in {truth_dir} (nor in {truth_dir / 'truth'})")


def load_truth(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> int:
    path = truth_file(truth_dir)
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE truth AS SELECT source, key, person "
            "FROM read_csv(?, header = true, all_varchar = true)",
            [str(path)],
        )
    except duckdb.Error as err:
        raise TruthError(
            f"{path} must be a CSV with columns {', '.join(TRUTH_COLUMNS)}: {err}"
        ) from None
    return int(con.execute("SELECT count(*) FROM truth").fetchall()[0][0])


def score(con: duckdb.DuckDBPyConnection, assigned: pd.DataFrame) -> list[Score]:
    """Scores of ``assigned`` (method, source, key, cluster) against the loaded ``truth``.

    ``assigned`` may have several rows of one key (its records): the key is
    in the smallest of their clusters.
    """
    con.register("assigned", assigned)
    try:
        con.execute(sql_block("scoring", "cells"))
        con.execute(sql_block("scoring", "paired"))
        scores: list[Score] = []
        for a, b in SOURCE_PAIRS:
            pairwise = con.execute(sql_block("scoring", "pairwise"), [a, b]).df()
            clusters = con.execute(sql_block("scoring", "clusters"), [a, b]).df()
            by_method = {str(r["method"]): r for r in clusters.to_dict("records")}
            for row in pairwise.itertuples(index=False):
                c = by_method.get(str(row.method))
                scores.append(
                    Score(
                        str(row.method), a, "any" if b == "*" else b, "all",
                        _int(row.predicted), _int(row.actual), _int(row.true_positive),
                        _int(c["clusters"]) if c is not None else None,
                        _int(c["persons"]) if c is not None else None,
                        _int(c["exact"]) if c is not None else None,
                    )
                )
                if a == b == "treatment":
                    scores.append(
                        Score(
                            str(row.method), a, b, "across providers",
                            _int(row.predicted) - _int(row.predicted_within_part),
                            _int(row.actual) - _int(row.actual_within_part),
                            _int(row.true_positive) - _int(row.true_positive_within_part),
                            None, None, None,
                        )
                    )
        return scores
    finally:
        con.unregister("assigned")


def _int(value: object) -> int:
    return 0 if value is None or pd.isna(value) else int(value)  # type: ignore[call-overload]


def scores_frame(scores: list[Score]) -> pd.DataFrame:
    return pd.DataFrame([s.as_row() for s in scores])
