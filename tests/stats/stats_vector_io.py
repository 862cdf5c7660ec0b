"""Reading the reference vectors and comparing numbers to them.

Shared by the tests in this folder (a uniquely named module, since the test
folders are not packages)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

VECTORS = Path(__file__).parent / "vectors"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "stats_vectors"

#: The tolerance the vectors' README sets.
REL = 1e-6


def read(name: str) -> pd.DataFrame:
    """One vector file, blanks as NaN, labels as strings."""
    return pd.read_csv(VECTORS / name, keep_default_na=False, na_values=[""])


class RowChecker:
    """Collects every mismatch of a file, so one failure lists them all, and
    counts the rows and cells compared."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.failures: list[str] = []
        self.rows = 0
        self.cells = 0

    def rows_of(self, frame: pd.DataFrame) -> Iterator[tuple[int, Any]]:
        for i, row in frame.iterrows():
            self.rows += 1
            yield int(str(i)), row

    def number(self, where: str, actual: Any, expected: Any, rel: float = REL) -> None:
        self.cells += 1
        a = float(actual)
        e = float(expected)
        if math.isnan(e):
            if not math.isnan(a):
                self.failures.append(f"{where}: expected blank (NaN), got {a!r}")
            return
        if math.isnan(a) or abs(a - e) > rel * abs(e) + 1e-12:
            self.failures.append(f"{where}: expected {e!r}, got {a!r}")

    def label(self, where: str, actual: Any, expected: Any) -> None:
        self.cells += 1
        if str(actual) != str(expected):
            self.failures.append(f"{where}: expected {expected!r}, got {actual!r}")

    def done(self, expected_rows: int) -> None:
        assert not self.failures, f"{self.name}: {len(self.failures)} mismatches:\n" + "\n".join(
            self.failures[:40]
        )
        assert self.rows == expected_rows, f"{self.name}: checked {self.rows} of {expected_rows}"
