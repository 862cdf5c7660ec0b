"""The attacker's linear programme: how far can a suppressed cell be pinned down?

Given everything published (the known cells) and the equations an attacker
knows hold between cells (sums, complements; every cell at least 0), the
feasible range of an unknown cell is ``[min x, max x]`` subject to them: two
linear programmes (scipy's HiGHS; integrality is not needed, the relaxation
only widens the range it finds, so a range too narrow here is too narrow).

The build (:mod:`recoverylink.publish.disclosure`) and the tests share this
module. To keep the number of programmes small, a range is first
**certified** from feasible points: any feasible solution is a value the cell
could take, so two feasible solutions at least ``width`` apart prove the
range is at least that wide. Points come from the data itself (when known),
then from programmes that push many uncertified cells up or down at once;
only cells still uncertified get their own ``min`` and ``max``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

TOLERANCE = 1e-6
INEXACT_BUDGET = 25
"""Without ``exact``, at most this many uncertified targets per part get their own
programmes; the rest count as too narrow."""
SMALL_MIN, SMALL_MAX = 1, 4
"""The counts primary suppression hides (as :mod:`recoverylink.publish.policy`)."""


@dataclass(frozen=True)
class Target:
    """A cell the attacker must not pin down.

    Its feasible range must be at least ``width`` wide (it cannot be worked
    out exactly) and, for a ``small`` cell (a count from 1 to 4), must reach
    outside 1 to 4 (down to 0 or up to 5): the attacker cannot tell that it
    is a small count rather than none or five or more.
    """

    cell: int
    width: float = 1.0
    small: bool = False

    def satisfied(self, low: float, high: float) -> bool:
        if high - low < self.width - TOLERANCE:
            return False
        if not self.small:
            return True
        return low <= SMALL_MIN - 1 + TOLERANCE or high >= SMALL_MAX + 1 - TOLERANCE


def _satisfied(targets: list[Target], low: FloatArray, high: FloatArray) -> BoolArray:
    width = np.array([t.width for t in targets])
    small = np.array([t.small for t in targets])
    wide = high - low >= width - TOLERANCE
    outside = (low <= SMALL_MIN - 1 + TOLERANCE) | (high >= SMALL_MAX + 1 - TOLERANCE)
    return wide & (~small | outside)


@dataclass
class LpModel:
    """Cells, equations ``A x = 0``, ``x >= 0``, and which cells are published.

    ``values`` holds the published cells' values (the others may be NaN when
    the attacker builds it; the build passes the truth, used only as one
    feasible point). ``blocks`` splits the cells into parts no equation joins.
    """

    equations: sparse.csr_matrix
    values: FloatArray
    published: BoolArray
    blocks: NDArray[np.int64]


@dataclass
class _Part:
    """One connected set of unknown cells and the equations over them."""

    cells: NDArray[np.int64]  # the model's cell numbers
    A: sparse.csr_matrix  # rows: equations, columns: these cells
    b: FloatArray


def propagate(model: LpModel, known: BoolArray) -> tuple[BoolArray, FloatArray]:
    """Cells the equations give exactly, with their values: what an attacker works out first.

    An equation with one unknown cell gives that cell; repeated until none
    does. Returns the cells now known and every known cell's value.
    """
    A = model.equations.tocsr()
    known = known.copy()
    values = np.where(known, np.nan_to_num(model.values), 0.0)
    pattern = A.copy()
    pattern.data = np.ones_like(pattern.data)
    while True:
        n_unknown = pattern @ (~known).astype(np.float64)
        rows = np.flatnonzero(n_unknown == 1)
        if len(rows) == 0:
            return known, values
        sub = A[rows]
        unknown_part = sub.multiply((~known).astype(np.float64)[None, :]).tocsr()
        known_sum = sub @ values
        r, c = unknown_part.nonzero()
        coef = np.asarray(unknown_part[r, c]).ravel()
        solved = -known_sum[r] / coef
        # one value per cell (two equations may give the same cell)
        first = np.unique(c, return_index=True)[1]
        cells, found = c[first], solved[first]
        values[cells] = np.maximum(found, 0.0)
        known[cells] = True


def _parts(
    model: LpModel, known: BoolArray, values: FloatArray, blocks: Iterable[int] | None
) -> list[_Part]:
    A = model.equations.tocsc()
    unknown = np.flatnonzero(~known)
    if blocks is not None:
        wanted = np.isin(model.blocks[unknown], np.fromiter(blocks, np.int64))
        unknown = unknown[wanted]
    if len(unknown) == 0:
        return []
    Au = A[:, unknown].tocsr()
    b = -(A @ values)
    rows = np.flatnonzero(np.diff(Au.indptr) > 0)
    Au = Au[rows]
    b = b[rows]
    # connected components of unknowns through shared equations
    incidence = Au.T.tocsr()
    adjacency = (incidence @ Au).tocsr()
    n_comp, labels = connected_components(adjacency, directed=False)
    parts = []
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n_comp + 1))
    for k in range(n_comp):
        cols = order[bounds[k]:bounds[k + 1]]
        sub = Au[:, cols].tocsr()
        keep = np.flatnonzero(np.diff(sub.indptr) > 0)
        parts.append(_Part(unknown[cols], sub[keep], b[keep]))
    return parts


def _solve(part: _Part, objective: FloatArray) -> FloatArray | None:
    """A feasible point minimising ``objective``; None if unbounded."""
    n = len(part.cells)
    if part.A.shape[0] == 0:
        return None if (objective < 0).any() else np.zeros(n)
    res = linprog(objective, A_eq=part.A, b_eq=part.b, bounds=(0, None), method="highs")
    if res.status == 3:
        return None
    if res.status != 0:
        raise RuntimeError(f"the attacker's programme failed: {res.message}")
    return np.asarray(res.x, dtype=np.float64)


def intervals(
    model: LpModel, known: BoolArray, cells: Iterable[int]
) -> dict[int, tuple[float, float]]:
    """The exact feasible range ``(lower, upper)`` of each cell (upper may be inf)."""
    wanted = set(int(c) for c in cells)
    out: dict[int, tuple[float, float]] = {}
    known, values = propagate(model, known)
    for part in _parts(model, known, values, None):
        position = {int(c): i for i, c in enumerate(part.cells)}
        for cell in wanted & position.keys():
            e = np.zeros(len(part.cells))
            e[position[cell]] = 1.0
            low = _solve(part, e)
            high = _solve(part, -e)
            lower = 0.0 if low is None else float(low[position[cell]])
            upper = np.inf if high is None else float(high[position[cell]])
            out[cell] = (lower, upper)
    for cell in wanted - out.keys():
        if known[cell]:
            out[cell] = (float(model.values[cell]), float(model.values[cell]))
        else:  # in no equation: only x >= 0 bounds it
            out[cell] = (0.0, np.inf)
    return out


def certify(
    model: LpModel,
    suppressed: BoolArray,
    targets: list[Target],
    blocks: Iterable[int] | None = None,
    witness: bool = True,
    rounds: int = 2,
    seed: int = 0,
    exact: bool = True,
) -> tuple[list[Target], int]:
    """The targets whose feasible range is narrower than required, and the LPs solved.

    Known cells are the published ones not suppressed. With ``witness``, the
    model's ``values`` (the truth) count as one feasible point. Without
    ``exact``, a target the shared programmes leave uncertified counts as too
    narrow without its own two programmes: faster, and never too lenient (the
    build then suppresses a little more than it strictly must).
    """
    known = model.published & ~suppressed
    by_cell = {t.cell: t for t in targets}
    failures: list[Target] = []
    lps = 0
    rng = np.random.default_rng(seed)
    for t in targets:
        if known[t.cell]:
            raise ValueError(f"target {t.cell} is published")
    known, values = propagate(model, known)
    blocks = None if blocks is None else list(blocks)
    # cells an equation gives exactly are pinned
    failures.extend(
        t for t in targets
        if known[t.cell] and (blocks is None or int(model.blocks[t.cell]) in blocks)
    )
    for part in _parts(model, known, values, blocks):
        local = [i for i, c in enumerate(part.cells.tolist()) if c in by_cell]
        if local:
            narrow, solved = _certify_part(
                part, np.array(local), [by_cell[int(part.cells[i])] for i in local],
                model.values[part.cells] if witness else None, rounds, rng, exact,
            )
            failures.extend(narrow)
            lps += solved
    # a target outside every part is in no equation: only x >= 0 bounds it
    return failures, lps


def _certify_part(
    part: _Part,
    idx: NDArray[np.int64],
    wanted: list[Target],
    witness: FloatArray | None,
    rounds: int,
    rng: np.random.Generator,
    exact: bool = True,
) -> tuple[list[Target], int]:
    low = np.full(len(idx), np.inf)
    high = np.full(len(idx), -np.inf)
    lps = 0
    if witness is not None:
        np.minimum(low, witness[idx], out=low)
        np.maximum(high, witness[idx], out=high)
    open_ = ~_satisfied(wanted, low, high)
    for _ in range(rounds):
        if not open_.any():
            break
        weights = np.zeros(len(part.cells))
        weights[idx[open_]] = rng.uniform(0.5, 1.5, int(open_.sum()))
        for direction in (1.0, -1.0):
            point = _solve(part, direction * weights)
            lps += 1
            # None: unbounded for some open target, found one by one below
            if point is not None:
                np.minimum(low, point[idx], out=low)
                np.maximum(high, point[idx], out=high)
        open_ = ~_satisfied(wanted, low, high)
    failures = []
    for n, j in enumerate(np.flatnonzero(open_)):
        if not exact and n >= INEXACT_BUDGET:
            failures.append(wanted[j])  # counted too narrow unchecked (never too lenient)
            continue
        if wanted[j].satisfied(low[j], high[j]):
            continue  # a point found for another cell settled it
        e = np.zeros(len(part.cells))
        e[idx[j]] = 1.0
        bounds = []
        for direction in (-1.0, 1.0):
            point = _solve(part, direction * e)
            lps += 1
            if point is None:
                bounds.append(np.inf)
                break
            np.minimum(low, point[idx], out=low)
            np.maximum(high, point[idx], out=high)
            bounds.append(float(point[idx[j]]))
            if wanted[j].satisfied(low[j], high[j]):
                break
        if bounds and bounds[-1] == np.inf:
            continue
        if not wanted[j].satisfied(low[j], high[j]):
            failures.append(wanted[j])
    return failures, lps
