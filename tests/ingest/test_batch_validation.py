"""Checking a month's treatment zips together gives exactly what checking each alone gives."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from builders import csv_bytes, episode, intervention, top, treatment_zip

from recoverylink.spec import ValidationContext
from recoverylink.spec.batch import check_treatment_zips, plain_records
from recoverylink.spec.validate import Checked, check_treatment_zip

PROVIDERS = [f"P{n:02d}" for n in range(1, 21)]
REGISTER = frozenset(PROVIDERS)


def good(folder: Path, provider: str, month: str = "2021-06") -> Path:
    rows = [episode(provider, f"E{k}") for k in range(3)]
    return treatment_zip(
        folder, provider, month, rows,
        [intervention(provider, f"E{k}", f"I{k}") for k in range(3)],
        [top(provider, f"E{k}") for k in range(2)],
    )  # fmt: skip


def rewrite(path: Path, member: str, change: object) -> Path:
    """Replace one member's bytes with ``change(old_bytes)``."""
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members[member] = change(members[member])  # type: ignore[operator]
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


# One way to break (or merely complicate) a submission per entry.
def _bad_date(f: Path, p: str) -> Path:
    return treatment_zip(f, p, "2021-06", [episode(p, "E1", referral_date="2021-02-30")])


def _duplicate(f: Path, p: str) -> Path:
    return treatment_zip(f, p, "2021-06", [episode(p, "E1"), episode(p, "E1")])


def _orphan(f: Path, p: str) -> Path:
    return treatment_zip(f, p, "2021-06", [episode(p, "E1")], [intervention(p, "E9", "I1")])


def _mismatch(f: Path, p: str) -> Path:
    other = "P01" if p != "P01" else "P02"
    return treatment_zip(f, p, "2021-06", [episode(p, "E1"), episode(other, "E2")])


def _borrowed_episode(f: Path, p: str) -> Path:
    # An intervention whose episode is in another provider's file of the stack.
    other = "P01" if p != "P01" else "P02"
    return treatment_zip(f, p, "2021-06", [episode(p, "E1")], [intervention(other, "E0", "I9")])


def _before_triage(f: Path, p: str) -> Path:
    return treatment_zip(
        f, p, "2021-06", [episode(p, "E1")],
        [intervention(p, "E1", "I1", referred_date="2021-04-01", start_date="2021-04-02")],
    )  # fmt: skip


def _after_month(f: Path, p: str) -> Path:
    return treatment_zip(f, p, "2021-06", [episode(p, "E1", discharge_date="2021-07-02",
                                                    discharge_reason="dropped_out")])  # fmt: skip


def _quoted(f: Path, p: str) -> Path:  # valid, but not plain: checked alone
    return rewrite(good(f, p), "episodes.csv", lambda b: b.replace(b",heroin,", b',"heroin",'))


def _crlf(f: Path, p: str) -> Path:  # valid, but not plain
    return rewrite(good(f, p), "top.csv", lambda b: b.replace(b"\n", b"\r\n"))


def _blank_line(f: Path, p: str) -> Path:  # valid, but row numbers shift
    return rewrite(good(f, p), "interventions.csv", lambda b: b.replace(b"\n", b"\n\n", 2))


def _bom(f: Path, p: str) -> Path:  # valid, plain after the byte-order mark
    return rewrite(good(f, p), "episodes.csv", lambda b: b"\xef\xbb\xbf" + b)


def _reordered(f: Path, p: str) -> Path:  # valid columns in another order
    def swap(data: bytes) -> bytes:
        rows = [line.split(b",") for line in data.splitlines()]
        return b"".join(b",".join([r[1], r[0], *r[2:]]) + b"\n" for r in rows)

    return rewrite(good(f, p), "top.csv", swap)


def _field_count(f: Path, p: str) -> Path:
    return rewrite(good(f, p), "top.csv", lambda b: b + b"x,y\n")


def _no_final_newline(f: Path, p: str) -> Path:
    return rewrite(good(f, p), "episodes.csv", lambda b: b.rstrip(b"\n"))


