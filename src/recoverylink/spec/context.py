"""What a validation needs to know beyond the file's own rows.

The file name fixes the provider and the period a file covers; the providers
register says which provider codes exist. Rules that need a piece of context
the caller did not give are skipped, never guessed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ValidationContext:
    """Context for the rules that look beyond one row.

    ``provider_codes``: the known providers (from a providers.csv register);
    ``None`` skips the ``unknown_provider`` rule.
    ``file_provider_code``: the provider code in a treatment file's name.
    ``period_start`` / ``period_end``: the first and last day the file covers:
    for a treatment submission the start of its financial year (1 April) and the
    end of its month; for drug tests the month; for deaths the year; for a PNC
    extract only the end (the extract date).
    """

    provider_codes: frozenset[str] | None = None
    file_provider_code: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """First and last day of a calendar month."""
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def financial_year_start(year: int, month: int) -> dt.date:
    """1 April of the financial year (April to March) that holds the month.

    >>> financial_year_start(2021, 3)
    datetime.date(2020, 4, 1)
    >>> financial_year_start(2021, 4)
    datetime.date(2021, 4, 1)
    """
    return dt.date(year if month >= 4 else year - 1, 4, 1)
