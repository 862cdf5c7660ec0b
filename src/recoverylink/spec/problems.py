"""What the validator reports: one :class:`Problem` per broken rule, per row.

Row numbers (``Problem.row``) are physical line numbers in the CSV file, counting
from 1 at the header's first line, of the line on which the record *starts*. The
first data record of an ordinary file is therefore row 2, and a record after a
quoted field that spans two lines is numbered by the line it begins on, as a text
editor shows it. ``row`` is ``None`` for problems with a whole file or archive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    """One broken rule: where it is (file, row, column), the value and the rule slug."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    message: str

    def as_dict(self) -> dict[str, str | int | None]:
        """The problem as a flat dict, ready for CSV or JSON reports."""
        return asdict(self)

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        if self.column is not None:
            where += f" [{self.column}]"
        return f"{where}: {self.message} ({self.rule})"


def sort_problems(problems: Iterable[Problem], column_order: dict[str, int]) -> list[Problem]:
    """Problems in reading order: by row (file-level first), then column, then rule.

    ``column_order`` gives each known column its position; unknown ones go last.
    Python's sort is stable, so problems of different files keep their file order
    when each file's list is sorted separately and concatenated.
    """
    last = len(column_order)

    def key(p: Problem) -> tuple[int, int, str, str]:
        col = last if p.column is None else column_order.get(p.column, last)
        return (p.row or 0, col, p.column or "", p.rule)

    return sorted(problems, key=key)


def unique_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Drop exact repeats, keeping the first of each (order preserved)."""
    return list(dict.fromkeys(problems))
