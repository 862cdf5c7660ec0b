"""``recoverylink link``: link records into persons, review borderline pairs, export the map.

- ``recoverylink link``: train (or reuse) the models, score, cluster, write the
  person map to the warehouse and the linkage report;
- ``recoverylink link review export`` / ``import``: clerical review;
- ``recoverylink link export-map``: ``source,key,person_id`` for quality checks.

The library lives in :mod:`recoverylink.linkage`; see docs/linkage.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from recoverylink.cli.ingest import data_dir_option
from recoverylink.cli.state import cli_state

HELP = """Link records into persons: train a Splink model per job (or reuse saved
ones with --models), score pairs, cluster them under the source rules, and write
the person map (record_id -> pseudonymous person_id) to the warehouse, the
models to linkage/models/ and the report to linkage/report/ in the data
directory. Needs RECOVERYLINK_PSEUDONYM_KEY.

Example: recoverylink link --truth demo-output/synth/truth
"""

link_app = typer.Typer(
    help=HELP,
    invoke_without_command=True,
    no_args_is_help=False,
    add_completion=False,
)
review_app = typer.Typer(
    help="Clerical review: export borderline pairs, import accept/reject decisions.",
    no_args_is_help=True,
)
link_app.add_typer(review_app, name="review")


def register(app: typer.Typer) -> None:
    app.add_typer(
        link_app,
        name="link",
        short_help="Link records into persons, review borderline pairs, export the person map.",
    )


def _probability(value: float | None) -> float | None:
    if value is not None and not 0 < value < 1:
        raise typer.BadParameter(f"must be more than 0 and less than 1, not {value}")
    return value


def _folder(ctx: typer.Context, data_dir: Path | None) -> Path:
    settings = cli_state(ctx).config()
    return data_dir if data_dir is not None else settings.paths.data_dir


def engine_option() -> Any:
    return typer.Option("--engine", metavar="ENGINE", help="Where Splink runs: duckdb or spark.")


def threshold_option() -> Any:
    return typer.Option(
        "--threshold",
        metavar="P",
        callback=_probability,
        help="Match probability at or above which a pair is linked "
        "(default: the linkage.match_threshold setting).",
        show_default=False,
    )


def models_option(help: str = "Reuse the models saved in DIR instead of training.") -> Any:
    return typer.Option(
        "--models", metavar="DIR", exists=True, file_okay=False, help=help, show_default=False
    )


def truth_option(
    help: str = "Score the run against DIR/records.csv (a synthetic England's truth/).",
) -> Any:
    return typer.Option(
        "--truth", metavar="DIR", exists=True, file_okay=False, help=help, show_default=False
    )


@link_app.callback()
def link(
    ctx: typer.Context,
    data_dir: Annotated[Path | None, data_dir_option()] = None,
    engine: Annotated[str, engine_option()] = "duckdb",
    threshold: Annotated[float | None, threshold_option()] = None,
    models: Annotated[Path | None, models_option()] = None,
    truth: Annotated[Path | None, truth_option()] = None,
    report_dir: Annotated[
        Path | None,
        typer.Option(
            "--report-dir",
            metavar="DIR",
            file_okay=False,
            help="Where to write the report (default: linkage/report in the data directory).",
            show_default=False,
        ),
    ] = None,
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from recoverylink.cli.progress import RichProgress
    from recoverylink.config import pseudonym_key
    from recoverylink.linkage.engines import ENGINES, EngineError
    from recoverylink.linkage.pipeline import LinkOptions, run_linkage

    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    settings = cli_state(ctx).config()
    options = LinkOptions(
        data_dir=_folder(ctx, data_dir),
        duckdb=settings.duckdb,
        pseudonym_key=pseudonym_key(settings),
        match_threshold=threshold if threshold is not None else settings.linkage.match_threshold,
        engine=engine,
        models_dir=models,
        truth_dir=truth,
        report_dir=report_dir,
    )
    console = Console(highlight=False)
    with RichProgress(console) as progress:
        result = run_linkage(options, progress)
    from recoverylink.cli.link_report import show

    show(console, result)


@review_app.command("export")
def review_export(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option("--out", metavar="FILE", dir_okay=False, help="The CSV file to write."),
    ],
    low: Annotated[
        float, typer.Option("--low", metavar="P", min=0.0, max=1.0, help="Lowest probability.")
    ] = 0.5,
    high: Annotated[
        float,
        typer.Option("--high", metavar="P", min=0.0, max=1.0, help="Probabilities below this."),
    ] = 0.95,
    data_dir: Annotated[Path | None, data_dir_option()] = None,
) -> None:
    """Write the pairs the last run scored with LOW <= probability < HIGH, with both records'
    identifiers and an empty decision column. For people with identity-store access only."""
    from recoverylink.linkage.review import export_review

    settings = cli_state(ctx).config()
    count = export_review(_folder(ctx, data_dir), settings.duckdb, low, high, out)
    Console(highlight=False).print(
        escape(f"{count:,} pairs with probability {low} to {high} written to {out}. "
               "Write accept or reject in the decision column, then run "
               f"`recoverylink link review import {out}`.")
    )


@review_app.command("import")
def review_import(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="A review file with decisions filled in.",
                       show_default=False),
    ],
    data_dir: Annotated[Path | None, data_dir_option()] = None,
) -> None:
    """Read accept/reject decisions back; they override the model from the next run on."""
    from recoverylink.linkage.review import import_review

    settings = cli_state(ctx).config()
    result = import_review(_folder(ctx, data_dir), settings.duckdb, file)
    Console(highlight=False).print(
        escape(f"{result.accepted:,} accepted, {result.rejected:,} rejected, "
               f"{result.undecided:,} left undecided. Run `recoverylink link` to apply them.")
    )


@link_app.command("export-map")
def export_map_command(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option("--out", metavar="FILE", dir_okay=False, help="The CSV file to write."),
    ],
    data_dir: Annotated[Path | None, data_dir_option()] = None,
) -> None:
    """Write source,key,person_id for every linked record (keys as in truth/records.csv).
    Holds PNC ids: for people with identity-store access only."""
    from recoverylink.linkage.export import export_map

    settings = cli_state(ctx).config()
    count = export_map(_folder(ctx, data_dir), settings.duckdb, out)
    Console(highlight=False).print(escape(f"{count:,} records written to {out}."))


