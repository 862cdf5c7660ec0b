"""Committing a group: identity rows, then content, ledger and replacements in one warehouse
transaction (the commit point), then the identity rows of replaced loads dropped.

See ``stores`` for why two transactions, and docs/ingest.md "Crash safety".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from recoverylink.ingest import ledger
from recoverylink.ingest.files import Kind, Received
from recoverylink.ingest.ledger import CURRENT, Entry, LedgerState
from recoverylink.ingest.split import PncIds, RecordIds, Staged, stage_load, text_table
from recoverylink.ingest.stores import Stores, quote_identifier, sql_blocks
from recoverylink.ingest.testhook import checkpoint

CONTENT = {Kind.TREATMENT: "treatment", Kind.PNC: "pnc", Kind.DRUG_TESTS: "drug_tests",
           Kind.DEATHS: "deaths"}  # fmt: skip
"""Datasets with rows in ``raw.*``, and the ``sql/<name>.sql`` that loads each."""

RAW_TABLES = (
    "treatment_episodes", "treatment_interventions", "treatment_top", "pnc_nominals",
    "pnc_aliases", "pnc_disposals", "drug_tests", "deaths",
)  # fmt: skip

_FROM_STAGED = re.compile(r"\bFROM staged_(\w+)")
_INSERT = re.compile(r"^\s*INSERT INTO (raw\.\w+)", re.MULTILINE)


@dataclass
class Pending:
    """A file decided in the open group: its ledger entry and, while loadable, its tables."""

    received: Received
    entry: Entry
    frames: Mapping[str, pd.DataFrame] | None


@dataclass
class Group:
    """The open commit group: entries decided since the last commit."""

    kind: Kind | None = None
    financial_year: str = ""
    pending: list[Pending] = field(default_factory=list)
    by_slot: dict[str, Pending] = field(default_factory=dict)
    replaced: dict[int, int] = field(default_factory=dict)
    """Committed loads this group replaces -> the load replacing each."""
    rows: int = 0


def write_group(stores: Stores, state: LedgerState, pnc: PncIds, group: Group) -> None:
    """Stage the group's loadable files with record ids, then commit it (module docstring)."""
    ids = RecordIds(state.next_record_id)
    staged: dict[Kind, Staged] = {}
    registers: list[tuple[int, pd.DataFrame]] = []
    references: list[tuple[str, int, pd.DataFrame]] = []
    for p in group.pending:
        entry, frames, kind = p.entry, p.frames, p.received.kind
        if entry.status != CURRENT or frames is None:
            continue
        if kind in CONTENT:
            entry.first_record_id = ids.next_id
            into = staged.setdefault(kind, Staged())
            stage_load(entry.kind, frames, entry.load_id, ids, pnc, into)
            entry.next_record_id = ids.next_id
        elif kind is Kind.PROVIDERS:
            registers.append((entry.load_id, frames["providers"]))
        elif kind is Kind.REFERENCE:
            (name,) = frames
            references.append((name, entry.load_id, frames[name]))
    state.next_record_id = ids.next_id
    tables = {n: t for s in staged.values() for n, t in s.tables().items()}
    new_pnc_ids = pnc.added()
    if new_pnc_ids is not None:
        tables["pnc_ids"] = new_pnc_ids
    checkpoint("commit: staged")
    stores.landing.make_durable()
    checkpoint("commit: archive copies flushed")
    con = stores.con
    for name, table in tables.items():
        con.register(f"staged_{name}", table)
    try:
        with stores.transaction("identity"):
            for kind in staged:
                _run_checked(con, sql_blocks(CONTENT[kind])["identity"], tables)
            if new_pnc_ids is not None:
                con.execute("INSERT INTO identity.pnc_ids BY NAME SELECT * FROM staged_pnc_ids")
                checkpoint("identity: pnc_ids")
        with stores.transaction("warehouse"):
            _delete_replaced(con, group.replaced)
            ledger.supersede(con, group.replaced)
            checkpoint("warehouse: replaced loads deleted and superseded")
            for kind in staged:
                _run_checked(con, sql_blocks(CONTENT[kind])["warehouse"], tables)
            for load_id, frame in registers:
                _merge_register(con, load_id, frame)
            for name, load_id, frame in references:
                _replace_reference(con, name, load_id, frame)
            ledger.write(con, [p.entry for p in group.pending])
            checkpoint("warehouse: ledger written")
    finally:
        for name in tables:
            con.unregister(f"staged_{name}")
    stores.landing.committed({p.entry.landing_path for p in group.pending})
    checkpoint("commit: journal updated")
    if group.replaced:
        with stores.transaction("identity clean-up"):
            con.execute(sql_blocks("recover")["identity"])


def _delete_replaced(con: duckdb.DuckDBPyConnection, replaced: dict[int, int]) -> None:
    if not replaced:
        return
    gone = list(replaced)
    for table in RAW_TABLES:
        con.execute(f"DELETE FROM raw.{table} WHERE list_contains(?, load_id)", [gone])


def _merge_register(con: duckdb.DuckDBPyConnection, load_id: int, frame: pd.DataFrame) -> None:
    table = text_table(frame).append_column("load_id", _constant(load_id, len(frame)))
    con.register("staged_providers", table)
    try:
        con.execute(sql_blocks("providers")["warehouse"])
    finally:
        con.unregister("staged_providers")


def _replace_reference(
    con: duckdb.DuckDBPyConnection, name: str, load_id: int, frame: pd.DataFrame
) -> None:
    table = text_table(frame).drop_columns(["source_row"])
    table = table.append_column("load_id", _constant(load_id, len(frame)))
    con.register("staged_reference", table)
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE ref.{quote_identifier(name)} AS "
            "SELECT * FROM staged_reference"
        )
    finally:
        con.unregister("staged_reference")


def _constant(value: int, size: int) -> pa.Array:
    return pa.array(np.full(size, value, dtype=np.int64), pa.int64())


def _run_checked(con: duckdb.DuckDBPyConnection, block: str, tables: dict[str, pa.Table]) -> None:
    """Run a block's statements; each ``INSERT INTO raw.*`` must insert every staged row."""
    for statement in (s.strip() for s in block.split(";")):
        if not statement or all(line.lstrip().startswith("--") for line in statement.splitlines()):
            continue
        result = con.execute(statement).fetchone()
        checkpoint(next(line for line in statement.splitlines() if not line.startswith("--")))
        target, source = _INSERT.search(statement), _FROM_STAGED.search(statement)
        if target and source and result is not None:
            expected = tables[source.group(1)].num_rows
            if int(result[0]) != expected:
                raise RuntimeError(
                    f"{target.group(1)}: inserted {result[0]} rows of {expected} staged; "
                    "the load is rolled back"
                )
