"""Validate whole submissions: file names, zip members, every table, cross-file rules.

Every function returns every problem found (an empty list means valid), in
reading order: problems with a file or archive as a whole, then each CSV file's
problems by row and column. Zips are read in memory, never extracted to disk.
A path that does not exist raises ``FileNotFoundError``; anything wrong with a
file that does exist is a :class:`Problem`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from os import PathLike
from pathlib import Path

import pandas as pd

from recoverylink.errors import InputError
from recoverylink.spec import pnc, tables, treatment, treatment_links
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


def _read_and_check(
    spec: Table, data: bytes, file: str, context: ValidationContext
) -> tuple[TableCheck | None, list[Problem]]:
    frame, problems = read_csv_strict(data, file, spec.name)
    if frame is None:
        return None, problems
    check, header_problems = _check_table(spec, frame, file, context)
    return check, problems + header_problems


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


def validate_treatment_zip(
    path: StrPath, context: ValidationContext | None = None
) -> list[Problem]:
    """A provider's monthly submission ``treatment_<provider_code>_<YYYY-MM>.zip``."""
    name, ctx = Path(path).name, context or ValidationContext()
    problems: list[Problem] = []
    match = TREATMENT_NAME.fullmatch(name)
    month = _month(match)
    if match is None or month is None:
        problems.append(_bad_name(name, "treatment_<provider_code>_<YYYY-MM>.zip"))
    else:
        code = match["provider"]
        start = financial_year_start(*month)
        ctx = replace(
            ctx, file_provider_code=code, period_start=start, period_end=month_bounds(*month)[1]
        )
        if ctx.provider_codes is not None and code not in ctx.provider_codes:
            msg = f"provider {code!r} in the file name is not in the providers register"
            problems.append(Problem(name, None, None, code, "unknown_provider", msg))
    members, member_problems = read_members(path, treatment.SUBMISSION_MEMBERS)
    problems += member_problems
    checks, per_file = _check_members(name, members, ("episodes", "interventions", "top"), ctx)
    if checks["episodes"] is not None:
        treatment_links.check_submission(checks["episodes"], checks["interventions"], checks["top"])
    return problems + _collect(checks, per_file)


def validate_pnc_zip(path: StrPath, context: ValidationContext | None = None) -> list[Problem]:
    """A full PNC extract ``pnc_<YYYY-MM-DD>.zip``."""
    name, ctx = Path(path).name, context or ValidationContext()
    problems: list[Problem] = []
    extract = _day(PNC_NAME.fullmatch(name))
    if extract is None:
        problems.append(_bad_name(name, "pnc_<YYYY-MM-DD>.zip", "with a real date"))
    else:
        ctx = replace(ctx, period_end=extract)
    members, member_problems = read_members(path, pnc.EXTRACT_MEMBERS)
    problems += member_problems
    checks, per_file = _check_members(name, members, ("nominals", "aliases", "disposals"), ctx)
    if checks["nominals"] is not None:
        pnc.check_extract(checks["nominals"], checks["aliases"], checks["disposals"])
    return problems + _collect(checks, per_file)


def _check_members(
    zip_name: str, members: dict[str, bytes], names: tuple[str, ...], ctx: ValidationContext
) -> tuple[dict[str, TableCheck | None], dict[str, list[Problem]]]:
    checks: dict[str, TableCheck | None] = dict.fromkeys(names)
    per_file: dict[str, list[Problem]] = {n: [] for n in names}
    for n in names:
        spec = tables.table(n)
        if spec.file_name in members:
            file = f"{zip_name}/{spec.file_name}"
            checks[n], per_file[n] = _read_and_check(spec, members[spec.file_name], file, ctx)
    return checks, per_file


def _collect(
    checks: dict[str, TableCheck | None], per_file: dict[str, list[Problem]]
) -> list[Problem]:
    out: list[Problem] = []
    for n, problems in per_file.items():
        check = checks[n]
        out += _in_order(tables.table(n), problems + (check.problems if check else []))
    return out


def _validate_csv(
    path: StrPath, spec: Table, problems: list[Problem], ctx: ValidationContext
) -> list[Problem]:
    check, found = _read_and_check(spec, Path(path).read_bytes(), Path(path).name, ctx)
    return problems + _in_order(spec, found + (check.problems if check else []))


def validate_drug_tests_csv(
    path: StrPath, context: ValidationContext | None = None
) -> list[Problem]:
    """A month of drug tests on arrest ``drug_tests_<YYYY-MM>.csv``."""
    name, ctx = Path(path).name, context or ValidationContext()
    month = _month(DRUG_TESTS_NAME.fullmatch(name))
    problems = []
    if month is None:
        problems.append(_bad_name(name, "drug_tests_<YYYY-MM>.csv"))
    else:
        start, end = month_bounds(*month)
        ctx = replace(ctx, period_start=start, period_end=end)
    return _validate_csv(path, tables.table("drug_tests"), problems, ctx)


def validate_deaths_csv(path: StrPath, context: ValidationContext | None = None) -> list[Problem]:
    """A year of death registrations ``deaths_<YYYY>.csv``."""
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
    return _validate_csv(path, tables.table("deaths"), problems, ctx)


def validate_providers_csv(
    path: StrPath, context: ValidationContext | None = None
) -> list[Problem]:
    """A providers register ``providers.csv`` (or ``providers_<YYYY-MM-DD>.csv``)."""
    name = Path(path).name
    problems = []
    if PROVIDERS_NAME.fullmatch(name) is None:
        problems.append(_bad_name(name, "providers.csv or providers_<YYYY-MM-DD>.csv"))
    return _validate_csv(path, tables.table("providers"), problems, context or ValidationContext())


def validate_path(path: StrPath, context: ValidationContext | None = None) -> list[Problem]:
    """Validate any submission, recognising its dataset by the file name."""
    name = Path(path).name
    if name.startswith("treatment_") and name.endswith(".zip"):
        return validate_treatment_zip(path, context)
    if name.startswith("pnc_") and name.endswith(".zip"):
        return validate_pnc_zip(path, context)
    if name.startswith("drug_tests") and name.endswith(".csv"):
        return validate_drug_tests_csv(path, context)
    if name.startswith("deaths") and name.endswith(".csv"):
        return validate_deaths_csv(path, context)
    if name.startswith("providers") and name.endswith(".csv"):
        return validate_providers_csv(path, context)
    patterns = (
        "treatment_<provider_code>_<YYYY-MM>.zip, pnc_<YYYY-MM-DD>.zip, "
        "drug_tests_<YYYY-MM>.csv, deaths_<YYYY>.csv or providers.csv"
    )
    return [_bad_name(name, "one of " + patterns, "no dataset has files named like this")]


def read_provider_codes(path: StrPath) -> frozenset[str]:
    """The provider codes in a providers register, for ``ValidationContext.provider_codes``.

    Raises :class:`InputError` if the register cannot be read or has no provider_code column.
    """
    frame, problems = read_csv_strict(Path(path).read_bytes(), Path(path).name, "providers")
    if frame is None or "provider_code" not in frame.columns:
        reason = "; ".join(str(p) for p in problems[:3]) or "no provider_code column"
        raise InputError(f"cannot read the providers register {path}: {reason}")
    return frozenset(c for c in frame["provider_code"] if c)
