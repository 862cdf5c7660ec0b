"""The one adapter between the linkage and the stores ingest writes.

Everything the linkage reads from ``identity.duckdb`` and ``warehouse.duckdb``
is in ``sql/inputs.sql``; a change to the stores' tables should only touch that
file and this module. Identifiers come only from the identity store; from the
warehouse only what is not an identifier (source keys, provider, local
authority, police force, links between records).

Only committed loads are read: the identity store is written before the
warehouse, so after an ingest killed between its two commits it may hold rows
of a load the ledger does not list. Every identity row is read through the
views of the ``committed`` block, which keep a row only when the ledger lists
its load as current and the warehouse holds the same record of the same load.
Nothing here writes to the identity store, so it can stay read-only for the
linkage account.

The result lives in the caller's working DuckDB connection:

- ``records`` (record_id, source, key, node_id, group_key): every linkable record;
- ``link_nodes``: one row per node, in the columns the models compare;
- ``rule_edges`` (node_l, node_r, rule): links the sources make themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from recoverylink.config import DuckDBConfig
from recoverylink.errors import InputError
from recoverylink.linkage.names import variant_rows
from recoverylink.linkage.sqlfiles import sql_block
from recoverylink.spec import reference

WAREHOUSE_FILE = "warehouse.duckdb"
IDENTITY_FILE = "identity.duckdb"

SOURCES = ("treatment", "pnc", "drug_tests", "deaths")
"""The sources, as named in ``records.source`` and in ``truth/records.csv``."""


class NothingToLinkError(InputError):
    """The data directory has no stores, or nothing linkable in them."""


@dataclass(frozen=True)
class StorePaths:
    warehouse: Path
    identity: Path

    @classmethod
    def of(cls, data_dir: Path) -> StorePaths:
        paths = cls(data_dir / WAREHOUSE_FILE, data_dir / IDENTITY_FILE)
        for path in (paths.warehouse, paths.identity):
            if not path.is_file():
                raise NothingToLinkError(
                    f"link: {path} does not exist: load submissions with "
                    f"`recoverylink ingest FILES --data-dir {data_dir}` first"
                )
        return paths


def load_inputs(con: duckdb.DuckDBPyConnection, data_dir: Path) -> dict[str, int]:
    """Read the stores into ``con`` (see the module docstring); returns nodes per source."""
    paths = StorePaths.of(data_dir)
    con.execute("ATTACH ? AS idn (READ_ONLY)", [str(paths.identity)])
    con.execute("ATTACH ? AS wh (READ_ONLY)", [str(paths.warehouse)])
    try:
        con.execute(sql_block("inputs", "committed"))
        las = reference.local_authorities()[["la_code", "police_force_code", "region_code"]]
        forces = reference.police_forces()[["force_code", "region_code"]]
        con.register("ref_las_frame", pa.Table.from_pandas(las, preserve_index=False))
        con.register("ref_forces_frame", pa.Table.from_pandas(forces, preserve_index=False))
        con.execute("CREATE OR REPLACE TABLE ref_las AS SELECT * FROM ref_las_frame")
        con.execute("CREATE OR REPLACE TABLE ref_forces AS SELECT * FROM ref_forces_frame")
        con.execute(sql_block("inputs", "records"))
        _check_unique(con, data_dir)
        con.execute(sql_block("inputs", "demographics"))
        forenames = [row[0] for row in con.execute(sql_block("inputs", "forenames")).fetchall()]
        con.execute(sql_block("inputs", "nodes"))
        con.execute(sql_block("inputs", "rule_edges"))
        con.execute(sql_block("inputs", "timeline"))
    finally:
        con.execute(sql_block("inputs", "uncommitted"))
        con.execute("DETACH idn")
        con.execute("DETACH wh")
    rows = variant_rows(forenames)
    variants = pa.table(
        {"name": [r[0] for r in rows], "variant": [r[1] for r in rows]},
        schema=pa.schema([("name", pa.string()), ("variant", pa.string())]),
    )
    con.register("name_variants_frame", variants)
    con.execute("CREATE OR REPLACE TABLE name_variants AS SELECT * FROM name_variants_frame")
    con.execute(sql_block("inputs", "link_nodes"))
    counts = dict(con.execute("SELECT source, count(*) FROM link_nodes GROUP BY source").fetchall())
    if not counts:
        raise NothingToLinkError(f"nothing linkable has been loaded into {data_dir}")
    return {source: int(counts.get(source, 0)) for source in SOURCES}


def _check_unique(con: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    """Refuse to link when a record id stands for two records (one record, one person)."""
    duplicates = con.execute(sql_block("inputs", "duplicate_records")).fetchall()
    if duplicates:
        ids = ", ".join(f"{record_id} ({n} rows)" for record_id, n in duplicates)
        raise InputError(
            f"the stores in {data_dir} hold more than one row for record ids {ids}: link "
            "stops rather than give one record two persons; the warehouse is damaged (restore "
            "it from a backup, or ingest the landing archive into a new data directory)"
        )


def nodes_of(con: duckdb.DuckDBPyConnection, source: str) -> pa.Table:
    """The nodes of one source, as Splink's input (a drug test linked to its nominal by
    its PNC id is no node: the ``nodes`` block leaves it out)."""
    return con.sql(
        "SELECT * EXCLUDE (source, is_alias) FROM link_nodes "
        "WHERE source = $source ORDER BY unique_id",
        params={"source": source},
    ).to_arrow_table()


@contextmanager
def attached_stores(
    data_dir: Path, settings: DuckDBConfig, warehouse_writable: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory connection with the identity store (``idn``, read-only) and the
    warehouse (``wh``, read-only unless asked) attached, and the views of committed
    identity rows (``committed_<table>``, see the module docstring)."""
    paths = StorePaths.of(data_dir)
    with duckdb.connect(
        config={"memory_limit": settings.memory_limit, "threads": settings.threads}
    ) as con:
        con.execute("ATTACH ? AS idn (READ_ONLY)", [str(paths.identity)])
        mode = "" if warehouse_writable else " (READ_ONLY)"
        con.execute(f"ATTACH ? AS wh{mode}", [str(paths.warehouse)])
        con.execute(sql_block("inputs", "committed"))
        yield con


