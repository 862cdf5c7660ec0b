"""Valid base submissions, written by hand, and the tools to break them one way at a time.

Every record below was written by hand to satisfy DATA_SPEC.md version 1 (dates
worked out on a calendar, codes copied from the spec and the reference lists).
A corpus case takes one base, makes one deliberate breakage and writes it out.

The treatment base is ``treatment_P001_2021-06.zip``: financial year from
2021-04-01, submission month ending 2021-06-30. Line numbers: the header is
line 1, so episode E1 is on line 2, E2 line 3, E3 line 4, E4 line 5.

- E1 (line 2): consented, referred 2021-04-06, triaged 04-13, discharged 06-20;
  intervention I1 (line 2: referred 04-14, start 04-20, end 06-18) and TOP
  reviews on 04-20 (line 2) and 06-18 (line 3).
- E2 (line 3): no consent, so only the eight allowed columns; open.
- E3 (line 4): consented, referred 2020-12-01, triaged 12-15, still open;
  intervention I2 (line 3: referred 12-10, start 2021-01-04, open) and a TOP
  review on 2021-01-04 (line 4).
- E4 (line 5): consented, referred 2021-04-01, triaged 04-08, discharged
  05-28; nothing refers to it, so breaking it breaks nothing else.
"""

from __future__ import annotations

import csv
import io
import struct
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from recoverylink.spec import columns

Row = list[str]

TREATMENT_NAME = "treatment_P001_2021-06.zip"
PNC_NAME = "pnc_2021-06-30.zip"
DRUG_TESTS_NAME = "drug_tests_2021-06.csv"
DEATHS_NAME = "deaths_2021.csv"

EPISODES = [
    "P001,C1,E1,y,J,S,1980-05-17,male,LS6,E08000035,white_british,2021-04-06,self,2021-04-13,"
    "heroin,crack,,previously,settled,unemployed,no_children,n,2021-06-20,completed_drug_free",
    "P001,C2,E2,n,,,,,,,,2021-05-01,,2021-05-10,,,,,,,,,,",
    "P001,C3,E3,y,A,B,1975-11-02,female,,E08000035,not_stated,2020-12-01,gp,2020-12-15,"
    "alcohol,cannabis,cocaine,never,no_fixed_abode,not_stated,lives_with_children,y,,",
    "P001,C4,E4,y,M,K,1990-03-03,female,M1,E08000035,white_british,2021-04-01,probation,"
    "2021-04-08,cocaine,,,never,housing_problem,employed,no_children,n,2021-05-28,dropped_out",
]
INTERVENTIONS = [
    "P001,E1,I1,pharmacological,community,2021-04-14,2021-04-20,2021-06-18,planned",
    "P001,E3,I2,psychosocial,community,2020-12-10,2021-01-04,,",
]
TOP = [
    "P001,E1,2021-04-20,start,20,10,0,0,0,0,5,2,0,0,y,10,12,9,n,n,0,0",
    "P001,E1,2021-06-18,exit,0,0,0,0,0,0,0,0,0,0,n,15,14,14,n,n,10,0",
    "P001,E3,2021-01-04,start,0,0,0,0,3,28,0,0,0,0,n,8,9,7,y,y,0,2",
]
NOMINALS = [
    "06/123456A,Smith,John Paul,1980-05-17,male,LS6 1AN,E23000010",
    "98/654321B,Khan,Aisha,1991-02-28,female,,E23000001",
]
ALIASES = ["06/123456A,Smyth,John,1980-05-17"]
DISPOSALS = [
    "06/123456A,D1,2019-03-01,2019-05-10,conviction,28A",
    "98/654321B,D2,2021-06-01,2021-06-30,caution,NN_BEG",
]
DRUG_TESTS = [
    "T1,06/123456A,J,S,1980-05-17,male,E23000010,2021-06-15,positive,negative,28A,y",
    "T2,,A,B,1990-01-01,female,E23000001,2021-06-30,negative,negative,39,n",
]
DEATHS = [
    "D1,Smith,John,1980-05-17,male,LS6 1AN,2020-12-20,2021-01-05,X42,y",
    "D2,Brown,Ann,1950-02-02,female,,2021-03-01,2021-03-09,I21,n",
    "D3,Jones,Tom,1969-07-07,male,M1 1AE,2021-08-01,2021-08-20,F11.1,y",
]
PROVIDERS = ["P001,Leeds Recovery Service,E08000035", "P002,Forward Leeds,E08000035"]


