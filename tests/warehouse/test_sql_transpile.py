"""Every warehouse and indicator SQL block transpiles from DuckDB to Spark SQL.

The SQL is written once, in DuckDB's dialect; at scale it runs on Spark after
sqlglot translates it. sqlglot raises on anything it cannot express in Spark.
"""

from __future__ import annotations

from importlib import resources

import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from recoverylink.sqlfiles import package_sql_blocks

PACKAGES = ("recoverylink.warehouse", "recoverylink.indicators", "recoverylink.studies")


def _blocks() -> list[tuple[str, str, str]]:
    found = []
    for package in PACKAGES:
        for path in sorted(resources.files(package).joinpath("sql").iterdir(), key=str):
            if path.name.endswith(".sql"):
                name = path.name.removesuffix(".sql")
                found.extend((package, name, block) for block in package_sql_blocks(package, name))
    return found


BLOCKS = _blocks()


def test_the_blocks_are_found() -> None:
    names = {(name, block) for _, name, block in BLOCKS}
    assert {("journeys", "journeys"), ("episodes", "episodes"), ("counts", "counts")} <= names
    assert len(BLOCKS) >= 15


@pytest.mark.parametrize(("package", "name", "block"), BLOCKS)
def test_block_transpiles_to_spark(package: str, name: str, block: str) -> None:
    text = package_sql_blocks(package, name)[block]
    spark = sqlglot.transpile(
        text, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE
    )
    assert len(spark) == 1 and spark[0].strip()
    # what DuckDB spells its own way comes out in Spark's spelling
    if "date_diff('day'" in text:
        assert "DATEDIFF(" in spark[0]
    assert "date_diff(" not in spark[0].lower().replace("datediff(", "")
