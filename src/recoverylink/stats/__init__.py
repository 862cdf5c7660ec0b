"""Statistics for indicators, studies and publication: confidence intervals
(Wilson, Byar, exact Poisson, Student's t, Dobson), standardisation (DSR,
ISR, SMR), funnel plots, the chi-square test for trend and benchmark
comparison. Self-contained: numpy arrays in, arrays out; no database.

The methods follow PHE Fingertips as implemented in the R packages
PHEindicatormethods and FunnelPlotR, whose test vectors the tests reproduce;
``docs/statistics.md`` gives each formula and source.
"""

from recoverylink.stats.compare import compare_estimate, compare_with_benchmark
from recoverylink.stats.estimate import Estimate
from recoverylink.stats.funnel_tables import proportion_table, rate_points, rate_table, ratio_table
from recoverylink.stats.funnels import (
    poisson_funnel,
    proportion_limit,
    proportion_limits,
    proportion_significance,
    rate_significance,
    ratio_significance,
    sr_poisson_limits,
)
from recoverylink.stats.inputs import STANDARD_LEVELS, StatsInputError
from recoverylink.stats.means import mean, mean_from_summary
from recoverylink.stats.proportions import proportion, wilson_lower, wilson_upper
from recoverylink.stats.rates import (
    byars_lower,
    byars_upper,
    exact_lower,
    exact_upper,
    poisson_limits,
    rate,
)
from recoverylink.stats.standardised import (
    dsr,
    dsr_nonindependent,
    dsr_nonindependent_table,
    dsr_table,
    expected_events,
    indirectly_standardised_rate,
    isr_table,
    reference_rate,
    standardised_ratio,
)
from recoverylink.stats.trend import TrendTest, chi_square_trend, recent_trend

__all__ = [
    "STANDARD_LEVELS",
    "Estimate",
    "StatsInputError",
    "TrendTest",
    "byars_lower",
    "byars_upper",
    "chi_square_trend",
    "compare_estimate",
    "compare_with_benchmark",
    "dsr",
    "dsr_nonindependent",
    "dsr_nonindependent_table",
    "dsr_table",
    "exact_lower",
    "exact_upper",
    "expected_events",
    "indirectly_standardised_rate",
    "isr_table",
    "mean",
    "mean_from_summary",
    "poisson_funnel",
    "poisson_limits",
    "proportion",
    "proportion_limit",
    "proportion_limits",
    "proportion_significance",
    "proportion_table",
    "rate",
    "rate_points",
    "rate_significance",
    "rate_table",
    "ratio_significance",
    "ratio_table",
    "recent_trend",
    "reference_rate",
    "sr_poisson_limits",
    "standardised_ratio",
    "wilson_lower",
    "wilson_upper",
]
