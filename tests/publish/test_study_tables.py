"""Study tables and headlines, protected by their declarations: cases worked by hand."""

from __future__ import annotations

import pandas as pd

from recoverylink.publish.build import _headlines
from recoverylink.publish.study_protect import protect_study_table
from recoverylink.publish.study_tables import TableSpec


def test_a_small_row_and_the_next_smallest_go_with_their_rates() -> None:
    #          people  good  bad       (columns add up to published totals 53, 23, 30;
    #   a         3      1     2        each row's people = good + bad)
    #   b        20     12     8
    #   c        30     10    20
    # Primary: a's 3, 1 and 2. Each column then has one unknown: the cheapest other cell
    # goes, b's 20 (people), c's 10 (good), b's 8 (bad). Row c now has one unknown (10
    # of 30 = 10 + 20): its 20 goes. Every equation has two unknowns or more, and the
    # programme leaves a's good anywhere in 0..11 (a1 = t, c10 = 11 - t, a2 = s,
    # b8 = 11 - t - s): nothing is pinned. Every row loses its share too.
    frame = pd.DataFrame({
        "reason": ["a", "b", "c"],
        "people": [3, 20, 30],
        "good": [1, 12, 10],
        "bad": [2, 8, 20],
        "pct_good": [100 / 3, 60.0, 100 / 3],
    })
    spec = TableSpec(counts=("people", "good", "bad"), columns=("people", "good", "bad"),
                     parts={"people": ("good", "bad")}, labels=("reason",))
    published, result = protect_study_table(frame, spec)
    assert published["suppressed_columns"].tolist() == [
        "people, good, bad, pct_good", "people, bad, pct_good", "good, bad, pct_good",
    ]
    assert published.loc[2, "people"] == 30 and published.loc[1, "good"] == 12
    assert result.primary.sum() == 3  # 3, 1 and 2


def test_a_share_implying_one_to_four_people_goes() -> None:
    # 7 journeys, 14.29% at start: 1 person. The share goes, the 7 stays.
    frame = pd.DataFrame({
        "measure": ["injecting", "days"],
        "statistic": ["change in percentage points", "mean change"],
        "n": [7, 7],
        "at_start": [100 / 7, 18.4],
        "at_review": [0.0, 12.0],
        "value": [-100 / 7, -6.4],
    })
    spec = TableSpec(counts=("n",), shares={"at_start": "n", "at_review": "n"},
                     labels=("measure", "statistic"),
                     share_when=("statistic", ("change in percentage points",)))
    published, _ = protect_study_table(frame, spec)
    assert published.loc[0, "suppressed_columns"] == "at_start, at_review, value"
    assert published.loc[0, "n"] == 7
    # means are not shares: 18.4 days of 28 is no count of people
    assert published.loc[1, "suppressed_columns"] == ""


def test_headlines_naming_small_counts_go() -> None:
    frame = pd.DataFrame({
        "id": ["cohort", "rate_a", "rate_b", "pct", "tiny"],
        "label": ["Cohort", "Rate", "Rate", "Share", "Tiny"],
        "value": [210.0, 6.3, 10.6, 42.5, 3.0],
        "unit": ["people", "per 1,000", "per 1,000", "%", "people"],
        "lower": [None, 3.1, 8.1, 30.0, None],
        "upper": [None, 11.2, 13.7, 55.0, None],
        "published": [None] * 5,
        "published_text": [""] * 5,
        "note": ["", "4 deaths in 1,753 person-years", "59 deaths in 5,560 person-years",
                 "", ""],
    })
    out = _headlines("demo", frame, hidden_values=[42.5])
    assert out["status"].tolist() == ["", "c", "", "c", "c"]
    assert out["value"].isna().tolist() == [False, True, False, True, True]
    assert out.loc[1, "note"] == ""  # the note named the count
