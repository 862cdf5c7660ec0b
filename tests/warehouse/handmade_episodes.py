"""Two dozen hand-made treatment episodes, and the answers worked out by hand.

The stores are filled directly (no zip, no linkage): who is who is written in
``link.person_map`` as the linkage would, so the tests check the mart and the
indicator SQL alone. Two providers: P1 in local authority A (Hartlepool,
North East), P2 in B (Camden, London). Resident populations 100,000 (A) and
200,000 (B); England is the two. Submissions cover April 2009 to March 2011,
so the data end on 2011-03-31 and the financial years are 2009-10 and
2010-11.

The journeys each person's episodes make (gap = days from the latest
discharge so far to the next triage; joined when <= 21 or overlapping):

    A  A1 P1 2009-05-01..2009-08-31 transferred_not_in_custody
       A2 P2 2009-09-21..2010-01-15 completed_drug_free
          -> A#1 2009-05-01..2010-01-15 successful (gap 21 days: joined; area B, A2's)
    B  B1 P1 2009-04-10..2009-06-30 dropped_out    -> B#1 unsuccessful
       B2 P1 2009-07-22..open (cannabis + alcohol) -> B#2 (gap 22 days: a new journey)
    C  C1 P1 2009-06-01..2009-12-31 completed_alcohol_free
       C2 P2 2009-10-01..2009-11-30 transferred_in_custody
          -> C#1 2009-06-01..2009-12-31 successful (overlap; alcohol + crack:
             non_opiate_and_alcohol; area A, C1's)
    D  D1 P1 2009-04-15..2009-07-31 completed_drug_free -> D#1 successful
       D2 P1 2010-01-30..2010-03-15 dropped_out         -> D#2
          D2's triage = D + 6 months - 1 day: D#1 re-presented
    E  E1 P1 2009-04-20..2009-08-15 completed_drug_free -> E#1 successful
       E2 P1 2010-02-16..open                           -> E#2
          E2's triage = D + 6 months + 1 day: E#1 did not re-present
    F  F1 P2 2009-05-10..2009-09-10 completed_drug_free -> F#1 successful
       F2 P2 2010-03-10..open                           -> F#2
          F2's triage = D + 6 months exactly: F#1 did not re-present
    G  G1 P1 2009-11-01..2010-02-01 completed_drug_free, consent n: its own person, no substance
    H  H1 P2 2011-02-01..open (alcohol)    started in the last 84 days of 2010-11: 12 weeks unknown
    I  I1 P2 2010-05-01..2010-06-15 completed_drug_free   45 days: effective (completed early)
    J  J1 P2 2010-06-01..2010-07-15 dropped_out           44 days: not effective
    K  K1 P1 2009-06-01..open; a linked death on 2010-09-10: died in treatment in 2010-11
    L  L1 P2 2010-04-01..2010-10-01 died (no death registration linked): died in treatment 2010-11
    M  M1 P1 2009-09-01..: open in the 2010-03 submission, discharged 2010-06-30
          completed_drug_free in the 2011-03 one (the newer version is kept)
    N  N1 P2 2009-04-01..2009-12-01 completed_drug_free       N#1 successful; next triage 2009-12-31
       N2 P2 2009-12-31..open                                    (30 days later): re-presented
    O  O1 P1 2009-08-01..2010-02-28 moved_away                -> other
    P  P1 P2 2010-01-10..2010-05-01 transferred_not_in_custody -> transfer (no next episode)
    Q  Q1 P1 2010-07-01..2010-12-01 completed_occasional_user (cannabis) -> successful
    R  R1 P2 2008-11-01..2009-05-20 withdrawn_by_provider (alcohol) -> unsuccessful
    T  T1 P1 2008-06-01..2009-01-31 completed_occasional_user (heroin) -> other: not a
          success for a heroin user; it ended before the data's first year, so it is
          in no period's counts

26 episodes (M twice: 27 rows), 24 journeys, 18 people in treatment in the two
years; with T and S (a death, never in treatment) 20 persons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from recoverylink.config import DuckDBConfig
from recoverylink.ingest.stores import Stores
from recoverylink.linkage.sqlfiles import sql_block

SETTINGS = DuckDBConfig(memory_limit="1GB", threads=1)
LA_A, LA_B = "E06000001", "E09000007"
REGION_A, REGION_B = "E12000001", "E12000007"
DATA_END = date(2011, 3, 31)

# load_id: kind, period, provider
LOADS = {
    1: ("treatment", "2010-03", "P1"),
    2: ("treatment", "2010-03", "P2"),
    3: ("treatment", "2011-03", "P1"),
    4: ("treatment", "2011-03", "P2"),
    5: ("pnc", "2010-06-30", None),
    6: ("pnc", "2011-03-31", None),
    7: ("drug_tests", "2010-09", None),
    8: ("deaths", "2010", None),
}


@dataclass(frozen=True)
class Ep:
    ref: str
    person: str
    provider: str
    triage: str
    discharge: str | None
    reason: str | None
    substances: str | None  # "heroin+crack"
    load: int
    sex: str | None = "male"
    age: int = 30
    consent: str = "y"


EPISODES = (
    Ep("A1", "A", "P1", "2009-05-01", "2009-08-31", "transferred_not_in_custody", "heroin", 1,
       age=30),
    Ep("A2", "A", "P2", "2009-09-21", "2010-01-15", "completed_drug_free", "heroin", 2, age=31),
    Ep("B1", "B", "P1", "2009-04-10", "2009-06-30", "dropped_out", "cannabis", 1,
       sex="female", age=22),
    Ep("B2", "B", "P1", "2009-07-22", None, None, "cannabis+alcohol", 3, sex="female", age=22),
    Ep("C1", "C", "P1", "2009-06-01", "2009-12-31", "completed_alcohol_free", "alcohol", 1,
       age=45),
    Ep("C2", "C", "P2", "2009-10-01", "2009-11-30", "transferred_in_custody", "crack", 2, age=45),
    Ep("D1", "D", "P1", "2009-04-15", "2009-07-31", "completed_drug_free", "amphetamine", 1),
    Ep("D2", "D", "P1", "2010-01-30", "2010-03-15", "dropped_out", "amphetamine", 1),
    Ep("E1", "E", "P1", "2009-04-20", "2009-08-15", "completed_drug_free", "cocaine", 1),
    Ep("E2", "E", "P1", "2010-02-16", None, None, "cocaine", 3),
    Ep("F1", "F", "P2", "2009-05-10", "2009-09-10", "completed_drug_free", "heroin+methadone", 2),
    Ep("F2", "F", "P2", "2010-03-10", None, None, "heroin", 4),
    Ep("G1", "G", "P1", "2009-11-01", "2010-02-01", "completed_drug_free", None, 1,
       sex=None, consent="n"),
    Ep("H1", "H", "P2", "2011-02-01", None, None, "alcohol", 4, age=66),
    Ep("I1", "I", "P2", "2010-05-01", "2010-06-15", "completed_drug_free", "cannabis", 4),
    Ep("J1", "J", "P2", "2010-06-01", "2010-07-15", "dropped_out", "heroin", 4),
    Ep("K1", "K", "P1", "2009-06-01", None, None, "heroin+crack", 3, sex="female", age=38),
    Ep("L1", "L", "P2", "2010-04-01", "2010-10-01", "died", "alcohol", 4),
    Ep("M1", "M", "P1", "2009-09-01", None, None, "heroin", 1),
    Ep("M1", "M", "P1", "2009-09-01", "2010-06-30", "completed_drug_free", "heroin", 3),
    Ep("N1", "N", "P2", "2009-04-01", "2009-12-01", "completed_drug_free", "heroin", 2),
    Ep("N2", "N", "P2", "2009-12-31", None, None, "heroin", 4),
    Ep("O1", "O", "P1", "2009-08-01", "2010-02-28", "moved_away", "alcohol", 1),
    Ep("P1", "P", "P2", "2010-01-10", "2010-05-01", "transferred_not_in_custody", "heroin", 4),
    Ep("Q1", "Q", "P1", "2010-07-01", "2010-12-01", "completed_occasional_user", "cannabis", 3),
    Ep("R1", "R", "P2", "2008-11-01", "2009-05-20", "withdrawn_by_provider", "alcohol", 2),
    Ep("T1", "T", "P1", "2008-06-01", "2009-01-31", "completed_occasional_user", "heroin", 1),
)

# (provider, intervention, episode, referred, start): the first of each journey
# decides its wait. A: 20 days (under 3 weeks); A2's later one is not first;
# B2: 21 days (not under); I: 9 days; J: 30 days; H: 2 days.
INTERVENTIONS = (
    ("P1", "X1", "A1", "2009-05-01", "2009-05-21", 1),
    ("P2", "X2", "A2", "2009-09-21", "2009-10-30", 2),
    ("P1", "X3", "B2", "2009-07-22", "2009-08-12", 3),
    ("P2", "X4", "I1", "2010-05-01", "2010-05-10", 4),
    ("P2", "X5", "J1", "2010-06-01", "2010-07-01", 4),
    ("P2", "X6", "H1", "2011-02-01", "2011-02-03", 4),
)

PERSON = {p: f"person-{p}" for p in "ABCDEFGHIJKLMNOPQRT"}


def person_id(letter: str) -> str:
    """The person id the mart gives a letter's person (G did not consent: unlinked)."""
    return "unlinked:P1|G1" if letter == "G" else PERSON[letter]


