"""Tiny hand-made submissions for ingest tests: every field spelt out, valid unless changed.

Each builder takes rows as dicts of the columns that matter to a test; every
other column gets a valid default. Files are written byte for byte as given,
so tests know exactly what was sent.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from recoverylink.spec import columns

LA = "E06000001"  # Hartlepool, in reference/local_authorities.csv
FORCE = "E23000013"  # Cleveland, in reference/police_forces.csv
OFFENCE = "28A"  # in reference/offence_codes.csv

EPISODE = {
    "consent": "y",
    "first_initial": "J",
    "last_initial": "S",
    "date_of_birth": "1980-05-17",
    "sex": "male",
    "postcode_district": "LS6",
    "local_authority": LA,
    "ethnicity": "white_british",
    "referral_date": "2021-04-06",
    "referral_source": "self",
    "triage_date": "2021-04-08",
    "substance_1": "heroin",
    "substance_2": "",
    "substance_3": "",
    "injecting_status": "never",
    "accommodation": "settled",
    "employment": "unemployed",
    "parental_status": "no_children",
    "previously_treated": "n",
    "discharge_date": "",
    "discharge_reason": "",
}
NON_CONSENTING = {
    column: "" for column in columns("episodes") if column not in ("provider_code",)
} | {"consent": "n", "referral_date": "2021-04-06", "triage_date": "2021-04-08"}
INTERVENTION = {
    "intervention_type": "psychosocial",
    "setting": "community",
    "referred_date": "2021-04-08",
    "start_date": "2021-04-09",
    "end_date": "",
    "exit_status": "",
}
TOP = {
    "top_date": "2021-04-09",
    "stage": "start",
    **{f"days_{d}": "0" for d in ("opiates", "crack", "cocaine", "amphetamines")},
    **{f"days_{d}": "0" for d in ("cannabis", "alcohol", "injected")},
    "shoplifting_days": "0",
    "drug_selling_days": "0",
    "other_theft_days": "0",
    "assault": "n",
    "psychological_health": "10",
    "physical_health": "10",
    "quality_of_life": "10",
    "acute_housing_problem": "n",
    "housing_risk": "n",
    "paid_work_days": "0",
    "education_days": "0",
}
NOMINAL = {
    "surname": "Smith",
    "forenames": "John",
    "date_of_birth": "1980-05-17",
    "sex": "male",
    "postcode": "",
    "police_force": FORCE,
}
ALIAS = {"surname": "Smyth", "forenames": "Jon", "date_of_birth": "1980-05-17"}
DISPOSAL = {
    "offence_date": "2019-02-01",
    "disposal_date": "2019-03-01",
    "disposal_type": "conviction",
    "offence_code": OFFENCE,
}
DRUG_TEST = {
    "pnc_id": "",
    "first_initial": "J",
    "last_initial": "S",
    "date_of_birth": "1980-05-17",
    "sex": "male",
    "police_force": FORCE,
    "opiates": "positive",
    "cocaine": "negative",
    "trigger_offence_code": OFFENCE,
    "required_assessment": "y",
}
DEATH = {
    "surname": "Brown",
    "forenames": "Mary",
    "date_of_birth": "1960-01-02",
    "sex": "female",
    "postcode": "LS6 1AN",
    "underlying_cause": "X42",
    "drug_poisoning": "y",
}


def csv_bytes(table: str, rows: Iterable[Mapping[str, str]]) -> bytes:
    """A CSV file of the table: header, then each row (missing columns empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = columns(table)
    writer.writerow(names)
    for row in rows:
        unknown = set(row) - set(names)
        assert not unknown, f"{table} has no columns {unknown}"
        writer.writerow([row.get(n, "") for n in names])
    return out.getvalue().encode()


def episode(provider: str, ref: str, **fields: str) -> dict[str, str]:
    base = NON_CONSENTING if fields.get("consent") == "n" else EPISODE
    return {**base, "provider_code": provider, "client_ref": f"C-{ref}", "episode_ref": ref,
            **fields}  # fmt: skip


def intervention(provider: str, episode_ref: str, ref: str, **fields: str) -> dict[str, str]:
    return {"provider_code": provider, "episode_ref": episode_ref, "intervention_ref": ref,
            **INTERVENTION, **fields}  # fmt: skip


def top(provider: str, episode_ref: str, **fields: str) -> dict[str, str]:
    return {"provider_code": provider, "episode_ref": episode_ref, **TOP, **fields}


def treatment_zip(
    folder: Path,
    provider: str,
    month: str,
    episodes: Iterable[Mapping[str, str]],
    interventions: Iterable[Mapping[str, str]] = (),
    tops: Iterable[Mapping[str, str]] = (),
) -> Path:
    path = folder / f"treatment_{provider}_{month}.zip"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("episodes.csv", csv_bytes("episodes", episodes))
        archive.writestr("interventions.csv", csv_bytes("interventions", interventions))
        archive.writestr("top.csv", csv_bytes("top", tops))
    return path


def nominal(pnc_id: str, **fields: str) -> dict[str, str]:
    return {"pnc_id": pnc_id, **NOMINAL, **fields}


def alias(pnc_id: str, **fields: str) -> dict[str, str]:
    return {"pnc_id": pnc_id, **ALIAS, **fields}


def disposal(pnc_id: str, disposal_id: str, **fields: str) -> dict[str, str]:
    return {"pnc_id": pnc_id, "disposal_id": disposal_id, **DISPOSAL, **fields}


def pnc_zip(
    folder: Path,
    date: str,
    nominals: Iterable[Mapping[str, str]],
    aliases: Iterable[Mapping[str, str]] = (),
    disposals: Iterable[Mapping[str, str]] = (),
) -> Path:
    path = folder / f"pnc_{date}.zip"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("nominals.csv", csv_bytes("nominals", nominals))
        archive.writestr("aliases.csv", csv_bytes("aliases", aliases))
        archive.writestr("disposals.csv", csv_bytes("disposals", disposals))
    return path


def drug_test(test_id: str, test_date: str, **fields: str) -> dict[str, str]:
    return {"test_id": test_id, "test_date": test_date, **DRUG_TEST, **fields}


def death(death_id: str, date_of_death: str, date_registered: str, **fields: str) -> dict[str, str]:
    return {"death_id": death_id, "date_of_death": date_of_death,
            "date_registered": date_registered, **DEATH, **fields}  # fmt: skip


def write_csv(path: Path, table: str, rows: Iterable[Mapping[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(table, rows))
    return path


def providers_csv(
    folder: Path, rows: Iterable[tuple[str, str, str]], name: str = "providers.csv"
) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns("providers"))
    writer.writerows(rows)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(out.getvalue(), encoding="utf-8")
    return folder / name
