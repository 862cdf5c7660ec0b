"""``recoverylink ingest``: check, archive and load submission files into the stores.

The work is done by :mod:`recoverylink.ingest`; this module reads the settings,
finds the files, draws progress and prints what happened. Every line written is
also appended to ``logs/ingest.log`` in the data directory. Identifiers never
appear: problems are masked before they are shown or kept.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console

from recoverylink.cli.progress import RichProgress
from recoverylink.cli.state import cli_state
from recoverylink.errors import InputError

HELP = """Load submission files into the stores: check each against the data
specification, keep it in the landing archive, load it in one transaction and
split identifiers off into the identity store.

Give files or folders. A folder is searched and loaded in order: providers
registers and reference tables, then treatment submissions by month, PNC
extracts, drug tests and deaths by date. A synthetic England's truth/ folder
and manifest.json are never read. A file already loaded is not loaded again; a
newer cumulative submission replaces the older one; an older one is refused.

Exit code 0: every file loaded, replaced or unchanged; 1: a file was rejected
or refused; 2: a path could not be read.

Example: recoverylink ingest demo-output/synth --data-dir recoverylink-data
"""

LOG_FILE = Path("logs") / "ingest.log"


def register(app: typer.Typer) -> None:
    app.command(
        "ingest",
        help=HELP,
        short_help="Check, archive and load submission files into the stores.",
    )(ingest)


def data_dir_option() -> Any:
    return typer.Option(
        "--data-dir",
        metavar="DIR",
        file_okay=False,
        help="Where the stores are: warehouse.duckdb, identity.duckdb and landing/. "
        "Default: the paths.data_dir setting (RECOVERYLINK_DATA_DIR, else ./recoverylink-data).",
        show_default=False,
    )


def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH...", help="Submission files, or folders to load.", show_default=False
        ),
    ],
    data_dir: Annotated[Path | None, data_dir_option()] = None,
) -> None:
    # The library is imported here so that `recoverylink --help` stays fast.
    from recoverylink.cli.ingest_report import exit_code, show
    from recoverylink.ingest.files import find_files
    from recoverylink.ingest.loader import IngestRun
    from recoverylink.ingest.safety import configured_limits
    from recoverylink.ingest.stores import Stores

    settings = cli_state(ctx).config()
    folder = data_dir if data_dir is not None else settings.paths.data_dir
    try:
        found = find_files(paths)
    except FileNotFoundError as err:
        raise InputError(f"{err.args[0]} does not exist; nothing was loaded") from None
    console = Console(highlight=False)
    with RunLog(folder / LOG_FILE) as log:
        log.write(f"ingest of {', '.join(str(p) for p in paths)} into {folder}")
        with (
            configured_limits(settings),
            Stores.open(folder, settings.duckdb) as stores,
            RichProgress(console) as progress,
        ):
            result = IngestRun(stores, progress, log.write).run(found)
        show(console, result, folder, log.write)
    code = exit_code(result)
    if code:
        raise typer.Exit(code)


class RunLog:
    """Appends timestamped lines to the data directory's ingest log."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: TextIO | None = None

    def write(self, line: str) -> None:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._file.write(f"{stamp} {_printable(line)}\n")
        self._file.flush()

    def __enter__(self) -> RunLog:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()


def _printable(text: str) -> str:
    """Control characters as escapes, so a log line stays one line."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
