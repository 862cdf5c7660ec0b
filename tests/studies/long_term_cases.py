"""A small hand-made linked dataset for the long-term outcomes study.

Treatment submissions per provider for March 2005 (an earlier financial year's
extract, so the data begin on 2004-04-01) and March 2010, so the data end on
2010-03-31: people leaving in 2005-06 (2005-04-01 to 2006-03-31) have exactly
four full years of follow-up (the last exit, 2006-03-31, is followed to
2010-03-31), and 2006-07 does not. Every follow-up window of a 2005-06 exit
contains 29 February 2008, so it is 1,461 days long: (exit, exit + 4 years].

Person: exit journey (substance, exit reason) -> events in the follow-up -> outcome

  A  2004-10-01..2005-04-01 heroin completed_drug_free (the year's first day)
        nothing                                           -> sustained recovery
  B  2005-01-10..2005-05-31 heroin dropped_out (the drop-out who returns)
        returns 2006-04-20 self-referred (324 days: within a year);
        positive test 2008-01-01, after the return        -> returned directly
  C  2005-03-01..2005-09-30 crack completed_drug_free
        positive test 2007-01-10; returns 2007-02-01 referred by dip (489 days)
                                                          -> returned via the CJS (referral)
  D  2005-04-15..2005-10-31 heroin completed_drug_free
        trigger conviction for an offence on 2008-05-01 (disposal 2008-09-01);
        returns 2008-06-01 self-referred, 31 days later (944 days)
                                                          -> via the CJS (offence before)
  E  2005-02-01..2005-07-15 heroin dropped_out
        positive test 2006-03-03 (in the year, after the exit: it counts);
        returns 2006-06-01 self-referred, exactly 90 days later (321 days)
                                                          -> via the CJS (90 days: inside)
  F  2005-06-01..2005-12-31 cocaine+alcohol completed_drug_free
        positive test (cocaine) on 2009-12-31 = exit + 4 years: inside
                                                          -> offending without return
  G  2005-08-01..2006-01-15 heroin dropped_out
        positive test and a dip-referred return both on 2010-01-16 = exit + 4
        years + 1 day: outside                            -> sustained recovery
  H  2005-03-01..2005-08-31 heroin withdrawn_by_provider
        returns 2009-08-31 self-referred = exit + 4 years (1,461 days): inside
                                                          -> returned directly
  O  O1 2005-01-01..2005-05-01 dropped_out, O2 2005-07-01..2006-02-28
        completed_drug_free (heroin): two journeys end in the year, O2 (the last)
        is the exit. Trigger conviction for an offence on 2006-06-01 (93 days);
        ignored: a caution for a trigger offence, a conviction for a
        non-trigger offence (violence), a negative drug test
                                                          -> offending without return
  S  2005-06-01..2005-11-15 cannabis transferred_not_in_custody
        returns 2006-05-01 referred by probation (167 days) -> via the CJS (referral)
  T  2005-04-01..2005-10-01 heroin completed_drug_free
        trigger conviction, offence 2007-03-01, on a PNC nominal linked with
        probability 0.6                                   -> offending without return
        (with --min-link-probability 0.9 the link is dropped: sustained recovery)
  U  2005-05-01..2005-11-01 heroin dropped_out
        positive test 2007-01-01; returns 2007-04-02 self-referred, 91 days later
        (517 days)                                        -> returned directly (91 > 90)
  V  2005-06-01..2005-12-01 heroin completed_drug_free; dies 2007-05-01
                                                          -> sustained recovery (died)

Left out of the 2005-06 cohort (each leaves in the year):

  I  2005-05-01..2005-11-30 retained_in_custody            prison
  J  2005-06-01..2005-12-15 transferred_in_custody         prison
  P  P1 2005-01-01..2005-05-01 dropped_out, P2 2005-06-01..2006-01-31
     retained_in_custody: the last exit of the year is to prison      prison
  K  2005-04-01..2005-09-01 died                           died
  L  2005-05-01..2005-10-01 alcohol completed_alcohol_free alcohol only
  M  2005-05-01..2005-09-30 completed_drug_free, consent n no consent
  N  2005-01-01..2005-06-10 dropped_out; N2 from 2005-12-01 (open): back in
     treatment by the end of the year                      back in the year

Not leavers of 2005-06 at all: Q (exit 2005-03-31, the day before the year)
and R (exit 2006-04-01, the day after; R is the one leaver of 2006-07, whose
window would end on 2010-04-01, a day after the data).

Every return journey is one open episode, so no journey but the exits above
ends in 2005-06 or 2006-07.
"""

from __future__ import annotations

from pathlib import Path

from recoverylink.testing.stores import SETTINGS, StoreBuilder

__all__ = ["SETTINGS", "build_stores", "pid"]


def pid(letter: str) -> str:
    """The person id the mart gives a letter's person (M did not consent)."""
    return "unlinked:P1|M1" if letter == "M" else f"person-{letter}"


