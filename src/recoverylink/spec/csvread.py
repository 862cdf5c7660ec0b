"""Strict CSV reading: UTF-8, a checked header, every field as text, line-numbered rows.

Ordinary files take a fast path (pyarrow's CSV reader). Row numbers there are
worked out from the newlines inside quoted fields; if the count of physical lines
does not add up (blank lines, lone CR line ends) or pyarrow refuses the file
(records with the wrong number of fields, an odd number of quote characters), the
file is read again with Python's csv module, which is slower but tracks each
record's first line exactly and names every malformed record.

Hostile files are held to :class:`~recoverylink.spec.limits.ReadLimits`: a file
over ``max_csv_bytes`` is refused unread (``too_large``), a file holding NUL
bytes is binary, not UTF-8 text (``bad_encoding``), and a field over
``max_field_bytes`` is reported with its row and column (``field_too_large``)
and its record left out, like a record with the wrong number of fields. Every
value stays text: nothing is evaluated, and a field such as ``=cmd|' /C calc'!A0``
is just the text it is (reports escape it for spreadsheets).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from recoverylink.spec import tables
from recoverylink.spec.checks import HEADER_CHECKED, ROW_INDEX, to_mask
from recoverylink.spec.limits import ReadLimits, current_limits, size_text
from recoverylink.spec.problems import Problem
from recoverylink.spec.schema import Table

BOM = b"\xef\xbb\xbf"
_UNDECODABLE = re.compile("[\udc80-\udcff]+")
_CONTENT = re.compile(rb"[^\r\n\t ]")  # anything but blank space
_SHOWN = 40  # characters of an over-long field shown as its value


class _SlowPath(Exception):
    """The fast reader cannot number this file's rows exactly."""


def encoding_problems(body: bytes, file: str) -> list[Problem]:
    """One ``bad_encoding`` problem per line that is not valid UTF-8 (one for a binary file)."""
    nul = body.find(b"\x00")
    if nul >= 0:
        if body[:2] in (b"\xff\xfe", b"\xfe\xff") or _wide_text(body[:4096]):
            msg = "the file looks like UTF-16 or UTF-32 text; save it as UTF-8"
        else:
            line = body.count(b"\n", 0, nul) + 1
            msg = (
                "the file holds NUL bytes (the first on line "
                f"{line}): it is binary data, not a UTF-8 CSV file"
            )
        return [Problem(file, None, None, None, "bad_encoding", msg)]
    if body.isascii():
        return []
    try:
        body.decode("utf-8")
        return []
    except UnicodeDecodeError:
        pass
    if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        msg = "the file is UTF-16; save it as UTF-8"
        return [Problem(file, None, None, None, "bad_encoding", msg)]
    text = body.decode("utf-8", "surrogateescape")
    problems: list[Problem] = []
    line, pos, last = 1, 0, 0
    for match in _UNDECODABLE.finditer(text):
        line += text.count("\n", pos, match.start())
        pos = match.start()
        if line == last:
            continue
        last = line
        raw = match.group().encode("utf-8", "surrogateescape")
        value = "".join(f"\\x{b:02x}" for b in raw)
        msg = f"bytes {value} are not UTF-8; save the file as UTF-8"
        problems.append(Problem(file, line, None, value, "bad_encoding", msg))
    return problems


def _wide_text(sample: bytes) -> bool:
    """Mostly-ASCII text in UTF-16 or UTF-32: NUL in nearly every other byte (odd or even)."""
    halves = (sample[0::2], sample[1::2])
    return any(len(h) >= 2 and h.count(0) >= 0.9 * len(h) for h in halves)


