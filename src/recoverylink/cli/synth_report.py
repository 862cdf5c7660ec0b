"""Tables for ``recoverylink synth``: what was written, and how it compares."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from rich.markup import escape
from rich.table import Table


class CheckRow(Protocol):
    """One figure of :func:`recoverylink.synth.check.run_check`'s report (read only)."""

    @property
    def figure(self) -> str: ...
    @property
    def published(self) -> float: ...
    @property
    def measured(self) -> float: ...
    @property
    def tolerance(self) -> float: ...
    @property
    def unit(self) -> str: ...
    @property
    def passed(self) -> bool: ...
    @property
    def note(self) -> str: ...
    @property
    def checked(self) -> bool: ...


def format_value(value: float, unit: str) -> str:
    """A figure as people read it: shares (fractions) as percentages.

    >>> format_value(0.4567, "share"), format_value(-3.24, "percent_change")
    ('45.7%', '-3.2%')
    >>> format_value(123456, "count"), format_value(2.5, "rate")
    ('123,456', '2.5')
    """
    if not math.isfinite(value):
        return "n/a"
    if unit == "share":
        return f"{_points(value * 100)}%"
    if unit == "percent_change":
        return f"{_points(value, signed=True)}%"
    return _number(value)


def format_tolerance(tolerance: float, unit: str) -> str:
    """The allowed distance from the published figure, in the figure's unit.

    >>> format_tolerance(0.02, "share"), format_tolerance(1.5, "percent_change")
    ('±2.0 pp', '±1.5 pp')
    >>> format_tolerance(500, "count")
    '±500'
    """
    if not math.isfinite(tolerance):
        return "n/a"
    if unit == "share":
        return f"±{_points(tolerance * 100)} pp"
    if unit == "percent_change":
        return f"±{_points(tolerance)} pp"
    return f"±{_number(tolerance)}"


def _points(value: float, signed: bool = False) -> str:
    """A percentage to one decimal place, or two below 1."""
    sign = "+" if signed else ""
    decimals = 1 if abs(value) >= 1 or value == 0 else 2
    return f"{value:{sign}.{decimals}f}"


def _number(value: float) -> str:
    if abs(value) >= 1000 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.4g}"


def check_table(rows: Iterable[CheckRow], title: str) -> Table:
    rows = list(rows)
    with_notes = any(row.note for row in rows)
    table = Table(title=title, title_justify="left")
    table.add_column("Figure")
    for heading in ("Published", "Measured", "Tolerance"):
        table.add_column(heading, justify="right")
    table.add_column("Result")
    if with_notes:
        table.add_column("Note")
    for row in rows:
        cells = [
            escape(row.figure),
            format_value(row.published, row.unit),
            format_value(row.measured, row.unit),
            format_tolerance(row.tolerance, row.unit),
            _result(row),
        ]
        table.add_row(*cells, *([escape(row.note)] if with_notes else []))
    return table


TOO_FEW = "too few people to check"
"""How the check's note begins for a figure too noisy at this size (synth.check.TOO_FEW)."""


def _too_few(row: CheckRow) -> bool:
    return not row.checked and row.note.startswith(TOO_FEW)


def _result(row: CheckRow) -> str:
    if not row.checked:
        return "[yellow]too few[/]" if _too_few(row) else "not measured"
    return "[green]pass[/]" if row.passed else "[bold red]FAIL[/]"


def verdict(rows: Iterable[CheckRow], scale: float, profile: str) -> tuple[str, bool]:
    """The check's last lines, and whether it passed: every figure checked is within
    tolerance (figures too noisy at this size, or not measured, are counted apart)."""
    rows = list(rows)
    checked = [r for r in rows if r.checked]
    failed = [r for r in checked if not r.passed]
    too_few = [r for r in rows if _too_few(r)]
    unmeasured = len(rows) - len(checked) - len(too_few)
    lines = [f"{len(checked) - len(failed)} of {len(checked)} figures checked are within "
             f"tolerance (profile {profile})."]
    if too_few:
        lines.append(
            f"{len(too_few)} had too few people to check at scale {scale:g}: the sampling noise "
            "of each (its standard error) is more than its tolerance, so it is shown but "
            "neither passes nor fails; a bigger --scale checks it."
        )
    if unmeasured:
        lines.append(f"{unmeasured} not measured at this scale (figures about single areas).")
    if failed:
        lines.append("[bold red]Calibration check FAILED[/]: "
                     f"{len(failed)} figure{'s' if len(failed) > 1 else ''} checked "
                     f"{'are' if len(failed) > 1 else 'is'} outside tolerance.")
    else:
        lines.append("[bold green]Calibration check passed[/]: every figure with enough "
                     "people to check is within tolerance.")
    return "\n".join(lines), not failed


def summary_table(summary: Mapping[str, Any]) -> Table:
    """The generator's summary (counts per dataset, possibly nested) as two columns."""
    table = Table(title="Synthetic England written", title_justify="left")
    table.add_column("Dataset")
    table.add_column("Count", justify="right")
    for name, value in _flatten(summary):
        table.add_row(escape(name), escape(_cell(value)))
    return table


def _flatten(mapping: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            items.extend(_flatten(value, prefix=f"{name} / "))
        else:
            items.append((name, value))
    return items


def _cell(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return format_value(value, "count")
