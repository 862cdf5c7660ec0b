"""A small hand-made linked dataset for the mortality study, and its periods worked out by hand.

Treatment submissions 2010-03 and 2011-03 (provider P1): the data span is
2009-04-01 (the first submission's financial year) to 2011-03-31, the default
window. The window's middle day is 2009-04-01 + 729 // 2 = 364 days =
2010-03-31, so the reference rates are ONS's 2009-2011 (per 100,000 a year):
male 25-29 64.9, 30-34 84.1, 35-39 123.1, 50-54 392.5; female 20-24 22.3,
40-44 107.8.

Every period counts its first and last day. Days at risk, per person:

    A  male 30, 2009-06-01..2009-11-30 completed; death 2010-12-01 (drug poisoning),
       ONE DAY AFTER the year after leaving (2009-12-01..2010-11-30): not counted.
       in treatment  2009-06-01..2009-11-30  30+31+31+30+31+30 = 183 days, age 30
       after leaving 2009-12-01..2010-11-30  365 days: 182 (to 2010-05-31) at 30,
                     183 from the anniversary 2010-06-01 at 31; all male 30-34
    B  female 40, 2009-05-01..2010-02-28 dropped out; death 2010-02-28 (drug poisoning),
       on the end date: IN TREATMENT.
       in treatment  31+30+31+31+30+31+30+31+31+28 = 304 days, female 40-44
       after leaving starts 2010-03-01, after the death: no time
    C  male 50, 2009-10-01..2010-01-31 completed; death 2011-01-31 (not drug poisoning),
       on end + 1 year EXACTLY: in the year after leaving.
       in treatment  31+30+31+31 = 123 days, male 50-54
       after leaving 2010-02-01..2011-01-31 = 365 days (242 at 50, 123 from
                     2010-10-01 at 51), male 50-54
    D  male 25, two journeys (the gap, 2010-03-31 to 2010-07-01, is over 21 days)
       D#1 in treatment 2010-01-01..2010-03-31 = 31+28+31 = 90 days
           after leaving 2010-04-01..2010-06-30 (the day before D#2) = 30+31+30 = 91 days
       D#2 in treatment 2010-07-01..2011-03-31 (open: the data end)
           = 31+31+30+31+30+31+31+28+31 = 274 days; all male 25-29
    E  female 22, 2008-01-15..2009-06-30 dropped out (started before the window);
       death 2010-03-01 (drug poisoning) linked with probability 0.5.
       in treatment  2009-04-01 (the window's start)..2009-06-30 = 30+31+30 = 91 days
       after leaving 2009-07-01..2010-03-01 (death) = 31+31+30+31+30+31+31+28+1 = 244 days
       (to 2010-06-30, 365 days, when links under 0.8 are dropped); female 20-24 throughout
    G  male 35, 2010-05-01..open; a linked death on 2010-01-10: the journey starts after
       the death, so it gives no time and the death is in no period
    H  male 34, 2009-04-01..open: 2011-03-31 is the data end
       in treatment 2009-04-01..2010-03-31 = 365 days at 34 (male 30-34),
                    2010-04-01..2011-03-31 = 365 days at 35 (male 35-39)
    I  sex not stated, 45, 2010-04-01..2010-09-30 completed
       in treatment 30+31+30+31+31+30 = 183 days; after leaving 2010-10-01..2011-03-31
       (the data end) = 31+30+31+31+28+31 = 182 days; in no SMR
    F  a non-consenting episode: left out
    S  a death of someone never in treatment

Totals: in treatment 183+304+123+90+274+91+730+183 = 1978 days; after leaving
365+365+91+244+182 = 1247 days. Deaths: in treatment B (drug poisoning);
after leaving C (other cause) and E (drug poisoning).
"""

from __future__ import annotations

from pathlib import Path

from recoverylink.testing.stores import SETTINGS, StoreBuilder

__all__ = ["SETTINGS", "build_stores"]


def build_stores(data_dir: Path) -> None:
    with StoreBuilder.create(data_dir) as b:
        b.areas()
        early = b.load("treatment", "2010-03", "P1")
        late = b.load("treatment", "2011-03", "P1")
        deaths = b.load("deaths", "2011")
        b.episode("A", "P1", "A1", "2009-06-01", "2009-11-30", "completed_drug_free",
                  load=early, age=30)
        b.death("A", "XA", "2010-12-01", load=deaths, drug_poisoning=True, age=31)
        b.episode("B", "P1", "B1", "2009-05-01", "2010-02-28", "dropped_out",
                  load=early, sex="female", age=40)
        b.death("B", "XB", "2010-02-28", load=deaths, drug_poisoning=True, sex="female",
                age=40)
        b.episode("C", "P1", "C1", "2009-10-01", "2010-01-31", "completed_drug_free",
                  "alcohol", load=early, age=50)
        b.death("C", "XC", "2011-01-31", load=deaths, cause="I21", age=51)
        b.episode("D", "P1", "D1", "2010-01-01", "2010-03-31", "completed_drug_free",
                  "cannabis", load=early, age=25)
        b.episode("D", "P1", "D2", "2010-07-01", None, None, "cannabis", load=late, age=25)
        b.episode("E", "P1", "E1", "2008-01-15", "2009-06-30", "dropped_out", "cannabis",
                  load=early, sex="female", age=22)
        weak = b.death("E", "XE", "2010-03-01", load=deaths, drug_poisoning=True,
                       sex="female", age=24)
        b.con.execute(
            "UPDATE link.person_map SET match_probability = 0.5 WHERE record_id = ?", [weak]
        )
        b.episode("G", "P1", "G1", "2010-05-01", None, None, load=late, age=35)
        b.death("G", "XG", "2010-01-10", load=deaths, cause="I21", age=35)
        b.episode("H", "P1", "H1", "2009-04-01", None, None, load=late, age=34)
        b.episode("I", "P1", "I1", "2010-04-01", "2010-09-30", "completed_drug_free",
                  "alcohol", load=late, sex=None, age=45)
        b.episode("F", "P1", "F1", "2009-05-01", "2009-12-31", "completed_drug_free",
                  None, load=early, consent="n")
        b.death("S", "XS", "2010-05-05", load=deaths, cause="I21", age=80)
