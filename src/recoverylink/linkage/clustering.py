"""Clustering links into persons, respecting what the sources say about themselves.

Links are taken strongest first (rule links, then reviewed accepts, then model
links by falling match probability) and each joins the two groups it touches
unless that would break a source rule:

- a death registration belongs to at most one person, so a group never holds
  two deaths;
- two PNC nominals are one person only on strong evidence: a link that would
  put two nominals in one group is taken only if its probability is at least
  ``strong_pnc_probability``;
- a pair rejected in clerical review is never put in one group.

Taking links in order of strength means a death, or a nominal, ends up with the
person it matches best. The result does not depend on the engine: it is
computed here from the links, in a fixed order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class SourceRules:
    strong_pnc_probability: float = 0.9999
    max_deaths: int = 1


@dataclass
class Clusters:
    cluster_of: dict[int, int]
    """Node id -> cluster id (the smallest node id in the cluster)."""
    joining_probability: dict[int, float]
    """Node id -> probability of the strongest accepted link it has to its cluster."""
    refused: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The links the source rules refused, with the rule that refused each."""


class _Groups:
    """Union-find over node positions, with what each group holds."""

    def __init__(self, nodes: pd.DataFrame, rules: SourceRules) -> None:
        self.rules = rules
        self.parent = np.arange(len(nodes))
        self.deaths = nodes["is_death"].to_numpy(dtype=np.int64).copy()
        self.nominals: list[frozenset[int]] = [
            frozenset([int(v)]) if v else frozenset() for v in nodes["nominal"].to_numpy()
        ]
        self.banned: dict[int, set[int]] = {}

    def ban(self, a: int, b: int) -> None:
        self.banned.setdefault(a, set()).add(b)
        self.banned.setdefault(b, set()).add(a)

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = int(parent[root])
        while parent[i] != root:
            parent[i], i = root, int(parent[i])
        return root

    def refusal(self, ra: int, rb: int, p: float) -> str:
        if self.deaths[ra] + self.deaths[rb] > self.rules.max_deaths:
            return "two deaths"
        na, nb = self.nominals[ra], self.nominals[rb]
        if na and nb and na != nb and p < self.rules.strong_pnc_probability:
            return "two PNC nominals"
        if any(self.find(x) == rb for x in self.banned.get(ra, ())):
            return "rejected in review"
        return ""

    def join(self, ra: int, rb: int) -> None:
        if ra > rb:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.deaths[ra] += self.deaths[rb]
        self.nominals[ra] = self.nominals[ra] | self.nominals[rb]
        if rb in self.banned:
            self.banned.setdefault(ra, set()).update(self.banned.pop(rb))


def cluster(
    nodes: pd.DataFrame,
    links: pd.DataFrame,
    rules: SourceRules,
    cannot_link: pd.DataFrame | None = None,
) -> Clusters:
    """Group ``nodes`` (unique_id, is_death, nominal) by ``links``.

    ``nodes.nominal`` names the PNC nominal a node stands for (0 for none);
    ``links`` has node_l, node_r, match_probability, and ``priority`` (lower is
    taken first at equal probability: rules, then reviews, then the models).
    ``cannot_link`` has node_l, node_r: pairs never to be joined.
    """
    ids = nodes["unique_id"].to_numpy(dtype=np.int64)
    index = {int(n): i for i, n in enumerate(ids)}
    groups = _Groups(nodes, rules)
    if cannot_link is not None:
        for a, b in cannot_link[["node_l", "node_r"]].itertuples(index=False):
            if int(a) in index and int(b) in index:
                groups.ban(index[int(a)], index[int(b)])
    ordered = links.sort_values(
        ["match_probability", "priority", "node_l", "node_r"],
        ascending=[False, True, True, True],
        kind="stable",
    )
    best: dict[int, float] = {}
    refused: list[tuple[int, int, float, str]] = []
    for a, b, p in ordered[["node_l", "node_r", "match_probability"]].itertuples(index=False):
        ia, ib = index.get(int(a)), index.get(int(b))
        if ia is None or ib is None:
            continue
        ra, rb = groups.find(ia), groups.find(ib)
        if ra != rb:
            reason = groups.refusal(ra, rb, float(p))
            if reason:
                refused.append((int(a), int(b), float(p), reason))
                continue
            groups.join(ra, rb)
        for node in (int(a), int(b)):
            best[node] = max(best.get(node, 0.0), float(p))
    roots = np.array([groups.find(i) for i in range(len(ids))], dtype=np.int64)
    # the cluster id is the smallest node id in it (roots are the smallest positions,
    # and nodes are given in id order, but do not rely on it)
    frame = pd.DataFrame({"node": ids, "root": roots})
    smallest = frame.groupby("root")["node"].transform("min").to_numpy()
    return Clusters(
        cluster_of=dict(zip(ids.tolist(), smallest.tolist(), strict=True)),
        joining_probability=best,
        refused=pd.DataFrame(
            refused, columns=["node_l", "node_r", "match_probability", "refused_by"]
        ),
    )
