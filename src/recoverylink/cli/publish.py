"""``recoverylink publish build``: the publication database and the downloads.

The library lives in :mod:`recoverylink.publish`; see docs/publication.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from recoverylink.cli.ingest import data_dir_option
from recoverylink.cli.state import cli_state

HELP = """Publish: build the read-only publication database (indicator values,
intervals, comparisons, trends, funnel data, the case-mix comparison and the
study tables, with every count from 1 to 4 suppressed and enough others that
none can be worked out) and the downloads (CSV, an accessible spreadsheet and
ODS). Reads only outputs/indicators and outputs/studies in the data directory:
run `recoverylink indicators` (and `recoverylink study NAME`) first.

Example: recoverylink publish build --data-dir demo-output/data
"""

publish_app = typer.Typer(help=HELP, no_args_is_help=True, add_completion=False)


def register(app: typer.Typer) -> None:
    app.add_typer(
        publish_app,
        name="publish",
        short_help="Build the publication database and downloads, with disclosure control.",
    )


@publish_app.command(
    "build",
    help="Build publish/publication.duckdb and publish/downloads/ in the data directory "
    "(or --out) from the indicators and studies already computed.",
)
def build(
    ctx: typer.Context,
    data_dir: Annotated[Path | None, data_dir_option()] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            file_okay=False,
            help="Where to write publication.duckdb and downloads/ (default: publish/ in the "
            "data directory).",
            show_default=False,
        ),
    ] = None,
) -> None:
    from recoverylink.cli.progress import RichProgress
    from recoverylink.publish.build import PublishOptions, build_publication

    settings = cli_state(ctx).config()
    options = PublishOptions(
        data_dir=data_dir if data_dir is not None else settings.paths.data_dir,
        duckdb=settings.duckdb,
        out_dir=out,
    )
    console = Console(highlight=False)
    with RichProgress(console) as progress:
        result = build_publication(options, progress)
    for warning in result.warnings:
        console.print(escape(f"warning: {warning}"))
    console.print(
        escape(
            f"Suppressed {result.primary:,} counts from 1 to 4 and {result.secondary:,} more "
            f"so that none can be worked out ({result.published_counts:,} indicator counts)."
        )
    )
    studies = ", ".join(result.studies) or "none"
    console.print(
        escape(
            f"Wrote {result.database} ({len(result.tables)} tables; studies: {studies}) and "
            f"the downloads in {result.downloads} in {result.seconds:.1f} s."
        )
    )
