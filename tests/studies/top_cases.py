"""Hand-made TOPs for the TOP study, and what each journey gives.

Providers P1 (local authority A, E06000001) and P2 (B, E09000007); data end
2011-03-31. Items not listed take StoreBuilder's defaults: 0 days, 'n',
scores 10. The journey's unit is its first episode with a start TOP; it is
reviewed when its latest review or exit TOP is dated after the start TOP.

    journey  main drug (group)   area  start TOP -> latest review (or exit)
    A  heroin (opiate)           A     2009-05-01: opiates 20, crack 4, injected 10,
                                       crime 2+1+1 = 4, psych 8, phys 9, qol 6, housing y
                                       review 2009-08-01 (opiates 10) is not the latest;
                                       exit 2009-12-31: all drugs 0, injected 0, crime 0,
                                       psych 14, phys 12, qol 12, housing n, work 5
    B  methadone (opiate)        A     2009-06-01: opiates 28 -> 2010-01-10: opiates 14,
                                       crime 0 -> 2 (drug selling), psych 10 -> 12,
                                       phys 10 -> 9, qol 10 -> 11, work 0 -> 10
    C  crack (non_opiate)        B     2009-07-01: crack 12, crime 6 (shoplifting),
                                       psych 6, phys 8, qol 5 -> 2010-01-15: crack 0, crime 0,
                                       psych 11, phys 10, qol 9, housing n -> y
    D  alcohol (alcohol)         B     2010-05-01: alcohol 25, psych 9, phys 7, qol 8,
                                       work 12 -> 2010-11-01: alcohol 5, psych 13, phys 11,
                                       qol 12, work 16
    E  cannabis (non_opiate)     A     2009-09-01: cannabis 0 (not using it at start)
                                       -> 2010-02-01: cannabis 2; all else default
    F  benzodiazepine            A     2009-09-01 -> 2010-02-01: psych 10 -> 15; the main
       (non_opiate)                    drug is not scored
    G  heroin                    A     2009-10-01, no review: not reviewed
    H  heroin, two episodes      A/B   H1 (P1) 2009-06-01..2009-09-30 has a start TOP and
       in one journey                  no review; H2 (P2, 10 days later: same journey) has
                                       both. The unit is H1: not reviewed, H2 unused
    K  heroin                    A     start and review TOPs both on 2009-11-01: the review
                                       is not later
    L  heroin                    A     a review TOP only: no start TOP, not a unit

Reviewed units: A B C D E F. Start TOPs: A B C D E F G H1 H2 K = 10 episodes,
9 journeys (H's two episodes are one).
"""

from __future__ import annotations

from pathlib import Path

from recoverylink.testing.stores import SETTINGS, StoreBuilder

__all__ = ["SETTINGS", "build_stores"]


def build_stores(data_dir: Path) -> None:
    with StoreBuilder.create(data_dir) as b:
        b.areas()
        p1a = b.load("treatment", "2010-03", "P1")
        b.load("treatment", "2010-03", "P2")  # P2's episodes are all in its 2011-03 one
        p1b = b.load("treatment", "2011-03", "P1")
        p2b = b.load("treatment", "2011-03", "P2")

        b.episode("A", "P1", "A1", "2009-05-01", "2009-12-31", "completed_drug_free",
                  "heroin", load=p1a)
        b.top("P1", "A1", "2009-05-01", "start", load=p1a, days_opiates=20, days_crack=4,
              days_injected=10, shoplifting_days=2, drug_selling_days=1, other_theft_days=1,
              psychological_health=8, physical_health=9, quality_of_life=6,
              acute_housing_problem="y")
        b.top("P1", "A1", "2009-08-01", "review", load=p1a, days_opiates=10)
        b.top("P1", "A1", "2009-12-31", "exit", load=p1a, psychological_health=14,
              physical_health=12, quality_of_life=12, paid_work_days=5)

        b.episode("B", "P1", "B1", "2009-06-01", None, None, "methadone", load=p1b)
        b.top("P1", "B1", "2009-06-01", "start", load=p1b, days_opiates=28)
        b.top("P1", "B1", "2010-01-10", "review", load=p1b, days_opiates=14,
              drug_selling_days=2, psychological_health=12, physical_health=9,
              quality_of_life=11, paid_work_days=10)

        b.episode("C", "P2", "C1", "2009-07-01", None, None, "crack", load=p2b)
        b.top("P2", "C1", "2009-07-01", "start", load=p2b, days_crack=12, shoplifting_days=6,
              psychological_health=6, physical_health=8, quality_of_life=5)
        b.top("P2", "C1", "2010-01-15", "review", load=p2b, psychological_health=11,
              physical_health=10, quality_of_life=9, acute_housing_problem="y")

        b.episode("D", "P2", "D1", "2010-05-01", None, None, "alcohol", load=p2b)
        b.top("P2", "D1", "2010-05-01", "start", load=p2b, days_alcohol=25,
              psychological_health=9, physical_health=7, quality_of_life=8, paid_work_days=12)
        b.top("P2", "D1", "2010-11-01", "review", load=p2b, days_alcohol=5,
              psychological_health=13, physical_health=11, quality_of_life=12,
              paid_work_days=16)

        b.episode("E", "P1", "E1", "2009-09-01", None, None, "cannabis", load=p1b)
        b.top("P1", "E1", "2009-09-01", "start", load=p1b)
        b.top("P1", "E1", "2010-02-01", "review", load=p1b, days_cannabis=2)

        b.episode("F", "P1", "F1", "2009-09-01", None, None, "benzodiazepine", load=p1b)
        b.top("P1", "F1", "2009-09-01", "start", load=p1b)
        b.top("P1", "F1", "2010-02-01", "review", load=p1b, psychological_health=15)

        b.episode("G", "P1", "G1", "2009-10-01", None, None, "heroin", load=p1b)
        b.top("P1", "G1", "2009-10-01", "start", load=p1b, days_opiates=25)

        b.episode("H", "P1", "H1", "2009-06-01", "2009-09-30", "transferred_not_in_custody",
                  "heroin", load=p1a)
        b.top("P1", "H1", "2009-06-01", "start", load=p1a, days_opiates=20)
        b.episode("H", "P2", "H2", "2009-10-10", None, None, "heroin", load=p2b)
        b.top("P2", "H2", "2009-10-10", "start", load=p2b, days_opiates=20)
        b.top("P2", "H2", "2010-03-01", "review", load=p2b, days_opiates=0)

        b.episode("K", "P1", "K1", "2009-11-01", None, None, "heroin", load=p1b)
        b.top("P1", "K1", "2009-11-01", "start", load=p1b, days_opiates=20)
        b.top("P1", "K1", "2009-11-01", "review", load=p1b, days_opiates=0)

        b.episode("L", "P1", "L1", "2009-11-01", None, None, "heroin", load=p1b)
        b.top("P1", "L1", "2010-01-01", "review", load=p1b, days_opiates=3)
