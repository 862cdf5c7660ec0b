"""The numerators and denominators behind every indicator (``indicators/sql/counts.sql``).

The periods are worked out here: every financial year the data cover in full,
and every 12 months ending at a month's end. A period's follow-up is complete
when the data reach 6 months past its end, so that whether a person who left
successfully re-presented is known; the two re-presentation indicators are
only counted for such periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pandas as pd
from dateutil.relativedelta import relativedelta

from recoverylink.sqlfiles import package_sql_blocks

FINANCIAL_YEAR = "financial_year"
ROLLING = "rolling_12_months"


def sql_block(block: str) -> str:
    return package_sql_blocks("recoverylink.indicators", "counts")[block]


def financial_year_label(start_year: int) -> str:
    """``2010`` -> ``'2010-11'``."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def rolling_label(end: date) -> str:
    """The 12 months ending March 2011 -> ``'12 months to 2011-03'``."""
    return f"12 months to {end:%Y-%m}"


def _financial_year_start(day: date) -> date:
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def _month_end(day: date) -> date:
    return day + relativedelta(day=31)


def periods(data_start: date, data_end: date) -> pd.DataFrame:
    """Financial years and rolling 12 months from ``data_start`` to ``data_end`` (inclusive).

    A period is included only when the data cover all of it. ``period`` labels
    a financial year ``2010-11`` and a rolling year by its last month,
    ``12 months to 2011-03`` (April 2010 to March 2011).
    """
    rows: list[tuple[str, str, date, date]] = []
    start = _financial_year_start(data_start)
    if start < data_start:
        start = date(start.year + 1, 4, 1)
    while date(start.year + 1, 3, 31) <= data_end:
        rows.append(
            (FINANCIAL_YEAR, financial_year_label(start.year), start, date(start.year + 1, 3, 31))
        )
        start = date(start.year + 1, 4, 1)
    first = data_start if data_start.day == 1 else _month_end(data_start) + timedelta(days=1)
    month = first
    while _month_end(month + relativedelta(months=11)) <= data_end:
        end = _month_end(month + relativedelta(months=11))
        rows.append((ROLLING, rolling_label(end), month, end))
        month += relativedelta(months=1)
    frame = pd.DataFrame(rows, columns=["period_type", "period", "period_start", "period_end"])
    frame["follow_up_complete"] = [
        row + relativedelta(months=6) <= data_end + timedelta(days=1) for row in frame["period_end"]
    ]
    return frame


@dataclass(frozen=True)
class CountsInput:
    data_start: date
    data_end: date
    population_scale: float = 1.0


def data_span(con: duckdb.DuckDBPyConnection, schema: str) -> tuple[date, date]:
    """The first day of the first treatment submission's financial year, and the data's end."""
    first = con.execute(
        "SELECT min(period) FROM ingest.loads WHERE kind = 'treatment' AND status = 'current'"
    ).fetchall()[0][0]
    end = con.execute(f"SELECT data_end FROM {schema}.build_info").fetchall()[0][0]
    year, month = (int(part) for part in str(first).split("-"))
    return _financial_year_start(date(year, month, 1)), end


def prepare(con: duckdb.DuckDBPyConnection, schema: str, span: CountsInput) -> pd.DataFrame:
    """Create the temporary tables counts.sql reads and builds; returns the periods."""
    frame = periods(span.data_start, span.data_end)
    con.execute(f"SET schema = '{schema}'")
    con.register("periods_frame", frame)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE periods AS SELECT period_type, period, "
        "CAST(period_start AS DATE) AS period_start, CAST(period_end AS DATE) AS period_end, "
        "follow_up_complete FROM periods_frame"
    )
    con.unregister("periods_frame")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE indicator_settings AS SELECT ?::DOUBLE AS population_scale",
        [span.population_scale],
    )
    for block in ("person_periods", "person_counts", "wait_counts", "areas"):
        con.execute(sql_block(block))
    return frame


def counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every indicator's numerator and denominator (after :func:`prepare`)."""
    frame = con.execute(sql_block("counts")).df()
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame.sort_values(
        ["indicator_id", "period_type", "period", "level", "area_code", "substance_group"],
        kind="stable",
    ).reset_index(drop=True)


def case_mix_persons(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The people in treatment in each financial year, by year (after :func:`prepare`)."""
    frame = con.execute(sql_block("case_mix_persons")).df()
    return {
        str(period): rows.drop(columns="period").reset_index(drop=True)
        for period, rows in frame.groupby("period", sort=True)
    }
