"""Validate whole submissions: file names, zip members, every table, cross-file rules.

Every function returns every problem found (an empty list means valid), in
reading order: problems with a file or archive as a whole, then each CSV file's
problems by row and column. Zips are read in memory, never extracted to disk.
A path that does not exist raises ``FileNotFoundError``; anything wrong with a
file that does exist is a :class:`Problem`.

The ``check_*`` functions return a :class:`Checked`: the same problems plus the
tables as read, so that the ingest step can load a valid file without parsing
it a second time. The ``validate_*`` functions return only the problems.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path

import pandas as pd

from recoverylink.errors import InputError
from recoverylink.spec import pnc, tables, treatment_links
from recoverylink.spec.archive import read_members
from recoverylink.spec.checks import HEADER_CHECKED, TableCheck
from recoverylink.spec.context import ValidationContext, financial_year_start, month_bounds
from recoverylink.spec.csvread import match_header, read_csv_strict
from recoverylink.spec.problems import Problem, sort_problems
from recoverylink.spec.schema import Table

StrPath = str | PathLike[str]

TREATMENT_NAME = re.compile(
    r"treatment_(?P<provider>.+)_(?P<year>[0-9]{4})-(?P<month>[0-9]{2})\.zip"
)
PNC_NAME = re.compile(r"pnc_(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})\.zip")
DRUG_TESTS_NAME = re.compile(r"drug_tests_(?P<year>[0-9]{4})-(?P<month>[0-9]{2})\.csv")
DEATHS_NAME = re.compile(r"deaths_(?P<year>[0-9]{4})\.csv")
PROVIDERS_NAME = re.compile(r"providers(_[0-9]{4}-[0-9]{2}-[0-9]{2})?\.csv")

TREATMENT_TABLES = ("episodes", "interventions", "top")
PNC_TABLES = ("nominals", "aliases", "disposals")


@dataclass(frozen=True)
class Checked:
    """One submitted file: every problem found, and its tables as read.

    ``frames`` holds each table that could be read (by table name), as
    :func:`read_csv_strict` returned it: text columns under their spec names and
    a ``row`` index of line numbers. A file is valid when ``problems`` is empty.
    """

    file: str
    problems: list[Problem]
    frames: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.problems

    def row_counts(self) -> dict[str, int]:
        """Records per table read, without cutting lazily held tables."""
        counts = getattr(self.frames, "row_counts", None)
        if callable(counts):
            return dict(counts())
        return {name: len(frame) for name, frame in self.frames.items()}


def validate_table(
    table: str, df: pd.DataFrame, file: str, context: ValidationContext | None = None
) -> list[Problem]:
    """Column-level and row-level rules of one table (no cross-file rules).

    Row numbers come from a ``row`` index (read_csv_strict sets it); otherwise
    record i (from 0) is taken to be on line i + 2. The header is checked here
    unless read_csv_strict already did.
    """
    spec = tables.table(table)
    check, problems = _check_table(spec, df, file, context or ValidationContext())
    return _in_order(spec, problems + check.problems)


def _check_table(
    spec: Table, frame: pd.DataFrame, file: str, context: ValidationContext
) -> tuple[TableCheck, list[Problem]]:
    problems: list[Problem] = []
    if not frame.attrs.get(HEADER_CHECKED):
        positions, problems = match_header(spec, [str(c) for c in frame.columns], file)
        frame = frame.iloc[:, list(positions.values())].set_axis(list(positions), axis=1)
    check = TableCheck(spec, frame, file, context)
    check.check_columns()
    check.check_unique()
    for rule in spec.checks:
        rule(check)
    return check, problems


def _in_order(spec: Table, problems: list[Problem]) -> list[Problem]:
    return sort_problems(problems, {c: i for i, c in enumerate(spec.column_names)})


def _bad_name(name: str, pattern: str, why: str = "") -> Problem:
    msg = f"the file name must be {pattern}" + (f" ({why})" if why else "")
    return Problem(name, None, None, name, "bad_file_name", msg)


def _month(match: re.Match[str] | None) -> tuple[int, int] | None:
    if match is None or not 1 <= int(match["month"]) <= 12 or int(match["year"]) < 1900:
        return None
    return int(match["year"]), int(match["month"])


def _day(match: re.Match[str] | None) -> dt.date | None:
    if match is None or _month(match) is None:
        return None
    try:
        return dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None


# Reading the tables of a zip, then checking them: two steps, so that frames read
# once can be checked together (see spec/batch.py) or one file at a time.

Frames = dict[str, pd.DataFrame | None]
PerFile = dict[str, list[Problem]]


def read_zip_tables(path: StrPath, names: tuple[str, ...]) -> tuple[list[Problem], Frames, PerFile]:
    """The archive's problems, each table's frame (None if absent or unreadable), read problems."""
    members, archive_problems = read_members(path, tuple(tables.table(n).file_name for n in names))
    frames, read_problems = read_member_tables(Path(path).name, members, names)
    return archive_problems, frames, read_problems


def read_member_tables(
    zip_name: str, members: dict[str, bytes], names: tuple[str, ...]
) -> tuple[Frames, PerFile]:
    """Each table's frame from the zip's members (None if absent or unreadable), read problems."""
    frames: Frames = dict.fromkeys(names)
    per_file: PerFile = {n: [] for n in names}
    for n in names:
        spec = tables.table(n)
        if spec.file_name in members:
            file = f"{zip_name}/{spec.file_name}"
            frames[n], per_file[n] = read_csv_strict(members[spec.file_name], file, spec.name)
    return frames, per_file


def check_tables(
    zip_name: str, frames: Frames, read_problems: PerFile, ctx: ValidationContext
) -> tuple[dict[str, TableCheck | None], PerFile]:
    """Run each table's own rules; returns the checks and the problems so far, per table."""
    checks: dict[str, TableCheck | None] = dict.fromkeys(frames)
    per_file: PerFile = {}
    for n, frame in frames.items():
        per_file[n] = list(read_problems.get(n, []))
        if frame is not None:
            spec = tables.table(n)
            file = f"{zip_name}/{spec.file_name}"
            checks[n], header_problems = _check_table(spec, frame, file, ctx)
            per_file[n] += header_problems
    return checks, per_file


