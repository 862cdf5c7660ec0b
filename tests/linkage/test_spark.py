"""The same models on Spark (local mode) give the same links and the same person map as DuckDB."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
from conftest import Linked, Result


def _links_and_map(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        links = con.execute(
            "SELECT job, record_id_l, record_id_r, match_probability, accepted, refused_by "
            "FROM link.links WHERE method = 'model' ORDER BY job, record_id_l, record_id_r"
        ).df()
        person_map = con.execute(
            "SELECT record_id, person_id, match_probability FROM link.person_map ORDER BY record_id"
        ).df()
    return links, person_map


def test_spark_gives_the_same_links_as_duckdb(
    linked: Linked, data_copy: Path, cli: Callable[..., Result]
) -> None:
    models = linked.data_dir / "linkage" / "models" / "current"
    run = cli("link", "--data-dir", data_copy, "--engine", "spark", "--models", models)
    assert run.code == 0, run.out + run.err
    duck_links, duck_map = _links_and_map(linked.data_dir)
    spark_links, spark_map = _links_and_map(data_copy)

    assert len(duck_links) > 1000  # the comparison is not vacuous
    pd.testing.assert_frame_equal(
        spark_links[["job", "record_id_l", "record_id_r", "accepted", "refused_by"]],
        duck_links[["job", "record_id_l", "record_id_r", "accepted", "refused_by"]],
    )
    assert (spark_links["match_probability"] - duck_links["match_probability"]).abs().max() < 1e-9
    pd.testing.assert_frame_equal(spark_map[["record_id", "person_id"]],
                                  duck_map[["record_id", "person_id"]])
