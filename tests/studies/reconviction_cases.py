"""A hand-made linked dataset for the reconviction study, and its story.

Cohort year 2006-07. Treatment: provider P1, submissions for 2005-03 (so the
data begin on 2004-04-01, the 2 years before 2006-07) and 2010-03 (so the data
end on 2010-03-31); the PNC extract is dated 2010-03-31. Offence codes:
46 theft (trigger), 28A burglary (trigger), 53A fraud_forgery (trigger),
27 soliciting (not a trigger offence, counted), 8A violence (not counted).

Most people start on 2006-06-01, so (offence-date windows)

    early   [2002-06-01, 2004-06-01)
    before  [2004-06-01, 2006-06-01)
    after   [2006-06-01, 2008-06-01)     horizon 2008-06-01, six months 2006-12-01

A conviction's disposal date is its offence date + 1 day unless said.

    who  journey (start..end exit)                   drug      referral        PNC
    A    2006-06-01..open                            heroin    self            link 0.99
         early 1: 2004-05-31 (the day before the before window)
         before 2: 2004-06-01 (= start - 2 years), 2006-05-31 (the day before)
         after 2: 2006-06-01 (= start), 2008-05-31 (the day before the horizon)
         none: 2008-06-01 (= horizon); a caution 2005-01-01 (theft) and a
         violence conviction 2005-02-01 do not count
                                                     -> retained, before 2 after 2
    B    2006-06-01..2008-07-01 completed            cocaine   dip             nominal 1.0
         before: burglary 2005-03-01; after: burglary 2007-01-01, 2007-02-01,
         theft 2007-03-01                            -> retained (ended after the
                                                        horizon), 1 -> 3
    C    2006-06-01..2007-01-15 completed            heroin    self            nominal 1.0
         before: fraud 2005-06-01, 2005-07-01; soliciting 2006-01-01 and
         2006-05-20 (disposal 2006-07-01: before by offence date, after by
         conviction date); after: fraud 2007-02-01, soliciting 2007-06-01
                                                     -> completed, not returned, 4 -> 2
    D    2006-06-01..2006-12-01 completed            crack     self            nominal 1.0
         (ends on start + 6 months exactly: completed after at least 6 months)
         then a new journey 2007-09-01..open (heroin): returned
         early: 2002-06-01 (= start - 4 years: in), 2002-05-31 (out)
         before: theft 2005-01-01, 2005-02-01; after: theft 2007-10-01, 2007-11-01
                                                     -> completed and returned, 2 -> 2
    E    2006-06-01..2006-11-30 completed            cannabis  self            nominal 1.0
         (a day short of 6 months: other); before: theft 2005-04-01
                                                     -> other, 1 -> 0
    F    2006-06-01..2006-08-01 dropped_out          heroin    arrest_referral nominal 1.0
         before: theft 2005-01-10, 2005-02-10; after: theft 2006-09-01,
         2006-10-01, 2006-11-01, 2006-12-01         -> dropped out, 2 -> 4
    G    2006-06-01..2006-09-01 dropped_out          heroin    dip             nominal 1.0
         then back: 2007-03-01..open (a drop-out who returns)
         early: 2003-01-01, 2003-06-01; before: theft 2004-07-01, 2004-08-01,
         2004-09-01; after: theft 2007-04-01, 2007-05-01, 2007-06-01
                                                     -> dropped out (returned), 3 -> 3
    H    2006-06-01..2006-10-01 transferred          amphet.   self            absent
         died 2007-01-01 (a death in the 2 years after)    -> other
    I    2006-06-01..open                            heroin    self            nominal 1.0
         after: theft 2007-05-01 (no conviction before: not an offender)
                                                     -> retained, 0 -> 1
    J    2005-06-01..2005-12-01 dropped_out, then 2006-06-01..open (heroin):
         the previous journey ended on start - 6 months exactly: not new, left out
    K    2005-06-01..2005-11-30 dropped_out, then 2006-06-01..open (heroin):
         ended the day before start - 6 months: new   -> retained, absent
    L    2006-06-01..open alcohol only               -> left out (alcohol_only)
    M    2006-06-01..open no consent                 -> left out (no_consent)
    N    2007-04-01..open heroin: starts after the year, not in it at all
    O    2006-05-01..2006-06-15 alcohol only, then 2007-02-01..open heroin: the
         second is new (2006-06-15 < 2007-02-01 - 6 months = 2006-08-01) and is
         O's start                                    -> retained, absent
    P    2006-06-01..open heroin; PNC linked by an accepted treatment-PNC link
         of 0.85 (own_p 0.85); before: theft 2005-05-01
    R    2006-06-01..open heroin; no PNC; a candidate pair (not accepted) of
         0.75 to police-only person Rpol (before: theft 2005-05-01, after:
         theft 2007-05-01)
    S    2006-06-01..open heroin; no PNC; a candidate of 0.72 to Rpol, weaker
         than R's: not Rpol's strongest, so never attached; doubt 0.72
    T    2006-06-01..2006-10-01 dropped_out, cannabis; no PNC; a candidate of
         0.3 to police-only Tpol (below the doubt floor) -> dropped out, absent
    U    2006-06-01..open heroin; nominal linked with probability 0.95
         (own_p 0.95); before: theft 2005-05-01        -> retained, 1 -> 0

The linkage run's threshold is 0.8 (link.runs). Status by cut (doubt floor 0.5):

    cut    P (0.85)   R (cand 0.75)    S (0.72)   U (0.95)   A (0.99)
    0.7    matched    matched_looser   doubtful   matched    matched
    0.8    matched    doubtful         doubtful   matched    matched
    0.9    doubtful   doubtful         doubtful   matched    matched
    0.99   doubtful   doubtful         doubtful   doubtful   matched
"""