def _collect(checks: dict[str, TableCheck | None], per_file: PerFile) -> list[Problem]:
    out: list[Problem] = []
    for n, problems in per_file.items():
        check = checks[n]
        out += _in_order(tables.table(n), problems + (check.problems if check else []))
    return out


def _read_frames(frames: Frames) -> dict[str, pd.DataFrame]:
    return {n: f for n, f in frames.items() if f is not None}


def treatment_context(
    name: str, context: ValidationContext
) -> tuple[ValidationContext, list[Problem]]:
    """The context a treatment zip's name gives, and the problems with the name itself."""
    match = TREATMENT_NAME.fullmatch(name)
    month = _month(match)
    if match is None or month is None:
        return context, [_bad_name(name, "treatment_<provider_code>_<YYYY-MM>.zip")]
    code = match["provider"]
    ctx = replace(
        context,
        file_provider_code=code,
        period_start=financial_year_start(*month),
        period_end=month_bounds(*month)[1],
    )
    if ctx.provider_codes is not None and code not in ctx.provider_codes:
        msg = f"provider {code!r} in the file name is not in the providers register"
        return ctx, [Problem(name, None, None, code, "unknown_provider", msg)]
    return ctx, []


def check_treatment_tables(
    name: str,
    file_problems: list[Problem],
    frames: Frames,
    read_problems: PerFile,
    ctx: ValidationContext,
) -> Checked:
    """Every rule of a treatment submission whose tables are already read."""
    checks, per_file = check_tables(name, frames, read_problems, ctx)
    if checks["episodes"] is not None:
        treatment_links.check_submission(checks["episodes"], checks["interventions"], checks["top"])
    return Checked(name, file_problems + _collect(checks, per_file), _read_frames(frames))


def check_treatment_zip(path: StrPath, context: ValidationContext | None = None) -> Checked:
    """A provider's monthly submission ``treatment_<provider_code>_<YYYY-MM>.zip``."""
    name = Path(path).name
    ctx, problems = treatment_context(name, context or ValidationContext())
    archive_problems, frames, read_problems = read_zip_tables(path, TREATMENT_TABLES)
    return check_treatment_tables(name, problems + archive_problems, frames, read_problems, ctx)


def validate_treatment_zip(
    path: StrPath, context: ValidationContext | None = None
) -> list[Problem]:
    """A provider's monthly submission ``treatment_<provider_code>_<YYYY-MM>.zip``."""
    return check_treatment_zip(path, context).problems


def check_pnc_zip(path: StrPath, context: ValidationContext | None = None) -> Checked:
    """A full PNC extract ``pnc_<YYYY-MM-DD>.zip``."""
    name, ctx = Path(path).name, context or ValidationContext()
    problems: list[Problem] = []
    extract = _day(PNC_NAME.fullmatch(name))
    if extract is None:
        problems.append(_bad_name(name, "pnc_<YYYY-MM-DD>.zip", "with a real date"))
    else:
        ctx = replace(ctx, period_end=extract)
    archive_problems, frames, read_problems = read_zip_tables(path, PNC_TABLES)
    checks, per_file = check_tables(name, frames, read_problems, ctx)
    if checks["nominals"] is not None:
        pnc.check_extract(checks["nominals"], checks["aliases"], checks["disposals"])
    return Checked(
        name, problems + archive_problems + _collect(checks, per_file), _read_frames(frames)
    )


def validate_pnc_zip(path: StrPath, context: ValidationContext | None = None) -> list[Problem]:
    """A full PNC extract ``pnc_<YYYY-MM-DD>.zip``."""
    return check_pnc_zip(path, context).problems


