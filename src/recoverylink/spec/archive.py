"""Reading the CSV members of a submitted zip in memory, refusing anything unexpected.

Nothing is extracted to disk, so no member name can write outside a folder; a
name that would (``../x.csv``, ``/etc/x``, ``C:\\x``) is still refused, as is any
member in a folder, any other file, a repeated name, an encrypted member, a
symbolic link and an archive inside the archive (by name or by content).

Zip bombs are stopped twice (:class:`~recoverylink.spec.limits.ReadLimits`):

1. before anything is decompressed, from what the archive declares: the size of
   the zip, the number of entries its directory lists, each member's size and
   compression ratio, and the members' total;
2. while decompressing, by counting the bytes that actually come out, so a
   member whose header understates its size is cut off at the limit instead of
   filling memory. Only Stored and Deflate members are read: Python's readers
   for the other methods decompress a whole member in one step.
"""

from __future__ import annotations

import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import NamedTuple

from recoverylink.spec.limits import (
    MAX_ZIP_ENTRIES,
    RATIO_CHECKED_FROM,
    ReadLimits,
    current_limits,
    size_text,
)
from recoverylink.spec.problems import Problem

_CHUNK = 1 << 20
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
_ARCHIVE_NAMES = re.compile(r"\.(zip|zipx|jar|7z|rar|gz|tgz|bz2|xz|tar|cab|iso)$", re.IGNORECASE)
_ARCHIVE_MAGIC = (
    b"PK\x03\x04",  # zip
    b"PK\x05\x06",  # empty zip
    b"PK\x07\x08",  # spanned zip
    b"\x1f\x8b",  # gzip
    b"BZh",  # bzip2
    b"\xfd7zXZ\x00",  # xz
    b"7z\xbc\xaf\x27\x1c",  # 7-zip
    b"Rar!\x1a\x07",  # rar
)
_EOCD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")

_Report = Callable[[str | None, str, str], None]


class Refusal(NamedTuple):
    """Why a member is not read: the rule, the message, and whether the whole zip is refused."""

    rule: str
    message: str
    whole_archive: bool = False


def read_members(
    path: str | PathLike[str], expected: tuple[str, ...], limits: ReadLimits | None = None
) -> tuple[dict[str, bytes], list[Problem]]:
    """The expected CSV members of a zip, read in memory, and the problems with the archive.

    ``limits`` defaults to the limits in force (:func:`~recoverylink.spec.limits.current_limits`).
    A member that breaks a rule or a limit is left out of the result and reported,
    and never also reported missing.
    """
    limits = limits or current_limits()
    label = Path(path).name
    problems: list[Problem] = []

    def report(name: str | None, rule: str, message: str) -> None:
        problems.append(Problem(label, None, None, name, rule, message))

    archive_size = Path(path).stat().st_size
    if archive_size > limits.max_zip_bytes:
        report(
            None,
            "too_large",
            f"the zip is {size_text(archive_size)}; the limit is {size_text(limits.max_zip_bytes)}",
        )
        return {}, problems
    try:
        entries = _declared_entries(path)
        if entries is not None and entries > MAX_ZIP_ENTRIES:
            report(
                None,
                "too_large",
                f"the zip's directory lists {entries:,} entries; at most "
                f"{MAX_ZIP_ENTRIES:,} are read (a submission holds {len(expected)} files)",
            )
            return {}, problems
        with zipfile.ZipFile(path) as archive:
            found = _read_archive(archive, expected, limits, archive_size, report)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as err:
        report(None, "bad_zip", f"not a readable zip file: {err}")
        return {}, problems
    return found, problems


def _read_archive(
    archive: zipfile.ZipFile,
    expected: tuple[str, ...],
    limits: ReadLimits,
    archive_size: int,
    report: _Report,
) -> dict[str, bytes]:
    chosen: list[zipfile.ZipInfo] = []
    seen: set[str] = set()
    spoilt: set[str] = set()
    for info in archive.infolist():
        name = info.filename
        refusal = _refusal(info, expected)
        if refusal is not None:
            report(name, refusal.rule, refusal.message)
            spoilt.add(name)
        elif name in seen:
            report(name, "duplicate_member", f"{name!r} appears more than once in the zip")
            spoilt.add(name)
        else:
            seen.add(name)
            chosen.append(info)
    chosen = [info for info in chosen if info.filename not in spoilt]

    readable: list[zipfile.ZipInfo] = []
    for info in chosen:
        name = info.filename
        refusal = _declared_refusal(info, limits)
        if refusal is not None:
            report(name, refusal.rule, refusal.message)
            spoilt.add(name)
        else:
            readable.append(info)
    declared_total = sum(info.file_size for info in readable)
    if declared_total > limits.max_unzipped_bytes:
        report(
            None,
            "too_large",
            f"the zip's files would uncompress to {size_text(declared_total)} together; "
            f"the limit is {size_text(limits.max_unzipped_bytes)}",
        )
        return {}

    found: dict[str, bytes] = {}
    total = 0
    for info in readable:
        name = info.filename
        data, refusal = _read_member(archive, info, limits, archive_size, total)
        if refusal is not None:
            report(None if refusal.whole_archive else name, refusal.rule, refusal.message)
            if refusal.whole_archive:
                return {}
            spoilt.add(name)
            continue
        if data.startswith(_ARCHIVE_MAGIC):
            report(name, "nested_archive", f"{name!r} is itself an archive; send the CSV file")
            spoilt.add(name)
            continue
        total += len(data)
        found[name] = data
    for name in expected:
        if name not in found and name not in spoilt:
            report(name, "missing_member", f"{name} is missing from the zip")
    return found


