"""Reading the CSV members of a submitted zip in memory, refusing anything unexpected.

Nothing is extracted to disk. A member must sit at the top level of the archive
with exactly one of the expected names; a folder, any other file, a repeated name
or an encrypted member is a problem. Limits on archive and member sizes are left
to the ingest step.
"""

from __future__ import annotations

import zipfile
import zlib
from os import PathLike
from pathlib import Path

from recoverylink.spec.problems import Problem


def read_members(
    path: str | PathLike[str], expected: tuple[str, ...]
) -> tuple[dict[str, bytes], list[Problem]]:
    """The expected CSV members of a zip, read in memory, and the problems with the archive."""
    label = Path(path).name
    found: dict[str, bytes] = {}
    problems: list[Problem] = []
    spoilt: set[str] = set()

    def report(name: str | None, rule: str, message: str) -> None:
        problems.append(Problem(label, None, None, name, rule, message))

    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                name = info.filename
                if "/" in name or "\\" in name:
                    report(
                        name,
                        "unexpected_member",
                        f"{name!r} is in a folder; files must be at the top level",
                    )
                elif name not in expected:
                    report(
                        name,
                        "unexpected_member",
                        f"{name!r} is not expected; the zip holds only {', '.join(expected)}",
                    )
                elif name in found or name in spoilt:
                    report(name, "duplicate_member", f"{name!r} appears more than once in the zip")
                    spoilt.add(name)
                    found.pop(name, None)
                elif info.flag_bits & 0x1:
                    report(name, "bad_zip", f"{name!r} is encrypted")
                    spoilt.add(name)
                else:
                    try:
                        found[name] = archive.read(info)
                    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError) as err:
                        report(name, "bad_zip", f"{name!r} cannot be read: {err}")
                        spoilt.add(name)
    except zipfile.BadZipFile as err:
        report(None, "bad_zip", f"not a readable zip file: {err}")
        return {}, problems
    for name in expected:
        if name not in found and name not in spoilt:
            report(name, "missing_member", f"{name} is missing from the zip")
    return found, problems
