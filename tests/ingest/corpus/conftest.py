"""Running the commands on corpus cases, and proving that the stores did not change.

``run_cli`` runs ``recoverylink`` in-process with the corpus settings
(``CORPUS_SETTINGS``: small size limits, so zip bombs and oversized files stay
small). ``store_checksums`` fingerprints every table in ``warehouse.duckdb`` and
``identity.duckdb``: its columns and types, row count and two order-free sums
of row hashes. ``baseline`` is a data directory that already holds one valid
submission of every dataset, loaded once per test process by ``recoverylink
ingest``; each case copies it, so "unchanged" is checked against stores with
content in them.

The one part of the stores a rejected file may change is the ledger of files
received (the ``ingest`` schema of the warehouse), which by design records the
rejection and its problems so that ``recoverylink status`` can say what was
rejected and why. ``content_checksums`` is every other table of both stores;
``Ledger`` reads what the ledger says about each file.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from recoverylink.cli.main import main

from .submissions import CsvFile, Plain, Zip, providers

STORES = ("warehouse.duckdb", "identity.duckdb")
LEDGER_SCHEMA = "ingest"
"""Schema of warehouse.duckdb holding the ledger of files received (ingest.loads etc.)."""
KIB, MIB = 1024, 1024 * 1024
CORPUS_SETTINGS = f"""\
[ingest]
max_zip_bytes = {2 * MIB}
max_csv_bytes = {4 * MIB}
max_unzipped_bytes = {6 * MIB}
max_compression_ratio = 100.0
max_field_bytes = {MIB}
"""
PSEUDONYM_KEY = "corpus-test-key-" + "0123456789abcdef" * 2


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str | Path) -> CliResult:
    """``recoverylink ARGS...`` in-process, with stdout and stderr captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return CliResult(int(code), out.getvalue(), err.getvalue())


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@contextlib.contextmanager
def _stores(data_dir: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict[str, str]]]:
    """One in-memory connection with both stores attached read-only: (connection, alias->store)."""
    with duckdb.connect() as con:
        attached = {}
        for alias, store in zip(("w", "i"), STORES, strict=True):
            path = data_dir / store
            if path.exists():
                con.execute(
                    f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS {alias} (READ_ONLY)"
                )
                attached[alias] = store
        yield con, attached


def store_checksums(data_dir: Path, ledger: bool = True) -> dict[str, Any]:
    """A fingerprint of every table of both stores (None for a store that does not exist).

    Per table: its columns and types, its row count and two order-free sums of
    row hashes. ``ledger=False`` leaves out the warehouse's ledger of files received.
    """
    with _stores(data_dir) as (con, attached):
        layout: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
        for database, schema, table, column, kind in con.execute(
            "SELECT database_name, schema_name, table_name, column_name, data_type "
            "FROM duckdb_columns() WHERE database_name IN ('w', 'i') "
            "ORDER BY database_name, schema_name, table_name, column_index"
        ).fetchall():
            if ledger or not (database == "w" and schema == LEDGER_SCHEMA):
                layout.setdefault((database, schema, table), []).append((column, kind))
        found: dict[str, Any] = {store: None for store in STORES}
        found.update({store: {} for store in attached.values()})
        if layout:
            query = " UNION ALL ".join(
                f"SELECT {i} AS i, count(*), coalesce(sum(hash(t)::HUGEINT), 0), bit_xor(hash(t)) "
                f"FROM {database}.{_quoted(schema)}.{_quoted(table)} AS t"
                for i, (database, schema, table) in enumerate(layout)
            )
            content = {row[0]: tuple(row[1:]) for row in con.execute(query).fetchall()}
            for i, ((database, schema, table), columns) in enumerate(layout.items()):
                found[attached[database]][f"{schema}.{table}"] = (tuple(columns), content[i])
    return found


def content_checksums(data_dir: Path) -> dict[str, Any]:
    """Every table of both stores except the ledger: what was loaded."""
    return store_checksums(data_dir, ledger=False)


@dataclass(frozen=True)
class Load:
    """One file received, as the ledger records it."""

    load_id: int
    file_name: str
    status: str
    problem_count: int
    rules: tuple[tuple[str, int], ...]
    """Problems per rule, sorted by rule."""
    problems: tuple[tuple[str, str, int | None, str | None], ...]
    """The problems kept (rule, file, row, column), sorted."""


