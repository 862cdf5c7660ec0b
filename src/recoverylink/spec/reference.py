"""Loaders for the reference data shipped with the package (``spec/data/*.csv``).

The files are copies of ``shared/reference/`` (provenance in ``spec/data/SOURCES.md``).
Text columns are read as strings with empty string for missing (as submissions
are); counts are nullable integers and money or rates floats. Each loader reads
its file once and hands out a copy, so a caller may change what it gets.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

_INTEGERS: dict[str, tuple[str, ...]] = {
    "local_authorities.csv": ("population", "population_year", "population_mid2006"),
    "police_forces.csv": ("n_upper_tier_las", "population_mid2019"),
    "england_mortality_rates.csv": ("period_mid_year", "age_from", "age_to"),
    "la_hexmap.csv": ("q", "r"),
}
_FLOATS: dict[str, tuple[str, ...]] = {
    "england_mortality_rates.csv": ("deaths_per_100k",),
    "crime_unit_costs.csv": ("unit_cost_gbp", "property_stolen_or_damaged_gbp"),
    "treatment_unit_costs.csv": ("cost_per_day_gbp", "original_value_gbp"),
}


@cache
def _load(name: str) -> pd.DataFrame:
    source = resources.files("recoverylink.spec").joinpath("data", name)
    with source.open("rb") as f:
        frame = pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8")
    for col in _INTEGERS.get(name, ()):
        frame[col] = pd.to_numeric(frame[col].replace("", None)).astype("Int64")
    for col in _FLOATS.get(name, ()):
        frame[col] = pd.to_numeric(frame[col].replace("", None)).astype("float64")
    return frame


def local_authorities() -> pd.DataFrame:
    """The 151 upper-tier local authorities of England (2019/2020), with region and force."""
    return _load("local_authorities.csv").copy()


def police_forces() -> pd.DataFrame:
    """The 43 territorial forces of England and Wales and British Transport Police."""
    return _load("police_forces.csv").copy()


def offence_codes() -> pd.DataFrame:
    """78 offence codes with offence group and trigger-offence flag."""
    return _load("offence_codes.csv").copy()


def trigger_offences() -> pd.DataFrame:
    """Drug Interventions Programme trigger offences with the dates they were in force."""
    return _load("trigger_offences.csv").copy()


def england_mortality_rates() -> pd.DataFrame:
    """All-cause death rates per 100,000 by period, sex and five-year age band."""
    return _load("england_mortality_rates.csv").copy()


def crime_unit_costs() -> pd.DataFrame:
    """Unit costs of crime by offence group (only the figures found in a source)."""
    return _load("crime_unit_costs.csv").copy()


def treatment_unit_costs() -> pd.DataFrame:
    """Cost per day of treatment by intervention type and substance group."""
    return _load("treatment_unit_costs.csv").copy()


def la_hexmap() -> pd.DataFrame:
    """Hex-cartogram coordinates (odd-r offset) of the 151 local authorities."""
    return _load("la_hexmap.csv").copy()


# Code sets the validator checks against, built once.


@cache
def local_authority_codes() -> frozenset[str]:
    return frozenset(_load("local_authorities.csv")["la_code"])


@cache
def police_force_codes() -> frozenset[str]:
    """ONS police force area codes; British Transport Police has none and is left out."""
    return frozenset(c for c in _load("police_forces.csv")["force_code"] if c)


@cache
def offence_code_values() -> frozenset[str]:
    return frozenset(_load("offence_codes.csv")["offence_code"])