def match_header(spec: Table, names: list[str], file: str) -> tuple[dict[str, int], list[Problem]]:
    """Map each of the table's columns to its position in the header, with the problems."""
    expected = spec.column_names
    lower = {c.lower(): c for c in expected}
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for i, name in enumerate(names):
        canonical = name if name in expected else lower.get(name.lower())
        if canonical is None:
            msg = f"unknown column {name!r}; {spec.file_name} has: {', '.join(expected)}"
            problems.append(Problem(file, 1, name, name, "unknown_column", msg))
            continue
        if canonical != name:
            msg = f"column {name!r} must be written {canonical!r} (lower case)"
            problems.append(Problem(file, 1, canonical, name, "column_case", msg))
        if canonical in positions:
            msg = f"column {canonical!r} appears more than once in the header"
            problems.append(Problem(file, 1, canonical, name, "duplicate_column", msg))
            continue
        positions[canonical] = i
    for name in expected:
        if name not in positions:
            msg = f"column {name!r} is missing from the header"
            problems.append(Problem(file, 1, name, None, "missing_column", msg))
    return {c: positions[c] for c in expected if c in positions}, problems


def _header_end(body: bytes) -> int:
    """Byte offset just past the header record's last line (quotes balanced)."""
    pos = 0
    while True:
        nl = body.find(b"\n", pos)
        end = len(body) if nl < 0 else nl + 1
        if body.count(b'"', 0, end) % 2 == 0 or nl < 0:
            return end
        pos = end


def _fast(body: bytes) -> tuple[list[str], np.ndarray, list[pa.ChunkedArray]]:
    end = _header_end(body)
    head = list(csv.reader(io.StringIO(body[:end].decode("utf-8"), newline="")))
    quotes = body.count(b'"')
    if len(head) != 1 or quotes % 2:
        raise _SlowPath
    names = head[0]
    rest = body[end:]
    first_line = body.count(b"\n", 0, end) + 1
    if not _CONTENT.search(rest):
        empty = pa.chunked_array([], pa.large_string())
        return names, np.zeros(0, dtype=np.int64), [empty] * len(names)
    cols = [f"c{i}" for i in range(len(names))]
    try:
        read = pcsv.read_csv(
            pa.BufferReader(pa.py_buffer(rest)),
            read_options=pcsv.ReadOptions(column_names=cols),
            # Without any quote no field can hold a newline, and parsing is 2-3x faster.
            parse_options=pcsv.ParseOptions(newlines_in_values=quotes > 0),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(cols, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=False,
            ),
        )
    except pa.ArrowInvalid as err:
        raise _SlowPath from err
    size = read.num_rows
    lines = rest.count(b"\n") + (0 if rest.endswith(b"\n") else 1)
    inner = np.zeros(size, dtype=np.int64)
    if lines != size:
        for column in read.columns:
            inner += pc.count_substring(column, "\n").to_numpy().astype(np.int64)
        if size + int(inner.sum()) != lines:
            raise _SlowPath  # blank lines or lone CR line ends
    before = np.cumsum(inner) - inner
    rows = first_line + np.arange(size, dtype=np.int64) + before
    return names, rows, list(read.columns)


@contextmanager
def _field_size_limit(size: int) -> Iterator[None]:
    """Let Python's csv module read fields up to ``size`` characters (its default is 128 KiB).

    Over-long fields are then found and reported by :func:`_long_fields`, with
    their row and column, rather than as an anonymous parse error.
    """
    before = csv.field_size_limit()
    csv.field_size_limit(max(before, size))
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _slow(
    text: str, file: str
) -> tuple[list[str], np.ndarray, list[pa.ChunkedArray], list[Problem]]:
    with _field_size_limit(len(text) + 1):
        return _slow_read(text, file)


