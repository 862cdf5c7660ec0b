"""``recoverylink build``: shape the linked warehouse into the analysts' mart.

The library lives in :mod:`recoverylink.warehouse`; see docs/warehouse.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from recoverylink.cli.ingest import data_dir_option
from recoverylink.cli.state import cli_state

HELP = """Build the mart in the warehouse from the loaded records and the last
linkage run: persons, episodes, treatment journeys and their exits,
re-presentation, interventions and waits, TOP, convictions and cautions, drug
tests and deaths, all by pseudonymous person_id (schema `mart`). With --truth,
build the same from a synthetic England's true person ids instead (schema
`truth_mart`), to measure what linkage error costs. Run `recoverylink link`
first.

Example: recoverylink build --data-dir demo-output/data
"""


def register(app: typer.Typer) -> None:
    app.command(
        name="build",
        help=HELP,
        short_help="Build the mart: persons, journeys, exits, events by person.",
    )(build)


def build(
    ctx: typer.Context,
    data_dir: Annotated[Path | None, data_dir_option()] = None,
    truth: Annotated[
        Path | None,
        typer.Option(
            "--truth",
            metavar="DIR",
            exists=True,
            file_okay=False,
            help="Build truth_mart from DIR/records.csv (a synthetic England's truth/) "
            "instead of the linkage's person map.",
            show_default=False,
        ),
    ] = None,
) -> None:
    from recoverylink.cli.progress import RichProgress
    from recoverylink.warehouse.build import BuildOptions
    from recoverylink.warehouse.build import build as run_build

    settings = cli_state(ctx).config()
    options = BuildOptions(
        data_dir=data_dir if data_dir is not None else settings.paths.data_dir,
        duckdb=settings.duckdb,
        truth_dir=truth,
    )
    console = Console(highlight=False)
    with RichProgress(console) as progress:
        result = run_build(options, progress)
    table = Table(title=f"Schema {result.schema}", title_justify="left")
    table.add_column("Table")
    table.add_column("Rows", justify="right")
    for name, rows in result.rows.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(
        escape(
            f"Built {result.schema} in {options.data_dir / 'warehouse.duckdb'} in "
            f"{result.seconds:.1f} s (persons from {result.person_source}; data to "
            f"{result.data_end:%Y-%m-%d}). Next: `recoverylink indicators`."
        )
    )
