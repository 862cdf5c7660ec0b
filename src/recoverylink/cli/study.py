"""``recoverylink study NAME``: run an outcome study on the linked mart.

The studies live in :mod:`recoverylink.studies`; see docs/studies.md.
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

HELP = """Run one outcome study on the mart (`recoverylink build` first) and
write its report: report.html (tables, charts, methods, cohort, exclusions and
caveats), each table as CSV, headlines.csv and manifest.json, under
outputs/studies/NAME in the data directory. Prints each headline figure beside
the published one. `recoverylink study --list` names the studies.

Example: recoverylink study reconviction --year 2006-07 --data-dir demo-output/data
"""


def register(app: typer.Typer) -> None:
    app.command(name="study", help=HELP, short_help="Run an outcome study and write its report.")(
        study
    )


def _settings(values: list[str]) -> dict[str, str]:
    out = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"write --set as KEY=VALUE, not {item!r}")
        out[key.strip()] = value.strip()
    return out


def study(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(help="The study to run.", show_default=False)
    ] = None,
    data_dir: Annotated[Path | None, data_dir_option()] = None,
    year: Annotated[
        str | None,
        typer.Option("--year", metavar="YYYY-YY", help="The cohort's financial year "
                     "(default: the study's, as in the published study).", show_default=False),
    ] = None,
    truth: Annotated[
        bool, typer.Option("--truth", help="Read truth_mart (`recoverylink build --truth DIR`).")
    ] = False,
    min_probability: Annotated[
        float | None,
        typer.Option("--min-link-probability", metavar="P", min=0.0, max=1.0,
                     help="Treat links weaker than P as not made (a stricter threshold).",
                     show_default=False),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="DIR", file_okay=False,
                     help="Where to write the report (default: outputs/studies/NAME in the "
                     "data directory; NAME-truth with --truth).", show_default=False),
    ] = None,
    settings: Annotated[
        list[str] | None,
        typer.Option("--set", metavar="KEY=VALUE", help="A study-specific option (repeatable).",
                     show_default=False),
    ] = None,
    list_studies: Annotated[
        bool, typer.Option("--list", help="Name the studies and stop.")
    ] = False,
) -> None:
    from recoverylink.studies.base import StudyError, StudyOptions
    from recoverylink.studies.registry import describe

    console = Console(highlight=False)
    if list_studies or name is None:
        for study_name, text in describe().items():
            console.print(escape(f"{study_name}: {text}"))
        if name is None and not list_studies:
            raise StudyError("name a study to run (see the list above)")
        return
    from recoverylink.studies.job import run_study
    from recoverylink.studies.report import fmt

    config = cli_state(ctx).config()
    options = StudyOptions(
        data_dir=data_dir if data_dir is not None else config.paths.data_dir,
        duckdb=config.duckdb,
        truth=truth,
        year=year,
        out_dir=out,
        min_link_probability=min_probability,
        extra=_settings(settings or []),
    )
    with console.status(f"running {name}"):
        result, report = run_study(name, options)
    table = Table(title=result.title, title_justify="left")
    for column in ("Figure", "This study", "95% interval", "Published"):
        table.add_column(column, justify="left" if column == "Figure" else "right")
    for h in result.headlines:
        interval = (
            f"{fmt(h.lower, h.unit)} to {fmt(h.upper, h.unit)}" if h.lower is not None else ""
        )
        table.add_row(h.label, fmt(h.value, h.unit), interval, h.published_text)
    console.print(table)
    console.print(escape(f"Report: {report} (tables as CSV beside it)."))
