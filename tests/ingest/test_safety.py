"""Safety limits on hostile files: settings, zip reading, CSV reading.

Expected sizes and outcomes are worked out by hand from the limits each test sets.
"""

from __future__ import annotations

import csv
import io
import os
import struct
import tomllib
import zipfile
from importlib import resources
from pathlib import Path

import pytest
from corpus.submissions import noise, patch_central_directory, treatment, zip_bytes

from recoverylink.config import load_config
from recoverylink.errors import ConfigError
from recoverylink.ingest.safety import (
    ReadLimits,
    configured_limits,
    current_limits,
    limits_from_config,
    limits_in_force,
    oversized,
)
from recoverylink.spec import Problem, read_csv_strict, validate_path
from recoverylink.spec.archive import _declared_entries, read_members
from recoverylink.spec.limits import DEFAULT_LIMITS, MIB, RATIO_CHECKED_FROM

EXPECTED = ("episodes.csv", "interventions.csv", "top.csv")
PROVIDERS_HEADER = b"provider_code,provider_name,local_authority\n"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("RECOVERYLINK_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def write_zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def rules(problems: list[Problem]) -> list[tuple[str, str | None]]:
    return [(p.rule, p.value) for p in problems]


# Settings -----------------------------------------------------------------


def test_packaged_settings_equal_the_readers_defaults() -> None:
    text = resources.files("recoverylink").joinpath("default_config.toml").read_text("utf-8")
    ingest = tomllib.loads(text)["ingest"]
    assert ReadLimits(**ingest) == DEFAULT_LIMITS
    assert limits_from_config(load_config()) == DEFAULT_LIMITS
    # 2 GiB zip, 4 GiB CSV, 8 GiB unzipped, ratio 100, 1 MiB field
    assert ReadLimits(2 * 1024**3, 4 * 1024**3, 8 * 1024**3, 100.0, 1024**2) == DEFAULT_LIMITS


def test_settings_file_changes_the_limits(tmp_path: Path) -> None:
    (tmp_path / "recoverylink.toml").write_text(
        "[ingest]\nmax_field_bytes = 4096\nmax_compression_ratio = 20\n", encoding="utf-8"
    )
    limits = limits_from_config(load_config())
    assert (limits.max_field_bytes, limits.max_compression_ratio) == (4096, 20.0)
    assert limits.max_zip_bytes == DEFAULT_LIMITS.max_zip_bytes
    with configured_limits(load_config()):
        assert current_limits() == limits
    assert current_limits() == DEFAULT_LIMITS


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("max_field_bytes = 0", "must be 1 or more"),
        ("max_compression_ratio = 0.5", "must be 1 or more"),
        ('max_zip_bytes = "2GB"', "must be a whole number"),
        ("max_rows = 10", "unknown setting 'ingest.max_rows'"),
    ],
)
def test_bad_limit_settings_are_refused(tmp_path: Path, setting: str, message: str) -> None:
    (tmp_path / "recoverylink.toml").write_text(f"[ingest]\n{setting}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config()


def test_limits_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="max_field_bytes"):
        ReadLimits(max_field_bytes=0)
    with pytest.raises(ValueError, match="ratio"):
        ReadLimits(max_compression_ratio=0.9)


def test_limits_in_force_are_restored_after_an_error() -> None:
    small = ReadLimits(max_field_bytes=10)
    with pytest.raises(RuntimeError), limits_in_force(small):
        assert current_limits() is small
        raise RuntimeError
    assert current_limits() == DEFAULT_LIMITS


def test_oversized_files_are_refused_before_reading(tmp_path: Path) -> None:
    limits = ReadLimits(max_zip_bytes=100, max_csv_bytes=200)
    small_zip, big_zip = tmp_path / "a.zip", tmp_path / "b.zip"
    small_zip.write_bytes(b"x" * 100)
    big_zip.write_bytes(b"x" * 101)
    csv_file = tmp_path / "deaths_2021.csv"
    csv_file.write_bytes(b"x" * 201)
    assert oversized(small_zip, limits) == []
    (problem,) = oversized(big_zip, limits)
    assert (problem.file, problem.rule, problem.row) == ("b.zip", "too_large", None)
    assert "101 bytes" in problem.message and "100 bytes" in problem.message
    (problem,) = oversized(csv_file, limits)
    assert problem.rule == "too_large"
    with pytest.raises(FileNotFoundError):
        oversized(tmp_path / "missing.csv", limits)


