"""Tables for ``recoverylink status``."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from recoverylink.ingest.report import MASKING_NOTE, printable
from recoverylink.ingest.status import LoadRow, StatusReport

_FIRST_PROBLEMS = 3


def show(console: Console, report: StatusReport, folder: Path) -> None:
    console.print(escape(printable(f"Stores in {folder}")))
    console.print(sources_table(report))
    if report.current:
        console.print(
            loads_table(report.current, f"Loaded: {_shown(report.current, report.current_total)}")
        )
    if report.not_loaded:
        title = f"Rejected or refused: {_shown(report.not_loaded, report.not_loaded_total)}"
        console.print(problems_table(report.not_loaded, title))
        console.print(f"Identifiers in problems are masked: {MASKING_NOTE}.")
    elif report.sources:
        console.print("No file has been rejected or refused.")


def _shown(rows: list[LoadRow], total: int) -> str:
    return (
        f"{total:,} files" if len(rows) == total else f"{len(rows):,} of {total:,} files (--limit)"
    )


def _when(row: LoadRow) -> str:
    return f"{row.received_at:%Y-%m-%d %H:%M}"


def sources_table(report: StatusReport) -> Table:
    table = Table(title="Datasets", title_justify="left")
    for name in ("dataset", "current files", "rows", "superseded", "rejected", "refused",
                 "last received"):  # fmt: skip
        table.add_column(name, justify="left" if name == "dataset" else "right")
    for s in report.sources:
        last = f"{s.last_received:%Y-%m-%d %H:%M}" if s.last_received else ""
        table.add_row(s.kind, f"{s.current_files:,}", f"{s.current_rows:,}",
                      f"{s.superseded_files:,}", f"{s.rejected_files:,}",
                      f"{s.refused_files:,}", last)  # fmt: skip
    return table


def loads_table(rows: list[LoadRow], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for name in ("dataset", "provider", "period", "file", "rows", "load", "received (UTC)"):
        table.add_column(name, justify="right" if name in ("rows", "load") else "left")
    for r in rows:
        table.add_row(r.kind, escape(printable(r.provider_code or "")), r.period,
                      escape(printable(r.file_name)), f"{r.rows:,}", str(r.load_id),
                      _when(r))  # fmt: skip
    return table


def problems_table(rows: list[LoadRow], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for name in ("file", "status", "load", "received (UTC)", "problems", "why"):
        table.add_column(name, justify="right" if name in ("load", "problems") else "left")
    for r in rows:
        if r.status == "rejected":
            rules = ", ".join(f"{rule} {n:,}" for rule, n in list(r.rules.items())[:4])
            first = "\n".join(str(p) for p in r.problems[:_FIRST_PROBLEMS])
            why = f"{rules}\n{first}" if first else rules
        else:
            why = r.note
        table.add_row(escape(printable(r.file_name)), r.status, str(r.load_id), _when(r),
                      f"{r.problem_count:,}" if r.problem_count else "",
                      escape("\n".join(printable(line) for line in why.split("\n"))))  # fmt: skip
    return table
