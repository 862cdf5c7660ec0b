"""Looking at the stores from outside, and working out what they should hold from the files.

``store_rows`` reads the stores through ``Stores.open`` (so recovery runs
first) and puts each record back together: its content from the warehouse and
its identifiers from the identity store, joined on record_id, with the PNC id
of a disposal found through its nominal_record_id. ``file_rows`` reads CSV
files with Python's csv module, independently of the pipeline, and gives the
same shape. Both are ``{table: Counter of (file name, line, value per spec
column)}``, every value as text ("" for missing).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import duckdb

from recoverylink.config import DuckDBConfig
from recoverylink.ingest.stores import Stores
from recoverylink.spec import columns, identifier_columns

SETTINGS = DuckDBConfig(memory_limit="1GB", threads=1)

# spec table -> (warehouse table, identity table or None)
SOURCES = {
    "episodes": ("raw.treatment_episodes", "identity.treatment_episodes"),
    "interventions": ("raw.treatment_interventions", None),
    "top": ("raw.treatment_top", None),
    "nominals": ("raw.pnc_nominals", "identity.pnc_nominals"),
    "aliases": ("raw.pnc_aliases", "identity.pnc_aliases"),
    "disposals": ("raw.pnc_disposals", None),
    "drug_tests": ("raw.drug_tests", "identity.drug_tests"),
    "deaths": ("raw.deaths", "identity.deaths"),
}
ZIP_TABLES = {"treatment": ("episodes", "interventions", "top"),
              "pnc": ("nominals", "aliases", "disposals")}  # fmt: skip

Rows = dict[str, Counter[tuple[str, ...]]]


def _select(table: str) -> str:
    warehouse, identity = SOURCES[table]
    identifiers = identifier_columns(table)
    values = []
    for column in columns(table):
        if column in identifiers and identity is not None:
            source = f"i.{column}"
        elif column == "pnc_id":
            source = "p.pnc_id"
        else:
            source = f"w.{column}"
        values.append(f"coalesce(CAST({source} AS VARCHAR), '')")
    joins = f"LEFT JOIN {identity} AS i ON i.record_id = w.record_id " if identity else ""
    if table == "disposals":
        joins += "LEFT JOIN identity.pnc_ids AS p ON p.record_id = w.nominal_record_id "
    return (
        f"SELECT l.file_name, CAST(w.source_row AS VARCHAR), {', '.join(values)} "
        f"FROM {warehouse} AS w JOIN ingest.loads AS l ON l.load_id = w.load_id {joins}"
    )


def store_rows(data_dir: Path) -> Rows:
    """Every record in the stores, put back together (recovery runs first)."""
    with Stores.open(data_dir, SETTINGS) as stores:
        return {t: Counter(stores.con.execute(_select(t)).fetchall()) for t in SOURCES}


def broken_links(data_dir: Path) -> dict[str, int]:
    """Counts of record-id links that do not lead where they should (all should be 0)."""
    checks = {
        "intervention without its episode": """
            SELECT count(*) FROM raw.treatment_interventions AS c
            LEFT JOIN raw.treatment_episodes AS e ON e.record_id = c.episode_record_id
                AND e.load_id = c.load_id AND e.episode_ref = c.episode_ref
                AND e.provider_code = c.provider_code
            WHERE e.record_id IS NULL""",
        "top without its episode": """
            SELECT count(*) FROM raw.treatment_top AS c
            LEFT JOIN raw.treatment_episodes AS e ON e.record_id = c.episode_record_id
                AND e.load_id = c.load_id AND e.episode_ref = c.episode_ref
            WHERE e.record_id IS NULL""",
        "alias not linked to its nominal's record": """
            SELECT count(*) FROM raw.pnc_aliases AS a
            JOIN identity.pnc_aliases AS ia USING (record_id)
            LEFT JOIN identity.pnc_nominals AS n ON n.pnc_id = ia.pnc_id
            WHERE n.record_id IS DISTINCT FROM a.nominal_record_id""",
        "disposal not linked to a current nominal": """
            SELECT count(*) FROM raw.pnc_disposals AS d
            LEFT JOIN raw.pnc_nominals AS n ON n.record_id = d.nominal_record_id
            WHERE n.record_id IS NULL""",
        "drug test linked to another PNC id": """
            SELECT count(*) FROM raw.drug_tests AS d
            JOIN identity.drug_tests AS i USING (record_id)
            LEFT JOIN identity.pnc_ids AS p ON p.record_id = d.nominal_record_id
            WHERE coalesce(i.pnc_id, '') <> coalesce(p.pnc_id, '')""",
        "record id used twice": """
            SELECT count(*) - count(DISTINCT record_id) FROM (
                SELECT record_id FROM raw.treatment_episodes
                UNION ALL SELECT record_id FROM raw.treatment_interventions
                UNION ALL SELECT record_id FROM raw.treatment_top
                UNION ALL SELECT record_id FROM raw.pnc_nominals
                UNION ALL SELECT record_id FROM raw.pnc_aliases
                UNION ALL SELECT record_id FROM raw.pnc_disposals
                UNION ALL SELECT record_id FROM raw.drug_tests
                UNION ALL SELECT record_id FROM raw.deaths)""",
    }
    with Stores.open(data_dir, SETTINGS) as stores:
        return {name: int(stores.con.execute(sql).fetchone()[0]) for name, sql in checks.items()}


def _records(data: bytes) -> list[tuple[int, list[str]]]:
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    out = []
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return out[1:]  # the header
        if record:
            out.append((start, record))


def file_rows(paths: Iterable[Path]) -> Rows:
    """What the stores should hold if exactly these files were the current loads.

    Non-consenting episodes keep no attributors: their client_ref is not stored.
    """
    rows: Rows = {t: Counter() for t in SOURCES}

    def add(table: str, name: str, data: bytes) -> None:
        records = _records(data)
        header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        order = [header.index(c) for c in columns(table)]
        for line, record in records:
            values = [record[i] for i in order]
            if table == "episodes" and values[columns(table).index("consent")] == "n":
                values[columns(table).index("client_ref")] = ""
            rows[table][(name, str(line), *values)] += 1

    for path in paths:
        kind = path.name.split("_")[0]
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for table in ZIP_TABLES[kind]:
                    add(table, path.name, archive.read(f"{table}.csv"))
        elif path.name.startswith("drug_tests"):
            add("drug_tests", path.name, path.read_bytes())
        elif path.name.startswith("deaths"):
            add("deaths", path.name, path.read_bytes())
    return rows


def all_tables(data_dir: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of both stores, sorted: for comparing whole stores."""
    out: dict[str, list[tuple[object, ...]]] = {}
    with Stores.open(data_dir, SETTINGS) as stores:
        con = stores.con
        for catalog, schema, table in con.execute(
            "SELECT database_name, schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name IN ('warehouse', 'identity') ORDER BY ALL"
        ).fetchall():
            name = f"{catalog}.{schema}.{table}"
            out[name] = sorted(
                con.execute(f"SELECT * FROM {name}").fetchall(), key=lambda r: tuple(map(str, r))
            )
    return out


def fingerprints(data_dir: Path) -> dict[str, tuple[int, int]]:
    """Row count and an order-free checksum (sum of row hashes) of every table of both stores."""
    out: dict[str, tuple[int, int]] = {}
    with Stores.open(data_dir, SETTINGS) as stores:
        con = stores.con
        for catalog, schema, table in con.execute(
            "SELECT database_name, schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name IN ('warehouse', 'identity') ORDER BY ALL"
        ).fetchall():
            name = f"{catalog}.{schema}.{table}"
            count, total = con.execute(
                f"SELECT count(*), coalesce(sum(CAST(hash(t) AS HUGEINT)), 0) FROM {name} AS t"
            ).fetchone()
            out[name] = (int(count), int(total))
    return out


def read_only(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)
