"""Small pure functions of the generator, checked against values worked out by hand."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from recoverylink.spec.schema import PNC_ID
from recoverylink.synth import recording
from recoverylink.synth.assemble import sequential_refs
from recoverylink.synth.dates import age_on, day, fy_of, fy_start, iso, month_end, month_index
from recoverylink.synth.police import pnc_check_letter, pnc_serials
from recoverylink.synth.writer import Lines


def test_financial_year_boundaries() -> None:
    # 31 March 2007 is in 2006-07; 1 April 2007 starts 2007-08
    days = np.array([day("2007-03-31"), day("2007-04-01"), day("2006-04-01")])
    assert fy_of(days).tolist() == [2006, 2007, 2006]
    assert fy_start(2006) == day("2006-04-01")


def test_month_end_and_iso() -> None:
    feb_2008 = int(month_index(np.array([day("2008-02-10")]))[0])
    assert iso(np.array([month_end(feb_2008)])).tolist() == ["2008-02-29"]  # leap year


def test_age_on_birthday_edges() -> None:
    dob = np.array([day("1980-06-15")] * 3, dtype=np.int32)
    on = np.array([day("2000-06-14"), day("2000-06-15"), day("2000-06-16")])
    assert age_on(dob, on).tolist() == [19, 20, 20]


def test_day_month_swap_exchanges_day_and_month() -> None:
    rng = np.random.default_rng(0)
    dob = np.full(2000, day("1975-03-07"), dtype=np.int32)
    out = recording.garble_dob(rng, dob, digit_slip=0.0, day_month_swap=1.0, first_january=0.0)
    assert set(iso(out).tolist()) == {"1975-07-03"}


def test_day_month_swap_skipped_when_impossible() -> None:
    rng = np.random.default_rng(0)
    dob = np.full(10, day("1975-03-25"), dtype=np.int32)  # day 25 cannot be a month
    out = recording.garble_dob(rng, dob, 0.0, 1.0, 0.0)
    assert (out == dob).all()


def test_first_january_default_keeps_the_year() -> None:
    rng = np.random.default_rng(0)
    dob = np.full(5, day("1969-11-30"), dtype=np.int32)
    out = recording.garble_dob(rng, dob, 0.0, 0.0, 1.0)
    assert set(iso(out).tolist()) == {"1969-01-01"}


def test_digit_slips_change_one_part_by_one_unit_or_ten_days() -> None:
    rng = np.random.default_rng(3)
    true = dt.date(1970, 5, 15)
    dob = np.full(3000, day(true), dtype=np.int32)
    out = recording.garble_dob(rng, dob, 1.0, 0.0, 0.0)
    allowed = {
        dt.date(1969, 5, 15),
        dt.date(1971, 5, 15),
        dt.date(1970, 4, 15),
        dt.date(1970, 6, 15),
        dt.date(1970, 5, 14),
        dt.date(1970, 5, 16),
        dt.date(1970, 5, 5),
        dt.date(1970, 5, 25),
    }
    got = {dt.date.fromisoformat(s) for s in iso(out)}
    assert got == allowed


def test_initials_wrong_or_missing_at_the_given_rates() -> None:
    rng = np.random.default_rng(5)
    initials = np.array(["J"] * 20_000, dtype=object)
    out = recording.garble_initial(rng, initials, wrong=0.1, missing=0.05)
    missing = (out == "").mean()
    changed = ((out != "J") & (out != "")).mean()
    assert abs(missing - 0.05) < 0.01
    # a wrong initial is a random letter, so 1 in 26 of them is J again
    assert abs(changed - 0.1 * 25 / 26) < 0.01


def test_pnc_check_letter_by_hand() -> None:
    # 06/123456: 6 * 10^7 + 123456 = 60,123,456 = 23 * 2,614,063 + 7 (23 * 2,614,063 = 60,123,449),
    # and position 7 of ZABCDEFGHJKLMNPQRTUVWXY (from 0) is G
    assert pnc_check_letter(np.array([6]), np.array([123456])).tolist() == ["G"]


def test_sequential_refs_number_within_groups_in_order() -> None:
    group = np.array([2, 1, 2, 1, 2])
    key = np.array([30, 5, 10, 1, 20])
    assert sequential_refs("E", group, key, 3).tolist() == ["E003", "E002", "E001", "E001", "E002"]


def test_lines_take_joins_the_chosen_lines_in_the_order_given() -> None:
    final = pd.DataFrame({"ref": ["E1", "E2", "E3"], "end": ["2006-01-31", "", "2007-02-01"]})
    still_open = pd.DataFrame({"ref": ["E1", "E2", "E3"], "end": ["", "", ""]})
    lines = Lines.of(final, still_open)
    assert len(lines) == 6
    assert lines.take(np.array([2, 0])) == b"E3,2007-02-01\nE1,2006-01-31\n"
    # rows 3 to 5 are the still-open forms of rows 0 to 2
    assert lines.take(np.array([1, 3, 5])) == b"E2,\nE1,\nE3,\n"
    assert lines.take(np.array([], dtype=np.int64)) == b""


def test_lines_keep_quoted_values_whole() -> None:
    lines = Lines.of(pd.DataFrame({"name": ["Smith, J", "O'Neil"], "n": ["1", "2"]}))
    assert lines.take(np.array([1, 0])) == b'"O\'Neil","2"\n"Smith, J","1"\n'


def test_pnc_serials_keep_six_digits_in_a_crowded_year() -> None:
    # 400,000 first arrests in 2000 (more than scale 1's busiest year), 10 in 2001
    yy = np.r_[np.zeros(400_000, dtype=np.int64), np.ones(10, dtype=np.int64)]
    serial = pnc_serials(yy, np.arange(len(yy)))
    assert serial.min() >= 100_000 and serial.max() <= 999_999
    assert len(np.unique(serial[:400_000])) == 400_000
    assert (np.diff(serial[:400_000]) > 0).all()  # increasing in order of first arrest
    # a quiet year keeps the usual step of 7, offset by the year: 100,000 + 7 * k + 1
    assert serial[400_000:].tolist() == [100_001 + 7 * k for k in range(10)]
    ids = [f"00/{s:06d}A" for s in serial[:3]]
    assert all(re.fullmatch(PNC_ID.pattern, i) for i in ids)
