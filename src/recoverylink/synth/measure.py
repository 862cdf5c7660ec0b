"""What ``recoverylink synth --check`` measures, with the pipeline's own code.

There is one implementation of every published method: the synthetic folder
is loaded by the real ingest, the mart is built by the real warehouse build
from the folder's true person ids (``truth_mart``: no linkage, so no linkage
error), and the study figures are the reconviction and long-term studies'
own headlines on it. The system-wide counts (people in treatment,
completions, area completion rates, ...) are read off the same mart with
``sql/check.sql``. Nothing here re-implements journeys, cohorts or outcome
groups.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from recoverylink.config import Config
from recoverylink.errors import InputError
from recoverylink.progress import NULL_PROGRESS, Progress
from recoverylink.sqlfiles import package_sql_blocks
from recoverylink.studies.base import StudyContext, StudyOptions, StudyResult
from recoverylink.studies.registry import study_function
from recoverylink.warehouse.build import BuildOptions, build, connect

RECONVICTION_YEAR = "2006-07"
LONG_TERM_YEAR = "2005-06"

# check key -> (study, headline id, divisor): percentages become shares
STUDY_FIGURES: dict[str, tuple[str, str, float]] = {
    "cohort_size": ("reconviction", "cohort", 1.0),
    "share_with_prior_convictions": ("reconviction", "pct_prior", 100.0),
    "change_retained": ("reconviction", "change_retained", 1.0),
    "change_completed": ("reconviction", "change_completed", 1.0),
    "change_completed_not_returned": ("reconviction", "change_completed_not_returned", 1.0),
    "change_dropped_out": ("reconviction", "change_dropped_out", 1.0),
    "change_soliciting": ("reconviction", "change_soliciting", 1.0),
    "change_fraud_forgery": ("reconviction", "change_fraud_forgery", 1.0),
    "change_theft": ("reconviction", "change_theft", 1.0),
    "share_dropped_out": ("reconviction", "dropped_out_share", 100.0),
    "dropout_share_of_after": ("reconviction", "dropout_share_after", 100.0),
    "ratio_prior_heroin_crack": ("reconviction", "prior_ratio", 1.0),
    "share_dip_sharp_increase": ("reconviction", "dip_sharp_increase", 100.0),
    "leavers": ("long_term", "cohort", 1.0),
    "sustained_recovery": ("long_term", "sustained_recovery", 100.0),
    "rest_returned_directly": ("long_term", "returned_directly", 100.0),
    "rest_returned_via_cjs": ("long_term", "returned_via_cjs", 100.0),
    "reoffenders_returned": ("long_term", "offenders_returned", 100.0),
}
STUDY_YEARS = {"reconviction": RECONVICTION_YEAR, "long_term": LONG_TERM_YEAR}
Z95 = 1.959963984540054


def _cell(frame: pd.DataFrame, key: str, match: str, column: str) -> float:
    """``frame[column]`` where ``frame[key] == match`` (0 when there is no such row)."""
    rows = frame[frame[key] == match]
    return float(rows[column].iloc[0]) if len(rows) else 0.0


def group_sizes(study: str, result: StudyResult) -> dict[str, float]:
    """How many people each of the study's checked figures is computed on."""
    tables = {t.name: t.frame for t in result.tables}
    cohort = next((h.value for h in result.headlines if h.id == "cohort"), math.nan)
    if study == "reconviction":
        groups, offences = tables["outcome_groups"], tables["offence_groups"]
        offenders = _cell(groups, "group", "all", "offenders")
        hard_core = tables["hard_core"]
        return {
            "share_with_prior_convictions": cohort,
            "ratio_prior_heroin_crack": cohort,
            **{f"change_{g}": _cell(groups, "group", g, "offenders") for g in
               ("retained", "completed", "completed_not_returned", "dropped_out")},
            **{f"change_{g}": _cell(offences, "offence_group", g, "offenders_with_one_before")
               for g in ("soliciting", "fraud_forgery", "theft")},
            "share_dropped_out": offenders,
            "dropout_share_of_after": offenders,
            "share_dip_sharp_increase": (float(hard_core["people"].iloc[0])
                                         if len(hard_core) else 0.0),
        }
    outcomes = tables["outcomes"]
    everyone = _cell(outcomes, "outcome", "all", "people")
    rest = everyone - _cell(outcomes, "outcome", "sustained_recovery", "people")
    return {
        "sustained_recovery": everyone,
        "rest_returned_directly": rest,
        "rest_returned_via_cjs": rest,
        "reoffenders_returned": _cell(outcomes, "outcome", "all", "offended"),
    }


def _sql(name: str) -> str:
    return package_sql_blocks("recoverylink.synth", "check")[name]