# Zips ---------------------------------------------------------------------


def base_members() -> dict[str, bytes]:
    z = treatment()
    return {name: z.csv(name).to_bytes() for name in EXPECTED}


def test_a_valid_zip_reads_every_member(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "t.zip", base_members())
    found, problems = read_members(path, EXPECTED)
    assert problems == [] and sorted(found) == sorted(EXPECTED)
    assert found["top.csv"] == base_members()["top.csv"]


@pytest.mark.parametrize(
    "name",
    ["../episodes.csv", "../../etc/passwd", "/etc/passwd", "\\\\server\\x.csv", "C:x.csv",
     "a/../episodes.csv"],
)  # fmt: skip
def test_member_paths_that_escape_are_refused(tmp_path: Path, name: str) -> None:
    members = base_members() | {name: b"x"}
    found, problems = read_members(write_zip(tmp_path / "t.zip", members), EXPECTED)
    assert rules(problems) == [("unexpected_member", name)]
    assert "outside the zip's folder" in problems[0].message
    assert sorted(found) == sorted(EXPECTED)


def test_nested_archives_are_refused_by_name_and_by_content(tmp_path: Path) -> None:
    inner = zip_bytes(base_members())
    members = base_members() | {"inner.zip": inner, "more.tar.gz": b"x"}
    members["top.csv"] = inner  # a zip called top.csv
    found, problems = read_members(write_zip(tmp_path / "t.zip", members), EXPECTED)
    assert sorted(rules(problems)) == [
        ("nested_archive", "inner.zip"),
        ("nested_archive", "more.tar.gz"),
        ("nested_archive", "top.csv"),
    ]
    assert "top.csv" not in found  # refused, and not also reported missing


def test_declared_member_size_over_the_limit(tmp_path: Path) -> None:
    members = base_members() | {"episodes.csv": noise(3000)}
    path = write_zip(tmp_path / "t.zip", members)
    found, problems = read_members(path, EXPECTED, ReadLimits(max_csv_bytes=2999))
    assert rules(problems) == [("too_large", "episodes.csv")]
    assert sorted(found) == ["interventions.csv", "top.csv"]
    found, problems = read_members(path, EXPECTED, ReadLimits(max_csv_bytes=3000))
    assert problems == []


def test_declared_total_over_the_limit_refuses_the_zip(tmp_path: Path) -> None:
    members = {name: noise(1000, seed=i) for i, name in enumerate(EXPECTED)}
    path = write_zip(tmp_path / "t.zip", members)
    found, problems = read_members(path, EXPECTED, ReadLimits(max_unzipped_bytes=2999))
    assert (found, rules(problems)) == ({}, [("too_large", None)])
    assert "3,000 bytes" in problems[0].message
    found, problems = read_members(path, EXPECTED, ReadLimits(max_unzipped_bytes=3000))
    assert problems == [] and len(found) == 3


def test_compression_ratio_from_the_header(tmp_path: Path) -> None:
    members = base_members() | {"episodes.csv": b"0" * (2 * MIB)}
    path = write_zip(tmp_path / "t.zip", members)
    found, problems = read_members(path, EXPECTED)
    assert rules(problems) == [("compression_ratio", "episodes.csv")]
    assert "episodes.csv" not in found


def test_small_members_are_not_held_to_the_ratio(tmp_path: Path) -> None:
    # Just under the size from which the ratio counts: compresses about 500 times, accepted.
    members = base_members() | {"episodes.csv": b"0" * (RATIO_CHECKED_FROM - 1)}
    found, problems = read_members(write_zip(tmp_path / "t.zip", members), EXPECTED)
    assert problems == [] and len(found["episodes.csv"]) == RATIO_CHECKED_FROM - 1


