"""``link export-map``: the person map with source keys, for the linkage team's quality checks.

Writes ``source,key,person_id`` for every linked record, with ``key`` as in a
synthetic England's ``truth/records.csv`` (a treatment episode's
``provider_code|episode_ref``, a PNC id, a test id, a death id). PNC ids are
identifiers, so the file is for people with identity-store access only. A key
with several records (an episode in several financial years' submissions, a
nominal and its aliases) is written once.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pandas as pd

from recoverylink.config import DuckDBConfig
from recoverylink.errors import InputError
from recoverylink.ingest.report import spreadsheet_safe
from recoverylink.linkage.inputs import WAREHOUSE_FILE, record_keys


class ExportError(InputError):
    """Nothing to export: no stores, or no linkage run yet."""


def read_person_map(data_dir: Path, settings: DuckDBConfig) -> pd.DataFrame:
    path = data_dir / WAREHOUSE_FILE
    if not path.is_file():
        raise ExportError(f"{path} does not exist: load data and run `recoverylink link` first")
    with duckdb.connect(
        str(path), read_only=True,
        config={"memory_limit": settings.memory_limit, "threads": settings.threads},
    ) as con:
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'link' AND table_name = 'person_map'"
        ).fetchall()[0][0]
        if not exists:
            raise ExportError(f"no linkage run in {data_dir}: run `recoverylink link` first")
        return con.execute(
            "SELECT record_id, person_id, match_probability FROM link.person_map"
        ).df()


def export_map(data_dir: Path, settings: DuckDBConfig, out: Path) -> int:
    """Write the map to ``out``; returns the number of rows written."""
    people = read_person_map(data_dir, settings)
    keys = record_keys(data_dir, settings)
    merged = keys.merge(people, on="record_id", how="inner")
    rows: pd.DataFrame = merged.groupby(["source", "key"], as_index=False)[["person_id"]].min()
    rows = rows.sort_values(by=["source", "key"], kind="stable")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "key", "person_id"])
        for source, key, person in rows.itertuples(index=False):
            writer.writerow([source, spreadsheet_safe(str(key)), person])
    return len(rows)