from __future__ import annotations

from pathlib import Path

from recoverylink.testing.stores import SETTINGS, StoreBuilder

__all__ = ["SETTINGS", "build_stores", "person"]

OFFENCE_CODES = (
    ("46", "theft", "y"), ("28A", "burglary", "y"), ("53A", "fraud_forgery", "y"),
    ("27", "soliciting", "n"), ("8A", "violence", "n"),
)

S = "2006-06-01"

# person: [(triage, discharge, reason, substances, referral_source)]
JOURNEYS: dict[str, list[tuple[str, str | None, str | None, str, str]]] = {
    "A": [(S, None, None, "heroin", "self")],
    "B": [(S, "2008-07-01", "completed_drug_free", "cocaine", "dip")],
    "C": [(S, "2007-01-15", "completed_drug_free", "heroin", "self")],
    "D": [(S, "2006-12-01", "completed_drug_free", "crack", "self"),
          ("2007-09-01", None, None, "heroin", "self")],
    "E": [(S, "2006-11-30", "completed_drug_free", "cannabis", "self")],
    "F": [(S, "2006-08-01", "dropped_out", "heroin", "arrest_referral")],
    "G": [(S, "2006-09-01", "dropped_out", "heroin", "dip"),
          ("2007-03-01", None, None, "heroin", "self")],
    "H": [(S, "2006-10-01", "transferred_not_in_custody", "amphetamine", "self")],
    "I": [(S, None, None, "heroin", "self")],
    "J": [("2005-06-01", "2005-12-01", "dropped_out", "heroin", "self"),
          (S, None, None, "heroin", "self")],
    "K": [("2005-06-01", "2005-11-30", "dropped_out", "heroin", "self"),
          (S, None, None, "heroin", "self")],
    "L": [(S, None, None, "alcohol", "self")],
    "N": [("2007-04-01", None, None, "heroin", "self")],
    "O": [("2006-05-01", "2006-06-15", "completed_alcohol_free", "alcohol", "self"),
          ("2007-02-01", None, None, "heroin", "self")],
    "P": [(S, None, None, "heroin", "self")],
    "R": [(S, None, None, "heroin", "self")],
    "S": [(S, None, None, "heroin", "self")],
    "T": [(S, "2006-10-01", "dropped_out", "cannabis", "self")],
    "U": [(S, None, None, "heroin", "self")],
}

