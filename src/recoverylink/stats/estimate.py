"""The result type shared by the interval functions: a value with its 95% and
99.8% confidence limits, as arrays of one shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Estimate:
    """A value with its 95% and 99.8% confidence limits.

    Every field is an array of the same shape as the inputs (a 0-d array for
    scalar inputs). ``method`` names the interval method per element ("Wilson",
    "Byars", "Exact", "Dobson", "Student's t"); ``statistic`` says what the
    value is ("proportion", "rate per 100000", "dsr per 100000", ...).
    ``extra`` holds method-specific columns (total_count, expected, ...).
    """

    value: FloatArray
    lower95: FloatArray
    upper95: FloatArray
    lower998: FloatArray
    upper998: FloatArray
    method: NDArray[Any]
    statistic: NDArray[Any]
    extra: dict[str, NDArray[Any]] = field(default_factory=dict)

    def limits(self, confidence: float) -> tuple[FloatArray, FloatArray]:
        """The (lower, upper) limits at 0.95 or 0.998."""
        if confidence == 0.95:
            return self.lower95, self.upper95
        if confidence == 0.998:
            return self.lower998, self.upper998
        from recoverylink.stats.inputs import StatsInputError

        raise StatsInputError(
            f"an Estimate holds 0.95 and 0.998 limits only; asked for {confidence}"
        )

    def to_frame(self) -> pd.DataFrame:
        """A flat table with PHEindicatormethods' column names
        (``value, lower95_0cl, upper95_0cl, lower99_8cl, upper99_8cl``),
        the extra columns first and ``method``/``statistic`` last."""
        cols: dict[str, Any] = {}
        for name, arr in self.extra.items():
            cols[name] = np.ravel(arr)
        cols["value"] = np.ravel(self.value)
        cols["lower95_0cl"] = np.ravel(self.lower95)
        cols["upper95_0cl"] = np.ravel(self.upper95)
        cols["lower99_8cl"] = np.ravel(self.lower998)
        cols["upper99_8cl"] = np.ravel(self.upper998)
        n = len(cols["value"])
        cols["method"] = np.broadcast_to(np.ravel(self.method), (n,)) if n else []
        cols["statistic"] = np.broadcast_to(np.ravel(self.statistic), (n,)) if n else []
        return pd.DataFrame(cols)
