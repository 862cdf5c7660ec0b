"""The NDTMS-style deterministic method (``sql/baseline.sql``), as a baseline for the models."""

from __future__ import annotations

import duckdb
import pandas as pd

from recoverylink.linkage.clustering import Clusters, SourceRules, cluster
from recoverylink.linkage.sqlfiles import sql_block

CROSS_SOURCE_STEPS: tuple[tuple[str, str, bool], ...] = (
    ("treatment", "pnc", True),
    ("drug_tests", "pnc", True),
    ("drug_tests", "treatment", True),
    ("deaths", "treatment", False),
    ("deaths", "pnc", False),
)
"""(source, source, match on police force area too), in the order they are applied."""

_NO_RULES = SourceRules(strong_pnc_probability=0.0, max_deaths=10**9)


def baseline_clusters(
    con: duckdb.DuckDBPyConnection, nodes: pd.DataFrame, rule_links: pd.DataFrame
) -> Clusters:
    """Clusters by the deterministic method: the sources' own links, treatment keys,
    then one-to-one key matches between sources, each step on the persons so far."""
    con.execute(sql_block("baseline", "keys"))
    treatment = con.execute(sql_block("baseline", "treatment_edges")).df()
    links = _as_links(pd.concat([rule_links[["node_l", "node_r"]], treatment]))
    current = cluster(nodes, links, _NO_RULES)
    for left, right, with_area in CROSS_SOURCE_STEPS:
        components = pd.DataFrame(
            {"node": list(current.cluster_of), "comp": list(current.cluster_of.values())}
        )
        con.register("components", components)
        found = con.execute(sql_block("baseline", "one_to_one"), [left, right, with_area]).df()
        con.unregister("components")
        links = _as_links(pd.concat([links[["node_l", "node_r"]], found]))
        current = cluster(nodes, links, _NO_RULES)
    return current


def _as_links(pairs: pd.DataFrame) -> pd.DataFrame:
    out = pairs[["node_l", "node_r"]].astype("int64").drop_duplicates().reset_index(drop=True)
    out["match_probability"] = 1.0
    out["priority"] = 0
    return out
