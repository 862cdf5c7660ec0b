"""``recoverylink build``: the mart (persons, episodes, journeys, events) from the warehouse.

The business logic is in ``warehouse/sql/*.sql``, run in :data:`STEPS` order
with the mart schema as the default schema, in one transaction: a failed build
leaves the previous mart as it was.

Who is who comes from the last linkage run (``link.person_map``), or, for a
synthetic England, from its ``truth/records.csv`` (schema ``truth_mart``):
the same indicators computed both ways show what linkage error costs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from recoverylink.config import DuckDBConfig
from recoverylink.errors import InputError
from recoverylink.ingest.reference_tables import ensure_shipped
from recoverylink.linkage.inputs import WAREHOUSE_FILE, record_keys
from recoverylink.progress import NULL_PROGRESS, Progress
from recoverylink.sqlfiles import package_sql_blocks

MART = "mart"
TRUTH_MART = "truth_mart"

STEPS: tuple[tuple[str, str], ...] = (
    ("bands", "age_bands"),
    ("episodes", "episodes"),
    ("journeys", "journey_episodes"),
    ("offending", "offences"),
    ("offending", "drug_tests"),
    ("offending", "deaths"),
    ("journeys", "journeys"),
    ("interventions", "interventions"),
    ("interventions", "journey_waits"),
    ("interventions", "episode_top"),
    ("persons", "persons"),
)
"""(sql file, block) in the order they run; each block creates the table it is named after."""

SQL_FILES = tuple(dict.fromkeys(name for name, _ in STEPS))


class BuildError(InputError):
    """The mart cannot be built: no warehouse, no linkage run, or records not linked yet."""


@dataclass(frozen=True)
class BuildOptions:
    data_dir: Path
    duckdb: DuckDBConfig
    truth_dir: Path | None = None
    """A synthetic England's ``truth/`` folder: build ``truth_mart`` from its person ids."""

    @property
    def schema(self) -> str:
        return MART if self.truth_dir is None else TRUTH_MART


@dataclass
class BuildResult:
    schema: str
    data_end: date
    rows: dict[str, int]
    seconds: float
    person_source: str
    timings: dict[str, float] = field(default_factory=dict)


def sql_block(name: str, block: str) -> str:
    return package_sql_blocks("recoverylink.warehouse", name)[block]


def require_warehouse(
    data_dir: Path, step: str, error: type[InputError] = BuildError
) -> Path:
    """The warehouse's path; raises ``error`` naming ``step`` when nothing was loaded there.

    Every step after ingest starts with this (or a check of its own input), so a
    step run out of order says which step to run first.
    """
    path = data_dir / WAREHOUSE_FILE
    if not path.is_file():
        what = "does not exist" if not data_dir.exists() else "has no warehouse.duckdb"
        raise error(
            f"{step}: nothing has been loaded into {data_dir} (it {what}); run "
            f"`recoverylink ingest FILES... --data-dir {data_dir}` (or `recoverylink run`) first"
        )
    return path


def connect(
    data_dir: Path, settings: DuckDBConfig, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    path = require_warehouse(data_dir, "warehouse")
    return duckdb.connect(
        str(path),
        read_only=read_only,
        config={"memory_limit": settings.memory_limit, "threads": settings.threads},
    )


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ?",
        [schema, table],
    ).fetchall()[0][0]
    return bool(found)


def _data_end(con: duckdb.DuckDBPyConnection, data_dir: Path) -> date:
    """The last day of the newest treatment submission month loaded."""
    row = con.execute(
        "SELECT last_day(CAST(max(period) || '-01' AS DATE)) FROM ingest.loads "
        "WHERE kind = 'treatment' AND status = 'current'"
    ).fetchall()[0]
    if row[0] is None:
        raise BuildError(
            f"build: no treatment submission has been loaded into {data_dir}, so there is "
            f"nothing to build; load one with `recoverylink ingest FILES... --data-dir {data_dir}`"
        )
    value: date = row[0]
    return value


