"""Treatment submissions: episode rules, the submission period and the files together.

The hand-made submission is treatment_P001_2021-06.zip: financial year from
2021-04-01, month ending 2021-06-30. Rows: header is line 1, E1 line 2, E2
(no consent) line 3, E3 (open since December 2020) line 4.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from specfiles import episode_rows, intervention_rows, top_rows, treatment_zip, triples

from recoverylink.spec import ValidationContext, outcome_class, validate_treatment_zip

EPISODES = "treatment_P001_2021-06.zip/episodes.csv"
INTERVENTIONS = "treatment_P001_2021-06.zip/interventions.csv"
TOP = "treatment_P001_2021-06.zip/top.csv"


def located(problems: list) -> list[tuple[str, str, int | None, str | None]]:
    return [(p.file, *t) for p, t in zip(problems, triples(problems), strict=True)]


def test_valid_submission_has_no_problems(tmp_path: Path) -> None:
    assert validate_treatment_zip(treatment_zip(tmp_path)) == []
    context = ValidationContext(provider_codes=frozenset({"P001", "P002"}))
    assert validate_treatment_zip(treatment_zip(tmp_path), context) == []


def episodes_with(tmp_path: Path, row: int, **changes: str) -> list:
    rows = episode_rows()
    rows[row].update(changes)
    return located(validate_treatment_zip(treatment_zip(tmp_path, episodes=rows)))


def test_non_consenting_episode_fills_only_the_allowed_columns(tmp_path: Path) -> None:
    got = episodes_with(tmp_path, 1, sex="male", substance_2="heroin", local_authority="E08000035")
    assert got == [
        (EPISODES, "non_consent_field_filled", 3, "sex"),
        (EPISODES, "non_consent_field_filled", 3, "local_authority"),
        (EPISODES, "non_consent_field_filled", 3, "substance_2"),
    ]


def test_non_consenting_episode_may_be_discharged(tmp_path: Path) -> None:
    assert (
        episodes_with(tmp_path, 1, discharge_date="2021-06-01", discharge_reason="moved_away") == []
    )


@pytest.mark.parametrize(
    ("dob", "rule"),
    [
        ("2003-04-06", None),  # 18th birthday on the referral date 2021-04-06
        ("2003-04-07", "age_out_of_range"),  # 17 at referral
        ("1920-04-07", None),  # 100, turning 101 the next day
        ("1920-04-06", "age_out_of_range"),  # 101 on the referral date
        ("2021-04-06", "dob_not_before_referral"),
        ("2021-05-01", "dob_not_before_referral"),
    ],
)
def test_age_at_referral(tmp_path: Path, dob: str, rule: str | None) -> None:
    expected = [] if rule is None else [(EPISODES, rule, 2, "date_of_birth")]
    assert episodes_with(tmp_path, 0, date_of_birth=dob) == expected


def test_triage_before_referral(tmp_path: Path) -> None:
    got = episodes_with(tmp_path, 2, triage_date="2020-11-30")
    assert got == [(EPISODES, "triage_before_referral", 4, "triage_date")]


def test_discharge_before_triage(tmp_path: Path) -> None:
    # E1 triage 2021-04-13, now discharged the day before; its intervention ended and
    # both its TOP reviews fall after the new discharge date.
    rows = episode_rows()
    rows[0]["discharge_date"] = "2021-04-12"
    got = located(validate_treatment_zip(treatment_zip(tmp_path, episodes=rows)))
    assert got == [
        (EPISODES, "discharge_before_triage", 2, "discharge_date"),
        (INTERVENTIONS, "intervention_after_discharge", 2, "end_date"),
        (TOP, "top_outside_episode", 2, "top_date"),
        (TOP, "top_outside_episode", 3, "top_date"),
    ]


def test_discharge_after_the_submission_month(tmp_path: Path) -> None:
    got = episodes_with(tmp_path, 2, discharge_date="2021-07-01", discharge_reason="dropped_out")
    assert got == [(EPISODES, "discharge_after_submission_month", 4, "discharge_date")]


def test_episode_closed_before_the_financial_year_does_not_belong(tmp_path: Path) -> None:
    got = episodes_with(tmp_path, 2, discharge_date="2021-03-31", discharge_reason="dropped_out")
    assert got == [(EPISODES, "discharge_before_financial_year", 4, "discharge_date")]
    assert (
        episodes_with(tmp_path, 2, discharge_date="2021-04-01", discharge_reason="dropped_out")
        == []
    )


def test_dates_after_the_submission_month(tmp_path: Path) -> None:
    got = episodes_with(tmp_path, 1, referral_date="2021-07-01", triage_date="2021-07-02")
    assert got == [
        (EPISODES, "after_submission_month", 3, "referral_date"),
        (EPISODES, "after_submission_month", 3, "triage_date"),
        # E2's intervention I3 started 2021-05-10, now before the episode's triage
        (INTERVENTIONS, "intervention_before_triage", 4, "start_date"),
    ]


def test_discharge_reason_goes_with_discharge_date(tmp_path: Path) -> None:
    assert episodes_with(tmp_path, 0, discharge_reason="") == [
        (EPISODES, "discharge_reason_required", 2, "discharge_reason")
    ]
    assert episodes_with(tmp_path, 2, discharge_reason="dropped_out") == [
        (EPISODES, "discharge_reason_without_date", 4, "discharge_reason")
    ]


def test_substances_are_not_repeated(tmp_path: Path) -> None:
    assert episodes_with(tmp_path, 0, substance_2="heroin") == [
        (EPISODES, "substance_repeated", 2, "substance_2")
    ]
    assert episodes_with(tmp_path, 2, substance_3="cannabis") == [
        (EPISODES, "substance_repeated", 4, "substance_3")
    ]


def test_occasional_user_is_accepted_for_heroin_users_but_not_a_success(tmp_path: Path) -> None:
    assert episodes_with(tmp_path, 0, discharge_reason="completed_occasional_user") == []
    frame = pd.DataFrame(episode_rows())
    frame.loc[0, "discharge_reason"] = "completed_occasional_user"  # heroin and crack user
    frame.loc[1, "discharge_reason"] = "completed_occasional_user"  # no substance recorded
    frame.loc[2, "discharge_reason"] = "transferred_in_custody"
    assert list(outcome_class(frame)) == ["other", "successful", "transfer"]
    frame.loc[:, "discharge_reason"] = ["dropped_out", "died", ""]
    assert list(outcome_class(frame)) == ["unsuccessful", "other", ""]


def test_provider_code_must_match_the_file_name(tmp_path: Path) -> None:
    rows = episode_rows()
    rows[2]["provider_code"] = "P002"
    top = top_rows()
    top[2]["provider_code"] = "P002"
    got = located(validate_treatment_zip(treatment_zip(tmp_path, episodes=rows, top=top)))
    # E3's intervention (still P001/E3) no longer finds its episode.
    assert got == [
        (EPISODES, "provider_code_mismatch", 4, "provider_code"),
        (INTERVENTIONS, "orphan_intervention", 3, "episode_ref"),
        (TOP, "provider_code_mismatch", 4, "provider_code"),
    ]


def test_unknown_provider(tmp_path: Path) -> None:
    context = ValidationContext(provider_codes=frozenset({"P009"}))
    rows = episode_rows()
    rows[2]["provider_code"] = "P002"
    problems = validate_treatment_zip(treatment_zip(tmp_path, episodes=rows), context)
    assert located(problems)[:1] == [("treatment_P001_2021-06.zip", "unknown_provider", None, None)]
    assert problems[0].value == "P001"
    assert (EPISODES, "unknown_provider", 4, "provider_code") in located(problems)


def test_interventions_inside_their_episode(tmp_path: Path) -> None:
    rows = intervention_rows()
    rows[0].update(start_date="2021-04-12", referred_date="2021-04-12")  # triage is 04-13
    rows[1].update(end_date="2020-12-31", exit_status="planned")  # starts 2021-01-04
    rows[2].update(episode_ref="E9")
    got = located(validate_treatment_zip(treatment_zip(tmp_path, interventions=rows)))
    assert got == [
        (INTERVENTIONS, "intervention_before_triage", 2, "start_date"),
        (INTERVENTIONS, "end_before_start", 3, "end_date"),
        (INTERVENTIONS, "orphan_intervention", 4, "episode_ref"),
    ]


def test_intervention_dates(tmp_path: Path) -> None:
    rows = intervention_rows()
    rows[0].update(referred_date="2021-04-21")  # after its start 2021-04-20
    rows[1].update(exit_status="planned")  # no end_date
    rows[2].update(exit_status="")  # ended 2021-05-31
    got = located(validate_treatment_zip(treatment_zip(tmp_path, interventions=rows)))
    assert got == [
        (INTERVENTIONS, "start_before_referred", 2, "start_date"),
        (INTERVENTIONS, "exit_status_without_end", 3, "exit_status"),
        (INTERVENTIONS, "exit_status_required", 4, "exit_status"),
    ]


def test_intervention_after_discharge(tmp_path: Path) -> None:
    rows = intervention_rows()
    # E1 discharged 2021-06-30: an open intervention starting after it
    rows.append(dict(rows[0], intervention_ref="I4", referred_date="2021-06-30",
                     start_date="2021-06-30", end_date="", exit_status=""))  # fmt: skip
    rows.append(dict(rows[0], intervention_ref="I5", start_date="2021-06-30", end_date=""))
    rows[4]["exit_status"] = ""
    assert located(validate_treatment_zip(treatment_zip(tmp_path, interventions=rows))) == []
    rows[3]["start_date"] = "2021-07-01"
    rows[3]["referred_date"] = "2021-07-01"
    got = located(validate_treatment_zip(treatment_zip(tmp_path, interventions=rows)))
    assert (INTERVENTIONS, "intervention_after_discharge", 5, "start_date") in got


def test_top_reviews_inside_their_episode(tmp_path: Path) -> None:
    rows = top_rows()
    rows[0]["top_date"] = "2021-04-12"  # E1 triage 2021-04-13
    rows[2]["episode_ref"] = "E7"
    got = located(validate_treatment_zip(treatment_zip(tmp_path, top=rows)))
    assert got == [
        (TOP, "top_outside_episode", 2, "top_date"),
        (TOP, "orphan_top", 4, "episode_ref"),
    ]


def test_every_problem_in_a_broken_submission_is_reported(tmp_path: Path) -> None:
    episodes = episode_rows()
    episodes[0].update(sex="M", triage_date="2021-04-01")  # before referral 2021-04-06
    episodes[2].update(ethnicity="", discharge_date="2021-13-01")
    interventions = intervention_rows()
    interventions[1]["setting"] = "home"
    top = top_rows()
    top[1].update(days_crack="30", assault="maybe")
    top[2]["psychological_health"] = ""
    got = located(validate_treatment_zip(treatment_zip(tmp_path, episodes, interventions, top)))
    assert got == [
        (EPISODES, "bad_code", 2, "sex"),
        (EPISODES, "triage_before_referral", 2, "triage_date"),
        (EPISODES, "required", 4, "ethnicity"),
        (EPISODES, "bad_date", 4, "discharge_date"),
        (EPISODES, "discharge_reason_required", 4, "discharge_reason"),
        (INTERVENTIONS, "bad_code", 3, "setting"),
        (TOP, "out_of_range", 3, "days_crack"),
        (TOP, "bad_code", 3, "assault"),
        (TOP, "required", 4, "psychological_health"),
    ]


def test_header_only_episodes_make_every_intervention_and_review_an_orphan(
    tmp_path: Path,
) -> None:
    """episodes.csv with only its header: each of the 3 interventions (lines 2-4) and the
    3 TOP reviews (lines 2-4) refers to an episode that is not there."""
    got = located(validate_treatment_zip(treatment_zip(tmp_path, episodes=[])))
    assert got == [
        *[(INTERVENTIONS, "orphan_intervention", line, "episode_ref") for line in (2, 3, 4)],
        *[(TOP, "orphan_top", line, "episode_ref") for line in (2, 3, 4)],
    ]
