"""A whole synthetic England (scale 0.01) loads cleanly, twice, and nothing identifying leaks."""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

import storeview
from conftest import LoadedEngland

from recoverylink.ingest.files import REFERENCE_TABLES
from recoverylink.ingest.stores import IDENTITY_FILE, WAREHOUSE_FILE


def latest_files(folder: Path) -> list[Path]:
    """Worked out from the file names alone: the files whose rows should be in the stores.

    The last month of each provider's financial year (April to March), and every
    PNC extract's latest, drug test month and deaths year.
    """
    latest: dict[tuple[str, int], tuple[tuple[int, int], Path]] = {}
    for path in folder.glob("treatment/*/treatment_*.zip"):
        match = re.fullmatch(r"treatment_(.+)_(\d{4})-(\d{2})\.zip", path.name)
        assert match is not None
        provider, year, month = match[1], int(match[2]), int(match[3])
        key = (provider, year if month >= 4 else year - 1)
        if key not in latest or (year, month) > latest[key][0]:
            latest[key] = ((year, month), path)
    pnc = max(folder.glob("pnc/pnc_*.zip"))
    return [p for _, p in latest.values()] + [pnc, *folder.glob("drug_tests/*.csv"),
                                              *folder.glob("deaths/*.csv")]  # fmt: skip


def test_every_file_loads_cleanly(loaded_england: LoadedEngland) -> None:
    first = loaded_england.first
    assert first.code == 0, first.out + first.err
    files = sorted(p for p in loaded_england.folder.rglob("*") if p.is_file()
                   and "truth" not in p.parts and p.name != "manifest.json")  # fmt: skip
    with storeview.read_only(loaded_england.data_dir / WAREHOUSE_FILE) as con:
        ledger = dict(con.execute("SELECT file_name, status FROM ingest.loads").fetchall())
    # Every file received once, none rejected or refused.
    assert sorted(ledger) == sorted(p.name for p in files)
    assert set(ledger.values()) == {"current", "superseded"}
    assert "Not loaded" not in first.out


def test_the_stores_hold_exactly_the_latest_files(loaded_england: LoadedEngland) -> None:
    expected = storeview.file_rows(latest_files(loaded_england.folder))
    assert sum(map(len, expected.values())) > 100_000
    assert storeview.store_rows(loaded_england.data_dir) == expected
    assert set(storeview.broken_links(loaded_england.data_dir).values()) == {0}


def test_the_ledger_chains_each_providers_months(loaded_england: LoadedEngland) -> None:
    with storeview.read_only(loaded_england.data_dir / WAREHOUSE_FILE) as con:
        rows = con.execute(
            "SELECT slot, period, load_id, status, replaces, replaced_by FROM ingest.loads "
            "WHERE kind = 'treatment' ORDER BY slot, period"
        ).fetchall()
    by_slot = defaultdict(list)
    for row in rows:
        by_slot[row[0]].append(row[1:])
    for chain in by_slot.values():
        last = chain[-1]
        assert last[2] == "current" and last[4] is None
        for (_, load, status, _, replaced_by), (_, nxt, _, replaces, _) in pairwise(chain):
            assert status == "superseded"
            assert replaced_by == nxt and replaces == load


def test_loading_the_folder_again_changes_nothing(loaded_england: LoadedEngland) -> None:
    second = loaded_england.second
    assert second.code == 0, second.out + second.err
    assert "Not loaded" not in second.out
    assert re.search(r"… and 16,\d{3} more files unchanged", second.out)
    assert re.search(r"treatment\s+│\s+16,\d{3}\s+│\s+│\s+│\s+16,\d{3}\s+│", second.out)
    assert loaded_england.tables("second") == loaded_england.tables("first")


def test_status_reports_what_was_loaded(loaded_england: LoadedEngland) -> None:
    status = loaded_england.status
    assert status.code == 0
    with storeview.read_only(loaded_england.data_dir / WAREHOUSE_FILE) as con:
        (current,) = con.execute(
            "SELECT count(*) FROM ingest.loads WHERE status = 'current'"
        ).fetchone()
    assert f"Loaded: {current:,} files" in status.out
    assert "No file has been rejected or refused." in status.out
    assert re.search(r"treatment\s+│\s+1,3\d\d\s+│", status.out)


# Privacy ------------------------------------------------------------------------------


DOB_TABLES = ("treatment_episodes", "pnc_nominals", "pnc_aliases", "drug_tests", "deaths")


def identity_values(data_dir: Path) -> dict[str, set[str]]:
    """Every identifier value in the identity store, by kind, as text."""
    with storeview.read_only(data_dir / IDENTITY_FILE) as con:

        def values(sql: str) -> set[str]:
            return {str(v) for (v,) in con.execute(sql).fetchall() if v is not None and v != ""}

        names = set()
        for table in ("pnc_nominals", "pnc_aliases", "deaths"):
            names |= values(f"SELECT surname FROM {table}")
            names |= values(f"SELECT forenames FROM {table}")
        full = set()
        for table in ("pnc_nominals", "pnc_aliases", "deaths"):
            full |= values(f"SELECT forenames || ' ' || surname FROM {table}")
        initials_dob = set()
        for table in ("treatment_episodes", "drug_tests"):
            initials_dob |= values(
                f"SELECT first_initial || last_initial || ' ' || CAST(date_of_birth AS VARCHAR) "
                f"FROM {table}"
            )
        return {
            "name": names,
            "full name": full,
            "pnc id": values("SELECT pnc_id FROM pnc_ids")
            | values("SELECT pnc_id FROM drug_tests"),
            "postcode": values("SELECT postcode FROM pnc_nominals")
            | values("SELECT postcode FROM deaths"),
            "postcode district": values("SELECT postcode_district FROM treatment_episodes"),
            "client ref": values("SELECT client_ref FROM treatment_episodes"),
            "date of birth": {
                v
                for t in DOB_TABLES
                for v in values(f"SELECT CAST(date_of_birth AS VARCHAR) FROM {t}")
            },
            "initials and date of birth": initials_dob,
        }


