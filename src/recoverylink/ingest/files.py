"""Recognising submitted files by name and content, and the order they load in.

A file's name says which dataset it belongs to and the period it covers
(spec §1-§5); its first bytes confirm it: a zip starts with the zip signature, a
CSV with a header of its table's columns. Reference tables that the spec ships
(``local_authorities.csv`` and the others of ``recoverylink.spec.reference``)
are recognised by name too.

Given a folder, ingest takes every file under it that is named like a
submission or a reference table, in load order: registers of providers, then the
other reference tables, treatment submissions by submission month, PNC extracts,
drug tests and deaths, each by date. Anything else is skipped and listed, never
opened; a synthetic England's ``truth/`` folder and ``manifest.json`` (its ground
truth, for tests and calibration only) are not even listed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pandas as pd

from recoverylink.spec import reference
from recoverylink.spec.context import financial_year_start
from recoverylink.spec.validate import (
    DEATHS_NAME,
    DRUG_TESTS_NAME,
    PNC_NAME,
    PROVIDERS_NAME,
    TREATMENT_NAME,
)


class Kind(StrEnum):
    """The dataset a file belongs to, in load order."""

    PROVIDERS = "providers"
    REFERENCE = "reference"
    TREATMENT = "treatment"
    PNC = "pnc"
    DRUG_TESTS = "drug_tests"
    DEATHS = "deaths"
    UNRECOGNISED = "unrecognised"


LOAD_ORDER = tuple(Kind)

REFERENCE_TABLES: dict[str, Callable[[], pd.DataFrame]] = {
    "local_authorities.csv": reference.local_authorities,
    "police_forces.csv": reference.police_forces,
    "offence_codes.csv": reference.offence_codes,
    "trigger_offences.csv": reference.trigger_offences,
    "crime_unit_costs.csv": reference.crime_unit_costs,
    "treatment_unit_costs.csv": reference.treatment_unit_costs,
}
"""Reference tables ingest loads (as ``ref.<name>``), with the packaged copy giving the schema."""

NEVER_READ = ("truth", "manifest.json")
"""Names skipped silently in a folder: a synthetic England's ground truth."""

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


@dataclass(frozen=True)
class Received:
    """One file given to ingest, recognised by its name.

    ``slot`` names what a newer file of the same dataset replaces: a provider's
    financial year of treatment (``treatment/P001/2021-22``), the PNC extract
    (``pnc``), a month of drug tests, a year of deaths, a reference table. It is
    empty for a providers register, which is merged rather than replaced, and
    for a file that is not recognised. ``period`` orders files within a slot.
    """

    path: Path
    kind: Kind
    period: str = ""
    provider_code: str | None = None
    slot: str = ""
    given: int = 0
    """Position among the files found, to keep the order of equal keys stable."""

    @property
    def name(self) -> str:
        return self.path.name

    def order(self) -> tuple[int, str, str, int]:
        return (LOAD_ORDER.index(self.kind), self.period, self.provider_code or "", self.given)


def financial_year(year: int, month: int) -> str:
    """The financial year (April to March) holding a month, as ``2021-22``.

    >>> financial_year(2022, 3), financial_year(2022, 4)
    ('2021-22', '2022-23')
    """
    start = financial_year_start(year, month).year
    return f"{start}-{(start + 1) % 100:02d}"


_PREFIXES = (
    (Kind.TREATMENT, "treatment_", ".zip"),
    (Kind.PNC, "pnc_", ".zip"),
    (Kind.DRUG_TESTS, "drug_tests", ".csv"),
    (Kind.DEATHS, "deaths", ".csv"),
    (Kind.PROVIDERS, "providers", ".csv"),
)


