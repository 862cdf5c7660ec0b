"""A seeded, valid set of submissions big enough to kill a load in the middle of.

``base`` is loaded first, uninterrupted; ``more`` is the load that gets killed:
later cumulative months of the same financial years (replacing loads of the
base), a new year, a newer PNC extract, drug tests, deaths, one file that is
rejected and one that is refused.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from builders import (
    death,
    disposal,
    drug_test,
    episode,
    intervention,
    nominal,
    pnc_zip,
    providers_csv,
    top,
    treatment_zip,
    write_csv,
)

PROVIDERS = ("P1", "P2", "P3", "P4")
EPISODES_PER_MONTH = 25


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def _months(start: tuple[int, int], count: int) -> list[tuple[int, int]]:
    year, month = start
    out = []
    for _ in range(count):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _treatment(folder: Path, provider: str, year: int, month: int) -> None:
    """A cumulative submission: every episode referred since 1 April up to this month."""
    fy = year if month >= 4 else year - 1
    rng = random.Random(f"{provider}{fy}")
    start = dt.date(fy, 4, 1)
    rows, interventions, tops = [], [], []
    months = _months((fy, 4), 12)
    for index, (y, m) in enumerate(months):
        if (y, m) > (year, month):
            break
        for k in range(EPISODES_PER_MONTH):
            ref = f"E{fy}-{index:02d}-{k:03d}"
            day = dt.date(y, m, 1) + dt.timedelta(days=rng.randrange(28))
            born = dt.date(1960 + rng.randrange(30), 1 + rng.randrange(12), 1 + rng.randrange(28))
            when = max(day, start).isoformat()
            consent = "n" if k % 10 == 9 else "y"
            fields = {"referral_date": when, "triage_date": when}
            if consent == "y":
                fields |= {"date_of_birth": born.isoformat(), "first_initial": "ABCDE"[k % 5],
                           "postcode_district": f"LS{1 + k % 20}"}  # fmt: skip
            rows.append(episode(provider, ref, consent=consent, **fields))
            interventions.append(intervention(provider, ref, f"I{ref}", referred_date=when,
                                              start_date=when))  # fmt: skip
            tops.append(top(provider, ref, top_date=when))
    treatment_zip(folder, provider, f"{year:04d}-{month:02d}", rows, interventions, tops)


def _pnc(folder: Path, date: str, first: int, count: int) -> list[str]:
    rng = random.Random(date)
    ids = [f"{n % 100:02d}/{n:06d}{'ABCDEFGHJK'[n % 10]}" for n in range(first, first + count)]
    nominals, disposals = [], []
    for n, pnc_id in enumerate(ids):
        born = dt.date(1950 + rng.randrange(40), 1 + rng.randrange(12), 1 + rng.randrange(28))
        nominals.append(nominal(pnc_id, surname=f"Surname{n % 997}", forenames=f"Name{n % 313}",
                                date_of_birth=born.isoformat()))  # fmt: skip
        for d in range(3):
            offence = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(2000))
            disposals.append(disposal(pnc_id, f"D{first + n}-{d}", offence_date=offence.isoformat(),
                                      disposal_date=offence.isoformat()))  # fmt: skip
    pnc_zip(folder, date, nominals, [], disposals)
    return ids


def _drug_tests(folder: Path, year: int, month: int, known: list[str]) -> None:
    rng = random.Random(f"dt{year}{month}")
    tests = []
    for n in range(60):
        day = dt.date(year, month, 1 + rng.randrange(28)).isoformat()
        pnc_id = rng.choice(known) if n % 3 else ""
        tests.append(drug_test(f"T{year}{month:02d}{n:03d}", day, pnc_id=pnc_id))
    write_csv(folder / f"drug_tests_{year:04d}-{month:02d}.csv", "drug_tests", tests)


def _deaths(folder: Path, year: int) -> None:
    rng = random.Random(f"deaths{year}")
    rows = []
    for n in range(80):
        died = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(300))
        rows.append(death(f"R{year}{n:04d}", died.isoformat(),
                          (died + dt.timedelta(days=5)).isoformat(),
                          surname=f"Dead{n}", postcode="LS6 1AN"))  # fmt: skip
    write_csv(folder / f"deaths_{year}.csv", "deaths", rows)


def build(root: Path) -> tuple[Path, Path]:
    """Write the two folders under ``root``; returns (base, more)."""
    base, more = root / "base", root / "more"
    providers_csv(base, [(p, f"Provider {p}", "E06000001") for p in PROVIDERS])
    for year, month in _months((2021, 4), 3):
        for provider in PROVIDERS:
            _treatment(base / "treatment", provider, year, month)
    early = _pnc(base / "pnc", "2021-03-31", 1, 1500)
    _drug_tests(base / "drug_tests", 2021, 4, early)

    for year, month in _months((2021, 7), 11):  # to May 2022: a second financial year
        for provider in PROVIDERS:
            _treatment(more / "treatment", provider, year, month)
    later = _pnc(more / "pnc", "2021-09-30", 700, 4000)  # keeps ids 700..1500
    for year, month in _months((2021, 5), 8):
        _drug_tests(more / "drug_tests", year, month, later)
    _deaths(more / "deaths", 2021)
    _deaths(more / "deaths", 2022)
    # Rejected: a test dated outside its file's month.
    write_csv(more / "drug_tests" / "drug_tests_2022-01.csv", "drug_tests",
              [drug_test("TX1", "2022-02-01")])  # fmt: skip
    # Refused: May 2021 for P1, with other content, after June 2021 was loaded.
    late = [episode("P1", "EX", referral_date="2021-05-03", triage_date="2021-05-03")]
    treatment_zip(more / "late", "P1", "2021-05", late)
    return base, more
