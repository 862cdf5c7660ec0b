"""Tables and the exit code for ``recoverylink ingest``: what each file came to."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from recoverylink.cli.errors import ExitCode
from recoverylink.ingest.files import LOAD_ORDER
from recoverylink.ingest.loader import IngestResult
from recoverylink.ingest.plan import FileOutcome, Outcome
from recoverylink.ingest.report import printable

SHOWN_NOT_LOADED = 20
SHOWN_NOTES = 5
"""Files replaced, and files unchanged, whose note is shown (all are in the log)."""
OUTCOMES = tuple(Outcome)
NOT_LOADED = (Outcome.REJECTED, Outcome.REFUSED, Outcome.UNREADABLE)


def exit_code(result: IngestResult) -> int:
    if result.any_of(Outcome.UNREADABLE):
        return ExitCode.BAD_INPUT
    if result.any_of(Outcome.REJECTED, Outcome.REFUSED):
        return ExitCode.FAILED
    return ExitCode.OK


def summary_table(result: IngestResult) -> Table:
    table = Table(title="Ingest", title_justify="left")
    table.add_column("dataset")
    table.add_column("files", justify="right")
    for outcome in OUTCOMES:
        table.add_column(outcome.value, justify="right")
    table.add_column("rows loaded", justify="right")
    counts = result.counts()
    for kind in LOAD_ORDER:
        if kind not in counts:
            continue
        row = counts[kind]
        rows = sum(
            f.rows
            for f in result.files
            if f.kind is kind and f.outcome in (Outcome.LOADED, Outcome.REPLACED)
        )
        table.add_row(
            kind.value,
            f"{sum(row.values()):,}",
            *(f"{row[o]:,}" if row[o] else "" for o in OUTCOMES),
            f"{rows:,}",
        )
    return table


def _not_loaded(result: IngestResult) -> list[FileOutcome]:
    return [f for f in result.files if f.outcome in NOT_LOADED]


def not_loaded_table(files: list[FileOutcome]) -> Table:
    table = Table(title=f"Not loaded ({len(files):,})", title_justify="left")
    for name in ("file", "outcome", "load", "why"):
        table.add_column(name)
    for f in files[:SHOWN_NOT_LOADED]:
        load = str(f.load_id) if f.load_id is not None else ""
        table.add_row(
            escape(printable(str(f.path))), f.outcome.value, load, escape(printable(f.note))
        )
    return table


def show(console: Console, result: IngestResult, folder: Path, log: Callable[[str], None]) -> None:
    console.print(summary_table(result))
    bad = _not_loaded(result)
    if bad:
        console.print(not_loaded_table(bad))
        if len(bad) > SHOWN_NOT_LOADED:
            console.print(f"… and {len(bad) - SHOWN_NOT_LOADED:,} more; see recoverylink status")
    for outcome in (Outcome.REPLACED, Outcome.UNCHANGED):
        files = [f for f in result.files if f.outcome is outcome]
        for f in files[:SHOWN_NOTES]:
            console.print(escape(printable(f"{f.path.name}: {outcome.value}, {f.note}")))
        if len(files) > SHOWN_NOTES:
            console.print(f"… and {len(files) - SHOWN_NOTES:,} more files {outcome.value}")
    if result.skipped:
        names = ", ".join(escape(printable(p.name)) for p in result.skipped[:5])
        more = f" and {len(result.skipped) - 5:,} more" if len(result.skipped) > 5 else ""
        console.print(
            f"Skipped {len(result.skipped):,} files that are not submissions: {names}{more}"
        )
    rate = result.rows_checked / result.seconds if result.seconds > 0 else 0.0
    line = (
        f"{len(result.files):,} files, {result.rows_checked:,} rows checked in "
        f"{result.seconds:.1f} s ({rate:,.0f} rows a second). Stores in {folder}"
    )
    console.print(escape(printable(line)))
    log(line)
