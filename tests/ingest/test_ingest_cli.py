"""The ingest and status commands: finding files, the data directory, output and exit codes."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from builders import death, drug_test, episode, providers_csv, treatment_zip, write_csv
from conftest import Result

from recoverylink.cli.status import SOURCES
from recoverylink.ingest.files import Kind, find_files, recognise

Cli = Callable[..., Result]


def loads(data: Path) -> list[tuple[str, str]]:
    import storeview

    with storeview.read_only(data / "warehouse.duckdb") as con:
        return con.execute("SELECT file_name, status FROM ingest.loads ORDER BY load_id").fetchall()


def test_files_load_in_dataset_then_date_order(tmp_path: Path) -> None:
    names = ["deaths_2010.csv", "drug_tests_2009-01.csv", "pnc_2014-01-31.zip",
             "treatment_P2_2008-05.zip", "treatment_P1_2008-05.zip", "treatment_P1_2008-04.zip",
             "local_authorities.csv", "providers_2009-01-01.csv", "providers.csv",
             "drug_tests_2008-12.csv"]  # fmt: skip
    for name in names:
        (tmp_path / name).write_text("x")
    found = find_files([tmp_path])
    assert [r.name for r in found.files] == [
        "providers.csv", "providers_2009-01-01.csv", "local_authorities.csv",
        "treatment_P1_2008-04.zip", "treatment_P1_2008-05.zip", "treatment_P2_2008-05.zip",
        "pnc_2014-01-31.zip", "drug_tests_2008-12.csv", "drug_tests_2009-01.csv",
        "deaths_2010.csv",
    ]  # fmt: skip


def test_recognising_names() -> None:
    march = recognise(Path("treatment_P-7_X_2022-03.zip"))
    assert (march.kind, march.provider_code, march.period) == (Kind.TREATMENT, "P-7_X", "2022-03")
    assert march.slot == "treatment/P-7_X/2021-22"
    assert recognise(Path("treatment_P1_2022-13.zip")).slot == ""  # rejected by the validator
    assert recognise(Path("pnc_2014-01-31.zip")).slot == "pnc"
    assert recognise(Path("drug_tests_2009-01.csv")).slot == "drug_tests/2009-01"
    assert recognise(Path("providers_2009-01-01.csv")).period == "2009-01-01"
    assert recognise(Path("offence_codes.csv")).slot == "reference/offence_codes"
    assert recognise(Path("episodes.csv")).kind is Kind.UNRECOGNISED
    assert set(SOURCES) == {k.value for k in Kind}


def test_truth_and_the_manifest_are_never_read(tmp_path: Path) -> None:
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "deaths_2010.csv").write_text("secret")
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "deaths_2011.csv").write_text("x")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "deaths_2012.csv").write_text("x")
    found = find_files([tmp_path])
    assert [r.name for r in found.files] == ["deaths_2012.csv"]
    assert found.skipped == [tmp_path / "notes.txt"]


def test_a_folder_loads_and_reports_per_dataset(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    providers_csv(folder / "reference", [("P1", "One", "E06000001")])
    treatment_zip(folder / "treatment", "P1", "2021-05", [episode("P1", "E1")])
    treatment_zip(folder / "treatment", "P1", "2021-06", [episode("P1", "E1"),
                                                          episode("P1", "E2")])  # fmt: skip
    write_csv(folder / "drug_tests_2021-02.csv", "drug_tests", [drug_test("T1", "2021-02-03")])
    write_csv(folder / "deaths_2021.csv", "deaths", [death("R1", "2021-01-01", "2021-01-05")])
    (folder / "readme.txt").write_text("not a submission")
    data = tmp_path / "data"

    result = cli("ingest", folder, "--data-dir", data)

    assert result.code == 0, result.out
    table = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
             for line in result.out.splitlines() if line.startswith("│")}  # fmt: skip
    # files, loaded, replaced, unchanged, refused, rejected, unreadable, rows loaded
    assert table["providers"] == ["1", "1", "", "", "", "", "", "1"]
    assert table["treatment"] == ["2", "1", "1", "", "", "", "", "3"]  # 1 row + 2 rows
    assert table["drug_tests"] == ["1", "1", "", "", "", "", "", "1"]
    assert table["deaths"] == ["1", "1", "", "", "", "", "", "1"]
    assert "Skipped 1 files that are not submissions: readme.txt" in result.out
    log = (data / "logs" / "ingest.log").read_text()
    assert "loaded     treatment    treatment_P1_2021-05.zip load 2" in log
    assert "replaced   treatment    treatment_P1_2021-06.zip load 3" in log


def test_the_data_directory_comes_from_the_option_the_environment_or_the_default(
    cli: Cli, tmp_path: Path, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deaths = write_csv(tmp_path / "deaths_2021.csv", "deaths",
                       [death("R1", "2021-01-01", "2021-01-05")])  # fmt: skip
    assert cli("ingest", deaths).code == 0
    assert (clean_env / "recoverylink-data" / "warehouse.duckdb").exists()
    assert (clean_env / "recoverylink-data" / "identity.duckdb").exists()
    assert list((clean_env / "recoverylink-data" / "landing" / "deaths").iterdir())

    monkeypatch.setenv("RECOVERYLINK_DATA_DIR", str(tmp_path / "from-env"))
    assert cli("ingest", deaths).code == 0
    assert (tmp_path / "from-env" / "warehouse.duckdb").exists()
    assert cli("ingest", deaths, "--data-dir", tmp_path / "opt").code == 0
    assert loads(tmp_path / "opt") == [("deaths_2021.csv", "current")]
    status = cli("status")
    assert "from-env" in status.out and "deaths" in status.out


def test_exit_codes(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    good = write_csv(tmp_path / "a" / "deaths_2021.csv", "deaths",
                     [death("R1", "2021-01-01", "2021-01-05")])  # fmt: skip
    bad = write_csv(
        tmp_path / "b" / "deaths_2022.csv", "deaths", [death("R1", "2021-01-01", "2021-01-05")]
    )  # registered in the wrong year
    unnamed = tmp_path / "c" / "deaths.txt"
    unnamed.parent.mkdir()
    unnamed.write_text("death_id\n")

    assert cli("ingest", good, "--data-dir", data).code == 0
    assert cli("ingest", good, "--data-dir", data).code == 0  # unchanged
    rejected = cli("ingest", bad, unnamed, "--data-dir", data)
    assert rejected.code == 1
    assert "registration_outside_year" in rejected.out and "bad_file_name" in rejected.out

    missing = cli("ingest", tmp_path / "nope.csv", "--data-dir", tmp_path / "other")
    assert missing.code == 2
    assert missing.err.startswith("error: ") and "does not exist" in missing.err
    assert not (tmp_path / "other").exists()  # nothing written

    empty = tmp_path / "empty"
    empty.mkdir()
    fifo = tmp_path / "f" / "deaths_2023.csv"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    unreadable = cli("ingest", empty, fifo.parent, good, "--data-dir", data)
    assert unreadable.code == 2
    assert "the folder holds no submission files" in unreadable.out
    assert "not a regular file" in unreadable.out


def test_status_lists_loads_and_rejections(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert "Nothing has been loaded" in cli("status", "--data-dir", data).out
    register = providers_csv(tmp_path / "r", [("P1", "One", "E06000001")])
    sub = treatment_zip(tmp_path / "t", "P1", "2021-05", [episode("P1", "E1")])
    bad = write_csv(tmp_path / "d" / "drug_tests_2021-02.csv", "drug_tests",
                    [drug_test("T1", "2021-03-03", date_of_birth="1931-02-30")])  # fmt: skip
    cli("ingest", register, sub, bad, "--data-dir", data)

    shown = cli("status", "--data-dir", data)
    only = cli("status", "--data-dir", data, "--source", "treatment", "--provider", "P1")
    as_json = json.loads(cli("status", "--data-dir", data, "--json").out)
    wrong = cli("status", "--data-dir", data, "--source", "teatment")

    assert shown.code == 0
    assert "treatment_P1_2021-05.zip" in shown.out
    assert "drug_tests_2021-02.csv" in shown.out and "rejected" in shown.out
    assert "bad_date 1" in shown.out and "test_outside_month 1" in shown.out
    assert "1931-02-30" not in shown.out and "9999-99-99" in shown.out
    assert "providers.csv" not in only.out and "treatment_P1_2021-05.zip" in only.out
    assert [s["kind"] for s in as_json["sources"]] == ["providers", "treatment", "drug_tests"]
    assert as_json["current_total"] == 2
    (rejected,) = as_json["not_loaded"]
    assert rejected["rules"] == {"bad_date": 1, "test_outside_month": 1}
    assert {p["rule"] for p in rejected["problems"]} == {"bad_date", "test_outside_month"}
    assert wrong.code == 2 and "must be one of" in wrong.err


def test_reference_tables_load_or_are_rejected(cli: Cli, tmp_path: Path) -> None:
    from recoverylink.spec import reference

    data = tmp_path / "data"
    good = tmp_path / "ok" / "police_forces.csv"
    good.parent.mkdir()
    reference.police_forces().to_csv(good, index=False)
    bad = tmp_path / "bad" / "police_forces.csv"
    bad.parent.mkdir()
    bad.write_text("force_code,force_name\nE23000001,Met\n")

    assert cli("ingest", good, "--data-dir", data).code == 0
    result = cli("ingest", bad, "--data-dir", data)

    assert result.code == 1 and "the columns must be exactly" in result.out
    import storeview

    with storeview.read_only(data / "warehouse.duckdb") as con:
        assert con.execute("SELECT count(*) FROM ref.police_forces").fetchone() == (44,)
