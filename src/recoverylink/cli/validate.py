"""``recoverylink validate``: check submissions against the data specification, load nothing.

The same checks as ingest (``recoverylink.spec`` and the ``[ingest]`` safety
limits), for a provider to run before sending. Every problem is reported, shown
as a table and written as CSV and JSON with identifiers masked
(:mod:`recoverylink.ingest.report`). Exit code: 0 every file valid, 1 a file
breaks a rule, 2 a path could not be read or is not a file of any dataset
(docs/validate.md says exactly which is which).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, NamedTuple

import typer
from rich.console import Console
from rich.markup import escape

from recoverylink.cli.progress import RichProgress
from recoverylink.cli.state import cli_state
from recoverylink.errors import InputError
from recoverylink.ingest.report import (
    CSV_NAME,
    JSON_NAME,
    MASKING_NOTE,
    UNREADABLE,
    FileResult,
    Status,
    ValidationReport,
    files_table,
    printable,
    problems_table,
    write_reports,
)
from recoverylink.ingest.safety import limits_from_config, limits_in_force, oversized
from recoverylink.progress import Progress
from recoverylink.spec import Problem, ValidationContext, read_provider_codes, validate_path
from recoverylink.spec.batch import check_treatment_zips

HELP = """Check submission files against the data specification without loading
anything: the same checks as ingest, for a provider to run before sending.

Give files or folders (folders are searched, skipping truth/ folders,
manifest.json and hidden files). Every problem is listed with file, row,
column, value, rule and message, identifiers masked, and written to
validation-report.csv and validation-report.json.

Exit code 0: every file valid; 1: a file breaks a rule; 2: a path could not be
read or is not a file of any dataset.

Example: recoverylink validate treatment_P001_2021-06.zip --report-dir reports
"""

_SKIPPED_SHOWN = 5
_BATCH = 500  # treatment zips checked together (and progress shown) at a time
SKIPPED_FOLDERS = frozenset({"truth"})
SKIPPED_FILES = frozenset({"manifest.json", CSV_NAME, JSON_NAME})
"""Never checked when found in a folder: the synthetic England's manifest, and our own reports."""

# Each dataset's files, recognised as recoverylink.spec.validate_path recognises them.
_DATASETS = (
    ("treatment", "treatment_", ".zip"),
    ("pnc", "pnc_", ".zip"),
    ("drug_tests", "drug_tests", ".csv"),
    ("deaths", "deaths", ".csv"),
    ("providers", "providers", ".csv"),
)


def register(app: typer.Typer) -> None:
    app.command(
        "validate",
        help=HELP,
        short_help="Check submission files against the data specification, loading nothing.",
    )(validate)


def dataset_of(name: str) -> str | None:
    """The dataset a file belongs to, judged by its name as the validator judges it.

    >>> dataset_of("treatment_P001_2021-06.zip"), dataset_of("deaths_2021.csv")
    ('treatment', 'deaths')
    >>> dataset_of("episodes.csv") is None
    True
    """
    for dataset, prefix, suffix in _DATASETS:
        if name.startswith(prefix) and name.endswith(suffix):
            return dataset
    return None


def validate(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH...",
            help="Submission files, or folders to search for them.",
            show_default=False,
        ),
    ],
    report_dir: Annotated[
        Path | None,
        typer.Option(
            "--report-dir",
            metavar="DIR",
            file_okay=False,
            help="Folder to write validation-report.csv and validation-report.json to "
            "(made if need be; existing reports are replaced). Default: the current folder.",
            show_default=False,
        ),
    ] = None,
    providers: Annotated[
        Path | None,
        typer.Option(
            "--providers",
            metavar="PROVIDERS_CSV",
            exists=True,
            dir_okay=False,
            help="A providers register (providers.csv); treatment files whose provider is "
            "not in it break the unknown_provider rule. Without it that rule is skipped.",
            show_default=False,
        ),
    ] = None,
    max_rows: Annotated[
        int,
        typer.Option(
            "--max-rows",
            min=0,
            metavar="N",
            help="Most problems shown in the terminal; the reports always hold every one.",
        ),
    ] = 50,
) -> None:
    limits = limits_from_config(cli_state(ctx).config())
    context = ValidationContext(provider_codes=_provider_codes(providers))
    console = Console()
    found = list(collect(paths))
    skipped = [item.path for item in found if isinstance(item, Skipped)]
    to_check = [item for item in found if not isinstance(item, Skipped)]
    with limits_in_force(limits), RichProgress(console) as progress:
        progress.stage("Checking files", total=len(to_check))
        results = check_all(to_check, context, progress)
    report = ValidationReport.build(results, limits, skipped)
    folder = report_dir if report_dir is not None else Path.cwd()
    try:
        csv_path, json_path = write_reports(report, folder)
    except OSError as err:
        raise InputError(f"cannot write the reports to {folder}: {_reason(err)}") from None
    show(console, report, max_rows, csv_path, json_path)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