def _linkage_person_ids(con: duckdb.DuckDBPyConnection) -> None:
    """Fill ``person_ids`` from the last linkage run; refuse records loaded since."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE person_ids AS "
        "SELECT record_id, person_id, match_probability FROM link.person_map"
    )
    unlinked = con.execute(sql_block("checks", "unlinked")).fetchall()
    if unlinked:
        counts = ", ".join(f"{n:,} {source}" for source, n in unlinked)
        raise BuildError(
            f"build: records loaded since the last linkage run have no person ({counts}); "
            "run `recoverylink link` again, then build"
        )


def truth_person_ids(data_dir: Path, settings: DuckDBConfig, truth_dir: Path) -> pd.DataFrame:
    """``record_id, person_id, match_probability`` (1) of every linkable record from a
    synthetic England's truth.

    Records the truth does not know get no row (they become their own person,
    as records the linkage leaves alone do). Non-consenting episodes are left
    out as the linkage leaves them out: they are not linkable, whoever links.
    """
    records = truth_dir / "records.csv"
    if not records.is_file():
        raise BuildError(f"{records} does not exist: give a synthetic England's truth/ folder")
    truth = pd.read_csv(records, dtype=str)
    missing = {"source", "key", "person"} - set(truth.columns)
    if missing:
        raise BuildError(f"{records}: no column {', '.join(sorted(missing))}")
    keys = record_keys(data_dir, settings)
    merged = keys.merge(truth, on=["source", "key"], how="inner")
    merged["person_id"] = "truth:" + merged["person"]
    merged["match_probability"] = 1.0
    return merged[["record_id", "person_id", "match_probability"]]


def build(options: BuildOptions, progress: Progress = NULL_PROGRESS) -> BuildResult:
    """Build (or rebuild) the mart schema in the warehouse."""
    started = time.perf_counter()
    schema = options.schema
    require_warehouse(options.data_dir, "build")
    truth = (
        None
        if options.truth_dir is None
        else truth_person_ids(options.data_dir, options.duckdb, options.truth_dir)
    )
    with connect(options.data_dir, options.duckdb) as con:
        data_end = _data_end(con, options.data_dir)
        con.execute("BEGIN TRANSACTION")  # a warehouse made before they were: see ensure_shipped
        ensure_shipped(con)
        con.execute("COMMIT")
        if not _has_table(con, "link", "demographics"):
            raise BuildError(
                f"build: no linkage run in {options.data_dir} (or one from an older version); "
                f"run `recoverylink link --data-dir {options.data_dir}` first"
            )
        if truth is None:
            _linkage_person_ids(con)
            source = "linkage"
        else:
            con.register("truth_frame", truth)
            con.execute("CREATE OR REPLACE TEMP TABLE person_ids AS SELECT * FROM truth_frame")
            con.unregister("truth_frame")
            source = f"truth:{options.truth_dir}"
        progress.stage(f"building {schema}", len(STEPS))
        timings: dict[str, float] = {}
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            con.execute(f"CREATE SCHEMA {schema}")
            con.execute(f"SET schema = '{schema}'")
            con.execute(
                "CREATE TABLE build_info AS SELECT ?::DATE AS data_end, "
                "current_timestamp::TIMESTAMP AS built_at, ? AS person_source",
                [data_end, source],
            )
            for name, block in STEPS:
                clock = time.perf_counter()
                con.execute(sql_block(name, block))
                timings[block] = time.perf_counter() - clock
                progress.advance()
            rows = {
                table: int(con.execute(f"SELECT count(*) FROM {schema}.{table}").fetchall()[0][0])
                for _, table in STEPS
            }
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        progress.close()
    return BuildResult(
        schema=schema,
        data_end=data_end,
        rows=rows,
        seconds=time.perf_counter() - started,
        person_source=source,
        timings=timings,
    )
