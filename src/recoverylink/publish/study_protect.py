"""Protect one study table by its :class:`~recoverylink.publish.study_tables.TableSpec`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recoverylink.publish.disclosure import CellTable, Protection, equations_matrix, protect
from recoverylink.publish.study_tables import TableSpec

SUPPRESSED_COLUMNS = "suppressed_columns"
"""The column of every published study table naming its row's suppressed columns."""

_TOTAL_COST = 1e9


def _share_rows(frame: pd.DataFrame, spec: TableSpec) -> np.ndarray:
    if not spec.shares:
        return np.zeros(len(frame), bool)
    if spec.share_when is None:
        return np.ones(len(frame), bool)
    column, values = spec.share_when
    return frame[column].isin(list(values)).to_numpy()


def study_cells(frame: pd.DataFrame, spec: TableSpec) -> CellTable:
    """The table's counts, implied counts, totals and complements, and their equations."""
    rows: list[dict[str, object]] = []
    triples: list[tuple[str, int, float]] = []

    def cell(row: int, column: str, value: float, published: bool, cost: float) -> int:
        rows.append({"row": row, "column": column, "value": value, "published": published,
                     "cost": cost, "block": 0})
        return len(rows) - 1

    ids: dict[tuple[int, str], int] = {}
    for r in range(len(frame)):
        for column in spec.counts:
            value = frame[column].iloc[r]
            if pd.notna(value):
                ids[(r, column)] = cell(r, column, float(value), True, float(value))
    share_rows = _share_rows(frame, spec)
    for r in (int(i) for i in np.flatnonzero(share_rows)):
        for share, den in spec.shares.items():
            value, whole = frame[share].iloc[r], frame[den].iloc[r]
            if pd.isna(value) or pd.isna(whole) or (r, den) not in ids:
                continue
            implied = float(np.round(value / 100.0 * whole))
            implied_id = cell(r, share, implied, True, implied)
            ids[(r, share)] = implied_id
            comp = cell(r, f"{den}-{share}", float(whole) - implied, False, 0.0)
            for c, coef in ((ids[(r, den)], 1.0), (implied_id, -1.0), (comp, -1.0)):
                triples.append((f"share:{r}:{share}", c, coef))
    for column in spec.columns:
        members = [ids[(r, column)] for r in range(len(frame)) if (r, column) in ids]
        if len(members) < 2:
            continue
        total = cell(-1, column, float(sum(rows[m]["value"] for m in members)),  # type: ignore[misc]
                     True, _TOTAL_COST)
        triples.append((f"column:{column}", total, 1.0))
        triples.extend((f"column:{column}", m, -1.0) for m in members)
    for whole, parts in spec.parts.items():
        for r in range(len(frame)):
            if (r, whole) not in ids or any((r, p) not in ids for p in parts):
                continue
            triples.append((f"parts:{r}:{whole}", ids[(r, whole)], 1.0))
            triples.extend((f"parts:{r}:{whole}", ids[(r, p)], -1.0) for p in parts)
    cells = pd.DataFrame(rows, columns=["row", "column", "value", "published", "cost", "block"])
    eq = pd.DataFrame(triples, columns=["equation", "cell", "coefficient"])
    return CellTable(cells, equations_matrix(eq, len(cells)))


def protect_study_table(
    frame: pd.DataFrame, spec: TableSpec
) -> tuple[pd.DataFrame, Protection]:
    """The table as published: suppressed cells NULL, named in ``suppressed_columns``."""
    table = study_cells(frame, spec)
    result = protect(table)
    cells = table.cells.assign(suppressed=result.suppressed)
    hit = cells[cells["suppressed"] & (cells["row"] >= 0)]
    out = frame.copy()
    numeric = [
        c for c in frame.columns
        if c not in spec.labels and pd.api.types.is_numeric_dtype(frame[c])
    ]
    suppressed: list[list[str]] = [[] for _ in range(len(frame))]
    for r, group in hit.groupby(hit["row"].astype(int)):
        columns = [c for c in group["column"] if c in frame.columns]
        if not columns:
            continue
        # everything derived from the row's counts goes with them; other counts
        # of the row stay unless suppressed themselves
        derived = [c for c in numeric if c not in spec.counts]
        suppressed[int(str(r))] = sorted(set(columns) | set(derived), key=list(frame.columns).index)
    for r, columns in enumerate(suppressed):
        for c in columns:
            out.loc[out.index[r], c] = np.nan
    out[SUPPRESSED_COLUMNS] = [", ".join(c) for c in suppressed]
    return out, result
