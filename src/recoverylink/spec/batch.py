"""Checking many monthly treatment submissions at once, with the same results as one by one.

A provider's monthly zip is small, so checking it costs mostly a fixed amount per
file (about 30 ms: three CSV parses and dozens of Arrow calls per column, whatever
the row count), and the ingest of a whole England meets some 16,000 of them.
:func:`check_treatment_zips` gives exactly what
:func:`~recoverylink.spec.validate.check_treatment_zip` gives for each file, but
checks the files of one submission month *together*: each table's rows from all
the files are stacked into one CSV text, read once with
:func:`~recoverylink.spec.csvread.read_csv_strict` and run through the rules
once. Only a stack that shows any problem is split in two and each half checked
again, down to a few files, which are then read and checked one by one exactly
as on their own. So a clean stack costs one read and one run of the rules, and
every problem reported comes from the one-file check.

Why a clean stack proves every file in it clean, with the same tables.

Reading. A member joins a stack only if it starts with the table's header
exactly as the spec writes it (after an optional byte-order mark) and its
records contain no quote character, no carriage return and no blank line. Such
a text has one record per line and no field can hold a comma or a line break,
so reading the stacked lines gives the same fields as reading each file, and
record *k* of a file is on line *k* + 2 of that file, which is the row number
its frame is given. Any reading problem in the stack sends it to the split.

Rules. The files of a stack share the submission month, so they share every
piece of context the rules use (``period_start``, the start of the financial
year, and ``period_end``, the end of the month) except the provider code in the
file name, and each has a different provider code. The stack is checked with no
file provider code, and:

- column, consent, date-order, age and substance rules look at one row: a row
  breaks a rule in the stack exactly when it does in its file;
- each table's ``provider_code`` is compared here with its own file's code, row
  by row (``provider_code_mismatch``), and the file name's code with the
  register (``unknown_provider``) before the file may join; the stack also
  reports every episode whose code is missing from the register, a superset of
  the one-file rule;
- keys (``provider_code`` + ``episode_ref`` or ``intervention_ref``) that repeat
  within a file repeat in the stack;
- an intervention or TOP review finds its episode in the stack by
  (``provider_code``, ``episode_ref``); as every row carries its own file's
  provider code and no two files share one, the episode it finds is the one in
  its own file, with the same dates, so the cross-file rules agree.

A file that cannot be stacked (a bad name, a provider missing from the register,
a broken archive, a header or layout other than the plain one, or a second file
for the same provider and month) is read and checked on its own.
``tests/ingest/test_batch_validation.py`` checks the equivalence on broken files.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from recoverylink.spec import tables, treatment_links
from recoverylink.spec.archive import read_members
from recoverylink.spec.checks import HEADER_CHECKED, ROW_INDEX, factorize, to_arrow
from recoverylink.spec.context import ValidationContext
from recoverylink.spec.csvread import BOM, read_csv_strict
from recoverylink.spec.problems import Problem
from recoverylink.spec.validate import (
    TREATMENT_TABLES,
    Checked,
    Frames,
    StrPath,
    check_tables,
    check_treatment_tables,
    read_member_tables,
    treatment_context,
)

SMALLEST_STACK = 4
"""A failing stack of at most this many files is checked file by file."""

_MEMBERS = tuple(tables.table(n).file_name for n in TREATMENT_TABLES)
_HEADERS = {n: (",".join(tables.table(n).column_names) + "\n").encode() for n in TREATMENT_TABLES}


def plain_records(data: bytes, header: bytes) -> bytes | None:
    """The records after ``header`` if the text is plain enough to stack, else None.

    Plain: the exact header (after an optional byte-order mark), then records with
    no quote, no carriage return and no blank line. A missing final newline is added.

    >>> plain_records(b"a,b\\n1,2\\n3,4", b"a,b\\n")
    b'1,2\\n3,4\\n'
    >>> plain_records(b'a,b\\n"1",2\\n', b"a,b\\n") is None
    True
    """
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if not data.startswith(header):
        return None
    body = data[len(header) :]
    if b'"' in body or b"\r" in body or b"\n\n" in body or body.startswith(b"\n"):
        return None
    return body if not body or body.endswith(b"\n") else body + b"\n"


@dataclass
class _Zip:
    """One zip as read: its own context, the problems found before any rule ran."""

    position: int
    name: str
    context: ValidationContext
    file_problems: list[Problem]
    members: dict[str, bytes]
    records: dict[str, bytes] | None
    """Each table's plain records, or None when the file cannot join a stack."""
    counts: dict[str, int] | None = None

    def exact(self) -> Checked:
        frames, read_problems = read_member_tables(self.name, self.members, TREATMENT_TABLES)
        return check_treatment_tables(
            self.name, self.file_problems, frames, read_problems, self.context
        )

    def sizes(self, table: str) -> int:
        assert self.records is not None
        if self.counts is None:
            self.counts = {n: body.count(b"\n") for n, body in self.records.items()}
        return self.counts[table]


def _read(position: int, path: StrPath, base: ValidationContext) -> _Zip:
    name = Path(path).name
    ctx, file_problems = treatment_context(name, base)
    members, archive_problems = read_members(path, _MEMBERS)
    problems = file_problems + archive_problems
    records: dict[str, bytes] | None = None
    if not problems and ctx.file_provider_code is not None and len(members) == len(_MEMBERS):
        plain = {n: plain_records(members[tables.table(n).file_name], _HEADERS[n])
                 for n in TREATMENT_TABLES}  # fmt: skip
        if all(body is not None for body in plain.values()):
            records = {n: body for n, body in plain.items() if body is not None}
    return _Zip(position, name, ctx, problems, members, records)


