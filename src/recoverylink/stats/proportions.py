"""Proportions with Wilson score confidence intervals (the PHE form).

For ``x`` cases out of ``n`` and the two-sided normal quantile ``z``::

    lower = (2x + z^2 - z * sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))
    upper = (2x + z^2 + z * sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))

Wilson EB (1927), J Am Stat Assoc 22:209-212; Newcombe RG, Altman DG (2000),
in *Statistics with confidence*, pp 46-48; as written in PHEindicatormethods'
``wilson_lower``/``wilson_upper`` and ``phe_proportion``. It is algebraically the
same interval as statsmodels' ``proportion_confint(method="wilson")``; the
closed form is written out here so that non-integer counts (PHE allows them)
and a zero denominator (NaN here) behave as documented.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from recoverylink.stats.estimate import Estimate, FloatArray
from recoverylink.stats.inputs import (
    as_floats,
    check_finite_or_nan,
    check_multiplier,
    check_non_negative,
    check_not_above,
    labels,
    safe_divide,
    scalar_or_array,
    z_for,
)


def _checked(x: ArrayLike, n: ArrayLike) -> tuple[FloatArray, FloatArray]:
    xa = as_floats("numerator", x)
    na = as_floats("denominator", n)
    for name, arr in (("numerator", xa), ("denominator", na)):
        check_finite_or_nan(name, arr)
        check_non_negative(name, arr)
    check_not_above("numerator", xa, "denominator", na)
    return np.broadcast_arrays(xa, na)  # type: ignore[return-value]


def _wilson(x: FloatArray, n: FloatArray, z: float, sign: float) -> FloatArray:
    p = safe_divide(x, n)  # NaN where n == 0
    with np.errstate(invalid="ignore"):
        root = np.sqrt(z * z + 4.0 * x * (1.0 - p))
        out = (2.0 * x + z * z + sign * z * root) / 2.0 / (n + z * z)
    return np.asarray(out, dtype=np.float64)


def wilson_lower(x: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> FloatArray:
    """Lower Wilson score limit of the proportion ``x / n`` (NaN where n == 0).

    >>> round(float(wilson_lower(65, 100)), 9)
    0.552544433
    """
    xa, na = _checked(x, n)
    return scalar_or_array(_wilson(xa, na, z_for(confidence), -1.0))


def wilson_upper(x: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> FloatArray:
    """Upper Wilson score limit of the proportion ``x / n`` (NaN where n == 0).

    >>> round(float(wilson_upper(65, 100)), 9)
    0.736357518
    """
    xa, na = _checked(x, n)
    return scalar_or_array(_wilson(xa, na, z_for(confidence), 1.0))


def proportion(x: ArrayLike, n: ArrayLike, multiplier: float = 1.0) -> Estimate:
    """``x / n * multiplier`` with 95% and 99.8% Wilson score limits.

    Arrays broadcast; a zero denominator gives NaN value and limits; a
    negative count or ``x > n`` raises :class:`StatsInputError`.
    """
    xa, na = _checked(x, n)
    m = check_multiplier(multiplier)
    z95, z998 = z_for(0.95), z_for(0.998)
    shape = xa.shape
    return Estimate(
        value=safe_divide(xa, na) * m,
        lower95=_wilson(xa, na, z95, -1.0) * m,
        upper95=_wilson(xa, na, z95, 1.0) * m,
        lower998=_wilson(xa, na, z998, -1.0) * m,
        upper998=_wilson(xa, na, z998, 1.0) * m,
        method=labels(shape, "Wilson"),
        statistic=labels(shape, "proportion" if m == 1 else f"proportion x {m:g}"),
        extra={"numerator": xa, "denominator": na},
    )
