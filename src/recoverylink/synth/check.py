"""``recoverylink synth --check``: each published figure beside the measured one.

Tolerances (absolute, in the figure's own unit) come in two profiles. ``scale1``
is for England-sized data: shares within 3 percentage points (5 where the
published figure is itself approximate: "about", "just over", "over"), counts
within 10%, changes in convictions within 3 percentage points, ratios within 0.3.
``small`` is for test-sized data (scale below 0.5), where sampling noise is
larger: shares within 8 points, counts within 25%, changes within 15 points,
ratios within 0.8; figures about single local authorities are not measured there.

A figure is only checked when its group is big enough for the tolerance to
mean something: when the figure's standard error at this size is larger than
its tolerance, even a generator that is exactly right would land outside the
tolerance about one time in three, so the figure is reported as "too few
people to check" (with the group's size) instead of passing or failing. The
standard error comes from the figure's own 95% interval where the study gives
one (half its width over 1.96), else from the binomial (shares) or Poisson
(counts) standard error at the published value and the group's size.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from recoverylink.config import Config, load_config
from recoverylink.errors import InputError
from recoverylink.progress import NULL_PROGRESS, Progress

PROFILES = ("auto", "scale1", "small")


@dataclass(frozen=True)
class CheckRow:
    key: str
    figure: str
    published: float
    measured: float
    tolerance: float
    unit: str  # share | count | percent_change | ratio | rate
    passed: bool
    """False only for a figure checked and found outside its tolerance (or not measurable)."""
    note: str = ""
    checked: bool = True
    """False for a figure too noisy at this size to check, or not measured at this scale."""
    standard_error: float = math.nan
    """In the figure's unit, at this sample size (NaN where not known)."""
    people: float = math.nan
    """The size of the group the figure is computed on (people, or the count itself)."""

    @property
    def too_few(self) -> bool:
        return not self.checked and self.note.startswith(TOO_FEW)


TOO_FEW = "too few people to check"


@dataclass
class CheckReport:
    scale: float
    profile: str
    rows: list[CheckRow] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.rows)

    @property
    def checked(self) -> list[CheckRow]:
        return [r for r in self.rows if r.checked]

    @property
    def too_few(self) -> list[CheckRow]:
        return [r for r in self.rows if r.too_few]


@dataclass(frozen=True)
class Figure:
    key: str
    figure: str
    published: float
    unit: str
    approximate: bool = False  # the published text says about / over / just over
    scales_with_size: bool = False  # counts: the published value times the scale
    area_level: bool = False  # needs England-sized data
    periods: int = 1  # counts: an average over this many years (or months)


