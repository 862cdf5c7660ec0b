"""The same models on Spark (local mode) give the same links and person map as on DuckDB.

Two of the six jobs keep the test short (Spark plans every small query afresh):
``treatment_pnc`` (initials against names, nickname initials, places) and
``deaths_pnc`` (names: exact, nicknames, edit distance). Both engines score
with the models the shared run trained, then cluster and write as usual.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
from conftest import KEY, Linked

from recoverylink.config import DuckDBConfig
from recoverylink.linkage.jobs import job_named
from recoverylink.linkage.pipeline import LinkOptions, run_linkage

JOBS = (job_named("treatment_pnc"), job_named("deaths_pnc"))


def _run(engine: str, linked: Linked, folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    shutil.copytree(linked.data_dir, folder, ignore=shutil.ignore_patterns("landing", "linkage"))
    run_linkage(
        LinkOptions(
            data_dir=folder,
            duckdb=DuckDBConfig(memory_limit="2GB", threads=2),
            pseudonym_key=KEY.encode(),
            engine=engine,
            models_dir=linked.data_dir / "linkage" / "models" / "current",
            jobs=JOBS,
        )
    )
    with duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True) as con:
        links = con.execute(
            "SELECT job, record_id_l, record_id_r, match_probability, accepted, refused_by "
            "FROM link.links WHERE method = 'model' ORDER BY job, record_id_l, record_id_r"
        ).df()
        person_map = con.execute(
            "SELECT record_id, person_id FROM link.person_map ORDER BY record_id"
        ).df()
    return links, person_map


def test_spark_gives_the_same_links_as_duckdb(linked: Linked, tmp_path: Path) -> None:
    duck_links, duck_map = _run("duckdb", linked, tmp_path / "duckdb")
    spark_links, spark_map = _run("spark", linked, tmp_path / "spark")

    assert set(duck_links["job"]) == {"treatment_pnc", "deaths_pnc"}
    assert duck_links["accepted"].sum() > 500  # the comparison is not vacuous
    columns = ["job", "record_id_l", "record_id_r", "accepted", "refused_by"]
    pd.testing.assert_frame_equal(spark_links[columns], duck_links[columns])
    difference = (spark_links["match_probability"] - duck_links["match_probability"]).abs()
    assert difference.max() < 1e-9
    pd.testing.assert_frame_equal(spark_map, duck_map)
