"""The reference tables shipped with the system are in the warehouse without being ingested.

Found: a folder with the providers register and treatment, but no copy of the
shipped reference tables, loaded; then ``build`` stopped with "Table with name
local_authorities does not exist". The expected contents are read here from
the packaged CSV files with Python's csv module, apart from the code under test.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import duckdb
import pytest
import storeview
from builders import episode, intervention, providers_csv, treatment_zip
from conftest import Result

from recoverylink.ingest.stores import Stores
from recoverylink.linkage.inputs import write_demographics_without_linkage

SHIPPED = ("local_authorities", "police_forces", "offence_codes", "trigger_offences",
           "crime_unit_costs", "treatment_unit_costs")  # fmt: skip


def packaged(name: str) -> tuple[list[str], list[list[str]]]:
    """The header and rows of ``spec/data/<name>.csv``, each value as :func:`as_text`."""
    text = resources.files("recoverylink.spec").joinpath("data", f"{name}.csv").read_text("utf-8")
    header, *rows = list(csv.reader(text.splitlines()))
    return header, [[as_text(v) for v in row] for row in rows]


def as_text(value: object) -> str:
    """A value as text, '' for NULL, numbers in one spelling (152, 152.0 and '152.00' alike)."""
    if value is None:
        return ""
    try:
        number = float(str(value))
    except ValueError:
        return str(value)
    return repr(number)


def table_text(con: duckdb.DuckDBPyConnection, name: str) -> tuple[list[str], list[list[str]]]:
    columns = [r[0] for r in con.execute(f"DESCRIBE ref.{name}").fetchall()]
    rows = con.execute(f"SELECT * EXCLUDE (load_id) FROM ref.{name}").fetchall()
    return columns, [[as_text(v) for v in row] for row in rows]


def a_folder_without_reference_tables(folder: Path) -> Path:
    providers_csv(folder, [("P1", "Provider one", "E06000001")])  # Hartlepool, North East
    episodes = [episode("P1", "E1"), episode("P1", "E2", consent="n"), episode("P1", "E3")]
    treatment_zip(folder, "P1", "2021-04", episodes, [intervention("P1", "E1", "I1")])
    return folder


def test_the_first_ingest_brings_every_shipped_table(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    result = cli("ingest", a_folder_without_reference_tables(tmp_path / "in"), "--data-dir", data)
    assert result.code == 0, result.out + result.err
    with storeview.read_only(data / "warehouse.duckdb") as con:
        for name in SHIPPED:
            header, rows = packaged(name)
            columns, stored = table_text(con, name)
            assert columns == [*header, "load_id"], name
            assert sorted(stored) == sorted(rows), name
            assert con.execute(f"SELECT count(load_id) FROM ref.{name}").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM ingest.loads").fetchall() == [(2,)]


def test_build_finds_them(cli: Callable[..., Result], tmp_path: Path) -> None:
    """The mart's episodes take their region from ref.local_authorities: E06000001 is in
    the North East, E12000001 (the provider's area, for the non-consenting episode too).
    Persons come from a hand-written truth file, so that no linkage model is involved."""
    data = tmp_path / "data"
    assert cli("ingest", a_folder_without_reference_tables(tmp_path / "in"),
               "--data-dir", data).code == 0  # fmt: skip
    truth = tmp_path / "truth"
    truth.mkdir()
    (truth / "records.csv").write_text("source,key,person\ntreatment,P1|E1,a\ntreatment,P1|E3,b\n")
    write_demographics_without_linkage(data, storeview.SETTINGS)
    result = cli("build", "--data-dir", data, "--truth", truth)
    assert result.code == 0, result.out + result.err
    with storeview.read_only(data / "warehouse.duckdb") as con:
        got = con.execute(
            "SELECT episode_ref, region_code FROM truth_mart.episodes ORDER BY episode_ref"
        ).fetchall()
    assert got == [("E1", "E12000001"), ("E2", "E12000001"), ("E3", "E12000001")]


def test_build_adds_them_to_a_warehouse_made_without_them(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    assert cli("ingest", a_folder_without_reference_tables(tmp_path / "in"),
               "--data-dir", data).code == 0  # fmt: skip
    with duckdb.connect(str(data / "warehouse.duckdb")) as con:  # as an older version left it
        for name in SHIPPED:
            con.execute(f"DROP TABLE ref.{name}")
    truth = tmp_path / "truth"
    truth.mkdir()
    (truth / "records.csv").write_text("source,key,person\ntreatment,P1|E1,a\n")
    write_demographics_without_linkage(data, storeview.SETTINGS)
    assert cli("build", "--data-dir", data, "--truth", truth).code == 0
    with storeview.read_only(data / "warehouse.duckdb") as con:
        for name in SHIPPED:
            assert sorted(table_text(con, name)[1]) == sorted(packaged(name)[1]), name


def test_a_received_copy_wins_and_a_stale_shipped_copy_is_refreshed(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    header, rows = packaged("police_forces")
    received = tmp_path / "received" / "police_forces.csv"
    received.parent.mkdir()
    with received.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows[:3]])  # a newer register of only three forces
    data = tmp_path / "data"
    assert cli("ingest", received, "--data-dir", data).code == 0
    with duckdb.connect(str(data / "warehouse.duckdb")) as con:
        # a shipped copy from an older release: one offence code fewer
        (code,) = con.execute("SELECT min(offence_code) FROM ref.offence_codes").fetchall()[0]
        con.execute("DELETE FROM ref.offence_codes WHERE offence_code = ?", [code])
    with Stores.open(data, storeview.SETTINGS):  # every ingest opens the stores so
        pass
    with storeview.read_only(data / "warehouse.duckdb") as con:
        assert sorted(table_text(con, "police_forces")[1]) == sorted(rows[:3])
        (load_ids,) = con.execute("SELECT list(DISTINCT load_id) FROM ref.police_forces").fetchall()
        assert load_ids == ([1],)
        assert sorted(table_text(con, "offence_codes")[1]) == sorted(packaged("offence_codes")[1])


@pytest.mark.parametrize("name", SHIPPED)
def test_packaged_copies_are_not_empty(name: str) -> None:
    """Guards the tests above against comparing nothing with nothing."""
    assert len(packaged(name)[1]) > 0