FIGURES: tuple[Figure, ...] = (
    Figure(
        "cohort_size",
        "Reconviction cohort: new journeys in 2006-07 (absent from or matched to PNC)",
        53_851,
        "count",
        scales_with_size=True,
    ),
    Figure(
        "share_with_prior_convictions",
        "Cohort with a conviction in the 2 years before (trigger offences + soliciting)",
        0.36,
        "share",
    ),
    Figure(
        "change_retained",
        "Change in convictions, retained for the whole 2 years",
        -47,
        "percent_change",
    ),
    Figure(
        "change_completed",
        "Change in convictions, completed after at least 6 months",
        -48,
        "percent_change",
    ),
    Figure(
        "change_completed_not_returned",
        "Change in convictions, completed and did not return",
        -61,
        "percent_change",
    ),
    Figure("change_dropped_out", "Change in convictions, dropped out", -15, "percent_change"),
    Figure("change_soliciting", "Change in convictions for soliciting", -59, "percent_change"),
    Figure(
        "change_fraud_forgery", "Change in convictions for fraud or forgery", -57, "percent_change"
    ),
    Figure("change_theft", "Change in convictions for theft", -24, "percent_change"),
    Figure(
        "share_dropped_out",
        "Offenders in the cohort who dropped out within 2 years (just over half)",
        0.52,
        "share",
        approximate=True,
    ),
    Figure(
        "dropout_share_of_after",
        "Drop-outs' share of convictions in the 2 years after",
        0.75,
        "share",
    ),
    Figure(
        "ratio_prior_heroin_crack",
        "Heroin/crack users vs others: ratio of shares with prior convictions",
        2.0,
        "ratio",
    ),
    Figure(
        "share_dip_sharp_increase",
        "DIP entrants who offended with a sharp increase after starting (over a quarter)",
        0.27,
        "share",
        approximate=True,
    ),
    Figure(
        "leavers",
        "Long-term cohort: left treatment in 2005-06, not to prison",
        41_475,
        "count",
        scales_with_size=True,
    ),
    Figure("sustained_recovery", "Leavers in sustained recovery over 4 years", 0.46, "share"),
    Figure(
        "rest_returned_directly",
        "Of the rest: returned directly to treatment (about half)",
        0.50,
        "share",
        approximate=True,
    ),
    Figure(
        "rest_returned_via_cjs",
        "Of the rest: returned through the criminal justice system (a third)",
        0.33,
        "share",
        approximate=True,
    ),
    Figure(
        "reoffenders_returned",
        "Leavers who re-offended using drugs and went back into treatment",
        0.65,
        "share",
    ),
    Figure(
        "completions_2005",
        "Successful completions 2005-06 (over 11,000)",
        11_300,
        "count",
        approximate=True,
        scales_with_size=True,
    ),
    Figure(
        "completions_2009",
        "Successful completions 2009-10 (almost 24,000)",
        23_800,
        "count",
        approximate=True,
        scales_with_size=True,
    ),
    Figure(
        "completions_2010", "Successful completions 2010-11", 27_969, "count", scales_with_size=True
    ),
    Figure(
        "completions_2011",
        "Successful completions 2011-12 (expected over 30,000)",
        30_500,
        "count",
        approximate=True,
        scales_with_size=True,
    ),
    Figure(
        "in_treatment_2008_2011",
        "People in drug treatment a year, 2008-09 to 2011-12 (about 200,000)",
        200_000,
        "count",
        approximate=True,
        scales_with_size=True,
        periods=4,
    ),
    Figure(
        "treated_2004_2008",
        "People treated in all, 2004-05 to 2008-09 (about 300,000)",
        300_000,
        "count",
        approximate=True,
        scales_with_size=True,
    ),
    Figure(
        "new_entrants_2004_2008",
        "New entrants a year on average, 2004-05 to 2008-09",
        80_000,
        "count",
        approximate=True,
        scales_with_size=True,
        periods=5,
    ),
    Figure(
        "leavers_2004_2008",
        "Leavers a year on average, 2004-05 to 2008-09",
        60_000,
        "count",
        approximate=True,
        scales_with_size=True,
        periods=5,
    ),
    Figure("exits_2007", "Discharges 2007-08", 69_612, "count", scales_with_size=True),
    Figure(
        "exits_successful_or_transfer_2007",
        "Discharges 2007-08 successful under the old definition (completed or referred on)",
        0.51,
        "share",
    ),
    Figure(
        "completion_rate_min_2010",
        "Lowest area completion rate, 2010-11 (Gloucestershire)",
        0.05,
        "share",
        area_level=True,
    ),
    Figure(
        "completion_rate_max_2010",
        "Highest area completion rate, 2010-11 (Kent)",
        0.25,
        "share",
        area_level=True,
    ),
    Figure(
        "completion_rate_london_south_east_2010",
        "Completion rate, London and the South East, 2010-11",
        0.15,
        "share",
    ),
    Figure(
        "share_no_fixed_abode_2010",
        "Starting treatment with no fixed abode, 2010-11",
        0.09,
        "share",
    ),
    Figure(
        "share_housing_problem_2010",
        "Starting treatment with another housing problem, 2010-11",
        0.15,
        "share",
    ),
    Figure(
        "share_parental_2010",
        "With parental responsibility at the start (about a third)",
        0.33,
        "share",
        approximate=True,
    ),
    Figure(
        "drug_poisoning_deaths_clients_2008",
        "Drug-poisoning deaths of people known to treatment, 2008-09",
        1_620,
        "count",
        scales_with_size=True,
    ),
    Figure(
        "dip_entrants_per_month_2008",
        "Offenders entering treatment through DIP a month, 2008-09 (over 1,900)",
        1_950,
        "count",
        approximate=True,
        scales_with_size=True,
        periods=12,
    ),
)

MIN_AREA_POPULATION = 300  # people in treatment, for the lowest/highest area rate


def tolerance(fig: Figure, profile: str) -> float:
    small = profile == "small"
    if fig.unit == "share":
        return 0.08 if small else (0.05 if fig.approximate else 0.03)
    if fig.unit == "percent_change":
        return 15.0 if small else 3.0
    if fig.unit == "ratio":
        return 0.8 if small else 0.3
    return 0.25 if small else 0.10  # counts: relative


def standard_error(fig: Figure, published: float, measured: dict[str, float]) -> float:
    """The figure's standard error at the size measured (see the module docstring)."""
    if fig.unit == "count" and fig.scales_with_size:
        return math.sqrt(max(published, 0.0) * fig.periods) / fig.periods
    own = measured.get(f"_se_{fig.key}", math.nan)
    if not math.isnan(own):
        return own
    n = measured.get(f"_n_{fig.key}", math.nan)
    if fig.unit == "share" and not math.isnan(n):
        return math.sqrt(published * (1 - published) / n) if n > 0 else math.inf
    return math.nan