# person: (nominal's person_map probability, [(offence date, code, type, disposal date)])
# disposal date None: the offence date + 1 day.
PNC: dict[str, tuple[float | None, list[tuple[str, str, str, str | None]]]] = {
    "A": (1.0, [
        ("2004-05-31", "46", "conviction", None), ("2004-06-01", "46", "conviction", None),
        ("2006-05-31", "46", "conviction", None), ("2006-06-01", "46", "conviction", None),
        ("2008-05-31", "46", "conviction", None), ("2008-06-01", "46", "conviction", None),
        ("2005-01-01", "46", "caution", None), ("2005-02-01", "8A", "conviction", None),
    ]),
    "B": (1.0, [
        ("2005-03-01", "28A", "conviction", None), ("2007-01-01", "28A", "conviction", None),
        ("2007-02-01", "28A", "conviction", None), ("2007-03-01", "46", "conviction", None),
    ]),
    "C": (1.0, [
        ("2005-06-01", "53A", "conviction", None), ("2005-07-01", "53A", "conviction", None),
        ("2006-01-01", "27", "conviction", None),
        ("2006-05-20", "27", "conviction", "2006-07-01"),
        ("2007-02-01", "53A", "conviction", None), ("2007-06-01", "27", "conviction", None),
    ]),
    "D": (1.0, [
        ("2002-05-31", "46", "conviction", None), ("2002-06-01", "46", "conviction", None),
        ("2005-01-01", "46", "conviction", None), ("2005-02-01", "46", "conviction", None),
        ("2007-10-01", "46", "conviction", None), ("2007-11-01", "46", "conviction", None),
    ]),
    "E": (1.0, [("2005-04-01", "46", "conviction", None)]),
    "F": (1.0, [
        ("2005-01-10", "46", "conviction", None), ("2005-02-10", "46", "conviction", None),
        ("2006-09-01", "46", "conviction", None), ("2006-10-01", "46", "conviction", None),
        ("2006-11-01", "46", "conviction", None), ("2006-12-01", "46", "conviction", None),
    ]),
    "G": (1.0, [
        ("2003-01-01", "46", "conviction", None), ("2003-06-01", "46", "conviction", None),
        ("2004-07-01", "46", "conviction", None), ("2004-08-01", "46", "conviction", None),
        ("2004-09-01", "46", "conviction", None), ("2007-04-01", "46", "conviction", None),
        ("2007-05-01", "46", "conviction", None), ("2007-06-01", "46", "conviction", None),
    ]),
    "I": (1.0, [("2007-05-01", "46", "conviction", None)]),
    "P": (1.0, [("2005-05-01", "46", "conviction", None)]),
    "U": (0.95, [("2005-05-01", "46", "conviction", None)]),
    "Rpol": (None, [("2005-05-01", "46", "conviction", None),
                    ("2007-05-01", "46", "conviction", None)]),
    "Tpol": (None, [("2005-05-01", "46", "conviction", None)]),
}

# (treatment person, PNC person, probability, accepted): link.links pairs
LINKS = (
    ("A", "A", 0.99, True),
    ("P", "P", 0.85, True),
    ("R", "Rpol", 0.75, False),
    ("S", "Rpol", 0.72, False),
    ("T", "Tpol", 0.3, False),
)


def person(letter: str) -> str:
    """The mart's person id of a letter (M did not consent: a person of its own)."""
    return "unlinked:P1|M1" if letter == "M" else f"person-{letter}"


def _day_after(day: str) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def build_stores(data_dir: Path) -> None:
    with StoreBuilder.create(data_dir) as b:
        b.areas(offence_codes=OFFENCE_CODES)
        b.load("treatment", "2005-03", "P1")  # the data begin with financial year 2004-05
        treatment = b.load("treatment", "2010-03", "P1")
        pnc = b.load("pnc", "2010-03-31")
        deaths = b.load("deaths", "2007")
        first_record: dict[str, int] = {}
        for letter, journeys in JOURNEYS.items():
            for k, (triage, discharge, reason, substances, source) in enumerate(journeys, 1):
                record = b.episode(person(letter), "P1", f"{letter}{k}", triage, discharge,
                                   reason, substances, load=treatment, referral_source=source)
                first_record.setdefault(letter, record)
        b.episode(person("M"), "P1", "M1", S, None, None, "heroin", load=treatment,
                  consent="n")
        nominals: dict[str, int] = {}
        for who, (probability, disposals) in PNC.items():
            nominal = b.nominal(f"person-{who}", load=pnc, probability=probability)
            nominals[who] = nominal
            for i, (offence, code, kind, disposal) in enumerate(disposals, 1):
                b.disposal(nominal, f"{who}-{i}", offence, disposal or _day_after(offence),
                           code, kind, load=pnc)
        b.death(person("H"), "X1", "2007-01-01", load=deaths)
        for treated, police, probability, accepted in LINKS:
            b.con.execute(
                "INSERT INTO link.links VALUES (?, ?, 'treatment', 'pnc', 'treatment_pnc', "
                "'model', NULL, ?, ?, NULL, 'run')",
                [first_record[treated], nominals[police], probability, accepted],
            )
        b.con.execute(
            "INSERT INTO link.runs VALUES ('run', TIMESTAMP '2020-01-01', "
            "TIMESTAMP '2020-01-01', 'duckdb', 0.8, 'models', true, 1, 1, 1)"
        )
