"""The NDTMS-style deterministic method (``sql/baseline.sql``), as a baseline for the models."""

from __future__ import annotations

import duckdb
import pandas as pd

from recoverylink.linkage.clustering import Clusters, connected_components
from recoverylink.linkage.sqlfiles import sql_block

CROSS_SOURCE_STEPS: tuple[tuple[str, str, bool], ...] = (
    ("treatment", "pnc", True),
    ("drug_tests", "pnc", True),
    ("drug_tests", "treatment", True),
    ("deaths", "treatment", False),
    ("deaths", "pnc", False),
)
"""(source, source, match on police force area too), in the order they are applied."""



def baseline_clusters(
    con: duckdb.DuckDBPyConnection, nodes: pd.DataFrame, rule_links: pd.DataFrame
) -> Clusters:
    """Clusters by the deterministic method: the sources' own links, treatment keys,
    then one-to-one key matches between sources, each step on the persons so far."""
    con.execute(sql_block("baseline", "keys"))
    treatment = con.execute(sql_block("baseline", "treatment_edges")).df()
    ids = nodes["unique_id"].to_numpy()
    links = pd.concat([rule_links[["node_l", "node_r"]], treatment], ignore_index=True)
    current = connected_components(ids, links)
    for left, right, with_area in CROSS_SOURCE_STEPS:
        components = pd.DataFrame({"node": list(current), "comp": list(current.values())})
        con.register("components", components)
        found = con.execute(sql_block("baseline", "one_to_one"), [left, right, with_area]).df()
        con.unregister("components")
        links = pd.concat([links, found[["node_l", "node_r"]]], ignore_index=True)
        current = connected_components(ids, links)
    return Clusters(cluster_of=current, joining_probability={})
