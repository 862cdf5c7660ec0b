"""``recoverylink indicators``: the official indicators for England, regions and areas.

The library lives in :mod:`recoverylink.indicators`; see docs/indicators.md.
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

HELP = """Compute every indicator (number in treatment, new presentations,
successful completions, completions not re-presenting within 6 months,
re-presentations, effective treatment, waiting under 3 weeks, deaths in
treatment) for England, each region and each local authority, by substance
group, for each financial year and each rolling 12 months, with 95% and 99.8%
confidence intervals, comparison with England, five-year trends, funnel plot
data and a case-mix adjusted comparison of areas' successful completions.
Writes Parquet and CSV files (see docs/data-dictionary.md). Run `recoverylink
build` first.

Example: recoverylink indicators --data-dir demo-output/data --population-scale 0.01
"""


def register(app: typer.Typer) -> None:
    app.command(
        name="indicators",
        help=HELP,
        short_help="Compute the indicators by area, substance group and period.",
    )(indicators)


def _positive(value: float) -> float:
    if not value > 0:
        raise typer.BadParameter(f"must be more than 0, not {value}")
    return value


def indicators(
    ctx: typer.Context,
    data_dir: Annotated[Path | None, data_dir_option()] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            file_okay=False,
            help="Where to write the files (default: outputs/indicators in the data "
            "directory, or outputs/indicators-truth with --truth).",
            show_default=False,
        ),
    ] = None,
    truth: Annotated[
        bool,
        typer.Option(
            "--truth",
            help="Read truth_mart (`recoverylink build --truth DIR`) instead of the mart.",
        ),
    ] = False,
    population_scale: Annotated[
        float,
        typer.Option(
            "--population-scale",
            metavar="S",
            callback=_positive,
            help="Multiply resident populations by S: a synthetic England's --scale.",
        ),
    ] = 1.0,
    comparator_groups: Annotated[
        int,
        typer.Option(
            "--comparator-groups",
            metavar="N",
            min=1,
            help="How many case-mix comparator groups to put the areas in.",
        ),
    ] = 5,
) -> None:
    from recoverylink.cli.progress import RichProgress
    from recoverylink.indicators.definitions import INDICATORS
    from recoverylink.indicators.job import IndicatorOptions, run_indicators

    settings = cli_state(ctx).config()
    options = IndicatorOptions(
        data_dir=data_dir if data_dir is not None else settings.paths.data_dir,
        duckdb=settings.duckdb,
        out_dir=out,
        truth=truth,
        population_scale=population_scale,
        comparator_groups=comparator_groups,
    )
    console = Console(highlight=False)
    with RichProgress(console) as progress:
        result = run_indicators(options, progress)
    england = result.values[
        (result.values["level"] == "england")
        & (result.values["substance_group"] == "all")
        & (result.values["period_type"] == "financial_year")
    ]
    table = Table(title="England, all substances (value; numerator / denominator)",
                  title_justify="left")
    table.add_column("Indicator")
    years = sorted(england["period"].unique())[-3:]
    for year in years:
        table.add_column(year, justify="right")
    for indicator in INDICATORS:
        rows = england[england["indicator_id"] == indicator.id]
        cells = []
        for year in years:
            row = rows[rows["period"] == year]
            if row.empty:
                cells.append("-")
            else:
                r = row.iloc[0]
                cells.append(f"{r['value']:.1f} ({int(r['numerator']):,}/{r['denominator']:,.0f})")
        table.add_row(indicator.id, *cells)
    console.print(table)
    console.print(
        escape(
            f"{sum(result.files.values()):,} rows in {len(result.files)} tables written to "
            f"{result.out_dir} (Parquet and CSV) in {result.seconds:.1f} s, from {result.schema} "
            f"(data to {result.data_end})."
        )
    )