def _slow_read(
    text: str, file: str
) -> tuple[list[str], np.ndarray, list[pa.ChunkedArray], list[Problem]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    names: list[str] | None = None
    records: list[list[str]] = []
    rows: list[int] = []
    problems: list[Problem] = []
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            msg = f"malformed CSV in the record starting here: {err}"
            return [], np.zeros(0, np.int64), [], [Problem(file, start, None, None, "bad_csv", msg)]
        if not record:
            continue  # a blank line
        if names is None:
            names = record
        elif len(record) != len(names):
            msg = f"the record has {len(record)} fields; the header has {len(names)}"
            problems.append(Problem(file, start, None, None, "wrong_field_count", msg))
        else:
            records.append(record)
            rows.append(start)
    if names is None:
        return [], np.zeros(0, np.int64), [], [_empty_file(file)]
    fields = list(zip(*records, strict=True)) if records else [()] * len(names)
    arrays = [pa.chunked_array([pa.array(list(f), pa.large_string())]) for f in fields]
    return names, np.array(rows, dtype=np.int64), arrays, problems


def _empty_file(file: str) -> Problem:
    return Problem(file, None, None, None, "empty_file", "the file has no header row")


def _long_fields(
    header: list[str],
    rows: np.ndarray,
    arrays: list[pa.ChunkedArray],
    limit: int,
    file: str,
) -> tuple[np.ndarray | None, list[Problem]]:
    """Fields longer than ``limit`` UTF-8 bytes: which records hold one, and a problem each.

    ``header`` gives each position's column name as it should be reported.
    """
    too_long: np.ndarray | None = None
    problems: list[Problem] = []
    for name, values in zip(header, arrays, strict=True):
        lengths = pc.binary_length(values)
        longest = pc.max(lengths).as_py()
        if longest is None or longest <= limit:
            continue
        mask = to_mask(pc.greater(lengths, limit))
        too_long = mask if too_long is None else too_long | mask
        where = np.flatnonzero(mask)
        sizes = lengths.take(pa.array(where)).to_pylist()
        shown = pc.utf8_slice_codeunits(values.take(pa.array(where)), 0, _SHOWN).to_pylist()
        for row, size, start in zip(rows[where].tolist(), sizes, shown, strict=True):
            msg = (
                f"the field is {size_text(size)} long; the limit is {size_text(limit)} "
                "(the record is not checked further)"
            )
            problems.append(Problem(file, row, name, f"{start}…", "field_too_large", msg))
    return too_long, problems


def read_csv_strict(
    data: bytes, file: str, table: str | None = None, *, limits: ReadLimits | None = None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read one CSV file of the spec, every field as text ("" = missing).

    The table comes from ``table`` or else from the file's name. The frame
    has the table's columns that were found (in spec order, first of any
    duplicates), index ``row`` = the line each record starts on, and
    ``attrs[HEADER_CHECKED]`` so validate_table does not report the header twice.
    ``None`` is returned when the file cannot be read at all. ``limits`` defaults
    to the limits in force (:func:`~recoverylink.spec.limits.current_limits`).
    """
    limits = limits or current_limits()
    spec = tables.table(table) if table else tables.table_for_file(file)
    if spec is None:
        msg = "the file name does not say which table of the spec this is"
        return None, [Problem(file, None, None, None, "bad_file_name", msg)]
    if len(data) > limits.max_csv_bytes:
        msg = f"the file is {size_text(len(data))}; the limit is {size_text(limits.max_csv_bytes)}"
        return None, [Problem(file, None, None, None, "too_large", msg)]
    body = data[len(BOM) :] if data.startswith(BOM) else data
    problems = encoding_problems(body, file)
    if problems:
        return None, problems
    if not _CONTENT.search(body):
        return None, [_empty_file(file)]
    try:
        names, rows, arrays = _fast(body)
    except _SlowPath:
        names, rows, arrays, problems = _slow(body.decode("utf-8"), file)
        if not names:
            return None, problems
    positions, header_problems = match_header(spec, names, file)
    if len(body) > limits.max_field_bytes:
        spelt = {i: c for c, i in positions.items()}
        header = [spelt.get(i, n) for i, n in enumerate(names)]
        too_long, long_problems = _long_fields(header, rows, arrays, limits.max_field_bytes, file)
        if too_long is not None:
            keep = pa.array(~too_long)
            arrays = [pc.filter(a, keep) for a in arrays]
            rows = rows[~too_long]
            problems = problems + long_problems
    index = pd.Index(rows, name=ROW_INDEX)
    if positions:
        frame = pa.table([arrays[i] for i in positions.values()], names=list(positions)).to_pandas()
        frame.index = index
    else:
        frame = pd.DataFrame(index=index)
    frame.attrs[HEADER_CHECKED] = True
    return frame, header_problems + problems
