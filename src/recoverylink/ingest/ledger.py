"""The ledger (``ingest.loads`` and its side tables): what was received and what it did.

Every file received gets one ledger row with its load id, checksum, archive path
and status, except an identical re-send, which changes nothing at all. The
status says where the file's rows are:

- ``current``: its rows are in the stores;
- ``superseded``: they were, until a newer file for the same slot replaced them;
- ``rejected``: it broke the spec; nothing was loaded (its first problems are
  kept in ``ingest.load_problems``, identifiers masked, and a count per rule in
  ``ingest.load_rules``);
- ``refused``: it was older than the file already loaded for its slot.

:class:`LedgerState` is the ledger as a run sees it: the committed rows, read
once, plus what the run has decided so far.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from recoverylink.spec import Problem

CURRENT = "current"
SUPERSEDED = "superseded"
REJECTED = "rejected"
REFUSED = "refused"

PROBLEMS_KEPT = 20
"""How many of a rejected file's problems the ledger keeps (all are counted by rule)."""


@dataclass
class Entry:
    """One ledger row, with its per-table counts and (for a rejection) its problems."""

    load_id: int
    file_name: str
    kind: str
    slot: str
    period: str
    provider_code: str | None
    sha256: str
    size_bytes: int
    landing_path: str
    received_at: dt.datetime
    status: str
    note: str
    replaces: int | None = None
    replaced_by: int | None = None
    first_record_id: int | None = None
    next_record_id: int | None = None
    tables: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    """The first problems, masked."""
    rules: dict[str, int] = field(default_factory=dict)

    @property
    def row_count(self) -> int:
        return sum(self.tables.values())

    @property
    def problem_count(self) -> int:
        return sum(self.rules.values())


@dataclass(frozen=True)
class Seen:
    """A file the ledger already has: same name and the same bytes."""

    load_id: int
    status: str
    received_at: dt.datetime


@dataclass(frozen=True)
class SlotHolder:
    """The current file of a slot."""

    load_id: int
    period: str
    file_name: str


@dataclass
class LedgerState:
    """The committed ledger as read at the start of a run, plus the run's own decisions."""

    seen: dict[tuple[str, str], Seen]
    slots: dict[str, SlotHolder]
    latest_register: str
    """The date of the newest dated providers register loaded, or ''."""
    next_load_id: int
    next_record_id: int

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> LedgerState:
        seen: dict[tuple[str, str], Seen] = {}
        rows = con.execute(
            "SELECT file_name, sha256, load_id, status, received_at FROM ingest.loads "
            "ORDER BY load_id"
        ).fetchall()
        for name, sha, load_id, status, received_at in rows:
            # a file loaded once stays 'seen' as loaded, whatever happened after
            earlier = seen.get((name, sha))
            if earlier is None or earlier.status in (REJECTED, REFUSED):
                seen[name, sha] = Seen(load_id, status, received_at)
        slots = {
            slot: SlotHolder(load_id, period, name)
            for slot, load_id, period, name in con.execute(
                "SELECT slot, load_id, period, file_name FROM ingest.loads "
                "WHERE status = ? AND slot <> ''",
                [CURRENT],
            ).fetchall()
        }
        (latest,) = con.execute(
            "SELECT coalesce(max(period), '') FROM ingest.loads "
            "WHERE kind = 'providers' AND status = ? AND period <> ''",
            [CURRENT],
        ).fetchone() or ("",)
        (next_load,) = con.execute(
            "SELECT coalesce(max(load_id), 0) + 1 FROM ingest.loads"
        ).fetchone() or (1,)
        (next_record,) = con.execute(
            "SELECT coalesce(max(next_record_id), 1) FROM ingest.loads"
        ).fetchone() or (1,)
        return cls(seen, slots, latest, int(next_load), int(next_record))

    def new_load_id(self) -> int:
        load_id = self.next_load_id
        self.next_load_id += 1
        return load_id

    def note(self, entry: Entry) -> None:
        """Take a decided entry into account for the files after it in the run."""
        key = (entry.file_name, entry.sha256)
        earlier = self.seen.get(key)
        if earlier is None or earlier.status in (REJECTED, REFUSED):
            self.seen[key] = Seen(entry.load_id, entry.status, entry.received_at)
        if entry.status == CURRENT and entry.slot:
            self.slots[entry.slot] = SlotHolder(entry.load_id, entry.period, entry.file_name)
        if entry.status == CURRENT and entry.kind == "providers" and entry.period:
            self.latest_register = max(self.latest_register, entry.period)


def provider_codes(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The providers register as loaded in the warehouse."""
    return frozenset(
        r[0] for r in con.execute("SELECT provider_code FROM ref.providers").fetchall()
    )


_LOAD_COLUMNS = (
    "load_id", "file_name", "kind", "slot", "period", "provider_code", "sha256", "size_bytes",
    "landing_path", "received_at", "status", "note", "replaces", "replaced_by",
    "first_record_id", "next_record_id",
)  # fmt: skip


def write(con: duckdb.DuckDBPyConnection, entries: list[Entry]) -> None:
    """Insert the entries' ledger rows (inside the caller's warehouse transaction)."""
    if not entries:
        return
    loads = {c: [getattr(e, c) for e in entries] for c in _LOAD_COLUMNS}
    loads["row_count"] = [e.row_count for e in entries]
    loads["problem_count"] = [e.problem_count for e in entries]
    _insert(con, "ingest.loads", pa.table(loads))
    tables = [(e.load_id, t, n) for e in entries for t, n in e.tables.items()]
    _insert(con, "ingest.load_tables", _rows(("load_id", "table_name", "row_count"), tables))
    problems = [
        (e.load_id, i, p.file, p.row, p.column, p.value, p.rule, p.message)
        for e in entries
        for i, p in enumerate(e.problems, start=1)
    ]
    names = ("load_id", "seq", "file", "row", "column", "value", "rule", "message")
    _insert(con, "ingest.load_problems", _rows(names, problems))
    rules = [(e.load_id, r, n) for e in entries for r, n in e.rules.items()]
    _insert(con, "ingest.load_rules", _rows(("load_id", "rule", "problem_count"), rules))


def supersede(con: duckdb.DuckDBPyConnection, replaced: dict[int, int]) -> None:
    """Mark committed loads superseded: ``replaced`` maps each to the load that replaced it."""
    if not replaced:
        return
    pairs = pa.table({"load_id": list(replaced), "replaced_by": list(replaced.values())})
    con.register("superseded_loads", pairs)
    try:
        con.execute(
            "UPDATE ingest.loads AS l SET status = ?, replaced_by = s.replaced_by "
            "FROM superseded_loads AS s WHERE l.load_id = s.load_id",
            [SUPERSEDED],
        )
    finally:
        con.unregister("superseded_loads")


def _rows(names: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> pa.Table:
    columns = list(zip(*rows, strict=True)) or [()] * len(names)
    return pa.table({n: list(c) for n, c in zip(names, columns, strict=True)})


def _insert(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    if data.num_rows == 0:
        return
    con.register("ledger_rows", data)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM ledger_rows")  # table: a constant
    finally:
        con.unregister("ledger_rows")
