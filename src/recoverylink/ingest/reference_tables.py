"""Reference tables other than the providers register: checked against the packaged copies.

The spec ships local authorities, police forces, offence codes, trigger
offences and unit costs with the system (``recoverylink.spec.reference``); a
synthetic England copies them into its ``reference/`` folder. Ingest loads a
received copy as ``ref.<name>`` (replacing the previous one wholesale) when it
has exactly the packaged copy's columns, in the same order, and its numbers
read as numbers; otherwise it is rejected. The validator keeps using the
packaged copies for its code lists: a received reference table is data for the
warehouse, not a change to the spec.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

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