def test_overstated_compressed_size_is_caught_while_reading(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "t.zip", base_members() | {"episodes.csv": b"0" * (3 * MIB)})
    patch_central_directory(path, "episodes.csv", compress_size=0x7FFF_FFFF)
    found, problems = read_members(path, EXPECTED)
    assert rules(problems) == [("compression_ratio", "episodes.csv")]
    assert "its header says 3,145,728 bytes" in problems[0].message
    assert "episodes.csv" not in found


def test_understated_size_never_gives_more_than_declared(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "t.zip", base_members() | {"episodes.csv": b"0" * (3 * MIB)})
    patch_central_directory(path, "episodes.csv", file_size=1000)
    _found, problems = read_members(path, EXPECTED)
    assert rules(problems) == [("bad_zip", "episodes.csv")]
    assert "CRC" in problems[0].message


def test_too_many_entries_are_refused_unread(tmp_path: Path) -> None:
    members = base_members() | {f"x{i}": b"" for i in range(998)}
    path = write_zip(tmp_path / "t.zip", members)  # 1,001 entries
    assert _declared_entries(path) == 1001
    found, problems = read_members(path, EXPECTED)
    assert (found, rules(problems)) == ({}, [("too_large", None)])
    del members["x997"]  # 1,000 entries: read, and 997 unexpected members reported
    _, problems = read_members(write_zip(path, members), EXPECTED)
    assert {p.rule for p in problems} == {"unexpected_member"} and len(problems) == 997


def test_zip64_entry_count_is_read_from_the_zip64_record(tmp_path: Path) -> None:
    # Hand-built end records: a zip64 record saying 70,000 entries, its locator,
    # and a classic end record whose count is the 0xFFFF marker.
    zip64 = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, 70000, 70000, 0, 0)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, 0, 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF,
                      0xFFFFFFFF, 0)  # fmt: skip
    path = tmp_path / "t.zip"
    path.write_bytes(zip64 + locator + end)
    assert _declared_entries(path) == 70000
    _, problems = read_members(path, EXPECTED)
    assert rules(problems) == [("too_large", None)] and "70,000 entries" in problems[0].message


def test_zip_over_the_size_limit_is_not_opened(tmp_path: Path) -> None:
    path = tmp_path / "t.zip"
    path.write_bytes(b"not even a zip" * 10)  # 140 bytes
    _, problems = read_members(path, EXPECTED, ReadLimits(max_zip_bytes=139))
    assert rules(problems) == [("too_large", None)]
    _, problems = read_members(path, EXPECTED, ReadLimits(max_zip_bytes=140))
    assert rules(problems) == [("bad_zip", None)]


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_only_stored_and_deflate_members_are_read(tmp_path: Path, method: int) -> None:
    path = write_zip(tmp_path / "t.zip", base_members(), method)
    found, problems = read_members(path, EXPECTED)
    assert found == {} and [p.rule for p in problems] == ["bad_zip"] * 3
    stored = write_zip(tmp_path / "s.zip", base_members(), zipfile.ZIP_STORED)
    assert read_members(stored, EXPECTED)[1] == []


def test_symbolic_link_members_are_refused(tmp_path: Path) -> None:
    members = {n: d for n, d in base_members().items() if n != "top.csv"}
    path = write_zip(tmp_path / "t.zip", members)
    with zipfile.ZipFile(path, "a") as archive:
        info = zipfile.ZipInfo("top.csv")
        info.external_attr = 0o120777 << 16  # a symbolic link, pointing at /etc/passwd
        archive.writestr(info, "/etc/passwd")
    found, problems = read_members(path, EXPECTED)
    assert rules(problems) == [("unexpected_member", "top.csv")]
    assert "symbolic link" in problems[0].message and "top.csv" not in found


# CSV files ----------------------------------------------------------------


