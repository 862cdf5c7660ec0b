"""Per-column rules: required, dates, codes, whole numbers, formats, unique identifiers."""

from __future__ import annotations

import pytest
from specfiles import (
    check_rows,
    death_rows,
    drug_test_rows,
    episode_rows,
    nominal_rows,
    top_rows,
    triples,
)


def test_required_fields() -> None:
    rows = episode_rows()
    rows[0]["client_ref"] = ""
    rows[0]["sex"] = ""  # consent = y, so sex is required
    rows[2]["referral_source"] = ""
    rows[1]["triage_date"] = ""  # required even without consent
    problems = check_rows("episodes", rows)
    assert triples(problems) == [
        ("required", 2, "client_ref"),
        ("required", 2, "sex"),
        ("required", 3, "triage_date"),
        ("required", 4, "referral_source"),
    ]
    assert problems[0].value == ""


def test_blank_free_text_counts_as_missing() -> None:
    rows = nominal_rows()
    rows[1]["surname"] = "   "
    assert triples(check_rows("nominals", rows)) == [("required", 3, "surname")]


@pytest.mark.parametrize(
    "value", ["2021-02-29", "2021-6-1", "06/01/2021", "2021-13-01", " 2021-06-01"]
)
def test_bad_dates(value: str) -> None:
    rows = drug_test_rows()
    rows[1]["test_date"] = value
    problems = check_rows("drug_tests", rows)
    assert triples(problems) == [("bad_date", 3, "test_date")]
    assert problems[0].value == value


def test_leap_day_is_a_real_date() -> None:
    rows = drug_test_rows()
    rows[1]["date_of_birth"] = "1992-02-29"
    assert check_rows("drug_tests", rows) == []


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("sex", "Male"),
        ("sex", "m"),
        ("ethnicity", "white"),
        ("local_authority", "E08000099"),
        ("local_authority", "e08000035"),
        ("discharge_reason", "completed"),
        ("previously_treated", "yes"),
    ],
)
def test_bad_codes(column: str, value: str) -> None:
    rows = episode_rows()
    rows[0][column] = value
    problems = check_rows("episodes", rows)
    assert triples(problems) == [("bad_code", 2, column)]
    assert problems[0].value == value


def test_reference_codes_of_forces_and_offences() -> None:
    rows = drug_test_rows()
    rows[0]["police_force"] = "E23000099"
    rows[1]["trigger_offence_code"] = "28a"
    assert triples(check_rows("drug_tests", rows)) == [
        ("bad_code", 2, "police_force"),
        ("bad_code", 3, "trigger_offence_code"),
    ]


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("days_opiates", "3.5", "bad_integer"),
        ("days_opiates", "three", "bad_integer"),
        ("days_opiates", "29", "out_of_range"),
        ("days_opiates", "-1", "out_of_range"),
        ("education_days", "99999999999999999999", "out_of_range"),
        ("psychological_health", "21", "out_of_range"),
        ("quality_of_life", "20", None),
        ("days_alcohol", "28", None),
        ("days_alcohol", "0", None),
    ],
)
def test_counts_and_scores(column: str, value: str, rule: str | None) -> None:
    rows = top_rows()
    rows[2][column] = value
    expected = [] if rule is None else [(rule, 4, column)]
    assert triples(check_rows("top", rows)) == expected


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("episodes", "first_initial", "j"),
        ("episodes", "last_initial", "SM"),
        ("episodes", "postcode_district", "LS 6"),
        ("episodes", "postcode_district", "ls6"),
        ("nominals", "pnc_id", "6/123456A"),
        ("nominals", "pnc_id", "06/12345A"),
        ("nominals", "pnc_id", "06-123456A"),
        ("nominals", "postcode", "LS6"),
        ("nominals", "postcode", "ls6 1an"),
        ("deaths", "underlying_cause", "X4"),
        ("deaths", "underlying_cause", "x42"),
        ("deaths", "underlying_cause", "F11.123"),
    ],
)
def test_bad_formats(table: str, column: str, value: str) -> None:
    rows = {"episodes": episode_rows, "nominals": nominal_rows, "deaths": death_rows}[table]()
    rows[0][column] = value
    problems = check_rows(table, rows)
    assert triples(problems) == [("bad_format", 2, column)]
    assert problems[0].value == value


@pytest.mark.parametrize(
    ("column", "value"),
    [("postcode_district", "SW1A"), ("postcode_district", "M1"), ("first_initial", "Z")],
)
def test_good_formats(column: str, value: str) -> None:
    rows = episode_rows()
    rows[0][column] = value
    assert check_rows("episodes", rows) == []


def test_postcode_space_is_optional() -> None:
    rows = nominal_rows()
    rows[0]["postcode"] = "SW1A2AA"
    rows[1]["postcode"] = "SW1A 2AA"
    assert check_rows("nominals", rows) == []


def test_not_unique_is_reported_on_each_repeat_with_the_first_row() -> None:
    rows = episode_rows()
    rows[2]["episode_ref"] = "E1"
    rows.append(dict(rows[0]))
    problems = check_rows("episodes", rows)
    assert triples(problems) == [("not_unique", 4, "episode_ref"), ("not_unique", 5, "episode_ref")]
    assert "row 2" in problems[0].message and problems[0].value == "E1"


def test_episode_ref_need_only_be_unique_within_provider() -> None:
    rows = episode_rows()
    rows[2]["episode_ref"] = "E1"
    rows[2]["provider_code"] = "P002"
    # Another provider's E1 is a different episode (no file context: no mismatch rule).
    assert check_rows("episodes", rows) == []


def test_ids_unique_in_other_datasets() -> None:
    rows = drug_test_rows()
    rows[1]["test_id"] = "T1"
    assert triples(check_rows("drug_tests", rows)) == [("not_unique", 3, "test_id")]
    rows = nominal_rows()
    rows[1]["pnc_id"] = "06/123456A"
    assert triples(check_rows("nominals", rows)) == [("not_unique", 3, "pnc_id")]


def test_initials_may_be_missing_but_not_given_without_consent() -> None:
    rows = episode_rows()
    rows[0]["first_initial"] = ""  # consent = y: allowed (docs/data-spec-rules.md)
    rows[1]["last_initial"] = "K"  # consent = n: must stay empty
    assert triples(check_rows("episodes", rows)) == [
        ("non_consent_field_filled", 3, "last_initial")
    ]
