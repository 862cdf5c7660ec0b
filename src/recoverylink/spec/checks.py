"""Vectorised checks of one table: per-column rules, unique keys and a reporting helper.

A :class:`TableCheck` wraps one table's frame. Rules compute boolean masks over
all rows at once with pandas/numpy; only the rows a mask selects are turned into
:class:`Problem` objects, one Python step per problem. Parsed dates and numbers
are cached so the dataset rules and the cross-file rules reuse them; a value that
failed its own column check parses as missing (NaT / NaN), so a relational rule
never reports a value that is already reported as malformed.
"""

from __future__ import annotations

import string
from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from recoverylink.spec.context import ValidationContext
from recoverylink.spec.problems import Problem
from recoverylink.spec.schema import Column, Need, Table

# Name of the index that carries each record's line number (see problems.py).
ROW_INDEX = "row"
# Key in ``DataFrame.attrs`` set by read_csv_strict once the header is checked.
HEADER_CHECKED = "recoverylink_header_checked"

DATE_PATTERN = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
INTEGER_PATTERN = "-?[0-9]+"
_LISTED_CODES = 12  # code lists up to this long are spelt out in messages


def row_numbers(frame: pd.DataFrame) -> np.ndarray:
    """Line numbers from a ``row`` index, else one line per record after the header."""
    if frame.index.name == ROW_INDEX:
        return frame.index.to_numpy(dtype=np.int64)
    return np.arange(2, len(frame) + 2, dtype=np.int64)


def as_text(series: pd.Series) -> pd.Series:
    """The column as pandas strings with missing as "" and a fresh 0..n-1 index."""
    out = series.astype("str") if series.dtype != "str" else series
    if out.hasnans:
        out = out.fillna("")
    return out.reset_index(drop=True)


def parse_dates(text: pd.Series) -> np.ndarray:
    """ISO dates as datetime64[D], NaT where empty or not a real YYYY-MM-DD date.

    Dates repeat a lot, so each distinct value is parsed once.
    """
    codes, uniques = pd.factorize(text)
    distinct = pd.Series(uniques, dtype="str")
    shaped = distinct.str.fullmatch(DATE_PATTERN).to_numpy(dtype=bool)
    parsed = pd.to_datetime(distinct.where(shaped), format="%Y-%m-%d", errors="coerce")
    return parsed.to_numpy().astype("datetime64[D]")[codes]


def code_message(column: Column, values: Collection[str]) -> str:
    if column.codes_source:
        return f"{{value!r}} is not a code in {column.codes_source}"
    if len(values) <= _LISTED_CODES:
        return f"{{value!r}} is not a valid {column.name}; expected one of: {', '.join(values)}"
    return f"{{value!r}} is not a valid {column.name} code (see the code list in the spec)"


