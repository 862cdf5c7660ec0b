"""Reference tables other than the providers register: checked against the packaged copies.

The spec ships local authorities, police forces, offence codes, trigger
offences and unit costs with the system (``recoverylink.spec.reference``); a
synthetic England copies them into its ``reference/`` folder. Ingest loads a
received copy as ``ref.<name>`` (replacing the previous one wholesale) when it
has exactly the packaged copy's columns, in the same order, and its numbers
read as numbers; otherwise it is rejected. The validator keeps using the
packaged copies for its code lists: a received reference table is data for the
warehouse, not a change to the spec.

The shipped copies are in the warehouse without anyone ingesting them:
:func:`ensure_shipped` writes each packaged table as ``ref.<name>`` (with
``load_id`` NULL: shipped, not received) when the warehouse has none, and
refreshes one that still holds a shipped copy when the package's copy has
changed (a newer release). A received copy is never overwritten by it. The
stores run it every time they are opened for writing, and ``build`` before it
reads them, so a warehouse made before this existed gets them too.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from recoverylink.ingest.files import REFERENCE_TABLES
from recoverylink.spec import Problem
from recoverylink.spec.csvread import BOM, encoding_problems
from recoverylink.spec.validate import Checked

BAD_NUMBER = "bad_number"
"""Ingest's rule for a reference table's number that does not read as one."""


def check_reference_csv(path: Path) -> Checked:
    """A reference table as received; its one frame is typed like the packaged copy."""
    name = path.name
    packaged = REFERENCE_TABLES[name]()
    data = path.read_bytes()
    body = data[len(BOM) :] if data.startswith(BOM) else data
    problems = encoding_problems(body, name)
    if problems:
        return Checked(name, problems)
    try:
        records = list(csv.reader(io.StringIO(body.decode("utf-8"), newline=""), strict=True))
    except csv.Error as err:
        return Checked(name, [Problem(name, None, None, None, "bad_csv", f"malformed CSV: {err}")])
    records = [r for r in records if r]
    if not records:
        return Checked(name, [Problem(name, None, None, None, "empty_file", "the file is empty")])
    header, rows = records[0], records[1:]
    expected = list(packaged.columns)
    if header != expected:
        msg = f"the columns must be exactly: {', '.join(expected)}"
        return Checked(name, [Problem(name, 1, None, ",".join(header), "unknown_column", msg)])
    problems = [
        Problem(name, i, None, None, "wrong_field_count",
                f"the record has {len(r)} fields; the header has {len(header)}")
        for i, r in enumerate(rows, start=2)
        if len(r) != len(header)
    ]  # fmt: skip
    if problems:
        return Checked(name, problems)
    frame = pd.DataFrame(rows, columns=expected, dtype="str")
    for column in expected:
        kind = packaged[column].dtype.kind
        if kind not in "iuf":
            continue
        text = frame[column].replace("", None)
        numbers = pd.to_numeric(text, errors="coerce")
        bad = numbers.isna() & text.notna()
        if kind in "iu":
            bad |= numbers.notna() & (numbers % 1 != 0)
        for i in bad.to_numpy().nonzero()[0]:
            value = str(frame[column].iloc[i])
            msg = f"{value!r} is not a {'whole number' if kind in 'iu' else 'number'}"
            problems.append(Problem(name, int(i) + 2, column, value, BAD_NUMBER, msg))
        if not bad.any():
            frame[column] = numbers.astype(packaged[column].dtype)
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    return Checked(name, problems, {} if problems else {name.removesuffix(".csv"): frame})


def shipped_table(file_name: str) -> pa.Table:
    """The packaged copy of a reference table as the warehouse holds it: its columns, then
    ``load_id`` (NULL for a shipped copy), typed as a received copy is loaded."""
    frame = REFERENCE_TABLES[file_name]()
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    return table.append_column("load_id", pa.nulls(len(frame), pa.int64()))


def ensure_shipped(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Write the shipped reference tables the warehouse lacks (module docstring).

    Runs in the caller's transaction, on a connection whose current database is
    the warehouse (schema ``ref`` exists). Returns the tables written.
    """
    existing = {
        name: [c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'ref' AND table_name = ? ORDER BY column_index", [name],
        ).fetchall()]
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'ref'"
        ).fetchall()
    }  # fmt: skip
    written = []
    for file_name in REFERENCE_TABLES:
        name = file_name.removesuffix(".csv")
        table = shipped_table(file_name)
        columns = existing.get(name)
        if columns is not None and not _stale_shipped_copy(con, name, columns, table):
            continue
        con.register("shipped_reference", table)
        try:
            con.execute(f'CREATE OR REPLACE TABLE ref."{name}" AS SELECT * FROM shipped_reference')
        finally:
            con.unregister("shipped_reference")
        written.append(name)
    return written


def _stale_shipped_copy(
    con: duckdb.DuckDBPyConnection, name: str, columns: list[str], table: pa.Table
) -> bool:
    """True when ``ref.<name>`` holds a shipped copy unlike the package's.

    A table the ledger has a current received copy of (slot ``reference/<name>``)
    is the newer data and stays; so does one without ``load_id`` (made some
    other way, as tests do).
    """
    if "load_id" not in columns:
        return False
    ((received,),) = con.execute(
        "SELECT count(*) FROM ingest.loads WHERE kind = 'reference' AND status = 'current' "
        "AND slot = ?",
        [f"reference/{name}"],
    ).fetchall()
    if received:
        return False
    if columns != table.column_names:
        return True
    con.register("shipped_reference", table)
    try:
        ((differs,),) = con.execute(
            f'SELECT count(*) FROM ((SELECT * FROM ref."{name}" EXCEPT ALL '
            "SELECT * FROM shipped_reference) UNION ALL (SELECT * FROM shipped_reference "
            f'EXCEPT ALL SELECT * FROM ref."{name}"))'  # name: a packaged table's
        ).fetchall()
    finally:
        con.unregister("shipped_reference")
    return bool(differs)
