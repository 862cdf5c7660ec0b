"""``recoverylink validate``: files and folders, the reports, the terminal and exit codes."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Result
from corpus.submissions import (
    DEATHS_NAME,
    DRUG_TESTS_NAME,
    PNC_NAME,
    TREATMENT_NAME,
    deaths,
    drug_tests,
    pnc,
    providers,
    treatment,
)

import recoverylink.cli.validate as validate_cli
from recoverylink.cli.main import main
from recoverylink.ingest.report import CSV_NAME, JSON_NAME


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("RECOVERYLINK_") or name == "CI":
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    def _run(*args: str | Path) -> Result:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(int(code), captured.out, captured.err)

    return _run


def report(folder: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((folder / JSON_NAME).read_text("utf-8"))
    return document


def problems_of(folder: Path) -> list[tuple[str, str, int | None, str | None]]:
    return [(p["rule"], p["file"], p["row"], p["column"]) for p in report(folder)["problems"]]


def all_valid(folder: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    return [s.write(folder) for s in (treatment(), pnc(), drug_tests(), deaths())]


def test_valid_files_exit_0_and_reports_go_to_the_current_folder(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    paths = all_valid(tmp_path / "in")
    result = run("validate", *paths)
    assert result.code == 0, result.out
    assert "Checked 4 files: 4 valid, 0 invalid; 0 problems." in result.out
    assert "Valid" in result.out
    document = report(tmp_path)
    assert document["valid"] is True and document["problems"] == []
    assert [f["status"] for f in document["files"]] == ["valid"] * 4
    assert [f["dataset"] for f in document["files"]] == ["treatment", "pnc", "drug_tests", "deaths"]
    assert (
        tmp_path / CSV_NAME
    ).read_bytes() == b"\xef\xbb\xbffile,row,column,value,rule,message\r\n"


def test_every_problem_is_reported_and_the_terminal_is_capped(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    t = treatment()
    for line in (2, 3, 4, 5):  # four episodes with a bad referral_date, one with bad sex too
        t.csv("episodes.csv").set(line, "referral_date", f"2021/04/0{line}")
    t.csv("episodes.csv").set(4, "sex", "Mle")
    path = t.write(tmp_path)
    result = run("validate", path, "--report-dir", tmp_path / "out", "--max-rows", "2")
    assert result.code == 1
    member = f"{TREATMENT_NAME}/episodes.csv"
    assert problems_of(tmp_path / "out") == [
        ("bad_date", member, 2, "referral_date"),
        ("bad_date", member, 3, "referral_date"),
        ("bad_code", member, 4, "sex"),
        ("bad_date", member, 4, "referral_date"),
        ("bad_date", member, 5, "referral_date"),
    ]
    assert "Problems (the first 2 of 5)" in result.out
    assert "... and 3 more problems, in the reports." in result.out
    assert f"{tmp_path / 'out' / CSV_NAME}" in result.out.replace("\n", "")
    assert "2021/04/02" in result.out and "2021/04/04" not in result.out  # rows 3+ not shown
    assert "Aaa" not in result.out  # (row 4 is beyond the cap)
    assert "Not valid" in result.out
    assert not (tmp_path / JSON_NAME).exists()


def test_no_rows_shown_with_max_rows_0(run: Callable[..., Result], tmp_path: Path) -> None:
    t = treatment()
    t.csv("episodes.csv").set(2, "sex", "Mle")
    result = run("validate", t.write(tmp_path), "--max-rows", "0")
    assert result.code == 1
    assert "Problems" not in result.out and "1 problem." in result.out


def test_missing_path_exits_2_and_is_in_the_report(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    (path,) = [s.write(tmp_path) for s in (deaths(),)]
    result = run("validate", path, tmp_path / "deaths_2020.csv")
    assert result.code == 2
    document = report(tmp_path)
    assert [f["status"] for f in document["files"]] == ["valid", "unreadable"]
    assert document["problems"] == [
        {"file": "deaths_2020.csv", "row": None, "column": None, "value": None,
         "rule": "unreadable", "message": "no such file or folder"}
    ]  # fmt: skip
    assert "could not be read" in result.out


def test_unreadable_file_exits_2(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = deaths().write(tmp_path)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(validate_cli, "validate_path", refuse)
    result = run("validate", path)
    assert result.code == 2
    (problem,) = report(tmp_path)["problems"]
    assert (problem["rule"], problem["message"]) == (
        "unreadable",
        "cannot read the file: Permission denied",
    )


def test_a_fifo_is_not_read(run: Callable[..., Result], tmp_path: Path) -> None:
    fifo = tmp_path / DEATHS_NAME
    os.mkfifo(fifo)
    result = run("validate", fifo)
    assert result.code == 2
    assert report(tmp_path)["problems"][0]["message"] == "not a regular file or folder"


def test_a_named_file_of_no_dataset_exits_2(run: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "episodes.csv"
    path.write_bytes(treatment().csv("episodes.csv").to_bytes())
    result = run("validate", path)
    assert result.code == 2
    document = report(tmp_path)
    assert [f["status"] for f in document["files"]] == ["unrecognised"]
    assert problems_of(tmp_path) == [("bad_file_name", "episodes.csv", None, None)]


def test_invalid_and_unreadable_together_exit_2(run: Callable[..., Result], tmp_path: Path) -> None:
    d = deaths()
    d.csv().set(2, "sex", "x")
    result = run("validate", d.write(tmp_path), tmp_path / "gone.zip")
    assert result.code == 2
    assert [f["status"] for f in report(tmp_path)["files"]] == ["invalid", "unreadable"]


def test_garbage_and_bad_encoding_are_invalid_not_unreadable(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    (tmp_path / TREATMENT_NAME).write_bytes(b"\x00\x01garbage" * 50)
    (tmp_path / DRUG_TESTS_NAME).write_bytes(
        drug_tests().csv().to_bytes().decode().encode("utf-16")
    )
    result = run("validate", tmp_path / TREATMENT_NAME, tmp_path / DRUG_TESTS_NAME)
    assert result.code == 1
    assert [(r, f) for r, f, _, _ in problems_of(tmp_path)] == [
        ("bad_zip", TREATMENT_NAME),
        ("bad_encoding", DRUG_TESTS_NAME),
    ]


def synthetic_layout(root: Path) -> Path:
    """A folder laid out like a synthetic England, with extras that must not be checked."""
    for folder, submission in (
        ("treatment", treatment()),
        ("pnc", pnc()),
        ("drug_tests", drug_tests()),
        ("deaths", deaths()),
        ("reference", providers()),
    ):
        (root / folder).mkdir(parents=True, exist_ok=True)
        submission.write(root / folder)
    (root / "reference" / "police_forces.csv").write_text("force_code\nE23000010\n")
    (root / "truth").mkdir()
    (root / "truth" / "deaths_2021.csv").write_text("not a submission")
    (root / "manifest.json").write_text("{}")
    (root / ".DS_Store").write_bytes(b"\x00\x01")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "deaths_2021.csv").write_text("not a submission")
    return root


def test_folders_are_searched_skipping_truth_manifest_and_other_files(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    root = synthetic_layout(tmp_path / "england")
    result = run("validate", root, "--report-dir", tmp_path / "r")
    assert result.code == 0, result.out
    document = report(tmp_path / "r")
    assert [f["path"] for f in document["files"]] == [
        str(root / "deaths" / DEATHS_NAME),
        str(root / "drug_tests" / DRUG_TESTS_NAME),
        str(root / "pnc" / PNC_NAME),
        str(root / "reference" / "providers.csv"),
        str(root / "treatment" / TREATMENT_NAME),
    ]
    assert document["skipped"] == [str(root / "reference" / "police_forces.csv")]
    assert "Skipped 1 file found in folders whose names fit no dataset" in result.out


def test_reports_in_the_checked_folder_are_not_checked_next_time(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    all_valid(tmp_path)
    assert run("validate", tmp_path).code == 0
    assert (tmp_path / JSON_NAME).exists()
    second = run("validate", tmp_path)
    assert second.code == 0
    assert report(tmp_path)["summary"]["files"] == 4 and report(tmp_path)["skipped"] == []


def test_a_file_named_twice_is_checked_once(run: Callable[..., Result], tmp_path: Path) -> None:
    path = deaths().write(tmp_path)
    assert run("validate", path, tmp_path, path).code == 0
    assert report(tmp_path)["summary"]["files"] == 1


@pytest.mark.parametrize("content", [None, "notes.txt"])
def test_a_folder_with_nothing_to_check_exits_2(
    run: Callable[..., Result], tmp_path: Path, content: str | None
) -> None:
    folder = tmp_path / "outbox"
    folder.mkdir()
    if content:
        (folder / content).write_text("hello")
    result = run("validate", folder)
    assert result.code == 2
    (problem,) = report(tmp_path)["problems"]
    assert problem["message"] == "the folder holds no submission files to check"


def test_providers_register(run: Callable[..., Result], tmp_path: Path) -> None:
    register = tmp_path / "providers.csv"
    register.write_text(
        "provider_code,provider_name,local_authority\nP002,Forward Leeds,E08000035\n"
    )
    path = treatment().write(tmp_path)
    result = run("validate", path, "--providers", register, "--report-dir", tmp_path / "r")
    assert result.code == 1
    assert problems_of(tmp_path / "r") == [("unknown_provider", TREATMENT_NAME, None, None)]
    register.write_text(
        "provider_code,provider_name,local_authority\nP001,Leeds Recovery,E08000035\n"
    )
    assert run("validate", path, "--providers", register).code == 0


def test_bad_arguments_exit_2(run: Callable[..., Result], tmp_path: Path) -> None:
    path = deaths().write(tmp_path)
    missing = run("validate", path, "--providers", tmp_path / "nope.csv")
    assert missing.code == 2 and "--providers" in missing.err
    unreadable_register = tmp_path / "providers.csv"
    unreadable_register.write_bytes(b"\x00\x01\x02")
    bad = run("validate", path, "--providers", unreadable_register)
    assert bad.code == 2 and "cannot read the providers register" in bad.err
    assert run("validate").code == 2
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cannot_write = run("validate", path, "--report-dir", blocker / "reports")
    assert cannot_write.code == 2 and "cannot write the reports" in cannot_write.err


def test_limits_come_from_the_settings(run: Callable[..., Result], tmp_path: Path) -> None:
    d = drug_tests()
    d.csv().set(3, "test_id", "T" + "2" * 300)  # a 301-byte field
    path = d.write(tmp_path)
    assert run("validate", path).code == 0  # within the default 1 MiB
    (tmp_path / "recoverylink.toml").write_text("[ingest]\nmax_field_bytes = 300\n")
    assert run("validate", path).code == 1
    assert problems_of(tmp_path) == [("field_too_large", DRUG_TESTS_NAME, 3, "test_id")]
    assert report(tmp_path)["limits"]["max_field_bytes"] == 300


def test_bad_settings_exit_2(run: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "recoverylink.toml").write_text("[ingest]\nmax_field_bytes = -1\n")
    result = run("validate", deaths().write(tmp_path))
    assert result.code == 2 and "max_field_bytes" in result.err


def test_help_lists_validate(run: Callable[..., Result]) -> None:
    assert "validate" in run("--help").out
    text = run("validate", "--help").out
    for option in ("--report-dir", "--providers", "--max-rows"):
        assert option in text


def test_a_synthetic_england_sample_is_valid(
    run: Callable[..., Result], tmp_path: Path, tiny_england: Path
) -> None:
    """A few files of each kind from the generator, in its own layout: all valid."""
    sample = tmp_path / "sample"
    copied = 0
    for folder in ("treatment", "pnc", "drug_tests", "deaths"):
        for path in sorted((tiny_england / folder).rglob("*_*.*"))[-3:]:
            target = sample / path.parent.relative_to(tiny_england)
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
            copied += 1
    shutil.copytree(tiny_england / "reference", sample / "reference")
    shutil.copytree(tiny_england / "truth", sample / "truth")
    shutil.copy(tiny_england / "manifest.json", sample)
    result = run(
        "validate", sample, "--providers", sample / "reference" / "providers.csv",
        "--report-dir", tmp_path / "r",
    )  # fmt: skip
    assert result.code == 0, result.out
    document = report(tmp_path / "r")
    assert copied >= 4  # at least one file of each kind
    assert document["summary"]["files"] == copied + 1  # and the providers register
    assert all(f["status"] == "valid" for f in document["files"])


@pytest.fixture(scope="module")
def tiny_england(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from recoverylink.synth import generate

    out = tmp_path_factory.mktemp("tiny") / "synth"
    generate(out, 0.0002, 5, workers=1)
    return out


def test_many_treatment_zips_give_what_each_gives_alone(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    """Treatment zips are checked in batches; each must get exactly its own problems."""
    from recoverylink.spec import validate_path

    folder = tmp_path / "in"
    folder.mkdir()
    for month in ("2021-04", "2021-05", "2021-06"):
        for provider in ("P001", "P002", "P003"):
            t = treatment(f"treatment_{provider}_{month}.zip")
            for table in ("episodes.csv", "interventions.csv", "top.csv"):
                for row in t.csv(table).rows:
                    row[0] = provider
            if (provider, month) == ("P002", "2021-05"):
                t.csv("episodes.csv").set(4, "sex", "Mle")
            t.write(folder)
    (folder / "treatment_P004_2021-06.zip").write_bytes(b"garbage")
    result = run("validate", folder, "--report-dir", tmp_path / "r")
    assert result.code == 1
    document = report(tmp_path / "r")
    paths = sorted(folder.iterdir())
    assert [f["path"] for f in document["files"]] == [str(p) for p in paths]
    expected = [(p.rule, p.file, p.row, p.column) for path in paths for p in validate_path(path)]
    assert problems_of(tmp_path / "r") == expected
    # April and May cannot hold E1's June dates; the garbage is not a zip; P002 in May has bad sex.
    assert ("bad_code", "treatment_P002_2021-05.zip/episodes.csv", 4, "sex") in expected
    assert ("bad_zip", "treatment_P004_2021-06.zip", None, None) in expected
