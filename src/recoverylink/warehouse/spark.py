"""The mart and the indicator counts on Spark, from the same SQL files as on DuckDB.

The SQL is written once, in DuckDB's dialect (``warehouse/sql``,
``indicators/sql``), and sqlglot translates it for Spark. Running it here is
the check that each block means the same on both engines (the tests compare
the results on the hand-made episodes), and the path for data at national
scale, beyond one DuckDB file on one machine.

Spark's temporary views cannot live in a schema, so the tables the SQL reads
from other schemas are copied from DuckDB into views with flat names
(``raw.deaths`` becomes ``raw__deaths``, and the SQL is rewritten to match),
and each block's query is taken out of its ``CREATE OR REPLACE [TEMP] TABLE``
and registered as a cached view named after the table. The blocks run in the
order DuckDB runs them, so each finds the views the earlier ones made.

The SQL keeps to what means the same on both engines. One trap found this
way: in a ``HAVING`` after ``GROUPING SETS`` DuckDB reads a name as the grouped
column and Spark as the ``SELECT``'s alias of that name, so counts.sql filters
grouped rows in an outer ``WHERE`` instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import duckdb
import pandas as pd
import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from recoverylink.indicators import counts
from recoverylink.warehouse.build import STEPS, sql_block

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

COUNT_BLOCKS = ("person_periods", "person_counts", "wait_counts", "areas")
"""The blocks :func:`recoverylink.indicators.counts.prepare` runs, in its order."""

PERIODS_SCHEMA = pa.schema(
    [
        ("period_type", pa.string()),
        ("period", pa.string()),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
        ("follow_up_complete", pa.bool_()),
    ]
)



def flat_name(schema: str, table: str) -> str:
    """The view that stands for ``schema.table`` on Spark."""
    return f"{schema}__{table}"


@dataclass(frozen=True)
class SparkBlock:
    """One SQL block in Spark's dialect."""

    name: str
    """``file.block``, for error messages."""
    table: str | None
    """The table the block creates (its view on Spark); None for a plain query."""
    sql: str
    reads: frozenset[tuple[str, str]]
    """The ``(schema, table)`` pairs it reads from other schemas."""


def translate(name: str, text: str) -> SparkBlock:
    """A DuckDB block as a Spark query: its ``CREATE`` dropped, schema-qualified tables flat."""
    tree = sqlglot.parse_one(text, read="duckdb")
    table = None
    if isinstance(tree, exp.Create):
        table = tree.this.name
        tree = tree.expression
    reads = set()
    for node in tree.find_all(exp.Table):
        if node.db:
            reads.add((node.db, node.name))
            if not node.alias:  # columns may still say ``deaths.x``
                node.set("alias", exp.TableAlias(this=exp.to_identifier(node.name)))
            node.set("this", exp.to_identifier(flat_name(node.db, node.name)))
            node.set("db", None)
    sql = tree.sql(dialect="spark", unsupported_level=ErrorLevel.RAISE)
    return SparkBlock(name, table, sql, frozenset(reads))


def copy_tables(
    con: duckdb.DuckDBPyConnection, spark: SparkSession, tables: Iterable[tuple[str, str]]
) -> None:
    """Copy DuckDB tables (``(schema, table)`` pairs) into Spark views with flat names.

    Through the driver's memory: for tests and modest data. At national scale
    the same views would be made from files Spark reads itself (Parquet).
    """
    for schema, table in sorted(set(tables)):
        arrow = con.sql(f'SELECT * FROM "{schema}"."{table}"').to_arrow_table()
        spark.createDataFrame(arrow).createOrReplaceTempView(flat_name(schema, table))


def run_block(spark: SparkSession, block: SparkBlock) -> DataFrame:
    """Run one block; one that creates a table leaves a cached view of that name."""
    try:
        frame = spark.sql(block.sql)
    except Exception as err:
        raise RuntimeError(f"{block.name} does not run on Spark: {err}") from err
    if block.table is not None:
        frame = frame.cache()
        frame.createOrReplaceTempView(block.table)
    return frame


def build_on_spark(
    con: duckdb.DuckDBPyConnection,
    spark: SparkSession,
    data_end: date,
    person_ids: pd.DataFrame | None = None,
) -> dict[str, DataFrame]:
    """The mart's tables (:data:`~recoverylink.warehouse.build.STEPS`), built on Spark.

    ``con`` holds the stores (``raw``, ``ingest``, ``ref``, ``link``);
    ``person_ids`` (``record_id, person_id, match_probability``) says who is who,
    by default the last linkage run's ``link.person_map``.
    """
    blocks = [translate(f"{name}.{block}", sql_block(name, block)) for name, block in STEPS]
    copy_tables(con, spark, (pair for block in blocks for pair in block.reads))
    if person_ids is None:
        ids = con.sql(
            "SELECT record_id, person_id, match_probability FROM link.person_map"
        ).to_arrow_table()
    else:
        columns = ["record_id", "person_id", "match_probability"]
        ids = pa.Table.from_pandas(person_ids[columns], preserve_index=False)
    spark.createDataFrame(ids).createOrReplaceTempView("person_ids")
    spark.createDataFrame([(data_end,)], "data_end DATE").createOrReplaceTempView("build_info")
    return {str(block.table): run_block(spark, block) for block in blocks}


def counts_on_spark(
    con: duckdb.DuckDBPyConnection,
    spark: SparkSession,
    periods: pd.DataFrame,
    population_scale: float = 1.0,
) -> DataFrame:
    """Every indicator's numerator and denominator on Spark, after :func:`build_on_spark`.

    ``periods`` is :func:`recoverylink.indicators.counts.periods`' frame. The
    rows are those of :func:`recoverylink.indicators.counts.counts`, unsorted.
    """
    blocks = [translate(f"counts.{block}", counts.sql_block(block)) for block in COUNT_BLOCKS]
    final = translate("counts.counts", counts.sql_block("counts"))
    copy_tables(con, spark, (pair for block in [*blocks, final] for pair in block.reads))
    table = pa.Table.from_pandas(
        periods[PERIODS_SCHEMA.names], schema=PERIODS_SCHEMA, preserve_index=False
    )
    spark.createDataFrame(table).createOrReplaceTempView("periods")
    spark.createDataFrame(
        [(float(population_scale),)], "population_scale DOUBLE"
    ).createOrReplaceTempView("indicator_settings")
    for block in blocks:
        run_block(spark, block)
    return run_block(spark, final)
