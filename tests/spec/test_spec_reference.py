"""The shipped reference data: counts checked against shared/reference/SOURCES.md."""

from __future__ import annotations

import pandas as pd

from recoverylink.spec import reference


def test_local_authorities_are_the_151_upper_tier_las_in_9_regions() -> None:
    las = reference.local_authorities()
    assert len(las) == 151
    assert las["la_code"].is_unique
    assert las["region_code"].nunique() == 9
    assert las["region_name"].nunique() == 9
    # SOURCES.md: the 151 mid-2019 populations sum to the England total.
    assert int(las["population"].sum()) == 56_286_961
    assert las.loc[las["la_code"] == "E08000035", "la_name"].item() == "Leeds"


def test_police_forces_are_43_territorial_plus_british_transport_police() -> None:
    forces = reference.police_forces()
    assert len(forces) == 44
    assert (forces["is_territorial"] == "y").sum() == 43
    btp = forces[forces["force_name"] == "British Transport Police"]
    assert btp["force_code"].item() == ""  # BTP has no ONS code
    assert pd.isna(btp["population_mid2019"].item())
    # the validator's code list leaves out the blank BTP code
    assert len(reference.police_force_codes()) == 43
    assert "E23000010" in reference.police_force_codes()


def test_offence_codes_keep_codes_as_text() -> None:
    offences = reference.offence_codes()
    assert len(offences) == 78
    assert offences["offence_code"].is_unique
    # "37.2" would turn into a float and "29" into an int if read naively.
    assert {"37.2", "29", "NN_BEG", "92A_A"} <= set(offences["offence_code"])
    assert set(offences["is_trigger_offence"]) == {"y", "n"}
    assert len(reference.offence_code_values()) == 78


def test_other_reference_tables_have_their_documented_sizes() -> None:
    assert len(reference.trigger_offences()) == 18
    rates = reference.england_mortality_rates()
    assert len(rates) == 1_170
    assert rates["period"].nunique() == 39
    assert rates["deaths_per_100k"].dtype == "float64"
    assert len(reference.crime_unit_costs()) == 2
    assert len(reference.treatment_unit_costs()) == 11
    hexes = reference.la_hexmap()
    assert len(hexes) == 151
    assert set(hexes["la_code"]) == set(reference.local_authorities()["la_code"])


def test_loaders_hand_out_copies() -> None:
    first = reference.local_authorities()
    first.loc[0, "la_name"] = "changed"
    assert reference.local_authorities().loc[0, "la_name"] == "Hartlepool"
