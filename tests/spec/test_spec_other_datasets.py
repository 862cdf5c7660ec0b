"""PNC extracts, drug tests, deaths and the providers register."""

from __future__ import annotations

from pathlib import Path

import pytest
from specfiles import (
    alias_rows,
    csv_bytes,
    death_rows,
    disposal_rows,
    drug_test_rows,
    pnc_zip,
    provider_rows,
    triples,
)

from recoverylink.errors import InputError
from recoverylink.spec import (
    read_provider_codes,
    validate_deaths_csv,
    validate_drug_tests_csv,
    validate_pnc_zip,
    validate_providers_csv,
)

PNC = "pnc_2021-06-30.zip"


def located(problems: list) -> list[tuple[str, str, int | None, str | None]]:
    return [(p.file, *t) for p, t in zip(problems, triples(problems), strict=True)]


def test_valid_pnc_extract(tmp_path: Path) -> None:
    assert validate_pnc_zip(pnc_zip(tmp_path)) == []


def test_aliases_and_disposals_reference_a_nominal(tmp_path: Path) -> None:
    aliases = [*alias_rows(), dict(alias_rows()[0], pnc_id="07/111111C")]
    disposals = disposal_rows()
    disposals[1]["pnc_id"] = "07/222222D"
    got = located(validate_pnc_zip(pnc_zip(tmp_path, aliases=aliases, disposals=disposals)))
    assert got == [
        (f"{PNC}/aliases.csv", "orphan_alias", 3, "pnc_id"),
        (f"{PNC}/disposals.csv", "orphan_disposal", 3, "pnc_id"),
    ]


def test_disposal_dates(tmp_path: Path) -> None:
    disposals = disposal_rows()
    disposals[0]["disposal_date"] = "2019-02-28"  # offence 2019-03-01
    disposals[1]["disposal_date"] = "2021-07-01"  # extract date 2021-06-30
    got = located(validate_pnc_zip(pnc_zip(tmp_path, disposals=disposals)))
    assert got == [
        (f"{PNC}/disposals.csv", "disposal_before_offence", 2, "disposal_date"),
        (f"{PNC}/disposals.csv", "after_extract_date", 3, "disposal_date"),
    ]


def test_extract_date_must_be_real(tmp_path: Path) -> None:
    problems = validate_pnc_zip(pnc_zip(tmp_path, name="pnc_2021-02-30.zip"))
    assert triples(problems) == [("bad_file_name", None, None)]


def write(tmp_path: Path, name: str, table: str, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / name
    path.write_bytes(csv_bytes(table, rows))
    return path


def test_valid_drug_tests(tmp_path: Path) -> None:
    path = write(tmp_path, "drug_tests_2021-06.csv", "drug_tests", drug_test_rows())
    assert validate_drug_tests_csv(path) == []


def test_test_date_within_the_month_and_after_birth(tmp_path: Path) -> None:
    rows = drug_test_rows()
    rows[0]["test_date"] = "2021-05-31"
    rows[1]["date_of_birth"] = "2021-06-30"  # the test date
    path = write(tmp_path, "drug_tests_2021-06.csv", "drug_tests", rows)
    assert triples(validate_drug_tests_csv(path)) == [
        ("test_outside_month", 2, "test_date"),
        ("test_before_birth", 3, "test_date"),
    ]
    rows = drug_test_rows()
    path = write(tmp_path, "drug_tests_2021-07.csv", "drug_tests", rows)
    assert triples(validate_drug_tests_csv(path)) == [
        ("test_outside_month", 2, "test_date"),
        ("test_outside_month", 3, "test_date"),
    ]


def test_valid_deaths(tmp_path: Path) -> None:
    assert validate_deaths_csv(write(tmp_path, "deaths_2021.csv", "deaths", death_rows())) == []


def test_death_dates(tmp_path: Path) -> None:
    rows = death_rows()
    rows[0]["date_registered"] = "2020-12-31"  # died 2020-12-20: before the file's year
    rows[1]["date_registered"] = "2021-02-28"  # died 2021-03-01
    rows[2]["date_of_birth"] = "2021-08-02"  # died 2021-08-01
    got = triples(validate_deaths_csv(write(tmp_path, "deaths_2021.csv", "deaths", rows)))
    assert got == [
        ("registration_outside_year", 2, "date_registered"),
        ("registration_before_death", 3, "date_registered"),
        ("death_before_birth", 4, "date_of_death"),
    ]


@pytest.mark.parametrize(
    ("cause", "flag", "rule"),
    [
        ("X42", "y", None),
        ("F11.1", "y", None),
        ("F17", "y", "drug_poisoning_without_cause"),  # tobacco is not in the list
        ("Y15", "y", "drug_poisoning_without_cause"),
        ("X85", "n", None),  # a poisoning with no controlled drug mentioned
        ("I21", "n", None),
    ],
)
def test_drug_poisoning_needs_a_drug_poisoning_cause(
    tmp_path: Path, cause: str, flag: str, rule: str | None
) -> None:
    rows = death_rows()
    rows[1].update(underlying_cause=cause, drug_poisoning=flag)
    got = triples(validate_deaths_csv(write(tmp_path, "deaths_2021.csv", "deaths", rows)))
    assert got == ([] if rule is None else [(rule, 3, "drug_poisoning")])


def test_deaths_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "deaths_21.csv", "deaths", death_rows())
    assert triples(validate_deaths_csv(path)) == [("bad_file_name", None, None)]


def test_providers_register(tmp_path: Path) -> None:
    rows = [*provider_rows(), dict(provider_rows()[0], provider_code="P002")]
    path = write(tmp_path, "providers.csv", "providers", rows)
    assert validate_providers_csv(path) == []
    assert read_provider_codes(path) == frozenset({"P001", "P002"})
    rows[1].update(provider_code="P001", local_authority="E06000999")
    path = write(tmp_path, "providers_2021-04-01.csv", "providers", rows)
    assert triples(validate_providers_csv(path)) == [
        ("not_unique", 3, "provider_code"),
        ("bad_code", 3, "local_authority"),
    ]


def test_unreadable_register_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "providers.csv"
    path.write_bytes(b"code,name\nP001,x\n")
    with pytest.raises(InputError, match="providers register"):
        read_provider_codes(path)
