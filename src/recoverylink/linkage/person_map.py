"""Pseudonymous person ids, and writing the person map and links to the warehouse.

A person's id is a keyed HMAC-SHA256 (key: ``RECOVERYLINK_PSEUDONYM_KEY``) of
the smallest ``source|key`` among its records (keys as in
``truth/records.csv``), so the same person gets the same id from one run to the
next while that record is in the stores, and nobody without the key can
compute it. The warehouse tables are declared in ``sql/person_map.sql``.
"""

from __future__ import annotations

import hmac
from pathlib import Path

import duckdb
import pandas as pd

from recoverylink.config import DuckDBConfig
from recoverylink.linkage.inputs import WAREHOUSE_FILE
from recoverylink.linkage.sqlfiles import sql_block

PERSON_ID_PREFIX = "P"
_CONTEXT = b"recoverylink person v1|"


def person_id(key: bytes, canonical: str) -> str:
    """The pseudonymous id of the person whose smallest ``source|key`` is ``canonical``.

    >>> person_id(b"k" * 32, "pnc|06/123456A")
    'Pa9fc5aa3ad9884b2386061ed'
    """
    # hmac.digest: the one-shot C implementation (a scale-1 run makes 3 million)
    digest = hmac.digest(key, _CONTEXT + canonical.encode("utf-8"), "sha256").hex()
    return PERSON_ID_PREFIX + digest[:24]


def person_ids(key: bytes, records: pd.DataFrame) -> pd.Series:
    """Person id of each record of ``records`` (source, key, cluster), in its order."""
    canonical = (records["source"] + "|" + records["key"]).groupby(records["cluster"]).transform(
        "min"
    )
    lookup = {c: person_id(key, c) for c in canonical.unique()}
    return canonical.map(lookup)


def connect_warehouse(data_dir: Path, settings: DuckDBConfig) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(
        str(data_dir / WAREHOUSE_FILE),
        config={"memory_limit": settings.memory_limit, "threads": settings.threads},
    )


def write_results(
    con: duckdb.DuckDBPyConnection,
    person_map: pd.DataFrame,
    links: pd.DataFrame,
    run: dict[str, object],
    demographics: pd.DataFrame,
) -> None:
    """Replace the person map and links with this run's, and add the run, in one transaction."""
    con.execute(sql_block("person_map", "schema"))
    con.register("new_person_map", person_map)
    con.register("new_links", links)
    con.register("new_demographics", demographics)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(sql_block("person_map", "replace"))
        columns = ", ".join(run)
        marks = ", ".join("?" for _ in run)
        con.execute(f"INSERT INTO link.runs ({columns}) VALUES ({marks})", list(run.values()))
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    con.unregister("new_person_map")
    con.unregister("new_links")
    con.unregister("new_demographics")