def test_no_identifier_reaches_the_warehouse(loaded_england: LoadedEngland) -> None:
    found = identity_values(loaded_england.data_dir)
    assert all(found.values()), "the identity store should hold every kind of identifier"
    text_kinds = ("name", "full name", "pnc id", "postcode", "postcode district", "client ref")
    leaks = []
    with storeview.read_only(loaded_england.data_dir / WAREHOUSE_FILE) as con:
        con.execute(f"ATTACH '{loaded_england.data_dir / IDENTITY_FILE}' AS identity (READ_ONLY)")
        columns = con.execute(
            "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE database_name = 'warehouse'"
        ).fetchall()
        assert len({(s, t) for s, t, _, _ in columns}) >= 15
        for schema, table, column, data_type in columns:
            name = f'warehouse.{schema}.{table}."{column}"'
            distinct = f"SELECT DISTINCT {name} FROM warehouse.{schema}.{table}"
            cells = {str(v) for (v,) in con.execute(distinct).fetchall()}
            for kind in text_kinds:
                same = cells & found[kind]
                if kind == "postcode district" and (schema, column) in CODED:
                    # ICD-10 and offence codes have the shape of a postcode district
                    # ('B20' is both); these columns hold only codes the spec lists.
                    continue
                if kind == "name" and f"{schema}.{table}" in PACKAGED:
                    continue  # place names ('Kent') equal to surnames; checked equal below
                if same:
                    leaks.append((name, kind, sorted(same)[:3]))
            if data_type == "DATE":
                # A date of birth in the warehouse row of the very record it belongs to.
                for identity_table, raw in IDENTITY_OF.items():
                    if raw != f"{schema}.{table}":
                        continue
                    (n,) = con.execute(
                        f"SELECT count(*) FROM warehouse.{raw} AS w JOIN identity.{identity_table}"
                        f' AS i USING (record_id) WHERE w."{column}" = i.date_of_birth'
                    ).fetchone()
                    if n:
                        leaks.append((name, "own date of birth", n))
    assert leaks == []


PACKAGED = {f"ref.{name.removesuffix('.csv')}": loader for name, loader in REFERENCE_TABLES.items()}


def test_reference_tables_are_the_packaged_ones(loaded_england: LoadedEngland) -> None:
    with storeview.read_only(loaded_england.data_dir / WAREHOUSE_FILE) as con:
        loaded = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() "
                                            "WHERE schema_name = 'ref'").fetchall()}  # fmt: skip
        for table, loader in PACKAGED.items():
            if table.split(".")[1] not in loaded:
                continue
            frame = con.execute(f"SELECT * EXCLUDE (load_id) FROM {table}").df()
            expected = loader()
            assert list(frame.columns) == list(expected.columns)
            assert frame.astype(str).values.tolist() == expected.astype(str).values.tolist()
    assert {"local_authorities", "police_forces", "offence_codes"} <= loaded


CODED = {("raw", "underlying_cause"), ("raw", "offence_code"), ("raw", "trigger_offence_code"),
         ("ref", "offence_code"), ("ref", "ho_code")}  # fmt: skip
"""Columns holding only codes of the spec's lists or formats."""
IDENTITY_OF = {
    "treatment_episodes": "raw.treatment_episodes",
    "pnc_nominals": "raw.pnc_nominals",
    "pnc_aliases": "raw.pnc_aliases",
    "drug_tests": "raw.drug_tests",
    "deaths": "raw.deaths",
}


def test_no_identifier_reaches_the_logs_or_the_output(loaded_england: LoadedEngland) -> None:
    found = identity_values(loaded_england.data_dir)
    log = (loaded_england.data_dir / "logs" / "ingest.log").read_text("utf-8")
    outputs = [loaded_england.first, loaded_england.second, loaded_england.status]
    text = "\n".join([log, *(r.out + r.err for r in outputs)])
    tokens = set(re.findall(r"[^\s│┃,;:()'\"]+", text))
    assert {"loaded", "unchanged", "treatment_P0600000101_2003-05.zip"} <= tokens
    for kind in ("name", "pnc id", "postcode", "client ref", "date of birth"):
        assert not tokens & found[kind], (kind, sorted(tokens & found[kind])[:5])
    words = text.split()
    pairs = {" ".join(words[i : i + 2]) for i in range(len(words) - 1)}
    assert not pairs & found["initials and date of birth"]
    assert not pairs & found["full name"]


def test_the_truth_folder_is_never_read(loaded_england: LoadedEngland) -> None:
    truth = loaded_england.folder / "truth"
    assert truth.is_dir()
    with storeview.read_only(loaded_england.data_dir / WAREHOUSE_FILE) as con:
        names = {n for (n,) in con.execute("SELECT file_name FROM ingest.loads").fetchall()}
    assert not names & ({p.name for p in truth.iterdir()} | {"manifest.json"})
    assert not list((loaded_england.data_dir / "landing").rglob("records.csv"))
    assert zipfile.is_zipfile(next((loaded_england.data_dir / "landing").rglob("*.zip")))