def _check_csv(
    path: StrPath, data: bytes | None, spec: Table, problems: list[Problem], ctx: ValidationContext
) -> Checked:
    name = Path(path).name
    frame, found = read_csv_strict(
        Path(path).read_bytes() if data is None else data, name, spec.name
    )
    if frame is None:
        return Checked(name, problems + _in_order(spec, found))
    check, header_problems = _check_table(spec, frame, name, ctx)
    all_found = found + header_problems + check.problems
    return Checked(name, problems + _in_order(spec, all_found), {spec.name: frame})


def check_drug_tests_csv(
    path: StrPath, context: ValidationContext | None = None, data: bytes | None = None
) -> Checked:
    """A month of drug tests ``drug_tests_<YYYY-MM>.csv`` (``data``: its bytes, if read)."""
    name, ctx = Path(path).name, context or ValidationContext()
    month = _month(DRUG_TESTS_NAME.fullmatch(name))
    problems = []
    if month is None:
        problems.append(_bad_name(name, "drug_tests_<YYYY-MM>.csv"))
    else:
        start, end = month_bounds(*month)
        ctx = replace(ctx, period_start=start, period_end=end)
    return _check_csv(path, data, tables.table("drug_tests"), problems, ctx)


def validate_drug_tests_csv(
    path: StrPath, context: ValidationContext | None = None
) -> list[Problem]:
    """A month of drug tests on arrest ``drug_tests_<YYYY-MM>.csv``."""
    return check_drug_tests_csv(path, context).problems


def check_deaths_csv(
    path: StrPath, context: ValidationContext | None = None, data: bytes | None = None
) -> Checked:
    """A year of death registrations ``deaths_<YYYY>.csv`` (``data``: its bytes, if read)."""
    name, ctx = Path(path).name, context or ValidationContext()
    match = DEATHS_NAME.fullmatch(name)
    problems = []
    if match is None or int(match["year"]) < 1900:
        problems.append(_bad_name(name, "deaths_<YYYY>.csv"))
    else:
        year = int(match["year"])
        ctx = replace(
            ctx, period_start=month_bounds(year, 1)[0], period_end=month_bounds(year, 12)[1]
        )
    return _check_csv(path, data, tables.table("deaths"), problems, ctx)


def validate_deaths_csv(path: StrPath, context: ValidationContext | None = None) -> list[Problem]:
    """A year of death registrations ``deaths_<YYYY>.csv``."""
    return check_deaths_csv(path, context).problems


def check_providers_csv(
    path: StrPath, context: ValidationContext | None = None, data: bytes | None = None
) -> Checked:
    """A providers register ``providers.csv`` (or ``providers_<YYYY-MM-DD>.csv``)."""
    name = Path(path).name
    problems = []
    if PROVIDERS_NAME.fullmatch(name) is None:
        problems.append(_bad_name(name, "providers.csv or providers_<YYYY-MM-DD>.csv"))
    spec = tables.table("providers")
    return _check_csv(path, data, spec, problems, context or ValidationContext())


def validate_providers_csv(
    path: StrPath, context: ValidationContext | None = None
) -> list[Problem]:
    """A providers register ``providers.csv`` (or ``providers_<YYYY-MM-DD>.csv``)."""
    return check_providers_csv(path, context).problems


def check_path(
    path: StrPath, context: ValidationContext | None = None, data: bytes | None = None
) -> Checked:
    """Check any submission, recognising its dataset by the file name.

    ``data`` may hold a CSV file's bytes when the caller has read them already;
    zips are always read from ``path``.
    """
    name = Path(path).name
    if name.startswith("treatment_") and name.endswith(".zip"):
        return check_treatment_zip(path, context)
    if name.startswith("pnc_") and name.endswith(".zip"):
        return check_pnc_zip(path, context)
    if name.startswith("drug_tests") and name.endswith(".csv"):
        return check_drug_tests_csv(path, context, data)
    if name.startswith("deaths") and name.endswith(".csv"):
        return check_deaths_csv(path, context, data)
    if name.startswith("providers") and name.endswith(".csv"):
        return check_providers_csv(path, context, data)
    patterns = (
        "treatment_<provider_code>_<YYYY-MM>.zip, pnc_<YYYY-MM-DD>.zip, "
        "drug_tests_<YYYY-MM>.csv, deaths_<YYYY>.csv or providers.csv"
    )
    return Checked(
        name, [_bad_name(name, "one of " + patterns, "no dataset has files named like this")]
    )


def validate_path(path: StrPath, context: ValidationContext | None = None) -> list[Problem]:
    """Validate any submission, recognising its dataset by the file name."""
    return check_path(path, context).problems


def read_provider_codes(path: StrPath) -> frozenset[str]:
    """The provider codes in a providers register, for ``ValidationContext.provider_codes``.

    Raises :class:`InputError` if the register cannot be read or has no provider_code column.
    """
    frame, problems = read_csv_strict(Path(path).read_bytes(), Path(path).name, "providers")
    if frame is None or "provider_code" not in frame.columns:
        reason = "; ".join(str(p) for p in problems[:3]) or "no provider_code column"
        raise InputError(f"cannot read the providers register {path}: {reason}")
    return frozenset(c for c in frame["provider_code"] if c)