def ledger(data_dir: Path) -> list[Load]:
    """Every file the ledger records, in load order."""
    with _stores(data_dir) as (con, _):
        loads = con.execute(
            "SELECT load_id, file_name, status, problem_count FROM w.ingest.loads ORDER BY load_id"
        ).fetchall()
        rules = con.execute(
            "SELECT load_id, rule, problem_count FROM w.ingest.load_rules ORDER BY load_id, rule"
        ).fetchall()
        problems = con.execute(
            'SELECT load_id, rule, file, "row", "column" FROM w.ingest.load_problems'
        ).fetchall()
    return [
        Load(
            load_id,
            file_name,
            status,
            count,
            tuple((rule, n) for lid, rule, n in rules if lid == load_id),
            tuple(sorted((tuple(p[1:]) for p in problems if p[0] == load_id), key=str)),
        )
        for load_id, file_name, status, count in loads
    ]


def rows_in(checksums: dict[str, Any]) -> int:
    """Rows in all tables of a fingerprint."""
    return sum(
        content[0] for tables in checksums.values() if tables for _, content in tables.values()
    )


def baseline_submissions() -> list[Zip | Plain]:
    """One valid submission of each dataset, none of them a corpus base (hand-made)."""
    treatment = Zip(
        "treatment_P002_2021-05.zip",
        {
            "episodes.csv": CsvFile.of(
                "episodes",
                [
                    "P002,K1,F1,y,R,T,1985-08-08,male,LS7,E08000035,white_other,2021-04-20,"
                    "gp,2021-04-27,cannabis,,,never,settled,employed,no_children,n,,"
                ],
            ),
            "interventions.csv": CsvFile.of(
                "interventions",
                ["P002,F1,J1,psychosocial,community,2021-04-27,2021-05-04,,"],
            ),
            "top.csv": CsvFile.of(
                "top", ["P002,F1,2021-05-04,start,0,0,0,0,12,3,0,0,0,0,n,12,13,12,n,n,5,0"]
            ),
        },
    )
    pnc = Zip(
        "pnc_2021-05-31.zip",
        {
            "nominals.csv": CsvFile.of(
                "nominals", ["05/111111C,Green,Paul,1979-09-09,male,LS7 2AB,E23000010"]
            ),
            "aliases.csv": CsvFile.of("aliases", ["05/111111C,Greene,Paul,1979-09-09"]),
            "disposals.csv": CsvFile.of(
                "disposals", ["05/111111C,B1,2020-01-10,2020-02-20,conviction,39"]
            ),
        },
    )
    tests = Plain(
        "drug_tests_2021-05.csv",
        CsvFile.of(
            "drug_tests",
            ["U1,05/111111C,P,G,1979-09-09,male,E23000010,2021-05-12,positive,positive,39,y"],
        ),
    )
    deaths = Plain(
        "deaths_2020.csv",
        CsvFile.of("deaths", ["Z1,White,Eve,1960-01-01,female,,2020-03-01,2020-03-10,X42,y"]),
    )
    return [providers(), treatment, pnc, tests, deaths]


def write_settings(folder: Path) -> Path:
    path = folder / "corpus.toml"
    path.write_text(CORPUS_SETTINGS, encoding="utf-8")
    return path


class Baseline:
    """A data directory holding the baseline submissions, loaded on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._data_dir: Path | None = None

    def data_dir(self) -> Path:
        if self._data_dir is None:
            files = self.folder / "files"
            files.mkdir()
            settings = write_settings(self.folder)
            data_dir = self.folder / "data"
            for submission in baseline_submissions():
                path = submission.write(files)
                result = run_cli("--config", settings, "ingest", path, "--data-dir", data_dir)
                assert result.code == 0, (path.name, result.out, result.err)
            assert rows_in(content_checksums(data_dir)) > 0, "the baseline loaded nothing"
            assert [load.status for load in ledger(data_dir)] == ["current"] * 5
            self._data_dir = data_dir
        return self._data_dir

    def copy(self, target: Path) -> Path:
        """A private copy of the baseline data directory."""
        shutil.copytree(self.data_dir(), target)
        return target


@pytest.fixture(scope="session")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    """Loaded lazily, inside the first test that asks (with that test's environment)."""
    return Baseline(tmp_path_factory.mktemp("baseline"))


@pytest.fixture(autouse=True)
def corpus_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No settings from the machine; a pseudonym key for ingest; work in a fresh folder."""
    for name in list(os.environ):
        if name.startswith("RECOVERYLINK_") or name == "CI":
            monkeypatch.delenv(name)
    monkeypatch.setenv("RECOVERYLINK_PSEUDONYM_KEY", PSEUDONYM_KEY)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(tmp_path: Path) -> Path:
    return write_settings(tmp_path)