def _refusal(info: zipfile.ZipInfo, expected: tuple[str, ...]) -> Refusal | None:
    """Why a member may not be read at all, judged by its name and type, or None."""
    name = info.filename
    parts = re.split(r"[/\\]", name)
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) or ".." in parts:
        return Refusal(
            "unexpected_member",
            f"{name!r} points outside the zip's folder; files must be at the top level",
        )
    if len(parts) > 1:
        return Refusal(
            "unexpected_member", f"{name!r} is in a folder; files must be at the top level"
        )
    if _ARCHIVE_NAMES.search(name):
        return Refusal(
            "nested_archive", f"{name!r} is an archive inside the zip; send the CSV files"
        )
    if name not in expected:
        return Refusal(
            "unexpected_member",
            f"{name!r} is not expected; the zip holds only {', '.join(expected)}",
        )
    if stat.S_ISLNK(info.external_attr >> 16):
        return Refusal("unexpected_member", f"{name!r} is a symbolic link, not a file")
    if info.flag_bits & 0x1:
        return Refusal("bad_zip", f"{name!r} is encrypted")
    if info.compress_type not in _METHODS:
        return Refusal(
            "bad_zip",
            f"{name!r} is compressed with method {info.compress_type}; "
            "only Deflate (the usual zip compression) or none is accepted",
        )
    return None


def _declared_refusal(info: zipfile.ZipInfo, limits: ReadLimits) -> Refusal | None:
    """A member whose declared sizes break a limit, before anything is decompressed."""
    name, size = info.filename, info.file_size
    if size > limits.max_csv_bytes:
        return Refusal(
            "too_large",
            f"{name!r} would uncompress to {size_text(size)}; "
            f"the limit is {size_text(limits.max_csv_bytes)}",
        )
    if size >= RATIO_CHECKED_FROM and size > limits.max_compression_ratio * info.compress_size:
        ratio = size / max(info.compress_size, 1)
        return Refusal(
            "compression_ratio",
            f"{name!r} would expand {ratio:,.0f} times, from {size_text(info.compress_size)} "
            f"to {size_text(size)}; the limit is {limits.max_compression_ratio:g} times",
        )
    return None


def _read_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    limits: ReadLimits,
    archive_size: int,
    total_so_far: int,
) -> tuple[bytes, Refusal | None]:
    """Decompress one member, counting what comes out and stopping at the first limit."""
    name = info.filename
    compressed = min(info.compress_size, archive_size)
    by_ratio = max(RATIO_CHECKED_FROM, int(limits.max_compression_ratio * compressed))
    caps = (
        (limits.max_csv_bytes, "member"),
        (max(limits.max_unzipped_bytes - total_so_far, 0), "together"),
        (by_ratio, "ratio"),
    )
    cap, which = min(caps)
    out = bytearray()
    try:
        with archive.open(info) as member:
            while chunk := member.read(min(_CHUNK, cap + 1 - len(out))):
                out += chunk
                if len(out) > cap:
                    return b"", _over(name, which, info, limits, compressed)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as err:
        return b"", Refusal("bad_zip", f"{name!r} cannot be read: {err}")
    return bytes(out), None


def _over(
    name: str, which: str, info: zipfile.ZipInfo, limits: ReadLimits, compressed: int
) -> Refusal:
    """The problem for a member cut off while decompressing (its header understated it)."""
    declared = f"its header says {size_text(info.file_size)}"
    if which == "member":
        return Refusal(
            "too_large",
            f"{name!r} uncompresses to more than {size_text(limits.max_csv_bytes)}, "
            f"the limit ({declared})",
        )
    if which == "together":
        return Refusal(
            "too_large",
            f"together, the zip's files uncompress to more than "
            f"{size_text(limits.max_unzipped_bytes)}, the limit (reading stopped at {name!r})",
            whole_archive=True,
        )
    return Refusal(
        "compression_ratio",
        f"{name!r} expands more than {limits.max_compression_ratio:g} times its compressed "
        f"size of at most {size_text(compressed)} ({declared})",
    )


def _declared_entries(path: str | PathLike[str]) -> int | None:
    """How many entries the zip's end-of-directory record lists, read without ZipFile.

    None when the record cannot be found (ZipFile then reports the archive as bad).
    """
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        tail_start = max(0, size - (_EOCD.size + 65535))
        handle.seek(tail_start)
        tail = handle.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < _EOCD.size:
            return None
        entries = _EOCD.unpack_from(tail, at)[4]
        locator_at = at - _ZIP64_LOCATOR.size
        if entries != 0xFFFF or locator_at < 0:
            return int(entries)
        signature, _, offset, _ = _ZIP64_LOCATOR.unpack_from(tail, locator_at)
        if signature != b"PK\x06\x07" or offset + _ZIP64_EOCD.size > size:
            return int(entries)
        handle.seek(offset)
        record = handle.read(_ZIP64_EOCD.size)
        if len(record) < _ZIP64_EOCD.size or record[:4] != b"PK\x06\x06":
            return int(entries)
        return int(_ZIP64_EOCD.unpack(record)[7])
