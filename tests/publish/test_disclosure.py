"""Secondary suppression on small tables worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recoverylink.publish.audit import LpModel, Target, certify, intervals
from recoverylink.publish.disclosure import CellTable, equations_matrix, protect


def table(cells: dict[str, tuple[float, bool]], equations: list[tuple[str, list[str]]]
          ) -> CellTable:
    """Cells by name (value, published) and ``total = sum(parts)`` equations."""
    names = list(cells)
    frame = pd.DataFrame({
        "name": names,
        "value": [cells[n][0] for n in names],
        "published": [cells[n][1] for n in names],
        "block": 0,
        "cost": [cells[n][0] for n in names],
    })
    triples = []
    for i, (total, parts) in enumerate(equations):
        triples.append((i, names.index(total), 1.0))
        triples.extend((i, names.index(p), -1.0) for p in parts)
    eq = pd.DataFrame(triples, columns=["equation", "cell", "coefficient"])
    return CellTable(frame, equations_matrix(eq, len(frame)))


def suppressed_names(t: CellTable) -> set[str]:
    result = protect(t)
    return set(t.cells.loc[result.suppressed, "name"])


def test_one_small_area_takes_the_next_smallest_with_it() -> None:
    # region 62 = 2 + 10 + 20 + 30: the 2 is primary; alone, 62 - 10 - 20 - 30 gives it
    # back, so the smallest other area (10) goes too; then 2 + 10 = 12 leaves the 2
    # anywhere from 0 to 12
    t = table(
        {"region": (62, True), "a": (2, True), "b": (10, True), "c": (20, True),
         "d": (30, True)},
        [("region", ["a", "b", "c", "d"])],
    )
    assert suppressed_names(t) == {"a", "b"}


def test_suppressed_cells_must_not_add_up_to_a_small_total() -> None:
    # 1 and 2 both primary: two unknowns, but 53 - 20 - 30 = 3 says each is 0 to 3,
    # inside the range [c] hides; the next smallest (20) must go as well
    t = table(
        {"region": (53, True), "a": (1, True), "b": (2, True), "c": (20, True),
         "d": (30, True)},
        [("region", ["a", "b", "c", "d"])],
    )
    assert suppressed_names(t) == {"a", "b", "c"}


def test_two_way_table_suppresses_a_rectangle() -> None:
    #            g1   g2   all
    #   A         3   20    23
    #   B        15   12    27
    #   total    18   32    50
    # A1 = 3 is primary. Row A then has one unknown: A2 (20 < 23) goes. Column g1 has
    # one unknown: B1 (15 < 18) goes. Column g2 now has one (A2): B2 (12 < 32) goes.
    # Row B has two; done: the four cells of the rectangle, A1 anywhere in 0..15.
    t = table(
        {"A1": (3, True), "A2": (20, True), "A": (23, True),
         "B1": (15, True), "B2": (12, True), "B": (27, True),
         "T1": (18, True), "T2": (32, True), "T": (50, True)},
        [("A", ["A1", "A2"]), ("B", ["B1", "B2"]), ("T1", ["A1", "B1"]),
         ("T2", ["A2", "B2"]), ("T", ["A", "B"]), ("T", ["T1", "T2"])],
    )
    assert suppressed_names(t) == {"A1", "A2", "B1", "B2"}


def test_the_audit_finds_what_the_equations_alone_miss() -> None:
    # x + y = 10, y + z = 8, x + z = 6 (all three totals published), x = 4 and z = 2
    # primary. The equation rule suppresses y (6 < 10: x was alone in x + y = 10); then
    # every equation has two unknowns, adding to 10, 8 and 6, at least 5 each. But the
    # three equations solve: x = (10 - 8 + 6) / 2 = 4. The linear programme pins x,
    # and the cheapest published cell beside it, t3 = 6, is suppressed: then
    # x = 10 - y, z = 8 - y for any y in 0..8.
    t = table(
        {"x": (4, True), "y": (6, True), "z": (2, True),
         "t1": (10, True), "t2": (8, True), "t3": (6, True)},
        [("t1", ["x", "y"]), ("t2", ["y", "z"]), ("t3", ["x", "z"])],
    )
    assert suppressed_names(t) == {"x", "y", "z", "t3"}


def test_a_hidden_small_remainder_is_protected() -> None:
    # England 40 = region 1 (20) + region 2 (17) + an unknown area (3, never published):
    # published as it is, 40 - 20 - 17 gives the 3 away, so the smaller region goes,
    # and the unknown area is then anywhere from 0 to 20
    t = table(
        {"england": (40, True), "r1": (20, True), "r2": (17, True), "unknown": (3, False)},
        [("england", ["r1", "r2", "unknown"])],
    )
    assert suppressed_names(t) == {"r2"}


def test_zeros_are_published_and_never_chosen() -> None:
    # 9 = 0 + 4 + 5: the 4 is primary; the zero is not a candidate (suppressing it would
    # hide nothing), so the 5 goes
    t = table(
        {"total": (9, True), "a": (0, True), "b": (4, True), "c": (5, True)},
        [("total", ["a", "b", "c"])],
    )
    assert suppressed_names(t) == {"b", "c"}


def test_the_attackers_interval_by_hand() -> None:
    # x + y = 12 with x <= 3 (x + slack = 3, slack hidden): x in [0, 3], y in [9, 12]
    names = ["t", "x", "y", "cap", "slack"]
    values = np.array([12.0, 2.0, 10.0, 3.0, 1.0])
    published = np.array([True, False, False, True, False])
    eq = pd.DataFrame(
        [(0, 0, 1.0), (0, 1, -1.0), (0, 2, -1.0), (1, 3, 1.0), (1, 1, -1.0), (1, 4, -1.0)],
        columns=["equation", "cell", "coefficient"],
    )
    model = LpModel(equations_matrix(eq, len(names)), values, published,
                    np.zeros(len(names), np.int64))
    found = intervals(model, published, [1, 2])
    assert found[1] == pytest.approx((0.0, 3.0))
    assert found[2] == pytest.approx((9.0, 12.0))
    # x (2, small) reaches 0: protected; y must only be not exact: it is 3 wide
    failures, _ = certify(model, ~published, [Target(1, 1.0, True), Target(2, 1.0)])
    assert failures == []
    # publish y as well, x suppressed: x = 12 - 10 exactly, pinned
    pinned_eq = eq[eq["equation"] == 0]
    shown = np.array([True, True, True, True, False])
    lone = LpModel(equations_matrix(pinned_eq, len(names)), values, shown,
                   np.zeros(len(names), np.int64))
    only_x = np.array([False, True, False, False, False])
    failures, _ = certify(lone, only_x, [Target(1, 1.0, True)])
    assert [f.cell for f in failures] == [1]
