"""Identity rows that no committed load accounts for are never read by the linkage.

Found: one identity row with a load id the ledger does not list was enough for
a record to get a person id. Here the stores of a tiny hand-made load are
tampered with the way a killed ingest leaves them (rows of a load that never
committed, rows of a superseded load sharing record ids with current ones),
and every reader of the identity store (link's inputs, review, export-map's
record keys) must read exactly what it read before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
import storeview
from builders import (
    alias,
    death,
    disposal,
    drug_test,
    episode,
    nominal,
    pnc_zip,
    providers_csv,
    treatment_zip,
    write_csv,
)
from conftest import Result
from killpoints import link_inputs

from recoverylink.errors import InputError
from recoverylink.linkage.inputs import record_keys, review_identities


@pytest.fixture
def loaded(cli: Callable[..., Result], tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    providers_csv(folder, [("P1", "One", "E06000001")])
    treatment_zip(folder, "P1", "2021-04", [episode("P1", "E1"), episode("P1", "E2")])
    pnc_zip(folder, "2021-09-30", [nominal("01/000001A"), nominal("01/000002B")],
            [alias("01/000001A")], [disposal("01/000001A", "D1")])  # fmt: skip
    write_csv(folder / "drug_tests_2021-05.csv", "drug_tests",
              [drug_test("T1", "2021-05-03", pnc_id="01/000002B")])  # fmt: skip
    write_csv(folder / "deaths_2021.csv", "deaths",
              [death("R1", "2021-03-01", "2021-03-05")])  # fmt: skip
    data = tmp_path / "data"
    assert cli("ingest", folder, "--data-dir", data).code == 0
    return data


def keys(data: Path) -> list[tuple[object, ...]]:
    frame = record_keys(data, storeview.SETTINGS)
    return sorted(frame.itertuples(index=False, name=None))


def test_rows_of_loads_the_ledger_does_not_list_are_not_read(loaded: Path) -> None:
    before, keys_before = link_inputs(loaded), keys(loaded)
    # 2 episodes, 2 nominals and an alias, 1 test, 1 death: counted from the files above
    assert sorted(r[1] for r in before["records"]) == sorted(
        ["treatment"] * 2 + ["pnc"] * 3 + ["drug_tests", "deaths"]
    )
    with duckdb.connect(str(loaded / "identity.duckdb")) as con:
        (pnc_load, nominal_id) = con.execute(
            "SELECT load_id, max(record_id) FROM pnc_nominals GROUP BY load_id"
        ).fetchall()[0]
        # a load that never committed: a new record, and a nominal sharing a record id
        con.execute("INSERT INTO pnc_nominals SELECT 9999, 99, '01/999999Z', surname, "
                    "forenames, date_of_birth, sex, postcode "
                    "FROM pnc_nominals LIMIT 1")  # fmt: skip
        con.execute("INSERT INTO pnc_nominals SELECT record_id, 99, pnc_id, 'Other', forenames, "
                    "date_of_birth, sex, postcode FROM pnc_nominals WHERE record_id = ?",
                    [nominal_id])  # fmt: skip
        con.execute("INSERT INTO pnc_aliases SELECT 9998, 99, nominal_record_id, pnc_id, "
                    "surname, forenames, date_of_birth FROM pnc_aliases")  # fmt: skip
        con.execute("INSERT INTO deaths SELECT 9997, 99, surname, forenames, date_of_birth, "
                    "sex, postcode FROM deaths")  # fmt: skip
        # a row stamped with a current load but whose record the warehouse does not hold
        con.execute("INSERT INTO drug_tests SELECT 9996, load_id, pnc_id, first_initial, "
                    "last_initial, date_of_birth, sex FROM drug_tests")  # fmt: skip
        con.execute("INSERT INTO treatment_episodes SELECT 9995, load_id, client_ref, "
                    "first_initial, last_initial, date_of_birth, sex, postcode_district "
                    "FROM treatment_episodes LIMIT 1")  # fmt: skip
    assert pnc_load != 99

    assert link_inputs(loaded) == before
    assert keys(loaded) == keys_before
    review = review_identities(loaded, storeview.SETTINGS, [nominal_id, 9999, 9998, 9997])
    assert list(review["node_id"]) == [nominal_id]
    assert list(review["surname"]) != ["Other"]


def test_two_warehouse_rows_for_one_record_stop_link_with_a_clear_error(loaded: Path) -> None:
    with duckdb.connect(str(loaded / "warehouse.duckdb")) as con:
        con.execute("INSERT INTO raw.deaths SELECT * FROM raw.deaths")
    with pytest.raises(InputError, match=r"more than one row for record ids \d+ \(\d rows\)"):
        link_inputs(loaded)