def _missing_member(f: Path, p: str) -> Path:
    path = good(f, p)
    with zipfile.ZipFile(path) as archive:
        kept = {n: archive.read(n) for n in archive.namelist() if n != "top.csv"}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in kept.items():
            archive.writestr(name, data)
    return path


def _unknown_provider(f: Path, p: str) -> Path:
    return good(f, "PX9")


def _not_utf8(f: Path, p: str) -> Path:
    return rewrite(good(f, p), "episodes.csv", lambda b: b.replace(b"white_british", b"\xe9"))


def _no_rows(f: Path, p: str) -> Path:
    return treatment_zip(f, p, "2021-06", [])


BREAKS = [_bad_date, _duplicate, _orphan, _mismatch, _borrowed_episode, _before_triage,
          _after_month, _quoted, _crlf, _blank_line, _bom, _reordered, _field_count,
          _no_final_newline, _missing_member, _unknown_provider, _not_utf8, _no_rows]  # fmt: skip


def same_results(ours: list[Checked], theirs: list[Checked]) -> None:
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert a.file == b.file
        assert a.problems == b.problems
        assert set(a.frames) == set(b.frames)
        assert a.row_counts() == b.row_counts()
        for name in b.frames:
            pd.testing.assert_frame_equal(a.frames[name], b.frames[name])


@pytest.mark.parametrize(
    ("context", "goods"),
    [(ValidationContext(provider_codes=REGISTER), 3), (ValidationContext(), 1)],
    ids=["register", "no register"],
)
def test_every_break_alone_among_good_files(
    tmp_path: Path, context: ValidationContext, goods: int
) -> None:
    for n, brk in enumerate(BREAKS):
        folder = tmp_path / f"b{n}"
        paths = [good(folder / "good", p) for p in PROVIDERS[:goods]]
        paths.insert(1, brk(folder / "bad", PROVIDERS[10]))
        same_results(check_treatment_zips(paths, context),
                     [check_treatment_zip(p, context) for p in paths])  # fmt: skip


def test_seeded_mixtures_of_breaks(tmp_path: Path) -> None:
    rng = random.Random(7)
    context = ValidationContext(provider_codes=REGISTER)
    for n in range(1):
        folder = tmp_path / f"m{n}"
        paths = []
        for k, provider in enumerate(PROVIDERS[:14]):
            if rng.random() < 0.3:
                paths.append(rng.choice(BREAKS)(folder / f"x{k}", provider))
            else:
                paths.append(good(folder / f"x{k}", provider))
        # The same provider and month twice, and a file of another month.
        paths.append(good(folder / "again", PROVIDERS[0]))
        paths.append(good(folder / "july", PROVIDERS[1], "2021-07"))
        rng.shuffle(paths)
        same_results(check_treatment_zips(paths, context),
                     [check_treatment_zip(p, context) for p in paths])  # fmt: skip


def test_good_files_are_read_once_as_a_stack(tmp_path: Path) -> None:
    paths = [good(tmp_path / p, p) for p in PROVIDERS]
    checked = check_treatment_zips(paths, ValidationContext(provider_codes=REGISTER))
    assert all(c.valid for c in checked)
    assert checked[4].row_counts() == {"episodes": 3, "interventions": 3, "top": 2}
    episodes = checked[4].frames["episodes"]
    assert list(episodes.index) == [2, 3, 4]
    assert set(episodes["provider_code"]) == {PROVIDERS[4]}


def test_plain_records() -> None:
    header = csv_bytes("top", [])
    assert plain_records(header + b"1,2\n", header) == b"1,2\n"
    assert plain_records(b"\xef\xbb\xbf" + header, header) == b""
    assert plain_records(header + b'"1",2\n', header) is None
    assert plain_records(header + b"1,2\r\n", header) is None
    assert plain_records(header + b"1,2\n\n3,4\n", header) is None
    assert plain_records(b"other\n1,2\n", header) is None
