"""Problem reports: identifiers masked everywhere, CSV safe in a spreadsheet, terminal inert.

The masking test breaks every identifier column in each way that makes the
validator quote a value, runs ``recoverylink validate`` and scans the terminal
output, the CSV and the JSON for every identifier value used.
"""

from __future__ import annotations

import csv
import doctest
import importlib
import io
import json
import os
from pathlib import Path

import pytest
from corpus.submissions import CsvFile, Plain, Zip, deaths, drug_tests, pnc, treatment
from rich.console import Console

from recoverylink.cli.main import main
from recoverylink.ingest.report import (
    CSV_NAME,
    JSON_NAME,
    FileResult,
    Status,
    ValidationReport,
    csv_text,
    mask_problems,
    mask_value,
    printable,
    problems_table,
    spreadsheet_safe,
    write_reports,
)
from recoverylink.spec import Problem
from recoverylink.spec.limits import DEFAULT_LIMITS

EPISODES = "treatment_P001_2021-06.zip/episodes.csv"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("RECOVERYLINK_") or name == "CI":
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    "module",
    ["recoverylink.ingest.report", "recoverylink.spec.limits", "recoverylink.cli.validate"],
)
def test_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        ("LS6 1AN", "AA9 9AA"),
        ("ls6", "aa9"),
        ("1980-05-17", "9999-99-99"),
        ("17/05/1980", "99/99/9999"),
        ("06/123456A", "99/999999A"),
        ("O'Brien", "A'Aaaaa"),
        ("Zoë", "Aaa"),
        ("", ""),
        ("a\tb\x1bc", "a*a*a"),
        ("=cmd|' /C calc'!A0", "=aaa|' /A aaaa'!A9"),
        ("x" * 41, "a" * 40 + "…"),
    ],
)
def test_mask_value_keeps_only_the_shape(value: str, shape: str) -> None:
    assert mask_value(value) == shape


def test_own_value_and_quoted_values_of_other_identifiers_are_masked() -> None:
    problems = [
        Problem(EPISODES, 2, "date_of_birth", "1983-03-03", "dob_not_before_referral",
                "date_of_birth 1983-03-03 is not before referral_date 1983-01-01"),
        Problem("deaths_2021.csv", 3, "date_of_death", "1949-12-31", "death_before_birth",
                "date_of_death 1949-12-31 is before date_of_birth 1950-02-02"),
        Problem("pnc_2021-06-30.zip/aliases.csv", 2, "pnc_id", "07/777777Q", "orphan_alias",
                "pnc_id '07/777777Q' is not in nominals.csv"),
        Problem(EPISODES, 2, "sex", "Mle", "bad_code",
                "'Mle' is not a valid sex; expected one of: male, female, not_stated"),
        Problem(EPISODES, 2, "referral_source", "walk_in", "bad_code",
                "'walk_in' is not a valid referral_source"),
    ]  # fmt: skip
    masked = mask_problems(problems)
    assert [(p.value, p.message) for p in masked] == [
        ("9999-99-99", "date_of_birth 9999-99-99 is not before referral_date 1983-01-01"),
        ("1949-12-31", "date_of_death 1949-12-31 is before date_of_birth 9999-99-99"),
        ("99/999999A", "pnc_id '99/999999A' is not in nominals.csv"),
        ("Aaa", "'Aaa' is not a valid sex; expected one of: male, female, not_stated"),
        ("walk_in", "'walk_in' is not a valid referral_source"),  # not an identifier
    ]
    # Everything else is kept as it was.
    assert [(p.file, p.row, p.column, p.rule) for p in masked] == [
        (p.file, p.row, p.column, p.rule) for p in problems
    ]