class TableCheck:
    """One table under validation: its text, parsed values and the problems found."""

    def __init__(
        self, table: Table, frame: pd.DataFrame, file: str, context: ValidationContext
    ) -> None:
        self.table = table
        self.file = file
        self.context = context
        self.rows = row_numbers(frame)
        self.size = len(frame)
        self.problems: list[Problem] = []
        self._frame = frame
        self._text: dict[str, pd.Series] = {}
        self._filled: dict[str, np.ndarray] = {}
        self._dates: dict[str, np.ndarray] = {}
        self._numbers: dict[str, np.ndarray] = {}
        self._valid: dict[str, np.ndarray] = {}

    def has(self, *columns: str) -> bool:
        return all(c in self._frame.columns for c in columns)

    def text(self, column: str) -> pd.Series:
        if column not in self._text:
            self._text[column] = as_text(self._frame[column])
        return self._text[column]

    def filled(self, column: str) -> np.ndarray:
        """Rows where the column is not empty (for free text: not blank)."""
        if column not in self._filled:
            s = self.text(column)
            if self.table.column(column).kind == "text":
                s = s.str.strip()
            self._filled[column] = (s != "").to_numpy(dtype=bool)
        return self._filled[column]

    def valid(self, column: str) -> np.ndarray:
        """Rows where the column is filled and passed its own checks."""
        if column not in self._valid:
            self._valid[column] = self.filled(column)
        return self._valid[column]

    def date(self, column: str) -> np.ndarray:
        """The column as datetime64[D]; NaT where missing or malformed."""
        if column not in self._dates:
            self._dates[column] = parse_dates(self.text(column))
        return self._dates[column]

    def number(self, column: str) -> np.ndarray:
        """The column as float64; NaN where missing or not a whole number."""
        if column not in self._numbers:
            codes, uniques = pd.factorize(self.text(column))
            distinct = pd.Series(uniques, dtype="str")
            whole = distinct.str.fullmatch(INTEGER_PATTERN).to_numpy(dtype=bool)
            values = pd.to_numeric(distinct.where(whole), errors="coerce")
            self._numbers[column] = values.to_numpy(dtype="float64")[codes]
        return self._numbers[column]

    def flag(
        self,
        mask: np.ndarray,
        rule: str,
        column: str,
        message: str,
        extra: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        """Report ``rule`` on every row the mask selects.

        ``message`` is a format string: ``{value}`` is this column's value,
        ``{column}`` its name, any other ``{name}`` the row's value of that column
        or of ``extra`` (arrays aligned with the rows).
        """
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            return
        values = self.text(column).iloc[idx].tolist()
        fields: dict[str, list[object]] = {}
        for _, name, _, _ in string.Formatter().parse(message):
            if name in (None, "value", "column") or name in fields:
                continue
            assert name is not None
            source = extra[name] if extra and name in extra else None
            fields[name] = (
                list(source[idx]) if source is not None else self.text(name).iloc[idx].tolist()
            )
        rows = self.rows[idx].tolist()
        for k, (row, value) in enumerate(zip(rows, values, strict=True)):
            named = {name: vals[k] for name, vals in fields.items()}
            text = message.format(value=value, column=column, **named)
            self.problems.append(Problem(self.file, row, column, value, rule, text))

    # Checks every table gets from its declaration.

    def check_columns(self) -> None:
        consented = (
            (self.text("consent") == "y").to_numpy(dtype=bool)
            if self.has("consent")
            else np.zeros(self.size, dtype=bool)
        )
        for column in self.table.columns:
            if self.has(column.name):
                self._check_column(column, consented)

    def _check_column(self, column: Column, consented: np.ndarray) -> None:
        name = column.name
        filled = self.filled(name)
        if column.need is Need.REQUIRED:
            self.flag(~filled, "required", name, "{column} is required")
        elif column.need is Need.CONSENTED:
            self.flag(~filled & consented, "required", name, "{column} is required (consent = y)")
        s = self.text(name)
        if column.kind == "code":
            values = column.code_values()
            bad = filled & ~s.isin(values).to_numpy(dtype=bool)
            self.flag(bad, "bad_code", name, code_message(column, values))
        elif column.kind == "date":
            bad = filled & np.isnat(self.date(name))
            self.flag(bad, "bad_date", name, "{value!r} is not a real date in the form YYYY-MM-DD")
        elif column.kind == "integer":
            numbers = self.number(name)
            bad = filled & np.isnan(numbers)
            self.flag(bad, "bad_integer", name, "{value!r} is not a whole number")
            low, high = column.minimum, column.maximum
            outside = (numbers < low) | (numbers > high)
            self.flag(outside, "out_of_range", name, f"{{value}} is outside {low}..{high}")
            bad |= outside
        elif column.format is not None:
            fmt = column.format
            bad = filled & ~s.str.fullmatch(fmt.pattern).to_numpy(dtype=bool)
            self.flag(
                bad, "bad_format", name, f"{{value!r}} is not a {fmt.name} like {fmt.example}"
            )
        else:
            bad = np.zeros(self.size, dtype=bool)
        self._valid[name] = filled & ~bad

    def check_unique(self) -> None:
        for key in self.table.unique:
            if self.has(*key):
                self._check_key(key)

    def _check_key(self, key: tuple[str, ...]) -> None:
        filled = np.logical_and.reduce([self.filled(c) for c in key])
        idx = np.flatnonzero(filled)
        if idx.size < 2:
            return
        combined = np.zeros(idx.size, dtype=np.int64)
        # The last column is the most selective: if it never repeats, neither does the key.
        for c in reversed(key):
            codes, uniques = pd.factorize(self.text(c).iloc[idx])
            if len(uniques) == idx.size:
                return
            combined = pd.factorize(combined * (len(uniques) + 1) + codes)[0]
        _, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
        first_pos = idx[first[inverse]]
        repeat = np.zeros(self.size, dtype=bool)
        repeat[idx] = first_pos != idx
        first_row = np.zeros(self.size, dtype=np.int64)
        first_row[idx] = self.rows[first_pos]
        within = f" within {key[0]} {{{key[0]}}}" if len(key) > 1 else ""
        self.flag(
            repeat,
            "not_unique",
            key[-1],
            "{column} {value!r} is already used on row {first_row}" + within,
            extra={"first_row": first_row},
        )
