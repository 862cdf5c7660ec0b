"""How synth results are formatted; and the doctests of the CLI modules."""

from __future__ import annotations

import doctest
import functools
import io
import math

import pytest
from rich.console import Console
from rich.table import Table

from recoverylink.cli import errors, synth, synth_report
from recoverylink.cli.synth_report import (
    check_table,
    format_tolerance,
    format_value,
    summary_table,
)
from recoverylink.synth.check import CheckRow

# the real row type of the calibration check, with a placeholder key
Row = functools.partial(CheckRow, "figure_key")


def render(table: Table) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=200).print(table)
    return buffer.getvalue()


@pytest.mark.parametrize("module", [errors, synth, synth_report])
def test_doctests(module: object) -> None:
    failures, tried = doctest.testmod(module)  # type: ignore[arg-type]
    assert tried > 0
    assert failures == 0


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (0.5, "share", "50.0%"),
        (0.0042, "share", "0.42%"),
        (0.0, "share", "0.0%"),
        (12.5, "percent_change", "+12.5%"),
        (-0.5, "percent_change", "-0.50%"),
        (1_234_567, "count", "1,234,567"),
        (12.0, "count", "12"),
        (3.14159, "rate", "3.142"),
        (math.nan, "share", "n/a"),
    ],
)
def test_format_value(value: float, unit: str, shown: str) -> None:
    assert format_value(value, unit) == shown


@pytest.mark.parametrize(
    ("tolerance", "unit", "shown"),
    [
        (0.015, "share", "±1.5 pp"),
        (2, "percent_change", "±2.0 pp"),
        (1500, "count", "±1,500"),
        (0.25, "rate", "±0.25"),
    ],
)
def test_format_tolerance(tolerance: float, unit: str, shown: str) -> None:
    assert format_tolerance(tolerance, unit) == shown


def test_check_table_rows_and_note_column() -> None:
    rows = [
        Row("deaths in treatment", 0.012, 0.02, 0.005, "share", False, "twice as many"),
        Row("episodes", 100, 101, 5, "count", True),
    ]
    lines = render(check_table(rows, title="Check")).splitlines()
    assert lines[0].strip() == "Check"
    assert "Note" in lines[2]
    (death_line,) = [line for line in lines if "deaths in treatment" in line]
    for cell in ("1.2%", "2.0%", "±0.50 pp", "FAIL", "twice as many"):
        assert cell in death_line
    (episode_line,) = [line for line in lines if "episodes" in line]
    for cell in ("100", "101", "±5", "pass"):
        assert cell in episode_line


def test_check_table_without_notes_has_no_note_column() -> None:
    drawn = render(check_table([Row("episodes", 100, 101, 5, "count", True)], title="Check"))
    assert "Note" not in drawn


def test_summary_table_flattens_nested_counts() -> None:
    drawn = render(
        summary_table({"treatment": {"episodes": 12000, "top": 3}, "scale": 0.01, "files": "csv"})
    )
    assert "treatment / episodes" in drawn and "12,000" in drawn
    assert "treatment / top" in drawn
    assert "0.01" in drawn and "csv" in drawn
