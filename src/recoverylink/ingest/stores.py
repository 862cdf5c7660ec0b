"""The two stores under the data directory, opened together, and recovery after a crash.

``warehouse.duckdb`` holds the ledger (``ingest.*``), the content of every
submission (``raw.*``) and reference tables (``ref.*``); ``identity.duckdb``
holds the identifiers, keyed by the same record ids (see ``sql/warehouse.sql``
and ``sql/identity.sql``). One DuckDB connection opens the warehouse and
attaches the identity store as ``identity``, with the ``[duckdb]`` settings
(memory limit, threads).

DuckDB cannot write two database files in one transaction, so a load commits
twice, in this order (docs/ingest.md, "Crash safety"):

1. the identity store: the new identifier rows, stamped with their load id;
2. the warehouse: the new content rows, the deletion of replaced rows and the
   ledger rows that make the new loads ``current``. This is the commit point.

Opening the stores for writing runs recovery (``sql/recover.sql``): identity
rows whose load is not current in the ledger are deleted, and archived files
that no ledger row names are removed (``landing.Landing.recover``). So whatever
moment a run is killed at, the stores as opened hold exactly the state after the
last warehouse commit. Readers that open them read-only (the linkage) do not
recover: they read identity rows only of loads the ledger lists as current
(``linkage/sql/inputs.sql``, block ``committed``). Opening also writes the
shipped reference tables the warehouse lacks (``reference_tables.ensure_shipped``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import duckdb

from recoverylink.config import DuckDBConfig
from recoverylink.errors import RecoveryLinkError
from recoverylink.ingest.landing import Landing
from recoverylink.ingest.reference_tables import ensure_shipped
from recoverylink.ingest.testhook import checkpoint
from recoverylink.sqlfiles import package_sql_blocks

WAREHOUSE_FILE = "warehouse.duckdb"
IDENTITY_FILE = "identity.duckdb"
IDENTITY = "identity"

Database = Literal["warehouse", "identity"]


class StoreError(RecoveryLinkError):
    """A store cannot be opened: in use by another process, missing or damaged."""


def sql_blocks(name: str) -> dict[str, str]:
    """The named blocks (``-- name: X``) of ``ingest/sql/<name>.sql``; ``all`` if unnamed."""
    return package_sql_blocks("recoverylink.ingest", name)


def quote_identifier(name: str) -> str:
    """A DuckDB identifier in double quotes (only ever used on names the code chose).

    >>> quote_identifier('local_authorities'), quote_identifier('a"b')
    ('"local_authorities"', '"a""b"')
    """
    return '"' + name.replace('"', '""') + '"'


def _connect(path: Path, settings: DuckDBConfig, read_only: bool) -> duckdb.DuckDBPyConnection:
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": settings.memory_limit,
        "threads": settings.threads,
    }
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.IOException as err:
        raise StoreError(_why(path, err)) from None


def _why(path: Path, err: Exception) -> str:
    text = str(err)
    if "lock" in text.lower():
        return (
            f"{path} is in use by another process (is another recoverylink ingest running?); "
            "try again when it has finished"
        )
    return f"cannot open {path}: {text.splitlines()[0] if text else type(err).__name__}"


class Stores:
    """The warehouse with the identity store attached, and the landing archive."""

    def __init__(self, data_dir: Path, con: duckdb.DuckDBPyConnection, writable: bool) -> None:
        self.data_dir = data_dir
        self.con = con
        self.writable = writable
        self.landing = Landing(data_dir)

    @classmethod
    def open(cls, data_dir: Path, settings: DuckDBConfig) -> Stores:
        """Open (creating if need be) both stores for writing, and run recovery."""
        data_dir.mkdir(parents=True, exist_ok=True)
        identity = data_dir / IDENTITY_FILE
        if (data_dir / WAREHOUSE_FILE).exists() and not identity.exists():
            raise StoreError(
                f"the identity store {identity} is missing (the warehouse beside it is not); "
                "put it back, or link it there if it lives on another volume"
            )
        con = _connect(data_dir / WAREHOUSE_FILE, settings, read_only=False)
        stores = cls(data_dir, con, writable=True)
        try:
            try:
                con.execute(f"ATTACH ? AS {IDENTITY}", [str(identity)])
            except duckdb.IOException as err:
                raise StoreError(_why(identity, err)) from None
            con.execute(sql_blocks("warehouse")["all"])
            con.execute(f"USE {IDENTITY}")
            con.execute(sql_blocks("identity")["all"])
            con.execute("USE warehouse")
            with stores.transaction("open: shipped reference tables"):
                ensure_shipped(con)
            stores.recover()
        except BaseException:
            con.close()
            raise
        return stores

    @classmethod
    def open_read_only(cls, data_dir: Path, settings: DuckDBConfig) -> Stores | None:
        """The warehouse alone, read-only (for status); None if nothing was ever loaded."""
        path = data_dir / WAREHOUSE_FILE
        if not path.exists():
            return None
        return cls(data_dir, _connect(path, settings, read_only=True), writable=False)

    def recover(self) -> list[str]:
        """Drop what a run that died left uncommitted; returns archived paths removed."""
        with self.transaction("recovery"):
            self.con.execute(sql_blocks("recover")["identity"])
        return self.landing.recover(self._named_in_ledger)

    def _named_in_ledger(self, paths: Iterable[str]) -> set[str]:
        wanted = sorted(set(paths))
        if not wanted:
            return set()
        rows = self.con.execute(
            "SELECT DISTINCT landing_path FROM ingest.loads WHERE list_contains(?, landing_path)",
            [wanted],
        ).fetchall()
        return {r[0] for r in rows}

    @contextmanager
    def transaction(self, label: str = "transaction") -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction, committed on leaving the block, rolled back on an error.

        DuckDB refuses a transaction that writes to both databases. ``label`` names
        its checkpoints (``testhook``) just before and just after the commit.
        """
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
            checkpoint(f"{label}: before commit")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")
        checkpoint(f"{label}: committed")

    def close(self) -> None:
        self.landing.close()
        self.con.close()

    def __enter__(self) -> Stores:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
