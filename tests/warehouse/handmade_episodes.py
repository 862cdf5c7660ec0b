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

from recoverylink.testing.stores import LA_A, LA_B, REGION_A, REGION_B, SETTINGS, StoreBuilder

__all__ = ["LA_A", "LA_B", "REGION_A", "REGION_B", "SETTINGS", "build_stores", "person_id"]

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
    with StoreBuilder.create(data_dir) as b:
        b.areas()
        for kind, period, provider in LOADS.values():
            b.load(kind, period, provider)
        for ep in EPISODES:
            b.episode(
                PERSON[ep.person], ep.provider, ep.ref, ep.triage, ep.discharge, ep.reason,
                ep.substances, load=ep.load, sex=ep.sex, age=ep.age, consent=ep.consent,
            )
        for provider, ref, episode, referred, start, load in INTERVENTIONS:
            b.intervention(provider, ref, episode, referred, start, load=load)
        # K's record in the PNC, in both extracts: a trigger-offence conviction
        # that is in both (kept once) and a caution for a code not in the
        # reference table (offence group 'other').
        nominal = b.nominal(PERSON["K"], load=5)
        b.nominal(PERSON["K"], load=6)
        for load in (5, 6):
            b.disposal(nominal, "D1", "2008-01-05", "2008-03-01", "28A", load=load)
        b.disposal(nominal, "D2", "2010-12-01", "2011-01-10", "ZZ9", "caution", load=6)
        # K: a drug test recorded as male (K is female in treatment and at death:
        # the modal sex is female) and her death on 2010-09-10. S: a death of
        # someone never in treatment, a person of one record.
        b.drug_test(PERSON["K"], "T1", "2010-09-01", load=7, nominal=nominal, age=39)
        b.death(PERSON["K"], "X1", "2010-09-10", load=8, drug_poisoning=True, sex="female",
                age=39, registered="2010-09-20")
        b.death("person-S", "X2", "2010-05-05", load=8, cause="I21", age=80,
                registered="2010-05-09")
