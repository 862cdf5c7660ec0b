"""Checking and coercing the inputs of the statistics functions.

Every function in :mod:`recoverylink.stats` takes numbers or array-likes and
broadcasts them with numpy. Impossible inputs (a negative count, a numerator
above its denominator, a confidence level outside (0, 1)) raise
:class:`StatsInputError`; missing values (NaN) are not errors and give NaN
results; a zero denominator gives NaN, never an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats as _sp

from recoverylink.errors import InputError

FloatArray = NDArray[np.float64]

#: The two confidence levels every indicator reports (PHE convention).
STANDARD_LEVELS: tuple[float, float] = (0.95, 0.998)


class StatsInputError(InputError):
    """Impossible input to a statistics function (negative count, numerator above
    denominator, confidence level outside (0, 1), arrays that do not line up)."""


def as_floats(name: str, value: ArrayLike) -> FloatArray:
    """``value`` as a float array (scalars become 0-d arrays).

    >>> as_floats("x", [1, 2]).dtype
    dtype('float64')
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise StatsInputError(f"{name} must be numeric: {exc}") from exc
    return arr


def check_non_negative(name: str, arr: FloatArray) -> None:
    """Raise unless every non-missing value of ``arr`` is >= 0."""
    bad = arr < 0  # NaN compares False, so missing values pass
    if np.any(bad):
        first = arr[bad].flat[0] if arr.ndim else arr
        raise StatsInputError(f"{name} must be zero or more; got {float(first)!r}")


def check_finite_or_nan(name: str, arr: FloatArray) -> None:
    """Raise on infinite values (NaN is allowed and means missing)."""
    if np.any(np.isinf(arr)):
        raise StatsInputError(f"{name} must be finite")


def check_not_above(num_name: str, num: FloatArray, den_name: str, den: FloatArray) -> None:
    """Raise where ``num`` > ``den`` (both present)."""
    bad = np.asarray(num > den)
    if np.any(bad):
        n, d = np.broadcast_arrays(num, den)
        raise StatsInputError(
            f"{num_name} must not exceed {den_name}; got {float(n[bad].flat[0])!r} "
            f"> {float(d[bad].flat[0])!r}"
        )


def check_confidence(confidence: float) -> float:
    """A two-sided confidence level strictly between 0 and 1 (0.95, 0.998)."""
    try:
        c = float(confidence)
    except (TypeError, ValueError) as exc:
        raise StatsInputError(f"confidence must be a number; got {confidence!r}") from exc
    if not 0.0 < c < 1.0:
        raise StatsInputError(
            f"confidence must be strictly between 0 and 1 (0.95, 0.998); got {confidence!r}"
        )
    return c


def z_for(confidence: float) -> float:
    """The standard normal quantile for a two-sided ``confidence``:
    ``Phi^-1(confidence + (1 - confidence) / 2)`` (1.959964 for 0.95).

    >>> round(z_for(0.95), 6)
    1.959964
    """
    c = check_confidence(confidence)
    return float(_sp.norm.ppf(c + (1.0 - c) / 2.0))


def check_multiplier(multiplier: float) -> float:
    """A strictly positive, finite multiplier (1, 100, 100000)."""
    m = float(multiplier)
    if not (np.isfinite(m) and m > 0):
        raise StatsInputError(f"multiplier must be a positive number; got {multiplier!r}")
    return m


def safe_divide(num: ArrayLike, den: ArrayLike) -> FloatArray:
    """``num / den`` with NaN (no warning) wherever ``den`` is 0."""
    n = np.asarray(num, dtype=np.float64)
    d = np.asarray(den, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(d == 0, np.nan, n / np.where(d == 0, 1.0, d))
    return np.asarray(out, dtype=np.float64)


def scalar_or_array(arr: Any) -> Any:
    """A 0-d array as a numpy scalar, anything else unchanged."""
    a = np.asarray(arr)
    return a[()] if a.ndim == 0 else a


def format_multiplier(multiplier: float, big_mark: str = "") -> str:
    """A multiplier written as R's ``format(m, scientific = FALSE)`` would:
    ``100000`` or, with ``big_mark=","``, ``100,000``.

    >>> format_multiplier(100000.0, ",")
    '100,000'
    """
    m = float(multiplier)
    text = f"{int(m):,}" if m == int(m) else f"{m:,}"
    return text.replace(",", big_mark)


def labels(shape: Sequence[int] | tuple[int, ...], text: str) -> NDArray[np.object_]:
    """An object array of ``shape`` filled with ``text``."""
    out = np.empty(tuple(shape), dtype=object)
    out[...] = text
    return out
