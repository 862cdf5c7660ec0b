"""The declared contract: column order, identifier flags, code lists, the rules catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from recoverylink.spec import RULES, codes, column_rules, columns, identifier_columns
from recoverylink.spec.schema import Need
from recoverylink.spec.tables import table_for_file

# The file layout, copied from the spec's tables (and the generator's brief).
LAYOUT = {
    "episodes": "provider_code, client_ref, episode_ref, consent, first_initial, last_initial, "
    "date_of_birth, sex, postcode_district, local_authority, ethnicity, referral_date, "
    "referral_source, triage_date, substance_1, substance_2, substance_3, injecting_status, "
    "accommodation, employment, parental_status, previously_treated, discharge_date, "
    "discharge_reason",
    "interventions": "provider_code, episode_ref, intervention_ref, intervention_type, setting, "
    "referred_date, start_date, end_date, exit_status",
    "top": "provider_code, episode_ref, top_date, stage, days_opiates, days_crack, days_cocaine, "
    "days_amphetamines, days_cannabis, days_alcohol, days_injected, shoplifting_days, "
    "drug_selling_days, other_theft_days, assault, psychological_health, physical_health, "
    "quality_of_life, acute_housing_problem, housing_risk, paid_work_days, education_days",
    "nominals": "pnc_id, surname, forenames, date_of_birth, sex, postcode, police_force",
    "aliases": "pnc_id, surname, forenames, date_of_birth",
    "disposals": "pnc_id, disposal_id, offence_date, disposal_date, disposal_type, offence_code",
    "drug_tests": "test_id, pnc_id, first_initial, last_initial, date_of_birth, sex, "
    "police_force, test_date, opiates, cocaine, trigger_offence_code, required_assessment",
    "deaths": "death_id, surname, forenames, date_of_birth, sex, postcode, date_of_death, "
    "date_registered, underlying_cause, drug_poisoning",
    "providers": "provider_code, provider_name, local_authority",
}


@pytest.mark.parametrize("table", sorted(LAYOUT))
def test_columns_follow_the_file_layout(table: str) -> None:
    assert columns(table) == tuple(LAYOUT[table].split(", "))


def test_unknown_table_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="no table 'episode'"):
        columns("episode")


def test_identifiers_are_the_attributors() -> None:
    assert identifier_columns("episodes") == (
        "client_ref", "first_initial", "last_initial", "date_of_birth", "sex", "postcode_district"
    )  # fmt: skip
    assert identifier_columns("nominals") == (
        "pnc_id", "surname", "forenames", "date_of_birth", "sex", "postcode"
    )  # fmt: skip
    assert identifier_columns("aliases") == columns("aliases")
    assert identifier_columns("disposals") == ("pnc_id",)
    assert identifier_columns("drug_tests") == (
        "pnc_id", "first_initial", "last_initial", "date_of_birth", "sex"
    )  # fmt: skip
    assert identifier_columns("deaths") == (
        "surname", "forenames", "date_of_birth", "sex", "postcode"
    )  # fmt: skip
    assert identifier_columns("providers") == ()
    assert identifier_columns("top") == ()


def test_code_lists_come_from_the_codes_module() -> None:
    rules = {c.name: c for c in column_rules("episodes")}
    assert rules["ethnicity"].codes is codes.ETHNICITY
    assert rules["discharge_reason"].codes is codes.DISCHARGE_REASON
    assert rules["sex"].codes is codes.SEX
    assert "E08000035" in rules["local_authority"].code_values()
    assert len(rules["local_authority"].code_values()) == 151


def test_optional_columns_are_the_ones_the_spec_names() -> None:
    optional = {(t, c.name) for t in LAYOUT for c in column_rules(t) if c.need is Need.OPTIONAL}
    # plus the initials, a documented reading (docs/data-spec-rules.md): clerks leave them out
    assert optional == {
        ("episodes", "first_initial"),
        ("episodes", "last_initial"),
        ("drug_tests", "first_initial"),
        ("drug_tests", "last_initial"),
        ("episodes", "postcode_district"),
        ("episodes", "substance_2"),
        ("episodes", "substance_3"),
        ("episodes", "discharge_date"),
        ("episodes", "discharge_reason"),
        ("interventions", "end_date"),
        ("interventions", "exit_status"),
        ("nominals", "postcode"),
        ("drug_tests", "pnc_id"),
        ("deaths", "postcode"),
    }
    consented = {c.name for c in column_rules("episodes") if c.need is Need.CONSENTED}
    allowed = set(codes.NON_CONSENT_ALLOWED_COLUMNS)
    optional_attributors = {"first_initial", "last_initial", "postcode_district"}
    assert consented | allowed | optional_attributors | {"substance_2", "substance_3"} == set(
        columns("episodes")
    )


@pytest.mark.parametrize(
    ("file", "table"),
    [
        ("episodes.csv", "episodes"),
        ("treatment_P001_2021-06.zip/top.csv", "top"),
        ("pnc_2021-06-30.zip/aliases.csv", "aliases"),
        ("drug_tests_2021-06.csv", "drug_tests"),
        ("deaths_2021.csv", "deaths"),
        ("providers.csv", "providers"),
    ],
)
def test_table_for_file(file: str, table: str) -> None:
    found = table_for_file(file)
    assert found is not None and found.name == table


def test_table_for_file_unknown_name() -> None:
    assert table_for_file("Episodes.csv") is None
    assert table_for_file("notes.txt") is None


def test_every_rule_is_documented() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "data-spec-rules.md").read_text("utf-8")
    listed = {line.split("`")[1] for line in doc.splitlines() if line.startswith("| `")}
    assert listed == set(RULES)


@pytest.mark.parametrize("module", ["context", "tables", "treatment"])
def test_doctests(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"recoverylink.spec.{module}"))
    assert result.attempted > 0 and result.failed == 0
