"""Recording errors: what a data-entry clerk does to a true identity.

Digit slips and day/month swaps in dates of birth, 1 January defaults, wrong or
missing initials. Each source applies them at its own rates.
"""

from __future__ import annotations

import numpy as np

from recoverylink.synth.dates import EPOCH


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = days.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(int) + 1970
    m = d.astype("datetime64[M]").astype(int) % 12 + 1
    dd = (d - d.astype("datetime64[M]")).astype(int) + 1
    return y, m, dd


def _from_ymd(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    months = (y - 1970) * 12 + (m - 1)
    first = np.asarray(months).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return (first + d - 1).astype(np.int32)


def _valid(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    ok = (m >= 1) & (m <= 12) & (d >= 1) & (y >= 1900)
    mm = np.clip(m, 1, 12)
    nxt = ((y - 1970) * 12 + mm).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    cur = (
        ((y - 1970) * 12 + mm - 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    )
    return ok & (d <= (nxt - cur))


def garble_dob(
    rng: np.random.Generator,
    dob: np.ndarray,
    digit_slip: float,
    day_month_swap: float,
    first_january: float,
) -> np.ndarray:
    """Dates of birth with typical recording errors; invalid results keep the true date."""
    out = dob.copy()
    n = len(dob)
    y, m, d = _ymd(dob)
    u = rng.random(n)
    # one digit of the day, month or year slips by one
    slip = u < digit_slip
    which = rng.integers(0, 3, n)
    delta = np.where(rng.random(n) < 0.5, -1, 1)
    y2 = np.where(slip & (which == 0), y + delta, y)
    d2 = np.where(slip & (which == 1), d + delta * np.where(rng.random(n) < 0.5, 1, 10), d)
    m2 = np.where(slip & (which == 2), m + delta, m)
    ok = slip & _valid(y2, m2, d2)
    out[ok] = _from_ymd(y2[ok], m2[ok], d2[ok])
    swap = (u >= digit_slip) & (u < digit_slip + day_month_swap) & (d <= 12) & (d != m)
    out[swap] = _from_ymd(y[swap], d[swap], m[swap])
    jan = (u >= digit_slip + day_month_swap) & (u < digit_slip + day_month_swap + first_january)
    out[jan] = _from_ymd(y[jan], np.ones(int(jan.sum()), int), np.ones(int(jan.sum()), int))
    return out


LETTERS = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), dtype=object)


def garble_initial(
    rng: np.random.Generator, initials: np.ndarray, wrong: float, missing: float
) -> np.ndarray:
    out = initials.copy()
    u = rng.random(len(out))
    w = u < wrong
    out[w] = LETTERS[rng.integers(0, 26, int(w.sum()))]
    out[(u >= wrong) & (u < wrong + missing)] = ""
    return out


__all__ = ["EPOCH", "garble_dob", "garble_initial"]
