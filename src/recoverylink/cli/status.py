"""``recoverylink status``: what has been loaded, and what was not and why.

Reads only the warehouse's ledger, opened read-only (:mod:`recoverylink.ingest.status`).
Problems of rejected files are shown with identifiers masked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from recoverylink.cli.ingest import data_dir_option
from recoverylink.cli.state import cli_state

HELP = """Show what has been loaded into the stores (per dataset, provider and
period: rows, load ids, when) and which files were rejected or refused, and why.

Example: recoverylink status --source treatment --provider P0600000101
"""

SOURCES = ("providers", "reference", "treatment", "pnc", "drug_tests", "deaths", "unrecognised")
"""The datasets of ``recoverylink.ingest.files.Kind`` (a test keeps them in step)."""


def register(app: typer.Typer) -> None:
    app.command(
        "status",
        help=HELP,
        short_help="Show what has been loaded, and what was rejected or refused and why.",
    )(status)


def _source(value: str | None) -> str | None:
    if value is not None and value not in SOURCES:
        raise typer.BadParameter(f"must be one of {', '.join(SOURCES)}, not {value!r}")
    return value


def status(
    ctx: typer.Context,
    data_dir: Annotated[Path | None, data_dir_option()] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="DATASET",
            callback=_source,
            help=f"Only this dataset: {', '.join(SOURCES)}.",
            show_default=False,
        ),
    ] = None,
    provider: Annotated[
        str | None,
        typer.Option(
            "--provider",
            metavar="CODE",
            help="Only this treatment provider's files.",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            metavar="N",
            min=0,
            help="Most files listed in each list; 0 lists them all.",
        ),
    ] = 20,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the status as JSON instead of tables.")
    ] = False,
) -> None:
    from recoverylink.cli.status_report import show
    from recoverylink.ingest.status import read_status
    from recoverylink.ingest.stores import Stores

    settings = cli_state(ctx).config()
    folder = data_dir if data_dir is not None else settings.paths.data_dir
    console = Console(highlight=False)
    stores = Stores.open_read_only(folder, settings.duckdb)
    if stores is None:
        if as_json:
            print(json.dumps({"data_dir": str(folder), "sources": []}))
        else:
            console.print(escape(f"Nothing has been loaded into {folder} yet."))
        return
    with stores:
        report = read_status(stores.con, source, provider, limit or None)
    if as_json:
        print(json.dumps({"data_dir": str(folder), **report.as_json()}, indent=2))
        return
    show(console, report, folder)
