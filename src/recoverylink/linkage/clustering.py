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


_EMPTY: frozenset[int] = frozenset()


class _Groups:
    """Union-find over node positions, with what each group holds."""

    def __init__(self, nodes: pd.DataFrame, rules: SourceRules) -> None:
        self.rules = rules
        self.parent: list[int] = list(range(len(nodes)))
        self.deaths: list[int] = nodes["is_death"].astype("int64").tolist()
        self.nominals: list[frozenset[int]] = [
            frozenset([v]) if v else _EMPTY for v in nodes["nominal"].astype("int64").tolist()
        ]
        self.banned: dict[int, set[int]] = {}

    def ban(self, a: int, b: int) -> None:
        self.banned.setdefault(a, set()).add(b)
        self.banned.setdefault(b, set()).add(a)

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
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
    lefts = ordered["node_l"].astype("int64").tolist()
    rights = ordered["node_r"].astype("int64").tolist()
    probabilities = ordered["match_probability"].astype("float64").tolist()
    find = groups.find
    for a, b, p in zip(lefts, rights, probabilities, strict=True):
        ia, ib = index.get(a), index.get(b)
        if ia is None or ib is None:
            continue
        ra, rb = find(ia), find(ib)
        if ra != rb:
            reason = groups.refusal(ra, rb, p)
            if reason:
                refused.append((a, b, p, reason))
                continue
            groups.join(ra, rb)
        if best.get(a, 0.0) < p:
            best[a] = p
        if best.get(b, 0.0) < p:
            best[b] = p
    roots = np.array([find(i) for i in range(len(ids))], dtype=np.int64)
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


def connected_components(nodes: np.ndarray, pairs: pd.DataFrame) -> dict[int, int]:
    """Node id -> smallest node id of its connected component, with no rules (vectorised).

    >>> connected_components(np.array([1, 2, 3, 4]), pd.DataFrame({"node_l": [2], "node_r": [4]}))
    {1: 1, 2: 2, 3: 3, 4: 2}
    """
    ids = np.asarray(nodes, dtype=np.int64)
    order = np.argsort(ids)
    ids = ids[order]
    a = np.searchsorted(ids, pairs["node_l"].to_numpy(dtype=np.int64))
    b = np.searchsorted(ids, pairs["node_r"].to_numpy(dtype=np.int64))
    known = (a < len(ids)) & (b < len(ids))
    a, b = a[known], b[known]
    known = (ids[a] == pairs["node_l"].to_numpy(dtype=np.int64)[known]) & (
        ids[b] == pairs["node_r"].to_numpy(dtype=np.int64)[known]
    )
    a, b = a[known], b[known]
    labels = np.arange(len(ids))
    while True:
        low = np.minimum(labels[a], labels[b])
        before = labels.copy()
        np.minimum.at(labels, a, low)
        np.minimum.at(labels, b, low)
        while True:  # pointer jumping: each label to its label's label
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if np.array_equal(before, labels):
            break
    return dict(zip(ids.tolist(), ids[labels].tolist(), strict=True))
