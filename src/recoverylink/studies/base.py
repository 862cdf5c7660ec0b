"""What every study takes and gives: options, a read-only view of the mart, the result.

A study is a function ``run(context) -> StudyResult`` registered in
:mod:`recoverylink.studies.registry`. It reads the mart (or ``truth_mart``)
through :class:`StudyContext`, keeps its logic in ``studies/sql/<name>.sql``
where the logic is relational, and returns tables, headline figures (each
beside its published value where there is one), charts and the text of its
methods. :mod:`recoverylink.studies.report` writes that out; nothing in a
study writes files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from recoverylink.config import DuckDBConfig
from recoverylink.errors import InputError
from recoverylink.sqlfiles import package_sql_blocks
from recoverylink.warehouse.build import MART, TRUTH_MART, connect, require_warehouse


class StudyError(InputError):
    """A study cannot run: no mart, a bad option, an empty cohort."""


class StudyNotApplicableError(StudyError):
    """The data lack what the study needs (years, a source, anyone in the cohort).

    Not a fault of the data or of the options: the study has nothing to say on this
    data. The message is one line saying what is missing; ``recoverylink study``
    exits with code 2, and ``publish build`` leaves the study out, saying why.
    ``reason`` is what the publication says (no command-line hints).
    """

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason if reason is not None else message


@dataclass(frozen=True)
class StudyOptions:
    data_dir: Path
    duckdb: DuckDBConfig
    truth: bool = False
    """Read ``truth_mart`` (``recoverylink build --truth DIR``) instead of ``mart``."""
    year: str | None = None
    """The cohort's financial year, ``2006-07``; None for the study's default."""
    out_dir: Path | None = None
    min_link_probability: float | None = None
    """Treat links weaker than this as not made (a stricter linkage threshold)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Study-specific options (``--set key=value``)."""

    @property
    def schema(self) -> str:
        return TRUTH_MART if self.truth else MART


def financial_year(label: str) -> tuple[date, date]:
    """``'2006-07'`` -> (2006-04-01, 2007-03-31); a clear error for anything else."""
    parts = label.split("-")
    if len(parts) != 2 or not (parts[0].isdigit() and parts[1].isdigit()) or len(parts[0]) != 4:
        raise StudyError(f"a financial year is written like 2006-07, not {label!r}")
    start = int(parts[0])
    if int(parts[1]) != (start + 1) % 100:
        raise StudyError(f"{label!r} is not a financial year: the second year must follow")
    return date(start, 4, 1), date(start + 1, 3, 31)


class StudyContext:
    """A read-only connection to the warehouse with the mart as the default schema."""

    def __init__(
        self, options: StudyOptions, con: duckdb.DuckDBPyConnection, step: str = "study"
    ) -> None:
        self.options = options
        self.con = con
        self.schema = options.schema
        exists = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? "
            "AND table_name = 'journeys'",
            [self.schema],
        ).fetchall()[0][0]
        if not exists:
            how = "recoverylink build --truth DIR" if options.truth else "recoverylink build"
            raise StudyError(
                f"{step}: no {self.schema} has been built in {options.data_dir}; "
                f"run `{how} --data-dir {options.data_dir}` first"
            )
        con.execute(f"SET schema = '{self.schema}'")
        self.data_end: date = con.execute("SELECT data_end FROM build_info").fetchall()[0][0]

    @classmethod
    def open(cls, options: StudyOptions, study: str | None = None) -> StudyContext:
        """A context on the warehouse; ``study`` names the step in errors ("study top")."""
        step = f"study {study}" if study else "study"
        require_warehouse(options.data_dir, step, StudyError)
        con = connect(options.data_dir, options.duckdb, read_only=True)
        try:
            return cls(options, con, step)
        except BaseException:
            con.close()
            raise

    def close(self) -> None:
        self.con.close()

    def sql(
        self, study: str, block: str, params: Sequence[object] | dict[str, object] = ()
    ) -> None:
        """Run block ``block`` of ``studies/sql/<study>.sql`` (temp tables, no result)."""
        self.con.execute(package_sql_blocks("recoverylink.studies", study)[block], params)

    def frame(
        self, study: str, block: str, params: Sequence[object] | dict[str, object] = ()
    ) -> pd.DataFrame:
        """The result of block ``block`` of ``studies/sql/<study>.sql`` as a DataFrame."""
        return self.con.execute(
            package_sql_blocks("recoverylink.studies", study)[block], params
        ).df()


@dataclass(frozen=True)
class Headline:
    """One figure the study exists to give, beside the published one."""

    id: str
    label: str
    value: float
    unit: str = "%"
    """'%', 'people', 'ratio', 'per 1,000 person-years' ..."""
    lower: float | None = None
    upper: float | None = None
    """95% confidence limits, where the figure has them."""
    published: float | None = None
    published_text: str = ""
    """The published figure as PUBLISHED_FIGURES.md states it, e.g. '-47%'."""
    note: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    """File name (no extension) and anchor: lower_case_with_underscores."""
    title: str
    frame: pd.DataFrame
    note: str = ""


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    svg: str
    """An inline SVG (see :mod:`recoverylink.studies.charts`)."""
    note: str = ""


@dataclass
class StudyResult:
    study: str
    title: str
    schema: str
    parameters: dict[str, Any]
    cohort: list[str]
    """Who is in the cohort and who was left out, with counts, one line each."""
    methods: list[str]
    """Paragraphs: windows, definitions, models."""
    caveats: list[str]
    headlines: list[Headline]
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)
