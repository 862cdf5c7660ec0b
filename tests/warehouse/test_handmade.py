"""The mart and the indicator counts on the hand-made episodes of handmade_episodes.py.

Every expected value here was worked out by hand from the table in that
module's docstring; the comments show the working.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from handmade_episodes import LA_A, LA_B, REGION_A, SETTINGS, build_stores, person_id

from recoverylink.indicators import counts as C
from recoverylink.warehouse.build import BuildError, BuildOptions, build

ENGLAND = "E92000001"


@dataclass(frozen=True)
class Built:
    data_dir: Path
    con: duckdb.DuckDBPyConnection
    counts: pd.DataFrame


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    data_dir = tmp_path_factory.mktemp("handmade")
    build_stores(data_dir)
    build(BuildOptions(data_dir, SETTINGS))
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    span = C.data_span(con, "mart")
    C.prepare(con, "mart", C.CountsInput(*span))
    yield Built(data_dir, con, C.counts(con))
    con.close()


def _journeys(built: Built) -> dict[str, tuple[object, ...]]:
    rows = built.con.execute(
        "SELECT journey_id, start_date, end_date, exit_class, local_authority, "
        "substance_group, represented_6m FROM mart.journeys"
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def d(text: str) -> date:
    return date.fromisoformat(text)


def test_episodes_are_kept_once_in_their_newest_version(built: Built) -> None:
    # 27 rows submitted, M1 twice: 26 episodes; M1's is the 2011-03 version,
    # discharged 2010-06-30.
    rows = built.con.execute(
        "SELECT count(*), count(DISTINCT episode_id) FROM mart.episodes"
    ).fetchall()
    assert rows == [(26, 26)]
    m1 = built.con.execute(
        "SELECT discharge_date, discharge_reason, last_submitted FROM mart.episodes "
        "WHERE episode_id = 'P1|M1'"
    ).fetchall()
    assert m1 == [(d("2010-06-30"), "completed_drug_free", "2011-03")]


def test_journeys_join_within_21_days_and_overlaps_across_providers(built: Built) -> None:
    journeys = _journeys(built)
    assert len(journeys) == 24
    # A1 ends 2009-08-31 at P1, A2 starts 21 days later at P2: one journey,
    # ending when A2 ends, in A2's area (B).
    assert journeys["person-A#1"][:4] == (d("2009-05-01"), d("2010-01-15"), "successful", LA_B)
    assert "person-A#2" not in journeys
    # B2 starts 22 days after B1 ends: a second journey.
    assert journeys["person-B#1"][:3] == (d("2009-04-10"), d("2009-06-30"), "unsuccessful")
    assert journeys["person-B#2"][:3] == (d("2009-07-22"), None, None)
    # C2 (P2) lies inside C1 (P1): one journey; C1 ends last, so its exit and area.
    assert journeys["person-C#1"][:4] == (d("2009-06-01"), d("2009-12-31"), "successful", LA_A)


def test_exit_classes(built: Built) -> None:
    journeys = _journeys(built)
    exits = {key: value[2] for key, value in journeys.items()}
    assert exits["person-O#1"] == "other"  # moved_away
    assert exits["person-L#1"] == "other"  # died
    assert exits["person-P#1"] == "transfer"  # transferred, no episode after
    assert exits["person-Q#1"] == "successful"  # completed_occasional_user (cannabis)
    assert exits["person-R#1"] == "unsuccessful"  # withdrawn_by_provider
    assert exits["person-J#1"] == "unsuccessful"  # dropped_out
    assert exits["person-K#1"] is None  # still open
    assert exits["person-T#1"] == "other"  # completed_occasional_user, but heroin
    assert sorted(exits.values(), key=str).count("successful") == 10
    # A C D E F G I M N Q: ten successful journeys


def test_representation_at_six_months_minus_and_plus_one_day(built: Built) -> None:
    journeys = _journeys(built)
    # D1 completed 2009-07-31; D2 triaged 2010-01-30 = D + 6 months - 1 day: re-presented
    assert journeys["person-D#1"][5] is True
    # E1 completed 2009-08-15; E2 triaged 2010-02-16 = D + 6 months + 1 day: not
    assert journeys["person-E#1"][5] is False
    # F1 completed 2009-09-10; F2 triaged 2010-03-10 = D + 6 months: T < D + 6 months fails
    assert journeys["person-F#1"][5] is False
    # N1 completed 2009-12-01; N2 triaged 30 days later: re-presented
    assert journeys["person-N#1"][5] is True
    # unsuccessful exits are not asked the question
    assert journeys["person-B#1"][5] is None


def test_substance_groups(built: Built) -> None:
    journeys = _journeys(built)
    groups = {key: value[4] for key, value in journeys.items()}
    assert groups["person-A#1"] == "opiate"  # heroin
    assert groups["person-F#1"] == "opiate"  # heroin + methadone
    assert groups["person-K#1"] == "opiate"  # heroin + crack
    assert groups["person-C#1"] == "non_opiate_and_alcohol"  # alcohol (C1) + crack (C2)
    assert groups["person-B#2"] == "non_opiate_and_alcohol"  # cannabis + alcohol
    assert groups["person-D#1"] == "non_opiate"  # amphetamine
    assert groups["person-E#1"] == "non_opiate"  # cocaine
    assert groups["person-R#1"] == "alcohol"
    assert groups[f"{person_id('G')}#1"] is None  # no consent: no substance recorded


def test_deaths_in_treatment(built: Built) -> None:
    died = dict(
        built.con.execute(
            "SELECT journey_id, died_in_treatment_date FROM mart.journeys "
            "WHERE died_in_treatment_date IS NOT NULL"
        ).fetchall()
    )
    # K's linked death (2010-09-10) falls in her open journey; L left for the
    # reason died on 2010-10-01 with no registration linked.
    assert died == {"person-K#1": d("2010-09-10"), "person-L#1": d("2010-10-01")}


def test_persons(built: Built) -> None:
    rows = {
        row[0]: row[1:]
        for row in built.con.execute(
            "SELECT person_id, sex, age_at_first_triage, age_band, first_local_authority, "
            "substance_group, journeys, disposals, drug_tests, date_of_death FROM mart.persons"
        ).fetchall()
    }
    assert len(rows) == 20  # A to R, T, and S (a death only)
    # K: female in treatment and at death, male on a drug test -> female
    assert rows["person-K"][:5] == ("female", 38, "35-39", LA_A, "opiate")
    # K's disposals: D1 (in two extracts, once) and D2
    assert rows["person-K"][6:9] == (2, 1, d("2010-09-10"))
    assert rows["person-A"][:4] == ("male", 30, "30-34", LA_A)  # first episode A1 at P1
    assert rows["person-H"][2] == "65+"
    assert rows["person-B"][:3] == ("female", 22, "18-24")
    assert rows[person_id("G")][0] is None
    assert rows["person-S"][0] == "male"
    assert rows["person-S"][5] == 0  # no journeys


def test_offences_by_group_and_trigger_flag(built: Built) -> None:
    rows = built.con.execute(
        "SELECT disposal_id, person_id, disposal_type, offence_group, trigger_offence "
        "FROM mart.offences ORDER BY disposal_id"
    ).fetchall()
    assert rows == [
        ("D1", "person-K", "conviction", "burglary", True),
        ("D2", "person-K", "caution", "other", False),
    ]


def test_waits_take_each_journeys_first_intervention(built: Built) -> None:
    rows = {
        row[0]: row[1:]
        for row in built.con.execute(
            "SELECT journey_id, wait_days, under_3_weeks FROM mart.journey_waits"
        ).fetchall()
    }
    assert rows["person-A#1"] == (20, True)  # X1: 2009-05-01 -> 05-21
    assert rows["person-B#2"] == (21, False)  # 21 days is not under 3 weeks
    assert rows["person-J#1"] == (30, False)
    assert len(rows) == 5  # A, B#2, I, J, H


def _value(
    built: Built, indicator: str, period: str, area: str = ENGLAND, group: str = "all"
) -> tuple[int, float]:
    rows = built.counts[
        (built.counts["indicator_id"] == indicator)
        & (built.counts["period"] == period)
        & (built.counts["area_code"] == area)
        & (built.counts["substance_group"] == group)
    ]
    assert len(rows) == 1, (indicator, period, area, group, len(rows))
    return int(rows["numerator"].iloc[0]), float(rows["denominator"].iloc[0])


def test_periods(built: Built) -> None:
    periods = built.counts[["period_type", "period"]].drop_duplicates()
    assert sorted(periods[periods["period_type"] == "financial_year"]["period"]) == [
        "2009-10", "2010-11",
    ]
    rolling = sorted(periods[periods["period_type"] == "rolling_12_months"]["period"])
    assert len(rolling) == 13
    assert rolling[0] == "12 months to 2010-03" and rolling[-1] == "12 months to 2011-03"


# England, 2009-10 (2009-04-01 to 2010-03-31). In treatment: A B C D E F G K M
# N O P R = 13 (H I J L Q start later; S never). New journeys: all but R (started
# 2008-11) = 12. Successful exits: A C D#1 E#1 F#1 G N#1 = 7, of whom D and N
# re-presented: 5 did not. Twelve weeks: P started 2010-01-10, 80 days before the
# year's end and still open: unknown; the other 12 were retained 84 days on
# some journey (B#1 only 81, but B#2 252): 12 of 12. First interventions: A's
# 20 days (under), B#2's 21 (not): 1 of 2. No deaths.
# 2010-11: in treatment B E F H I J K L M N P Q = 12; new journeys H I J L Q = 5;
# successful exits I M Q = 3; twelve weeks: H unknown (58 days, open), J left
# after 44 days unsuccessfully: 10 of 11; waits I 9, J 30, H 2 days: 2 of 3;
# deaths K (2010-09-10) and L (2010-10-01): 2 of 12. Re-presentation needs 6
# months after the year's end, past the data (2011-03-31): not counted.
ENGLAND_EXPECTED = {
    ("in_treatment", "2009-10"): (13, 300_000.0),
    ("new_presentations", "2009-10"): (12, 300_000.0),
    ("successful_completions", "2009-10"): (7, 13.0),
    ("successful_completions_not_representing", "2009-10"): (5, 13.0),
    ("representations", "2009-10"): (2, 7.0),
    ("effective_treatment", "2009-10"): (12, 12.0),
    ("waiting_under_3_weeks", "2009-10"): (1, 2.0),
    ("deaths_in_treatment", "2009-10"): (0, 13.0),
    ("in_treatment", "2010-11"): (12, 300_000.0),
    ("new_presentations", "2010-11"): (5, 300_000.0),
    ("successful_completions", "2010-11"): (3, 12.0),
    ("effective_treatment", "2010-11"): (10, 11.0),
    ("waiting_under_3_weeks", "2010-11"): (2, 3.0),
    ("deaths_in_treatment", "2010-11"): (2, 12.0),
}


@pytest.mark.parametrize(("indicator", "period"), sorted(ENGLAND_EXPECTED))
def test_england_numerators_and_denominators(built: Built, indicator: str, period: str) -> None:
    assert _value(built, indicator, period) == ENGLAND_EXPECTED[(indicator, period)]


def test_representation_indicators_wait_for_complete_follow_up(built: Built) -> None:
    for indicator in ("successful_completions_not_representing", "representations"):
        periods = set(built.counts[built.counts["indicator_id"] == indicator]["period"])
        assert "2009-10" in periods and "2010-11" not in periods
        # 12 months ending 2010-09 + 6 months = 2011-03-30: in; ending 2010-10: out
        assert "12 months to 2010-09" in periods and "12 months to 2010-10" not in periods


def test_rolling_year_to_june_2010(built: Built) -> None:
    # 2009-07-01 to 2010-06-30: A B C D E F G I J K L M N O P = 15 in treatment
    # (R ended 2009-05-20; H, Q start later). Successful exits: A C D#1 E#1 F#1 G
    # I M N#1 = 9; D and N re-presented: 7 did not.
    assert _value(built, "in_treatment", "12 months to 2010-06") == (15, 300_000.0)
    assert _value(built, "successful_completions", "12 months to 2010-06") == (9, 15.0)
    to_june = "12 months to 2010-06"
    assert _value(built, "successful_completions_not_representing", to_june) == (7, 15.0)
    assert _value(built, "representations", "12 months to 2010-06") == (2, 9.0)


def test_areas_count_each_person_where_their_latest_journey_is(built: Built) -> None:
    # 2009-10, area A: B C D E G K M O = 8 (A's journey ended in area B);
    # area B: A F N P R = 5. Successful: area A C D E G = 4; area B A F N = 3.
    assert _value(built, "successful_completions", "2009-10", LA_A) == (4, 8.0)
    assert _value(built, "successful_completions", "2009-10", LA_B) == (3, 5.0)
    assert _value(built, "successful_completions", "2009-10", REGION_A) == (4, 8.0)
    assert _value(built, "in_treatment", "2009-10", LA_B) == (5, 200_000.0)
    # waits: A's journey (area B) under 3 weeks, B#2 (area A) not
    assert _value(built, "waiting_under_3_weeks", "2009-10", LA_A) == (0, 1.0)
    assert _value(built, "waiting_under_3_weeks", "2009-10", LA_B) == (1, 1.0)
    row = built.counts[
        (built.counts["area_code"] == LA_A) & (built.counts["indicator_id"] == "in_treatment")
    ].iloc[0]
    assert (row["level"], row["area_name"], row["region_code"]) == (
        "local_authority", "Area A", REGION_A,
    )


def test_substance_group_breakdown(built: Built) -> None:
    # 2009-10 by each person's latest journey: opiate A F K M N P = 6 (completed A F
    # N; N re-presented); non-opiate D E (both completed, D re-presented);
    # non-opiate and alcohol B C (C completed); alcohol O R (none). G has no group.
    assert _value(built, "successful_completions", "2009-10", group="opiate") == (3, 6.0)
    assert _value(
        built, "successful_completions_not_representing", "2009-10", group="opiate"
    ) == (2, 6.0)
    assert _value(built, "representations", "2009-10", group="opiate") == (1, 3.0)
    assert _value(built, "successful_completions", "2009-10", group="non_opiate") == (2, 2.0)
    assert _value(
        built, "successful_completions_not_representing", "2009-10", group="non_opiate"
    ) == (1, 2.0)
    assert _value(
        built, "successful_completions", "2009-10", group="non_opiate_and_alcohol"
    ) == (1, 2.0)
    assert _value(built, "successful_completions", "2009-10", group="alcohol") == (0, 2.0)


def test_case_mix_persons_of_a_year(built: Built) -> None:
    persons = C.case_mix_persons(built.con)["2010-11"]
    # the 12 people in treatment in 2010-11; I, M and Q completed
    assert len(persons) == 12
    completed = set(persons.loc[persons["completed"] == 1, "person_id"])
    assert completed == {"person-I", "person-M", "person-Q"}


def test_build_refuses_records_loaded_since_the_last_linkage(tmp_path: Path) -> None:
    build_stores(tmp_path)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute(
            "DELETE FROM link.person_map WHERE record_id = "
            "(SELECT record_id FROM raw.treatment_episodes WHERE episode_ref = 'A1')"
        )
    with pytest.raises(BuildError, match="1 treatment"):
        build(BuildOptions(tmp_path, SETTINGS))
