"""Scores against a truth file, on a case small enough to count by hand."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from recoverylink.linkage.scoring import TruthError, load_truth, score


def test_pairwise_and_cluster_scores_counted_by_hand(tmp_path: Path) -> None:
    truth = tmp_path / "truth"
    truth.mkdir()
    (truth / "records.csv").write_text(
        "source,key,person\n"
        "treatment,P1|E1,A\ntreatment,P2|E2,A\ntreatment,P1|E3,B\n"
        "pnc,01/000001A,A\npnc,01/000002B,B\n"
        "deaths,R1,C\n",
        "utf-8",
    )
    assigned = pd.DataFrame(
        [
            ("splink", "treatment", "P1|E1", 1), ("splink", "treatment", "P2|E2", 1),
            ("splink", "treatment", "P1|E3", 2), ("splink", "pnc", "01/000001A", 1),
            ("splink", "pnc", "01/000002B", 3), ("splink", "deaths", "R1", 4),
        ],
        columns=["method", "source", "key", "cluster"],
    )
    con = duckdb.connect()
    assert load_truth(con, truth) == 6
    scores = {(s.source_a, s.source_b, s.scope): s for s in score(con, assigned)}

    # treatment with itself: the one true pair (E1, E2) is found, nothing else linked
    dedupe = scores["treatment", "treatment", "all"]
    assert (dedupe.predicted, dedupe.actual, dedupe.true_positive) == (1, 1, 1)
    # the pair is across two providers
    across = scores["treatment", "treatment", "across providers"]
    assert (across.predicted, across.actual, across.true_positive) == (1, 1, 1)

    # treatment with PNC: true pairs E1-1A, E2-1A, E3-2B; found E1-1A and E2-1A
    cross = scores["treatment", "pnc", "all"]
    assert (cross.predicted, cross.actual, cross.true_positive) == (2, 3, 2)
    assert cross.precision == 1.0
    assert cross.recall == pytest.approx(2 / 3)
    assert cross.f1 == pytest.approx(2 * (2 / 3) / (1 + 2 / 3))
    # clusters of treatment and PNC keys: {E1, E2, 1A} {E3} {2B}; persons A and B;
    # only the first is exactly a person
    assert (cross.clusters, cross.persons, cross.exact_clusters) == (3, 2, 1)
    assert cross.cluster_precision == pytest.approx(1 / 3)
    assert cross.cluster_recall == pytest.approx(1 / 2)

    # the death is alone, truly and as linked: no pairs, one exact cluster of its own
    deaths = scores["deaths", "treatment", "all"]
    assert (deaths.predicted, deaths.actual, deaths.true_positive) == (0, 0, 0)
    assert (deaths.precision, deaths.recall) == (1.0, 1.0)


def test_a_truth_folder_without_records_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TruthError, match=r"no records\.csv"):
        load_truth(duckdb.connect(), tmp_path)


def test_a_key_with_several_records_is_in_its_smallest_cluster(tmp_path: Path) -> None:
    (tmp_path / "records.csv").write_text(
        "source,key,person\ntreatment,P1|E1,A\ntreatment,P2|E2,A\ndeaths,R1,C\n", "utf-8"
    )
    # episode E1 was sent twice and its two records went to clusters 5 and 1
    assigned = pd.DataFrame(
        [
            ("splink", "treatment", "P1|E1", 5), ("splink", "treatment", "P1|E1", 1),
            ("splink", "treatment", "P2|E2", 1), ("splink", "deaths", "R1", 9),
        ],
        columns=["method", "source", "key", "cluster"],
    )
    con = duckdb.connect()
    load_truth(con, tmp_path)
    scores = {(s.source_a, s.source_b, s.scope): s for s in score(con, assigned)}
    # in cluster 1, E1 and E2 are the one true pair, found
    dedupe = scores["treatment", "treatment", "all"]
    assert (dedupe.predicted, dedupe.actual, dedupe.true_positive) == (1, 1, 1)
    # the lone death is in no pair but is still an exact cluster of its own:
    # clusters {E1, E2} and {R1}, persons A and C, both exact
    anyone = scores["deaths", "any", "all"]
    assert (anyone.predicted, anyone.actual, anyone.true_positive) == (0, 0, 0)
    assert (anyone.clusters, anyone.persons, anyone.exact_clusters) == (2, 2, 2)
