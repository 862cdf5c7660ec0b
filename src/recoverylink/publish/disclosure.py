"""Disclosure control: primary and secondary suppression over a table's equations.

A table to protect is a :class:`CellTable`: cells (counts of people or
journeys) and the linear equations that an attacker knows hold between them
(areas adding up to their region, substance groups and the unknown group to
`all`, a denominator being its numerator plus a complement). Some cells are
published figures; others are never published but can be worked out from
the published ones (the people of an unknown area, of no recorded substance,
the complement ``denominator - numerator``): **hidden** cells. Every equation
is written ``sum(coefficient * cell) = 0``; every cell is at least 0.

:func:`protect` applies the policy (:mod:`recoverylink.publish.policy`):

1. **Primary**: published counts from 1 to 4 are suppressed.
2. **Secondary, by equations**: no equation may leave exactly one unknown
   (a suppressed cell, or a hidden cell from 1 to 4) with all its other
   cells published; the smallest positive published cell of such an equation
   is suppressed too, to a fixpoint.
3. **Audit**: the attacker's linear programme
   (:mod:`recoverylink.publish.audit`) bounds every suppressed cell and every
   hidden cell from 1 to 4 given everything published; where a range is too
   narrow (``PROTECTION_WIDTH`` for counts from 1 to 4, ``RECOVERY_WIDTH``
   for the rest), another cell of one of its equations is suppressed and
   steps 2 and 3 run again.

No maintained Python library does secondary suppression (tau-Argus is Java
and a GUI); this is written by hand, and checked by linear programming.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from recoverylink.publish import policy
from recoverylink.publish.audit import LpModel, Target, certify

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]


@dataclass
class CellTable:
    """Cells and the equations between them.

    ``cells`` has one row per cell with at least ``value`` (the true count),
    ``published`` (a figure that appears in the outputs; else hidden),
    ``block`` (cells in different blocks share no equation: solved apart) and
    ``cost`` (what suppressing it costs; the cheapest is chosen first).
    ``equations`` is ``(equation, cell, coefficient)`` triples.
    """

    cells: pd.DataFrame
    equations: sparse.csr_matrix

    @property
    def n(self) -> int:
        return len(self.cells)

    @property
    def values(self) -> FloatArray:
        return self.cells["value"].to_numpy(np.float64)

    @property
    def published(self) -> BoolArray:
        return self.cells["published"].to_numpy(bool)

    @property
    def blocks(self) -> NDArray[np.int64]:
        return self.cells["block"].to_numpy(np.int64)

    def check(self) -> None:
        """The true values satisfy every equation (else the model is wrong)."""
        residual = self.equations @ self.values
        bad = np.flatnonzero(np.abs(residual) > 1e-6)
        if len(bad):
            raise ValueError(f"{len(bad)} equations do not hold on the data (first: {bad[0]})")
        if (self.values < -1e-9).any():
            raise ValueError("a cell is negative: an equation assumed does not hold")


def equations_matrix(triples: pd.DataFrame, n_cells: int) -> sparse.csr_matrix:
    """``(equation, cell, coefficient)`` rows as a sparse matrix, one row per equation."""
    eq = pd.factorize(triples["equation"])[0] if len(triples) else np.zeros(0, int)
    m = int(eq.max()) + 1 if len(eq) else 0
    return sparse.csr_matrix(
        (triples["coefficient"].to_numpy(np.float64), (eq, triples["cell"].to_numpy(np.int64))),
        shape=(m, n_cells),
    )


@dataclass
class Protection:
    """What :func:`protect` decided."""

    suppressed: BoolArray
    primary: BoolArray
    rounds: int = 0
    lps: int = 0
    log: list[str] = field(default_factory=list)

    @property
    def secondary(self) -> BoolArray:
        return self.suppressed & ~self.primary


def sensitive(table: CellTable) -> BoolArray:
    """Cells from 1 to 4: published ones are suppressed, hidden ones must stay hidden."""
    v = table.values
    return (v >= policy.PRIMARY_MIN) & (v <= policy.PRIMARY_MAX)


def fixpoint(table: CellTable, suppressed: BoolArray) -> BoolArray:
    """Suppress until no equation gives away a cell that must be protected.

    Unknowns are suppressed cells and hidden cells. An equation gives a cell
    away when

    - it has exactly one unknown, a suppressed cell or a hidden cell from 1
      to 4 (a hidden cell of another size, the 37 people of no recorded
      substance in an area, may be worked out); or
    - its unknowns all sit on one side (the parts of a published total) and
      add up to less than ``PROTECTION_WIDTH`` while one of them is from 1 to
      4: each is then pinned between 0 and that small sum.

    The cheapest positive published cell of the equation is suppressed, and
    the rules run again until no equation breaks them.
    """
    suppressed = suppressed.copy()
    A = table.equations
    if A.shape[0] == 0:
        return suppressed
    pattern = A.copy()
    pattern.data = np.ones_like(pattern.data)
    positive = A.copy()
    positive.data = (positive.data > 0).astype(np.float64)
    published = table.published
    values = table.values
    must = sensitive(table)
    cost = table.cells["cost"].to_numpy(np.float64)
    indptr, indices = pattern.indptr, pattern.indices
    while True:
        unknown = suppressed | ~published
        protect = suppressed | (~published & must)
        small = unknown & must
        u = unknown.astype(np.float64)
        n_unknown = pattern @ u
        n_protect = pattern @ protect.astype(np.float64)
        n_small = pattern @ small.astype(np.float64)
        n_positive = positive @ u
        one_side = (n_positive == 0) | (n_positive == n_unknown)
        unknown_sum = pattern @ (u * values)
        violating = np.flatnonzero(
            ((n_unknown == 1) & (n_protect == 1))
            | ((n_small >= 1) & one_side & (unknown_sum < policy.PROTECTION_WIDTH))
        )
        if len(violating) == 0:
            return suppressed
        added = 0
        for row in violating:
            cols = indices[indptr[row]:indptr[row + 1]]
            if not _gives_away(A.data[indptr[row]:indptr[row + 1]], cols, suppressed,
                               published, must, values):
                continue  # an earlier pick this round mended it
            free = cols[published[cols] & ~suppressed[cols] & (values[cols] > 0)]
            if len(free) == 0:
                continue  # nothing left to suppress here; the audit will say
            suppressed[free[np.argmin(cost[free])]] = True
            added += 1
        if added == 0:
            return suppressed


def _gives_away(
    coefficients: FloatArray,
    cols: NDArray[np.int64],
    suppressed: BoolArray,
    published: BoolArray,
    must: BoolArray,
    values: FloatArray,
) -> bool:
    """:func:`fixpoint`'s two rules for one equation."""
    unknown = suppressed[cols] | ~published[cols]
    n_unknown = int(unknown.sum())
    protect = suppressed[cols] | (~published[cols] & must[cols])
    if n_unknown == 1 and protect.sum() == 1:
        return True
    if not (unknown & must[cols]).any():
        return False
    n_positive = int((unknown & (coefficients > 0)).sum())
    one_side = n_positive in (0, n_unknown)
    return bool(one_side and values[cols][unknown].sum() < policy.PROTECTION_WIDTH)