def check_treatment_zips(
    paths: Sequence[StrPath], context: ValidationContext | None = None
) -> list[Checked]:
    """``check_treatment_zip`` of each path, in order; a month's files are checked together."""
    base = context or ValidationContext()
    results: dict[int, Checked] = {}
    stacks: dict[tuple[object, object], list[_Zip]] = {}
    for position, path in enumerate(paths):
        read = _read(position, path, base)
        stack = stacks.setdefault((read.context.period_start, read.context.period_end), [])
        codes = {z.context.file_provider_code for z in stack}
        if read.records is not None and read.context.file_provider_code not in codes:
            stack.append(read)
        else:
            results[position] = read.exact()
    for stack in stacks.values():
        results.update(_certify(stack))
    return [results[i] for i in range(len(paths))]


def _certify(stack: list[_Zip]) -> dict[int, Checked]:
    if not stack:
        return {}
    if len(stack) == 1:
        return {stack[0].position: stack[0].exact()}
    frames = _clean_together(stack)
    if frames is not None:
        return _split(stack, frames)
    if len(stack) <= SMALLEST_STACK:
        return {z.position: z.exact() for z in stack}
    half = len(stack) // 2
    return {**_certify(stack[:half]), **_certify(stack[half:])}


def _clean_together(stack: list[_Zip]) -> dict[str, pd.DataFrame] | None:
    """The stacked tables if no file of the stack has any problem, else None."""
    frames: dict[str, pd.DataFrame] = {}
    for n in TREATMENT_TABLES:
        text = _HEADERS[n] + b"".join(z.records[n] for z in stack)  # type: ignore[index]
        frame, problems = read_csv_strict(text, f"stack/{tables.table(n).file_name}", n)
        if frame is None or problems or not _own_codes(stack, n, frame):
            return None
        frames[n] = frame
    ctx = replace(stack[0].context, file_provider_code=None)
    stacked: Frames = dict(frames)
    checks, per_file = check_tables("stack", stacked, {}, ctx)
    episodes = checks["episodes"]
    assert episodes is not None
    treatment_links.check_submission(episodes, checks["interventions"], checks["top"])
    if any(per_file.values()) or any(c.problems for c in checks.values() if c is not None):
        return None
    return frames


def _own_codes(stack: list[_Zip], table: str, frame: pd.DataFrame) -> bool:
    """Every row's provider_code is its own file's code."""
    if len(frame) == 0:
        return True
    rows, distinct = factorize(to_arrow(frame["provider_code"]))
    position = {code: i for i, code in enumerate(z.context.file_provider_code for z in stack)}
    found = np.array([position.get(code, -1) for code in distinct.to_pylist()], dtype=np.int64)
    expected = np.repeat(np.arange(len(stack)), [z.sizes(table) for z in stack])
    return bool(np.array_equal(found[rows], expected))


def _split(stack: list[_Zip], frames: dict[str, pd.DataFrame]) -> dict[int, Checked]:
    """Each file's tables, cut from the stacked ones when first asked for."""
    out: dict[int, Checked] = {}
    starts = dict.fromkeys(TREATMENT_TABLES, 0)
    arrow: dict[str, pa.Table] = {}
    for z in stack:
        ranges = {}
        for n in TREATMENT_TABLES:
            ranges[n] = (starts[n], starts[n] + z.sizes(n))
            starts[n] += z.sizes(n)
        out[z.position] = Checked(z.name, [], StackedTables(frames, ranges, arrow))
    return out


class StackedTables(Mapping[str, pd.DataFrame]):
    """A file's tables as reading it alone gives them, cut lazily from the stacked tables.

    Cutting a frame costs about half a millisecond a table; the ingest step loads
    only the latest of a provider's monthly files, so most files are never cut,
    and it takes them as Arrow (:meth:`arrow`), which is cut without copying.
    """

    def __init__(
        self,
        stacked: dict[str, pd.DataFrame],
        ranges: dict[str, tuple[int, int]],
        arrow: dict[str, pa.Table],
    ) -> None:
        self._stacked = stacked
        self._ranges = ranges
        self._arrow = arrow  # the stacked tables as Arrow, shared by the stack's files
        self._cut: dict[str, pd.DataFrame] = {}

    def __getitem__(self, table: str) -> pd.DataFrame:
        if table not in self._cut:
            start, stop = self._ranges[table]
            part = self._stacked[table].iloc[start:stop]
            part.index = pd.Index(np.arange(2, stop - start + 2, dtype=np.int64), name=ROW_INDEX)
            part.attrs[HEADER_CHECKED] = True
            self._cut[table] = part
        return self._cut[table]

    def __iter__(self) -> Iterator[str]:
        return iter(self._ranges)

    def __len__(self) -> int:
        return len(self._ranges)

    def row_counts(self) -> dict[str, int]:
        return {name: stop - start for name, (start, stop) in self._ranges.items()}

    def arrow(self, table: str) -> pa.Table:
        """The table as Arrow text columns, plus ``source_row``: each record's line number."""
        start, stop = self._ranges[table]
        if table not in self._arrow:
            whole = pa.Table.from_pandas(self._stacked[table], preserve_index=False)
            self._arrow[table] = whole.replace_schema_metadata(None)
        part = self._arrow[table].slice(start, stop - start)
        rows = pa.array(np.arange(2, stop - start + 2, dtype=np.int64), pa.int64())
        return part.append_column("source_row", rows)