def _provider_codes(path: Path | None) -> frozenset[str] | None:
    if path is None:
        return None
    try:
        return read_provider_codes(path)
    except OSError as err:
        raise InputError(f"cannot read the providers register {path}: {_reason(err)}") from None


def _reason(err: OSError) -> str:
    return err.strerror or str(err)


def _unreadable(path: Path, shown: str, why: str) -> FileResult:
    problem = Problem(path.name or shown, None, None, None, UNREADABLE, why)
    return FileResult(shown, dataset_of(path.name), Status.UNREADABLE, (problem,))


class Skipped(NamedTuple):
    """A file found in a folder whose name fits no dataset: listed, not checked."""

    path: str


Found = tuple[str, Path] | FileResult | Skipped


def collect(paths: list[Path]) -> Iterator[Found]:
    """Each file to check as (path as shown, path), or the result for a path that cannot be.

    A file named on the command line is always checked. In a folder, files whose
    names fit no dataset are skipped (listed in the report), as are ``truth/``
    folders, ``manifest.json``, hidden files and earlier validation reports.
    Folders are searched in name order and never through a symbolic link. A
    file is checked once even if named twice.
    """
    seen: set[Path] = set()
    for given in paths:
        for item in _expand(given):
            if isinstance(item, tuple) and not isinstance(item, Skipped):
                key = item[1].resolve()
                if key in seen:
                    continue
                seen.add(key)
            yield item


def _expand(given: Path) -> Iterator[Found]:
    shown = str(given)
    try:
        mode = given.stat().st_mode
    except FileNotFoundError:
        yield _unreadable(given, shown, "no such file or folder")
        return
    except OSError as err:
        yield _unreadable(given, shown, f"cannot read it: {_reason(err)}")
        return
    if stat.S_ISREG(mode):
        yield shown, given
    elif stat.S_ISDIR(mode):
        yield from _walk(given)
    else:
        yield _unreadable(given, shown, "not a regular file or folder")


def _walk(folder: Path) -> Iterator[Found]:
    errors: list[OSError] = []
    submissions = 0
    for top, folders, files in os.walk(folder, onerror=errors.append):
        folders[:] = sorted(f for f in folders if f not in SKIPPED_FOLDERS and f[0] != ".")
        for name in sorted(files):
            if name in SKIPPED_FILES or name.startswith("."):
                continue
            path = Path(top) / name
            if dataset_of(name) is None:
                yield Skipped(str(path))
                continue
            submissions += 1
            try:
                regular = stat.S_ISREG(path.stat().st_mode)
            except OSError as err:
                yield _unreadable(path, str(path), f"cannot read it: {_reason(err)}")
                continue
            if regular:
                yield str(path), path
            else:
                yield _unreadable(path, str(path), "not a regular file")
    for error in errors:
        where = Path(error.filename) if error.filename else folder
        yield _unreadable(where, str(where), f"cannot read the folder: {_reason(error)}")
    if submissions == 0 and not errors:
        yield _unreadable(folder, str(folder), "the folder holds no submission files to check")


def check_all(
    items: Sequence[tuple[str, Path] | FileResult], context: ValidationContext, progress: Progress
) -> list[FileResult]:
    """The result for each item, in order, with the limits in force.

    Treatment zips are checked a chunk at a time by
    :func:`recoverylink.spec.batch.check_treatment_zips`, which gives exactly the
    problems that checking each on its own gives, many times faster for the
    thousands of small monthly files of a whole folder; everything else one by one.
    """
    results: dict[int, FileResult] = {}
    treatment: list[tuple[int, str, Path]] = []
    for i, item in enumerate(items):
        if isinstance(item, FileResult):
            results[i] = item
        elif dataset_of(item[1].name) == "treatment":
            treatment.append((i, *item))
            continue
        else:
            results[i] = check_file(item, context)
        progress.advance()
    results.update(_check_treatment_zips(treatment, context, progress))
    return [results[i] for i in range(len(items))]


