"""The mart and the indicator counts built on Spark equal DuckDB's (hand-made episodes).

The SQL is written once, in DuckDB's dialect; ``recoverylink.warehouse.spark``
runs it on Spark (local mode) after sqlglot translates it. Every column of
every mart table with rows (episode_top has none here; age_bands is a
constant), and every indicator's numerator and denominator at a population
scale of 0.5, must come out the same on both engines. One Spark session
serves the module and is stopped after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd
import pytest
from handmade_episodes import DATA_END, SETTINGS, build_stores

from recoverylink.indicators import counts as C
from recoverylink.linkage.engines import SparkEngine
from recoverylink.warehouse.build import BuildOptions, build
from recoverylink.warehouse.spark import build_on_spark, counts_on_spark

POPULATION_SCALE = 0.5  # not 1, so that the scaling is compared too
COUNT_KEYS = ("indicator_id", "period_type", "period", "level", "area_code", "substance_group")

Rows = list[tuple[Any, ...]]


@dataclass(frozen=True)
class Both:
    con: duckdb.DuckDBPyConnection
    spark_tables: dict[str, Any]
    duckdb_counts: pd.DataFrame
    spark_counts: Any


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    engine = SparkEngine()
    yield engine.spark
    engine.close()
    engine.close()


@pytest.fixture(scope="module")
def both(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Both]:
    data_dir = tmp_path_factory.mktemp("handmade-spark")
    build_stores(data_dir)
    result = build(BuildOptions(data_dir, SETTINGS))
    assert result.data_end == DATA_END
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    data_start, data_end = C.data_span(con, "mart")
    periods = C.prepare(con, "mart", C.CountsInput(data_start, data_end, POPULATION_SCALE))
    duckdb_counts = C.counts(con)
    tables = build_on_spark(con, spark, result.data_end)
    spark_counts = counts_on_spark(con, spark, periods, POPULATION_SCALE)
    yield Both(con, tables, duckdb_counts, spark_counts)
    con.close()


def _sorted(columns: list[str], rows: Rows, keys: tuple[str, ...]) -> Rows:
    at = [columns.index(key) for key in keys]
    return sorted(rows, key=lambda row: tuple(row[i] for i in at))


@pytest.mark.parametrize(
    ("table", "key", "rows"),
    [
        ("episodes", "episode_id", 26),
        ("journey_episodes", "episode_id", 26),
        ("journeys", "journey_id", 24),
        ("interventions", "intervention_id", 6),
        ("journey_waits", "journey_id", 5),
        ("offences", "disposal_id", 2),
        ("drug_tests", "test_id", 1),
        ("deaths", "death_id", 2),
        ("persons", "person_id", 20),
    ],
)
def test_mart_table_is_the_same_on_spark(both: Both, table: str, key: str, rows: int) -> None:
    cursor = both.con.execute(f"SELECT * FROM mart.{table}")
    duck_columns = [column[0] for column in cursor.description]
    duck_rows = _sorted(duck_columns, cursor.fetchall(), (key,))
    frame = both.spark_tables[table]
    spark_rows = _sorted(frame.columns, [tuple(row) for row in frame.collect()], (key,))

    assert frame.columns == duck_columns
    assert len(duck_rows) == rows  # the comparison is not vacuous
    for duck_row, spark_row in zip(duck_rows, spark_rows, strict=True):
        assert dict(zip(duck_columns, spark_row, strict=True)) == dict(
            zip(duck_columns, duck_row, strict=True)
        )


def test_indicator_counts_are_the_same_on_spark(both: Both) -> None:
    duck = both.duckdb_counts
    columns = list(duck.columns)
    duck_rows = _sorted(
        columns,
        list(duck.astype(object).where(duck.notna(), None).itertuples(index=False, name=None)),
        COUNT_KEYS,
    )
    frame = both.spark_counts
    spark_rows = _sorted(frame.columns, [tuple(row) for row in frame.collect()], COUNT_KEYS)

    assert frame.columns == columns
    assert len(duck_rows) > 100
    assert {row[0] for row in duck_rows} >= {"in_treatment", "waiting_under_3_weeks"}
    assert spark_rows == duck_rows