def test_header_problems_are_not_masked_unless_the_header_is_a_record() -> None:
    named = Problem(EPISODES, 1, "date_of_birth", "Date_Of_Birth", "column_case", "x")
    assert mask_problems([named]) == [named]
    # A header of which no column is known is probably a record: its fields are masked.
    record = ["P001", "C1", "E1", "y", "J", "S", "1980-05-17"]
    problems = [
        Problem(EPISODES, 1, name, name, "unknown_column", f"unknown column {name!r}; ...")
        for name in record
    ] + [
        Problem(EPISODES, 1, column, None, "missing_column", f"column {column!r} is missing")
        for column in CsvFile.of("episodes", []).header
    ]
    masked = mask_problems(problems)
    unknown = [p for p in masked if p.rule == "unknown_column"]
    assert [p.value for p in unknown] == ["A999", "A9", "A9", "a", "A", "A", "9999-99-99"]
    assert [p.column for p in unknown] == [p.value for p in unknown]
    assert "1980-05-17" not in " ".join(p.message for p in unknown)


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+44 113", "'+44 113"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("  =1+1", "'  =1+1"),
        ("1-2", "1-2"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_spreadsheet_safe(text: str, safe: str) -> None:
    assert spreadsheet_safe(text) == safe


def test_csv_cells_never_start_a_formula() -> None:
    formula = "=cmd|' /C calc'!A0"
    problems = [
        Problem(f"={formula}.csv", 2, "+x", formula, "-rule", f"@{formula}"),
        Problem("deaths_2021.csv", None, None, None, "too_large", 'says "big", really'),
    ]
    rows = list(csv.reader(io.StringIO(csv_text(problems), newline="")))
    assert rows[0] == ["file", "row", "column", "value", "rule", "message"]
    assert rows[1] == [f"'={formula}.csv", "2", "'+x", f"'{formula}", "'-rule", f"'@{formula}"]
    assert rows[2] == ["deaths_2021.csv", "", "", "", "too_large", 'says "big", really']
    for row in rows[1:]:
        assert not any(cell.lstrip(" ").startswith(("=", "+", "-", "@")) for cell in row)


def test_terminal_text_is_inert() -> None:
    value = "[bold red]x[/bold red]\x1b[2J\u202eevil\nnext"
    console = Console(record=True, width=250, file=io.StringIO(), color_system=None)
    console.print(problems_table([Problem("f.csv", 2, "c", value, "r", value)], 10))
    text = console.export_text()
    assert "[bold red]x[/bold red]\\x1b[2J\\u202eevil\\nnext" in text
    assert "\x1b" not in text and "\u202e" not in text
    assert printable("plain text") == "plain text"


def test_exit_code_takes_the_worst_status() -> None:
    def report(*statuses: Status) -> ValidationReport:
        results = [FileResult(f"f{i}", None, s) for i, s in enumerate(statuses)]
        return ValidationReport.build(results, DEFAULT_LIMITS)

    assert report().exit_code == 0
    assert report(Status.VALID, Status.VALID).exit_code == 0
    assert report(Status.VALID, Status.INVALID).exit_code == 1
    assert report(Status.INVALID, Status.UNRECOGNISED).exit_code == 2
    assert report(Status.UNREADABLE, Status.VALID).exit_code == 2


def test_reports_are_written_whole(tmp_path: Path) -> None:
    problem = Problem(EPISODES, 2, "sex", "Mle", "bad_code", "'Mle' is not a valid sex")
    results = [
        FileResult("in/treatment_P001_2021-06.zip", "treatment", Status.INVALID, (problem,)),
        FileResult("in/deaths_2021.csv", "deaths", Status.VALID),
    ]
    report = ValidationReport.build(results, DEFAULT_LIMITS, ["in/notes.txt"])
    csv_path, json_path = write_reports(report, tmp_path / "new" / "folder")
    assert sorted(p.name for p in csv_path.parent.iterdir()) == [CSV_NAME, JSON_NAME]
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    document = json.loads(json_path.read_text("utf-8"))
    assert document["exit_code"] == 1 and document["valid"] is False
    assert document["summary"] == {
        "files": 2, "valid": 1, "invalid": 1, "unrecognised": 0, "unreadable": 0,
        "problems": 1, "skipped": 1,
    }  # fmt: skip
    assert document["files"][0] == {
        "path": "in/treatment_P001_2021-06.zip",
        "dataset": "treatment",
        "status": "invalid",
        "problems": 1,
        "rules": {"bad_code": 1},
        "files": {EPISODES: 1},
    }
    assert document["problems"] == [
        {"file": EPISODES, "row": 2, "column": "sex", "value": "Aaa", "rule": "bad_code",
         "message": "'Aaa' is not a valid sex"}
    ]  # fmt: skip
    assert document["skipped"] == ["in/notes.txt"]
    assert document["limits"]["max_field_bytes"] == 1024 * 1024


# Every identifier value, through the real command ---------------------------


def broken_identifiers() -> tuple[list[Zip | Plain], set[str], set[str]]:
    """Submissions that break identifier columns, and the identifier values used.

    Returns the submissions, the values long enough to search for as text, and
    single-letter values (checked as whole cells and quoted in messages).
    """
    t = treatment()
    e = t.csv("episodes.csv")
    e.set(2, "first_initial", "j").set(2, "last_initial", "Sm")  # bad_format x2
    e.set(3, "date_of_birth", "1983-03-03")  # consent n: non_consent_field_filled
    e.set(4, "date_of_birth", "1975-13-02").set(4, "sex", "Mle")  # bad_date, bad_code
    e.set(5, "date_of_birth", "2021-04-02").set(5, "postcode_district", "m1x9")  # after referral
    p = pnc()
    n = p.csv("nominals.csv")
    n.set(2, "postcode", "ls6 1an").set(3, "pnc_id", "6/1A").set(3, "sex", "F")
    n.set(2, "date_of_birth", "2021-07-01")  # after the extract date
    p.csv("aliases.csv").set(2, "pnc_id", "07/777777Q").set(2, "date_of_birth", "1980-02-30")
    d = drug_tests()
    d.csv().set(2, "date_of_birth", "2021-06-16").set(3, "pnc_id", "12/3456789").set(
        3, "sex", "Fem"
    )
    x = deaths()
    x.csv().set(3, "date_of_birth", "1951-06-06").set(3, "date_of_death", "1950-01-01")
    x.csv().set(4, "postcode", "m1 1ae")
    headerless = treatment("treatment_P002_2021-06.zip")
    episodes = headerless.csv("episodes.csv")
    known = episodes.rows[0][9:]  # local_authority onwards: not identifiers
    record = ["P002", "C7", "E7", "y", "Q", "Z", "1966-06-16", "female", "BD7", *known]
    episodes.header = record
    headerless.members["interventions.csv"] = CsvFile.of("interventions", [])
    headerless.members["top.csv"] = CsvFile.of("top", [])
    long = {
        "1983-03-03", "1975-13-02", "Mle", "2021-04-02", "m1x9", "ls6 1an", "6/1A",
        "2021-07-01", "07/777777Q", "1980-02-30", "2021-06-16", "12/3456789", "Fem",
        "1951-06-06", "m1 1ae", "1966-06-16", "BD7", "C7", "Sm",
    }  # fmt: skip
    short = {"j", "F", "Q", "Z"}
    return [t, p, d, x, headerless], long, short


def test_no_identifier_value_reaches_any_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    submissions, long, short = broken_identifiers()
    files = tmp_path / "files"
    files.mkdir()
    for s in submissions:
        s.write(files)
    code = main(["validate", str(files), "--report-dir", str(tmp_path / "r"), "--max-rows", "500"])
    terminal = capsys.readouterr().out
    assert code == 1
    csv_report = (tmp_path / "r" / CSV_NAME).read_text("utf-8-sig")
    json_report = (tmp_path / "r" / JSON_NAME).read_text("utf-8")
    document = json.loads(json_report)
    rules = {p["rule"] for p in document["problems"]}
    # The breakages above reach every rule that quotes an identifier.
    assert {
        "bad_format", "bad_date", "bad_code", "non_consent_field_filled",
        "dob_not_before_referral", "after_extract_date", "orphan_alias", "test_before_birth",
        "death_before_birth", "unknown_column",
    } <= rules  # fmt: skip
    for text in (terminal, csv_report, json_report):
        leaked = sorted(v for v in long if v in text)
        assert leaked == [], leaked
    cells = [row for row in csv.reader(io.StringIO(csv_report))][1:]
    for problem in document["problems"]:
        assert problem["value"] not in short
        assert problem["column"] not in short
        assert not any(f"'{v}'" in problem["message"] for v in short)
    for row in cells:
        assert not set(row) & short