# (person, ref, triage, discharge, reason, substances, referral source)
EPISODES: tuple[tuple[str, str, str, str | None, str | None, str, str], ...] = (
    ("A", "A1", "2004-10-01", "2005-04-01", "completed_drug_free", "heroin", "self"),
    ("B", "B1", "2005-01-10", "2005-05-31", "dropped_out", "heroin", "self"),
    ("B", "B2", "2006-04-20", None, None, "heroin", "self"),
    ("C", "C1", "2005-03-01", "2005-09-30", "completed_drug_free", "crack", "gp"),
    ("C", "C2", "2007-02-01", None, None, "crack", "dip"),
    ("D", "D1", "2005-04-15", "2005-10-31", "completed_drug_free", "heroin", "self"),
    ("D", "D2", "2008-06-01", None, None, "heroin", "self"),
    ("E", "E1", "2005-02-01", "2005-07-15", "dropped_out", "heroin", "self"),
    ("E", "E2", "2006-06-01", None, None, "heroin", "self"),
    ("F", "F1", "2005-06-01", "2005-12-31", "completed_drug_free", "cocaine+alcohol", "self"),
    ("G", "G1", "2005-08-01", "2006-01-15", "dropped_out", "heroin", "self"),
    ("G", "G2", "2010-01-16", None, None, "heroin", "dip"),
    ("H", "H1", "2005-03-01", "2005-08-31", "withdrawn_by_provider", "heroin", "self"),
    ("H", "H2", "2009-08-31", None, None, "heroin", "self"),
    ("I", "I1", "2005-05-01", "2005-11-30", "retained_in_custody", "heroin", "self"),
    ("J", "J1", "2005-06-01", "2005-12-15", "transferred_in_custody", "heroin", "self"),
    ("K", "K1", "2005-04-01", "2005-09-01", "died", "heroin", "self"),
    ("L", "L1", "2005-05-01", "2005-10-01", "completed_alcohol_free", "alcohol", "self"),
    ("M", "M1", "2005-05-01", "2005-09-30", "completed_drug_free", "heroin", "self"),
    ("N", "N1", "2005-01-01", "2005-06-10", "dropped_out", "heroin", "self"),
    ("N", "N2", "2005-12-01", None, None, "heroin", "self"),
    ("O", "O1", "2005-01-01", "2005-05-01", "dropped_out", "heroin", "self"),
    ("O", "O2", "2005-07-01", "2006-02-28", "completed_drug_free", "heroin", "self"),
    ("P", "P1", "2005-01-01", "2005-05-01", "dropped_out", "heroin", "self"),
    ("P", "P2", "2005-06-01", "2006-01-31", "retained_in_custody", "heroin", "self"),
    ("Q", "Q1", "2004-09-01", "2005-03-31", "completed_drug_free", "heroin", "self"),
    ("R", "R1", "2005-10-01", "2006-04-01", "completed_drug_free", "heroin", "self"),
    ("S", "S1", "2005-06-01", "2005-11-15", "transferred_not_in_custody", "cannabis", "self"),
    ("S", "S2", "2006-05-01", None, None, "cannabis", "probation"),
    ("T", "T1", "2005-04-01", "2005-10-01", "completed_drug_free", "heroin", "self"),
    ("U", "U1", "2005-05-01", "2005-11-01", "dropped_out", "heroin", "self"),
    ("U", "U2", "2007-04-02", None, None, "heroin", "self"),
    ("V", "V1", "2005-06-01", "2005-12-01", "completed_drug_free", "heroin", "self"),
)

# (person, test id, date, opiates, cocaine)
DRUG_TESTS = (
    ("B", "TB", "2008-01-01", "positive", "negative"),
    ("C", "TC", "2007-01-10", "positive", "negative"),
    ("E", "TE", "2006-03-03", "positive", "negative"),
    ("F", "TF", "2009-12-31", "negative", "positive"),
    ("G", "TG", "2010-01-16", "positive", "negative"),
    ("O", "TO", "2007-03-01", "negative", "negative"),
    ("U", "TU", "2007-01-01", "positive", "negative"),
)


def build_stores(data_dir: Path) -> None:
    """Create the stores and fill them with the records above."""
    with StoreBuilder.create(data_dir) as b:
        b.areas()
        for p in ("P1", "P2"):  # the data begin with financial year 2004-05
            b.load("treatment", "2005-03", p)
        loads = {p: b.load("treatment", "2010-03", p) for p in ("P1", "P2")}
        pnc = b.load("pnc", "2010-03-31")
        tests = b.load("drug_tests", "2010-03")
        deaths = b.load("deaths", "2010")
        for person, ref, triage, discharge, reason, substances, source in EPISODES:
            provider = "P2" if person in "CS" else "P1"
            b.episode(
                pid(person), provider, ref, triage, discharge, reason, substances,
                load=loads[provider], consent="n" if person == "M" else "y",
                referral_source=source,
            )
        for person, test_id, on, opiates, cocaine in DRUG_TESTS:
            b.drug_test(pid(person), test_id, on, load=tests, opiates=opiates, cocaine=cocaine)
        # offence codes (StoreBuilder.areas): 28A burglary (trigger), 5D violence (not)
        d = b.nominal(pid("D"), load=pnc)
        b.disposal(d, "DD", "2008-05-01", "2008-09-01", "28A", load=pnc)
        o = b.nominal(pid("O"), load=pnc)
        b.disposal(o, "DO1", "2006-06-01", "2006-08-01", "28A", load=pnc)
        b.disposal(o, "DO2", "2007-01-01", "2007-02-01", "28A", "caution", load=pnc)
        b.disposal(o, "DO3", "2007-02-01", "2007-05-01", "5D", load=pnc)
        t = b.nominal(pid("T"), load=pnc, probability=0.6)
        b.disposal(t, "DT", "2007-03-01", "2007-06-01", "46", load=pnc)
        b.death(pid("V"), "XV", "2007-05-01", load=deaths)