def recognise(path: Path, given: int = 0) -> Received:
    """What a file is, judged by its name (the validator confirms the rest).

    The dataset comes from the start and end of the name, as the validator
    decides it; a name that gets the rest wrong (``treatment_P1_2021-13.zip``)
    keeps its dataset but has no period or slot, and the validator rejects it.

    >>> r = recognise(Path("in/treatment_P01_2022-03.zip"))
    >>> r.kind.value, r.period, r.provider_code, r.slot
    ('treatment', '2022-03', 'P01', 'treatment/P01/2021-22')
    >>> recognise(Path("deaths_2010.csv")).slot, recognise(Path("notes.txt")).kind.value
    ('deaths/2010', 'unrecognised')
    """
    name = path.name
    if name in REFERENCE_TABLES:
        return Received(path, Kind.REFERENCE, "", None, f"reference/{name[:-4]}", given)
    kind = next((k for k, start, end in _PREFIXES if name.startswith(start) and name.endswith(end)),
                Kind.UNRECOGNISED)  # fmt: skip
    period, provider, slot = "", None, ""
    if kind is Kind.TREATMENT and (match := TREATMENT_NAME.fullmatch(name)):
        year, month, provider = int(match["year"]), int(match["month"]), match["provider"]
        if 1 <= month <= 12:
            period = f"{year:04d}-{month:02d}"
            slot = f"treatment/{provider}/{financial_year(year, month)}"
    elif kind is Kind.PNC and PNC_NAME.fullmatch(name):
        period, slot = name[4:14], "pnc"
    elif kind is Kind.DRUG_TESTS and DRUG_TESTS_NAME.fullmatch(name):
        period = name[11:18]
        slot = f"drug_tests/{period}"
    elif kind is Kind.DEATHS and DEATHS_NAME.fullmatch(name):
        period = name[7:11]
        slot = f"deaths/{period}"
    elif kind is Kind.PROVIDERS and PROVIDERS_NAME.fullmatch(name):
        period = name[10:20] if name != "providers.csv" else ""
    return Received(path, kind, period, provider, slot, given)


def looks_like(path: Path) -> str | None:
    """What a file's first bytes say it is: ``zip``, ``csv`` or None (anything else).

    A CSV here is text whose first line has a comma; the validator does the rest.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return None
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    first = head.split(b"\n", 1)[0].removeprefix(b"\xef\xbb\xbf")
    return "csv" if b"," in first and b"\x00" not in head else None


def content_note(received: Received) -> str | None:
    """A note when a file's content does not match what its name says it is."""
    seen = looks_like(received.path)
    wants_zip = received.name.endswith(".zip")
    if received.kind is Kind.UNRECOGNISED:
        return None
    if wants_zip and seen != "zip":
        return "named as a zip, but its content is not a zip archive"
    if not wants_zip and seen != "csv":
        return "named as a CSV file, but its content is not comma-separated text"
    return None


@dataclass(frozen=True)
class Found:
    """The files to ingest, in load order; what was skipped in folders; what cannot be read."""

    files: list[Received]
    skipped: list[Path]
    unreadable: list[tuple[Path, str]]


def find_files(paths: Iterable[Path]) -> Found:
    """Every file named on the command line, and every recognised file under a folder.

    A file named directly is always taken, whatever its name (an unrecognised one
    is rejected with a ``bad_file_name`` problem). Folders are searched in name
    order, never through a symbolic link; a file is taken once however often it
    is named. Something that is not a regular file, or a folder holding no
    submission, is listed as unreadable. Raises ``FileNotFoundError`` for a path
    that does not exist.
    """
    files: list[Received] = []
    skipped: list[Path] = []
    unreadable: list[tuple[Path, str]] = []
    seen: set[Path] = set()

    def take(path: Path) -> None:
        key = path.resolve()
        if key in seen:
            return
        seen.add(key)
        if not path.is_file():
            unreadable.append((path, "not a regular file"))
        else:
            files.append(recognise(path, len(files)))

    for path in paths:
        if not path.exists():
            raise FileNotFoundError(path)
        if not path.is_dir():
            take(path)
            continue
        before = len(files) + len(unreadable)
        errors: list[OSError] = []
        for found in _walk(path, errors):
            if recognise(found).kind is Kind.UNRECOGNISED:
                skipped.append(found)
            else:
                take(found)
        for error in errors:
            unreadable.append((Path(error.filename or path), f"cannot read the folder: {error}"))
        if len(files) + len(unreadable) == before:
            unreadable.append((path, "the folder holds no submission files"))
    return Found(sorted(files, key=Received.order), skipped, unreadable)


def _walk(folder: Path, errors: list[OSError]) -> list[Path]:
    out: list[Path] = []
    for root, dirs, names in os.walk(folder, onerror=errors.append):
        dirs[:] = sorted(d for d in dirs if d not in NEVER_READ and not d.startswith("."))
        for name in sorted(names):
            if name not in NEVER_READ and not name.startswith("."):
                out.append(Path(root) / name)
    return out