def _check_treatment_zips(
    items: list[tuple[int, str, Path]], context: ValidationContext, progress: Progress
) -> dict[int, FileResult]:
    results: dict[int, FileResult] = {}
    ready: list[tuple[int, str, Path]] = []
    for i, shown, path in items:
        try:
            too_large = oversized(path)
        except OSError as err:
            results[i] = _unreadable(path, shown, f"cannot read the file: {_reason(err)}")
            too_large = []
        if too_large:
            results[i] = FileResult(shown, "treatment", Status.INVALID, tuple(too_large))
        if i in results:
            progress.advance()
        else:
            ready.append((i, shown, path))
    ready.sort(key=lambda item: item[2].name[-11:])  # by month (…_YYYY-MM.zip), then name
    for start in range(0, len(ready), _BATCH):
        chunk = ready[start : start + _BATCH]
        try:
            checked = check_treatment_zips([path for _, _, path in chunk], context)
        except OSError:  # one file went missing or unreadable: check each on its own
            for i, shown, path in chunk:
                results[i] = check_file((shown, path), context)
        else:
            for (i, shown, _), one in zip(chunk, checked, strict=True):
                status = Status.INVALID if one.problems else Status.VALID
                results[i] = FileResult(shown, "treatment", status, tuple(one.problems))
        progress.advance(len(chunk))
    return results


def check_file(item: tuple[str, Path], context: ValidationContext) -> FileResult:
    """Validate one file with the limits in force; OS errors make it unreadable."""
    shown, path = item
    dataset = dataset_of(path.name)
    try:
        if dataset is None:
            problems = validate_path(path, context)  # one bad_file_name problem, nothing read
            return FileResult(shown, None, Status.UNRECOGNISED, tuple(problems))
        problems = oversized(path) or validate_path(path, context)
    except OSError as err:
        return _unreadable(path, shown, f"cannot read the file: {_reason(err)}")
    status = Status.INVALID if problems else Status.VALID
    return FileResult(shown, dataset, status, tuple(problems))


def show(
    console: Console, report: ValidationReport, max_rows: int, csv_path: Path, json_path: Path
) -> None:
    """The terminal part of the report: problems, files with problems, a summary."""
    problems = report.problems
    if problems and max_rows:
        console.print(problems_table(problems, max_rows))
        if len(problems) > max_rows:
            more = len(problems) - max_rows
            console.print(f"... and {more:,} more problem{'s' * (more != 1)}, in the reports.")
    results = report.results
    if len(results) > 1 and report.exit_code:
        console.print(files_table(results, max_rows or len(results)))
    counts = report.counts()
    parts = [
        f"{counts[Status.VALID]:,} valid",
        f"{counts[Status.INVALID]:,} invalid",
    ]
    if counts[Status.UNRECOGNISED]:
        parts.append(f"{counts[Status.UNRECOGNISED]:,} not a file of any dataset")
    if counts[Status.UNREADABLE]:
        parts.append(f"{counts[Status.UNREADABLE]:,} could not be read")
    console.print(
        f"Checked {counts['files']:,} file{'s' * (counts['files'] != 1)}: {', '.join(parts)}; "
        f"{counts['problems']:,} problem{'s' * (counts['problems'] != 1)}.",
        highlight=False,
    )
    if report.skipped:
        listed = ", ".join(printable(p) for p in report.skipped[:_SKIPPED_SHOWN])
        more = len(report.skipped) - _SKIPPED_SHOWN
        console.print(
            f"Skipped {len(report.skipped):,} file{'s' * (len(report.skipped) != 1)} found in "
            f"folders whose names fit no dataset: {escape(listed)}"
            + (f" and {more:,} more (listed in the JSON report)" if more > 0 else "")
            + "; name a file on its own to check it anyway.",
            highlight=False,
        )
    if problems:
        console.print(f"In the reports, {escape(MASKING_NOTE)}.", highlight=False)
    console.print(
        f"Every problem is in {escape(printable(str(csv_path)))} and "
        f"{escape(printable(str(json_path)))}.",
        highlight=False,
    )
    verdict = {
        0: "[bold green]Valid: every file meets the specification.[/]",
        1: "[bold red]Not valid: fix the problems and check again before sending.[/]",
        2: "[bold red]Some paths could not be checked: see the problems marked unreadable "
        "or bad_file_name.[/]",
    }
    console.print(verdict[report.exit_code])