def review_identities(data_dir: Path, settings: DuckDBConfig, node_ids: list[int]) -> pd.DataFrame:
    """What a clerical reviewer sees of each node: identifiers from the identity store,
    the local authority or police force from the warehouse."""
    with attached_stores(data_dir, settings) as con:
        con.register("review_nodes", pd.DataFrame({"node_id": pd.Series(node_ids, dtype="int64")}))
        return con.execute(sql_block("inputs", "review_identities")).df()


def record_keys(data_dir: Path, settings: DuckDBConfig) -> pd.DataFrame:
    """record_id, source and key (as in ``truth/records.csv``) of every linkable record."""
    with attached_stores(data_dir, settings) as con:
        return con.execute(sql_block("inputs", "record_keys")).df()


def write_demographics_without_linkage(
    data_dir: Path, settings: DuckDBConfig, run_id: str = "no-linkage"
) -> int:
    """Fill ``link.demographics`` of a warehouse no linkage has run on; returns its rows.

    The mart takes sex and age from ``link.demographics`` (the warehouse holds no
    date of birth), which the linkage writes. A truth-only mart (the synthetic
    check: true person ids, no linkage) needs them too; this writes the same
    rows the linkage would, and leaves a linkage run's rows alone.
    """
    with attached_stores(data_dir, settings, warehouse_writable=True) as con:
        con.execute(sql_block("inputs", "demographics"))
        con.execute("USE wh")
        con.execute(sql_block("person_map", "schema"))
        if con.execute("SELECT count(*) FROM link.demographics").fetchall()[0][0] == 0:
            con.execute(
                "INSERT INTO link.demographics "
                "SELECT record_id, source, sex, age, ? FROM memory.main.demographics",
                [run_id],
            )
        rows: int = con.execute("SELECT count(*) FROM link.demographics").fetchall()[0][0]
        con.execute("USE memory")
        con.execute("DETACH wh")
    return rows