@contextmanager
def truth_data_dir(data_dir: Path | None) -> Iterator[Path]:
    """The given data directory, or a temporary one removed afterwards."""
    if data_dir is not None:
        yield data_dir
        return
    tmp = Path(tempfile.mkdtemp(prefix="recoverylink-check-"))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_truth_mart(
    folder: Path, data_dir: Path, config: Config, progress: Progress = NULL_PROGRESS
) -> None:
    """Ingest ``folder`` into ``data_dir`` and build ``truth_mart`` from its truth."""
    from recoverylink.ingest.files import find_files
    from recoverylink.ingest.loader import IngestRun
    from recoverylink.ingest.plan import Outcome
    from recoverylink.ingest.safety import configured_limits
    from recoverylink.ingest.stores import Stores
    from recoverylink.linkage.inputs import write_demographics_without_linkage

    with configured_limits(config), Stores.open(data_dir, config.duckdb) as stores:
        result = IngestRun(stores, progress).run(find_files([folder]))
    fine = (Outcome.LOADED, Outcome.REPLACED, Outcome.UNCHANGED)
    bad = [f for f in result.files if f.outcome not in fine]
    if bad:
        first = bad[0]
        raise InputError(
            f"{len(bad)} file(s) of {folder} were not loaded ({first.path.name}: "
            f"{first.outcome.value}, {first.note}); the check needs every file"
        )
    write_demographics_without_linkage(data_dir, config.duckdb, run_id="synth-check")
    build(BuildOptions(data_dir, config.duckdb, truth_dir=folder / "truth"), progress)


def study_figures(data_dir: Path, config: Config) -> dict[str, float]:
    """The reconviction and long-term studies' headlines on ``truth_mart``."""
    headlines: dict[str, dict[str, float]] = {}
    errors: dict[str, dict[str, float]] = {}
    out: dict[str, float] = {}
    for study, year in STUDY_YEARS.items():
        options = StudyOptions(data_dir=data_dir, duckdb=config.duckdb, truth=True, year=year)
        context = StudyContext.open(options)
        try:
            result = study_function(study)(context)
        finally:
            context.close()
        headlines[study] = {h.id: h.value for h in result.headlines}
        errors[study] = {h.id: _interval_se(h.value, h.lower, h.upper) for h in result.headlines}
        out.update({f"_n_{key}": n for key, n in group_sizes(study, result).items()})
    for key, (study, headline, divisor) in STUDY_FIGURES.items():
        out[key] = headlines[study].get(headline, math.nan) / divisor
        out[f"_se_{key}"] = errors[study].get(headline, math.nan) / divisor
    return out


def _interval_se(value: float, lower: float | None, upper: float | None) -> float:
    """The standard error a 95% interval implies: NaN without a value, infinite without
    an interval (the study gives none when too few people have what it counts)."""
    if value is None or math.isnan(value):
        return math.nan
    if lower is None or upper is None or math.isnan(lower) or math.isnan(upper):
        return math.inf
    return (upper - lower) / (2 * Z95)


def system_figures(data_dir: Path, config: Config) -> dict[str, object]:
    """The system-wide counts of ``sql/check.sql`` on ``truth_mart``.

    Returns floats, plus ``_area_rates`` and ``_area_population`` (Series by
    local authority) for the area figures, which need a minimum size.
    """
    out: dict[str, object] = {}
    with connect(data_dir, config.duckdb, read_only=True) as con:
        con.execute("SET schema = 'truth_mart'")
        con.execute(_sql("years"))
        con.execute(_sql("drug_journeys"))
        columns = ("completions", "in_treatment", "entrants", "exits", "leavers")
        for fy, *counts in con.execute(_sql("per_year")).fetchall():
            values = dict(zip((*columns, "successful_or_transfer"), counts, strict=True))
            for name in columns:
                out[f"{name}_{fy}"] = float(values[name])
            out[f"exits_successful_or_transfer_{fy}"] = (
                values["successful_or_transfer"] / values["exits"] if values["exits"] else math.nan
            )
            out[f"_n_exits_successful_or_transfer_{fy}"] = float(values["exits"])
        out["treated_2004_2008"] = float(con.execute(_sql("treated_2004_2008")).fetchall()[0][0])
        nfa, housing, parental, started = con.execute(_sql("circumstances_2010")).fetchall()[0]
        out["share_no_fixed_abode_2010"] = _float(nfa)
        out["share_housing_problem_2010"] = _float(housing)
        out["share_parental_2010"] = _float(parental)
        for key in ("no_fixed_abode", "housing_problem", "parental"):
            out[f"_n_share_{key}_2010"] = float(started)
        out["dip_entrants_per_month_2008"] = float(
            con.execute(_sql("dip_entrants_2008")).fetchall()[0][0]
        )
        areas = con.execute(_sql("area_rates_2010")).df().set_index("la_code")
        out["drug_poisoning_deaths_clients_2008"] = float(
            con.execute(_sql("poisoning_deaths_2008")).fetchall()[0][0]
        )
        regions = con.execute(
            "SELECT la_code, region_name FROM ref.local_authorities"
        ).df().set_index("la_code")["region_name"]
    people = areas["people"].astype(float)
    out["_area_rates"] = (areas["completed"] / people).rename("rate")
    out["_area_population"] = people
    south = people.index.map(regions.to_dict()).isin(["London", "South East"])
    out["_n_completion_rate_london_south_east_2010"] = float(people[south].sum())
    out["completion_rate_london_south_east_2010"] = (
        float(areas.loc[south, "completed"].sum() / people[south].sum())
        if people[south].sum()
        else math.nan
    )
    return out


def _float(value: object) -> float:
    return math.nan if value is None else float(value)  # type: ignore[arg-type]


def measure_truth_mart(data_dir: Path, config: Config) -> dict[str, object]:
    """Every figure the check compares, from a data directory with ``truth_mart``."""
    out: dict[str, object] = dict(study_figures(data_dir, config))
    out.update(system_figures(data_dir, config))
    return out

