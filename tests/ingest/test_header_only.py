"""Files with only their header row: accepted, or rejected with a problem line, never "unexpected".

A header-only episodes.csv beside interventions or TOP reviews used to stop
``validate`` and ``ingest`` with ``unexpected IndexError`` (looking up the
episode of each child row in an empty table). Each case below is worked out
from the spec: a child row whose episode is not in episodes.csv breaks the
orphan rule of its file, at its own line, column episode_ref; an alias or a
disposal whose PNC id is not in nominals.csv breaks the orphan rule of its
file; a file with no rows breaks no rule.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from builders import (
    alias,
    disposal,
    episode,
    intervention,
    pnc_zip,
    providers_csv,
    top,
    treatment_zip,
    write_csv,
)
from conftest import Result

from recoverylink.ingest.report import JSON_NAME

Case = Callable[[Path], Path]
Expected = list[tuple[str, str, int, str]]
"""(rule, file, row, column) of every problem, in the report's order."""

TREATMENT = "treatment_P1_2021-04.zip"
PNC = "pnc_2021-09-30.zip"


def episodes_empty_interventions(folder: Path) -> Path:
    orphans = [intervention("P1", "E1", "I1"), intervention("P1", "E2", "I2")]
    return treatment_zip(folder, "P1", "2021-04", [], orphans)


def episodes_empty_top(folder: Path) -> Path:
    return treatment_zip(folder, "P1", "2021-04", [], [], [top("P1", "E1")])


def episodes_empty_both(folder: Path) -> Path:
    return treatment_zip(folder, "P1", "2021-04", [], [intervention("P1", "E1", "I1")],
                         [top("P1", "E1"), top("P1", "E2")])  # fmt: skip


def treatment_all_empty(folder: Path) -> Path:
    return treatment_zip(folder, "P1", "2021-04", [])


def nominals_empty_disposals(folder: Path) -> Path:
    return pnc_zip(folder, "2021-09-30", [], [], [disposal("01/000001A", "D1")])


def nominals_empty_aliases_disposals(folder: Path) -> Path:
    return pnc_zip(folder, "2021-09-30", [], [alias("01/000001A")],
                   [disposal("01/000001A", "D1")])  # fmt: skip


def pnc_all_empty(folder: Path) -> Path:
    return pnc_zip(folder, "2021-09-30", [])


def drug_tests_empty(folder: Path) -> Path:
    return write_csv(folder / "drug_tests_2021-05.csv", "drug_tests", [])


def deaths_empty(folder: Path) -> Path:
    return write_csv(folder / "deaths_2021.csv", "deaths", [])


CASES: list[tuple[Case, Expected]] = [
    (episodes_empty_interventions, [
        ("orphan_intervention", f"{TREATMENT}/interventions.csv", 2, "episode_ref"),
        ("orphan_intervention", f"{TREATMENT}/interventions.csv", 3, "episode_ref"),
    ]),
    (episodes_empty_top, [("orphan_top", f"{TREATMENT}/top.csv", 2, "episode_ref")]),
    (episodes_empty_both, [
        ("orphan_intervention", f"{TREATMENT}/interventions.csv", 2, "episode_ref"),
        ("orphan_top", f"{TREATMENT}/top.csv", 2, "episode_ref"),
        ("orphan_top", f"{TREATMENT}/top.csv", 3, "episode_ref"),
    ]),
    (treatment_all_empty, []),
    (nominals_empty_disposals, [("orphan_disposal", f"{PNC}/disposals.csv", 2, "pnc_id")]),
    (nominals_empty_aliases_disposals, [
        ("orphan_alias", f"{PNC}/aliases.csv", 2, "pnc_id"),
        ("orphan_disposal", f"{PNC}/disposals.csv", 2, "pnc_id"),
    ]),
    (pnc_all_empty, []),
    (drug_tests_empty, []),
    (deaths_empty, []),
]  # fmt: skip
IDS = [case.__name__ for case, _ in CASES]


def problems(report_dir: Path) -> Expected:
    document = json.loads((report_dir / JSON_NAME).read_text("utf-8"))
    return [(p["rule"], p["file"], p["row"], p["column"]) for p in document["problems"]]


@pytest.mark.parametrize(("case", "expected"), CASES, ids=IDS)
def test_validate_reports_a_problem_or_accepts(
    cli: Callable[..., Result], tmp_path: Path, case: Case, expected: Expected
) -> None:
    path = case(tmp_path / "in")
    result = cli("validate", path, "--report-dir", tmp_path / "out")
    assert "unexpected" not in result.out + result.err
    assert result.code == (1 if expected else 0), result.out + result.err
    assert problems(tmp_path / "out") == expected


@pytest.mark.parametrize(("case", "expected"), CASES, ids=IDS)
def test_ingest_rejects_or_loads_with_nothing_half_loaded(
    cli: Callable[..., Result], tmp_path: Path, case: Case, expected: Expected
) -> None:
    """Ingest checks treatment a month at a time in a stack: a second, valid zip of the
    same month (another provider) goes through the same checking and is loaded."""
    folder = tmp_path / "in"
    providers_csv(folder, [("P1", "One", "E06000001"), ("P2", "Two", "E06000001")])
    case(folder)
    treatment_zip(folder, "P2", "2021-04", [episode("P2", "E1")],
                  [intervention("P2", "E1", "I1")])  # fmt: skip
    data = tmp_path / "data"
    result = cli("ingest", folder, "--data-dir", data)
    assert "unexpected" not in result.out + result.err
    assert result.code == (1 if expected else 0), result.out + result.err
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        statuses = dict(con.execute("SELECT file_name, status FROM ingest.loads").fetchall())
        rules = sorted(con.execute("SELECT rule, problem_count FROM ingest.load_rules").fetchall())
        episodes = con.execute("SELECT provider_code, episode_ref FROM raw.treatment_episodes "
                               "ORDER BY ALL").fetchall()  # fmt: skip
    name = case(tmp_path / "again").name
    assert statuses[name] == ("rejected" if expected else "current")
    assert statuses["treatment_P2_2021-04.zip"] == "current"
    counted: dict[str, int] = {}
    for rule, *_ in expected:
        counted[rule] = counted.get(rule, 0) + 1
    assert rules == sorted(counted.items())
    assert episodes == [("P2", "E1")]  # nothing of the case's file, all of P2's