def build_stores(data_dir: Path) -> None:
    """Create the stores and fill them with the episodes above and a few events."""
    with Stores.open(data_dir, SETTINGS) as stores:
        con = stores.con
        _fill(con)


def _fill(con: duckdb.DuckDBPyConnection) -> None:
    for load_id, (kind, period, provider) in LOADS.items():
        con.execute(
            "INSERT INTO ingest.loads VALUES (?, ?, ?, ?, ?, ?, 'x', 1, 'x', "
            "TIMESTAMP '2011-04-01', 'current', '', NULL, NULL, NULL, NULL, 1, 0)",
            [load_id, f"file{load_id}", kind, f"{kind}/{provider}/{period}", period, provider],
        )
    # the reference tables a reference load would create (only the columns used)
    con.execute(
        "CREATE TABLE ref.local_authorities (la_code VARCHAR, la_name VARCHAR, "
        "region_code VARCHAR, region_name VARCHAR, population_mid2006 BIGINT)"
    )
    con.execute(
        "INSERT INTO ref.local_authorities VALUES "
        f"('{LA_A}', 'Area A', '{REGION_A}', 'North East', 100000), "
        f"('{LA_B}', 'Area B', '{REGION_B}', 'London', 200000)"
    )
    con.execute(
        "CREATE TABLE ref.offence_codes (offence_code VARCHAR, offence_group VARCHAR, "
        "is_trigger_offence VARCHAR)"
    )
    con.execute("INSERT INTO ref.offence_codes VALUES ('28A', 'burglary', 'y')")
    con.execute(
        f"INSERT INTO ref.providers VALUES ('P1', 'Provider one', '{LA_A}', 1), "
        f"('P2', 'Provider two', '{LA_B}', 1)"
    )
    con.execute(sql_block("person_map", "schema"))
    record_id = 100
    for row, ep in enumerate(EPISODES):
        record_id += 1
        subs = (ep.substances.split("+") if ep.substances else []) + [None, None, None]
        la = (LA_A if ep.provider == "P1" else LA_B) if ep.consent == "y" else None
        con.execute(
            "INSERT INTO raw.treatment_episodes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                record_id, ep.load, row + 2, ep.provider, ep.ref, ep.consent, ep.consent == "y",
                la, "white_british" if ep.consent == "y" else None,
                ep.triage, "self" if ep.consent == "y" else None, ep.triage,
                subs[0], subs[1], subs[2],
                *(("never", "settled", "unemployed", "no_children", "n")
                  if ep.consent == "y" else (None,) * 5),
                ep.discharge, ep.reason,
            ],
        )
        if ep.consent == "y":
            con.execute(
                "INSERT INTO link.person_map VALUES (?, 'treatment', ?, 0.99, 'run')",
                [record_id, PERSON[ep.person]],
            )
            con.execute(
                "INSERT INTO link.demographics VALUES (?, 'treatment', ?, ?, 'run')",
                [record_id, ep.sex, ep.age],
            )
    episode_record = {(ep.provider, ep.ref): 101 + i for i, ep in enumerate(EPISODES)}
    for i, (provider, ref, episode, referred, start, load) in enumerate(INTERVENTIONS):
        con.execute(
            "INSERT INTO raw.treatment_interventions VALUES "
            "(?, ?, ?, ?, ?, ?, ?, 'psychosocial', 'community', ?, ?, NULL, NULL)",
            [
                300 + i, load, i + 2,
                episode_record[(provider, episode)],
                provider, episode, ref, referred, start,
            ],
        )
    # K's record in the PNC (nominal 500): a trigger-offence conviction that is
    # in both extracts (kept once) and a caution for a code not in the
    # reference table (offence group 'other').
    con.execute("INSERT INTO raw.pnc_nominals VALUES (500, 5, 2, 'E23000013'), "
                "(501, 6, 2, 'E23000013')")
    con.execute(
        "INSERT INTO raw.pnc_disposals VALUES "
        "(510, 5, 3, 500, 'D1', DATE '2008-01-05', DATE '2008-03-01', 'conviction', '28A'), "
        "(511, 6, 3, 500, 'D1', DATE '2008-01-05', DATE '2008-03-01', 'conviction', '28A'), "
        "(512, 6, 4, 500, 'D2', DATE '2010-12-01', DATE '2011-01-10', 'caution', 'ZZ9')"
    )
    for rid in (500, 501):
        con.execute("INSERT INTO link.person_map VALUES (?, 'pnc', ?, 1.0, 'run')",
                    [rid, PERSON["K"]])
    # K: a drug test recorded as male (K is female in treatment and at death:
    # the modal sex is female) and her death on 2010-09-10. S: a death of
    # someone never in treatment, a person of one record.
    con.execute(
        "INSERT INTO raw.drug_tests VALUES (600, 7, 2, 500, 'T1', 'E23000013', "
        "DATE '2010-09-01', 'positive', 'negative', '28A', 'y')"
    )
    con.execute("INSERT INTO link.person_map VALUES (600, 'drug_tests', ?, 0.95, 'run')",
                [PERSON["K"]])
    con.execute("INSERT INTO link.demographics VALUES (600, 'drug_tests', 'male', 39, 'run')")
    con.execute(
        "INSERT INTO raw.deaths VALUES "
        "(700, 8, 2, 'X1', DATE '2010-09-10', DATE '2010-09-20', 'X42', 'y'), "
        "(701, 8, 3, 'X2', DATE '2010-05-05', DATE '2010-05-09', 'I21', 'n')"
    )
    con.execute("INSERT INTO link.person_map VALUES (700, 'deaths', ?, 0.97, 'run'), "
                "(701, 'deaths', 'person-S', NULL, 'run')", [PERSON["K"]])
    con.execute("INSERT INTO link.demographics VALUES (700, 'deaths', 'female', 39, 'run'), "
                "(701, 'deaths', 'male', 80, 'run')")
