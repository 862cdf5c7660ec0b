"""Hand-made submission files for the spec tests.

Every record below was written by hand to satisfy DATA_SPEC.md version 1; the
tests change one field at a time and work out the expected problem by hand.
The treatment records belong to ``treatment_P001_2021-06.zip``: financial year
from 2021-04-01, submission month ending 2021-06-30.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from recoverylink.spec import (
    RULES,
    Problem,
    ValidationContext,
    columns,
    read_csv_strict,
    validate_table,
)
from recoverylink.spec.problems import sort_problems

Row = dict[str, str]


def episode_rows() -> list[Row]:
    e1 = dict(
        provider_code="P001", client_ref="C1", episode_ref="E1", consent="y",
        first_initial="J", last_initial="S", date_of_birth="1980-05-17", sex="male",
        postcode_district="LS6", local_authority="E08000035", ethnicity="white_british",
        referral_date="2021-04-06", referral_source="self", triage_date="2021-04-13",
        substance_1="heroin", substance_2="crack", substance_3="",
        injecting_status="previously", accommodation="settled", employment="unemployed",
        parental_status="no_children", previously_treated="n",
        discharge_date="2021-06-30", discharge_reason="completed_drug_free",
    )  # fmt: skip
    e2 = dict.fromkeys(e1, "") | dict(
        provider_code="P001", client_ref="C2", episode_ref="E2", consent="n",
        referral_date="2021-05-01", triage_date="2021-05-10",
    )  # fmt: skip
    e3 = dict(
        provider_code="P001", client_ref="C3", episode_ref="E3", consent="y",
        first_initial="A", last_initial="B", date_of_birth="1975-11-02", sex="female",
        postcode_district="", local_authority="E08000035", ethnicity="not_stated",
        referral_date="2020-12-01", referral_source="gp", triage_date="2020-12-15",
        substance_1="alcohol", substance_2="cannabis", substance_3="cocaine",
        injecting_status="never", accommodation="no_fixed_abode", employment="not_stated",
        parental_status="lives_with_children", previously_treated="y",
        discharge_date="", discharge_reason="",
    )  # fmt: skip
    return [e1, e2, e3]


def intervention_rows() -> list[Row]:
    names = columns("interventions")
    return [
        dict(zip(names, values.split(","), strict=True))
        for values in (
            "P001,E1,I1,pharmacological,community,2021-04-13,2021-04-20,2021-06-30,planned",
            "P001,E3,I2,psychosocial,community,2020-12-15,2021-01-04,,",
            "P001,E2,I3,psychosocial,primary_care,2021-05-10,2021-05-10,2021-05-31,unplanned",
        )
    ]


def top_rows() -> list[Row]:
    names = columns("top")
    return [
        dict(zip(names, values.split(","), strict=True))
        for values in (
            "P001,E1,2021-04-20,start,20,10,0,0,0,0,5,2,0,0,y,10,12,9,n,n,0,0",
            "P001,E1,2021-06-30,exit,0,0,0,0,0,0,0,0,0,0,n,15,14,14,n,n,10,0",
            "P001,E3,2021-01-04,start,0,0,0,0,3,28,0,0,0,0,n,8,9,7,y,y,0,2",
        )
    ]


def rows_of(table: str, *lines: str) -> list[Row]:
    """Records given as comma-separated lines in the table's column order."""
    names = columns(table)
    return [dict(zip(names, line.split(","), strict=True)) for line in lines]


def nominal_rows() -> list[Row]:
    return rows_of(
        "nominals",
        "06/123456A,Smith,John Paul,1980-05-17,male,LS6 1AN,E23000010",
        "98/654321B,Khan,Aisha,1991-02-28,female,,E23000001",
    )


def alias_rows() -> list[Row]:
    return rows_of("aliases", "06/123456A,Smyth,John,1980-05-17")


def disposal_rows() -> list[Row]:
    return rows_of(
        "disposals",
        "06/123456A,D1,2019-03-01,2019-05-10,conviction,28A",
        "98/654321B,D2,2021-06-01,2021-06-30,caution,NN_BEG",
    )


def drug_test_rows() -> list[Row]:
    return rows_of(
        "drug_tests",
        "T1,06/123456A,J,S,1980-05-17,male,E23000010,2021-06-15,positive,negative,28A,y",
        "T2,,A,B,1990-01-01,female,E23000001,2021-06-30,negative,negative,39,n",
    )


def death_rows() -> list[Row]:
    return rows_of(
        "deaths",
        "D1,Smith,John,1980-05-17,male,LS6 1AN,2020-12-20,2021-01-05,X42,y",
        "D2,Brown,Ann,1950-02-02,female,,2021-03-01,2021-03-09,I21,n",
        "D3,Jones,Tom,1969-07-07,male,M1 1AE,2021-08-01,2021-08-20,F11.1,y",
    )


def provider_rows() -> list[Row]:
    return rows_of("providers", "P001,Leeds Recovery Service,E08000035")


def csv_bytes(
    table: str, rows: Iterable[Row], *, header: Sequence[str] | None = None, newline: str = "\n"
) -> bytes:
    """A CSV file: the header (the table's columns unless given) and the rows' values.

    Values are written unquoted, so test values must hold no comma or quote.
    """
    names = list(header or columns(table))
    lines = [",".join(names)] + [",".join(row[c] for c in names) for row in rows]
    return (newline.join(lines) + newline).encode("utf-8")


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def treatment_zip(
    tmp_path: Path,
    episodes: list[Row] | None = None,
    interventions: list[Row] | None = None,
    top: list[Row] | None = None,
    name: str = "treatment_P001_2021-06.zip",
) -> Path:
    return write_zip(
        tmp_path / name,
        {
            "episodes.csv": csv_bytes("episodes", episode_rows() if episodes is None else episodes),
            "interventions.csv": csv_bytes(
                "interventions", intervention_rows() if interventions is None else interventions
            ),
            "top.csv": csv_bytes("top", top_rows() if top is None else top),
        },
    )


def pnc_zip(
    tmp_path: Path,
    nominals: list[Row] | None = None,
    aliases: list[Row] | None = None,
    disposals: list[Row] | None = None,
    name: str = "pnc_2021-06-30.zip",
) -> Path:
    return write_zip(
        tmp_path / name,
        {
            "nominals.csv": csv_bytes("nominals", nominal_rows() if nominals is None else nominals),
            "aliases.csv": csv_bytes("aliases", alias_rows() if aliases is None else aliases),
            "disposals.csv": csv_bytes(
                "disposals", disposal_rows() if disposals is None else disposals
            ),
        },
    )


def triples(problems: Iterable[Problem]) -> list[tuple[str, int | None, str | None]]:
    """(rule, row, column) of each problem; every rule must be a registered slug."""
    out = []
    for p in problems:
        assert p.rule in RULES, f"unregistered rule {p.rule!r}"
        assert p.message, p
        out.append((p.rule, p.row, p.column))
    return out


def check_rows(
    table: str, rows: list[Row], context: ValidationContext | None = None
) -> list[Problem]:
    """Read the rows back from CSV and validate them as one table, in reading order."""
    file = f"{table}.csv"
    frame, problems = read_csv_strict(csv_bytes(table, rows), file, table)
    assert frame is not None
    order = {c: i for i, c in enumerate(columns(table))}
    return sort_problems(problems + validate_table(table, frame, file, context), order)
