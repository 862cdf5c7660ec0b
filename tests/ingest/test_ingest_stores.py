"""The stores: settings, schemas free of identifiers, recovery, the landing archive."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
from builders import episode, providers_csv, treatment_zip

from recoverylink.config import DuckDBConfig
from recoverylink.ingest.files import find_files
from recoverylink.ingest.landing import JOURNAL, Landing, fingerprint
from recoverylink.ingest.loader import IngestRun
from recoverylink.ingest.stores import StoreError, Stores
from recoverylink.spec import TABLES, identifier_columns

RAW_OF = {
    "episodes": "treatment_episodes", "interventions": "treatment_interventions",
    "top": "treatment_top", "nominals": "pnc_nominals", "aliases": "pnc_aliases",
    "disposals": "pnc_disposals", "drug_tests": "drug_tests", "deaths": "deaths",
}  # fmt: skip


def test_every_connection_takes_the_duckdb_settings(tmp_path: Path) -> None:
    with Stores.open(tmp_path / "data", DuckDBConfig(memory_limit="300MB", threads=1)) as stores:
        limit, threads = stores.con.execute(
            "SELECT current_setting('memory_limit'), current_setting('threads')"
        ).fetchone()
    assert threads == 1
    assert limit in ("300.0 MB", "286.1 MiB")  # DuckDB shows it in its own units
    ro = Stores.open_read_only(tmp_path / "data", DuckDBConfig(memory_limit="200MB", threads=2))
    assert ro is not None
    with ro:
        assert ro.con.execute("SELECT current_setting('threads')").fetchone() == (2,)


def test_the_warehouse_has_no_identifier_columns(tmp_path: Path) -> None:
    identifiers = {c for t in TABLES for c in identifier_columns(t)}
    assert {"date_of_birth", "surname", "pnc_id", "client_ref", "sex"} <= identifiers
    with Stores.open(tmp_path / "data", DuckDBConfig("1GB", 1)) as stores:
        columns = stores.con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = 'warehouse'"
        ).fetchall()
        identity = stores.con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = 'identity'"
        ).fetchall()
    assert not {c for _, c in columns} & identifiers
    # and each table's identifiers are in the identity store (or, for a disposal's PNC id,
    # reached through its nominal; interventions and reviews have none)
    held = {c for _, c in identity}
    for spec_table, raw in RAW_OF.items():
        assert raw in {t for t, _ in columns}
        assert set(identifier_columns(spec_table)) <= held


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    with Stores.open(tmp_path / "data", DuckDBConfig("1GB", 1)):
        # DuckDB locks between processes; within one the same file is shared,
        # so the refusal is shown by a child process.
        import subprocess
        import sys

        code = (
            "from pathlib import Path; from recoverylink.config import DuckDBConfig;"
            "from recoverylink.ingest.stores import Stores, StoreError\n"
            "try:\n"
            f"    Stores.open(Path({str(tmp_path / 'data')!r}), DuckDBConfig('1GB', 1))\n"
            "except StoreError as e:\n"
            "    print(e)\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "in use by another process" in out.stdout
    assert issubclass(StoreError, Exception)


def test_recovery_drops_identity_rows_of_loads_never_committed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    folder = tmp_path / "in"
    providers_csv(folder, [("P1", "One", "E06000001")])
    treatment_zip(folder, "P1", "2021-05", [episode("P1", "E1")])
    with Stores.open(data, DuckDBConfig("1GB", 1)) as stores:
        IngestRun(stores).run(find_files([folder]))
        con = stores.con
        # What a run killed between its identity commit and its warehouse commit leaves.
        con.execute(
            "INSERT INTO identity.treatment_episodes VALUES "
            "(99, 77, 'C-X', 'A', 'B', DATE '1970-01-01', 'male', 'LS6')"
        )
        con.execute("INSERT INTO identity.pnc_ids VALUES ('01/000001A', 98, 77)")
    with Stores.open(data, DuckDBConfig("1GB", 1)) as stores:
        rows = stores.con.execute(
            "SELECT record_id, load_id FROM identity.treatment_episodes"
        ).fetchall()
        ids = stores.con.execute("SELECT count(*) FROM identity.pnc_ids").fetchone()
    assert rows == [(1, 2)]  # the one episode of load 2 (load 1: the register)
    assert ids == (0,)


def test_the_archive_keeps_files_read_only_under_their_checksum(tmp_path: Path) -> None:
    source = tmp_path / "deaths_2021.csv"
    source.write_bytes(b"some bytes\n")
    landing = Landing(tmp_path / "data")
    fp = fingerprint(source)
    assert fp.sha256 == hashlib.sha256(b"some bytes\n").hexdigest()

    kept = landing.keep(source, "deaths", fp)

    path = tmp_path / "data" / kept
    assert kept == f"landing/deaths/{fp.sha256}/deaths_2021.csv"
    assert path.read_bytes() == b"some bytes\n"
    assert stat.S_IMODE(path.stat().st_mode) & 0o222 == 0
    assert landing.keep(source, "deaths", fp) == kept  # kept once


def test_archive_recovery_removes_copies_no_ledger_row_names(tmp_path: Path) -> None:
    data = tmp_path / "data"
    landing = Landing(data)
    named, orphan = tmp_path / "a.csv", tmp_path / "b.csv"
    named.write_bytes(b"a")
    orphan.write_bytes(b"b")
    keep_a = landing.keep(named, "deaths", fingerprint(named))
    keep_b = landing.keep(orphan, "deaths", fingerprint(orphan))
    landing.close()  # the run dies here, before committing either
    assert (data / "landing" / JOURNAL).read_text().split() == [keep_a, keep_b]

    removed = Landing(data).recover(lambda paths: {p for p in paths if p == keep_a})

    assert removed == [keep_b]
    assert (data / keep_a).exists() and not (data / keep_b).exists()
    assert not (data / keep_b).parent.exists()
    assert not (data / "landing" / JOURNAL).exists()


def test_a_warehouse_without_its_identity_store_is_not_opened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Stores.open(data, DuckDBConfig("1GB", 1)).close()
    (data / "identity.duckdb").unlink()
    with pytest.raises(StoreError, match=r"identity store .* is missing"):
        Stores.open(data, DuckDBConfig("1GB", 1))
