"""Hand-made stores for tests: a few records written straight into fresh stores.

Tests of the mart, the indicators and the studies need a handful of records
whose answers can be worked out by hand. :class:`StoreBuilder` writes them
where ingest and linkage would (``raw.*``, ``ingest.loads``, ``ref.*``,
``link.person_map``, ``link.demographics``), so the code under test reads
exactly what it reads in production, without zips, validation or Splink. Who
is who is given: each record names its person, as a linkage run would have
decided.

    with StoreBuilder.create(tmp_path) as b:
        b.areas()
        load = b.load("treatment", "2011-03", "P1")
        b.episode("person-A", "P1", "E1", "2010-05-01", "2010-09-30",
                  "completed_drug_free", load=load)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from recoverylink.config import DuckDBConfig
from recoverylink.ingest.stores import Stores
from recoverylink.linkage.sqlfiles import sql_block

SETTINGS = DuckDBConfig(memory_limit="1GB", threads=1)

LA_A, LA_B = "E06000001", "E09000007"
REGION_A, REGION_B = "E12000001", "E12000007"
FORCE_A = "E23000013"

EPISODE_DEFAULTS: dict[str, Any] = {
    "ethnicity": "white_british",
    "referral_source": "self",
    "injecting_status": "never",
    "accommodation": "settled",
    "employment": "unemployed",
    "parental_status": "no_children",
    "previously_treated": "n",
}


class StoreBuilder:
    """Writes hand-made records into the stores of one data directory."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._next_record = 1000
        self._next_load = 0
        self._rows: dict[int, int] = {}
        self._episodes: dict[tuple[str, str, int], int] = {}
        con.execute(sql_block("person_map", "schema"))

    @classmethod
    @contextmanager
    def create(cls, data_dir: Path) -> Iterator[StoreBuilder]:
        """Fresh stores in ``data_dir`` (made by the real ingest code), committed on exit."""
        with Stores.open(data_dir, SETTINGS) as stores:
            yield cls(stores.con)

    def _record(self) -> int:
        self._next_record += 1
        return self._next_record

    def _row(self, load: int) -> int:
        self._rows[load] = self._rows.get(load, 1) + 1
        return self._rows[load]

    def areas(
        self,
        populations: tuple[int, int] = (100_000, 200_000),
        offence_codes: tuple[tuple[str, str, str], ...] = (
            ("28A", "burglary", "y"), ("5D", "violence", "n"), ("27", "soliciting", "n"),
            ("60", "fraud_forgery", "n"), ("46", "theft", "y"),
        ),
    ) -> None:
        """Two local authorities (A in the North East, B in London), providers P1 in A
        and P2 in B, and the offence codes given as (code, group, trigger y/n).

        Only the columns the mart reads are made in the reference tables (they replace
        the shipped copies the stores are opened with).
        """
        self.con.execute(
            "CREATE OR REPLACE TABLE ref.local_authorities (la_code VARCHAR, la_name VARCHAR, "
            "region_code VARCHAR, region_name VARCHAR, population_mid2006 BIGINT)"
        )
        self.con.execute(
            "INSERT INTO ref.local_authorities VALUES (?, 'Area A', ?, 'North East', ?), "
            "(?, 'Area B', ?, 'London', ?)",
            [LA_A, REGION_A, populations[0], LA_B, REGION_B, populations[1]],
        )
        self.con.execute(
            "CREATE OR REPLACE TABLE ref.offence_codes (offence_code VARCHAR, "
            "offence_group VARCHAR, is_trigger_offence VARCHAR)"
        )
        for code in offence_codes:
            self.con.execute("INSERT INTO ref.offence_codes VALUES (?, ?, ?)", list(code))
        self.con.execute(
            "INSERT INTO ref.providers VALUES ('P1', 'Provider one', ?, 1), "
            "('P2', 'Provider two', ?, 1)",
            [LA_A, LA_B],
        )

    def load(self, kind: str, period: str, provider: str | None = None) -> int:
        """A current load in the ledger; ``period`` as ingest writes it (treatment:
        the submission month ``YYYY-MM``)."""
        self._next_load += 1
        self.con.execute(
            "INSERT INTO ingest.loads VALUES (?, ?, ?, ?, ?, ?, 'x', 1, 'x', "
            "TIMESTAMP '2020-01-01', 'current', '', NULL, NULL, NULL, NULL, 1, 0)",
            [self._next_load, f"file{self._next_load}", kind,
             f"{kind}/{provider}/{period}", period, provider],
        )
        return self._next_load

    def _link(self, record_id: int, source: str, person: str | None,
              sex: str | None = None, age: int | None = None,
              probability: float | None = 0.99) -> None:
        if person is None:
            return
        self.con.execute(
            "INSERT INTO link.person_map VALUES (?, ?, ?, ?, 'run')",
            [record_id, source, person, probability],
        )
        if age is not None:
            self.con.execute(
                "INSERT INTO link.demographics VALUES (?, ?, ?, ?, 'run')",
                [record_id, source, sex, age],
            )

    def episode(
        self,
        person: str,
        provider: str,
        ref: str,
        triage: str,
        discharge: str | None = None,
        reason: str | None = None,
        substances: str | None = "heroin",
        *,
        load: int,
        referral: str | None = None,
        sex: str | None = "male",
        age: int = 30,
        consent: str = "y",
        local_authority: str | None = None,
        **fields: Any,
    ) -> int:
        """A treatment episode (``substances`` like ``"heroin+crack"``); returns its
        record id. A non-consenting episode gets no person (the mart makes it its own)."""
        record_id = self._record()
        subs = (substances.split("+") if substances else []) + [None, None, None]
        consented = consent == "y"
        values = {**EPISODE_DEFAULTS, **fields} if consented else dict.fromkeys(EPISODE_DEFAULTS)
        la = local_authority or ((LA_A if provider == "P1" else LA_B) if consented else None)
        self.con.execute(
            "INSERT INTO raw.treatment_episodes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                record_id, load, self._row(load), provider, ref, consent, consented, la,
                values["ethnicity"], referral or triage, values["referral_source"], triage,
                subs[0], subs[1], subs[2], values["injecting_status"], values["accommodation"],
                values["employment"], values["parental_status"], values["previously_treated"],
                discharge, reason,
            ],
        )
        self._episodes[(provider, ref, load)] = record_id
        if consented:
            self._link(record_id, "treatment", person, sex, age)
        return record_id

    def intervention(
        self, provider: str, ref: str, episode: str, referred: str, start: str,
        end: str | None = None, *, load: int, kind: str = "psychosocial",
        exit_status: str | None = None,
    ) -> int:
        """An intervention of the episode ``(provider, episode)`` in the same load."""
        record_id = self._record()
        self.con.execute(
            "INSERT INTO raw.treatment_interventions VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, 'community', ?, ?, ?, ?)",
            [record_id, load, self._row(load), self._episodes[(provider, episode, load)],
             provider, episode, ref, kind, referred, start, end, exit_status],
        )
        return record_id

    def top(self, provider: str, episode: str, on: str, stage: str, *, load: int,
            **items: int | str) -> int:
        """A TOP of the episode ``(provider, episode)``; items default to 0 / 'n' / 10."""
        record_id = self._record()
        row: dict[str, Any] = {
            "days_opiates": 0, "days_crack": 0, "days_cocaine": 0, "days_amphetamines": 0,
            "days_cannabis": 0, "days_alcohol": 0, "days_injected": 0,
            "shoplifting_days": 0, "drug_selling_days": 0, "other_theft_days": 0,
            "assault": "n", "psychological_health": 10, "physical_health": 10,
            "quality_of_life": 10, "acute_housing_problem": "n", "housing_risk": "n",
            "paid_work_days": 0, "education_days": 0, **items,
        }
        self.con.execute(
            "INSERT INTO raw.treatment_top VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
            + ", ".join("?" for _ in row) + ")",
            [record_id, load, self._row(load), self._episodes[(provider, episode, load)],
             provider, episode, on, stage, *row.values()],
        )
        return record_id

    def nominal(self, person: str, *, load: int, probability: float | None = 1.0) -> int:
        """A PNC nominal of ``person``; returns its record id (the disposals' nominal)."""
        record_id = self._record()
        self.con.execute(
            "INSERT INTO raw.pnc_nominals VALUES (?, ?, ?, ?)",
            [record_id, load, self._row(load), FORCE_A],
        )
        self._link(record_id, "pnc", person, probability=probability)
        return record_id

    def disposal(
        self, nominal: int, disposal_id: str, offence_date: str, disposal_date: str,
        offence_code: str = "28A", disposal_type: str = "conviction", *, load: int,
    ) -> int:
        record_id = self._record()
        self.con.execute(
            "INSERT INTO raw.pnc_disposals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [record_id, load, self._row(load), nominal, disposal_id, offence_date,
             disposal_date, disposal_type, offence_code],
        )
        return record_id

    def drug_test(
        self, person: str | None, test_id: str, on: str, *, load: int,
        opiates: str = "positive", cocaine: str = "negative", nominal: int | None = None,
        trigger_offence_code: str = "28A", sex: str = "male", age: int = 30,
    ) -> int:
        record_id = self._record()
        self.con.execute(
            "INSERT INTO raw.drug_tests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'y')",
            [record_id, load, self._row(load), nominal, test_id, FORCE_A, on, opiates,
             cocaine, trigger_offence_code],
        )
        self._link(record_id, "drug_tests", person, sex, age)
        return record_id

    def death(
        self, person: str | None, death_id: str, on: str, *, load: int,
        drug_poisoning: bool = False, cause: str = "X42", sex: str = "male", age: int = 40,
        registered: str | None = None,
    ) -> int:
        record_id = self._record()
        self.con.execute(
            "INSERT INTO raw.deaths VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [record_id, load, self._row(load), death_id, on, registered or on, cause,
             "y" if drug_poisoning else "n"],
        )
        self._link(record_id, "deaths", person, sex, age)
        return record_id
