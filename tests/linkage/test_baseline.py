"""The NDTMS-style deterministic baseline on a handful of records worked through by hand."""

from __future__ import annotations

import duckdb
import pandas as pd

from recoverylink.linkage.baseline import baseline_clusters

COLUMNS = ["unique_id", "source", "first_initial", "last_initial", "dob", "sex",
           "police_force", "local_authority"]
ROWS = [
    (1, "treatment", "J", "S", "1980-01-01", "male", "F1", "LA1"),
    (2, "treatment", "J", "S", "1980-01-01", "male", "F1", "LA1"),  # same key and LA as 1
    (3, "treatment", "J", "S", "1980-01-01", "male", "F1", "LA2"),  # another LA: another client
    (10, "pnc", "J", "S", "1980-01-01", "male", "F1", None),  # matches both: ambiguous
    (4, "treatment", "A", "B", "1970-05-05", "female", "F2", "LA3"),
    (11, "pnc", "A", "B", "1970-05-05", "female", "F2", None),  # one-to-one with 4
    (12, "pnc", "A", "B", "1970-05-05", "female", "F3", None),  # another force: no match
    (20, "deaths", "A", "B", "1970-05-05", "female", None, None),
    (5, "treatment", None, "B", "1970-05-05", "female", "F2", "LA3"),  # no key: alone
]


def test_baseline_keeps_only_one_to_one_matches() -> None:
    con = duckdb.connect()
    con.register("frame", pd.DataFrame(ROWS, columns=COLUMNS))
    con.execute("CREATE TABLE link_nodes AS SELECT * FROM frame")
    nodes = pd.DataFrame({"unique_id": [r[0] for r in ROWS]})
    no_rules = pd.DataFrame({"node_l": pd.Series(dtype="int64"),
                             "node_r": pd.Series(dtype="int64")})
    clusters = baseline_clusters(con, nodes, no_rules)
    groups: dict[int, set[int]] = {}
    for node, c in clusters.cluster_of.items():
        groups.setdefault(c, set()).add(node)
    # 1 and 2 share key and local authority; 10 matches persons {1, 2} and {3}: dropped;
    # 4-11 one-to-one on key and force; death 20 then matches person {4, 11} only;
    # against the PNC it would match 11 (already its person) and 12: not one-to-one
    assert sorted(sorted(g) for g in groups.values()) == [
        [1, 2], [3], [4, 11, 20], [5], [10], [12]
    ]