def _neighbours(table: CellTable, cells: NDArray[np.int64]) -> NDArray[np.int64]:
    """The cells sharing an equation with any of ``cells``."""
    A = table.equations
    rows = np.unique(A[:, cells].nonzero()[0]) if len(cells) else np.zeros(0, np.int64)
    if len(rows) == 0:
        return np.zeros(0, np.int64)
    return np.unique(A[rows].nonzero()[1])


def _widen(table: CellTable, suppressed: BoolArray, cell: int) -> int | None:
    """The cheapest published positive cell near ``cell`` to suppress next."""
    published = table.published
    values = table.values
    cost = table.cells["cost"].to_numpy(np.float64)
    frontier = np.array([cell], dtype=np.int64)
    seen = set(frontier.tolist())
    for _ in range(4):
        near = _neighbours(table, frontier)
        free = near[published[near] & ~suppressed[near] & (values[near] > 0)]
        if len(free):
            return int(free[np.argmin(cost[free])])
        unknown = near[(suppressed[near] | ~published[near])]
        frontier = np.array([c for c in unknown.tolist() if c not in seen], dtype=np.int64)
        seen.update(frontier.tolist())
        if len(frontier) == 0:
            return None
    return None


def targets(
    table: CellTable, suppressed: BoolArray, skip: BoolArray | None = None
) -> list[Target]:
    """What the audit must find protected: each suppressed cell and each hidden 1-4.

    Cells marked in ``skip`` (already found protected) are left out.
    """
    must = sensitive(table)
    wanted = suppressed | (~table.published & must)
    if skip is not None:
        wanted &= ~skip
    cells = np.flatnonzero(wanted)
    return [Target(c, policy.RECOVERY_WIDTH, m)
            for c, m in zip(cells.tolist(), must[cells].tolist(), strict=True)]


def protect(
    table: CellTable,
    audit: bool = True,
    max_rounds: int = 200,
    progress: Callable[[str], None] | None = None,
) -> Protection:
    """Primary, then secondary suppression to a fixpoint, then the audit, until it passes.

    Without ``audit``, only the first two steps (fast, and what the audit
    starts from).
    """
    table.check()
    published = table.published
    primary = published & sensitive(table)
    result = Protection(suppressed=primary.copy(), primary=primary)
    # Suppressing more cells only removes known values, so the attacker's feasible
    # set only grows: a cell once found protected stays protected. Each round after
    # the first checks only the cells that failed and the cells newly suppressed.
    certified = np.zeros(table.n, dtype=bool)
    model = table_lp(table)
    for round_ in range(1, max_rounds + 1):
        result.rounds = round_
        result.suppressed = fixpoint(table, result.suppressed)
        if not audit:
            return result
        todo = targets(table, result.suppressed, skip=certified)
        blocks = {int(table.blocks[t.cell]) for t in todo}
        failures, lps = certify(
            model, result.suppressed, todo, blocks=blocks, rounds=3, exact=False
        )
        result.lps += lps
        failed = {t.cell for t in failures}
        certified[[t.cell for t in todo if t.cell not in failed]] = True
        if progress is not None:
            progress(f"round {round_}: {int(result.suppressed.sum()):,} suppressed, "
                     f"{len(todo):,} checked, {len(failures)} too narrow")
        if not failures:
            return result
        touched: set[int] = set()
        for target in failures:
            # one fix per neighbourhood per round: a cell suppressed for one target
            # often frees its neighbours too (the audit of the next round says)
            near = set(_neighbours(table, np.array([target.cell])).tolist())
            if near & touched:
                continue
            extra = _widen(table, result.suppressed, target.cell)
            if extra is None:
                raise RuntimeError(f"cannot protect cell {target.cell}: nothing left to suppress")
            result.suppressed[extra] = True
            touched.update(near | {target.cell, extra})
    raise RuntimeError(f"secondary suppression did not settle in {max_rounds} rounds")


def table_lp(table: CellTable) -> LpModel:
    """The table as the attacker's programme sees it (with the truth as a witness)."""
    return LpModel(table.equations, table.values, table.published, table.blocks)