@dataclass
class CsvFile:
    """One CSV file: header and records as lists of fields, and how to write them."""

    header: list[str]
    rows: list[Row]
    newline: str = "\n"
    encoding: str = "utf-8"
    bom: bool = False

    @classmethod
    def of(cls, table: str, lines: Sequence[str]) -> CsvFile:
        header = list(columns(table))
        rows = [line.split(",") for line in lines]
        assert all(len(r) == len(header) for r in rows), table
        return cls(header, rows)

    def set(self, line: int, column: str, value: str) -> CsvFile:
        """Give the record on ``line`` (2 = first record) a new value in ``column``."""
        self.rows[line - 2][self.header.index(column)] = value
        return self

    def get(self, line: int, column: str) -> str:
        return self.rows[line - 2][self.header.index(column)]

    def drop_column(self, column: str) -> CsvFile:
        i = self.header.index(column)
        self.header.pop(i)
        for row in self.rows:
            row.pop(i)
        return self

    def add_column(self, column: str, value: str) -> CsvFile:
        self.header.append(column)
        for row in self.rows:
            row.append(value)
        return self

    def rename_column(self, column: str, new: str) -> CsvFile:
        self.header[self.header.index(column)] = new
        return self

    def to_bytes(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator=self.newline)
        writer.writerow(self.header)
        writer.writerows(self.rows)
        data = out.getvalue().encode(self.encoding)
        return (b"\xef\xbb\xbf" if self.bom else b"") + data


@dataclass
class Zip:
    """A submission zip: its CSV members (as CsvFile or raw bytes) and its name."""

    name: str
    members: dict[str, CsvFile | bytes]
    compression: int = zipfile.ZIP_DEFLATED

    def csv(self, member: str) -> CsvFile:
        found = self.members[member]
        assert isinstance(found, CsvFile)
        return found

    def write(self, folder: Path) -> Path:
        path = folder / self.name
        with zipfile.ZipFile(path, "w", self.compression) as archive:
            for member, content in self.members.items():
                data = content.to_bytes() if isinstance(content, CsvFile) else content
                archive.writestr(member, data)
        return path


@dataclass
class Plain:
    """A stand-alone CSV submission (drug tests, deaths, providers)."""

    name: str
    content: CsvFile | bytes

    def csv(self) -> CsvFile:
        assert isinstance(self.content, CsvFile)
        return self.content

    def write(self, folder: Path) -> Path:
        path = folder / self.name
        content = self.content
        path.write_bytes(content.to_bytes() if isinstance(content, CsvFile) else content)
        return path


def treatment(name: str = TREATMENT_NAME) -> Zip:
    return Zip(
        name,
        {
            "episodes.csv": CsvFile.of("episodes", EPISODES),
            "interventions.csv": CsvFile.of("interventions", INTERVENTIONS),
            "top.csv": CsvFile.of("top", TOP),
        },
    )


def pnc(name: str = PNC_NAME) -> Zip:
    return Zip(
        name,
        {
            "nominals.csv": CsvFile.of("nominals", NOMINALS),
            "aliases.csv": CsvFile.of("aliases", ALIASES),
            "disposals.csv": CsvFile.of("disposals", DISPOSALS),
        },
    )


def drug_tests(name: str = DRUG_TESTS_NAME) -> Plain:
    return Plain(name, CsvFile.of("drug_tests", DRUG_TESTS))


def deaths(name: str = DEATHS_NAME) -> Plain:
    return Plain(name, CsvFile.of("deaths", DEATHS))


def providers(name: str = "providers.csv") -> Plain:
    return Plain(name, CsvFile.of("providers", PROVIDERS))


# Tampering with a zip's directory, for archives whose headers lie.


def patch_central_directory(path: Path, member: str, **fields: int) -> None:
    """Overwrite ``flag_bits``, ``compress_size`` or ``file_size`` of a member in the directory.

    The central directory is what readers trust; the local header is left alone.
    """
    data = bytearray(path.read_bytes())
    name = member.encode()
    at = 0
    while True:
        at = data.find(b"PK\x01\x02", at)
        assert at >= 0, f"{member} not in the central directory"
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == name:
            break
        at += 4
    layout = {"flag_bits": (8, "<H"), "compress_size": (20, "<L"), "file_size": (24, "<L")}
    for key, value in fields.items():
        offset, kind = layout[key]
        struct.pack_into(kind, data, at + offset, value)
    path.write_bytes(bytes(data))


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return out.getvalue()


def noise(size: int, alphabet: bytes = b"acgt", seed: int = 7) -> bytes:
    """Seeded random letters from ``alphabet``: four letters compress about four times."""
    picks = np.random.default_rng(seed).integers(0, len(alphabet), size)
    return np.frombuffer(alphabet, dtype=np.uint8)[picks].tobytes()


@dataclass(frozen=True)
class Expected:
    """One problem a case must report: rule, where (member or None for the file), row, column."""

    rule: str
    member: str | None = None
    row: int | None = None
    column: str | None = None


@dataclass(frozen=True)
class Case:
    """One broken submission: what it is, how to build it, and exactly what must be reported."""

    id: str
    build: Callable[[Path], Path]
    expected: tuple[Expected, ...]
    values: dict[int, str | None] = field(default_factory=dict)
    """Reported values to check, by position in ``expected`` (as masked in the report)."""
