"""Clustering under the source rules, on graphs small enough to work out by hand."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from recoverylink.linkage import clustering, names, person_map
from recoverylink.linkage.clustering import SourceRules, cluster, connected_components


def nodes(*rows: tuple[int, int, int]) -> pd.DataFrame:
    """(unique_id, is_death, nominal) rows."""
    return pd.DataFrame(rows, columns=["unique_id", "is_death", "nominal"])


def links(*rows: tuple[int, int, float]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["node_l", "node_r", "match_probability"])
    frame["priority"] = 2
    return frame


def groups(result: clustering.Clusters) -> list[list[int]]:
    by_cluster: dict[int, list[int]] = {}
    for node, c in result.cluster_of.items():
        by_cluster.setdefault(c, []).append(node)
    return sorted(sorted(g) for g in by_cluster.values())


def test_a_death_goes_to_the_person_it_matches_best() -> None:
    # death 9 matches treatment nodes 1 (0.95) and 2 (0.99); death 8 matches 2 (0.97)
    result = cluster(
        nodes((1, 0, 0), (2, 0, 0), (9, 1, 0), (8, 1, 0)),
        links((1, 9, 0.95), (2, 9, 0.99), (2, 8, 0.97)),
        SourceRules(),
    )
    # 2-9 (0.99) first; 2-8 would put two deaths together: refused; 1-9 joins 1 to 2's person
    assert groups(result) == [[1, 2, 9], [8]]
    assert result.refused[["node_l", "node_r", "refused_by"]].values.tolist() == [
        [2, 8, "two deaths"]
    ]


def test_two_nominals_need_strong_evidence() -> None:
    rules = SourceRules(strong_pnc_probability=0.999)
    # treatment 1 links to nominal 5 (0.98) and nominal 6 (0.95)
    result = cluster(
        nodes((1, 0, 0), (5, 0, 5), (6, 0, 6)), links((1, 5, 0.98), (1, 6, 0.95)), rules
    )
    assert groups(result) == [[1, 5], [6]]
    strong = cluster(
        nodes((1, 0, 0), (5, 0, 5), (6, 0, 6)), links((1, 5, 0.9995), (1, 6, 0.9991)), rules
    )
    assert groups(strong) == [[1, 5, 6]]


def test_an_alias_is_the_same_nominal() -> None:
    # alias 7 of nominal 5 (both nominal 5): linking them is never refused
    result = cluster(nodes((5, 0, 5), (7, 0, 5), (1, 0, 0)), links((5, 7, 1.0), (1, 7, 0.9)),
                     SourceRules())
    assert groups(result) == [[1, 5, 7]]


def test_a_rejected_pair_is_never_joined_even_through_others() -> None:
    rejected = pd.DataFrame({"node_l": [1], "node_r": [3]})
    result = cluster(
        nodes((1, 0, 0), (2, 0, 0), (3, 0, 0)),
        links((1, 2, 0.99), (2, 3, 0.98)),
        SourceRules(),
        rejected,
    )
    assert groups(result) == [[1, 2], [3]]
    assert result.refused["refused_by"].tolist() == ["rejected in review"]


def test_joining_probability_is_the_strongest_accepted_link() -> None:
    result = cluster(
        nodes((1, 0, 0), (2, 0, 0), (3, 0, 0), (4, 0, 0)),
        links((1, 2, 0.91), (2, 3, 0.97), (1, 3, 0.85)),
        SourceRules(),
    )
    assert result.joining_probability == {1: 0.91, 2: 0.97, 3: 0.97}
    assert 4 not in result.joining_probability


def test_connected_components_without_rules() -> None:
    pairs = pd.DataFrame({"node_l": [10, 30, 40, 99], "node_r": [20, 40, 50, 100]})
    found = connected_components(np.array([50, 40, 30, 20, 10, 60]), pairs)
    assert found == {10: 10, 20: 10, 30: 30, 40: 30, 50: 30, 60: 60}


@pytest.mark.parametrize("module", [clustering, names, person_map])
def test_doctests(module: object) -> None:
    failures, tried = doctest.testmod(module)  # type: ignore[arg-type]
    assert tried > 0 and failures == 0
