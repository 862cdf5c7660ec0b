"""``recoverylink run``: from raw files to the publication in one command.

The orchestration (steps, fingerprints, the run state) lives in
:mod:`recoverylink.pipeline_run`; this module reads the options, draws each
step's progress and prints the summary.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from recoverylink.cli.indicators import _positive
from recoverylink.cli.ingest import LOG_FILE, RunLog, data_dir_option
from recoverylink.cli.link import engine_option, models_option, threshold_option, truth_option
from recoverylink.cli.state import cli_state

if TYPE_CHECKING:
    from recoverylink.pipeline_run import RunResult, Step, StepOutcome, StepRecord
    from recoverylink.progress import Progress

HELP = """Run every step from raw files to the published site: ingest the
files or folders given, link, build the mart, compute the indicators, run the
four outcome studies (reconviction, long_term, mortality, top) and build the
publication database and downloads, with progress per step and a summary.

Each step done is recorded in run-state.json in the data directory with a
fingerprint of what it was run on, so running the same command again skips
what is done and resumes where it stopped; a changed input (a new file, new
options) redoes that step and the ones after it. --from STEP or --force redo
steps anyway. Linking needs RECOVERYLINK_PSEUDONYM_KEY, as for `recoverylink link`.

Example: recoverylink run demo-output/synth --data-dir demo-output/data
"""


def register(app: typer.Typer) -> None:
    app.command(
        name="run",
        help=HELP,
        short_help="Every step from raw files to the published site, resumable.",
    )(run)


class TerminalReporter:
    """Prints each step as it starts, is skipped or ends, with progress bars on a terminal."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def _head(self, index: int, label: str) -> str:
        from recoverylink.pipeline_run import STEPS

        return f"==> [{index}/{len(STEPS)}] {label}"

    def starting(self, index: int, step: Step, why: str) -> None:
        self.console.print(escape(f"{self._head(index, step.label)}: running ({why})"))

    def skipped(self, index: int, step: Step, record: StepRecord) -> None:
        self.console.print(escape(
            f"{self._head(index, step.label)}: already done, skipped ({record.summary})"
        ))

    def finished(self, index: int, step: Step, outcome: StepOutcome, seconds: float) -> None:
        self.console.print(escape(f"    done in {seconds:.1f} s: {outcome.summary}"))

    @contextlib.contextmanager
    def progress(self) -> Iterator[Progress]:
        from recoverylink.cli.progress import RichProgress

        with RichProgress(self.console) as bars:
            yield bars


def run(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="DIR...", help="Submission files, or folders to load (as for "
                       "`recoverylink ingest`).", show_default=False),
    ],
    data_dir: Annotated[Path | None, data_dir_option()] = None,
    engine: Annotated[str, engine_option()] = "duckdb",
    threshold: Annotated[float | None, threshold_option()] = None,
    models: Annotated[
        Path | None, models_option("Link with the models saved in DIR instead of training.")
    ] = None,
    truth: Annotated[
        Path | None,
        truth_option("Score the linkage against DIR/records.csv (a synthetic England's truth/)."),
    ] = None,
    population_scale: Annotated[
        float,
        typer.Option("--population-scale", metavar="S", callback=_positive,
                     help="Multiply resident populations by S: a synthetic England's --scale."),
    ] = 1.0,
    comparator_groups: Annotated[
        int,
        typer.Option("--comparator-groups", metavar="N", min=1,
                     help="How many case-mix comparator groups to put the areas in."),
    ] = 5,
    start_from: Annotated[
        str | None,
        typer.Option("--from", metavar="STEP",
                     help="Redo STEP and every step after it: ingest, link, build, indicators, "
                     "studies (or one study: reconviction, long_term, mortality, top), publish.",
                     show_default=False),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Redo every step, done or not.")
    ] = False,
) -> None:
    from recoverylink.config import pseudonym_key
    from recoverylink.linkage.engines import ENGINES, EngineError
    from recoverylink.pipeline_run import RunOptions, run_pipeline, step_named

    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    if start_from is not None:
        step_named(start_from)  # refuse a bad name before doing anything
    settings = cli_state(ctx).config()
    folder = data_dir if data_dir is not None else settings.paths.data_dir
    console = Console(highlight=False)
    with RunLog(folder / LOG_FILE) as log:
        options = RunOptions(
            paths=tuple(paths),
            data_dir=folder,
            config=settings,
            pseudonym_key=lambda: pseudonym_key(settings),
            engine=engine,
            threshold=threshold,
            models_dir=models,
            truth_dir=truth,
            population_scale=population_scale,
            comparator_groups=comparator_groups,
            start_from=start_from,
            force=force,
            log=log.write,
        )
        result = run_pipeline(options, TerminalReporter(console))
    show_summary(console, result, folder)


def show_summary(console: Console, result: RunResult, folder: Path) -> None:
    table = Table(title="recoverylink run", title_justify="left")
    for column in ("step", "", "seconds", "result"):
        table.add_column(column, justify="right" if column == "seconds" else "left",
                         overflow="fold")
    figures: dict[str, int] = {}
    for record in result.records:
        figures.update(record.figures)
        status = "done" if record.status == "done" else "skipped (done before)"
        table.add_row(escape(record.step.label), status, f"{record.seconds:.1f}",
                      escape(record.summary))
    console.print(table)
    # paths as lines of their own, left to the terminal to wrap: whole, and copyable
    for record in result.records:
        if record.written:
            console.print(escape(f"{record.step.label}: {record.written}"), soft_wrap=True)
    counts = ", ".join(f"{value:,} {name}" for name, value in figures.items()
                       if name in ("records", "persons"))
    ran, skipped = len(result.ran), len(result.skipped)
    console.print(escape(
        f"{ran} steps run and {skipped} skipped in {result.seconds:.1f} s"
        + (f"; {counts}" if counts else "")
        + f". The site: recoverylink serve --data-dir {folder}"
    ), soft_wrap=True)