def providers_file(name_field: str, newline: str = "\n") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(["provider_code", "provider_name", "local_authority"])
    writer.writerow(["P001", "Leeds", "E08000035"])
    writer.writerow(["P002", name_field, "E08000035"])
    writer.writerow(["P003", "Wakefield", "E08000036"])
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize(
    "long_field",
    [
        "x" * 1001,  # plain: the fast reader
        "x" * 500 + ",\n" + "y" * 499,  # quoted, with a comma and a line break: 1,001 bytes
        "é" * 501,  # 1,002 UTF-8 bytes in 501 characters
    ],
)
def test_a_field_over_the_limit_is_reported_with_row_and_column(long_field: str) -> None:
    data = providers_file(long_field)
    frame, problems = read_csv_strict(
        data, "providers.csv", limits=ReadLimits(max_field_bytes=1000)
    )
    assert [(p.rule, p.row, p.column) for p in problems] == [
        ("field_too_large", 3, "provider_name")
    ]
    assert frame is not None
    # The record is left out; the records around it are read, the next one numbered by its line.
    next_line = 4 + long_field.count("\n")
    assert list(frame.index) == [2, next_line]
    assert list(frame["provider_code"]) == ["P001", "P003"]
    assert len(problems[0].value or "") <= 41


def test_a_field_at_the_limit_is_fine() -> None:
    frame, problems = read_csv_strict(
        providers_file("x" * 1000), "providers.csv", limits=ReadLimits(max_field_bytes=1000)
    )
    assert problems == [] and frame is not None and len(frame) == 3


def test_fields_bigger_than_pythons_csv_default_are_read_up_to_the_limit() -> None:
    # 512 KiB with a line break forces the exact reader, whose own default limit is 128 KiB.
    big = "x" * (256 * 1024) + "\n" + "y" * (256 * 1024)
    before = csv.field_size_limit()
    frame, problems = read_csv_strict(providers_file(big), "providers.csv")
    assert problems == [] and frame is not None
    assert frame.loc[3, "provider_name"] == big
    assert csv.field_size_limit() == before


def test_default_field_limit_is_one_mebibyte() -> None:
    _frame, problems = read_csv_strict(providers_file("z" * (MIB + 1)), "providers.csv")
    assert [(p.rule, p.row, p.column) for p in problems] == [
        ("field_too_large", 3, "provider_name")
    ]
    assert "1,048,577 bytes" in problems[0].message


def test_a_csv_file_over_the_size_limit_is_refused() -> None:
    data = providers_file("Leeds")
    frame, problems = read_csv_strict(
        data, "providers.csv", limits=ReadLimits(max_csv_bytes=len(data) - 1)
    )
    assert frame is None and [p.rule for p in problems] == ["too_large"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (noise(2000, bytes(range(256))), "binary"),
        (PROVIDERS_HEADER + b"P001,Leeds\x00,E08000035\n", "binary"),
        (PROVIDERS_HEADER.decode().encode("utf-16-le"), "UTF-16"),
        (PROVIDERS_HEADER.decode().encode("utf-16-be"), "UTF-16"),
        (PROVIDERS_HEADER.decode().encode("utf-32"), "UTF-16"),
    ],
)
def test_binary_and_wide_text_files_are_bad_encoding(data: bytes, words: str) -> None:
    frame, problems = read_csv_strict(data, "providers.csv")
    assert frame is None
    assert [(p.rule, p.row) for p in problems] == [("bad_encoding", None)]
    assert words in problems[0].message


def test_nul_line_is_named() -> None:
    data = PROVIDERS_HEADER + b"P001,Leeds,E08000035\nP002,Le\x00eds,E08000035\n"
    _, problems = read_csv_strict(data, "providers.csv")
    assert "line 3" in problems[0].message


def test_a_formula_is_just_text(tmp_path: Path) -> None:
    formula = "=cmd|' /C calc'!A0"
    for newline in ("\n", "\r\n"):
        data = providers_file(formula, newline)
        frame, problems = read_csv_strict(data, "providers.csv")
        assert problems == [] and frame is not None
        assert frame.loc[3, "provider_name"] == formula
    path = tmp_path / "providers.csv"
    path.write_bytes(b"\xef\xbb\xbf" + providers_file('@SUM(1+1)*cmd|" /C calc"!A0', "\r\n"))
    assert validate_path(path) == []
