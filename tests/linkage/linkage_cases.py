"""Hand-made people whose right answer is known, written as extra submissions.

They are added to a small synthetic England (so the models are trained on a
realistic population) in slots of their own: two providers of their own in a
dated providers register, treatment submissions for April 2012 (a financial
year the synthetic England does not cover), a PNC extract one month after the
synthetic one holding the synthetic nominals plus these, drug tests for
January 2014 and deaths registered in 2014.

Each case names the keys (as in truth/records.csv) that must, or must not,
end up as one person.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from recoverylink.spec import columns

HARTLEPOOL, CLEVELAND = "E06000001", "E23000013"  # North East
CORNWALL, DEVON_CORNWALL = "E06000052", "E23000033"  # South West
NORTH, SOUTH = "P9900000001", "P9900000002"
MONTH = "2012-04"
PNC_FILE = "pnc_2014-02-28.zip"

EPISODE = {
    "consent": "y",
    "ethnicity": "white_british",
    "referral_date": "2012-04-02",
    "referral_source": "self",
    "triage_date": "2012-04-03",
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

# (provider, client_ref, episode_ref, first, last, date of birth, sex, district, LA)
TREATMENT = [
    # nickname: Bill at the provider, William to the police
    (NORTH, "CN01", "EN01", "B", "Q", "1975-03-14", "male", "TS24", HARTLEPOOL),
    # day and month swapped: 4 July at the provider, 7 April to the police
    (NORTH, "CN02", "EN02", "K", "V", "1982-07-04", "female", "TS25", HARTLEPOOL),
    # twins: same birth date, surname and street, John and Mark
    (NORTH, "CN03", "EN03", "J", "O", "1979-11-02", "male", "TS26", HARTLEPOOL),
    (NORTH, "CN04", "EN04", "M", "O", "1979-11-02", "male", "TS26", HARTLEPOOL),
    # strangers: the same initials, date of birth and sex, at opposite ends of England
    (NORTH, "CN05", "EN05", "D", "Y", "1970-06-15", "male", "TS24", HARTLEPOOL),
    (SOUTH, "CS05", "ES05", "D", "Y", "1970-06-15", "male", "TR1", CORNWALL),
    # an alias on the PNC: known to treatment by the name in the alias only
    (NORTH, "CN06", "EN06", "S", "W", "1978-09-12", "male", "TS24", HARTLEPOOL),
]

# (pnc_id, surname, forenames, date of birth, sex, postcode, force)
NOMINALS = [
    ("99/100001A", "Quarrington", "William", "1975-03-14", "male", "TS24 7AB", CLEVELAND),
    ("99/100002B", "Vickers", "Karen Louise", "1982-04-07", "female", "TS25 1AA", CLEVELAND),
    ("99/100003C", "Ollerenshaw", "John", "1979-11-02", "male", "TS26 9XY", CLEVELAND),
    ("99/100004D", "Ollerenshaw", "Mark", "1979-11-02", "male", "TS26 9XY", CLEVELAND),
    ("99/100006F", "Kowalczyk", "Stefan", "1961-01-30", "male", "TS24 3QQ", CLEVELAND),
    # a 1 January default on the PNC: only the year of birth is right
    ("99/100007G", "Thistlethwaite", "Agnes", "1968-01-01", "female", "TS25 4PL", CLEVELAND),
]
# (pnc_id, surname, forenames, date of birth)
ALIASES = [("99/100006F", "Walker", "Steve", "1978-09-12")]
# (death_id, surname, forenames, date of birth, sex, postcode, date of death)
DEATHS = [
    ("R990000001", "Quarrington", "William", "1975-03-14", "male", "TS24 7AB", "2014-03-01"),
    ("R990000002", "Ollerenshaw", "Mark", "1979-11-02", "male", "TS26 9XY", "2014-05-10"),
    ("R990000003", "Thistlethwaite", "Agnes", "1968-08-23", "female", "TS25 4PL", "2014-06-02"),
]

# (test_id, pnc_id, first, last, date of birth, sex, force): one test with the PNC id
DRUG_TESTS = [("T990000001", "99/100001A", "W", "Q", "1975-03-14", "male", CLEVELAND)]

T = "treatment"
LINKED: list[tuple[str, list[tuple[str, str]]]] = [
    ("nickname, same date of birth",
     [(T, f"{NORTH}|EN01"), ("pnc", "99/100001A"), ("deaths", "R990000001"),
      ("drug_tests", "T990000001")]),
    ("day and month swapped", [(T, f"{NORTH}|EN02"), ("pnc", "99/100002B")]),
    ("twin John", [(T, f"{NORTH}|EN03"), ("pnc", "99/100003C")]),
    ("twin Mark", [(T, f"{NORTH}|EN04"), ("pnc", "99/100004D"), ("deaths", "R990000002")]),
    ("alias on the PNC", [(T, f"{NORTH}|EN06"), ("pnc", "99/100006F")]),
    # found only by the full-name blocking rule, which asks for one part of the date of birth
    ("1 January default on the PNC", [("pnc", "99/100007G"), ("deaths", "R990000003")]),
]
NOT_LINKED: list[tuple[str, tuple[str, str], tuple[str, str]]] = [
    ("twins", (T, f"{NORTH}|EN03"), (T, f"{NORTH}|EN04")),
    ("twins on the PNC", ("pnc", "99/100003C"), ("pnc", "99/100004D")),
    ("strangers in different regions", (T, f"{NORTH}|EN05"), (T, f"{SOUTH}|ES05")),
]


def _csv(header: Iterable[str], rows: Iterable[Mapping[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _read_zip(path: Path) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
            for name in archive.namelist()
        }


def write_cases(england: Path, out: Path) -> list[Path]:
    """Write the cases' submissions into ``out``; the PNC extract includes ``england``'s."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    register = out / "providers_2012-03-31.csv"
    register.write_text(
        _csv(
            columns("providers"),
            [
                {"provider_code": NORTH, "provider_name": "North",
                 "local_authority": HARTLEPOOL},
                {"provider_code": SOUTH, "provider_name": "South", "local_authority": CORNWALL},
            ],
        ),
        "utf-8",
    )
    written.append(register)
    for provider in (NORTH, SOUTH):
        episodes = [
            {
                "provider_code": p, "client_ref": client, "episode_ref": ref,
                "first_initial": first, "last_initial": last, "date_of_birth": dob,
                "sex": sex, "postcode_district": district, "local_authority": la, **EPISODE,
            }
            for p, client, ref, first, last, dob, sex, district, la in TREATMENT
            if p == provider
        ]
        path = out / f"treatment_{provider}_{MONTH}.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("episodes.csv", _csv(columns("episodes"), episodes))
            archive.writestr("interventions.csv", _csv(columns("interventions"), []))
            archive.writestr("top.csv", _csv(columns("top"), []))
        written.append(path)
    (synthetic_pnc,) = sorted((england / "pnc").glob("pnc_*.zip"))
    tables = _read_zip(synthetic_pnc)
    tables["nominals.csv"] += [
        dict(zip(columns("nominals"), row, strict=True)) for row in NOMINALS
    ]
    tables["aliases.csv"] += [dict(zip(columns("aliases"), row, strict=True)) for row in ALIASES]
    pnc = out / PNC_FILE
    with zipfile.ZipFile(pnc, "w") as archive:
        for name, table in (
            ("nominals.csv", "nominals"), ("aliases.csv", "aliases"), ("disposals.csv", "disposals")
        ):
            archive.writestr(name, _csv(columns(table), tables[name]))
    written.append(pnc)
    deaths = out / "deaths_2014.csv"
    deaths.write_text(
        _csv(
            columns("deaths"),
            [
                {
                    "death_id": death_id, "surname": surname, "forenames": forenames,
                    "date_of_birth": dob, "sex": sex, "postcode": postcode,
                    "date_of_death": died, "date_registered": died,
                    "underlying_cause": "X42", "drug_poisoning": "y",
                }
                for death_id, surname, forenames, dob, sex, postcode, died in DEATHS
            ],
        ),
        "utf-8",
    )
    written.append(deaths)
    tests = out / "drug_tests_2014-01.csv"
    tests.write_text(
        _csv(
            columns("drug_tests"),
            [
                {
                    "test_id": test_id, "pnc_id": pnc_id, "first_initial": first,
                    "last_initial": last, "date_of_birth": dob, "sex": sex,
                    "police_force": force, "test_date": "2014-01-15", "opiates": "positive",
                    "cocaine": "negative", "trigger_offence_code": "28A",
                    "required_assessment": "y",
                }
                for test_id, pnc_id, first, last, dob, sex, force in DRUG_TESTS
            ],
        ),
        "utf-8",
    )
    written.append(tests)
    return written
