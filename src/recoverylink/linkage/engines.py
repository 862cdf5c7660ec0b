"""Where Splink runs: DuckDB (the default) or Spark. Every difference between them is here.

An engine gives Splink its database API, takes the linkage input as a pyarrow
table and hands predictions back as pandas; the settings, the SQL of the
comparisons and everything around Splink are the same on both.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pandas as pd
import pyarrow as pa

from recoverylink.config import DuckDBConfig
from recoverylink.errors import InputError

ENGINES = ("duckdb", "spark")

_log = logging.getLogger(__name__)


class EngineError(InputError):
    """An engine that cannot be used: unknown, or its software is not installed."""


class Engine(Protocol):
    name: str

    def db_api(self) -> Any: ...

    def register(self, table: pa.Table, name: str) -> Any: ...

    def to_pandas(self, splink_frame: Any) -> pd.DataFrame: ...

    def close(self) -> None: ...


class DuckDBEngine:
    """Splink on its own DuckDB database (a file in a temporary folder), with the
    ``[duckdb]`` memory limit and threads and spilling to that folder."""

    name = "duckdb"

    def __init__(self, settings: DuckDBConfig, work_dir: Path | None = None) -> None:
        from splink import DuckDBAPI

        self._tmp = tempfile.TemporaryDirectory(prefix="recoverylink-link-", dir=work_dir)
        folder = Path(self._tmp.name)
        self.con = duckdb.connect(
            str(folder / "splink.duckdb"),
            config={
                "memory_limit": settings.memory_limit,
                "threads": settings.threads,
                "temp_directory": str(folder / "spill"),
                "preserve_insertion_order": False,
            },
        )
        self._api = DuckDBAPI(connection=self.con)

    def db_api(self) -> Any:
        return self._api

    def register(self, table: pa.Table, name: str) -> Any:
        return self._api.register(table, dataset_display_name=name)

    def to_pandas(self, splink_frame: Any) -> pd.DataFrame:
        return splink_frame.as_duckdbpyrelation().to_df()

    def close(self) -> None:
        self.con.close()
        self._tmp.cleanup()


class SparkEngine:
    """Splink's Spark backend. Without a running session, starts one in local mode
    (two cores unless ``master`` says otherwise), small shuffles, checkpoints in a
    temporary folder."""

    name = "spark"

    def __init__(self, master: str = "local[2]", driver_memory: str = "4g") -> None:
        try:
            from pyspark.sql import SparkSession
            from splink import SparkAPI
            from splink.backends.spark import similarity_jar_location
        except ImportError as err:
            raise EngineError(
                "--engine spark needs pyspark: pip install 'recoverylink[spark]'"
            ) from err
        self._tmp = tempfile.TemporaryDirectory(prefix="recoverylink-spark-")
        self.spark = (
            SparkSession.builder.master(master)
            .appName("recoverylink-link")
            .config("spark.driver.memory", driver_memory)
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            .config("spark.ui.showConsoleProgress", "false")
            # small local jobs: compiling generated code costs more than it saves
            .config("spark.sql.codegen.wholeStage", "false")
            .config("spark.sql.adaptive.enabled", "false")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.local.dir", self._tmp.name)
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")
        self.spark.sparkContext.setCheckpointDir(str(Path(self._tmp.name) / "checkpoints"))
        self._api = SparkAPI(
            spark_session=self.spark,
            break_lineage_method="persist",
            num_partitions_on_repartition=2,
        )

    def db_api(self) -> Any:
        return self._api

    def register(self, table: pa.Table, name: str) -> Any:
        frame = self.spark.createDataFrame(table.to_pandas())
        return self._api.register(frame, dataset_display_name=name)

    def to_pandas(self, splink_frame: Any) -> pd.DataFrame:
        return splink_frame.as_spark_dataframe().toPandas()

    def close(self) -> None:
        """Stop the session, then remove its folder. A session left running would be
        handed, by ``getOrCreate``, to the next engine in this process with its
        local folder gone."""
        self.spark.stop()
        self._tmp.cleanup()


def open_engine(name: str, settings: DuckDBConfig, work_dir: Path | None = None) -> Engine:
    if name == "duckdb":
        return DuckDBEngine(settings, work_dir)
    if name == "spark":
        return SparkEngine()
    raise EngineError(f"unknown engine {name!r}: use one of {', '.join(ENGINES)}")
