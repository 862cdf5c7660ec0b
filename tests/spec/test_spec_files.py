"""Whole files: names, zip members, and recognising the dataset by its file name."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from specfiles import (
    csv_bytes,
    drug_test_rows,
    episode_rows,
    intervention_rows,
    pnc_zip,
    top_rows,
    treatment_zip,
    triples,
    write_zip,
)

from recoverylink.spec import validate_path, validate_treatment_zip

NAME = "treatment_P001_2021-06.zip"


def members() -> dict[str, bytes]:
    return {
        "episodes.csv": csv_bytes("episodes", episode_rows()),
        "interventions.csv": csv_bytes("interventions", intervention_rows()),
        "top.csv": csv_bytes("top", top_rows()),
    }


@pytest.mark.parametrize(
    "name",
    ["treatment_P001_2021-13.zip", "treatment_P001_202106.zip", "treatment_P001_2021-06.ZIP"],
)
def test_bad_treatment_file_name_still_checks_the_contents(tmp_path: Path, name: str) -> None:
    path = write_zip(tmp_path / name, members())
    problems = validate_treatment_zip(path)
    assert triples(problems) == [("bad_file_name", None, None)]
    assert problems[0].file == name


def test_provider_code_comes_from_the_name(tmp_path: Path) -> None:
    path = treatment_zip(tmp_path, name="treatment_P002_2021-06.zip")
    problems = validate_treatment_zip(path)
    # three episodes, three interventions, three TOP rows, all P001
    assert {p.rule for p in problems} == {"provider_code_mismatch"}
    assert len(problems) == 9


def test_month_in_the_name_sets_the_period(tmp_path: Path) -> None:
    # In May, E1's discharge (2021-06-30) and its June TOP and intervention end are in the future.
    problems = validate_treatment_zip(treatment_zip(tmp_path, name="treatment_P001_2021-05.zip"))
    assert [
        (p.file.split("/")[1], *t) for p, t in zip(problems, triples(problems), strict=True)
    ] == [
        ("episodes.csv", "discharge_after_submission_month", 2, "discharge_date"),
        ("interventions.csv", "after_submission_month", 2, "end_date"),
        ("top.csv", "after_submission_month", 3, "top_date"),
    ]


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / NAME
    path.write_bytes(b"provider_code\nP001\n")
    assert triples(validate_treatment_zip(path)) == [("bad_zip", None, None)]


def test_unexpected_members_and_folders(tmp_path: Path) -> None:
    files = members()
    files["notes.txt"] = b"hello"
    files["data/top.csv"] = files["top.csv"]
    files["../evil.csv"] = b"x"
    files["Episodes.csv"] = files["episodes.csv"]
    problems = validate_treatment_zip(write_zip(tmp_path / NAME, files))
    assert triples(problems) == [("unexpected_member", None, None)] * 4
    assert [p.value for p in problems] == [
        "notes.txt",
        "data/top.csv",
        "../evil.csv",
        "Episodes.csv",
    ]


def test_missing_member(tmp_path: Path) -> None:
    files = members()
    del files["top.csv"]
    problems = validate_treatment_zip(write_zip(tmp_path / NAME, files))
    assert triples(problems) == [("missing_member", None, None)]
    assert problems[0].value == "top.csv"


def test_member_in_a_folder_is_not_the_member(tmp_path: Path) -> None:
    files = members()
    files["sub/top.csv"] = files.pop("top.csv")
    problems = validate_treatment_zip(write_zip(tmp_path / NAME, files))
    assert [(p.rule, p.value) for p in problems] == [
        ("unexpected_member", "sub/top.csv"),
        ("missing_member", "top.csv"),
    ]


def test_duplicate_member(tmp_path: Path) -> None:
    path = write_zip(tmp_path / NAME, members())
    import zipfile

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr("top.csv", b"provider_code\n")
    problems = validate_treatment_zip(path)
    assert triples(problems) == [("duplicate_member", None, None)]
    assert problems[0].value == "top.csv"


def test_member_problems_name_the_member(tmp_path: Path) -> None:
    files = members()
    files["top.csv"] = files["top.csv"].replace(b"exit", b"Exit")
    problems = validate_treatment_zip(write_zip(tmp_path / NAME, files))
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        (f"{NAME}/top.csv", 3, "stage", "Exit")
    ]


def test_validate_path_recognises_each_dataset(tmp_path: Path) -> None:
    assert validate_path(treatment_zip(tmp_path)) == []
    assert validate_path(pnc_zip(tmp_path)) == []
    tests = tmp_path / "drug_tests_2021-06.csv"
    tests.write_bytes(csv_bytes("drug_tests", drug_test_rows()))
    assert validate_path(tests) == []
    assert validate_path(str(tests)) == []


@pytest.mark.parametrize("name", ["episodes.csv", "treatment.zip.txt", "pnc.csv", "other.zip"])
def test_validate_path_rejects_unknown_names(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"x\n")
    problems = validate_path(path)
    assert triples(problems) == [("bad_file_name", None, None)]
    assert problems[0].file == name


def test_missing_path_is_an_error_not_a_problem(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        validate_path(tmp_path / "deaths_2021.csv")
