"""Dates as whole days since 1970-01-01 (int32 arrays), the generator's time axis."""

from __future__ import annotations

import datetime as dt

import numpy as np

EPOCH = dt.date(1970, 1, 1)


def day(iso: str | dt.date) -> int:
    d = dt.date.fromisoformat(iso) if isinstance(iso, str) else iso
    return (d - EPOCH).days


def fy_start(fy: int) -> int:
    """First day of financial year ``fy`` (``fy=2006`` is 2006-07)."""
    return day(dt.date(fy, 4, 1))


def fy_of(days: np.ndarray) -> np.ndarray:
    """Financial year (the starting calendar year) of each day."""
    d = days.astype("datetime64[D]")
    year = d.astype("datetime64[Y]").astype(int) + 1970
    month = (d.astype("datetime64[M]").astype(int) % 12) + 1
    return np.where(month >= 4, year, year - 1).astype(np.int32)


def year_of(days: np.ndarray) -> np.ndarray:
    return (days.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970).astype(
        np.int32
    )


def month_index(days: np.ndarray) -> np.ndarray:
    """Months since January 1970."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int32)


def month_end(month_idx: int) -> int:
    """Last day of month ``month_idx`` (months since January 1970)."""
    nxt = np.datetime64(int(month_idx) + 1, "M").astype("datetime64[D]")
    return int(nxt.astype(np.int64)) - 1


def iso(days: np.ndarray) -> np.ndarray:
    """ISO date strings (object array); negative sentinel -> empty string."""
    out = np.asarray(days).astype("datetime64[D]").astype(str).astype(object)
    out[np.asarray(days) == MISSING] = ""
    return out


MISSING = np.iinfo(np.int32).min


def age_on(dob: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Whole years of age on the given days."""
    d_dob = dob.astype("datetime64[D]")
    d_on = np.asarray(on).astype("datetime64[D]")
    y_dob = d_dob.astype("datetime64[Y]").astype(int)
    y_on = d_on.astype("datetime64[Y]").astype(int)
    doy_dob = (d_dob - d_dob.astype("datetime64[Y]")).astype(int)
    doy_on = (d_on - d_on.astype("datetime64[Y]")).astype(int)
    return (y_on - y_dob - (doy_on < doy_dob)).astype(np.int32)
