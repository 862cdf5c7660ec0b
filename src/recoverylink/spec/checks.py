"""Vectorised checks of one table: per-column rules, unique keys and a reporting helper.

A :class:`TableCheck` wraps one table's frame. Rules compute boolean masks over
all rows at once (pyarrow compute kernels on the frame's Arrow-backed string
columns, then numpy); only the rows a mask selects become :class:`Problem`
objects, one Python step per problem. Arrow kernels are used rather than pandas
string methods because their fixed cost per call is several times lower, which
matters for the many small monthly files. Parsed dates and numbers are cached so
dataset and cross-file rules reuse them; a value that failed its own column check
parses as missing (NaT / NaN), so a relational rule never reports a value that is
already reported as malformed.
"""

from __future__ import annotations

import string
from collections.abc import Collection, Mapping
from functools import lru_cache
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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

# A column of text as Arrow holds it (the frame may give either).
Text: TypeAlias = "pa.Array | pa.ChunkedArray"


def row_numbers(frame: pd.DataFrame) -> np.ndarray:
    """Line numbers from a ``row`` index, else one line per record after the header."""
    if frame.index.name == ROW_INDEX:
        return frame.index.to_numpy(dtype=np.int64)
    return np.arange(2, len(frame) + 2, dtype=np.int64)


def to_arrow(series: pd.Series) -> Text:
    """The column as Arrow strings, missing as "" (zero-copy for Arrow-backed frames)."""
    if not isinstance(series.dtype, pd.StringDtype):
        series = series.astype("str")
    arr = pa.array(series.array)
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    return pc.fill_null(arr, "") if arr.null_count else arr


def to_mask(values: Text) -> np.ndarray:
    """An Arrow boolean result as a numpy bool array (nulls count as false)."""
    if values.null_count:
        values = pc.fill_null(values, False)
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=bool)


def fullmatch(values: Text, pattern: str) -> np.ndarray:
    return to_mask(pc.match_substring_regex(values, f"^(?:{pattern})$"))


@lru_cache(maxsize=256)
def _value_set(values: tuple[str, ...]) -> pa.Array:
    return pa.array(values, pa.large_string())


def is_in(values: Text, allowed: Collection[str] | Text) -> np.ndarray:
    if not isinstance(allowed, pa.Array | pa.ChunkedArray):
        allowed = _value_set(tuple(sorted(allowed)))
    return to_mask(pc.is_in(values, value_set=allowed))


def factorize(values: Text) -> tuple[np.ndarray, pa.Array]:
    """Codes (numpy int) and the distinct values they index, in order of first appearance."""
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        if encoded.num_chunks == 0:
            return np.zeros(0, dtype=np.int64), pa.array([], pa.large_string())
        encoded = encoded.unify_dictionaries()  # one shared dictionary for all chunks
        codes = np.concatenate([c.indices.to_numpy() for c in encoded.chunks])
        return codes.astype(np.int64), encoded.chunk(0).dictionary
    return encoded.indices.to_numpy().astype(np.int64), encoded.dictionary


def parse_dates(values: Text) -> np.ndarray:
    """ISO dates as datetime64[D], NaT where empty or not a real YYYY-MM-DD date.

    Each distinct value is parsed once; a date that does not print back as itself
    (2021-02-30 would roll over to 2021-03-02) is not real.
    """
    codes, distinct = factorize(values)
    parsed = pc.strptime(distinct, format="%Y-%m-%d", unit="s", error_is_null=True)
    real = fullmatch(distinct, DATE_PATTERN)
    real &= to_mask(pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), distinct.cast(pa.string())))
    days = pc.cast(parsed, pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]")
    return np.where(real, days, np.datetime64("NaT"))[codes]


def parse_numbers(values: Text) -> np.ndarray:
    """Whole numbers as float64, NaN where empty or not a whole number."""
    codes, distinct = factorize(values)
    whole = pc.if_else(pa.array(fullmatch(distinct, INTEGER_PATTERN)), distinct, None)
    numbers = pc.cast(whole, pa.float64()).to_numpy(zero_copy_only=False)
    return np.asarray(numbers, dtype="float64")[codes]


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
        self._text: dict[str, Text] = {}
        self._filled: dict[str, np.ndarray] = {}
        self._dates: dict[str, np.ndarray] = {}
        self._numbers: dict[str, np.ndarray] = {}
        self._valid: dict[str, np.ndarray] = {}

    def has(self, *columns: str) -> bool:
        return all(c in self._frame.columns for c in columns)

    def text(self, column: str) -> Text:
        """The column's values as Arrow strings ("" = missing)."""
        if column not in self._text:
            self._text[column] = to_arrow(self._frame[column])
        return self._text[column]

    def filled(self, column: str) -> np.ndarray:
        """Rows where the column is not empty (for free text: not blank)."""
        if column not in self._filled:
            s = self.text(column)
            if self.table.column(column).kind == "text":
                s = pc.utf8_trim_whitespace(s)
            self._filled[column] = to_mask(pc.not_equal(s, ""))
        return self._filled[column]

    def valid(self, column: str) -> np.ndarray:
        """Rows where the column is filled and passed its own checks."""
        if column not in self._valid:
            self._valid[column] = self.filled(column)
        return self._valid[column]

    def equals(self, column: str, value: str) -> np.ndarray:
        return to_mask(pc.equal(self.text(column), value))

    def is_in(self, column: str, allowed: Collection[str] | Text) -> np.ndarray:
        return is_in(self.text(column), allowed)

    def same(self, column: str, other: str) -> np.ndarray:
        """Rows where two columns hold the same text."""
        return to_mask(pc.equal(self.text(column), self.text(other)))

    def date(self, column: str) -> np.ndarray:
        """The column as datetime64[D]; NaT where missing or malformed."""
        if column not in self._dates:
            self._dates[column] = parse_dates(self.text(column))
        return self._dates[column]

    def number(self, column: str) -> np.ndarray:
        """The column as float64; NaN where missing or not a whole number."""
        if column not in self._numbers:
            self._numbers[column] = parse_numbers(self.text(column))
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
        values = self.text(column).take(idx).to_pylist()
        fields: dict[str, list[object]] = {}
        for _, name, _, _ in string.Formatter().parse(message):
            if name in (None, "value", "column") or name in fields:
                continue
            assert name is not None
            source = extra[name] if extra and name in extra else None
            fields[name] = (
                list(source[idx]) if source is not None else self.text(name).take(idx).to_pylist()
            )
        rows = self.rows[idx].tolist()
        for k, (row, value) in enumerate(zip(rows, values, strict=True)):
            named = {name: vals[k] for name, vals in fields.items()}
            text = message.format(value=value, column=column, **named)
            self.problems.append(Problem(self.file, row, column, value, rule, text))

    # Checks every table gets from its declaration.

    def check_columns(self) -> None:
        consented = (
            self.equals("consent", "y") if self.has("consent") else np.zeros(self.size, dtype=bool)
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
            bad = filled & ~is_in(s, values)
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
            bad = filled & ~fullmatch(s, fmt.pattern)
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
            codes, distinct = factorize(self.text(c).take(idx))
            if len(distinct) == idx.size:
                return
            combined = pd.factorize(combined * (len(distinct) + 1) + codes)[0]
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


def after_period(t: TableCheck, rule: str, limit: str, *columns: str) -> None:
    """Flag dates after the end of the file's period (``limit`` names that end in the message)."""
    end = t.context.period_end
    if end is None:
        return
    msg = f"{{column}} {{value}} is after {limit} ({end})"
    for column in columns:
        if t.has(column):
            t.flag(t.date(column) > np.datetime64(end), rule, column, msg)
