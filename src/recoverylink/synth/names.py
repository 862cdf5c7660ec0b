"""Name pools for synthetic people: UK forenames and surnames with frequencies, nicknames.

Forenames and surnames come from Faker's en_GB lists (ONS frequency tables);
forenames are ordered by frequency, so they are weighted by rank (Zipf-like).
Nicknames come from the hand-curated ``nicknames`` dataset (William -> Bill).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from faker.providers.person.en_GB import Provider as _GBNames
from nicknames import NickNamer


@dataclass(frozen=True)
class NamePool:
    names: np.ndarray  # object array of str
    cum_weights: np.ndarray  # cumulative probabilities, last == 1

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.searchsorted(self.cum_weights, rng.random(n), side="right").astype(np.int32)


def _pool(names: list[str], weights: np.ndarray) -> NamePool:
    w = np.asarray(weights, dtype=float)
    cum = np.cumsum(w / w.sum())
    cum[-1] = 1.0
    return NamePool(np.array(names, dtype=object), cum)


def _rank_weights(n: int) -> np.ndarray:
    return 1.0 / (np.arange(n) + 8.0)


@lru_cache(maxsize=2)
def forenames(sex: str) -> NamePool:
    names = list(_GBNames.first_names_male if sex == "male" else _GBNames.first_names_female)
    return _pool(names, _rank_weights(len(names)))


@lru_cache(maxsize=1)
def surnames() -> NamePool:
    items = list(_GBNames.last_names.items())
    return _pool([k for k, _ in items], np.array([v for _, v in items], dtype=float))


@lru_cache(maxsize=2)
def nickname_table(sex: str) -> tuple[np.ndarray, np.ndarray]:
    """Each pool forename's nicknames (title case) joined by '|', and a has-any flag."""
    namer = NickNamer()
    pool = forenames(sex).names
    joined = []
    for name in pool:
        nicks = sorted(n.title() for n in namer.nicknames_of(name.lower()) if len(n) > 2)
        joined.append("|".join(nicks))
    arr = np.array(joined, dtype=object)
    return arr, np.array([bool(j) for j in joined])


def pick_nicknames(
    rng: np.random.Generator, sex_is_male: np.ndarray, forename_idx: np.ndarray
) -> np.ndarray:
    """A nickname for each person (empty string where the name has none)."""
    out = np.full(len(forename_idx), "", dtype=object)
    for sex, mask in (("male", sex_is_male), ("female", ~sex_is_male)):
        table, _ = nickname_table(sex)
        idx = np.flatnonzero(mask)
        options = table[forename_idx[idx]]
        u = rng.random(len(idx))
        for j, (opts, r) in enumerate(zip(options, u, strict=True)):
            if opts:
                parts = opts.split("|")
                out[idx[j]] = parts[int(r * len(parts))]
    return out
