"""What the police and the drug-test record hold: PNC nominals, aliases, disposals, drug tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recoverylink.errors import SynthArgumentError
from recoverylink.synth import names, recording
from recoverylink.synth.dates import day, year_of
from recoverylink.synth.geography import Geography, full_postcode
from recoverylink.synth.offending import Events, test_results
from recoverylink.synth.params import SynthParams
from recoverylink.synth.people import People

PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"


def pnc_serials(yy: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Six-digit serial numbers, increasing within each year of first arrest in ``order``.

    Serials step by up to 7 (so that consecutive ids do not look consecutive) but
    never past 999,999, the spec's six digits: a year with many first arrests (the
    first year of the history at scale 1 has about 365,000) gets a smaller step.
    """
    serial = np.zeros(len(yy), dtype=np.int64)
    yy_o = yy[order]
    starts = np.r_[0, np.flatnonzero(yy_o[1:] != yy_o[:-1]) + 1] if len(yy_o) else np.zeros(0, int)
    counts = np.diff(np.r_[starts, len(yy_o)])
    if len(counts) and counts.max() > 899_999:
        raise SynthArgumentError(
            f"{counts.max():,} people first arrested in one year do not fit six-digit PNC serials"
        )
    seq = np.arange(len(yy_o)) - np.repeat(starts, counts)
    step = np.repeat(np.clip(899_999 // np.maximum(counts, 1), 1, 7), counts)
    serial[order] = 100_000 + seq * step + (yy_o % np.minimum(step, 7))
    return serial


def pnc_check_letter(year2: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """The PNC id check character: (yy * 10^7 + serial) mod 23 over the PNC alphabet."""
    value = year2.astype(np.int64) * 10_000_000 + serial.astype(np.int64)
    letters = np.array(list(PNC_CHECK_LETTERS), dtype=object)
    return letters[value % 23]


def forenames_of(people: People, idx: np.ndarray, with_middle: np.ndarray) -> np.ndarray:
    out = np.empty(len(idx), dtype=object)
    male = people.male[idx]
    for sex, mask in (("male", male), ("female", ~male)):
        pool = names.forenames(sex).names
        first = pool[people.forename[idx[mask]]]
        mid_idx = people.middle[idx[mask]]
        mid = np.where(mid_idx >= 0, pool[np.maximum(mid_idx, 0)], "")
        use = with_middle[mask] & (mid_idx >= 0)
        out[mask] = np.where(use, first + " " + mid, first)
    return out


def surname_on(people: People, idx: np.ndarray, when: np.ndarray) -> np.ndarray:
    pool = names.surnames().names
    changed = (people.new_surname[idx] >= 0) & (people.surname_change_day[idx] <= when)
    return np.where(
        changed, pool[np.maximum(people.new_surname[idx], 0)], pool[people.surname[idx]]
    )


def force_of(geo: Geography, la: np.ndarray) -> np.ndarray:
    return geo.las["police_force_code"].to_numpy(dtype=object)[la]


def build_pnc(
    rng: np.random.Generator,
    people: People,
    ev: Events,
    codes: np.ndarray,
    geo: Geography,
    p: SynthParams,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, np.ndarray]:
    """nominals, aliases, disposals, and the pnc id of every person (empty if none)."""
    persons, first_idx = np.unique(ev.person, return_index=True)
    first_day = ev.day[first_idx]
    yy = year_of(first_day) % 100
    serial = pnc_serials(yy, np.lexsort((persons, first_day)))
    check = pnc_check_letter(yy, serial)
    pnc_id = np.array(
        [f"{a:02d}/{b:06d}{c}" for a, b, c in zip(yy, serial, check, strict=True)], dtype=object
    )
    pnc_of = np.full(len(people), "", dtype=object)
    pnc_of[persons] = pnc_id

    n = len(persons)
    dob = recording.garble_dob(
        rng,
        people.dob[persons],
        p.police_dob_error * 0.6,
        p.police_dob_error * 0.3,
        p.police_dob_error * 0.1,
    )
    nominals = pd.DataFrame(
        {
            "pnc_id": pnc_id,
            "surname": surname_on(people, persons, first_day),
            "forenames": forenames_of(people, persons, rng.random(n) < 0.7),
            "date_of_birth": dob,
            "sex": np.where(people.male[persons], "male", "female"),
            "postcode": np.where(
                rng.random(n) < 0.7,
                full_postcode(rng, geo.district_code[people.district[persons]]),
                "",
            ),
            "police_force": force_of(geo, people.la[persons]),
        }
    )
    aliases = _aliases(rng, people, persons, pnc_id, first_day, p)
    proven = ev.proven
    conv = rng.random(len(ev.person)) >= p.share_cautions
    lag = np.where(
        conv, 14 + rng.gamma(2.0, 45.0, len(conv)), rng.integers(0, 21, len(conv))
    ).astype(np.int32)
    disposal_day = ev.day + lag
    keep = proven & (disposal_day <= day(p.pnc_extract_date))
    k = np.flatnonzero(keep)
    disposals = pd.DataFrame(
        {
            "pnc_id": pnc_of[ev.person[k]],
            "disposal_id": [f"D{i:09d}" for i in range(1, len(k) + 1)],
            "offence_date": ev.day[k],
            "disposal_date": disposal_day[k],
            "disposal_type": np.where(conv[k], "conviction", "caution"),
            "offence_code": codes[k],
        }
    )
    return nominals, aliases, disposals, pnc_of


def _aliases(
    rng: np.random.Generator,
    people: People,
    persons: np.ndarray,
    pnc_id: np.ndarray,
    first_day: np.ndarray,
    p: SynthParams,
) -> pd.DataFrame:
    has = rng.random(len(persons)) < p.share_aliases
    reps = np.where(has, 1 + rng.poisson(0.4, len(persons)), 0)
    idx = np.repeat(np.arange(len(persons)), reps)
    who = persons[idx]
    n = len(idx)
    kind = rng.random(n)
    forenames = forenames_of(people, who, rng.random(n) < 0.3)
    nick = people.nickname[who]
    use_nick = (kind < 0.35) & (nick != "")
    forenames = np.where(use_nick, nick, forenames)
    surname = surname_on(people, who, first_day[idx])
    other = names.surnames().names[names.surnames().draw(rng, n)]
    changed_name = np.where(
        people.new_surname[who] >= 0, surname_on(people, who, np.full(n, 10**6)), other
    )
    swap_surname = (kind >= 0.35) & (kind < 0.6)
    surname = np.where(swap_surname, changed_name, surname)
    dob = people.dob[who].copy()
    false_dob = rng.random(n) < p.share_false_dob_alias
    shift = rng.integers(-800, 800, n)
    garbled = recording.garble_dob(rng, dob, 0.5, 0.3, 0.1)
    dob = np.where(false_dob, np.where(rng.random(n) < 0.5, dob + shift, garbled), dob)
    return pd.DataFrame(
        {"pnc_id": pnc_id[idx], "surname": surname, "forenames": forenames, "date_of_birth": dob}
    )


def build_drug_tests(
    rng: np.random.Generator,
    people: People,
    ev: Events,
    codes: np.ndarray,
    pnc_of: np.ndarray,
    geo: Geography,
    p: SynthParams,
) -> pd.DataFrame:
    sel = np.flatnonzero(ev.tested & (ev.group != "soliciting"))
    person = ev.person[sel]
    opi, coc = test_results(rng, people, ev)
    n = len(sel)
    with_id = rng.random(n) < p.share_test_with_pnc_id
    first = forenames_of(people, person, np.zeros(n, dtype=bool))
    sur = surname_on(people, person, ev.day[sel])
    fi = recording.garble_initial(
        rng, np.array([s[0] for s in first], dtype=object), p.initial_wrong, 0.0
    )
    li = recording.garble_initial(
        rng, np.array([s[0] for s in sur], dtype=object), p.initial_wrong, 0.0
    )
    dob = recording.garble_dob(
        rng, people.dob[person], p.police_dob_error * 0.6, p.police_dob_error * 0.3, 0.0
    )
    positive = opi[sel] | coc[sel]
    order = np.lexsort((person, ev.day[sel]))
    tests = (
        pd.DataFrame(
            {
                "test_id": "",
                "pnc_id": np.where(with_id, pnc_of[person], ""),
                "first_initial": fi,
                "last_initial": li,
                "date_of_birth": dob,
                "sex": np.where(people.male[person], "male", "female"),
                "police_force": force_of(geo, people.la[person]),
                "test_date": ev.day[sel],
                "opiates": np.where(opi[sel], "positive", "negative"),
                "cocaine": np.where(coc[sel], "positive", "negative"),
                "trigger_offence_code": codes[sel],
                "required_assessment": np.where(positive, "y", "n"),
                "_person": person,
            }
        )
        .iloc[order]
        .reset_index(drop=True)
    )
    tests["test_id"] = [f"T{i:09d}" for i in range(1, len(tests) + 1)]
    return tests