def group_size(fig: Figure, published: float, measured: dict[str, float]) -> float:
    n = measured.get(f"_n_{fig.key}", math.nan)
    if math.isnan(n) and fig.unit == "count" and fig.scales_with_size:
        value = measured.get(fig.key, math.nan)
        return (value if not math.isnan(value) else published) * fig.periods
    return n


def too_few_note(people: float, se: float, tol: float, fig: Figure) -> str:
    size = f"{people:,.0f} people" if not math.isnan(people) else "a small group"
    if fig.unit == "count":
        size = f"a count of {people:,.0f}" if not math.isnan(people) else "a small count"
    if math.isinf(se) or math.isnan(se):
        why = "too few for a standard error"
    else:
        why = f"its standard error {_in_unit(se, fig.unit)} is more than the tolerance"
    return f"{TOO_FEW} ({size}: {why})"


def _in_unit(value: float, unit: str) -> str:
    if unit == "share":
        return f"{value * 100:.1f} pp"
    if unit == "percent_change":
        return f"{value:.1f} pp"
    return f"{value:,.3g}"


def measure(
    folder: Path,
    config: Config,
    data_dir: Path | None = None,
    progress: Progress = NULL_PROGRESS,
) -> dict[str, float]:
    """Load ``folder``, build its truth mart and measure every figure (see ``measure.py``).

    ``data_dir``: where to load it (kept afterwards, with ``truth_mart`` built);
    by default a temporary directory, removed afterwards.
    """
    from recoverylink.synth.measure import load_truth_mart, measure_truth_mart, truth_data_dir

    with truth_data_dir(data_dir) as where:
        load_truth_mart(folder, where, config, progress)
        progress.stage("running the studies and counts on truth_mart", 1)
        m = measure_truth_mart(where, config)
        progress.advance()
        progress.close()
    rates: pd.Series = m.pop("_area_rates")  # type: ignore[assignment]
    pop: pd.Series = m.pop("_area_population")  # type: ignore[assignment]
    out: dict[str, float] = {k: float(v) for k, v in m.items()}  # type: ignore[arg-type]
    big = rates[pop >= max(30.0, MIN_AREA_POPULATION * min(scale_of(folder), 1.0))]
    out["completion_rate_min_2010"] = float(big.min()) if len(big) >= 20 else math.nan
    out["completion_rate_max_2010"] = float(big.max()) if len(big) >= 20 else math.nan
    out["in_treatment_2008_2011"] = sum(out[f"in_treatment_{y}"] for y in range(2008, 2012)) / 4
    out["new_entrants_2004_2008"] = sum(out[f"entrants_{y}"] for y in range(2004, 2009)) / 5
    out["leavers_2004_2008"] = sum(out[f"leavers_{y}"] for y in range(2004, 2009)) / 5
    return out


def scale_of(folder: Path) -> float:
    path = folder / "truth" / "parameters.json"
    if not path.exists():
        raise InputError(
            f"{folder} has no truth/parameters.json: is it a synthetic England folder?"
        )
    return float(json.loads(path.read_text())["scale"])


def run_check(
    directory: Path,
    profile: str = "auto",
    progress: Progress = NULL_PROGRESS,
    config: Config | None = None,
    data_dir: Path | None = None,
) -> CheckReport:
    if profile not in PROFILES:
        raise InputError(
            f"unknown tolerance profile {profile!r}; choose one of {', '.join(PROFILES)}"
        )
    directory = Path(directory)
    scale = scale_of(directory)
    if profile == "auto":
        profile = "scale1" if scale >= 0.5 else "small"
    measured = measure(directory, config or load_config(), data_dir, progress)
    report = CheckReport(scale=scale, profile=profile)
    for fig in FIGURES:
        published = fig.published * (scale if fig.scales_with_size else 1.0)
        value = measured.get(fig.key, math.nan)
        tol = tolerance(fig, profile)
        if fig.unit == "count":
            tol = tol * published
        if fig.area_level and profile == "small":
            note = "not measured at this scale (too few people per area)"
            report.rows.append(
                CheckRow(fig.key, fig.figure, published, math.nan, tol, fig.unit, True, note,
                         False)
            )
            continue
        se = standard_error(fig, published, measured)
        people = group_size(fig, published, measured)
        noisy = se > tol or (math.isnan(value) and not math.isnan(people) and math.isnan(se))
        if noisy or (math.isnan(value) and people == 0):
            report.rows.append(CheckRow(
                fig.key, fig.figure, published, value, tol, fig.unit, True,
                too_few_note(people, se, tol, fig), False, se, people,
            ))
            continue
        if math.isnan(value):
            report.rows.append(CheckRow(
                fig.key, fig.figure, published, value, tol, fig.unit, False,
                "could not be measured", True, se, people,
            ))
            continue
        ok = abs(value - published) <= tol
        report.rows.append(
            CheckRow(fig.key, fig.figure, published, value, tol, fig.unit, ok, "", True, se,
                     people)
        )
    return report
